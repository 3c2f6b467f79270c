"""A document's extra provenance, added to a report's triples once extraction is done: the extracted
text (content-addressed, whole, so every span can be checked against it), the document's metadata,
and for every source span the selectors that point into the document itself:

- PDF: ``oa:FragmentSelector`` conforming to RFC 8118, ``page=N&viewrect=left,top,width,height``
  (PDF points from the page's top-left corner) with ``jx:pageNumber``;
- XLSX/XLS: ``jx:CellSelector`` (``'Sheet'!B5`` or a range ``B5:D7``);
- DOCX: ``oa:XPathSelector`` into ``word/document.xml`` (``jx:packagePart``), HTML: into the page.

A span over several pages, sheets or elements gets an ``oa:RangeSelector`` from its first to its last
one. The TextPosition/TextQuote selectors stay as they are: their offsets index the extracted text.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date

import pyoxigraph as ox
from rdflib.namespace import RDF, XSD

from jixiao import iris
from jixiao.ingest.documents.model import Extracted, Locator
from jixiao.ingest.emit import JX, OA, RDF_TYPE, TripleSet, integer, iri, text
from jixiao.ns import OA as OA_NS

OA_START, OA_END = OA.start, OA.end
OA_HAS_SELECTOR = OA.hasSelector
OA_FRAGMENT, OA_XPATH, OA_RANGE, OA_START_SELECTOR, OA_END_SELECTOR = (
    ox.NamedNode(f"{OA_NS}{name}")
    for name in ("FragmentSelector", "XPathSelector", "RangeSelector", "hasStartSelector", "hasEndSelector")
)
DCT_CONFORMS_TO = ox.NamedNode("http://purl.org/dc/terms/conformsTo")
PROV_DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
RFC8118 = ox.NamedNode("http://tools.ietf.org/rfc/rfc8118")
RDF_VALUE = ox.NamedNode(str(RDF.value))
XSD_DATE = ox.NamedNode(str(XSD.date))
DOCX_PART = "word/document.xml"
_PLAIN_SHEET = re.compile(r"^[\w\u4e00-\u9fff]+$")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def annotate(t: TripleSet, file: ox.NamedNode, doc: Extracted) -> None:
    """Add the document's provenance to the report's triples ``t`` (``file`` is its jx:SourceFile)."""
    add = t.add
    digest = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
    node = iri(iris.extracted_text(digest))
    add((file, JX.mediaType, text(doc.media_type)))
    add((file, JX.extractedText, node))
    add((node, RDF_TYPE, JX.ExtractedText))
    add((node, JX.sha256, text(digest)))
    add((node, JX.charCount, integer(len(doc.text))))
    add((node, RDF_VALUE, text(doc.text)))
    add((node, PROV_DERIVED, file))
    _metadata(t, file, doc.metadata)
    starts: dict[str, int] = {}
    ends: dict[str, int] = {}
    for s, p, o in list(t):
        if p == OA_START:
            starts[s.value] = int(o.value)
        elif p == OA_END:
            ends[s.value] = int(o.value)
    for pos in sorted(starts):
        span = iri(pos.removesuffix("/pos"))
        locators = doc.locators(starts[pos], ends[pos])
        if locators:
            _selectors(t, span, doc.format, locators)


def _metadata(t: TripleSet, file: ox.NamedNode, meta: dict[str, str]) -> None:
    add = t.add
    if meta.get("pages"):
        add((file, JX.pageCount, integer(int(meta["pages"]))))
    for key, prop in (
        ("index_number", JX.indexNumber),
        ("publisher", JX.publishingBody),
        ("document_number", JX.documentNumber),
    ):
        if meta.get(key):
            add((file, prop, text(meta[key])))
    m = _DATE.search(meta.get("publication_date", ""))
    if m:
        try:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            day = None
        if day is not None:
            add((file, JX.publicationDate, ox.Literal(day.isoformat(), datatype=XSD_DATE)))


def _selectors(t: TripleSet, span: ox.NamedNode, fmt: str, locators: list[Locator]) -> None:
    if fmt == "pdf":
        parts = _pdf_parts(locators)
    elif fmt in ("xlsx", "xls"):
        parts = _cell_parts(locators)
    else:
        parts = [("xpath", path) for path in dict.fromkeys(loc.path for loc in locators if loc.path)]
    if not parts:
        return
    node = iri(f"{span.value}/loc")
    t.add((span, OA_HAS_SELECTOR, node))
    if len(parts) == 1:
        _selector(t, node, fmt, parts[0])
        return
    first, last = iri(f"{node.value}/start"), iri(f"{node.value}/end")
    t.add((node, RDF_TYPE, OA_RANGE))
    t.add((node, OA_START_SELECTOR, first))
    t.add((node, OA_END_SELECTOR, last))
    _selector(t, first, fmt, parts[0])
    _selector(t, last, fmt, parts[-1])


def _pdf_parts(locators: list[Locator]) -> list[tuple]:
    """One box a page: the union of the boxes of the span's characters on it."""
    pages: dict[int, list[float]] = {}
    for loc in locators:
        x0, top, x1, bottom = loc.box
        box = pages.get(loc.page)
        if box is None:
            pages[loc.page] = [x0, top, x1, bottom]
            continue
        if x0 < box[0]:
            box[0] = x0
        if top < box[1]:
            box[1] = top
        if x1 > box[2]:
            box[2] = x1
        if bottom > box[3]:
            box[3] = bottom
    return [("pdf", page, tuple(box)) for page, box in pages.items()]


def _cell_parts(locators: list[Locator]) -> list[tuple]:
    sheets: dict[str, list[int]] = {}
    for loc in locators:
        if loc.kind != "cell":
            continue
        r = sheets.get(loc.sheet)
        if r is None:
            sheets[loc.sheet] = [loc.row, loc.col, loc.row, loc.col]
        else:
            r[0], r[1], r[2], r[3] = min(r[0], loc.row), min(r[1], loc.col), max(r[2], loc.row), max(r[3], loc.col)
    return [("cell", sheet, tuple(r)) for sheet, r in sheets.items()]


def column_letters(col: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell_ref(r0: int, c0: int, r1: int, c1: int) -> str:
    first = f"{column_letters(c0)}{r0 + 1}"
    return first if (r0, c0) == (r1, c1) else f"{first}:{column_letters(c1)}{r1 + 1}"


def sheet_ref(sheet: str, ref: str) -> str:
    name = sheet if _PLAIN_SHEET.match(sheet) else "'" + sheet.replace("'", "''") + "'"
    return f"{name}!{ref}"


def viewrect(box: tuple[float, float, float, float]) -> str:
    x0, top, x1, bottom = box
    return ",".join(_num(v) for v in (x0, top, x1 - x0, bottom - top))


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".") if v % 1 else str(int(v))


def _selector(t: TripleSet, node: ox.NamedNode, fmt: str, part: tuple) -> None:
    add = t.add
    if part[0] == "pdf":
        _kind, page, box = part
        add((node, RDF_TYPE, OA_FRAGMENT))
        add((node, DCT_CONFORMS_TO, RFC8118))
        add((node, RDF_VALUE, text(f"page={page}&viewrect={viewrect(box)}")))
        add((node, JX.pageNumber, integer(page)))
    elif part[0] == "cell":
        _kind, sheet, (r0, c0, r1, c1) = part
        ref = cell_ref(r0, c0, r1, c1)
        add((node, RDF_TYPE, JX.CellSelector))
        add((node, RDF_VALUE, text(sheet_ref(sheet, ref))))
        add((node, JX.sheetName, text(sheet)))
        add((node, JX.cellRange, text(ref)))
    else:
        add((node, RDF_TYPE, OA_XPATH))
        add((node, RDF_VALUE, text(part[1])))
        if fmt == "docx":
            add((node, JX.packagePart, text(DOCX_PART)))
