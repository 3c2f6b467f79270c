"""Rendering result rows for people and programs: aligned tables (Chinese by display width),
Markdown, CSV, TSV, JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from wcwidth import wcswidth

from jixiao.iris import BASE
from jixiao.ns import JX, JXV

FORMATS = ("table", "csv", "tsv", "json", "md")
PREFIXES = {str(JXV): "jxv:", str(JX): "jx:", BASE: "jxd:"}


def cell(value, *, compact: bool = True) -> str:
    """One value as text: None → "", integral floats without ".0", long jixiao IRIs as CURIEs."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.6f}".rstrip("0")
    text = str(value)
    if compact:
        for ns, prefix in PREFIXES.items():
            if text.startswith(ns):
                return prefix + text[len(ns) :]
    return text


def width(text: str) -> int:
    w = wcswidth(text)
    return w if w >= 0 else len(text)  # control characters: count them as one column each


def _pad(text: str, n: int, right: bool) -> str:
    gap = " " * max(0, n - width(text))
    return gap + text if right else text + gap


def table(columns: Sequence[str], rows: Sequence[Sequence], *, markdown: bool = False) -> str:
    body = [[cell(v).replace("\n", " ") for v in r] for r in rows]
    numeric = [
        all((isinstance(r[i], (int, float)) and not isinstance(r[i], bool)) or r[i] is None for r in rows)
        and any(r[i] is not None for r in rows)
        for i in range(len(columns))
    ]
    widths = [max([width(c), *(width(r[i]) for r in body)]) for i, c in enumerate(columns)]
    if markdown:
        esc = [[t.replace("|", "\\|") for t in r] for r in [list(columns), *body]]
        widths = [max(width(r[i]) for r in esc) for i in range(len(columns))]
        line = lambda r: "| " + " | ".join(_pad(t, widths[i], numeric[i]) for i, t in enumerate(r)) + " |"  # noqa: E731
        rule = (
            "|" + "|".join(("-" * (w + 1) + ":") if numeric[i] else "-" * (w + 2) for i, w in enumerate(widths)) + "|"
        )
        return "\n".join([line(esc[0]), rule, *(line(r) for r in esc[1:])]) + "\n"
    line = lambda r: "  ".join(_pad(t, widths[i], numeric[i]) for i, t in enumerate(r)).rstrip()  # noqa: E731
    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(list(columns)), rule, *(line(r) for r in body)]) + "\n"


def render(columns: Sequence[str], rows: Sequence[Sequence], fmt: str = "table") -> str:
    if fmt == "table":
        return table(columns, rows)
    if fmt == "md":
        return table(columns, rows, markdown=True)
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(columns)
        for r in rows:
            writer.writerow([cell(v, compact=False) for v in r])
        return buf.getvalue()
    if fmt == "json":
        return json.dumps([dict(zip(columns, r, strict=True)) for r in rows], ensure_ascii=False, indent=2) + "\n"
    raise ValueError(f"unknown format {fmt}")
