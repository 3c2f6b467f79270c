"""``jixiao report``: write the HTML page of one report, or the corpus page (jixiao/reportpage.py).

    jixiao report FILE.txt                         read the report (nothing stored) and write FILE.html here
    jixiao report --graph IRI [--store DIR | --data F] [--source FILE | --sources DIR]
    jixiao report --corpus [--store DIR | --data F] [--out corpus.html]

The page is one self-contained file (its scripts inlined): it opens offline, from disk or a mail.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from jixiao.paths import STORE_HELP

NAME = "report"
HELP = (
    "write the HTML page of a report (figures, budget table, indicators chart, findings, source text) or of the corpus"
)


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="?", type=Path, metavar="FILE", help="a report text file: read it and write its page")
    p.add_argument("--graph", metavar="IRI", help="a report in the store (its graph or report IRI)")
    p.add_argument(
        "--corpus", action="store_true", help="the corpus page: execution and attainment by department and year"
    )
    src = p.add_mutually_exclusive_group()
    src.add_argument("--store", metavar="DIR", type=Path, help=STORE_HELP)
    src.add_argument("--data", metavar="FILE", type=Path, action="append", help="RDF file(s) instead of the store")
    p.add_argument(
        "--source", metavar="FILE", type=Path, help="with --graph: the report's text file (checked by SHA-256)"
    )
    p.add_argument(
        "--sources", metavar="DIR", type=Path, action="append", default=[], help="with --graph: find the text file here"
    )
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the page (default zh)")
    p.add_argument("--out", type=Path, help="the HTML file to write (default: FILE.html, report.html, corpus.html)")


def run(args: argparse.Namespace) -> int:
    from jixiao import reportdata as D
    from jixiao import reportpage as R
    from jixiao.errors import UsageError

    chosen = [x for x in (args.file is not None, args.graph is not None, args.corpus) if x]
    if len(chosen) != 1:
        raise UsageError("give one of FILE, --graph IRI or --corpus")
    if args.file is not None and (args.store or args.data or args.source or args.sources):
        raise UsageError("FILE is read on its own: --store, --data, --source and --sources go with --graph")
    if args.file is not None:
        from jixiao.ingest.pipeline import ingest_file
        from jixiao.store import ntriples

        result = ingest_file(args.file)
        page = D.build(str(result.graph_iri), ntriples(result.triples), text=result.source.text, lang=args.lang)
        html = R.render(page)
        out = args.out or Path(args.file.stem + ".html")
    else:
        from jixiao import queries as Q

        dataset = Q.open_dataset(store=args.store, data=[str(d) for d in args.data] if args.data else None)
        if args.corpus:
            html = R.render_corpus(D.library_rows(dataset, "execution-and-attainment", args.lang), args.lang)
            out = args.out or Path("corpus.html")
        else:
            graph = args.graph if args.graph.endswith("/graph") else args.graph + "/graph"
            nt = D.graph_ntriples(dataset, graph)
            text = D.source_text(args.source, D.graph_sha256(graph, nt)) if args.source else None
            page = D.build(graph, nt, text=text, sources=args.sources, lang=args.lang)
            html = R.render(page)
            out = args.out or Path("report.html")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    return 0
