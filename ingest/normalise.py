"""Normalise report text for parsing while keeping an exact map back to the original.

Rules (each normalised character maps to the original character it came from):
1. Line ends: CRLF and CR become LF (the CR is dropped).
2. Full-width digits and Latin letters and ％ become ASCII; ．and ，become . and , only between
   two digits. Chinese punctuation is otherwise kept as it is (“”（）、。，；：).
3. Stray spaces (ASCII, ideographic, no-break; never tabs) are dropped between a digit and a CJK
   character or %, between a CJK character and a digit or ≥/≤/</>/=, between ≥/≤/</>/= and a
   digit, and a single space between two CJK characters ("1655 万元" → "1655万元", "财 政" → "财政").
4. Page-break joins: a blank line (one or more empty lines) inside a sentence is removed, together
   with the line end before it, when the line before does not end a sentence (。！？；：…, closing
   quotes allowed after them), is not heading-like, not a table row and not a key：value label
   line, and the line after is not a heading, list item (1. / (1) / 一是 / bullet), table row,
   label line or indented paragraph start. Lines of tables (tab or pipe rows, one-cell-per-line
   tables) are never joined.
Everything else (newlines, tabs, indentation) is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.sections import (
    ends_sentence,
    is_heading_like,
    is_label_line,
    is_list_start,
    is_plain_heading,
    match_number,
)
from ingest.tables import flattened_regions, line_form

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
    chars, origin = _fold(text)
    chars, origin = _drop_spaces(chars, origin)
    chars, origin = _join_page_breaks(chars, origin)
    return Normalised("".join(chars), [*origin, len(text)])


def _is_digit(c: str | None) -> bool:
    return c is not None and "0" <= c <= "9"


def _is_cjk(c: str | None) -> bool:
    return c is not None and ("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" or "\uf900" <= c <= "\ufaff")


def _fold(text: str) -> tuple[list[str], list[int]]:
    chars: list[str] = []
    origin: list[int] = []
    n = len(text)
    for i, c in enumerate(text):
        if c == "\r":
            if i + 1 < n and text[i + 1] == "\n":
                continue
            c = "\n"
        elif "０" <= c <= "９" or "Ａ" <= c <= "Ｚ" or "ａ" <= c <= "ｚ" or c == "％":
            c = chr(ord(c) - 0xFEE0)
        elif c in "．，" and i > 0 and i + 1 < n and _is_wide_digit(text[i - 1]) and _is_wide_digit(text[i + 1]):
            c = "." if c == "．" else ","
        chars.append(c)
        origin.append(i)
    return chars, origin


def _is_wide_digit(c: str) -> bool:
    return "0" <= c <= "9" or "０" <= c <= "９"


def _drop_spaces(chars: list[str], origin: list[int]) -> tuple[list[str], list[int]]:
    keep = [True] * len(chars)
    i = 0
    while i < len(chars):
        if chars[i] not in _SPACES:
            i += 1
            continue
        j = i
        while j < len(chars) and chars[j] in _SPACES:
            j += 1
        before = chars[i - 1] if i > 0 else None
        after = chars[j] if j < len(chars) else None
        drop = (
            (_is_digit(before) and (_is_cjk(after) or after in ("%", "‰")))
            or (_is_cjk(before) and _is_digit(after))
            or (before is not None and before in _COMPARATORS and _is_digit(after))
            or (_is_cjk(before) and after is not None and after in _COMPARATORS)
            or (j - i == 1 and _is_cjk(before) and _is_cjk(after))
        )
        if drop:
            for k in range(i, j):
                keep[k] = False
        i = j
    return [c for c, k in zip(chars, keep, strict=True) if k], [o for o, k in zip(origin, keep, strict=True) if k]


def _join_page_breaks(chars: list[str], origin: list[int]) -> tuple[list[str], list[int]]:
    text = "".join(chars)
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    lines = [text[s:e] for s, e in spans]
    protected = set()
    for first, end, _width in flattened_regions(lines):
        protected.update(range(first, end))
    keep = [True] * len(chars)
    prev: int | None = None  # index of the last non-blank line
    current = ""  # text of the last non-blank line, joins included
    for k, line in enumerate(lines):
        if not line.strip():
            continue
        if prev is not None and k > prev + 1 and _joins(current, line, prev in protected or k in protected):
            cut_from = spans[prev][0] + len(lines[prev].rstrip(_SPACES))
            cut_to = spans[k][0] + len(line) - len(line.lstrip(_SPACES))
            for m in range(cut_from, cut_to):
                keep[m] = False
            current = current.rstrip(_SPACES) + line.lstrip(_SPACES)
        else:
            current = line
        prev = k
    return [c for c, k in zip(chars, keep, strict=True) if k], [o for o, k in zip(origin, keep, strict=True) if k]


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
