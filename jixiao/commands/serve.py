"""``jixiao serve``: a read-only SPARQL 1.1 endpoint (and query page) over the store."""

from __future__ import annotations

import argparse
from pathlib import Path

from jixiao.paths import STORE_HELP, default_store

NAME = "serve"
HELP = "serve the store over the SPARQL 1.1 Protocol (read-only, with caps) and a query page"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--store", metavar="DIR", type=Path, default=None, help=STORE_HELP + "; with --memory also an .nq or .trig file"
    )
    p.add_argument(
        "--memory",
        action="store_true",
        help="serve an in-memory copy (several times faster queries; ~500 MB per million quads, loaded at start)",
    )
    p.add_argument(
        "--upstream",
        metavar="URL",
        help="guard a remote store instead (its SPARQL query URL, e.g. Virtuoso's http://host:8890/sparql): "
        "the same read-only checks, SERVICE refused, timeout and row cap (docs/remote-stores.md)",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7878)
    p.add_argument("--timeout", type=float, default=30, help="seconds a query may run (default 30)")
    p.add_argument("--max-rows", type=int, default=10000, help="result rows returned at most (default 10000)")
    p.add_argument("--max-request-bytes", type=int, default=1_000_000, help="largest request accepted (413 over)")
    p.add_argument("--cors", action="store_true", help="allow cross-origin requests")


def run(args: argparse.Namespace) -> int:
    from jixiao.errors import UsageError
    from jixiao.serve import serve

    if args.upstream and (args.store or args.memory):
        raise UsageError("--upstream serves a remote store: not with --store or --memory")

    serve(
        args.store or default_store(),
        host=args.host,
        port=args.port,
        timeout=args.timeout,
        max_rows=args.max_rows,
        max_request_bytes=args.max_request_bytes,
        cors=args.cors,
        memory=args.memory,
        upstream=args.upstream,
    )
    return 0
