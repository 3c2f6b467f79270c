"""Validate the hand-checked figure list tests/data/jiangmen-2024-figures.tsv against the real report.

The list is the reference for the ingest recall test; these tests check the list itself (see
tests/data/README.md for its columns and conventions), not the ingest code.
"""

from __future__ import annotations

import bisect
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

REPORT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "jiangmen-trade-union-2024.txt"
FIGURES = Path(__file__).resolve().parent / "data" / "jiangmen-2024-figures.tsv"

HEADER = [
    "id",
    "line",
    "occurrence",
    "surface",
    "value",
    "multiplier",
    "unit",
    "qualifier",
    "comparator",
    "counts",
    "context",
    "note",
]
UNITS = {
    "yuan",
    "person",
    "person_time",
    "household",
    "enterprise",
    "item",
    "piece",
    "session",
    "event_time",
    "times",
    "percent",
    "mu",
    "tree",
    "route",
    "team",
    "case",
    "unit_org",
    "group",
    "pair",
    "class_time",
    "issue",
    "kind",
    "project",
    "point",
    "year",
    "month",
    "day",
    "hour",
    "copy",
    "yuan_per_person",
    "other",
    "",
}
# qualifier -> words that signal it in a surface
QUALIFIER_WORDS = {
    "odd": ("余", "多"),
    "over": ("超",),
    "nearly": ("近",),
    "approx": ("约", "左右"),
    "at_least": ("以上", "不低于", "不少于"),
    "at_most": ("以下", "不超过", "最高"),
}
COMPARATORS = {"ge": "≥", "le": "≤", "eq": "="}
MULTIPLIERS = {"1": "", "10000": "万", "100000000": "亿"}
CHINESE_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
NUMBER = re.compile(r"\d+(?:\.\d+)?")

# Arabic numbers in the report that are deliberately not figures (see tests/data/README.md).
EXCLUDED_PATTERNS = [
    re.compile(r"20\d\d ?年"),  # years
    re.compile(r"^\s*\d+\.|^\s*[(（]\d+[)）]", re.M),  # list numbering
    re.compile(r"\d+ 月 \d+ 日"),  # dates
]
EXCLUDED_LITERALS = [  # (line, text): ordinals, hotlines, names and slogans
    (61, "12351"),
    (65, "12345"),
    (106, "“1310”"),
    (106, "“1+6+3”"),
    (156, "第 20 次"),
    (230, "爱心 300"),
    (234, "爱心 300"),
]


def unescape(field: str) -> str:
    return field.replace("\\n", "\n").replace("\\t", "\t")


def load_text() -> tuple[str, list[int]]:
    text = REPORT.read_text(encoding="utf-8")
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    return text, starts


def load_rows() -> list[dict[str, str]]:
    lines = FIGURES.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "", "file must end with a newline"
    assert lines[0].split("\t") == HEADER
    rows = []
    for n, raw in enumerate(lines[1:-1], start=2):
        fields = raw.split("\t")
        assert len(fields) == len(HEADER), f"TSV line {n}: {len(fields)} fields"
        rows.append(dict(zip(HEADER, fields, strict=True)))
    return rows


TEXT, STARTS = load_text()
ROWS = load_rows()


def locate(row: dict[str, str]) -> int:
    """Offset in the report of the row's surface: its `occurrence`-th match starting on `line`."""
    line, occurrence, surface = int(row["line"]), int(row["occurrence"]), unescape(row["surface"])
    assert 1 <= line <= len(STARTS), f"line {line} out of range"
    assert occurrence >= 1
    line_start = STARTS[line - 1]
    line_end = STARTS[line] - 1 if line < len(STARTS) else len(TEXT)
    hits, pos = [], TEXT.find(surface, line_start)
    while pos != -1 and pos < line_end:
        hits.append(pos)
        pos = TEXT.find(surface, pos + 1)
    assert len(hits) >= occurrence, f"{surface!r} found {len(hits)} time(s) on line {line}"
    return hits[occurrence - 1]


def test_ids_unique_and_well_formed() -> None:
    ids = [r["id"] for r in ROWS]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"F\d{3}", i) for i in ids)


def test_no_duplicate_figures() -> None:
    keys = [(r["line"], r["surface"], r["occurrence"]) for r in ROWS]
    assert len(keys) == len(set(keys))


def test_rows_in_document_order() -> None:
    offsets = [locate(r) for r in ROWS]
    assert offsets == sorted(offsets)
    assert len(offsets) == len(set(offsets))


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_surface_at_line_and_context(row: dict[str, str]) -> None:
    start = locate(row)
    surface = unescape(row["surface"])
    context = unescape(row["context"])
    assert context, "context must not be empty"
    assert TEXT[:start].endswith(context), f"context {row['context']!r} does not precede the surface"
    end = start + len(surface)
    if surface[0].isdigit():
        assert not re.match(r"[\d.]", TEXT[start - 1]), "surface starts inside a longer number"
    if surface[-1].isdigit():
        assert not re.match(r"[\d.%]", TEXT[end : end + 1]), "surface ends inside a longer number"


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_columns_well_formed(row: dict[str, str]) -> None:
    try:
        value = Decimal(row["value"])
    except InvalidOperation:
        pytest.fail(f"value {row['value']!r} is not a decimal")
    assert value.is_finite() and value >= 0
    assert re.fullmatch(r"\d+(\.\d+)?", row["value"]), "plain decimal notation"
    assert row["multiplier"] in MULTIPLIERS
    assert row["unit"] in UNITS
    assert row["qualifier"] in {"", *QUALIFIER_WORDS}
    assert row["comparator"] in {"", *COMPARATORS}
    assert row["counts"].strip() == row["counts"] and row["counts"]
    for key in ("counts", "note", "value", "unit"):
        assert "\\n" not in row[key]


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_value_matches_surface(row: dict[str, str]) -> None:
    surface = unescape(row["surface"]).replace("\n", "")
    numbers = NUMBER.findall(surface)
    if numbers:
        assert numbers == [row["value"]], f"surface numbers {numbers} vs value {row['value']}"
    else:
        assert surface[0] in CHINESE_DIGITS, f"no number in {surface!r}"
        assert Decimal(row["value"]) == CHINESE_DIGITS[surface[0]]


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_multiplier_qualifier_comparator_match_surface(row: dict[str, str]) -> None:
    surface = unescape(row["surface"]).replace("\n", "")
    bare = NUMBER.fullmatch(surface) is not None
    word = MULTIPLIERS[row["multiplier"]]
    if bare:
        assert row["multiplier"] == "1" or "header" in row["note"], "bare number scaled without a header note"
    elif word:
        assert word in surface
    else:
        assert "万" not in surface and "亿" not in surface
    for qualifier, words in QUALIFIER_WORDS.items():
        present = any(w in surface for w in words)
        assert present == (row["qualifier"] == qualifier), f"qualifier {qualifier} vs {surface!r}"
    for comparator, sign in COMPARATORS.items():
        assert (sign in surface) == (row["comparator"] == comparator)
    assert ("%" in surface) == (row["unit"] == "percent")
    if row["unit"] in {"yuan", "yuan_per_person"} and not bare:
        assert "元" in surface
    if row["unit"] == "":
        assert bare, "empty unit only for bare numbers"


def test_every_arabic_number_is_listed_or_excluded() -> None:
    covered = [False] * len(TEXT)
    for row in ROWS:
        start = locate(row)
        for i in range(start, start + len(unescape(row["surface"]))):
            covered[i] = True
    for line, literal in EXCLUDED_LITERALS:
        start = locate({"line": str(line), "occurrence": "1", "surface": literal})
        covered[start : start + len(literal)] = [True] * len(literal)
    for pattern in EXCLUDED_PATTERNS:
        for m in pattern.finditer(TEXT):
            covered[m.start() : m.end()] = [True] * (m.end() - m.start())
    missing = []
    for m in NUMBER.finditer(TEXT):
        if not all(covered[m.start() : m.end()]):
            line = bisect.bisect_right(STARTS, m.start())
            missing.append(f"line {line}: {m.group()} in {TEXT[m.start() - 8 : m.end() + 4]!r}")
    assert not missing, "numbers neither listed nor excluded:\n" + "\n".join(missing)
