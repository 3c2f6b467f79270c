"""The one intermediate form every document becomes: its extracted text, its tables as tables, where
each stretch of the text sits in the document (locators), and the document's metadata.

The text is what the report reader parses, and what every span's offsets index: it is kept (the
report graph holds it, content-addressed), so ``oa:exact`` equals ``text[oa:start:oa:end]`` for
every format. Tables are rendered into it as tab-separated rows (the form ingest/tables.py reads
best): a merged cell's text sits in its top-left position, the positions it covers are empty
cells, and a row with no text at all is an empty line.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple


class Locator(NamedTuple):
    """Where a stretch of extracted text sits in the document.

    ``kind`` is "pdf" (``page`` 1-based; ``box`` = left, top, right, bottom in PDF points from the
    page's top-left corner, as RFC 8118's viewrect counts), "cell" (``sheet`` and 0-based ``row``,
    ``col`` of a workbook cell; for DOCX and HTML tables the cell's element is in ``path``) or
    "xpath" (``path``: an XPath to the element holding the text — into word/document.xml for DOCX,
    into the page for HTML).
    """

    kind: str
    page: int = 0
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    sheet: str = ""
    row: int = 0
    col: int = 0
    path: str = ""
    # (a named tuple, not a dataclass: a PDF has one a character, and a tuple is built 5x faster)


@dataclass
class TableCell:
    text: str
    start: int  # offsets in the extracted text ([start, start) for an empty cell)
    end: int
    locator: Locator | None
    merged: bool = False  # a position covered by another cell (rowspan/colspan/merged range)


@dataclass
class DocTable:
    rows: list[list[TableCell]]
    start: int
    end: int
    ruled: bool = True  # False: a PDF table found by text alignment, not by its rules


@dataclass
class Extracted:
    """A document read: ``text`` with ``pieces`` (start, end, locator) sorted by start and not
    overlapping, the tables, and metadata (索引号, 发布机构, 发布日期, title, page count …)."""

    format: str  # "pdf" | "docx" | "xlsx" | "xls" | "html"
    media_type: str
    text: str
    pieces: list[tuple[int, int, Locator]]
    tables: list[DocTable] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None  # HTML: the charset the page was decoded with
    # (start, end, level) of the paragraphs the document marks as headings (DOCX heading styles and
    # outline levels, HTML h1-h6); the section parser reads numbering, not these, so far
    headings: list[tuple[int, int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._starts = [p[0] for p in self.pieces]

    def locators(self, start: int, end: int) -> list[Locator]:
        """The locators of the pieces that overlap [start, end), in text order (a locator shared by
        several pieces, such as a merged cell's, may repeat)."""
        i = max(0, bisect.bisect_right(self._starts, start) - 1)
        j = bisect.bisect_left(self._starts, end, lo=i)
        return [loc for s, e, loc in self.pieces[i:j] if e > start]


class TextBuilder:
    """Accumulates the extracted text with the locator of every piece added."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pieces: list[tuple[int, int, Locator]] = []
        self.tables: list[DocTable] = []
        self.headings: list[tuple[int, int, int]] = []
        self.pos = 0

    def add(self, text: str, locator: Locator | None = None) -> tuple[int, int]:
        start = self.pos
        if text:
            self.parts.append(text)
            self.pos += len(text)
            if locator is not None:
                self.pieces.append((start, self.pos, locator))
        return start, self.pos

    def tail(self, n: int) -> str:
        """The last ``n`` characters written (fewer at the start)."""
        out = ""
        for part in reversed(self.parts):
            out = part + out
            if len(out) >= n:
                break
        return out[-n:]

    def block_break(self) -> None:
        """End the current block: a blank line after it (none at the very start, never two)."""
        if not self.pos:
            return
        tail = self.tail(2)
        if tail == "\n\n":
            return
        self.add("\n" if tail.endswith("\n") else "\n\n")

    def paragraph(self, pieces: Iterable[tuple[str, Locator | None]], heading: int = 0) -> None:
        """A paragraph (its pieces joined as they are), as a block of its own; ``heading`` is its
        heading level when the document marks it as one (0: body text)."""
        items = [(t, loc) for t, loc in pieces if t]
        if not "".join(t for t, _ in items).strip():
            return
        self.block_break()
        start = self.pos
        for t, loc in items:
            self.add(t, loc)
        if heading:
            self.headings.append((start, self.pos, heading))

    def table(
        self, grid: Sequence[Sequence[tuple[str, Locator | None, bool]]], ruled: bool = True, cont: bool = False
    ) -> None:
        """A table as tab-separated rows; ``grid`` cells are (text, locator, merged) with merged
        cells already expanded (text only in the top-left position). Tabs and line breaks inside
        a cell become spaces; an all-empty row is an empty line. ``cont``: the rows continue the
        table written last (a table running on across a page break)."""
        if not grid:
            return
        last = self.tables[-1] if cont and self.tables else None
        if last is not None and self.parts and self.parts[-1] == "\n\n" and last.end == self.pos - 2:
            self.parts.pop()
            self.pos -= 2
            self.add("\n")
        else:
            last = None
            self.block_break()
        start = self.pos
        rows: list[list[TableCell]] = []
        for r, row in enumerate(grid):
            if r:
                self.add("\n")
            cells: list[TableCell] = []
            if not any(text.strip() for text, _loc, _m in row):
                rows.append([TableCell("", self.pos, self.pos, loc, m) for _t, loc, m in row])
                continue
            for c, (text, loc, merged) in enumerate(row):
                if c:
                    self.add("\t")
                clean = " ".join(text.split())
                s, e = self.add(clean, loc)
                cells.append(TableCell(clean, s, e, loc, merged))
            rows.append(cells)
        if last is not None:
            last.rows.extend(rows)
            last.end = self.pos
        else:
            self.tables.append(DocTable(rows, start, self.pos, ruled))
        self.block_break()

    def build(self, fmt: str, media_type: str, metadata: dict[str, str], encoding: str | None = None) -> Extracted:
        text = "".join(self.parts).rstrip("\n") + "\n"
        pieces = [p for p in self.pieces if p[0] < len(text)]
        return Extracted(fmt, media_type, text, pieces, self.tables, metadata, encoding, self.headings)
