"""Table layout by line: which lines of a text are a one-cell-per-line table, and how a row of
cells aligns to a table's columns. Shared by `normalise` (table lines are never joined as page
breaks) and `tables` (which builds the tables): it works on plain lines, before and after
normalisation. Column names, the category vocabulary and the alignment costs come from
ingest/data/tables.toml.

A cell fits a column at a cost (`_fit`: 0 = fits; a category term only in its category column, no
number in a name column, …); a row's alignment is the least-cost placement of its cells in the
columns, removing or inserting empty cells at cost 1 each (`align`). One-cell-per-line bodies are
cut into rows by the same costs (`_segment`).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

from jixiao.ingest.datafiles import toml
from jixiao.ingest.lines import match_number

_INF = 10**6
NUMBER_CELL = re.compile(r"^[≥≤<>=＞＜约近超]*\s*-?\d[\d,]*(\.\d+)?\s*(%|‰|万元|元|亿元|万)?$")
_VALUE_LIKE = re.compile(r"^[≥≤<>=＞＜]|^-?\d[\d,.]*\s*[^\d\s]{0,3}$")  # "≥95%", "4座", not "2022年…经费"
_BRACKETED = re.compile(r"[（(][^（）()]*[）)]")
_SPACE_RUN = re.compile(r"\s+")


@cache
def rules() -> dict[str, Any]:
    """ingest/data/tables.toml with its patterns compiled (cached; read-only)."""
    conf = toml("tables.toml")
    return {
        **conf,
        "column_res": [(c["role"], [re.compile(p) for p in c["patterns"]]) for c in conf["column"]],
        # all column patterns in one: a name none of them matches (most lines) is told in one search
        "column_any_re": re.compile("|".join(f"(?:{p})" for c in conf["column"] for p in c["patterns"]) or "(?!)"),
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


@lru_cache(maxsize=1 << 16)
def vocab_roles(text: str) -> frozenset[str]:
    """Category roles of a cell text ("社会效益指标", "产出指标（50分）" → {"level2"}, {"level1"}); empty
    when not a category term. A bracketed aside (the points of a category) is not part of the term."""
    term = bare(text)
    term = term[:-2] if term.endswith("指标") and len(term) > 2 else term
    return rules()["vocab_map"].get(term, frozenset())


def bare(text: str) -> str:
    """`text` without whitespace and bracketed asides ("产出指标（50分）" → "产出指标")."""
    return _SPACE_RUN.sub("", _BRACKETED.sub("", text))


@lru_cache(maxsize=1 << 14)
def column_role(header: str) -> str | None:
    """Role of a header cell from tables.toml ("下达预算数（万元）" → "approved"), or None. Cached: every
    line of a report is tried as a header."""
    name = bare(header)
    if not name or not rules()["column_any_re"].search(name):
        return None
    for role, patterns in rules()["column_res"]:
        if any(p.search(name) for p in patterns):
            return role
    return None


def _is_column_name_line(line: str, max_chars: int) -> str | None:
    stripped = line.strip()
    if not stripped or len(stripped) > max_chars or re.search(r"[，。；：,;|\t]", stripped) or vocab_roles(stripped):
        return None  # a category term ("绩效指标") is a cell even when it could name a column
    return column_role(stripped)


def flattened_regions(lines: list[str]) -> list[tuple[int, int, int]]:
    """One-cell-per-line tables as (first line, end line exclusive, width), by line index."""
    return [(first, end, width) for first, end, width, _ in flattened_layouts(lines)]


def flattened_layouts(lines: list[str]) -> list[tuple[int, int, int, list[tuple[int, int, bool]]]]:
    """One-cell-per-line tables with their rows: (first, end, width, [(row start, row end, after a gap)]).

    A header is at least `min_columns` consecutive column-name lines. The body runs until a line that
    cannot be a cell (a heading, a sentence), another header, or more than `width` blank lines. It is
    cut into rows by `_segment` from the shapes of the cells, not by a fixed stride, so a row printed
    with one cell too many or too few does not misalign the rows after it. A header whose first cell
    is blank (the category column of the Guangdong form) flattens to a blank line that cannot be told
    from the one before the table: it is taken as a column when the rows fit better with it.
    """
    conf = rules()["flattened"]
    regions: list[tuple[int, int, int, list[tuple[int, int, bool]]]] = []
    i, n = 0, len(lines)
    while i < n:
        roles = _header_roles(lines, i)
        if len(set(roles)) < conf["min_columns"]:
            i += max(len(roles), 1)
            continue
        width = len(roles)
        j = stop = i + width
        blanks = 0
        while stop < n and not _ends_flattened(lines[stop], conf["max_cell_chars"]):
            blanks = blanks + 1 if not lines[stop].strip() else 0
            if blanks > width or (not blanks and len(set(_header_roles(lines, stop))) >= conf["min_columns"]):
                break
            stop += 1
        body = [x.strip() for x in lines[j:stop]]
        cost, rows = _segment(body, roles)
        if cost and i > (regions[-1][1] if regions else 0) and not lines[i - 1].strip():
            extra = sorted({r for t in body for r in vocab_roles(t)} - set(roles))  # as `_role_from_data`
            cost_blank, rows_blank = _segment(body, [extra[0] if len(extra) == 1 else None, *roles])
            if cost_blank < cost:
                i, width, rows = i - 1, width + 1, rows_blank
        rows = [(j + a, j + b, gap) for a, b, gap in rows]
        regions.append((i, rows[-1][1] if rows else j, width, rows))
        i = regions[-1][1]
    return regions


def _header_roles(lines: list[str], i: int) -> list[str]:
    max_chars = rules()["flattened"]["max_header_chars"]
    roles: list[str] = []
    while i + len(roles) < len(lines) and (role := _is_column_name_line(lines[i + len(roles)], max_chars)):
        roles.append(role)
    return roles


def _segment(cells: list[str], roles: list[str | None]) -> tuple[int, list[tuple[int, int, bool]]]:
    """Rows of a one-cell-per-line body as (start, end, after a gap), by least total cost; and that cost.

    A row takes width - 1, width or width + 1 lines, costing its alignment to the columns (`_align`);
    a row with fewer than two filled cells costs `sparse_row_cost` more (a row has a label and a
    value, or two values: blank lines between rows are gaps, not the cells of a near-empty row);
    a blank line between rows costs 1; lines left over at the end cost `drop_cost` each when not blank
    and nothing when they read as prose (a sentence cut by a page break): they are not part of the
    table, and on a tie they are left out.
    """
    w, m = len(roles), len(cells)
    present, suffixed = frozenset(roles), suffixed_categories(cells)
    conf = rules()["flattened"]
    left = [0] * (m + 1)  # cost of leaving out lines p… of the body
    for p in range(m - 1, -1, -1):
        prose = any(mark in cells[p] for mark in conf["prose_marks"])
        left[p] = left[p + 1] + (conf["drop_cost"] if cells[p] and not prose else 0)
    best: list[tuple[int, int]] = [(0, 0)] * (m + 1)  # (cost, next step: 0 = stop, -1 = gap, k = a row of k)
    for p in range(m - 1, -1, -1):
        options = [(left[p], 0)]
        if not cells[p]:
            options.append((1 + best[p + 1][0], -1))
        for k in (w, w - 1, w + 1):
            if not (0 < k <= m - p and any(cells[p : p + k])):
                continue
            if k != w and 1 + best[p + k][0] >= min(o[0] for o in options):
                continue  # a row of the wrong length costs at least 1 and loses ties: cannot win
            row = cells[p : p + k]
            sparse = conf["sparse_row_cost"] if w > 2 and sum(map(bool, row)) < 2 else 0
            options.append((_row_cost(tuple(row), tuple(roles), present, suffixed) + sparse + best[p + k][0], k))
        best[p] = min(options, key=lambda o: (o[0], o[1] != 0, o[1] != w, o[1] != -1))
    rows: list[tuple[int, int, bool]] = []
    p, gap = 0, False
    while p < m and best[p][1] != 0 and best[p][0] < _INF:
        k = best[p][1]
        if k == -1:
            gap, p = True, p + 1
            continue
        rows.append((p, p + k, gap))
        gap, p = False, p + k
    return best[0][0], rows


def _ends_flattened(line: str, max_chars: int) -> bool:
    """A line that cannot be a cell: a numbered heading, a long line, a sentence of prose, or a clause
    cut by a page break (ending with "，" or "；": a cell does not)."""
    stripped = line.strip()
    return (
        bool(match_number(stripped))
        or len(stripped) > max_chars
        or (len(stripped) > 30 and stripped.endswith("。"))
        or stripped.endswith(tuple(rules()["flattened"]["clause_ends"]))
    )


def suffixed_categories(texts: list[str]) -> bool:
    """True when most category terms among `texts` end with 指标 ("数量指标", not "数量")."""
    terms = [t for t in texts if vocab_roles(t)]
    return 2 * sum(bare(t).endswith("指标") for t in terms) > len(terms)


@lru_cache(maxsize=1 << 16)
def _fit(text: str, role: str | None, present: frozenset[str | None], suffixed: bool = False) -> int:
    """Cost of putting a cell with `text` into a column with `role` (0 = fits).

    `present` is the set of the table's column roles: a category term is bound to its own column
    only when the table has such a column. `suffixed`: the table prints its categories with 指标
    ("数量指标"), so a bare term ("社会公众满意度") is an indicator name, not a category.
    """
    if not text:
        return 0
    numbers = rules()["numbers"]
    suffix = bare(text).endswith("指标")
    term_roles = vocab_roles(text) & present if not suffixed or suffix else frozenset()
    if term_roles and role not in term_roles and role in numbers["name_roles"] and not suffix:
        return 1  # an indicator may be named like a category ("社会公众满意度" under 服务对象满意度指标)
    if term_roles:
        return 0 if role in term_roles else _INF
    if role in numbers["category_roles"]:
        return 1 if suffix and len(text) <= 12 else 3
    if role == "comparator":
        return 0 if text in numbers["comparators"] or text in numbers["placeholders"] else 2
    if role == "unit":
        return 0 if len(text) <= numbers["unit_max_chars"] and not re.search(r"\d", text) else 2
    if role in numbers["index_roles"]:
        return 0 if re.match(numbers["index_pattern"], text) else 3
    if role in numbers["roles"]:
        return 0 if NUMBER_CELL.match(text.replace(" ", "")) or text in numbers["placeholders"] else 2
    if role in numbers["name_roles"]:
        return 3 if _VALUE_LIKE.match(text) else 0
    return 0


@lru_cache(maxsize=1 << 14)
def _fit_row(
    text: str, roles: tuple[str | None, ...], present: frozenset[str | None], suffixed: bool
) -> tuple[int, ...]:
    """`_fit` of one cell text in each column (one cache look-up instead of one a column)."""
    return tuple(_fit(text, r, present, suffixed) for r in roles)


def _align_costs(
    texts: list[str], roles: list[str | None], present: frozenset[str | None], suffixed: bool
) -> list[list[int]]:
    """cost[i][j]: least cost of aligning texts[i:] to roles[j:] (see `_align`): the cheapest of
    placing texts[i] in column j, removing texts[i] when empty, or inserting a blank in column j
    (1 each), capped at _INF. Built a row at a time from the last, each row from its right end."""
    n, w = len(texts), len(roles)
    key = tuple(roles)
    below = list(range(w, -1, -1))  # cost[n][j]: blanks inserted in the w - j columns left
    cost = [below]
    for i in range(n - 1, -1, -1):
        fit = _fit_row(texts[i], key, present, suffixed)
        empty = not texts[i]
        cur = below[w] + 1 if empty and below[w] + 1 < _INF else _INF
        row = [cur] * (w + 1)
        for j in range(w - 1, -1, -1):
            best = fit[j] + below[j + 1]
            if empty and below[j] + 1 < best:
                best = below[j] + 1
            if cur + 1 < best:
                best = cur + 1
            cur = row[j] = best if best < _INF else _INF
        cost.append(row)
        below = row
    cost.reverse()
    return cost


@lru_cache(maxsize=1 << 14)
def _row_cost(
    texts: tuple[str, ...], roles: tuple[str | None, ...], present: frozenset[str | None], suffixed: bool
) -> int:
    """cost[0][0] of `_align_costs`, with a shortcut for a row that fits its columns as it stands.
    Cached: the segmentation tries the same lines against the same columns about twice."""
    if len(texts) == len(roles) and not any(_fit(t, r, present, suffixed) for t, r in zip(texts, roles, strict=True)):
        return 0
    return _align_costs(list(texts), list(roles), present, suffixed)[0][0]


def align(texts: list[str], roles: list[str | None], suffixed: bool = False) -> list[int | None] | None:
    """Column of each cell, given by its text (None = cell removed), by least-cost alignment; None
    if impossible.

    Removing or inserting an empty cell costs 1; a non-empty cell is never removed. Ties keep cells
    where they are (placements are preferred, so inserted blanks go as far right as possible).
    """
    n, w = len(texts), len(roles)
    present = frozenset(roles)
    cost = _align_costs(texts, roles, present, suffixed)
    if cost[0][0] >= _INF:
        return None
    placed: list[int | None] = []
    i = j = 0
    while i < n:
        if j < w and _fit(texts[i], roles[j], present, suffixed) + cost[i + 1][j + 1] == cost[i][j]:
            placed.append(j)
            i, j = i + 1, j + 1
        elif not texts[i] and 1 + cost[i + 1][j] == cost[i][j]:
            placed.append(None)
            i += 1
        else:
            j += 1
    return placed
