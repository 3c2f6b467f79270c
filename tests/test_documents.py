"""Published documents in: the same report as PDF, DOCX, XLSX, XLS and HTML — built in this test run
from its text (bench/documents.py) — gives the same facts as the text version; every span quotes the
extracted text kept in the graph; the document locators point at the right page, cell or element.

Reports: the two bundled samples (海源: Guangdong form, page breaks inside sentences, tab tables;
云溪: GB18030, Hunan form with a pipe-table 自评表 whose `||` runs become merged cells), two
fictional 自评表 documents (tests/data/documents: a project form with merged cells, a department form
with a budget-execution, a project and an indicator table), and the real report (../shared/corpus),
typeset as it is: its page-break blank lines stay paragraph breaks, which the reader and
normalisation must rejoin as they do in its text.
"""

from __future__ import annotations

import functools
import hashlib
import re
import tomllib
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from bench import documents as build
from jixiao.ingest.documents.annotate import cell_ref, column_letters
from jixiao.ingest.pipeline import ingest_file
from jixiao.ns import JX
from jixiao.validate import validate_graphs
from tests.conftest import REAL_REPORT

ROOT = Path(__file__).resolve().parents[1]
OA = "http://www.w3.org/ns/oa#"
W_NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
FORMATS = ["pdf", "docx", "xlsx", "xls", "html"]


def _sample(name: str) -> tuple[Path, str, list[tuple[str, str]]]:
    path = ROOT / "samples" / f"{name}.txt"
    faults = tomllib.loads((ROOT / "samples" / f"{name}.faults.toml").read_text(encoding="utf-8"))
    breaks = [(b["quote"], b["joined"]) for b in faults.get("page_break", [])]
    return path, faults["sample"]["encoding"], breaks


REPORTS = {
    "haiyuan": _sample("haiyuan-sports-bureau-2024"),
    "yunxi": _sample("yunxi-agriculture-2023"),
    "chengxi": (ROOT / "tests" / "data" / "documents" / "chengxi-sports-project-2024.txt", "utf-8", []),
    "luojiang": (ROOT / "tests" / "data" / "documents" / "luojiang-environment-2023.txt", "utf-8", []),
    "jiangmen": (REAL_REPORT, "utf-8", []),
}
CASES = [(name, fmt) for name in REPORTS for fmt in FORMATS]


@pytest.fixture(scope="module")
def docdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("documents")


@functools.cache
def _doc(name: str) -> build.Doc:
    path, encoding, breaks = REPORTS[name]
    return build.parse(path.read_bytes().decode(encoding), breaks)


_built: dict[tuple[str, str], Path] = {}


def built(docdir: Path, name: str, fmt: str) -> Path:
    """The report ``name`` as a ``fmt`` document (built once per test module)."""
    key = (name, fmt)
    if key not in _built or not _built[key].exists():
        out = docdir / f"{name}.{fmt}"
        writer = {"pdf": build.to_pdf, "docx": build.to_docx, "xlsx": build.to_xlsx, "xls": build.to_xls}.get(fmt)
        if fmt == "html":
            build.to_html(_doc(name), out, encoding="gb18030" if name == "yunxi" else "utf-8")
        elif fmt == "docx":
            build.to_docx(_doc(name), out, auto_numbering=name == "haiyuan")
        else:
            writer(_doc(name), out)
        _built[key] = out
    return _built[key]


@functools.cache
def _ingested(path: Path):
    return ingest_file(path)


# ----------------------------------------------------------------------------- what is compared


def _label(g: Graph, node) -> str:
    return re.sub(r"\s+", "", str(g.value(node, RDFS.label) or ""))


def identity(g: Graph) -> tuple:
    report = next(g.subjects(RDF.type, JX.Report))
    return (
        str(report),
        re.sub(r"\s+", "", str(g.value(report, JX.title))),
        str(g.value(report, JX.department)),
        str(g.value(report, JX.fiscalYear)),
        str(g.value(report, JX.reportKind)),
    )


def figures(g: Graph) -> Counter:
    """Every figure without its offsets: classes, value, multiplier, unit, qualifier, comparator,
    kind, phase, rate kind, what it counts and the label of what it is about."""
    out: Counter = Counter()
    for q in set(g.subjects(RDF.type, JX.Quantity)):
        out[
            (
                tuple(sorted(str(t).rsplit("#", 1)[-1] for t in g.objects(q, RDF.type))),
                Decimal(str(g.value(q, JX.value))),
                Decimal(str(g.value(q, JX.multiplier))),
                *(
                    str(g.value(q, p) or "")
                    for p in (JX.unit, JX.qualifier, JX.comparator, JX.figureKind, JX.budgetPhase, JX.rateKind)
                ),
                re.sub(r"\s+", "", str(g.value(q, JX.counts) or "")),
                _label(g, g.value(q, JX.about)) if g.value(q, JX.about) is not None else "",
                _label(g, g.value(q, JX.budgetLine)) if g.value(q, JX.budgetLine) is not None else "",
            )
        ] += 1
    return out


TABLE_CLASSES = ("Project", "Indicator", "BudgetUnit", "Duty", "RectificationIssue", "Evaluation", "Section")


def tables(g: Graph) -> Counter:
    """The resources tables and sections make, by class and label, with their flags."""
    out: Counter = Counter()
    for cls in TABLE_CLASSES:
        for node in set(g.subjects(RDF.type, JX[cls])):
            flags = tuple(sorted(str(f).rsplit("#", 1)[-1] for f in g.objects(node, JX.flag)))
            out[(cls, _label(g, node), flags)] += 1
    return out


def findings(g: Graph, graph_iri) -> Counter:
    result = validate_graphs([(graph_iri, g)], engine="sparql")
    return Counter(
        (str(f.shape).rsplit("#", 1)[-1], f.severity, re.sub(r"\s+", "", f.focus_label), f.path or "")
        for f in result.findings
    )


# Differences a format may show against the text version, each with the reason. Any other difference
# fails the comparison. (Empty: none was needed. A new entry must say why it is right.)
ALLOWED: dict[tuple[str, str], dict[str, str]] = {}


@pytest.mark.parametrize("name,fmt", CASES)
def test_the_same_report_gives_the_same_facts_in_every_format(docdir, name, fmt):
    text = _ingested(REPORTS[name][0])
    doc = _ingested(built(docdir, name, fmt))
    allowed = ALLOWED.get((name, fmt), {})
    assert identity(doc.graph) == identity(text.graph)
    for what, get in (("figures", figures), ("tables", tables)):
        if what in allowed:
            continue
        a, b = get(text.graph), get(doc.graph)
        assert a == b, f"{what}: only in text {a - b}; only in {fmt} {b - a}"
    assert sum(figures(doc.graph).values()) > 20
    if "findings" not in allowed:
        assert findings(doc.graph, doc.graph_iri) == findings(text.graph, text.graph_iri)


def _spans(g: Graph) -> list[tuple[URIRef, int, int, str]]:
    out = []
    for span in g.subjects(RDF.type, JX.SourceSpan):
        start = end = exact = None
        for sel in g.objects(span, URIRef(OA + "hasSelector")):
            if g.value(sel, URIRef(OA + "start")) is not None:
                start, end = int(g.value(sel, URIRef(OA + "start"))), int(g.value(sel, URIRef(OA + "end")))
            if g.value(sel, URIRef(OA + "exact")) is not None:
                exact = str(g.value(sel, URIRef(OA + "exact")))
        out.append((span, start, end, exact))
    return out


@pytest.mark.parametrize("name,fmt", CASES)
def test_every_span_quotes_the_extracted_text_kept_in_the_graph(docdir, name, fmt):
    res = _ingested(built(docdir, name, fmt))
    g = res.graph
    file = next(g.subjects(RDF.type, JX.SourceFile))
    node = g.value(file, JX.extractedText)
    kept = str(g.value(node, RDF.value))
    assert kept == res.source.text == res.source.document.text
    assert str(g.value(node, JX.sha256)) == hashlib.sha256(kept.encode()).hexdigest()
    assert str(node).endswith(hashlib.sha256(kept.encode()).hexdigest())
    spans = _spans(g)
    assert len(spans) > 30
    for span, start, end, exact in spans:
        assert kept[start:end] == exact, span
    media = {"pdf": "application/pdf", "html": "text/html", "xls": "application/vnd.ms-excel"}
    assert str(g.value(file, JX.mediaType)).startswith(media.get(fmt, "application/vnd.openxmlformats"))


def _figure_selectors(g: Graph, cls: URIRef) -> list[tuple[str, URIRef]]:
    """(exact, selector) of each figure's span whose document selector is a single ``cls``."""
    out = []
    for q in set(g.subjects(RDF.type, JX.Quantity)):
        span = g.value(q, JX.sourceSpan)
        exact = next(e for _s, _a, _b, e in _spans_of(g, span))
        for sel in g.objects(span, URIRef(OA + "hasSelector")):
            if (sel, RDF.type, cls) in g:
                out.append((exact, sel))
    return sorted(out)


def _spans_of(g: Graph, span):
    sub = Graph()
    for t in g.triples((span, None, None)):
        sub.add(t)
    for sel in g.objects(span, URIRef(OA + "hasSelector")):
        for t in g.triples((sel, None, None)):
            sub.add(t)
    return _spans(sub)


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


@pytest.mark.parametrize("name", list(REPORTS))
def test_pdf_fragment_selectors_point_at_the_page_and_box_holding_the_figure(docdir, name):
    import pypdfium2 as pdfium

    path = built(docdir, name, "pdf")
    g = _ingested(path).graph
    selectors = _figure_selectors(g, URIRef(OA + "FragmentSelector"))
    assert len(selectors) > 20
    pdf = pdfium.PdfDocument(str(path))
    pages_seen = set()
    for exact, sel in selectors:
        assert (sel, URIRef("http://purl.org/dc/terms/conformsTo"), URIRef("http://tools.ietf.org/rfc/rfc8118")) in g
        value = str(g.value(sel, RDF.value))
        m = re.fullmatch(r"page=(\d+)&viewrect=([\d.]+),([\d.]+),([\d.]+),([\d.]+)", value)
        assert m, value
        page_no = int(m.group(1))
        assert page_no == int(g.value(sel, JX.pageNumber))
        left, top, width, height = (float(x) for x in m.groups()[1:])
        page = pdf[page_no - 1]
        crop_left, _bottom, _right, crop_top = page.get_cropbox()
        textpage = page.get_textpage()
        # the page's text inside the rectangle (RFC 8118: from the top-left corner; a point of slack)
        x0, x1 = crop_left + left - 1, crop_left + left + width + 1
        inside = textpage.get_text_bounded(x0, crop_top - (top + height) - 1, x1, crop_top - top + 1)
        assert _squash(exact) in _squash(inside), (value, exact, inside)
        # and the page says it: the figure's digits are on that page
        assert _squash(exact) in _squash(textpage.get_text_range())
        pages_seen.add(page_no)
    assert len(pages_seen) >= 2 or name != "haiyuan"


@pytest.mark.parametrize("name", list(REPORTS))
def test_docx_xpath_selectors_name_the_paragraph_or_cell_holding_the_figure(docdir, name):
    from lxml import etree

    path = built(docdir, name, "docx")
    g = _ingested(path).graph
    root = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    selectors = _figure_selectors(g, URIRef(OA + "XPathSelector"))
    assert len(selectors) > 20
    kinds = set()
    for exact, sel in selectors:
        assert str(g.value(sel, JX.packagePart)) == "word/document.xml"
        path_ = str(g.value(sel, RDF.value))
        found = root.getroottree().xpath(path_, namespaces=W_NS)
        assert len(found) == 1, path_
        assert _squash(exact) in _squash("".join(found[0].itertext())), (path_, exact)
        kinds.add(etree.QName(found[0]).localname)
    assert "tc" in kinds and ("p" in kinds or name in ("chengxi", "luojiang"))


@pytest.mark.parametrize("name", list(REPORTS))
def test_html_xpath_selectors_name_the_element_holding_the_figure(docdir, name):
    import lxml.html

    path = built(docdir, name, "html")
    g = _ingested(path).graph
    raw = path.read_bytes()
    tree = lxml.html.document_fromstring(raw.decode("gb18030" if name == "yunxi" else "utf-8")).getroottree()
    selectors = _figure_selectors(g, URIRef(OA + "XPathSelector"))
    assert len(selectors) > 20
    for exact, sel in selectors:
        found = tree.xpath(str(g.value(sel, RDF.value)))
        assert len(found) == 1
        assert _squash(exact) in _squash(found[0].text_content()), (str(g.value(sel, RDF.value)), exact)


@pytest.mark.parametrize("name,fmt", [(n, f) for n in REPORTS for f in ("xlsx", "xls")])
def test_cell_selectors_name_the_cell_holding_the_figure(docdir, name, fmt):
    path = built(docdir, name, fmt)
    g = _ingested(path).graph
    selectors = _figure_selectors(g, JX.CellSelector)
    assert len(selectors) > 20
    values = _cells(path, fmt)
    checked = 0
    for exact, sel in selectors:
        sheet, ref = str(g.value(sel, JX.sheetName)), str(g.value(sel, JX.cellRange))
        assert str(g.value(sel, RDF.value)) == f"{sheet}!{ref}"
        if ":" in ref:
            continue  # a figure quoted across cells (a range): checked by the span test
        raw = values[sheet][ref]
        number = re.search(r"\d+(?:\.\d+)?", exact)
        if isinstance(raw, str):
            assert _squash(exact) in _squash(raw), (ref, exact, raw)
        else:  # a number cell: the figure is its value as shown (a percentage is the value × 100)
            shown = Decimal(number.group())
            assert shown in (Decimal(str(raw)).quantize(shown), (Decimal(str(raw)) * 100).quantize(shown)), (
                ref,
                exact,
                raw,
            )
        checked += 1
    assert checked > 20


def _cells(path: Path, fmt: str) -> dict[str, dict[str, object]]:
    """Raw cell values by sheet and A1 reference, read with the writer's counterpart library."""
    out: dict[str, dict[str, object]] = {}
    if fmt == "xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            out[ws.title] = {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
    else:
        import xlrd

        book = xlrd.open_workbook(str(path))
        for sh in book.sheets():
            out[sh.name] = {
                cell_ref(r, c, r, c): sh.cell_value(r, c)
                for r in range(sh.nrows)
                for c in range(sh.ncols)
                if sh.cell_value(r, c) != ""
            }
    return out


def test_cell_references():
    assert [column_letters(c) for c in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]
    assert cell_ref(4, 1, 4, 1) == "B5" and cell_ref(4, 1, 6, 3) == "B5:D7"


def test_html_metadata_and_furniture(docdir):
    path = built(docdir, "haiyuan", "html")
    res = _ingested(path)
    g, text = res.graph, res.source.text
    file = next(g.subjects(RDF.type, JX.SourceFile))
    assert str(g.value(file, JX.indexNumber)) == "11440700MB2C93746X/2025-00012"
    assert str(g.value(file, JX.publishingBody)) == "某某市财政局"
    assert str(g.value(file, JX.publicationDate)) == "2025-05-10"
    assert g.value(file, JX.encoding) is not None and str(g.value(file, JX.encoding)) == "utf-8"
    # navigation, breadcrumb, metadata block, share bar, footer and scripts are not in the text
    for furniture in (
        "首页",
        "当前位置",
        "索引号",
        "分享到",
        "网站标识码",
        "访问量",
        "999 万元",
        "3000 万元",
        "console",
    ):
        assert furniture not in text, furniture
    assert text.startswith("海源市体育局 2024 年度部门整体支出绩效 自评报告")


def test_html_gb18030_page_is_decoded_by_its_declared_charset(docdir):
    path = built(docdir, "yunxi", "html")
    assert b'charset="gb18030"' in path.read_bytes()[:300]
    assert str(_ingested(path).source.encoding) == "gb18030"


def test_pdf_furniture_is_dropped_and_tables_found(docdir):
    path = built(docdir, "haiyuan", "pdf")
    res = _ingested(path)
    doc = res.source.document
    text = doc.text
    assert not re.search(r"^- \d+ -$", text, re.M)  # page numbers
    assert text.count("海源市体育局 2024 年度部门整体支出绩效 自评报告") == 1  # the running header
    assert int(doc.metadata["pages"]) >= 8
    assert [len(t.rows) for t in doc.tables] == [11, 22]  # project table; indicator table (20 + header + blank)
    assert all(t.ruled for t in doc.tables)


def test_pdf_text_aligned_table_is_read_as_a_table(docdir):
    """The department form with its tables drawn without rules: found by the alignment of their
    columns, read to the same facts."""
    out = docdir / "luojiang-unruled.pdf"
    build.to_pdf(_doc("luojiang"), out, ruled=False)
    doc = _ingested(out)
    assert len(doc.source.document.tables) == 3
    assert not any(t.ruled for t in doc.source.document.tables)
    text = _ingested(REPORTS["luojiang"][0])
    assert figures(doc.graph) == figures(text.graph)
    assert tables(doc.graph) == tables(text.graph)


def test_docx_list_numbering_is_drawn(docdir):
    path = built(docdir, "haiyuan", "docx")
    xml = zipfile.ZipFile(path).read("word/document.xml").decode()
    assert "一、部门基本情况" not in xml and "部门基本情况" in xml  # the number is Word's, not text
    doc = _ingested(path).source.document
    text = doc.text
    for heading in ("一、部门基本情况", "二、绩效自评情况", "三、其他自评情况", "四、上年度"):
        assert re.search(rf"^{heading}", text, re.M), heading
    # the heading styles' levels are kept beside the text
    levels = {text[s:e]: level for s, e, level in doc.headings}
    assert levels["一、部门基本情况"] == 1 and levels["（二）年度总体工作和重点工作任务完成情况"] == 2
    assert all(level in (1, 2) for level in levels.values()) and len(levels) >= 10


def test_workbook_number_formats_are_shown_as_excel_shows_them(docdir):
    from jixiao.ingest.documents.workbook import display

    assert display(0.9272, "0.00%") == "92.72%"
    assert display(0.942, "0.00%") == "94.20%"
    assert display(1994.3, "#,##0.00") == "1,994.30"
    assert display(260, "0.00") == "260.00"
    assert display(0.125, "0%") == "13%"  # half up, as Excel rounds
    assert display(7.53, '0.00"万元"') == "7.53万元"
    assert display(12, "General") == "12" and display(98.79, "General") == "98.79"
    assert display(0.1 + 0.2, "General") == "0.3"
    assert display(None, "0.00") == "" and display("≥90%", "@") == "≥90%"
    # in the built workbook the rate cell holds the fraction, and the text shows the percentage
    path = built(docdir, "chengxi", "xlsx")
    raw = _cells(path, "xlsx")["自评表"]
    assert 0.942 in raw.values() and "94.20%" in _ingested(path).source.text


def test_word_numbering_formats():
    from jixiao.ingest.documents.word import chinese_number, number_format

    assert [chinese_number(n) for n in (1, 10, 11, 20, 21, 99, 105, 1010)] == [
        "一",
        "十",
        "十一",
        "二十",
        "二十一",
        "九十九",
        "一百零五",
        "一千零一十",
    ]
    assert number_format(3, "decimalEnclosedCircle") == "③"
    assert number_format(2, "ideographTraditional") == "乙"
    assert number_format(4, "upperRoman") == "IV" and number_format(28, "lowerLetter") == "bb"


def test_html_rowspan_and_colspan_are_expanded(tmp_path):
    from jixiao.ingest.documents.web import read

    body = "海源市体育局2024年度部门整体支出绩效自评报告。" * 4
    page = f"""<html><head><meta charset="utf-8"></head><body><div id="zoom"><p>{body}</p>
    <table><tr><td rowspan="2">产出指标</td><td colspan="2">数量指标</td><td>x</td></tr>
    <tr><td>a</td><td>b</td><td>c</td></tr><tr><td>d</td><td rowspan="3">e</td></tr></table></div></body></html>"""
    doc = read(tmp_path / "t.html", page.encode(), "html")
    (table,) = doc.tables
    assert [[c.text for c in row] for row in table.rows] == [
        ["产出指标", "数量指标", "", "x"],
        ["", "a", "b", "c"],
        ["d", "e", "", ""],
    ]
    assert table.rows[1][0].merged and table.rows[1][0].locator == table.rows[0][0].locator
    assert table.rows[0][2].merged and not table.rows[2][2].merged


# ----------------------------------------------------------------------------- detection


def test_content_decides_not_the_suffix(docdir, tmp_path):
    pdf = tmp_path / "report.txt"
    pdf.write_bytes(built(docdir, "yunxi", "pdf").read_bytes())
    assert _ingested(pdf).source.media_type == "application/pdf"
    page = tmp_path / "page.txt"
    page.write_bytes(built(docdir, "yunxi", "html").read_bytes())
    assert _ingested(page).source.media_type == "text/html"
    text = _ingested(REPORTS["yunxi"][0])
    assert text.source.media_type == "text/plain" and text.source.document is None


def test_the_worked_document_example_is_consistent():
    """ontology/examples/document-example.ttl (hand-written): each extracted text's checksum and
    length are its own, and each span quotes its file's extracted text at its offsets."""
    g = Graph().parse(ROOT / "ontology" / "examples" / "document-example.ttl")
    texts = list(g.subjects(RDF.type, JX.ExtractedText))
    assert len(texts) == 3
    for node in texts:
        value = str(g.value(node, RDF.value))
        digest = hashlib.sha256(value.encode()).hexdigest()
        assert str(g.value(node, JX.sha256)) == digest and str(node).endswith(digest)
        assert int(g.value(node, JX.charCount)) == len(value)
    spans = _spans(g)
    assert len(spans) == 4
    for span, start, end, exact in spans:
        file = g.value(span, URIRef(OA + "hasSource"))
        text = str(g.value(g.value(file, JX.extractedText), RDF.value))
        assert text[start:end] == exact, span


def test_html_metadata_comes_from_the_page_not_the_report(tmp_path):
    """Without <meta> tags the block outside the content gives the metadata; a date inside the report
    (a cover's 报告日期) is not the page's publication date."""
    from jixiao.ingest.documents.web import read

    body = "某某县林业局2024年度部门整体支出绩效自评报告。全年完成人工造林 1200 亩。" * 3
    page = f"""<html><body><div class="meta">索引号：11441234MB2C00000X/2025-00031　文号：某林〔2025〕7号</div>
    <div>发布机构：某某县林业局</div><div id="zoom"><p>报告日期：2024年4月28日</p><p>{body}</p></div></body></html>"""
    doc = read(tmp_path / "p.html", page.encode(), "html")
    assert doc.metadata == {
        "index_number": "11441234MB2C00000X/2025-00031",
        "document_number": "某林〔2025〕7号",
        "publisher": "某某县林业局",
    }
    assert doc.text.startswith("报告日期：2024年4月28日")
