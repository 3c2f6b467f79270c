"""``jixiao queries``: list the query library."""

from __future__ import annotations

import argparse

from jixiao import queries as Q
from jixiao import tabular

NAME = "queries"
HELP = "list the query library (name, title, parameters)"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the titles (default zh)")
    p.add_argument("--format", choices=tabular.FORMATS, default="table")


def run(args: argparse.Namespace) -> int:
    rows = []
    for q in Q.library():
        params = ", ".join(
            f"{p.name}:{p.type.removeprefix('xsd:')}"
            + (f"={p.default}" if p.default is not None else "")
            + ("!" if p.required else "")
            for p in q.params
        )
        rows.append([q.name, q.title(args.lang), params, "yes" if q.problems else ""])
    print(tabular.render(["name", "title", "params", "problems"], rows, args.format), end="")
    return 0
