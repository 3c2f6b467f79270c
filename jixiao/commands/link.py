"""``jixiao link``: place the store's organisations in their divisions and match a department's
projects, indicators and audit issues across its successive reports (jixiao/link.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from jixiao import iris
from jixiao import link as L
from jixiao.paths import STORE_HELP
from jixiao.store import GraphStore

NAME = "link"
HELP = "link organisations to their divisions and items across years; write SSSOM and the links graph"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", metavar="DIR", help=STORE_HELP)
    p.add_argument("--out", type=Path, metavar="FILE.sssom.tsv", help="write the mappings as SSSOM/TSV")
    p.add_argument(
        "--min-score",
        type=float,
        default=L.MIN_SCORE,
        help=f"lowest similarity a candidate needs to be listed (default {L.MIN_SCORE}; accepted from {L.ACCEPT})",
    )
    p.add_argument("--no-graph", action="store_true", help="do not write the links graph into the store")


def run(args: argparse.Namespace) -> int:
    store = GraphStore.open_default(args.store, read_only=args.no_graph)
    links = L.build(store, min_score=args.min_score)
    if not args.no_graph:
        n = L.write_links(store, links)
        print(f"links graph <{iris.LINKS_GRAPH}>: {n} triples", file=sys.stderr)
    if args.out:
        rows = L.write_sssom(links.mappings, args.out)
        print(f"{args.out}: {rows} mappings", file=sys.stderr)
    accepted = sum(1 for m in links.mappings if m.accepted)
    print(
        f"{len(links.mappings)} mappings ({accepted} accepted), {len(links.unplaced)} organisations not placed",
        file=sys.stderr,
    )
    for org, name, diag in links.unplaced:
        print(f"  not placed: {name} <{org}>: {diag}", file=sys.stderr)
    return 0
