"""Tables in normalised report text: find them, name their columns, repair broken rows.

Three rendered forms are read: tab-separated lines, pipe tables (`| a | b |`, empty cells as runs
of `||`), and one cell per line (a PDF or web flattening: a header of column names one per line,
then rows of that many lines, a blank line being an empty cell).

Column names, category vocabulary, table kinds and units come from ingest/data/tables.toml.

Repairs (recorded in `Row.flags`, cells are never dropped):
- a row is aligned to the header by a small edit-distance alignment: empty cells may be removed
  or inserted (cost 1 each), a cell may sit in a column only if it fits it (a category term only in
  its category column, no number in a name column …). Flags tell where cells SAT in the input:
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
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from ingest.source import read_data

if TYPE_CHECKING:
    from ingest.normalise import Normalised

_INF = 10**6
_NUMBER = re.compile(r"^[≥≤<>=＞＜约近超]*\s*-?\d[\d,]*(\.\d+)?\s*(%|‰|万元|元|亿元|万)?$")
_VALUE_LIKE = re.compile(r"^[≥≤<>=＞＜]|^-?\d")
_PIPE_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
_BRACKETED = re.compile(r"[（(][^（）()]*[）)]")


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


@cache
def _conf() -> dict[str, Any]:
    conf = read_data("tables.toml")
    return {
        **conf,
        "column_res": [(c["role"], [re.compile(p) for p in c["patterns"]]) for c in conf["column"]],
        "vocab_map": _vocab_map(conf["vocab"]),
        "total_re": re.compile(conf["total"]["pattern"]),
        "subtotal_re": re.compile(conf["total"]["subtotal"]),
        "unit_header_re": re.compile(conf["units"]["header"]),
        "unit_caption_re": re.compile(conf["units"]["caption"]),
    }


def _vocab_map(vocab: dict[str, list[str]]) -> dict[str, frozenset[str]]:
    roles: dict[str, set[str]] = {}
    for role, terms in vocab.items():
        for term in terms:
            roles.setdefault(term, set()).add(role)
    return {term: frozenset(rs) for term, rs in roles.items()}


def vocab_roles(text: str) -> frozenset[str]:
    """Category roles of a cell text ("社会效益指标" → {"level2"}); empty when not a category term."""
    term = re.sub(r"\s+", "", text)
    term = term[:-2] if term.endswith("指标") and len(term) > 2 else term
    return _conf()["vocab_map"].get(term, frozenset())


def column_role(header: str) -> str | None:
    """Role of a header cell from tables.toml ("下达预算数（万元）" → "approved"), or None."""
    name = re.sub(r"\s+", "", _BRACKETED.sub("", header))
    if not name:
        return None
    for role, patterns in _conf()["column_res"]:
        if any(p.search(name) for p in patterns):
            return role
    return None


# ----------------------------------------------------------------------------- line scanning


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


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


def _is_column_name_line(line: str, max_chars: int) -> str | None:
    stripped = line.strip()
    if not stripped or len(stripped) > max_chars or re.search(r"[，。；：,;|\t]", stripped):
        return None
    return column_role(stripped)


def flattened_regions(lines: list[str]) -> list[tuple[int, int, int]]:
    """One-cell-per-line tables as (first line, end line exclusive, width), by line index."""
    conf = _conf()["flattened"]
    regions: list[tuple[int, int, int]] = []
    i, n = 0, len(lines)
    while i < n:
        roles: list[str] = []
        j = i
        while j < n and (role := _is_column_name_line(lines[j], conf["max_header_chars"])):
            roles.append(role)
            j += 1
        if len(set(roles)) < conf["min_columns"]:
            i = max(j, i + 1)
            continue
        width, end = len(roles), j
        while end < n:
            group = lines[end : end + width]
            if all(not g.strip() for g in group) or any(_ends_flattened(g, conf["max_cell_chars"]) for g in group):
                break
            end += len(group)
        while end > j and not lines[end - 1].strip():
            end -= 1
        regions.append((i, end, width))
        i = max(end, j)
    return regions


def _ends_flattened(line: str, max_chars: int) -> bool:
    """A line that cannot be a cell: a numbered heading, a long line, or a sentence of prose."""
    from ingest.sections import match_number  # sections imports this module

    stripped = line.strip()
    return bool(match_number(stripped)) or len(stripped) > max_chars or (len(stripped) > 30 and stripped.endswith("。"))


# ----------------------------------------------------------------------------- finding tables


def find_tables(norm: Normalised) -> list[Table]:
    """All tables of the normalised text, in document order."""
    text = norm.text
    spans = _line_spans(text)
    lines = [text[s:e] for s, e in spans]
    forms = [line_form(line) for line in lines]
    flat = {first: (end, width) for first, end, width in flattened_regions(lines)}
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        if i in flat:
            end, width = flat[i]
            tables.append(_flattened_table(text, spans, i, end, width))
            i = end
        elif forms[i] in ("tab", "pipe"):
            first = i
            raw_rows, i = _collect_rows(text, spans, forms, i)
            if raw_rows:
                table = _build_table(raw_rows, forms[first])
                table.unit_hint = table.unit_hint or _caption_unit(lines, first)
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


def _flattened_table(text: str, spans: list[tuple[int, int]], first: int, end: int, width: int) -> Table:
    header = [_cell(text, *spans[first + c]) for c in range(width)]
    raw = [Row(header, spans[first][0], spans[first + width - 1][1])]
    k = first + width
    while k < end:
        group = spans[k : min(k + width, end)]
        cells = [_cell(text, s, e) for s, e in group]
        raw.append(Row(cells, group[0][0], group[-1][1]))
        k += width
    lines = [text[s:e] for s, e in spans]
    table = _build_table(raw, "lines")
    table.unit_hint = table.unit_hint or _caption_unit(lines, first)
    return table


def _caption_unit(lines: list[str], first: int) -> str | None:
    for k in range(first - 1, max(first - 3, -1), -1):
        if m := _conf()["unit_caption_re"].search(lines[k]):
            return m.group("unit")
        if lines[k].strip():
            return None
    return None


def _build_table(raw: list[Row], form: str) -> Table:
    conf = _conf()
    start, end = raw[0].start, raw[-1].end
    h = next((k for k, r in enumerate(raw[:3]) if sum(column_role(c.text) is not None for c in r.cells) >= 2), None)
    if h is None:
        kv = _key_value_table(raw, form)
        if kv is not None:
            return kv
        h = 0
    header, preamble, body = raw[h].cells, raw[:h], raw[h + 1 :]
    columns = [column_role(c.text) for c in header]
    for col, role in enumerate(columns):
        if role is None and not header[col].text:
            columns[col] = _role_from_data(body, col)
    kind = next(
        (
            k["key"]
            for k in conf["kind"]
            if set(k["all"]) <= set(columns) and (not k["any"] or set(k["any"]) & set(columns))
        ),
        None,
    )
    rows: list[Row] = []
    total: Row | None = None
    for row in body:
        _repair(row, columns)
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


def _role_from_data(body: list[Row], col: int) -> str | None:
    for row in body:
        if col < len(row.cells) and row.cells[col].text:
            roles = sorted(vocab_roles(row.cells[col].text))
            return roles[0] if len(roles) == 1 else None
    return None


def _header_unit(header: list[Cell]) -> str | None:
    conf = _conf()
    found = [m.group("unit") for c in header if (m := conf["unit_header_re"].search(c.text))]
    money = [u for u in found if u in conf["units"]["money"]]
    return money[0] if money else None


def _key_value_table(raw: list[Row], form: str) -> Table | None:
    conf = _conf()["key_value"]
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


def _fit(text: str, role: str | None, present: frozenset[str | None]) -> int:
    """Cost of putting a cell with `text` into a column with `role` (0 = fits).

    `present` is the set of the table's column roles: a category term is bound to its own column
    only when the table has such a column.
    """
    if not text:
        return 0
    numbers = _conf()["numbers"]
    term_roles = vocab_roles(text) & present
    if term_roles:
        return 0 if role in term_roles else _INF
    if role in numbers["category_roles"]:
        return 1 if text.endswith("指标") and len(text) <= 12 else 3
    if role in numbers["roles"]:
        return 0 if _NUMBER.match(text.replace(" ", "")) or text in numbers["placeholders"] else 2
    if role in numbers["name_roles"]:
        return 3 if _VALUE_LIKE.match(text) else 0
    return 0


def _align(cells: list[Cell], roles: list[str | None]) -> list[int | None] | None:
    """Column of each cell (None = cell removed), by least-cost alignment; None if impossible.

    Removing or inserting an empty cell costs 1; a non-empty cell is never removed. Ties keep cells
    where they are (placements are preferred, so inserted blanks go as far right as possible).
    """
    n, w = len(cells), len(roles)
    present = frozenset(roles)
    cost = [[_INF] * (w + 1) for _ in range(n + 1)]
    cost[n][w] = 0
    for i in range(n, -1, -1):
        for j in range(w, -1, -1):
            if i == n and j == w:
                continue
            options = []
            if i < n and j < w:
                options.append(_fit(cells[i].text, roles[j], present) + cost[i + 1][j + 1])
            if i < n and not cells[i].text:
                options.append(1 + cost[i + 1][j])
            if j < w:
                options.append(1 + cost[i][j + 1])
            cost[i][j] = min(_INF, *options) if options else _INF
    if cost[0][0] >= _INF:
        return None
    placed: list[int | None] = []
    i = j = 0
    while i < n:
        if j < w and _fit(cells[i].text, roles[j], present) + cost[i + 1][j + 1] == cost[i][j]:
            placed.append(j)
            i, j = i + 1, j + 1
        elif not cells[i].text and 1 + cost[i + 1][j] == cost[i][j]:
            placed.append(None)
            i += 1
        else:
            j += 1
    return placed


def _repair(row: Row, columns: list[str | None]) -> None:
    """Align `row.cells` to the columns in place, adding flags (see the module docstring)."""
    w = len(columns)
    original = row.cells
    if len(original) < w:
        row.flags.append("padded")
    placed = _align(original, columns)
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
    order = _conf()["inherit"]["roles"]
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
