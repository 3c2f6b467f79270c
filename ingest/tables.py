"""Tables in normalised report text: find them, name their columns, repair broken rows.

Three rendered forms are read: tab-separated lines, pipe tables (`| a | b |`, empty cells as runs
of `||`), and one cell per line (a PDF or web flattening: a header of column names one per line,
then rows of about that many lines, a blank line being an empty cell; the body is cut into rows by
the shapes of its cells, so a row with one cell too many or too few does not shift the rows after
it — see `jixiao.ingest.layout.flattened_layouts`).

Column names, category vocabulary, table kinds and units come from ingest/data/tables.toml; which
lines are a one-cell-per-line table and how a row's cells align to the columns are decided in
`jixiao.ingest.layout` (normalisation needs the first too).

One block of rows may hold several tables: a row of column names inside it (a sub-header, e.g. the
budget, goals and indicator parts of the Hunan 自评表) starts a new table with its own columns, kind
and unit; a title row right above it is that table's preamble (see `_build_tables`).

Repairs (recorded in `Row.flags`, cells are never dropped):
- a row is aligned to the header by a small edit-distance alignment (`layout.align`): empty cells may be removed
  or inserted (cost 1 each), a cell may sit in a column only if it fits it (a category term only in
  its category column, no number in a name column, only a serial number in a 序号 column, only
  ≥ / ≤ / = / 定性 … in a 指标性质 column …). Flags tell where cells SAT in the input:
  "shifted_left" — some cell sat left of its column (e.g. 社会效益指标 printed in the 一级指标 column),
  "shifted_right" — some cell sat right of its column (e.g. a spurious empty cell before it);
  "padded" when the row had fewer cells than the header; "merged_overflow" when it had more
  non-empty cells than columns (the surplus is merged into the last cell);
- blank category cells inherit the category of the row above ("inherited", `Row.inherited`);
- "no_name" when the row's name cell is empty (the row is kept);
- "blank_line_inside" on a row that follows a blank line inside the table;
- "subtotal" on 小计 rows; the 合计/总计 row is `Table.total_row`, not in `rows`.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from jixiao.ingest.layout import (
    NUMBER_CELL,
    align,
    bare,
    column_role,
    flattened_layouts,
    rules,
    suffixed_categories,
    vocab_roles,
)
from jixiao.ingest.lines import line_form

if TYPE_CHECKING:
    from jixiao.ingest.normalise import Normalised

_PIPE_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")


@dataclass
class Cell:
    """One cell: stripped text and its span [start, end) in the normalised text."""

    text: str
    start: int
    end: int


@dataclass
class Row:
    """A table row aligned to the header columns (len(cells) == len(header) when there is one)."""

    cells: list[Cell]
    start: int
    end: int
    flags: list[str] = field(default_factory=list)
    inherited: dict[int, Cell] = field(default_factory=dict)

    def value(self, col: int) -> Cell:
        """The cell of column `col`, or the cell it inherited from a row above when blank."""
        cell = self.cells[col]
        return self.inherited.get(col, cell) if not cell.text else cell


@dataclass
class Table:
    """A table found in the normalised text; see the module docstring for the repairs."""

    kind: str | None
    header: list[Cell]
    columns: list[str | None]
    unit_hint: str | None
    rows: list[Row]
    total_row: Row | None
    start: int
    end: int
    form: str = "tab"  # "tab" | "pipe" | "lines"
    preamble: list[Row] = field(default_factory=list)  # rows above the header (titles)

    def col(self, role: str) -> int | None:
        """Index of the first column with `role`, or None."""
        return self.columns.index(role) if role in self.columns else None

    def get(self, row: Row, role: str) -> str:
        """Text of `row` in the column with `role` (inherited value included), "" when absent."""
        col = self.col(role)
        return "" if col is None or col >= len(row.cells) else row.value(col).text


# ----------------------------------------------------------------------------- line scanning


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _split_cells(text: str, start: int, end: int, form: str) -> list[Cell]:
    line = text[start:end]
    if form == "tab":
        bounds = [-1] + [i for i, c in enumerate(line) if c == "\t"] + [len(line)]
    else:
        lead = len(line) - len(line.lstrip())
        trail = len(line.rstrip())
        bounds = [i for i, c in enumerate(line) if c == "|"]
        if not bounds or bounds[0] != lead:
            bounds.insert(0, lead - 1)
        if bounds[-1] != trail - 1:
            bounds.append(trail)
    return [_cell(text, start + a + 1, start + b) for a, b in itertools.pairwise(bounds)]


def _cell(text: str, start: int, end: int) -> Cell:
    s, e = start, end
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return Cell(text[s:e], s, e) if e > s else Cell("", start, start)


# ----------------------------------------------------------------------------- finding tables


def find_tables(norm: Normalised) -> list[Table]:
    """All tables of the normalised text, in document order."""
    text = norm.text
    spans = _line_spans(text)
    lines = [text[s:e] for s, e in spans]
    forms = [line_form(line) for line in lines]
    flat = {first: (end, width, rows) for first, end, width, rows in flattened_layouts(lines)}
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        if i in flat:
            end, width, rows = flat[i]
            tables.extend(_flattened_tables(text, spans, i, width, rows))
            i = max(end, i + 1)
        elif forms[i] in ("tab", "pipe"):
            first = i
            raw_rows, i = _collect_rows(text, spans, forms, i)
            caption = _caption_unit(lines, first)
            for table in _build_tables(raw_rows, forms[first]) if raw_rows else []:
                table.unit_hint = table.unit_hint or caption
                tables.append(table)
        else:
            i += 1
    return tables


def _collect_rows(text: str, spans: list[tuple[int, int]], forms: list[str], i: int) -> tuple[list[Row], int]:
    """Rows of a tab or pipe table starting at line i; returns them and the next line index."""
    form = forms[i]
    rows: list[Row] = []
    width = None
    gap = False
    while i < len(spans):
        if forms[i] == form:
            s, e = spans[i]
            cells = _split_cells(text, s, e, form)
            if not (form == "pipe" and _PIPE_SEPARATOR.match(text[s:e].strip())):
                rows.append(Row(cells, s, e, ["blank_line_inside"] if gap else []))
                width = width or len(cells)
            gap = False
            i += 1
            continue
        if forms[i] != "blank":
            break
        k = i
        while k < len(spans) and forms[k] == "blank":
            k += 1
        if k == len(spans) or forms[k] != form or width is None:
            break
        s, e = spans[k]
        if abs(len(_split_cells(text, s, e, form)) - width) > 1:
            break
        gap, i = True, k
    return rows, i


def _flattened_tables(
    text: str, spans: list[tuple[int, int]], first: int, width: int, rows: list[tuple[int, int, bool]]
) -> list[Table]:
    header = [_cell(text, *spans[first + c]) for c in range(width)]
    lead = next((c for c, h in enumerate(header) if h.text), 0)  # a blank first header cell is not the start
    raw = [Row(header, spans[first + lead][0], spans[first + width - 1][1])]
    for a, b, gap in rows:
        cells = [_cell(text, *spans[k]) for k in range(a, b)]
        raw.append(Row(cells, spans[a][0], spans[b - 1][1], ["blank_line_inside"] if gap else []))
    lo = max(first - 2, 0)  # the caption is one of the two lines above (all lines: quadratic in tables)
    caption = _caption_unit([text[s:e] for s, e in spans[lo:first]], first - lo)
    tables = _build_tables(raw, "lines")
    for table in tables:
        table.unit_hint = table.unit_hint or caption
    return tables


def _caption_unit(lines: list[str], first: int) -> str | None:
    for k in range(first - 1, max(first - 3, -1), -1):
        if m := rules()["unit_caption_re"].search(lines[k]):
            return m.group("unit")
        if lines[k].strip():
            return None
    return None


def _build_tables(raw: list[Row], form: str) -> list[Table]:
    """The tables of one block of rows. The header, and every later sub-header row (`_is_subheader`),
    opens a table of its own: the Hunan 自评表 prints its budget, goals and indicator parts in one grid,
    each under its own column names. Title rows right above a sub-header (`_is_title`) go to its
    table's preamble; rows above the first header are a key/value table when they read as one, else
    the first table's preamble."""
    h = _first_header(raw)
    subs = [k for k, r in enumerate(raw) if k > (-1 if h is None else h) and _is_subheader(r)]
    if h is None and not subs:
        return [_build_table(raw, form)]
    heads = ([] if h is None else [h]) + subs
    tables: list[Table] = []
    start = 0
    if h is None and (kv := _key_value_table(raw[: heads[0]], form)) is not None:
        tables, start = [kv], heads[0]
    for k, head in enumerate(heads):
        end = len(raw) if k + 1 == len(heads) else heads[k + 1]
        while k + 1 < len(heads) and end - 1 > head and _is_title(raw[end - 1]):
            end -= 1
        tables.append(_build_table(raw[start:end], form, head - start))
        start = end
    return tables


def _first_header(raw: list[Row]) -> int | None:
    """The header among the first three rows: the first with two or more column names."""
    return next((k for k, r in enumerate(raw[:3]) if sum(column_role(c.text) is not None for c in r.cells) >= 2), None)


def _is_subheader(row: Row) -> bool:
    """A row of column names inside a table: short cells, most of them column names (at least
    `min_roles` different roles), numbers in fewer than half of them."""
    conf = rules()["subheader"]
    texts = [c.text for c in row.cells if c.text]
    if any(len(t) > conf["max_cell_chars"] for t in texts):
        return False
    roles = [column_role(t) for t in texts]
    named = [r for r in roles if r is not None]
    numeric = sum(bool(NUMBER_CELL.match(t.replace(" ", ""))) for t in texts)
    return len(set(named)) >= conf["min_roles"] and 2 * len(named) >= len(texts) and 2 * numeric < len(texts)


def _is_title(row: Row) -> bool:
    """A title row: at most one non-empty cell, or a key of the key/value layouts and its value."""
    texts = [c.text for c in row.cells if c.text]
    keys = {re.sub(r"\s+", "", k) for k in rules()["key_value"]["keys"]}
    return len(texts) <= 1 or (len(texts) == 2 and re.sub(r"\s+", "", texts[0]) in keys)


def _build_table(raw: list[Row], form: str, h: int | None = None) -> Table:
    """One table from its rows; `h` is the header row (found among the first rows when None)."""
    conf = rules()
    start, end = raw[0].start, raw[-1].end
    if h is None:
        h = _first_header(raw)
    if h is None:
        kv = _key_value_table(raw, form)
        if kv is not None:
            return kv
        h = 0
    header, preamble, body = raw[h].cells, raw[:h], raw[h + 1 :]
    columns = _header_roles_of(header, body)
    kind = None
    for k in conf["kind"]:
        if not (set(k["all"]) <= set(columns) and (not k["any"] or set(k["any"]) & set(columns))):
            continue
        if "labels" in k:
            col = _label_column(body, columns, k["labels"])
            if col is None:
                continue
            columns[col] = k["label_role"]
        kind = k["key"]
        break
    rows: list[Row] = []
    total: Row | None = None
    suffixed = _suffixed_categories(body)
    for row in body:
        _repair(row, columns, suffixed)
        label = next((c.text for c in row.cells[:2] if c.text), "")
        if total is None and conf["total_re"].match(re.sub(r"\s+", "", label)):
            total = row
            continue
        if conf["subtotal_re"].match(label):
            row.flags.append("subtotal")
        rows.append(row)
    _inherit(rows, columns)
    name_col = next((k for k, r in enumerate(columns) if r in conf["numbers"]["name_roles"]), 0)
    for row in rows:
        if name_col < len(row.cells) and not row.value(name_col).text and "subtotal" not in row.flags:
            row.flags.append("no_name")
    return Table(kind, header, columns, _header_unit(header), rows, total, start, end, form, preamble)


def _header_roles_of(header: list[Cell], body: list[Row]) -> list[str | None]:
    """Column roles of a header row. A blank header cell takes a role from its data
    (`_role_from_data`); a category term naming a column whose role another column also has (绩效指标
    before 三级指标) is a category column."""
    columns = [column_role(c.text) for c in header]
    held = Counter(columns)  # the roles in `columns` as it changes (set() and count() each column: quadratic)
    for col, role in enumerate(columns):
        extra = vocab_roles(header[col].text) - held.keys()
        if role is not None and held[role] > 1 and extra:
            columns[col] = min(extra)
            held[role] -= 1
            held[columns[col]] += 1
    named = frozenset(columns)
    for col, role in enumerate(columns):
        if role is None and not header[col].text:
            columns[col] = _role_from_data(body, col, named)
    return columns


def _label_column(body: list[Row], columns: list[str | None], words: list[str]) -> int | None:
    """The first unnamed column holding a row label with one of `words` ("其中：基本支出")."""
    for row in body:
        for col, cell in enumerate(row.cells[: len(columns)]):
            if columns[col] is None and any(w in bare(cell.text) for w in words):
                return col
    return None


def _suffixed_categories(body: list[Row]) -> bool:
    return suffixed_categories([c.text for r in body for c in r.cells])


def _role_from_data(body: list[Row], col: int, named: frozenset[str | None]) -> str | None:
    """Role of a column with a blank header from its first category term, when no other column has it.

    (A term of a named role in that column is a shifted cell, not evidence: "效益指标" printed one
    column left of 一级指标.)"""
    for row in body:
        if col < len(row.cells) and (roles := vocab_roles(row.cells[col].text) - named):
            return min(roles) if len(roles) == 1 else None
    return None


def _header_unit(header: list[Cell]) -> str | None:
    conf = rules()
    found = [m.group("unit") for c in header if (m := conf["unit_header_re"].search(c.text))]
    money = [u for u in found if u in conf["units"]["money"]]
    return money[0] if money else None


def _key_value_table(raw: list[Row], form: str) -> Table | None:
    conf = rules()["key_value"]
    keys = {re.sub(r"\s+", "", k) for k in conf["keys"]}
    hits = sum(1 for r in raw for k, c in enumerate(r.cells) if k % 2 == 0 and re.sub(r"\s+", "", c.text) in keys)
    if hits < conf["min_keys"]:
        return None
    width = max(len(r.cells) for r in raw)
    width += width % 2
    for r in raw:
        if len(r.cells) < width:
            r.flags.append("padded")
            r.cells += [Cell("", r.end, r.end)] * (width - len(r.cells))
    columns: list[str | None] = ["key", "value"] * (width // 2)
    return Table("key_value", [], columns, None, raw, None, raw[0].start, raw[-1].end, form)


# ----------------------------------------------------------------------------- repairs


def _repair(row: Row, columns: list[str | None], suffixed: bool = False) -> None:
    """Align `row.cells` to the columns in place, adding flags (see the module docstring)."""
    w = len(columns)
    original = row.cells
    if len(original) < w:
        row.flags.append("padded")
    placed = align([c.text for c in original], columns, suffixed)
    if placed is None:
        _merge_overflow(row, w)
        return
    cells: list[Cell | None] = [None] * w
    for k, (cell, col) in enumerate(zip(original, placed, strict=True)):
        if col is None:
            continue
        cells[col] = cell
        if cell.text and col > k and "shifted_left" not in row.flags:
            row.flags.append("shifted_left")
        if cell.text and col < k and "shifted_right" not in row.flags:
            row.flags.append("shifted_right")
    for col in range(w - 1, -1, -1):
        if cells[col] is None:
            nxt = cells[col + 1].start if col + 1 < w and cells[col + 1] is not None else row.end
            cells[col] = Cell("", nxt, nxt)
    row.cells = [c for c in cells if c is not None]


def _merge_overflow(row: Row, w: int) -> None:
    cells = [c for c in row.cells if c.text] if sum(bool(c.text) for c in row.cells) > w else row.cells
    if len(cells) > w:
        last = cells[w - 1]
        merged = [c.text for c in cells[w - 1 :]]
        cells = [*cells[: w - 1], Cell("\t".join(merged), last.start, cells[-1].end)]
        row.flags.append("merged_overflow")
    row.cells = cells + [Cell("", row.end, row.end)] * (w - len(cells))


def _inherit(rows: list[Row], columns: list[str | None]) -> None:
    """Blank category cells take the value of the row above (shallower columns first)."""
    order = rules()["inherit"]["roles"]
    cols = sorted((c for c, r in enumerate(columns) if r in order), key=lambda c: order.index(columns[c] or ""))
    previous: dict[int, Cell] = {}
    for row in rows:
        chain = True  # a deeper column inherits only while every shallower one is blank
        for col in cols:
            cell = row.cells[col]
            if cell.text:
                chain = False
                previous[col] = cell
            elif chain and col in previous:
                row.inherited[col] = previous[col]
            elif not chain:
                previous.pop(col, None)
        if row.inherited:
            row.flags.append("inherited")
