"""Validate the hand-checked figure list tests/data/jiangmen-2024-figures.tsv against the real report.

The list is the reference for the ingest recall test; these tests check the list itself (see
tests/data/README.md for its columns and conventions), not the ingest code. The checking functions
are shared with the forms/ lists (tests/figure_lists.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.figure_lists import (
    HEADER,
    Conventions,
    Source,
    check_columns,
    check_document_order,
    check_ids,
    check_markers,
    check_no_duplicates,
    check_surface_and_context,
    check_value,
    read_tsv,
    row_offset,
    uncovered_numbers,
    unescape,
)

REPORT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "jiangmen-trade-union-2024.txt"
FIGURES = Path(__file__).resolve().parent / "data" / "jiangmen-2024-figures.tsv"

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
COMPARATORS = {"ge": ("≥",), "le": ("≤",), "eq": ("=",)}
CONVENTIONS = Conventions(
    units=frozenset(UNITS),
    qualifiers=QUALIFIER_WORDS,
    comparators=COMPARATORS,
    percent_marks=("%",),
    unit_words={"yuan": ("元",), "yuan_per_person": ("元",)},
    unit_note=re.compile("header"),
)

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

SOURCE = Source.read(REPORT)
ROWS = read_tsv(FIGURES, HEADER)


def test_ids_unique_and_well_formed() -> None:
    check_ids(ROWS)


def test_no_duplicate_figures() -> None:
    check_no_duplicates(ROWS)


def test_rows_in_document_order() -> None:
    check_document_order(SOURCE, ROWS)


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_surface_at_line_and_context(row: dict[str, str]) -> None:
    check_surface_and_context(SOURCE, row)


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_columns_well_formed(row: dict[str, str]) -> None:
    check_columns(row, CONVENTIONS)


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_value_matches_surface(row: dict[str, str]) -> None:
    check_value(row)


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_multiplier_qualifier_comparator_match_surface(row: dict[str, str]) -> None:
    check_markers(row, CONVENTIONS)


def test_every_arabic_number_is_listed_or_excluded() -> None:
    spans = []
    for row in ROWS:
        start = row_offset(SOURCE, row)
        spans.append((start, start + len(unescape(row["surface"]))))
    for line, literal in EXCLUDED_LITERALS:
        start = SOURCE.locate(line, 1, literal)
        spans.append((start, start + len(literal)))
    missing = uncovered_numbers(SOURCE, spans, EXCLUDED_PATTERNS)
    assert not missing, "numbers neither listed nor excluded:\n" + "\n".join(missing)
