"""``jixiao validate``: check report graphs against the SHACL shapes and report the findings.

Exit 0 when the data conforms (Info findings only mark inferences and do not count), 1 when a
Violation or Warning was found, 2 on a usage or input error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from jixiao.errors import UsageError
from jixiao.reporting import FORMATS, render
from jixiao.validate import ENGINES, NotContiguous, graph_ranges, validate_ntriples, validate_store

NAME = "validate"
HELP = "check report graphs against the SHACL shapes (structure, arithmetic, indicators, consistency)"
DATA_FORMATS = (".ttl", ".trig", ".nt", ".nq", ".jsonld", ".rdf", ".owl", ".n3")


def configure(parser: argparse.ArgumentParser) -> None:
    src = parser.add_mutually_exclusive_group()
    src.add_argument("--store", type=Path, help="the store to validate (read-only; default: the default store)")
    src.add_argument(
        "--data",
        type=Path,
        help="a .ttl/.nt/.jsonld/.rdf (one report) or .trig/.nq file (each named graph a report); "
        "nothing the data names is fetched",
    )
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of messages (default zh)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format (default text)")
    parser.add_argument("--out", type=Path, help="write the report to this file instead of stdout")
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="sparql",
        help="SHACL engine: sparql (default: each shape one SPARQL query per report, the fastest), "
        "turbo (pyshacl-turbo) or pyshacl (the reference, slow)",
    )
    parser.add_argument("--jobs", type=int, default=1, help="parallel processes (default 1)")
    cluster = parser.add_mutually_exclusive_group()
    cluster.add_argument(
        "--scheduler",
        metavar="URL",
        help="validate the reports as tasks on this Dask cluster (tcp://HOST:8786; the workers read the "
        "--data file or --store themselves, at the same path) instead of --jobs; needs jixiao[dask]",
    )
    cluster.add_argument("--dask", type=int, metavar="N", help="validate on a local Dask cluster of N worker processes")
    parser.add_argument("--quiet", action="store_true", help="no progress bar (it shows only on a terminal anyway)")


def _data_items(path: Path):
    """(graph IRI, N-Triples) of each graph of a data file, read by ``jixiao.rdfinput`` (nothing fetched,
    entity expansion bounded): each named graph a report, the default graph one named after the file."""
    import pyoxigraph as ox
    from rdflib import URIRef

    from jixiao import rdfinput

    if path.suffix.lower() not in DATA_FORMATS:
        raise UsageError(f"unsupported data format {path.suffix!r} (use {', '.join(DATA_FORMATS)})", file=path)
    file_iri = path.resolve().as_uri()
    groups: dict[str, list] = {}
    for q in rdfinput.quads(path):
        g = q.graph_name
        name = (
            file_iri
            if isinstance(g, ox.DefaultGraph)
            else g.value
            if isinstance(g, ox.NamedNode)
            else f"{file_iri}#graph-{g.value}"
        )
        groups.setdefault(name, []).append(ox.Triple(q.subject, q.predicate, q.object))
    return [
        (URIRef(name), ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)) for name, triples in sorted(groups.items())
    ]


QUAD_FORMATS = {".nq": "N_QUADS", ".nt": "N_TRIPLES"}


def _validate_quads_file(path: Path, engine: str, jobs: int, progress=None, cluster=None):
    """An N-Quads/N-Triples file of any size (``jixiao ingest --out corpus.nq``). A file written one
    graph at a time is split into byte ranges, one per graph, which the workers read themselves
    (nothing but the graphs in flight in memory); any other file is bulk-loaded into a temporary
    on-disk store and validated like one.
    Each named graph is a report; triples outside any graph are one report named after the file."""
    if path.suffix.lower() == ".nq" and path.is_file():
        from rdflib import URIRef

        try:
            items = ((URIRef(r.graph), r) for r in graph_ranges(path.resolve()))
            return validate_ntriples(items, engine=engine, jobs=jobs, progress=progress, cluster=cluster)
        except (NotContiguous, SyntaxError, ValueError):
            pass  # not our layout (or not valid): the store path reads any N-Quads, or names the error
    return _validate_via_store(path, engine, jobs, progress, cluster)


def _validate_via_store(path: Path, engine: str, jobs: int, progress=None, cluster=None):
    import tempfile

    import pyoxigraph as ox
    from rdflib import URIRef

    from jixiao import rdfinput
    from jixiao.store import GraphStore

    rdfinput.check_readable(path)
    with tempfile.TemporaryDirectory(prefix="jixiao-validate-") as tmp:
        loader = ox.Store(tmp)
        rdfinput.load(loader, path)  # pyoxigraph names the line and column of a syntax error
        loader.flush()
        default = loader.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        del loader
        store = GraphStore(tmp, read_only=True)
        result = validate_store(
            store, engine=engine, jobs=jobs, graphs=store.graphs(), progress=progress, cluster=cluster
        )
        if default.strip():
            extra = validate_ntriples([(URIRef(path.resolve().as_uri()), default)], engine=engine)
            result.findings = sorted(result.findings + extra.findings, key=lambda f: f.sort_key())
            result.reports += extra.reports
        del store
    return result


def run(args: argparse.Namespace) -> int:
    from jixiao.fileio import check_output_path, write_atomic

    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.out is not None:
        check_output_path(args.out)
    if args.data is not None:
        from jixiao import rdfinput

        rdfinput.check_readable(args.data)
    if args.scheduler or args.dask is not None:  # --dask 0 is refused by connect
        from jixiao.dask_cluster import connect

        with connect(args.scheduler, args.dask or 0) as cluster:
            result = _validate(args, cluster)
    else:
        result = _validate(args, None)
    text = render(result, args.format, args.lang)
    if args.out is not None:
        write_atomic(args.out, text.encode("utf-8"))
        if args.format != "text":
            print(render(result, "text", args.lang).splitlines()[-1])
    else:
        sys.stdout.write(text)
    return 0 if result.conforms else 1


def _validate(args: argparse.Namespace, cluster):
    """The report graphs of --data or --store validated on the local pool or, with ``cluster``, on Dask."""
    from jixiao import progress

    with progress.bar("validate", quiet=args.quiet) as bar:
        if args.data is not None and args.data.suffix.lower() in QUAD_FORMATS:
            result = _validate_quads_file(args.data, args.engine, args.jobs, bar.update, cluster)
        elif args.data is not None:
            items = _data_items(args.data)
            bar.reset(total=len(items))
            result = validate_ntriples(items, engine=args.engine, jobs=args.jobs, progress=bar.update, cluster=cluster)
        else:
            from jixiao.store import GraphStore

            # report graphs stream out of the store one at a time (memory flat in the number of reports)
            store = GraphStore.open_default(args.store, read_only=True)
            graphs = [iri for iri in store.graphs() if str(iri).endswith("/graph")]
            bar.reset(total=len(graphs))
            result = validate_store(
                store, engine=args.engine, jobs=args.jobs, graphs=graphs, progress=bar.update, cluster=cluster
            )
        return result
