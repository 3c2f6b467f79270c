"""Sentence splitting and inline enumerations (一是 / 二是 / 三是 …)."""

from __future__ import annotations

import re
from functools import cache

from jixiao.ingest.datafiles import toml
from jixiao.ingest.numerals import ordinal_number

_FINAL = "。！？；!?;"
_CLOSERS = "”’」』）)】》\"'"
_SENTENCE_END = re.compile(rf"[{_FINAL}]+[{re.escape(_CLOSERS)}]*|\n")


def split_sentences(text: str, base: int = 0) -> list[tuple[int, int]]:
    """Spans [start, end) (+ base) of the sentences of `text`.

    A sentence ends after 。！？；(or ASCII !?;) together with any closing quotes or brackets that
    follow, or at a line end. Surrounding whitespace is excluded; empty pieces are skipped.
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.start() if m.group() == "\n" else m.end()
        _add_trimmed(text, pos, end, base, spans)
        pos = m.end()
    _add_trimmed(text, pos, len(text), base, spans)
    return spans


def _add_trimmed(text: str, start: int, end: int, base: int, out: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append((start + base, end + base))


@cache
def _enumeration() -> tuple[re.Pattern[str], str]:
    conf = toml("sections.toml")["enumeration"]
    return re.compile(conf["pattern"]), conf["preceded_by"]


def split_enumeration(text: str, base: int = 0) -> list[tuple[int, int, int]]:
    """Inline enumeration items 一是…二是…三是… as (ordinal, start, end) (+ base).

    A marker counts only at the start of the text or after punctuation/whitespace (so 统一是 is not
    一是) and only when its ordinal is the next expected one (1, 2, 3 …). An item runs to the next
    item's marker, or to the end of its line for the last one. Text before 一是 is not an item.
    """
    pattern, preceded_by = _enumeration()
    starts: list[tuple[int, int]] = []
    for m in pattern.finditer(text):
        if m.start() > 0 and text[m.start() - 1] not in preceded_by:
            continue
        value = ordinal_number(m.group("val"))
        if value == len(starts) + 1:
            starts.append((value, m.start()))
    items: list[tuple[int, int, int]] = []
    for k, (value, start) in enumerate(starts):
        if k + 1 < len(starts):
            end = starts[k + 1][1]
        else:
            newline = text.find("\n", start)
            end = len(text) if newline < 0 else newline
        while end > start and text[end - 1].isspace():
            end -= 1
        items.append((value, start + base, end + base))
    return items
