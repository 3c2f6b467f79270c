"""PDF with a text layer → the intermediate form (pypdfium2: PDFium's text layer and path objects).

Per page: the characters with their boxes (PDFium's generated spaces and line ends skipped), the
ruling lines (stroked or thin filled path segments). Ruled tables first: the rules are joined into
grids, a missing inner rule merges the cells beside it, and each grid cell takes the characters whose
centre lies inside it. The other characters become lines (by their vertical centres), in reading
order top to bottom; a run of lines whose characters leave wide gaps at the same places is a
text-aligned table. Lines in the top and bottom margin bands that repeat on most pages (digits
compared as one) or look like page numbers are page furniture and dropped.

Lines become paragraphs where the geometry says so (a short line, an indented or a far-below next
line, another font size); a paragraph that runs on across a page break is rejoined when the last line
of the page is full and the first of the next is not indented, otherwise the page boundary is a blank
line and ingest/normalise.py joins it as for a text file. A table continued on the next page (same
column count) stays one table; a header row repeated there is dropped.

Coordinates in locators are PDF points from the top-left corner of the page's crop box (RFC 8118
viewrect), pages counted from 1. Page rotation is not applied (the genre's reports are portrait).
"""

from __future__ import annotations

import bisect
import ctypes
import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from jixiao.errors import InputError
from jixiao.ingest import datafiles
from jixiao.ingest.documents import _require, limits
from jixiao.ingest.documents.model import Extracted, Locator, TextBuilder

_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_WORDISH = re.compile(r"[0-9A-Za-z]")
_LATIN = re.compile(r"[A-Za-z]")
_DIGITS = re.compile(r"[0-9]+")
_BLANKS = re.compile(r"\s+")


@cache
def _conf() -> dict:
    conf = datafiles.toml("documents.toml")["pdf"]
    return {**conf, "page_number_res": [re.compile(p) for p in conf["page_number"]]}


@dataclass
class Char:
    c: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class Line:
    chars: list[Char]
    page: int
    x0: float = 0.0
    top: float = 0.0
    x1: float = 0.0
    bottom: float = 0.0
    size: float = 0.0
    cells: list[list[Char]] = field(default_factory=list)  # segments split at wide gaps

    def __post_init__(self) -> None:
        self.chars.sort(key=lambda ch: ch.x0)
        ink = [ch for ch in self.chars if not ch.c.isspace()] or self.chars
        self.x0 = min(ch.x0 for ch in ink)
        self.x1 = max(ch.x1 for ch in ink)
        self.top = min(ch.top for ch in ink)
        self.bottom = max(ch.bottom for ch in ink)
        self.size = statistics.median(ch.size for ch in ink)
        gap = _conf()["cell_gap"] * self.size
        cells: list[list[Char]] = [[]]
        prev = None
        for ch in ink:
            if prev is not None and ch.x0 - prev.x1 > gap:
                cells.append([])
            cells[-1].append(ch)
            prev = ch
        self.cells = cells

    @property
    def text(self) -> str:
        return _join_chars(self.chars)


@dataclass
class Grid:
    """A ruled table on one page: cell regions (row, col, rowspan, colspan, box) and their text."""

    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    nrows: int
    ncols: int
    cells: list[tuple[int, int, int, int, tuple[float, float, float, float], list[Char]]]


def read(path: Path, data: bytes, fmt: str) -> Extracted:
    pdfium = _require("pypdfium2", "PDF", path)
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise InputError("encrypted PDF: a password is needed to open it", file=path) from None
        raise InputError(f"corrupt PDF: {exc}", file=path) from None
    try:
        n = len(doc)
        lim = limits()
        if n == 0:
            raise InputError("PDF with no pages", file=path)
        if n > lim["max_pages"]:
            raise InputError(f"PDF with {n:,} pages (limit {lim['max_pages']:,})", file=path)
        pages = [_read_page(doc[i], i + 1) for i in range(n)]
        metadata = {k: v for k, v in (("title", _meta(doc, "Title")),) if v}
    finally:
        doc.close()
    chars = sum(len(ln.chars) for lines, _grids, _h in pages for ln in lines) + sum(
        len(c[5]) for _lines, grids, _h in pages for g in grids for c in g.cells
    )
    if chars < lim["min_chars_per_page"] * n:
        raise InputError(
            f"no text layer: scanned document; OCR is not supported ({chars} characters on {n} pages)", file=path
        )
    metadata["pages"] = str(n)
    b = TextBuilder()
    _layout(pages, b)
    return b.build("pdf", "application/pdf", metadata)


def _meta(doc, key: str) -> str:
    try:
        return (doc.get_metadata_value(key) or "").strip()
    except Exception:  # a damaged Info dictionary: no metadata, not an error
        return ""


# ----------------------------------------------------------------------------- one page


def _read_page(page, number: int) -> tuple[list[Line], list[Grid], float]:
    import pypdfium2.raw as raw

    left, bottom, _right, top = page.get_cropbox()
    height = top - bottom
    tp = page.get_textpage()
    chars: list[Char] = []
    rect = raw.FS_RECTF()
    ref = ctypes.byref(rect)
    get_unicode, is_generated, get_box, get_size = (
        raw.FPDFText_GetUnicode,
        raw.FPDFText_IsGenerated,
        raw.FPDFText_GetLooseCharBox,  # the advance width and the font's ascent/descent, not the ink
        raw.FPDFText_GetFontSize,
    )
    handle = tp.raw
    for i in range(tp.count_chars()):
        code = get_unicode(handle, i)
        if code < 32 or code in (0xFFFE, 0xFFFF) or is_generated(handle, i) == 1:
            continue
        if not get_box(handle, i, ref):
            continue
        size = get_size(handle, i) or (rect.top - rect.bottom) or 10.0
        chars.append(Char(chr(code), rect.left - left, top - rect.top, rect.right - left, top - rect.bottom, size))
    tp.close()
    grids = _grids(_rules(page, left, top), chars, number)
    inside = set()
    for g in grids:
        for *_rc, _box, members in g.cells:
            inside.update(id(ch) for ch in members)
    free = [ch for ch in chars if id(ch) not in inside]
    return _lines(free, number), grids, height


def _rules(page, left: float, top: float) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """(horizontal, vertical) ruling segments: (y, x0, x1) and (x, y0, y1) in top-left coordinates."""
    import pypdfium2.raw as raw

    conf = _conf()
    hs: list[tuple[float, float, float]] = []
    vs: list[tuple[float, float, float]] = []
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    x, y = ctypes.c_float(), ctypes.c_float()
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=4):
        handle = obj.raw
        if (
            raw.FPDFPath_GetDrawMode(handle, ctypes.byref(fill), ctypes.byref(stroke))
            and not fill.value
            and not stroke.value
        ):
            continue  # invisible (a clipping path)
        x0, y0, x1, y1 = obj.get_bounds()
        if min(x1 - x0, y1 - y0) <= conf["snap"]:  # a thin rectangle or a line: one rule
            if x1 - x0 >= y1 - y0 and x1 - x0 >= conf["min_rule"]:
                hs.append((top - (y0 + y1) / 2, x0 - left, x1 - left))
            elif y1 - y0 > x1 - x0 and y1 - y0 >= conf["min_rule"]:
                vs.append((x0 - left + (x1 - x0) / 2, top - y1, top - y0))
            continue
        m = obj.get_matrix()
        points: list[tuple[float, float, bool] | None] = []
        start = None
        for k in range(raw.FPDFPath_CountSegments(handle)):
            seg = raw.FPDFPath_GetPathSegment(handle, k)
            if not raw.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y)):
                continue
            kind = raw.FPDFPathSegment_GetType(seg)
            point = (
                m.a * x.value + m.c * y.value + m.e,
                m.b * x.value + m.d * y.value + m.f,
                kind == raw.FPDF_SEGMENT_BEZIERTO,
            )
            if kind == raw.FPDF_SEGMENT_MOVETO:
                points.append(None)
                start = (point[0], point[1], False)
            points.append(point)
            if raw.FPDFPathSegment_GetClose(seg) and start is not None:
                points.append(start)
        for a, b in itertools.pairwise(points):
            if a is None or b is None or b[2]:
                continue
            (ax, ay, _), (bx, by, _) = a, b
            if abs(ay - by) < 0.5 and abs(ax - bx) >= conf["min_rule"]:
                hs.append((top - ay, min(ax, bx) - left, max(ax, bx) - left))
            elif abs(ax - bx) < 0.5 and abs(ay - by) >= conf["min_rule"]:
                vs.append((ax - left, top - max(ay, by), top - min(ay, by)))
    return hs, vs


def _snap(values: list[float], tol: float) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= tol:
            continue
        out.append(v)
    return out


def _merge_segments(segs: list[tuple[float, float, float]], tol: float) -> list[tuple[float, float, float]]:
    """Collinear segments (same coordinate within tol) that touch or overlap, joined."""
    out: list[list[float]] = []
    for pos, a, b in sorted(segs, key=lambda s: (round(s[0] / tol), s[1])):
        last = out[-1] if out else None
        if last and abs(last[0] - pos) <= tol and a <= last[2] + tol:
            last[2] = max(last[2], b)
        else:
            out.append([pos, a, b])
    return [(p, a, b) for p, a, b in out]


def _grids(rules, chars: list[Char], page: int) -> list[Grid]:
    tol = _conf()["snap"]
    hs = _merge_segments(rules[0], tol)
    vs = _merge_segments(rules[1], tol)
    if len(hs) < 2 or len(vs) < 2:
        return []
    # tables: connected groups of crossing rules
    n = len(hs) + len(vs)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (y, hx0, hx1) in enumerate(hs):
        for j, (x, vy0, vy1) in enumerate(vs):
            if hx0 - tol <= x <= hx1 + tol and vy0 - tol <= y <= vy1 + tol:
                parent[find(i)] = find(len(hs) + j)
    groups: dict[int, tuple[list, list]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    grids = []
    for ghs, gvs in groups.values():
        if len(ghs) < 2 or len(gvs) < 2:
            continue
        grid = _grid(ghs, gvs, chars, page, tol)
        if grid is not None:
            grids.append(grid)
    return sorted(grids, key=lambda g: g.top)


def _covered(segs: list[tuple[float, float, float]], pos: float, a: float, b: float, tol: float) -> bool:
    """Whether rules at coordinate ``pos`` cover most of [a, b]."""
    length = 0.0
    for p, s, e in segs:
        if abs(p - pos) <= tol:
            length += max(0.0, min(e, b) - max(s, a))
    return length >= 0.6 * (b - a)


def _grid(hs, vs, chars: list[Char], page: int, tol: float) -> Grid | None:
    ys = _snap([h[0] for h in hs], tol)
    xs = _snap([v[0] for v in vs], tol)
    if len(ys) < 2 or len(xs) < 2:
        return None
    nrows, ncols = len(ys) - 1, len(xs) - 1
    if nrows * ncols < 2:
        return None  # one box (a frame around text), not a table
    cell_of = {(r, c): (r, c) for r in range(nrows) for c in range(ncols)}

    def root(rc):
        while cell_of[rc] != rc:
            rc = cell_of[rc]
        return rc

    for r in range(nrows):
        for c in range(ncols):
            if c + 1 < ncols and not _covered(vs, xs[c + 1], ys[r], ys[r + 1], tol):
                cell_of[root((r, c + 1))] = root((r, c))
            if r + 1 < nrows and not _covered(hs, ys[r + 1], xs[c], xs[c + 1], tol):
                cell_of[root((r + 1, c))] = root((r, c))
    regions: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for rc in cell_of:
        regions.setdefault(root(rc), []).append(rc)
    members_of: dict[tuple[int, int], list[Char]] = {key: [] for key in regions}
    for ch in chars:  # each character into the grid cell its centre falls in, then into that cell's region
        cx, cy = (ch.x0 + ch.x1) / 2, ch.cy
        if not (xs[0] <= cx <= xs[-1] and ys[0] <= cy <= ys[-1]):
            continue
        c = min(bisect.bisect_right(xs, cx) - 1, ncols - 1)
        r = min(bisect.bisect_right(ys, cy) - 1, nrows - 1)
        members_of[root((r, c))].append(ch)
    cells = []
    for key, members in regions.items():
        r0, r1 = min(m[0] for m in members), max(m[0] for m in members)
        c0, c1 = min(m[1] for m in members), max(m[1] for m in members)
        box = (xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1])
        cells.append((r0, c0, r1 - r0 + 1, c1 - c0 + 1, box, members_of[key]))
    if not any(cell[5] for cell in cells):
        return None
    cells.sort(key=lambda cell: (cell[0], cell[1]))
    return Grid(page, ys[0], ys[-1], xs[0], xs[-1], nrows, ncols, cells)


def _lines(chars: list[Char], page: int) -> list[Line]:
    """Characters grouped into lines by their vertical centres, top to bottom."""
    out: list[Line] = []
    current: list[Char] = []
    centre = height = 0.0
    for ch in sorted(chars, key=lambda ch: (ch.cy, ch.x0)):
        h = max(ch.bottom - ch.top, ch.size * 0.5)
        if current and abs(ch.cy - centre) > 0.5 * max(height, h):
            out.append(Line(current, page))
            current = []
        if not current:
            centre, height = ch.cy, h
        current.append(ch)
    if current:
        out.append(Line(current, page))
    return [ln for ln in out if ln.text.strip()]


def _join_chars(chars: list[Char]) -> str:
    """The characters of one line, with one space where a gap or a space character separates them."""
    out: list[str] = []
    prev = None
    for ch in chars:
        if ch.c.isspace():
            if out and out[-1] != " ":
                out.append(" ")
            prev = ch
            continue
        if prev is not None and not prev.c.isspace() and ch.x0 - prev.x1 > 0.3 * ch.size and out and out[-1] != " ":
            out.append(" ")
        out.append(ch.c)
        prev = ch
    return "".join(out).strip()


# ----------------------------------------------------------------------------- the document


def _furniture(pages: list[tuple[list[Line], list[Grid], float]]) -> set[int]:
    conf = _conf()
    band = conf["margin_band"]
    keys: Counter[str] = Counter()
    candidates: list[tuple[Line, str]] = []
    for lines, _grids, height in pages:
        seen = set()
        for ln in lines:
            if ln.bottom <= band * height or ln.top >= (1 - band) * height:
                key = str(round(ln.size)) + ":" + _DIGITS.sub("#", _BLANKS.sub("", ln.text))
                candidates.append((ln, key))
                seen.add(key)
        keys.update(seen)
    drop = set()
    for ln, key in candidates:
        text = ln.text.strip()
        if any(p.match(text) for p in conf["page_number_res"]) or (
            len(pages) > 1 and keys[key] >= max(2, conf["repeat_share"] * len(pages))
        ):
            drop.add(id(ln))
    return drop


def _layout(pages: list[tuple[list[Line], list[Grid], float]], b: TextBuilder) -> None:
    drop = _furniture(pages)
    body = [ln for lines, _g, _h in pages for ln in lines if id(ln) not in drop]
    if not body:
        return
    left = Counter(round(ln.x0) for ln in body).most_common(1)[0][0]
    right = max(ln.x1 for ln in body if ln.x0 <= left + 2 * ln.size)
    pitch = _pitch(body)
    para: list[Line] = []
    last_table: list | None = None  # (ncols, first row texts) of the table just written, for continuations
    for lines, grids, _height in pages:
        items: list[tuple[float, object]] = [(ln.top, ln) for ln in lines if id(ln) not in drop]
        items += [(g.top, g) for g in grids]
        items.sort(key=lambda it: it[0])
        page_start = True
        i = 0
        while i < len(items):
            item = items[i][1]
            if isinstance(item, Grid):
                _flush(b, para)
                para = []
                last_table = _write_grid(b, item, last_table if page_start else None)
                page_start = False
                i += 1
                continue
            # a run of text lines with aligned wide gaps: a text-aligned table
            run = _aligned_run(items, i)
            if run:
                _flush(b, para)
                para = []
                _write_aligned(b, run)
                last_table = None
                i += len(run)
                page_start = False
                continue
            ln = item
            if para:
                prev = para[-1]
                same_page = prev.page == ln.page
                ends = (
                    prev.x1 < right - 1.5 * prev.size
                    or ln.x0 > left + 0.8 * ln.size
                    or abs(ln.size - prev.size) > 0.6
                    or (same_page and ln.top - prev.top > 1.45 * pitch)
                    or len(prev.cells) > 1
                    or len(ln.cells) > 1
                )
                if ends:
                    _flush(b, para)
                    para = []
                elif not same_page:
                    pass  # a full last line and an unindented first line: the paragraph runs on
            para.append(ln)
            last_table = None
            page_start = False
            i += 1
    _flush(b, para)


def _pitch(lines: list[Line]) -> float:
    steps = [
        b.top - a.top
        for a, b in itertools.pairwise(lines)
        if a.page == b.page and 0 < b.top - a.top < 3 * a.size and abs(a.size - b.size) < 0.5
    ]
    return statistics.median(steps) if steps else 1.5 * statistics.median(ln.size for ln in lines)


def _flush(b: TextBuilder, para: list[Line]) -> None:
    if not para:
        return
    pieces: list[tuple[str, Locator | None]] = []
    prev_char = ""
    for k, ln in enumerate(para):
        text_chars = _line_pieces(ln)
        if k and text_chars:
            first = text_chars[0][0]
            if para[k - 1].chars[-1].c.isspace() or (_LATIN.match(prev_char) and _LATIN.match(first[0])):
                pieces.append((" ", None))  # a space set at the line's end; two Latin words wrapped apart
        pieces.extend(text_chars)
        if text_chars:
            prev_char = text_chars[-1][0][-1:]
    # leading indentation (full-width spaces of a first line) is not text
    while pieces and not pieces[0][0].strip():
        pieces.pop(0)
    if pieces:
        pieces[0] = (pieces[0][0].lstrip(), pieces[0][1])
    b.paragraph(pieces)


def _line_pieces(ln: Line) -> list[tuple[str, Locator | None]]:
    """One piece a character (each with its own box), spaces as in `_join_chars`."""
    out: list[tuple[str, Locator | None]] = []
    prev = None
    for ch in ln.chars:
        if ch.c.isspace():
            if out and out[-1][0] != " ":
                out.append((" ", None))
            prev = ch
            continue
        if prev is not None and not prev.c.isspace() and ch.x0 - prev.x1 > 0.3 * ch.size and out and out[-1][0] != " ":
            out.append((" ", None))
        out.append((ch.c, _loc(ln.page, ch.x0, ch.top, ch.x1, ch.bottom)))
        prev = ch
    while out and out[-1][0] == " ":
        out.pop()
    return out


def _loc(page: int, x0: float, top: float, x1: float, bottom: float) -> Locator:
    return Locator("pdf", page=page, box=(round(x0, 1), round(top, 1), round(x1, 1), round(bottom, 1)))


def _cell_text(chars: list[Char], page: int) -> str:
    lines = _lines(list(chars), page)
    out = ""
    for ln in lines:
        t = ln.text
        if out and t and _WORDISH.match(out[-1]) and _WORDISH.match(t[0]):
            out += " "
        out += t
    return out


def _write_grid(b: TextBuilder, g: Grid, previous: list | None) -> list:
    grid: list[list[tuple[str, Locator | None, bool]]] = [
        [("", None, False) for _ in range(g.ncols)] for _ in range(g.nrows)
    ]
    for r0, c0, rs, cs, box, members in g.cells:
        loc = _loc(g.page, *box)
        for r in range(r0, r0 + rs):
            for c in range(c0, c0 + cs):
                grid[r][c] = ("", loc, True)
        grid[r0][c0] = (_cell_text(members, g.page), loc, False)
    first = [t for t, _l, _m in grid[0]]
    if previous is not None and previous[0] == g.ncols:
        if first == previous[1]:
            grid = grid[1:]  # the header row repeated on the next page
        b.table(grid, cont=True)
        return previous
    b.table(grid)
    return [g.ncols, first]


def _aligned_run(items: list[tuple[float, object]], i: int) -> list[Line]:
    """Lines from ``items[i]`` on that split into cells at the same places (two or more lines)."""
    run: list[Line] = []
    while i + len(run) < len(items):
        item = items[i + len(run)][1]
        if not isinstance(item, Line) or len(item.cells) < 2:
            break
        run.append(item)
    if len(run) < 2 or not any(len(ln.cells) >= 3 for ln in run):
        return []
    return run


def _write_aligned(b: TextBuilder, run: list[Line]) -> None:
    """A text-aligned table: columns are the x-ranges its cells occupy (overlapping ranges merged).
    A line closer to the one above than rows are to each other continues that row's cells (a cell
    whose text wraps)."""
    spans = sorted((cell[0].x0, cell[-1].x1) for ln in run for cell in ln.cells)
    cols: list[list[float]] = []
    for a, e in spans:
        if cols and a <= cols[-1][1]:
            cols[-1][1] = max(cols[-1][1], e)
        else:
            cols.append([a, e])
    steps = sorted(b_.top - a_.top for a_, b_ in itertools.pairwise(run))
    row_step = steps[len(steps) // 2] if steps else 0.0
    rows: list[list[list[Char]]] = []
    for k, ln in enumerate(run):
        placed: list[list[Char]] = [[] for _ in cols]
        for cell in ln.cells:
            mid = (cell[0].x0 + cell[-1].x1) / 2
            placed[next((j for j, (a, e) in enumerate(cols) if a <= mid <= e), 0)].extend(cell)
        continues = (
            k > 0
            and rows
            and ln.top - run[k - 1].top < 0.85 * row_step
            and all(not chars or rows[-1][j] for j, chars in enumerate(placed))
        )
        if continues:
            for j, chars in enumerate(placed):
                rows[-1][j].extend(chars)
        else:
            rows.append(placed)
    grid = []
    for placed in rows:
        row: list[tuple[str, Locator | None, bool]] = []
        for chars in placed:
            if not chars:
                row.append(("", None, False))
                continue
            box = _loc(
                run[0].page,
                min(c.x0 for c in chars),
                min(c.top for c in chars),
                max(c.x1 for c in chars),
                max(c.bottom for c in chars),
            )
            row.append((_cell_text(chars, run[0].page), box, False))
        grid.append(row)
    b.table(grid, ruled=False)
