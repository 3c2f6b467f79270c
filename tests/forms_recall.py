"""Figure recall of the reader on the forms/ excerpts, against the hand-checked lists.

Each excerpt's text body (the lines after the collector's `---`, which are notes and not the text) is
ingested as a report of its own; every extracted figure (a `Quantity` record, span in the body) is
matched against the listed figures of tests/data/forms/<stem>.figures.tsv.

A listed figure is *found* (strict) when one extracted figure's span overlaps the listed surface and
its value, multiplier, unit, qualifier and comparator are all right:
- value: equal as numbers (``100.00`` = ``100``), multiplier equal;
- unit: the same key; a key the lists invented (tests/data/forms/README.md, "Unit keys invented") is
  right as ``other``, which is what the reader writes for a unit its code list lacks;
- qualifier and comparator: equal, or the two ways the lists and the reader write one bound: the lists
  set a comparator only for a written sign and a qualifier only for words, the reader gives a sign its
  qualifier too (``≥`` → at_least + ge, ``=`` → exact + eq) and a word its comparator (不低于 → at_least + ge). So a
  listed sign with no word matches the reader's qualifier of that sign, and a listed word with no
  sign matches the reader's comparator of that word (ingest/data/qualifiers.tsv).

Identity (department, year, kind) is part A of issue 12 and not measured here: when the reader cannot
find it, the identity is supplied from the file's identity list, as a user supplies --department.

Run ``python -m tests.forms_recall`` to rewrite tests/data/forms/RESULTS.md.
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from tests.figure_lists import FORMS_HEADER as HEADER
from tests.figure_lists import Source, read_tsv, row_offset, unescape

HERE = Path(__file__).resolve().parent
LISTS = HERE / "data" / "forms"
TEXTS = HERE.parent.parent / "shared" / "corpus" / "forms"
RESULTS = LISTS / "RESULTS.md"
INVENTED = {"ratio_part", "community", "village", "yuan_per_mu"}  # the lists README's invented keys
# a sign's qualifier as the reader gives it, and a word's comparator (ingest/data/qualifiers.tsv)
SIGN_QUALIFIER = {"ge": "at_least", "le": "at_most", "gt": "over", "lt": "under", "eq": "exact"}
WORD_COMPARATOR = {"at_least": "ge", "at_most": "le", "over": "gt", "under": "lt"}


@dataclass
class Extracted:
    start: int  # offsets into the body
    end: int
    value: Decimal
    multiplier: Decimal
    unit: str | None
    qualifier: str | None
    comparator: str | None
    counts: str | None
    kind: str  # the record's class name


@dataclass
class Listed:
    row: dict[str, str]
    start: int
    end: int


@dataclass
class FileResult:
    stem: str
    listed: list[Listed]
    extracted: list[Extracted]
    found: list[tuple[Listed, Extracted]] = field(default_factory=list)
    missed: list[tuple[Listed, Extracted | None, str]] = field(default_factory=list)  # why, nearest
    identity_supplied: bool = False
    error: str | None = None

    @property
    def recall(self) -> float:
        return len(self.found) / len(self.listed) if self.listed else 1.0


def stems() -> list[str]:
    return sorted(p.name.removesuffix(".figures.tsv") for p in LISTS.glob("*.figures.tsv"))


def body(stem: str) -> tuple[str, int]:
    """The text after the collector's `---` line, and its offset in the file."""
    text = (TEXTS / f"{stem}.txt").read_text(encoding="utf-8")
    m = re.search(r"^---\n", text, flags=re.M)
    assert m, f"{stem}: no `---` line"
    return text[m.end() :], m.end()


def supplied_identity(stem: str) -> dict[str, str]:
    """What a user would give with ``jixiao ingest --department/--year/--kind`` for a text the reader
    refuses (it does not state them): the identity list's values."""
    ident = tomllib.loads((LISTS / f"{stem}.identity.toml").read_text(encoding="utf-8"))
    year = ident.get("year", {}).get("value") or 2000
    year = year[0] if isinstance(year, list) else year
    return {
        "department": ident.get("department", {}).get("value") or "未知单位",
        "year": str(year),
        "kind": ident.get("kind", {}).get("value") or "department_whole",
    }


def extract_body(stem: str) -> tuple[list[Extracted], bool]:
    from jixiao.ingest import extract as ex
    from jixiao.ingest.normalise import normalise
    from jixiao.ingest.sections import parse_sections
    from jixiao.ingest.segment import get_segmenter
    from jixiao.ingest.source import SourceText

    text, _ = body(stem)
    src = SourceText(path=Path(f"{stem}.txt"), text=text, encoding="utf-8", sha256="0" * 64)
    from jixiao.errors import InputError

    norm = normalise(text)
    used = [False]
    try:
        records = ex.extract(src, norm, parse_sections(norm), get_segmenter())
    except InputError:  # the text does not state its department, year or kind: supplied, as a user would
        used[0] = True
        records = ex.extract(src, norm, parse_sections(norm), get_segmenter(), supplied_identity(stem))
    out = [
        Extracted(
            q.span[0],
            q.span[1],
            Decimal(q.value),
            Decimal(q.multiplier),
            q.unit,
            q.qualifier,
            q.comparator,
            q.counts,
            type(q).__name__,
        )
        for q in records.figures
    ]
    return sorted(out, key=lambda e: (e.start, e.end)), used[0]


@cache
def listed(stem: str) -> list[Listed]:
    text = (TEXTS / f"{stem}.txt").read_text(encoding="utf-8")
    _, offset = body(stem)
    source = Source(text)
    out = []
    for row in read_tsv(LISTS / f"{stem}.figures.tsv", HEADER):
        start = row_offset(source, row) - offset
        out.append(Listed(row, start, start + len(unescape(row["surface"]))))
    return out


def mismatches(lst: Listed, ext: Extracted) -> list[str]:
    """What is wrong with `ext` as the reading of `lst` (empty: right)."""
    row, bad = lst.row, []
    if Decimal(row["value"]) != ext.value:
        bad.append(f"value {ext.value}")
    if Decimal(row["multiplier"]) != ext.multiplier:
        bad.append(f"multiplier {ext.multiplier}")
    unit = row["unit"] or None
    if not (ext.unit == unit or (unit in INVENTED and ext.unit == "other")):
        bad.append(f"unit {ext.unit}")
    qual, comp = row["qualifier"] or None, row["comparator"] or None
    if not (ext.qualifier == qual or (qual is None and comp and ext.qualifier == SIGN_QUALIFIER.get(comp))):
        bad.append(f"qualifier {ext.qualifier}")
    if not (ext.comparator == comp or (comp is None and qual and ext.comparator == WORD_COMPARATOR.get(qual))):
        bad.append(f"comparator {ext.comparator}")
    return bad


def measure(stem: str) -> FileResult:
    lst = listed(stem)
    try:
        ext, used = extract_body(stem)
    except Exception as e:
        return FileResult(stem, lst, [], missed=[(x, None, "not ingested") for x in lst], error=str(e))
    res = FileResult(stem, lst, ext, identity_supplied=used)
    for x in lst:
        near = [e for e in ext if e.start < x.end and x.start < e.end]
        good = [e for e in near if not mismatches(x, e)]
        if good:
            res.found.append((x, good[0]))
        elif near:
            res.missed.append((x, near[0], "; ".join(mismatches(x, near[0]))))
        else:
            res.missed.append((x, None, "not extracted"))
    return res


@cache
def measure_all() -> tuple[FileResult, ...]:
    return tuple(measure(s) for s in stems())


def render(results: tuple[FileResult, ...]) -> str:
    total = sum(len(r.listed) for r in results)
    found = sum(len(r.found) for r in results)
    lines = [
        "# Figure recall on forms/ (generated by `python -m tests.forms_recall`; do not edit)",
        "",
        "Strict recall: a listed figure is found when an extracted figure overlaps its surface with the",
        "right value, multiplier, unit, qualifier and comparator (matching rules: tests/forms_recall.py).",
        "",
        f"**Overall: {found} / {total} = {100 * found / total:.1f} %**",
        "",
        "| file | listed | found | recall | extracted | identity supplied |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        note = "yes" if r.identity_supplied else ("not ingested" if r.error else "")
        lines.append(
            f"| {r.stem} | {len(r.listed)} | {len(r.found)} | {100 * r.recall:.1f} % | {len(r.extracted)} | {note} |"
        )
    if SAMPLE.exists():
        rows = [
            dict(zip(SAMPLE_HEADER, x.split("\t"), strict=True)) for x in SAMPLE.read_text("utf-8").splitlines()[1:]
        ]
        q = sum(x["quantity_ok"] == "y" for x in rows)
        c = sum(x["counts_ok"] == "y" for x in rows)
        lines += [
            "",
            "## Precision (a seeded sample of 100 extracted figures, judged by hand: precision-sample.tsv)",
            "",
            f"- real quantities with the right value, unit, multiplier and comparator: **{q} / {len(rows)}**",
            f"- with the right what-it-counts: **{c} / {len(rows)}**",
        ]
    lines += ["", "## Missed figures", "", "| file | id | surface | listed | reader | why |"]
    lines.append("|---|---|---|---|---|---|")
    for r in results:
        for x, e, why in r.missed:
            row = x.row
            want = " ".join(
                v for v in (row["value"], row["multiplier"], row["unit"], row["qualifier"], row["comparator"]) if v
            )
            got = "" if e is None else f"{e.value}×{e.multiplier} {e.unit or ''} [{e.kind}]"
            surface = row["surface"].replace("|", "\\|")
            lines.append(f"| {r.stem[:2]} | {row['id']} | `{surface}` | {want} | {got} | {why} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    results = measure_all()
    RESULTS.write_text(render(results), encoding="utf-8")
    total = sum(len(r.listed) for r in results)
    found = sum(len(r.found) for r in results)
    print(f"recall {found}/{total} = {100 * found / total:.1f} %")
    for r in results:
        print(f"  {r.stem}: {len(r.found)}/{len(r.listed)} {r.error or ''}")
    return 0


# -- the precision sample --------------------------------------------------------------------------
SAMPLE = LISTS / "precision-sample.tsv"
SAMPLE_SEED = 20261207
SAMPLE_HEADER = [
    "n",
    "stem",
    "start",
    "end",
    "surface",
    "value",
    "multiplier",
    "unit",
    "qualifier",
    "comparator",
    "counts",
    "context",
    "quantity_ok",
    "counts_ok",
    "judgement",
]
READER_FIELDS = ["value", "multiplier", "unit", "qualifier", "comparator", "counts"]


def reader_fields(e: Extracted) -> dict[str, str]:
    return {
        "value": str(e.value),
        "multiplier": str(e.multiplier),
        "unit": e.unit or "",
        "qualifier": e.qualifier or "",
        "comparator": e.comparator or "",
        "counts": (e.counts or "").replace("\t", " ").replace("\n", "\\n"),
    }


def draw_sample(n: int = 100) -> list[dict[str, str]]:
    """`n` extracted figures drawn at random (fixed seed) from all forms/ files, with 20 characters of
    text before each; the judgement columns empty, to be filled by hand."""
    import random

    pool = [(r.stem, e) for r in measure_all() for e in r.extracted]
    picked = sorted(random.Random(SAMPLE_SEED).sample(range(len(pool)), n))
    rows = []
    for i, k in enumerate(picked, 1):
        stem, e = pool[k]
        text, _ = body(stem)
        esc = lambda s: s.replace("\t", "\\t").replace("\n", "\\n")  # noqa: E731
        rows.append(
            {
                "n": str(i),
                "stem": stem,
                "start": str(e.start),
                "end": str(e.end),
                "surface": esc(text[e.start : e.end]),
                **reader_fields(e),
                "context": esc(text[max(0, e.start - 20) : e.start]),
                "quantity_ok": "",
                "counts_ok": "",
                "judgement": "",
            }
        )
    return rows


def refresh_sample() -> list[dict[str, str]]:
    """Redraw the sample and keep the hand judgement of every row the reader still reads as judged;
    rows that changed come back with empty judgement columns, to be judged again by hand. Writes
    the file and returns the rows to judge."""
    old = {(r["stem"], r["start"], r["end"]): r for r in read_tsv(SAMPLE, SAMPLE_HEADER)} if SAMPLE.exists() else {}
    rows, todo = draw_sample(), []
    for row in rows:
        was = old.get((row["stem"], row["start"], row["end"]))
        if was and all(was[k] == row[k] for k in READER_FIELDS):
            row.update({k: was[k] for k in ("quantity_ok", "counts_ok", "judgement")})
        else:
            todo.append(row)
    write_sample(rows)
    return todo


def write_sample(rows: list[dict[str, str]]) -> None:
    lines = ["\t".join(SAMPLE_HEADER)] + ["\t".join(r[h] for h in SAMPLE_HEADER) for r in rows]
    SAMPLE.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
