"""Checks shared by the hand-checked figure lists and their source texts.

tests/test_figures_list.py (the real report, tests/data/jiangmen-2024-figures.tsv) and
tests/test_forms_lists.py (the forms/ excerpts, tests/data/forms/*.figures.tsv) both use these
functions. They check the lists against the texts, never the ingest code. The conventions of the
lists are written out in tests/data/README.md and tests/data/forms/README.md.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

# An Arabic number as the completeness check finds it: ASCII or full-width digits, one decimal point.
NUMBER = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?")
PLAIN_NUMBER = re.compile(r"\d+(?:\.\d+)?")
MULTIPLIERS = {"1": "", "10000": "万", "100000000": "亿"}
CHINESE_DIGITS = {
    c: i for i, cs in enumerate(["零〇", "一", "二两", "三", "四", "五", "六", "七", "八", "九"]) for c in cs
}
CHINESE_POWERS = {"十": 10, "百": 100, "千": 1000}
CHINESE_NUMERAL = re.compile("[零〇一二两三四五六七八九十百千]+")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．％，", "0123456789.%,")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


# the columns of a hand-checked figures list (tests/data/*figures.tsv); the forms/ lists add each
# figure's role (tests/data/forms/README.md)
HEADER = ["id", "line", "occurrence", "surface", "value", "multiplier", "unit", "qualifier", "comparator"]
HEADER += ["counts", "context", "note"]
FORMS_HEADER = [*HEADER, "role"]


def unescape(field_text: str) -> str:
    """`\\n` and `\\t` in a surface, context or exclusion text stand for a newline and a tab."""
    return field_text.replace("\\n", "\n").replace("\\t", "\t")


def fold(text: str) -> str:
    """Full-width digits, point, percent sign and comma as ASCII; thousands separators removed."""
    return _THOUSANDS.sub("", text.translate(_FULLWIDTH))


def chinese_value(numeral: str) -> int:
    """一 → 1, 十五 → 15, 二十 → 20, 一百零五 → 105 (万 and 亿 are multipliers, not part of it)."""
    total, digit = 0, None
    for ch in numeral:
        if ch in CHINESE_DIGITS:
            digit = CHINESE_DIGITS[ch] if digit is None else digit * 10 + CHINESE_DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * CHINESE_POWERS[ch]
            digit = None
    return total + (digit or 0)


class Source:
    """A text with its line starts; lines are numbered from 1."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    @classmethod
    def read(cls, path: Path) -> Source:
        return cls(path.read_text(encoding="utf-8"))

    def line_text(self, line: int) -> str:
        start, end = self.line_bounds(line)
        return self.text[start:end]

    def line_bounds(self, line: int) -> tuple[int, int]:
        assert 1 <= line <= len(self.starts), f"line {line} out of range"
        end = self.starts[line] - 1 if line < len(self.starts) else len(self.text)
        return self.starts[line - 1], end

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def find_all(self, line: int, needle: str) -> list[int]:
        """Offsets of every match of `needle` that starts on `line` (matches may overlap or run on)."""
        start, end = self.line_bounds(line)
        hits, pos = [], self.text.find(needle, start)
        while pos != -1 and pos < end:
            hits.append(pos)
            pos = self.text.find(needle, pos + 1)
        return hits

    def locate(self, line: int, occurrence: int, needle: str) -> int:
        assert occurrence >= 1
        hits = self.find_all(line, needle)
        assert len(hits) >= occurrence, f"{needle!r} found {len(hits)} time(s) on line {line}"
        return hits[occurrence - 1]


def read_tsv(path: Path, header: list[str]) -> list[dict[str, str]]:
    """Rows of a tab-separated list with exactly `header`; no quoting, a final newline."""
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "", f"{path.name}: file must end with a newline"
    assert lines[0].split("\t") == header, f"{path.name}: header {lines[0].split(chr(9))} != {header}"
    rows = []
    for n, raw in enumerate(lines[1:-1], start=2):
        fields = raw.split("\t")
        assert len(fields) == len(header), f"{path.name} line {n}: {len(fields)} fields, expected {len(header)}"
        rows.append(dict(zip(header, fields, strict=True)))
    return rows


def row_offset(source: Source, row: Mapping[str, str]) -> int:
    """Offset of the row's surface: its `occurrence`-th match starting on `line`."""
    return source.locate(int(row["line"]), int(row["occurrence"]), unescape(row["surface"]))


def check_ids(rows: list[dict[str, str]]) -> None:
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert all(re.fullmatch(r"F\d{3}", i) for i in ids), "ids are F001, F002, …"


def check_no_duplicates(rows: list[dict[str, str]]) -> None:
    keys = [(r["line"], r["surface"], r["occurrence"]) for r in rows]
    assert len(keys) == len(set(keys)), "two rows name the same (line, surface, occurrence)"


def check_document_order(source: Source, rows: list[dict[str, str]]) -> None:
    offsets = [row_offset(source, r) for r in rows]
    assert offsets == sorted(offsets), "rows are not in document order"
    assert len(offsets) == len(set(offsets)), "two rows start at the same position"


def check_surface_and_context(source: Source, row: Mapping[str, str], fused_ok: bool = False) -> None:
    """The surface is at its line/occurrence, its context comes right before it, and it neither starts
    nor ends inside a longer number (unless `fused_ok`: the text runs two cells' digits together)."""
    text = source.text
    start = row_offset(source, row)
    surface, context = unescape(row["surface"]), unescape(row["context"])
    assert surface.strip() == surface and surface, "surface is empty or has outer spaces"
    assert context, "context must not be empty"
    assert text[:start].endswith(context), f"context {row['context']!r} does not precede the surface"
    if fused_ok:
        return
    end = start + len(surface)
    before, after = fold(text[max(start - 2, 0) : start]), fold(text[end : end + 2])
    first, last = fold(surface[0]), fold(surface[-1])
    if first.isdigit():
        assert not re.search(r"[\d.]$|\d,$", before), "surface starts inside a longer number"
    if last.isdigit():
        assert not re.match(r"[\d.%]|,\d", after), "surface ends inside a longer number"


@dataclass(frozen=True)
class Conventions:
    """What a list may say and how its columns must agree with the surface.

    `unit_words` maps a unit key to the words that show it in a surface (checked when the key has an
    entry); `derived` are note patterns saying a unit/multiplier, comparator or qualifier was taken
    from outside the surface (a column header, a 度量单位 or 指标性质 column, a row label)."""

    units: frozenset[str]
    qualifiers: Mapping[str, tuple[str, ...]]
    comparators: Mapping[str, tuple[str, ...]]
    percent_marks: tuple[str, ...] = ("%",)
    unit_words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    unit_note: re.Pattern[str] = re.compile("header")
    comparator_note: re.Pattern[str] | None = None
    qualifier_note: re.Pattern[str] | None = None


def _marks(surface: str, words: Mapping[str, tuple[str, ...]]) -> set[str]:
    """Keys whose words occur in `surface`, longest word first, a matched stretch used once
    (不低于 is at_least, not also 低于; 不超过 is at_most, not also 超)."""
    pairs = sorted(((w, k) for k, ws in words.items() for w in ws), key=lambda p: -len(p[0]))
    used = [False] * len(surface)
    found = set()
    for word, key in pairs:
        pos = surface.find(word)
        while pos != -1:
            if not any(used[pos : pos + len(word)]):
                used[pos : pos + len(word)] = [True] * len(word)
                found.add(key)
            pos = surface.find(word, pos + 1)
    return found


def _strip_marks(surface: str, conv: Conventions) -> str:
    for words in (*conv.qualifiers.values(), *conv.comparators.values()):
        for w in words:
            surface = surface.replace(w, "")
    return surface.replace(" ", "")


def check_columns(row: Mapping[str, str], conv: Conventions) -> None:
    try:
        value = Decimal(row["value"])
    except InvalidOperation:
        raise AssertionError(f"value {row['value']!r} is not a decimal") from None
    assert value.is_finite() and value >= 0
    assert re.fullmatch(r"\d+(\.\d+)?", row["value"]), "plain decimal notation"
    assert row["multiplier"] in MULTIPLIERS
    assert row["unit"] in conv.units, f"unknown unit {row['unit']!r}"
    assert row["qualifier"] in {"", *conv.qualifiers}
    assert row["comparator"] in {"", *conv.comparators}
    assert row["counts"].strip() == row["counts"] and row["counts"], "counts is empty or has outer spaces"
    for key in ("counts", "note", "value", "unit"):
        assert "\\n" not in row[key]


def check_value(row: Mapping[str, str]) -> None:
    """`value` is the one Arabic number of the surface (full-width digits and thousands separators
    folded), or else its first Chinese numeral."""
    surface = fold(unescape(row["surface"]).replace("\n", ""))
    numbers = PLAIN_NUMBER.findall(surface)
    if numbers:
        assert numbers == [row["value"]], f"surface numbers {numbers} vs value {row['value']}"
    else:
        numeral = CHINESE_NUMERAL.search(surface)
        assert numeral, f"no number in {surface!r}"
        assert Decimal(row["value"]) == chinese_value(numeral.group()), f"{numeral.group()} vs {row['value']}"


def _clause(note: str, pattern: re.Pattern[str] | None) -> str | None:
    """The `;`-separated clause of `note` in which `pattern` matches, or None."""
    if pattern is None:
        return None
    for clause in note.split(";"):
        if pattern.search(clause):
            return clause
    return None


def check_markers(row: Mapping[str, str], conv: Conventions) -> None:
    """unit, multiplier, qualifier and comparator agree with the surface, or with the note clause that
    says where they come from (see Conventions): `unit from header (万元)` must give 万 for a bare
    number scaled by 10000 and show the unit; `comparator from 指标性质 column (≤)` must give the sign."""
    surface = fold(unescape(row["surface"]).replace("\n", ""))
    note = row["note"]
    unit_clause = _clause(note, conv.unit_note)
    bare = PLAIN_NUMBER.fullmatch(_strip_marks(surface, conv)) is not None
    word = MULTIPLIERS[row["multiplier"]]
    if bare:
        if unit_clause is None:
            assert row["multiplier"] == "1", "bare number scaled without a note saying why"
        else:
            stated = "亿" if "亿" in unit_clause else "万" if "万" in unit_clause else ""
            assert word == stated, f"multiplier {row['multiplier']} vs the note {unit_clause.strip()!r}"
    elif word:
        assert word in surface or unit_clause is not None, f"multiplier {word} not in the surface"
    else:
        assert "万" not in surface and "亿" not in surface, "万/亿 in the surface but multiplier 1"
    qualifiers = _marks(surface, conv.qualifiers)
    if row["qualifier"]:
        clause = _clause(note, conv.qualifier_note)
        derived = clause is not None and _marks(clause, conv.qualifiers) == {row["qualifier"]}
        assert qualifiers == {row["qualifier"]} or (not qualifiers and derived), f"qualifier vs {surface!r}"
    else:
        assert not qualifiers, f"qualifier word(s) {qualifiers} in {surface!r} but no qualifier"
    comparators = _marks(surface, conv.comparators)
    if row["comparator"]:
        clause = _clause(note, conv.comparator_note)
        derived = clause is not None and _marks(clause, conv.comparators) == {row["comparator"]}
        assert comparators == {row["comparator"]} or (not comparators and derived), f"comparator vs {surface!r}"
    else:
        assert not comparators, f"comparator sign in {surface!r} but no comparator"
    has_percent = any(m in surface for m in conv.percent_marks)
    assert has_percent <= (row["unit"] == "percent"), "a percent sign but unit is not percent"
    if row["unit"] == "percent" and unit_clause is None:
        assert has_percent, "unit percent without a percent sign or a note saying where it comes from"
    words = conv.unit_words.get(row["unit"])
    if words and unit_clause is None and not bare:
        assert any(w in surface for w in words), f"none of {words} in {surface!r} for unit {row['unit']}"
    if words and unit_clause is not None:
        shown = (*words, row["unit"])
        assert any(w in unit_clause for w in shown), f"unit {row['unit']} not shown by {unit_clause.strip()!r}"
    if row["unit"] == "":
        assert bare, "empty unit only for bare numbers"


def cover(covered: list[bool], start: int, end: int) -> None:
    covered[start:end] = [True] * (end - start)


def uncovered_numbers(
    source: Source, spans: Iterable[tuple[int, int]], patterns: Iterable[re.Pattern[str]], begin: int = 0
) -> list[str]:
    """Arabic numbers from offset `begin` on that lie neither inside one of `spans` nor inside a match
    of one of `patterns` (years, dates, list numbering …), as readable lines."""
    text = source.text
    covered = [False] * len(text)
    for start, end in spans:
        cover(covered, start, end)
    for pattern in patterns:
        for m in pattern.finditer(text):
            cover(covered, m.start(), m.end())
    missing = []
    for m in NUMBER.finditer(text, begin):
        if not all(covered[m.start() : m.end()]):
            line = source.line_of(m.start())
            missing.append(f"line {line}: {m.group()} in {text[max(m.start() - 8, 0) : m.end() + 4]!r}")
    return missing
