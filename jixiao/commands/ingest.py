"""jixiao ingest: read reports, write one named graph per report into the store and/or a TriG file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rdflib import Dataset

from jixiao import iris
from jixiao.paths import DEFAULT_STORE

NAME = "ingest"
HELP = "read reports (UTF-8 or GB18030 text) and write one named graph per report"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="report text files")
    p.add_argument("--store", type=Path, default=None, help=f"store directory (default {DEFAULT_STORE})")
    p.add_argument("--out", type=Path, default=None, help="also write the graphs to this TriG file")
    p.add_argument("--no-store", action="store_true", help="do not write to the store (use with --out)")
    p.add_argument("--quiet", action="store_true")


def run(args: argparse.Namespace) -> int:
    from ingest.pipeline import ingest_file
    from jixiao.store import GraphStore

    results, failed = [], 0
    for path in args.files:
        try:
            results.append(ingest_file(path))  # nothing is written until the file has parsed whole
        except Exception as exc:
            from jixiao.errors import JixiaoError

            msg = str(exc) if isinstance(exc, JixiaoError) else f"{path}: {type(exc).__name__}: {exc}"
            print(f"jixiao ingest: error: {msg}", file=sys.stderr)
            failed += 1
    store = None if args.no_store else GraphStore(args.store or DEFAULT_STORE)
    if store is not None and results:
        store.load_ontology()
    for r in results:
        if store is not None:
            n = store.replace_graph(r.graph_iri, r.triples)
            runs = store.graph(iris.RUNS_GRAPH)
            runs += r.run
            store.replace_graph(iris.RUNS_GRAPH, runs)
        else:
            n = len(r.triples)
        if not args.quiet:
            print(f"{r.source.path}: {n} triples → <{r.graph_iri}>")
    if store is not None:
        store.flush()
    if args.out and results:
        ds = Dataset()
        for r in results:
            g = ds.graph(r.graph_iri)
            for t in r.triples:
                g.add(t)
            for prefix, ns in r.triples.prefixes.items():
                ds.bind(prefix, ns, override=False)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.out.with_suffix(args.out.suffix + ".tmp")
        ds.serialize(tmp, format="trig")
        tmp.replace(args.out)  # atomic: a reader never sees half a file
    return 2 if failed else 0
