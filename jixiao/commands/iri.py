"""``jixiao iri``: print the IRI jixiao mints for a thing, so another team can point at it."""

from __future__ import annotations

import argparse
import json

from jixiao import iris, orgs, regions
from jixiao.errors import UsageError

NAME = "iri"
HELP = "print jixiao's IRI for an organisation or a division (decision 0008)"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("what", choices=("org", "region"), help="org: an organisation's name; region: a division code")
    p.add_argument("name", help="the organisation's name as written (韶关市总工会, 市财政局) or a division code")
    p.add_argument("--region", metavar="CODE", help="the 6-digit code of the division a relative name belongs to")
    p.add_argument("--explain", action="store_true", help="print the division, local name and kind as JSON too")


def run(args: argparse.Namespace) -> int:
    if args.what == "region":
        try:
            r = regions.region(args.name)
        except KeyError:
            raise UsageError(f"no division with code {args.name!r} in the table (decision 0007)") from None
        print(iris.region(r.code))
        if args.explain:
            info = {"code": r.code, "name": r.name, "level": r.level, "parent": r.parent}
            print(json.dumps(info, ensure_ascii=False))
        return 0
    if args.region:
        try:
            regions.region(args.region)
        except KeyError:
            raise UsageError(f"--region {args.region}: no division with that code in the table") from None
    placed = orgs.place(args.name, args.region)
    print(placed.iri)
    if args.explain:
        r = placed.region
        info = {
            "name": placed.name,
            "canonical_name": placed.canonical_name,
            "region": r and {"code": r.code, "name": r.name, "level": r.level, "iri": str(iris.region(r.code))},
            "local_name": placed.local,
            "kind": placed.kind and placed.kind.notation,
            "how": placed.resolution.how,
            "span": placed.resolution.span,
        }
        print(json.dumps(info, ensure_ascii=False))
    return 0
