"""``jixiao export``: the main tables (reports, budget lines, indicators, findings) as CSV and Parquet."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from jixiao import export as E
from jixiao import queries as Q
from jixiao.paths import STORE_HELP

NAME = "export"
HELP = "write the main tables (reports, budget lines, indicators, findings) as CSV and/or Parquet files"


def configure(p: argparse.ArgumentParser) -> None:
    src = p.add_mutually_exclusive_group()
    src.add_argument("--store", metavar="DIR", help=STORE_HELP)
    src.add_argument("--data", action="append", metavar="FILE", help="RDF file(s) to export instead (repeatable)")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for <table>.csv / <table>.parquet")
    p.add_argument(
        "--format",
        action="append",
        choices=E.FORMATS,
        help="csv or parquet (repeatable; default both; parquet needs the export extra)",
    )


def run(args: argparse.Namespace) -> int:
    files = [Path(f) for f in args.data] if args.data else None
    dataset = Q.open_dataset(data=files, store=args.store)
    for path in E.write(dataset, args.out, tuple(args.format or E.FORMATS)):
        print(path, file=sys.stderr)
    return 0
