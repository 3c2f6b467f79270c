"""The table reader against the benchmark corpus: its generator writes the true tables beside each report.

For each report, the project table (row count, which rows are unnamed, names, amounts, the 合计 row)
and the indicator table (row count, names, level 1 / level 2, target and completion cells) read by
ingest.tables are compared with `project_table` / `indicator_table` of the truth sidecar.

Run over a larger corpus by hand:
    .venv/bin/python -m bench.generate --n 200 --seed 1 --out /tmp/tbl
    .venv/bin/python -m tests.test_tables_corpus /tmp/tbl [-v]
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench.generate import generate
from jixiao.ingest.normalise import normalise
from jixiao.ingest.source import read_source
from jixiao.ingest.tables import Table, find_tables

MONEY_ROLES = ("approved", "adjusted", "executed")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def amount(text: str) -> float | None:
    t = squash(text).replace(",", "")
    return float(t) if re.fullmatch(r"-?\d+(\.\d+)?", t) else None


@dataclass
class Check:
    """Agreement of one report's tables with its truth; each field True when exact."""

    name: str
    project_rows: bool = False
    unnamed: bool = False
    names: bool = False
    amounts: bool = False
    total: bool = False
    indicator_rows: bool = False
    indicator_names: bool = False
    levels: bool = False
    values: bool = False
    notes: list[str] = field(default_factory=list)


def expected_indicator_cells(truth: dict, x: dict) -> tuple[str, str]:
    """(target cell, completion cell) as the generator prints them (bench/generate.py indicator_table)."""

    def val(v: object) -> str:
        return "" if v is None else f"{v}{x['unit']}" if x["quantitative"] else str(v)

    if truth["layout"] == "gd":
        op = "" if x["op"] in ("=", "定性") else x["op"]
        return op + val(x["target"]), val(x["actual"])
    return str(x["target"]), "" if x["actual"] is None else str(x["actual"])


def check_report(path: Path) -> Check:
    truth = json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))
    tables = find_tables(normalise(read_source(path).text))
    check = Check(path.name)
    project = next((t for t in tables if t.kind == "project_budget"), None)
    indicators = next((t for t in tables if t.kind == "indicators"), None)
    if project is None:
        check.notes.append("no project table")
    else:
        check_project(project, truth["project_table"], check)
    if indicators is None:
        check.notes.append("no indicator table")
    else:
        check_indicators(indicators, truth["indicator_table"], check)
    return check


def check_project(table: Table, truth: dict, check: Check) -> None:
    rows = truth["rows"]
    check.project_rows = len(table.rows) == len(rows)
    got_unnamed = [i for i, r in enumerate(table.rows) if "no_name" in r.flags]
    want_unnamed = [i for i, r in enumerate(rows) if not r["name"]]
    check.unnamed = got_unnamed == want_unnamed
    got_names = [squash(table.get(r, "name")) for r in table.rows]
    want_names = [squash(r["name"]) for r in rows]
    check.names = got_names == want_names
    scale = 10000 if truth["unit"] == "元" else 1  # the truth states amounts in 万元
    got_amounts = [
        [amount(table.get(r, role)) for role in MONEY_ROLES if table.col(role) is not None] for r in table.rows
    ]
    want_amounts = [
        [round(v * scale, 2) for v in (r["original"], r["adjusted"], r["actual"]) if v is not None] for r in rows
    ]
    check.amounts = got_amounts == want_amounts
    want_total = [squash(c) for c in truth["total"] if c]
    got_total = [squash(c.text) for c in table.total_row.cells if c.text] if table.total_row else None
    check.total = got_total == want_total
    if not check.project_rows:
        check.notes.append(f"project rows {len(table.rows)} ≠ {len(rows)}")
    if not check.unnamed:
        check.notes.append(f"unnamed {got_unnamed} ≠ {want_unnamed}")
    if not check.names:
        diff = [(g, w) for g, w in zip(got_names, want_names, strict=False) if g != w][:3]
        check.notes.append(f"names {diff}")
    if not check.amounts:
        diff = [(g, w) for g, w in zip(got_amounts, want_amounts, strict=False) if g != w][:3]
        check.notes.append(f"amounts {diff}")
    if not check.total:
        check.notes.append(f"total {got_total} ≠ {want_total}")


def check_indicators(table: Table, truth: dict, check: Check) -> None:
    rows = truth["rows"]
    check.indicator_rows = len(table.rows) == len(rows)
    got = [
        tuple(squash(table.get(r, role)) for role in ("level3", "level1", "level2", "target", "actual"))
        for r in table.rows
    ]
    want = [
        (squash(x["name"]), x["level1"], x["level2"], *map(squash, expected_indicator_cells(truth, x))) for x in rows
    ]
    check.indicator_names = [g[0] for g in got] == [w[0] for w in want]
    check.levels = [g[1:3] for g in got] == [w[1:3] for w in want]
    check.values = [g[3:] for g in got] == [w[3:] for w in want]
    if not check.indicator_rows:
        check.notes.append(f"indicator rows {len(table.rows)} ≠ {len(rows)}")
    if got != want:
        diff = [(g, w) for g, w in zip(got, want, strict=False) if g != w][:2]
        check.notes.append(f"indicators {diff}")


def rates(checks: list[Check]) -> dict[str, float]:
    keys = [k for k in Check.__dataclass_fields__ if k not in ("name", "notes")]
    return {k: sum(getattr(c, k) for c in checks) / len(checks) for k in keys}


def test_table_reader_agrees_with_the_corpus_truth(tmp_path: Path) -> None:
    paths = generate(60, 1, tmp_path)
    checks = [check_report(p) for p in paths]
    got = rates(checks)
    print("\n" + "  ".join(f"{k} {v:.1%}" for k, v in got.items()))
    for c in checks:
        if c.notes:
            print(c.name, "; ".join(c.notes))
    assert got["project_rows"] >= 0.97
    assert got["unnamed"] >= 0.97
    assert got["indicator_rows"] >= 0.97
    assert got["total"] >= 0.97


def main(argv: list[str]) -> int:
    folder = Path(argv[0])
    checks = [check_report(p) for p in sorted(folder.glob("bench-*.txt"))]
    for k, v in rates(checks).items():
        print(f"{k:16} {v:6.1%}")
    if "-v" in argv:
        for c in checks:
            if c.notes:
                print(c.name, "; ".join(c.notes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
