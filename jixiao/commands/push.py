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
    p.add_argument(
        "--user",
        metavar="NAME",
        help="user for the store's HTTP authentication (Basic or Digest, as it asks) and for --isql; "
        "the password is read from $JIXIAO_PUSH_PASSWORD, else asked for on the terminal",
    )
    p.add_argument(
        "--isql",
        metavar="HOST:PORT",
        help="Virtuoso on this machine: load through its bulk loader (ld_dir + rdf_loader_run) over its "
        "SQL port (e.g. 127.0.0.1:1111) instead of HTTP; needs --load-dir and --user (docs/remote-stores.md)",
    )
    p.add_argument(
        "--load-dir",
        metavar="DIR",
        type=Path,
        help="with --isql: a directory the Virtuoso server may read (listed in DirsAllowed of its virtuoso.ini)",
    )
    p.add_argument("--quiet", action="store_true", help="print only errors (no line per graph, no progress bar)")


def password(user: str | None) -> str | None:
    """$JIXIAO_PUSH_PASSWORD, else asked for on a terminal (never on the command line)."""
    import getpass
    import os

    from jixiao.errors import UsageError

    if user is None:
        return None
    if "JIXIAO_PUSH_PASSWORD" in os.environ:
        return os.environ["JIXIAO_PUSH_PASSWORD"]
    if not sys.stdin.isatty():
        raise UsageError(f"--user {user}: set JIXIAO_PUSH_PASSWORD (no terminal to ask on)")
    return getpass.getpass(f"password for {user}: ")


def run(args: argparse.Namespace) -> int:
    from itertools import chain

    from jixiao.errors import UsageError
    from jixiao.push import Target, default_update_url, graphs_from_file, graphs_from_store, ontology_graph, push_all

    if not args.timeout > 0:
        raise UsageError("--timeout must be a positive number of seconds")
    graph = URIRef(args.graph) if args.graph else None
    if args.isql or args.load_dir:
        return _bulk(args, graph)
    target = Target(
        args.endpoint,
        args.update_endpoint or default_update_url(args.endpoint),
        args.gsp,
        args.gsp_param,
        args.timeout,
        args.user,
        password(args.user),
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


def _bulk(args: argparse.Namespace, graph: URIRef | None) -> int:
    """``--isql``: the graphs as N-Triples bytes (an ``ingest --out`` .nq file is cut by bytes, a store
    dumped graph by graph), loaded by Virtuoso's bulk loader and swapped in (jixiao.virtuoso.bulk_push)."""
    from jixiao.errors import JixiaoError, UsageError
    from jixiao.push import Pusher, Target, ntriples_from_file, ntriples_from_store, ontology_graph
    from jixiao.store import ntriples
    from jixiao.virtuoso import Isql, bulk_push

    if not (args.isql and args.load_dir and args.user):
        raise UsageError("--isql needs --load-dir (a directory in the server's DirsAllowed) and --user")
    if args.gsp or args.update_endpoint:
        raise UsageError("--isql loads through Virtuoso's SQL port: --gsp / --update-endpoint do not apply")
    graphs = ntriples_from_file(args.data, graph) if args.data else ntriples_from_store(args.store, graph)
    if graph is None and not args.no_ontology:
        name, g = ontology_graph()
        graphs = [*graphs, (str(name), ntriples(g))]
    from jixiao import progress
    from jixiao.virtuoso import drop_graphs

    isql = Isql(args.isql, args.user, password(args.user) or "", timeout=max(args.timeout, 3600))
    pusher = Pusher(Target(args.endpoint, args.endpoint, timeout=args.timeout))
    left = pusher.leftovers()  # of interrupted HTTP pushes: listed at the endpoint, dropped over isql
    drop_graphs(isql, left)
    if left:
        progress.write(f"dropped {len(left)} temporary graph(s) left by an interrupted push", file=sys.stderr)
    # the bar counts graphs written to the load file; Virtuoso's bulk load of the whole file follows
    with progress.bar("push", quiet=args.quiet, unit="graph") as bar:
        done = bulk_push(isql, graphs, args.load_dir, progress=bar.update)
    total = sum(n for _, n in done)
    seen = pusher.counts([g for g, _ in done])
    wrong = [g for g, n in done if seen.get(g) != n]
    if wrong:
        raise JixiaoError(
            f"loaded through isql at {args.isql}, but {args.endpoint} sees {seen.get(wrong[0], 0)} triples in "
            f"<{wrong[0]}> ({len(wrong)} graph(s) differ): are they the same server?"
        )
    if not args.quiet:
        print(f"bulk-loaded {len(done)} graph(s), {total} triples, into Virtuoso at {args.isql}", file=sys.stderr)
    return 0
