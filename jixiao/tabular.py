"""Rendering result rows for people and programs: aligned tables (Chinese by display width),
Markdown, CSV, TSV, JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from decimal import Decimal

from wcwidth import wcswidth

from jixiao.prefixes import compact as prefix_compact

FORMATS = ("table", "csv", "tsv", "json", "md")
MAX_DECIMALS = 6  # a table shows at most this many decimals (csv, tsv and json keep every digit)


def _plain(value: Decimal | float) -> str:
    """A number without exponent and without trailing zeros ("1200000", "91.67")."""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        value = Decimal(repr(value))
    text = format(value.normalize(), "f")
    return text


def cell(value, *, compact: bool = True) -> str:
    """One value as text: None → "", numbers without exponent or trailing zeros, IRIs in one of the
    project's namespaces as CURIEs (``compact``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (float, Decimal)):
        return _plain(value)
    text = str(value)
    return prefix_compact(text) if compact else text


def _is_number(v) -> bool:
    return isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)


def _decimals(v) -> int:
    if isinstance(v, int):
        return 0
    exp = Decimal(_plain(v)).as_tuple().exponent
    return min(-exp, MAX_DECIMALS) if isinstance(exp, int) and exp < 0 else 0


def number_column(values: Sequence) -> list[str]:
    """A numeric column for reading: thousands separators and one number of decimals for the whole
    column, so the digits line up (600000 → "600,000"; 99.4 beside 98.25 → "99.40"); blank for missing."""
    places = max((_decimals(v) for v in values if v is not None), default=0)
    out = []
    for v in values:
        if v is None:
            out.append("")
            continue
        d = Decimal(_plain(v)) if not isinstance(v, int) else Decimal(v)
        out.append(f"{d.quantize(Decimal(1).scaleb(-places)):,.{places}f}")
    return out


def width(text: str) -> int:
    w = wcswidth(text)
    return w if w >= 0 else len(text)  # control characters: count them as one column each


def _pad(text: str, n: int, right: bool) -> str:
    gap = " " * max(0, n - width(text))
    return gap + text if right else text + gap


def table(columns: Sequence[str], rows: Sequence[Sequence], *, markdown: bool = False) -> str:
    """Aligned columns for a terminal (or Markdown): numeric columns right-aligned with separators."""
    numeric = [
        all(_is_number(r[i]) or r[i] is None for r in rows) and any(r[i] is not None for r in rows)
        for i in range(len(columns))
    ]
    body = [[cell(v).replace("\n", " ") for v in r] for r in rows]
    for i in (i for i, n in enumerate(numeric) if n):
        for r, text in zip(body, number_column([r[i] for r in rows]), strict=True):
            r[i] = text
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
        records = [dict(zip(columns, r, strict=True)) for r in rows]
        return json.dumps(records, ensure_ascii=False, indent=2, default=_json_number) + "\n"
    raise ValueError(f"unknown format {fmt}")


def _json_number(value):
    """Decimals in JSON: an integral one as an int, any other as the nearest float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"not JSON serialisable: {value!r}")
