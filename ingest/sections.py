"""The section tree of a normalised report: numbered headings, paragraphs, tables and roles.

Heading numbers (一、 / (一) （一） / 1. 1、 1． / (1) （1） / ①) give the level; the tree is built
with a stack, so a level may be skipped. Every numbered line is a section: a "1." duty or measure
that is a whole sentence becomes a level-3 section whose title is its first clause (up to the first
。, or a short label before ：). Inline 一是/二是 enumerations are NOT sections
(see ingest.sentences.split_enumeration).

Roles come from ingest/data/sections.toml: heading patterns in priority order, restricted roles
for the children of some sections (an issue of 整改情况 and its 存在问题 / 整改措施 / 整改效果), and
a list-intro rule: a section whose paragraph just before a numbered list announces duties
(…主要职责是：) takes the role "duties", so its children are the duties.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from jixiao.ingest.datafiles import toml
from jixiao.ingest.lines import (
    NumberMatch,
    ends_sentence,
    is_heading_like,
    is_label_line,
    is_list_start,
    is_plain_heading,
    match_number,
)
from jixiao.ingest.sentences import split_sentences
from jixiao.ingest.tables import Table, find_tables

if TYPE_CHECKING:
    from jixiao.ingest.normalise import Normalised


@dataclass
class Block:
    """A paragraph or a table inside a section (normalised offsets)."""

    kind: str  # "para" | "table"
    start: int
    end: int
    text: str
    table: Table | None = None  # the parsed table when kind == "table"


@dataclass
class Section:
    """A heading with its body; `children` are the sub-sections, `blocks` the body before/between them."""

    number: str  # as printed: "一、", "(一)", "（二）", "1.", "(1)", "①"; "" for the root / cover
    title: str  # heading text without the number
    level: int  # 0 root, 1 一、, 2 (一), 3 1., 4 (1), 5 ①
    ordinal: int | None
    role: str | None
    start: int
    end: int
    heading_start: int
    heading_end: int
    blocks: list[Block] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)  # every role that applies (heading role, list role)


@cache
def _conf() -> dict[str, Any]:
    conf = toml("sections.toml")
    return {
        **conf,
        "role_res": [(r["key"], [re.compile(p) for p in r["patterns"]], r.get("only_under")) for r in conf["role"]],
        "duties_res": [re.compile(p) for p in conf["roles"]["duties_intro"]],
    }


# ----------------------------------------------------------------------------- headings


def split_heading(line: str, nm: NumberMatch | None) -> tuple[int, int, int]:
    """(title_start, title_end, body_start) in `line`: the title runs from after the number to the
    first 。！？ or to a ：after a short label; body_start == len(line) when nothing follows."""
    conf = _conf()["heading"]
    start = nm.end if nm else len(line) - len(line.lstrip())
    rest = line[start:]
    stop = next((k for k, c in enumerate(rest) if c in conf["title_stop"]), None)
    colon = next((k for k, c in enumerate(rest) if c in "：:"), None)
    if colon is not None and colon <= conf["label_max_chars"] and (stop is None or colon < stop):
        stop = colon
    if stop is None:
        end = len(line.rstrip())
        return start, end, len(line)
    body = start + stop + 1
    while body < len(line) and line[body] in " \u3000":
        body += 1
    return start, start + stop, body


# ----------------------------------------------------------------------------- parsing


def parse_sections(norm: Normalised) -> Section:
    """Parse the normalised text into a tree; returns the root (level 0, title = the title line)."""
    text = norm.text
    tables = find_tables(norm)
    root = Section("", "", 0, None, None, 0, len(text), 0, 0)
    pre: list[Block] = []  # blocks before the first heading
    stack = [root]
    para: Block | None = None
    pos, t = 0, 0
    while pos <= len(text):
        if t < len(tables) and tables[t].start <= pos:
            table = tables[t]
            _target(stack, pre).append(Block("table", table.start, table.end, text[table.start : table.end], table))
            para, t = None, t + 1
            pos = _next_line(text, table.end)
            continue
        eol = text.find("\n", pos)
        eol = len(text) if eol < 0 else eol
        line = text[pos:eol]
        if not line.strip():
            para = None
        elif (nm := match_number(line)) or is_plain_heading(line):
            para = _open_section(text, pos, line, nm, stack)
        elif para is not None and _continues(para.text, line):
            para = _extend(para, text, pos, line)
            blocks = _target(stack, pre)
            blocks[-1] = para
        else:
            s = pos + _indent(text, pos)
            para = Block("para", s, pos + len(line.rstrip()), line.strip())
            _target(stack, pre).append(para)
        pos = eol + 1
    _finish_root(root, pre, text)
    _close(root)
    _assign_roles(root, [])
    return root


def _continues(para: str, line: str) -> bool:
    """A line right after `para` (no blank line between) continues it: a hard-wrapped sentence."""
    last = para.rsplit("\n", 1)[-1]
    return not (
        ends_sentence(last)
        or is_heading_like(last)
        or is_label_line(last)
        or is_list_start(line)
        or is_label_line(line)
    )


def _indent(text: str, pos: int) -> int:
    k = pos
    while k < len(text) and text[k] in " \u3000\t" and text[k] != "\n":
        k += 1
    return 0 if k < len(text) and text[k] == "\n" else k - pos


def _next_line(text: str, pos: int) -> int:
    eol = text.find("\n", pos)
    return len(text) + 1 if eol < 0 else eol + 1


def _target(stack: list[Section], pre: list[Block]) -> list[Block]:
    return pre if len(stack) == 1 else stack[-1].blocks


def _extend(para: Block, text: str, pos: int, line: str) -> Block:
    end = pos + len(line.rstrip())
    return Block("para", para.start, end, text[para.start : end])


def _open_section(text: str, pos: int, line: str, nm: NumberMatch | None, stack: list[Section]) -> Block | None:
    level = nm.level if nm else 1
    while stack[-1].level >= level:
        stack.pop()
    t_start, t_end, body = split_heading(line, nm)
    heading_end = pos + (t_end + 1 if body > t_end else t_end)  # the 。 or ： ending the title included
    lead = len(line) - len(line.lstrip())
    section = Section(
        number=nm.number if nm else "",
        title=line[t_start:t_end].strip(),
        level=level,
        ordinal=nm.ordinal if nm else None,
        role=None,
        start=pos + lead,
        end=pos + len(line.rstrip()),
        heading_start=pos + lead,
        heading_end=heading_end,
    )
    stack[-1].children.append(section)
    stack.append(section)
    body_text = line[body:].rstrip()
    if not body_text.strip():
        return None
    block = Block("para", pos + body, pos + body + len(body_text), body_text)
    section.blocks.append(block)
    return block


def _finish_root(root: Section, pre: list[Block], text: str) -> None:
    """Pick the title line among the blocks before the first heading; the rest may be a cover."""
    conf = _conf()
    paras = [b for b in pre if b.kind == "para"]
    title = next((b for b in paras if len(b.text) <= 60 and any(m in b.text for m in conf["title"]["markers"])), None)
    title = title or (paras[0] if paras else None)
    if title is not None:
        root.title, root.heading_start, root.heading_end = title.text, title.start, title.end
    rest = [b for b in pre if b is not title]
    cover_text = "".join(b.text for b in rest)
    if rest and sum(m in cover_text for m in conf["cover"]["markers"]) >= conf["cover"]["min_markers"]:
        cover = Section("", "", 1, None, "cover", rest[0].start, rest[-1].end, rest[0].start, rest[0].start, rest)
        cover.roles = ["cover"]
        root.children.insert(0, cover)
    else:
        root.blocks = rest


def _close(section: Section) -> None:
    """Set `end` of every section to the end of its last block or child."""
    for child in section.children:
        _close(child)
    ends = [section.heading_end] + [b.end for b in section.blocks] + [c.end for c in section.children]
    if section.level > 0:
        section.end = max(ends)


# ----------------------------------------------------------------------------- roles


def _assign_roles(section: Section, ancestors: list[str]) -> None:
    for child in section.children:
        if child.role == "cover":
            continue
        role = heading_role(child.title, section.role, ancestors)
        child.roles = [role] if role else []
        if _announces_duties(child):
            if "duties" not in child.roles:
                child.roles.append("duties")
            role = "duties"
        child.role = role
        _assign_roles(child, ancestors + child.roles)


def heading_role(title: str, parent_role: str | None, ancestors: list[str]) -> str | None:
    """Role of a heading title under a parent with `parent_role` (see sections.toml [[role]])."""
    return _heading_role(title, parent_role, tuple(ancestors))


@lru_cache(maxsize=1 << 12)
def _heading_role(title: str, parent_role: str | None, ancestors: tuple[str, ...]) -> str | None:
    """`heading_role`, cached: the genre's headings recur from report to report."""
    conf = _conf()
    compact = re.sub(r"\s+", "", title).rstrip("。：:")
    restriction = conf["children"].get(parent_role or "")
    if parent_role in conf["roles"]["leaf"]:
        restriction = {"allowed": [], "default": ""}
    for key, patterns, only_under in conf["role_res"]:
        if restriction is not None and key not in restriction["allowed"]:
            continue
        if restriction is None and (only_under and parent_role not in only_under):
            continue
        if key in ancestors or (restriction is None and len(compact) > conf["roles"]["max_title_chars"]):
            continue
        if any(p.search(compact) for p in patterns):
            return key
    return (restriction or {}).get("default") or None


def _announces_duties(section: Section) -> bool:
    """True when the paragraph just before the section's numbered list announces duties."""
    if not section.children or section.children[0].level < 3:
        return False
    first = section.children[0].heading_start
    before = [b for b in section.blocks if b.kind == "para" and b.end <= first]
    if not before:
        return False
    spans = split_sentences(before[-1].text)
    last = before[-1].text[spans[-1][0] : spans[-1][1]] if spans else ""
    return any(p.search(last) for p in _conf()["duties_res"])
