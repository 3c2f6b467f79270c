"""``jixiao push``: load the store's report graphs (or a data file) into another SPARQL 1.1 store,
each under a temporary name first, count-checked, then swapped in (docs/remote-stores.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rdflib import URIRef

from jixiao.paths import STORE_HELP

NAME = "push"
HELP = "push report graphs to a SPARQL 1.1 store (Graph Store Protocol or Update), atomically per graph"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--endpoint", required=True, metavar="URL", help="the target's SPARQL query endpoint")
    p.add_argument(
        "--update-endpoint",
        metavar="URL",
        help="its SPARQL update endpoint (default: …/update beside …/query, else the query URL)",
    )
    p.add_argument("--gsp", metavar="URL", help="its Graph Store Protocol endpoint (default: use SPARQL Update)")
    p.add_argument("--gsp-param", default="graph", help="GSP graph parameter name (Virtuoso: graph-uri)")
    p.add_argument("--graph", metavar="IRI", help="push only this graph / push the data file into this graph")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--store", metavar="DIR", type=Path, help=STORE_HELP)
    src.add_argument(
        "--data",
        metavar="FILE",
        type=Path,
        help="an RDF file (Turtle, TriG, N-Quads, JSON-LD, RDF/XML …; nothing it names is fetched)",
    )
    p.add_argument(
        "--no-ontology",
        action="store_true",
        help="do not push the ontology and vocabularies (pushed by default unless --graph is given)",
    )
    p.add_argument("--timeout", type=float, default=120, help="seconds per HTTP request (default 120)")
    p.add_argument("--quiet", action="store_true", help="print only errors (no line per graph, no progress bar)")


def run(args: argparse.Namespace) -> int:
    from itertools import chain

    from jixiao.errors import UsageError
    from jixiao.push import Target, default_update_url, graphs_from_file, graphs_from_store, ontology_graph, push_all

    if not args.timeout > 0:
        raise UsageError("--timeout must be a positive number of seconds")
    graph = URIRef(args.graph) if args.graph else None
    target = Target(
        args.endpoint, args.update_endpoint or default_update_url(args.endpoint), args.gsp, args.gsp_param, args.timeout
    )
    # a data file is read whole first: a file that does not parse sends nothing to the endpoint
    graphs = list(graphs_from_file(args.data, graph)) if args.data else graphs_from_store(args.store, graph)
    if graph is None and not args.no_ontology:
        graphs = chain(graphs, [ontology_graph()])
    from jixiao import progress

    def leftovers(names: list[str]) -> None:
        progress.write(f"dropped {len(names)} temporary graph(s) left by an interrupted push", file=sys.stderr)

    with progress.bar("push", quiet=args.quiet, unit="graph") as bar:

        def pushed(name: URIRef, n: int) -> None:
            bar.update()
            if not args.quiet:
                progress.write(f"pushed {n} triples to <{name}>", file=sys.stderr)

        push_all(target, graphs, pushed, on_leftovers=leftovers)
    return 0
