"""XLSX (openpyxl) and XLS (xlrd) → the intermediate form.

Every visible sheet in order, its used range row by row. A cell's text is what Excel shows: its
number format applied (0.8125 in a ``0.00%`` cell is "81.25%", 1994.3 in ``#,##0.00`` is
"1,994.30", dates as yyyy-mm-dd or in the format's 年月日), formulas by their cached values. Merged
ranges are expanded: the text in the top-left position, the covered positions empty cells that
point at the range. Rows with two or more filled cells are table rows (one table per run of them,
its columns from its leftmost to its rightmost filled column); a row with one filled cell is a line
of text (a title, a unit note, a paragraph); an empty row ends a block. Hidden sheets are not read.
Locators: sheet and cell (``'自评表'!C5``).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from jixiao.errors import InputError
from jixiao.ingest.documents import _require, limits
from jixiao.ingest.documents.model import Extracted, Locator, TextBuilder

_QUOTED = re.compile(r'"([^"]*)"')
_BRACKETS = re.compile(r"\[[^\]]*\]")
_ESCAPED = re.compile(r"\\(.)")
_FILLERS = re.compile(r"[_*].")  # padding (_x) and repetition (*x) codes
_DATE_CODES = re.compile(r"(?<![0#])[yYdD]|(?<![0#.])m(?![0#])", re.I)

MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
}


def read(path: Path, data: bytes, fmt: str) -> Extracted:
    sheets = _xlsx(path, data) if fmt == "xlsx" else _xls(path, data)
    b = TextBuilder()
    for name, rows in sheets:
        _sheet(b, name, rows)
    return b.build(fmt, MEDIA[fmt], {})


# A sheet is handed over as rows of (text, (row, col) of the cell the text comes from, merged).
Rows = list[list[tuple[str, tuple[int, int], bool]]]


def _check_size(path: Path, name: str, nrows: int, ncols: int, total: list[int]) -> None:
    total[0] += nrows * ncols
    if total[0] > limits()["max_sheet_cells"]:
        raise InputError(
            f"workbook too large: sheet {name} brings the used ranges to {total[0]:,} cells "
            f"(limit {limits()['max_sheet_cells']:,})",
            file=path,
        )


def _xlsx(path: Path, data: bytes) -> list[tuple[str, Rows]]:
    openpyxl = _require("openpyxl", "XLSX", path)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=False, keep_vba=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged package (KeyError, BadZipFile, XML errors)
        raise InputError(f"corrupt XLSX: {type(exc).__name__}: {exc}", file=path) from None
    out = []
    total = [0]
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        nrows, ncols = ws.max_row or 0, ws.max_column or 0
        _check_size(path, ws.title, nrows, ncols, total)
        origin: dict[tuple[int, int], tuple[int, int]] = {}
        for rng in ws.merged_cells.ranges:
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    origin[r - 1, c - 1] = (rng.min_row - 1, rng.min_col - 1)
        rows: Rows = []
        for r, cells in enumerate(ws.iter_rows(min_row=1, max_row=nrows, max_col=ncols)):
            row = []
            for c, cell in enumerate(cells):
                top_left = origin.get((r, c), (r, c))
                if top_left != (r, c):
                    row.append(("", top_left, True))
                    continue
                row.append((display(cell.value, cell.number_format), (r, c), False))
            rows.append(row)
        out.append((ws.title, rows))
    return out


def _xls(path: Path, data: bytes) -> list[tuple[str, Rows]]:
    xlrd = _require("xlrd", "XLS", path)
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=False, logfile=io.StringIO())
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, struct and index errors on a damaged file
        raise InputError(f"corrupt XLS: {type(exc).__name__}: {exc}", file=path) from None
    out = []
    total = [0]
    for sh in book.sheets():
        if getattr(sh, "visibility", 0):
            continue
        _check_size(path, sh.name, sh.nrows, sh.ncols, total)
        origin: dict[tuple[int, int], tuple[int, int]] = {}
        for rlo, rhi, clo, chi in sh.merged_cells:
            for r in range(rlo, rhi):
                for c in range(clo, chi):
                    origin[r, c] = (rlo, clo)
        rows: Rows = []
        for r in range(sh.nrows):
            row = []
            for c in range(sh.ncols):
                top_left = origin.get((r, c), (r, c))
                if top_left != (r, c):
                    row.append(("", top_left, True))
                    continue
                row.append((_xls_text(book, sh.cell(r, c), xlrd), (r, c), False))
            rows.append(row)
        out.append((sh.name, rows))
    return out


def _xls_text(book, cell, xlrd) -> str:
    kind = cell.ctype
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if kind == xlrd.XL_CELL_TEXT:
        return cell.value
    if kind == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERR")
    fmt = "General"
    xf = book.xf_list[cell.xf_index] if cell.xf_index is not None and cell.xf_index < len(book.xf_list) else None
    if xf is not None and xf.format_key in book.format_map:
        fmt = book.format_map[xf.format_key].format_str
    if kind == xlrd.XL_CELL_DATE:
        try:
            return display(xlrd.xldate_as_datetime(cell.value, book.datemode), fmt)
        except (ValueError, OverflowError):
            return display(cell.value, "General")
    return display(cell.value, fmt)


def _sheet(b: TextBuilder, name: str, rows: Rows) -> None:
    """Blocks of one sheet: runs of rows with two or more filled cells as tables, others as lines."""
    run: list[list[tuple[str, tuple[int, int], bool]]] = []
    # a table's columns: from the leftmost column any table row of the sheet uses (rows continuing a
    # table after an empty row keep their leading empty cells) to the rightmost its own rows use
    used = [
        c
        for row in rows
        if sum(1 for cell in row if cell[0].strip()) >= 2
        for c, (text, _rc, merged) in enumerate(row)
        if text.strip() or merged
    ]
    lo = min(used) if used else 0

    def flush() -> None:
        if not run:
            return
        hi = max(c for row in run for c, (text, _rc, merged) in enumerate(row) if text.strip() or merged)
        grid = [
            [(text, Locator("cell", sheet=name, row=rc[0], col=rc[1]), merged) for text, rc, merged in row[lo : hi + 1]]
            for row in run
        ]
        b.table(grid)
        run.clear()

    for row in rows:
        filled = [(c, cell) for c, cell in enumerate(row) if cell[0].strip()]
        if len(filled) >= 2:
            run.append(row)
            continue
        flush()
        if filled:
            _c, (text, rc, _m) = filled[0]
            b.paragraph([(" ".join(text.split()), Locator("cell", sheet=name, row=rc[0], col=rc[1]))])
        else:
            b.block_break()
    flush()


# ----------------------------------------------------------------------------- number formats


def display(value, number_format: str | None) -> str:
    """A cell's value as Excel shows it under ``number_format`` (the parts the genre's workbooks use:
    General, fixed decimals, thousands separators, percentages, literal text, dates)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    fmt = (number_format or "General").split(";")[0]
    if isinstance(value, (dt.datetime, dt.date)):
        return _date(value, fmt)
    if isinstance(value, dt.time):
        return value.isoformat()
    if not isinstance(value, (int, float, Decimal)):
        return str(value)
    if fmt in ("General", "@", ""):
        return _general(value)
    literal_prefix, literal_suffix, core = _split_literals(fmt)
    core = _FILLERS.sub("", _BRACKETS.sub("", core))
    if "%" in core:
        value = Decimal(repr(value)) * 100
    if "E" in core.upper() or not re.search(r"[0#?]", core):
        return literal_prefix + _general(value) + literal_suffix
    number_part = re.search(r"[#0?,]*(\.[0#?]*)?", core[re.search(r"[#0?]", core).start() :]).group()
    places = len(number_part.split(".")[1]) if "." in number_part else 0
    try:
        d = Decimal(repr(value)) if not isinstance(value, Decimal) else value
        d = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return _general(value)
    text = f"{d:,.{places}f}" if "," in number_part.split(".")[0] else f"{d:.{places}f}"
    return literal_prefix + text + ("%" if "%" in core else "") + literal_suffix


def _split_literals(fmt: str) -> tuple[str, str, str]:
    """(text before the number, text after it, the format without them) of a format section."""
    fmt = _ESCAPED.sub(lambda m: '"' + m.group(1) + '"', fmt)
    first = re.search(r"[#0?.,]", _QUOTED.sub(lambda m: " " * len(m.group()), fmt))
    if not first:
        return "", "".join(_QUOTED.findall(fmt)), fmt
    head, tail = fmt[: first.start()], fmt[first.start() :]
    return "".join(_QUOTED.findall(head)), "".join(_QUOTED.findall(tail)), _QUOTED.sub("", tail)


def _general(value) -> str:
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e15):
        return str(int(value))
    d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    text = format(d.normalize(), "f") if abs(d) >= Decimal("1e-9") or d == 0 else repr(value)
    if isinstance(value, float) and len(text.replace("-", "").replace(".", "")) > 11:
        text = f"{value:.10g}"  # Excel's General shows at most 11 significant digits
    return text


def _date(value, fmt: str) -> str:
    day = value if isinstance(value, dt.date) else value.date()
    if "年" in fmt or "月" in fmt:
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()
