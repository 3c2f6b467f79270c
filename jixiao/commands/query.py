"""``jixiao query``: run a library query (or any .rq file) on the store, a data file or an endpoint.

Exit codes: 0 ok; 1 a problem-finder query (header ``#+ problems: true``) returned rows; 2 usage
or input error (unknown query, bad parameter, unreadable data, unreachable endpoint).
"""

from __future__ import annotations

import argparse
import sys

from jixiao import queries as Q
from jixiao import tabular
from jixiao.errors import UsageError
from jixiao.paths import STORE_HELP

NAME = "query"
HELP = "run a library query by name, or a .rq file, and print the rows"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", help="library query name (see `jixiao queries`) or path to a .rq file")
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="query parameter, checked against its declared type (repeatable)",
    )
    p.add_argument(
        "--format",
        choices=tabular.FORMATS,
        default="table",
        help="table (default; CONSTRUCT and DESCRIBE answers print as Turtle), csv, tsv, json or md",
    )
    src = p.add_mutually_exclusive_group()
    src.add_argument("--store", metavar="DIR", help=STORE_HELP)
    src.add_argument("--data", action="append", metavar="FILE", help="RDF file(s) to query instead (repeatable)")
    src.add_argument("--endpoint", metavar="URL", help="a SPARQL 1.1 query endpoint")
    p.add_argument(
        "--memory",
        action="store_true",
        help="refused: a copy of the store into memory for one query costs more than the query on disk; "
        "for many queries keep one copy with `jixiao serve --memory` (then --endpoint) or, from Python, "
        "jixiao.queries.open_dataset(memory=True)",
    )
    p.add_argument("--lang", choices=("zh", "en"), help="show vocabulary terms as labels in this language")


def parse_params(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--param {item!r}: expected NAME=VALUE")
        out[name.strip()] = value
    return out


MEMORY_REFUSED = (
    "--memory would copy the whole store into memory for this one query, which costs more than the query "
    "itself on disk (copying takes ~20 s per 100 reports; the slowest library query on disk at 100 reports "
    "~1.6 s, BENCHMARKS.md). For many queries keep one copy: `jixiao serve --memory --store DIR` and "
    "`jixiao query NAME --endpoint http://127.0.0.1:7878/sparql`, or from Python "
    "jixiao.queries.open_dataset(store=DIR, memory=True) once and execute(..., dataset=...)"
)


def ox_triple(to_ox, row):
    import pyoxigraph as ox

    return ox.Triple(*(to_ox(t) for t in row))


def run(args: argparse.Namespace) -> int:
    if args.memory:
        raise UsageError(MEMORY_REFUSED)
    q = Q.load(args.query)
    result = Q.execute(q, parse_params(args.param), store=args.store, data=args.data, endpoint=args.endpoint)
    if result.form in ("CONSTRUCT", "DESCRIBE") and args.format == "table":
        # a graph answer reads as Turtle, with the project's prefixes (--format csv/json/… give the triples as rows)
        from jixiao.rdfformats import turtle
        from jixiao.rdfutil import to_ox

        triples = [ox_triple(to_ox, row) for row in result.rows]
        sys.stdout.write(turtle(triples).decode("utf-8"))
        return 0
    rows = [[Q.python_value(t, args.lang) for t in row] for row in result.rows]
    sys.stdout.write(tabular.render(result.vars, rows, args.format))
    if args.format == "table" and sys.stdout.isatty():
        print(f"({len(rows)} rows) {q.title(args.lang or 'zh')}", file=sys.stderr)
    return 1 if q.problems and rows else 0
