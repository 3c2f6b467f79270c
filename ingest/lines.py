"""Line predicates: what one line of normalised report text looks like on its own.

Shared by the stages that read lines: `normalise` (page-break joins), `sections` (headings and
paragraphs) and `tables`/`layout` (where a one-cell-per-line table ends). Numbering patterns, heading
lengths, list starts and the inline enumeration marker come from ingest/data/sections.toml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from jixiao.ingest.datafiles import toml
from jixiao.ingest.numerals import ordinal_number

_LABEL_LINE = re.compile(r"^[\u4e00-\u9fff][^，。；：,;:]{0,11}[：:]")
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_FINAL = "。！？；：…!?;:"
_CLOSERS = "”’」』》）)】\"'"


@dataclass(frozen=True)
class NumberMatch:
    """A heading number at the start of a line."""

    level: int
    number: str  # as printed, stripped
    ordinal: int | None
    end: int  # offset in the matched string just after the number and the spaces after it


@cache
def _conf() -> dict[str, Any]:
    conf = toml("sections.toml")
    return {
        "heading": conf["heading"],
        "numbering_res": [(n["level"], re.compile(n["pattern"])) for n in conf["numbering"]],
        "plain_res": [re.compile(p) for p in conf["heading"]["plain_level1"]],
        "list_res": [re.compile(p) for p in conf["list_start"]["patterns"]],
        "enum_re": re.compile("^" + conf["enumeration"]["pattern"]),
    }


def match_number(line: str) -> NumberMatch | None:
    """The heading number at the start of `line` (leading whitespace allowed), or None.

    "2.围绕中心…" and "(1) 开展…" match; "2024 年…", "3.5 万人次…" and "18.60 万元" do not.
    """
    stripped = line.lstrip()
    lead = len(line) - len(stripped)
    for level, pattern in _conf()["numbering_res"]:
        m = pattern.match(stripped)
        if m:
            val = m.group("val")
            ordinal = _CIRCLED.index(val) + 1 if val in _CIRCLED else ordinal_number(val)
            end = m.end()
            while end < len(stripped) and stripped[end] in " \u3000":
                end += 1
            return NumberMatch(level, m.group("num").strip(), ordinal, lead + end)
    return None


def is_plain_heading(line: str) -> bool:
    """An un-numbered level-1 heading line (摘要, 附件 …) from sections.toml [heading] plain_level1."""
    return any(p.match(line.strip()) for p in _conf()["plain_res"])


def is_list_start(line: str) -> bool:
    """The line begins a new item: a heading number, 一是…, a bullet, 首先/其次 …"""
    stripped = line.strip()
    conf = _conf()
    return bool(
        match_number(stripped)
        or is_plain_heading(stripped)
        or conf["enum_re"].match(stripped)
        or any(p.match(stripped) for p in conf["list_res"])
    )


def is_heading_like(line: str) -> bool:
    """A line that closes its paragraph: a short numbered heading, a plain heading, or a short line
    without any punctuation (a title). Used by the page-break rule."""
    stripped = line.strip()
    conf = _conf()["heading"]
    nm = match_number(stripped)
    if nm:
        rest = stripped[nm.end :]
        return len(rest) <= conf["max_chars"] and not re.search(r"[。；;]", rest)
    if is_plain_heading(stripped):
        return True
    return len(stripped) <= conf["max_plain_chars"] and not re.search(r"[，。；：,;:]", stripped)


def is_label_line(line: str) -> bool:
    """A "key：value" line of a cover or metadata block (评价方式：单位自评)."""
    return bool(_LABEL_LINE.match(line.strip()))


def ends_sentence(line: str) -> bool:
    """The line ends with sentence-final punctuation (。！？；：…), closing quotes allowed after it."""
    stripped = line.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _FINAL


def line_form(line: str) -> str:
    """ "tab", "pipe", "blank" or "text" for one line."""
    stripped = line.strip()
    if not stripped:
        return "blank"
    if "\t" in line:
        return "tab"
    if stripped.startswith("|") and stripped.count("|") >= 2:
        return "pipe"
    return "text"
