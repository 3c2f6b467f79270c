"""Column context for bare numbers of forms the table reader could not parse.

Forms flattened into space-separated lines, one cell per line or one long line still print a row of
column names (年初预算数 全年预算数(A) 全年执行数(B) 分值 执行率(B/A) 得分; 年度指标值 实际完成值
分值 得分) and, under it, rows whose number cells follow in the columns' order. A bare number there
(``880``, ``10``) is a figure whose unit is its column's: money in the unit the header or its
caption states (万元), points for 分值 and 得分, percent for 执行率. This reader finds those runs
of number cells in the text and the header above them (rules: ingest/data/tables.toml ``[columns]``)
and gives each bare figure at one of those cells its unit, multiplier and what it counts (the row's
label and the column's name). Figures that carry their own unit are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from jixiao.ingest import records as r
from jixiao.ingest.datafiles import toml
from jixiao.ingest.figures import extract_figures
from jixiao.ingest.layout import bare, column_role, rules

_CELL = re.compile(r"[^\s|]+")
_NUMBER = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")
_NUMERIC = re.compile(r"^\d+(?:\.\d+)?%$")  # a number cell with its own unit: it holds a column too
_MULTIPLIERS = {"元": 1, "千元": 1000, "万元": 10000, "亿元": 100000000}


@dataclass(frozen=True)
class ColumnCell:
    """What the column of a number cell says about it."""

    role: str
    unit: str
    multiplier: int
    counts: str
    comparator: str | None = None


_INDEX = ColumnCell("index", "", 1, "")  # a row or column number


@cache
def _conf() -> dict[str, Any]:
    conf = dict(rules()["columns"])
    conf["money_unit_re"] = re.compile(conf["money_unit"])
    return conf


def _money(text: str) -> int | None:
    m = _conf()["money_unit_re"].search(text)
    return _MULTIPLIERS[m.group("unit")] if m else None


def column_cells(text: str) -> dict[tuple[int, int], ColumnCell]:
    """The number cells of `text` that stand under a recognised header, by span."""
    conf = _conf()
    cells = _join_split_names([(m.start(), m.end(), m.group()) for m in _CELL.finditer(text)])
    roles = [_role(c[2]) for c in cells]
    out: dict[tuple[int, int], ColumnCell] = {}
    header: list[tuple[str, str, int | None]] = []  # (role, column name, money multiplier)
    has_unit_column = has_index = False
    i, n, header_end = 0, len(cells), -1
    while i < n:
        j = i
        while j < n and (roles[j] or (j > i and _gap(cells, roles, j))):
            j += 1
        while j > i and roles[j - 1] in ("skip", None):
            j -= 1
        if sum(role != "skip" for role in roles[i:j]) >= conf["min_header"] and roles[i] != "skip":
            caption = next(
                (m for c in reversed(cells[max(0, i - conf["caption_cells"]) : i]) if (m := _money(c[2]))), None
            )
            header = []
            has_unit_column = "unit" in roles[i:j]
            has_index = roles[i] in conf["index_roles"]
            for k in range(i, j):
                money = _money(cells[k][2])
                if money and roles[k] in conf["money_roles"] and k + 1 < j and roles[k + 1] in conf["money_roles"]:
                    caption = money  # 年度预算数(万元) over 年初预算 | 调整后预算数 …: a caption, not a column
                elif roles[k] in conf["number_roles"] or (header and roles[k] in conf["trailing_roles"]):
                    header.append((roles[k], cells[k][2], money or caption))
            i = header_end = j
            continue
        key = re.sub(r"^其中[:：]?", "", bare(cells[i - 1][2]).rstrip(":：")) if i else ""
        if key and _NUMBER.match(cells[i][2]) and not (i + 1 < n and _in_run(cells[i + 1][2])):
            # a key/value cell: 人员编制 | 5, 资金总额 | 100 — the key says what the number counts and
            # its unit (money: in the unit of a caption just before, 资金情况(万元))
            s, e, cell = cells[i]
            if key in conf["label_units"]:
                out[(s, e)] = ColumnCell("key", conf["label_units"][key], 1, cells[i - 1][2].rstrip(":："))
            elif key in conf["money_keys"] and (
                money := next(
                    (m for c in reversed(cells[max(0, i - conf["caption_cells"]) : i]) if (m := _money(c[2]))), None
                )
            ):
                out[(s, e)] = ColumnCell("key", "yuan", money, cells[i - 1][2].rstrip(":："))
            if (s, e) in out:
                i += 1
                continue
        if i and bare(cells[i - 1][2]) in conf["index_words"]:
            out[cells[i][:2]] = _INDEX
            i += 1  # 栏次 | 1, 行次 | 2: a column or row number, not an amount
            continue
        if header and not _in_run(cells[i][2]) and re.search(r"\d", cells[i][2]) and _is_value(cells[i][2]):
            # a figure cell with its own unit (≥50个, 87人次) in a row: it counts the row's label
            before = [c[2] for c in cells[max(0, i - conf["label_cells"]) : i]]
            label = next((t.rstrip(":：") for t in reversed(before) if not _is_value(t)), "")
            if label:
                out[cells[i][:2]] = ColumnCell("value", "", 1, label)
            i += 1
            continue
        if header and _in_run(cells[i][2]):
            k = i
            while k < n and _in_run(cells[k][2]):
                k += 1
            before = [c[2] for c in cells[max(0, i - conf["label_cells"]) : i]]
            sign = _sign(before[-1]) if before else None
            # the row's label: the nearest cell before that is not a value (a sign, a number, a
            # figure cell such as the actual 87人次 standing between the indicator and its weight)
            label = next((t.rstrip(":：") for t in reversed(before) if not _is_value(t)), "")
            unit = _unit_cell(cells[k][2]) if has_unit_column and k < n else None
            if unit is not None:  # 指标性质 | 指标值 | 度量单位: the number before a unit cell is the target
                s, e, cell = cells[k - 1]
                if _NUMBER.match(cell):
                    key, mult = unit
                    out[(s, e)] = ColumnCell("target", key, mult, label, sign)
                k, i = k - 1, k + 1
            run = cells[i:k]
            if has_index and k - i == 1 and _row_number(cells, i, k, header_end):
                out[cells[i][:2]] = _INDEX
                i = k  # 序号 | 1 | 预算编制: the row's number, before its label
                continue
            if has_index and len(run) > 1 and k < n and re.fullmatch(r"[1-9]\d{0,2}", run[-1][2]):
                out[run[-1][:2]] = _INDEX
                run = run[:-1]  # the next row's 序号 right after this row's last number
            _assign(run, header, label, out) if unit is None else None
            i = max(i, k)
            continue
        i += 1
    return out


def _sign(cell: str) -> str | None:
    """The comparator a 指标性质 cell (or a sign before the number) writes."""
    return _signs().get(cell)


@cache
def _signs() -> dict[str, str]:
    return dict(toml("domain.toml")["indicators"]["comparator_signs"])


def _unit_cell(cell: str) -> tuple[str, int] | None:
    """A 度量单位 cell's unit key and multiplier (万元 → yuan, 10000), as the figure rules read it."""
    if len(cell) > _conf()["unit_max_chars"] or re.search(r"\d", cell):
        return None
    figs = extract_figures("1" + cell)
    if len(figs) != 1 or figs[0].unit is None or figs[0].end != len(cell) + 1:
        return None
    return figs[0].unit, figs[0].multiplier


@cache
def _is_value(cell: str) -> bool:
    """A cell that holds a value rather than a label: a sign, a number or one figure and its marks."""
    if _sign(cell) is not None or _in_run(cell) or _unit_cell(cell) is not None:
        return True
    if len(cell) > _conf()["unit_max_chars"] * 3 or not re.search(r"\d", cell):
        return False
    figs = extract_figures(cell)
    return len(figs) == 1 and figs[0].end == len(cell) and figs[0].start <= 2


def _row_number(cells: list[tuple[int, int, str]], i: int, k: int, header_end: int) -> bool:
    """A lone small integer between the end of a header or row and the next row's label."""
    if not re.fullmatch(r"[1-9]\d{0,2}", cells[i][2]) or k >= len(cells) or _in_run(cells[k][2]):
        return False
    return i == header_end or (i > 0 and _in_run(cells[i - 1][2]))


def _gap(cells: list[tuple[int, int, str]], roles: list[str | None], j: int) -> bool:
    """A short cell that names no column (指标解释, 评分标准) inside a header: up to `header_gap`
    of them in a row, followed by a column name."""
    conf = _conf()
    for k in range(j, min(j + conf["header_gap"] + 1, len(cells))):
        if roles[k]:
            return True
        if _NUMBER.match(cells[k][2]) or len(cells[k][2]) > conf["gap_max_chars"]:
            return False
    return False


@cache
def _role(cell: str) -> str | None:
    """The column a header cell names (tables.toml), "amount" for a money column only this reader
    knows (收入合计, 金额 …), "skip" for a connector that may stand inside a header (其中:)."""
    if _NUMBER.match(cell):
        return None
    conf = _conf()
    name = bare(cell)
    if name.rstrip(":：") in conf["header_skips"]:
        return "skip"
    return column_role(cell) or ("amount" if name in conf["money_names"] else None)


def _in_run(cell: str) -> bool:
    return bool(_NUMBER.match(cell) or _NUMERIC.match(cell)) or cell in _conf()["placeholders"]


def _join_split_names(cells: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Column names broken over two cells (年初 / 预算数, 全年 / 执行数) joined into one."""
    out: list[tuple[int, int, str]] = []
    for cell in cells:
        if out and not _role(out[-1][2]) and len(out[-1][2]) <= _conf()["fragment_max_chars"]:
            joined = out[-1][2] + cell[2]
            if len(joined) <= _conf()["max_joined_chars"] and _role(joined) and not re.search(r"\d", joined):
                out[-1] = (out[-1][0], cell[1], joined)
                continue
        out.append(cell)
    return out


def _assign(run: list[tuple[int, int, str]], header: list[tuple[str, str, int | None]], label: str, out: dict) -> None:
    conf = _conf()
    numeric = [c for c in header if c[0] in conf["number_roles"]]
    # a text column after the numbers (偏差原因) holds a number only when the row has one too many
    cols = numeric if len(run) <= len(numeric) else header[: len(run)]
    for role in conf["dropped_first"]:
        while len(cols) > len(run) and any(c[0] == role for c in cols):
            cols.remove(next(c for c in cols if c[0] == role))
    if len(run) > len(cols):
        return  # more numbers than number columns: not this header's row
    # a budget block fills from the left (a 其中 row leaves its 分值, 执行率, 得分 empty); an indicator
    # block from the right (its target and actual cells often hold text or their own units)
    cols = cols[: len(run)] if cols and cols[0][0] in conf["money_roles"] else cols[len(cols) - len(run) :]
    for (s, e, cell), (role, name, money) in zip(run, cols, strict=True):
        if not _NUMBER.match(cell):
            continue
        if role in conf["money_roles"]:
            if money is None:
                continue  # a money column with no unit stated: leave the number bare
            unit, mult = "yuan", money
        elif role in conf["point_roles"]:
            unit, mult = "point", 1
        elif role in conf["percent_roles"]:
            unit, mult = "percent", 1
        else:
            continue  # a target or actual's unit is its row's (度量单位), not its column's
        out[(s, e)] = ColumnCell(role, unit, mult, f"{label} {name}".strip())


def apply(figures: list[r.Quantity], text: str) -> None:
    """Give the bare figures of `figures` (spans into `text`) the unit of the column they stand in,
    and a figure cell with its own unit that names nothing the label of its row."""
    found = column_cells(text)
    # a row or column number (序号, 栏次) is table structure, not a figure
    figures[:] = [f for f in figures if not (found.get(f.span) is _INDEX and f.unit is None and f.multiplier == 1)]
    for f in figures:
        cell = found.get(f.span)
        if cell is not None and cell.role == "value":
            f.counts = f.counts or cell.counts  # a figure cell of a row: what the row names
            continue
        if cell is None or f.unit is not None or f.multiplier != 1:
            continue
        f.unit, f.multiplier, f.counts = cell.unit, cell.multiplier, cell.counts
        f.kind = {"yuan": "amount", "point": "score", "percent": "percent"}.get(cell.unit, f.kind)
        if cell.comparator and f.comparator is None:
            f.comparator = cell.comparator


# -- fused cells ---------------------------------------------------------------------------------
_FUSED = re.compile(r"\d{5,}(?:\.\d+)?%|\d+\.\d+\d*\.\d+%|\d+(?:\.\d+)?\d+\.\d+%")
_PART = re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?")
_CAPTION = re.compile(r"[（(](?:单位[：:])?\s*(亿元|万元|千元|元)\s*[）)]")


def unfuse(figures: list[r.Quantity], text: str) -> None:
    """A budget row flattened with no separator between its cells (全年预算数(A) 全年执行数(B)
    执行率(B/A) printed 40004000100%) is split where the rate proves it: A, B and R% such that
    R = 100·B/A to R's last printed place, when exactly one split does. A and B take the money unit
    of the nearest caption before them ((万元)); the rate is an execution rate over A."""
    conf = _conf()
    out: list[r.Quantity] = []
    for f in figures:
        s, e = f.span
        surface = text[s:e]
        split = _fused_split(surface) if f.unit == "percent" and _FUSED.fullmatch(surface) else None
        if split is None:
            out.append(f)
            continue
        (a, b, rate), line_start = split, text.rfind("\n", 0, s) + 1
        label = re.sub(r"\s+", "", text[line_start:s]).rstrip(":：")
        label = label.split("其中:")[-1].split("其中：")[-1] or label
        window = text[max(0, s - conf["fused_caption_chars"]) : s]
        money = next((_MULTIPLIERS[m.group(1)] for m in reversed(list(_CAPTION.finditer(window)))), None)
        # the header names its columns by the letters of the rate's formula: 全年预算数(A) 全年执行数(B)
        names = [_lettered(window, letter) for letter in "AB"]
        parts = []
        pos = s
        for value, name in zip((a, b), names, strict=True):
            q = r.Quantity(
                span=(pos, pos + len(value)),
                value=Decimal(value),
                multiplier=money or 1,
                unit="yuan" if money else None,
                counts=" ".join(x for x in (label, name) if x) or None,
                kind="amount" if money else "other",
                about=f.about,
                section=f.section,
                flags=["fused"],
            )
            parts.append(q)
            pos += len(value)
        rate_q = r.Rate(
            span=(pos, e),
            value=Decimal(rate[:-1]),
            unit="percent",
            stated_unit="%",
            counts=(label + "执行率") if label else "执行率",
            kind="percent",
            rate_kind="execution",
            numerator=parts[1],
            denominator=parts[0],
            about=f.about,
            section=f.section,
            flags=["fused"],
        )
        out.extend([*parts, rate_q])
    figures[:] = out


def _lettered(text: str, letter: str) -> str | None:
    """The last column name in `text` marked with `letter`: 全年执行数(B) for "B"."""
    found = re.findall(rf"([^\s()（）|:：]+)[（(]{letter}[）)]", text)
    return found[-1] if found else None


def _fused_split(surface: str) -> tuple[str, str, str] | None:
    digits = surface[:-1]
    found = []
    for i in range(1, len(digits) - 1):
        a = digits[:i]
        if not _PART.fullmatch(a) or Decimal(a) == 0:
            continue
        for j in range(i + 1, len(digits)):
            b, rate = digits[i:j], digits[j:]
            if not (_PART.fullmatch(b) and _PART.fullmatch(rate)) or Decimal(b) == 0 or Decimal(rate) == 0:
                continue  # (a zero amount or rate proves no split: 0 / A = 0 % for any A)
            places = len(rate.split(".")[1]) if "." in rate else 0
            if abs(Decimal(100) * Decimal(b) / Decimal(a) - Decimal(rate)) <= Decimal(5) / 10 ** (places + 1):
                found.append((a, b, rate + "%"))
    return found[0] if len(found) == 1 else None
