"""Normalise report text for parsing while keeping an exact map back to the original.

Rules (each normalised character maps to the original character it came from):
1. Line ends: CRLF and CR become LF (the CR is dropped).
2. Full-width digits and Latin letters and ％ become ASCII; ．and ，become . and , only between
   two digits. Chinese punctuation is otherwise kept as it is (“”（）、。，；：).
3. Stray spaces (ASCII, ideographic, no-break; never tabs) are dropped between a digit and a CJK
   character or %, between a CJK character and a digit or ≥/≤/</>/=, between ≥/≤/</>/= and a
   digit, and a single space between two CJK characters ("2048 万元" → "2048万元", "财 政" → "财政").
4. Page-break joins: a blank line (one or more empty lines) inside a sentence is removed, together
   with the line end before it, when the line before does not end a sentence (。！？；：…, closing
   quotes allowed after them), is not heading-like, not a table row and not a key：value label
   line, and the line after is not a heading, list item (1. / (1) / 一是 / bullet), table row,
   label line or indented paragraph start. Lines of tables (tab or pipe rows, one-cell-per-line
   tables) are never joined.
Everything else (newlines, tabs, indentation) is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jixiao.ingest.layout import flattened_regions
from jixiao.ingest.lines import (
    ends_sentence,
    is_heading_like,
    is_label_line,
    is_list_start,
    is_plain_heading,
    line_form,
    match_number,
)

_SPACES = " \u3000\u00a0"
_COMPARATORS = "≥≤<>=＞＜"


@dataclass(frozen=True)
class Normalised:
    """Normalised text with `origin[i]` = offset in the original of normalised character i.

    `len(origin) == len(text) + 1`; the last entry is the end sentinel (length of the original).
    """

    text: str
    origin: list[int]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the normalised span [start, end) to the original span [s, e).

        The original span runs from the first character's origin to just after the last one's, so
        it includes whatever was removed in between (spaces, blank lines).
        """
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) outside the normalised text (length {len(self.text)})")
        if start == end:
            return self.origin[start], self.origin[start]
        return self.origin[start], self.origin[end - 1] + 1


def normalise(text: str) -> Normalised:
    """Apply the module's rules to `text` (a SourceText.text)."""
    folded, origin = _fold(text)
    folded, origin = _drop_spaces(folded, origin)
    folded, origin = _join_page_breaks(folded, origin)
    return Normalised(folded, [*origin, len(text)])


def _is_digit(c: str | None) -> bool:
    return c is not None and "0" <= c <= "9"


def _is_cjk(c: str | None) -> bool:
    return c is not None and ("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" or "\uf900" <= c <= "\ufaff")


# rule 2 as a translation table, and the full-width separators between two digits (either width)
_FOLD = str.maketrans(
    {
        **{
            c: c - 0xFEE0
            for c in (
                *range(ord("０"), ord("９") + 1),
                *range(ord("Ａ"), ord("Ｚ") + 1),
                *range(ord("ａ"), ord("ｚ") + 1),
            )
        },
        ord("％"): "%",
    }
)
_WIDE_CHAR = re.compile("[０-９Ａ-Ｚａ-ｚ％]")  # the characters _FOLD changes
_WIDE_SEPARATOR = re.compile(r"(?<=[0-9０-９])[．，](?=[0-9０-９])")
_SPACE_RUN = re.compile(f"[{_SPACES}]+")


def _fold(text: str) -> tuple[str, list[int]]:
    """Rules 1 and 2, with the origin of each character kept. The separators are found in the text
    before line ends change (their neighbours are the original characters), and every replacement
    keeps the length, so offsets stay those of the original until CRs are dropped."""
    folded = text.translate(_FOLD) if _WIDE_CHAR.search(text) else text  # (translate costs on every character)
    if "．" in folded or "，" in folded:
        folded = _WIDE_SEPARATOR.sub(lambda m: "." if m.group() == "．" else ",", folded)
    if "\r" not in folded:
        return folded, list(range(len(text)))
    origin = [i for i, c in enumerate(text) if c != "\r" or text[i + 1 : i + 2] != "\n"]
    return folded.replace("\r\n", "\n").replace("\r", "\n"), origin


def _without(text: str, origin: list[int], cuts: list[tuple[int, int]]) -> tuple[str, list[int]]:
    """`text` and `origin` with the characters in the ranges `cuts` [start, end) removed."""
    cuts = sorted((a, b) for a, b in cuts if a < b)
    if not cuts:
        return text, origin
    pieces, kept, pos = [], [], 0
    for a, b in cuts:
        if a > pos:
            pieces.append(text[pos:a])
            kept += origin[pos:a]
        pos = max(pos, b)
    pieces.append(text[pos:])
    kept += origin[pos:]
    return "".join(pieces), kept


def _drop_spaces(text: str, origin: list[int]) -> tuple[str, list[int]]:
    cuts = []
    for m in _SPACE_RUN.finditer(text):
        i, j = m.span()
        before = text[i - 1] if i > 0 else None
        after = text[j] if j < len(text) else None
        drop = (
            (_is_digit(before) and (_is_cjk(after) or after in ("%", "‰")))
            or (_is_cjk(before) and _is_digit(after))
            or (before is not None and before in _COMPARATORS and _is_digit(after))
            or (_is_cjk(before) and after is not None and after in _COMPARATORS)
            or (j - i == 1 and _is_cjk(before) and _is_cjk(after))
        )
        if drop:
            cuts.append((i, j))
    return _without(text, origin, cuts)


def _join_page_breaks(text: str, origin: list[int]) -> tuple[str, list[int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    lines = [text[s:e] for s, e in spans]
    protected = set()
    for first, end, _width in flattened_regions(lines):
        protected.update(range(first, end))
    cuts = []
    prev: int | None = None  # index of the last non-blank line
    current = ""  # text of the last non-blank line, joins included
    for k, line in enumerate(lines):
        if not line.strip():
            continue
        if prev is not None and k > prev + 1 and _joins(current, line, prev in protected or k in protected):
            cut_from = spans[prev][0] + len(lines[prev].rstrip(_SPACES))
            cut_to = spans[k][0] + len(line) - len(line.lstrip(_SPACES))
            cuts.append((cut_from, cut_to))
            current = current.rstrip(_SPACES) + line.lstrip(_SPACES)
        else:
            current = line
        prev = k
    return _without(text, origin, cuts)


def _joins(before: str, after: str, protected: bool) -> bool:
    """Whether a blank line between the line `before` and the line `after` is a page break."""
    if protected or line_form(before) != "text" or line_form(after) != "text":
        return False
    if ends_sentence(before) or is_heading_like(before) or is_label_line(before):
        return False
    if after[:1] in _SPACES:  # an indented line starts a paragraph
        return False
    stripped = after.strip()
    return not (
        match_number(stripped) or is_plain_heading(stripped) or is_list_start(stripped) or is_label_line(stripped)
    )
