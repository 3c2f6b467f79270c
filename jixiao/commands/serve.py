"""``jixiao serve``: a read-only SPARQL 1.1 endpoint (and query page) over the store."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from jixiao.errors import UsageError
from jixiao.paths import STORE_HELP, default_store

NAME = "serve"
HELP = "serve the store over the SPARQL 1.1 Protocol (read-only, with limits) and a query page"


def _positive(kind: type):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not value > 0 or value != value:  # also refuses NaN
            raise argparse.ArgumentTypeError(f"must be above 0: {text!r}")
        return value

    return parse


def default_workers() -> int:
    """Query processes by default: twice the cores (queries also wait on memory and disk), 2 to 8."""
    return max(2, min(8, 2 * (os.cpu_count() or 1)))


def configure(p: argparse.ArgumentParser) -> None:
    from jixiao.sparqltext import MAX_NESTING

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
        help="guard a remote store instead (its SPARQL query URL, e.g. Virtuoso's http://host:8890/sparql): the "
        "same checks, limits, slots and queue, each query forwarded there instead of to a query process; a query "
        "must also parse as standard SPARQL 1.1 and name only graphs the store holds (docs/security.md)",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7878)
    p.add_argument(
        "--public-url",
        metavar="URL",
        help="the endpoint's URL as clients see it (behind a proxy): the base of relative IRIs in queries "
        "(default http://HOST:PORT/sparql; none when listening on all addresses)",
    )
    lim = p.add_argument_group("limits")
    lim.add_argument(
        "--timeout", type=_positive(float), default=30, help="seconds a request may take, all included (default 30)"
    )
    lim.add_argument(
        "--max-rows", type=_positive(int), default=10000, help="result rows returned at most (default 10000)"
    )
    lim.add_argument(
        "--max-request-bytes",
        type=_positive(int),
        default=1_000_000,
        help="largest request or query accepted (413 over; default 1000000)",
    )
    lim.add_argument(
        "--max-nesting",
        type=_positive(int),
        default=MAX_NESTING,
        help=f"deepest nesting of {{ ( [ in a query (400 over; default {MAX_NESTING})",
    )
    lim.add_argument(
        "--workers",
        type=_positive(int),
        default=default_workers(),
        help=f"query processes, i.e. queries running at once (default {default_workers()} here; with --upstream: "
        "queries forwarded at once)",
    )
    lim.add_argument(
        "--client-slots",
        type=_positive(int),
        default=1,
        help="queries one client (address) may have running at once; its others wait (default 1)",
    )
    lim.add_argument(
        "--client-queue",
        type=_positive(int),
        default=16,
        help="requests one client may have in progress, running or waiting (429 over; default 16)",
    )
    lim.add_argument(
        "--max-queue",
        type=_positive(int),
        default=64,
        help="requests waiting for a query process, all clients together (503 over; default 64)",
    )
    lim.add_argument(
        "--max-query-memory",
        metavar="MB",
        type=int,
        default=2048,
        help="memory one query may allocate; more ends its process with a 500 (0: no limit; default 2048)",
    )
    p.add_argument("--cors", action="store_true", help="allow cross-origin requests")
    p.add_argument("--quiet", action="store_true", help="no progress bar while --memory loads")
    p.add_argument(
        "--sources",
        metavar="DIR",
        type=Path,
        action="append",
        default=[],
        help="report text files for the report pages (/report), found by SHA-256 (repeatable); without them "
        "a page pieces the text together from the graph's quotes",
    )


def run(args: argparse.Namespace) -> int:
    from jixiao.serve import Settings, serve

    if args.max_query_memory < 0:
        raise UsageError(f"--max-query-memory {args.max_query_memory}: must be 0 (no limit) or more")
    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port}: not a port (1-65535)")
    if args.public_url is not None:
        import pyoxigraph as ox

        try:
            ox.NamedNode(args.public_url)
        except ValueError as exc:
            raise UsageError(f"--public-url {args.public_url!r}: not an absolute IRI ({exc})") from None
    if args.upstream is not None:
        if args.store is not None or args.memory:
            raise UsageError("--upstream serves a remote store: not with --store or --memory")
        from urllib.parse import urlsplit

        parts = urlsplit(args.upstream)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"--upstream {args.upstream!r}: expected the http(s) URL of a SPARQL query endpoint")
    settings = Settings(
        timeout=args.timeout,
        max_rows=args.max_rows,
        max_request_bytes=args.max_request_bytes,
        max_nesting=args.max_nesting,
        cors=args.cors,
        sources=tuple(args.sources),
        quiet=args.quiet,
        public_url=args.public_url,
        workers=args.workers,
        client_slots=args.client_slots,
        client_queue=args.client_queue,
        max_queue=args.max_queue,
        max_query_memory=args.max_query_memory,
        upstream=args.upstream,
    )
    start_pool = None
    if args.upstream is not None:  # the guard in front of a remote store: queries forwarded, no query process
        from jixiao.serve_upstream import UpstreamPool

        def start_pool():
            return UpstreamPool.start(args.upstream, settings)

    serve(
        args.store or default_store(),
        host=args.host,
        port=args.port,
        memory=args.memory,
        settings=settings,
        start_pool=start_pool,
    )
    return 0
