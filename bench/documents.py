"""Build published documents (PDF, DOCX, XLSX, XLS, HTML) from a report's text, for the document
tests and the document benchmark stage.

The text is read into blocks the way a person re-typesetting it would: every non-blank line outside
a table is a paragraph; consecutive tab- or pipe-separated lines are a table (a blank line inside it
an empty row). In a pipe row, a run of pipes with nothing between them (``||``) continues the cell
before it (a colspan, as in a form exported from HTML); in an indicator table, the blank leading
category cells below a filled one continue it (a rowspan, as in the published 自评表). Cells that
look like numbers become numbers in a workbook (``92.72%`` → 0.9272 with format ``0.00%``).

Writers: python-docx, openpyxl, xlwt (XLS), an HTML template of a government page, and fpdf2 with a
CJK font from Debian's fonts-noto-cjk (the PDF has page headers and footers, ruled tables with
merged cells, and pages that break where the layout puts them). Nothing here is part of jixiao.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

NOTO = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
NOTO_SC = 2  # the collection's face "Noto Sans CJK SC"


@dataclass
class Cell:
    text: str
    colspan: int = 1
    rowspan: int = 1
    covered: bool = False  # inside another cell's span (not drawn)


@dataclass
class Table:
    rows: list[list[Cell]]
    ruled: bool = True


@dataclass
class Para:
    text: str
    heading: int = 0  # 1 for 一、…, 2 for （一）…, 0 for body text


@dataclass
class Doc:
    title: str
    blocks: list[Para | Table] = field(default_factory=list)


_H1 = re.compile(r"^[一二三四五六七八九十]+、")
_H2 = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")


def parse(text: str, page_breaks: list[tuple[str, str]] = ()) -> Doc:
    """Blocks of a report text. ``page_breaks`` (quote, joined) pairs are rejoined first: the
    document a department typesets has no page-break blank lines inside its sentences."""
    for quote, joined in page_breaks:
        assert quote in text, quote
        text = text.replace(quote, joined)
    lines = text.replace("\r\n", "\n").split("\n")
    doc = Doc(title="")
    i = 0
    while i < len(lines):
        line = lines[i]
        if _row_form(line):
            rows: list[str] = []
            while i < len(lines) and (_row_form(lines[i]) or (not lines[i].strip() and _next_row(lines, i))):
                rows.append(lines[i])
                i += 1
            doc.blocks.append(_table(rows))
            continue
        if line.strip():
            stripped = line.strip()
            level = 1 if _H1.match(stripped) else 2 if _H2.match(stripped) else 0
            doc.blocks.append(Para(stripped, level))
            if not doc.title:
                doc.title = stripped
        i += 1
    return doc


def _row_form(line: str) -> str | None:
    if "\t" in line:
        return "tab"
    s = line.strip()
    if s.startswith("|") and s.count("|") >= 2:
        return "pipe"
    return None


def _next_row(lines: list[str], i: int) -> bool:
    j = i
    while j < len(lines) and not lines[j].strip():
        j += 1
    return j < len(lines) and _row_form(lines[j]) is not None


def _table(lines: list[str]) -> Table:
    rows: list[list[Cell]] = []
    for line in lines:
        if not line.strip():
            rows.append([])
        elif _row_form(line) == "tab":
            rows.append([Cell(c.strip()) for c in line.split("\t")])
        else:
            s = line.strip()
            parts = s[1:-1].split("|") if s.endswith("|") else s[1:].split("|")
            row: list[Cell] = []
            for part in parts:
                if part == "" and row and not row[-1].covered:
                    row[-1].colspan += 1  # "||": the cell before spans this column
                    row.append(Cell("", covered=True))
                elif part == "" and row:
                    origin = next(c for c in reversed(row) if not c.covered)
                    origin.colspan += 1
                    row.append(Cell("", covered=True))
                else:
                    row.append(Cell(part.strip()))
            rows.append(row)
    width = max(len(r) for r in rows)
    for r in rows:
        if r:  # (an empty row stays empty: a blank line inside the table)
            r.extend(Cell("") for _ in range(width - len(r)))
    _row_spans(rows)
    return Table(rows)


def _row_spans(rows: list[list[Cell]]) -> None:
    """In an indicator table, a blank leading cell below a filled one (of one column) continues it."""
    header = next((r for r in rows if any("一级指标" in c.text for c in r)), None)
    if header is None:
        return
    limit = next(i for i, c in enumerate(header) if "一级指标" in c.text) + 2  # up to 二级指标
    origin: dict[int, Cell] = {}
    for r in rows:
        if not r:
            origin.clear()
            continue
        first = next((i for i, c in enumerate(r) if c.text), len(r))
        for col in range(min(limit, len(r))):
            c = r[col]
            if c.text or c.covered:
                origin[col] = c
                continue
            above = origin.get(col)
            if col < first and above is not None and above.text and above.colspan == 1:
                above.rowspan += 1
                c.covered = True
            else:
                origin.pop(col, None)
        for col in range(limit, len(r)):
            origin.pop(col, None)


def grid_text(doc: Doc) -> str:
    """The document as the text its readers should extract (paragraphs apart, tables tab-separated,
    a merged cell's text in its first position): what the tests compare against."""
    out = []
    for b in doc.blocks:
        if isinstance(b, Para):
            out.append(b.text)
        else:
            out.append("\n".join("\t".join(c.text for c in r) if r else "" for r in b.rows))
    return "\n\n".join(out) + "\n"


# ----------------------------------------------------------------------------- numbers in cells

_PERCENT = re.compile(r"^(-?\d+(?:\.(\d+))?)%$")
_FIXED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.(\d+))?$|^-?\d+(\.(\d+))?$")


def cell_number(text: str) -> tuple[float | int, str] | None:
    """(value, Excel number format) of a cell that is a plain number or percentage, else None."""
    m = _PERCENT.match(text)
    if m:
        places = len(m.group(2) or "")
        fmt = "0%" if not places else "0." + "0" * places + "%"
        return round(float(m.group(1)) / 100, places + 2), fmt
    if _FIXED.match(text) and not (len(text) > 1 and text.startswith("0") and text[1] != "."):
        plain = text.replace(",", "")
        places = len(plain.split(".")[1]) if "." in plain else 0
        sep = "#,##0" if "," in text else "0"
        if places:
            return float(plain), sep + "." + "0" * places
        return int(plain), "General" if sep == "0" else sep
    return None


# ----------------------------------------------------------------------------- DOCX


def to_docx(doc: Doc, path: Path, *, auto_numbering: bool = False) -> Path:
    """A Word document: headings in Heading 1/2 styles, tables with merged cells. With
    ``auto_numbering`` the 一、二、… of level-1 headings are Word list numbering (not in the text)."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    d = Document()
    style = d.styles["Normal"]
    style.font.size = Pt(11)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Noto Sans CJK SC")
    num_id = _chinese_numbering(d) if auto_numbering else None
    for b in doc.blocks:
        if isinstance(b, Para):
            if b.heading:
                p = d.add_paragraph(style=f"Heading {b.heading}")
                text = b.text
                if num_id is not None and b.heading == 1:
                    text = _H1.sub("", text)
                    numpr = p._p.get_or_add_pPr().get_or_add_numPr()
                    numpr.get_or_add_ilvl().val = 0
                    numpr.get_or_add_numId().val = num_id
                p.add_run(text)
            else:
                d.add_paragraph(b.text)
            continue
        width = len(b.rows[0])
        t = d.add_table(rows=len(b.rows), cols=width)
        t.style = "Table Grid"
        for ri, row in enumerate(b.rows):
            for ci, c in enumerate(row):
                if c.covered:
                    continue
                cell = t.cell(ri, ci)
                if c.colspan > 1 or c.rowspan > 1:
                    cell = cell.merge(t.cell(ri + c.rowspan - 1, ci + c.colspan - 1))
                cell.text = c.text
    d.save(str(path))
    return path


def _chinese_numbering(d) -> int:
    """A list definition numbering level 0 as 一、二、三、 (chineseCounting, "%1、")."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    numbering = d.part.numbering_part.element
    abstract_id, num_id = 90, 90
    numbering.insert(
        0,
        parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
            '<w:multiLevelType w:val="singleLevel"/>'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
            '<w:lvlText w:val="%1、"/><w:suff w:val="nothing"/></w:lvl></w:abstractNum>'
        ),
    )
    numbering.append(
        parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>')
    )
    return num_id


# ----------------------------------------------------------------------------- XLSX and XLS


def _sheet_rows(doc: Doc) -> list[tuple[str, object]]:
    """Rows of one sheet: ("para", text) or ("row", [Cell…]) with ("blank", None) between blocks."""
    out: list[tuple[str, object]] = []
    for b in doc.blocks:
        if out:
            out.append(("blank", None))
        if isinstance(b, Para):
            out.append(("para", b.text))
        else:
            out.extend(("row", r) if r else ("blank", None) for r in b.rows)
    return out


def to_xlsx(doc: Doc, path: Path, *, sheet: str = "自评表") -> Path:
    """One sheet: paragraphs in column A, table cells as numbers with number formats where they
    are numbers, merged ranges for spans."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for r, (kind, content) in enumerate(_sheet_rows(doc), 1):
        if kind == "para":
            ws.cell(r, 1, content)
        elif kind == "row":
            for ci, c in enumerate(content, 1):
                if c.covered:
                    continue
                cell = ws.cell(r, ci)
                num = cell_number(c.text)
                if num is None:
                    cell.value = c.text or None
                else:
                    cell.value, cell.number_format = num
                if c.colspan > 1 or c.rowspan > 1:
                    ws.merge_cells(
                        start_row=r, start_column=ci, end_row=r + c.rowspan - 1, end_column=ci + c.colspan - 1
                    )
    wb.save(str(path))
    return path


def to_xls(doc: Doc, path: Path, *, sheet: str = "自评表") -> Path:
    """The same sheet as an Excel 97-2003 workbook (xlwt)."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet)
    styles: dict[str, object] = {}
    for r, (kind, content) in enumerate(_sheet_rows(doc)):
        if kind == "para":
            ws.write(r, 0, content)
        elif kind == "row":
            for ci, c in enumerate(content):
                if c.covered:
                    continue
                num = cell_number(c.text)
                value, fmt = (c.text, "General") if num is None else num
                style = styles.get(fmt) or styles.setdefault(fmt, xlwt.easyxf(num_format_str=fmt))
                if c.colspan > 1 or c.rowspan > 1:
                    ws.write_merge(r, r + c.rowspan - 1, ci, ci + c.colspan - 1, value, style)
                elif value != "":
                    ws.write(r, ci, value, style)
    wb.save(str(path))
    return path


# ----------------------------------------------------------------------------- HTML

PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="{charset}">
<title>{title}_{site}</title>
<meta name="SiteName" content="{site}">
<meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="{date} 09:30">
<meta name="ContentSource" content="{publisher}">
<link rel="stylesheet" href="/css/main.css">
<script src="/js/jquery.min.js"></script>
<script>var _hmt = _hmt || []; document.write('<span>访问量 1234567 次，预算 999 万元</span>');</script>
<style>.nav li {{ display: inline; }} /* 3000 万元 */</style>
</head><body>
<div class="header"><div class="logo"><img src="/img/logo.png" alt="{site}"></div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/zcfg/">政策法规</a></li><li><a href="/bsfw/">办事服务</a></li><li><a href="/hdjl/">互动交流</a></li>
<li><a href="/czyjs/">财政预决算（2024 年 12 项）</a></li></ul>
<form class="search" action="/search"><input name="q" placeholder="请输入关键字"><button>搜索</button></form>
</div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt;
<a href="/zwgk/czzj/">财政资金</a> &gt; 绩效评价</div>
<div class="main"><div class="sidebar"><h3>栏目导航</h3><ul><li><a href="/a">部门预算</a></li>
<li><a href="/b">部门决算</a></li><li><a href="/c">绩效自评（共 36 篇）</a></li></ul></div>
<div class="article">
<table class="xxgk-meta"><tr><td>索引号：{index}</td><td>分类：财政预决算</td></tr>
<tr><td>发布机构：{publisher}</td><td>发布日期：{date}</td></tr></table>
<h1 class="title">{title}</h1>
<div class="info">来源：{publisher}　发布时间：{date} 09:30　浏览次数：<span id="hits">128</span></div>
<iframe src="/share/widget.html" width="200" height="30"></iframe>
<div class="TRS_Editor" id="zoom">
{body}
</div>
<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a></div>
<script>$(function(){{ $('#hits').load('/count?id=20240510'); }});</script>
</div></div>
<div class="footer"><p>主办单位：{publisher}　地址：某某路 88 号　邮编：529000</p>
<p>网站标识码：4407000001　备案号：粤ICP备12345678号　联系电话：0750-12345</p>
<p><a href="/sitemap">网站地图</a> | <a href="/contact">联系我们</a></p></div>
<script>window.setInterval(function(){{ console.log('2024 年 100 万元'); }}, 1000);</script>
</body></html>
"""


def to_html(
    doc: Doc,
    path: Path,
    *,
    index: str = "11440700MB2C93746X/2025-00012",
    publisher: str = "某某市财政局",
    date: str = "2025-05-10",
    site: str = "某某市人民政府门户网站",
    encoding: str = "utf-8",
) -> Path:
    """A saved government page: navigation, breadcrumb, the 索引号/发布机构/发布日期 block, the report
    in the content div (<p> paragraphs, <table> with rowspan/colspan), footer and scripts."""
    body = []
    for b in doc.blocks:
        if isinstance(b, Para):
            tag = "h1" if b is doc.blocks[0] else "p"
            if b.heading:
                body.append(f'<p style="text-indent:2em"><strong>{html.escape(b.text)}</strong></p>')
            elif tag == "h1":
                body.append(f'<p style="text-align:center"><b>{html.escape(b.text)}</b></p>')
            else:
                body.append(f'<p style="text-indent:2em">&nbsp;&nbsp;{html.escape(b.text)}</p>')
            continue
        rows = []
        for r in b.rows:
            tds = []
            for c in r:
                if c.covered:
                    continue
                span = (f' colspan="{c.colspan}"' if c.colspan > 1 else "") + (
                    f' rowspan="{c.rowspan}"' if c.rowspan > 1 else ""
                )
                tds.append(f"<td{span}>{html.escape(c.text)}</td>")
            rows.append("<tr>" + "".join(tds) + "</tr>" if tds else "<tr></tr>")
        body.append(
            '<table border="1" cellspacing="0" cellpadding="3"><tbody>\n' + "\n".join(rows) + "\n</tbody></table>"
        )
    page = PAGE.format(
        charset=encoding,
        title=html.escape(doc.title),
        site=site,
        date=date,
        publisher=publisher,
        index=index,
        body="\n".join(body),
    )
    path.write_bytes(page.encode(encoding))
    return path


# ----------------------------------------------------------------------------- PDF


def to_pdf(
    doc: Doc,
    path: Path,
    *,
    ruled: bool = True,
    header: str | None = None,
    font_size: float = 11,
    encrypt: str | None = None,
) -> Path:
    """A4 pages in Noto Sans CJK SC: the short title as a header on every page but the first,
    "- N -" as the footer, paragraphs justified with a two-character first-line indent, tables ruled
    (or, with ``ruled=False``, text-aligned: no rules, columns at fixed positions). ``encrypt`` sets
    a user password (the PDF cannot be opened without it)."""
    from fpdf import FPDF

    if not NOTO.exists():
        raise RuntimeError(f"{NOTO} is missing: install Debian's fonts-noto-cjk (.ci/run does)")
    running = header if header is not None else doc.title

    class Pdf(FPDF):
        def header(self) -> None:
            if self.page_no() > 1 and running:
                self.set_font("noto", size=8)
                self.set_y(8)
                self.cell(0, 5, running, align="C")
                self.set_y(self.t_margin)

        def footer(self) -> None:
            self.set_y(-14)
            self.set_font("noto", size=9)
            self.cell(0, 5, f"- {self.page_no()} -", align="C")

    pdf = Pdf(format="A4")
    pdf.set_margins(20, 22, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font("noto", fname=str(NOTO), collection_font_number=NOTO_SC)
    pdf.set_font("noto", size=font_size)
    pdf.set_title(doc.title)
    if encrypt:
        pdf.set_encryption(owner_password=encrypt + "-owner", user_password=encrypt)
    pdf.add_page()
    line = font_size * 0.55
    for b in doc.blocks:
        if isinstance(b, Para):
            if b is doc.blocks[0]:
                pdf.set_font("noto", size=font_size + 4)
                pdf.multi_cell(0, line * 1.6, b.text, align="C", new_x="LMARGIN", new_y="NEXT")
                pdf.set_font("noto", size=font_size)
            elif b.heading:
                pdf.multi_cell(0, line, b.text, align="L", new_x="LMARGIN", new_y="NEXT", wrapmode="CHAR")
            else:
                pdf.multi_cell(
                    0, line, "\u3000\u3000" + b.text, align="L", new_x="LMARGIN", new_y="NEXT", wrapmode="CHAR"
                )
            pdf.ln(line * 0.5)
            continue
        pdf.set_font("noto", size=font_size - 2)
        _pdf_table(pdf, b, ruled and b.ruled)
        pdf.set_font("noto", size=font_size)
        pdf.ln(line * 0.5)
    pdf.output(str(path))
    return path


def _pdf_table(pdf, b: Table, ruled: bool) -> None:
    """A table drawn cell by cell (fpdf2's own table cannot break a row-spanning cell across pages):
    rows break to a new page as a whole, a merged region's text is drawn in its first row, and the
    rules between the positions of one region are left out; a region cut by a page break is closed
    at the cut and its part on the next page is empty."""
    rows = b.rows
    width = max(len(r) for r in rows)
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if cell.covered:
                continue
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    owner[r + dr, c + dc] = (r, c)
    weights = [4.0] * width
    for row in rows:
        for c, cell in enumerate(row):
            if not cell.covered and cell.colspan == 1:
                weights[c] = max(weights[c], min(16.0, float(len(cell.text))))
    total = sum(weights)
    widths = [pdf.epw * w / total for w in weights]
    xs = [pdf.l_margin + sum(widths[:c]) for c in range(width + 1)]
    lh, pad = pdf.font_size * 1.35, 1.0

    def lines(text: str, w: float) -> int:
        if not text:
            return 1
        inner = max(w - 2 * pad, pdf.font_size * 2 + 2 * pdf.c_margin)  # (fpdf2 loops below one character)
        return len(pdf.multi_cell(inner, lh, text, dry_run=True, output="LINES", wrapmode="CHAR"))

    heights = []
    for row in rows:
        n = 1
        for c, cell in enumerate(row):
            if not cell.covered and cell.rowspan == 1:
                n = max(n, lines(cell.text, xs[c + cell.colspan] - xs[c]))
        heights.append(n * lh + 2 * pad)
    y = pdf.get_y()
    page_first = 0
    for r, h in enumerate(heights):
        if y + h > pdf.page_break_trigger:
            _bottom(pdf, ruled, xs, y)
            pdf.add_page()
            y = pdf.get_y()
            page_first = r
        for c in range(width):
            cell = rows[r][c] if c < len(rows[r]) else None
            if cell is not None and not cell.covered and cell.text:
                pdf.set_xy(xs[c] + pad, y + pad)
                inner = max(xs[c + cell.colspan] - xs[c] - 2 * pad, pdf.font_size * 2 + 2 * pdf.c_margin)
                pdf.multi_cell(inner, lh, cell.text, align="L", wrapmode="CHAR")
            if ruled:
                me = owner.get((r, c), (r, c))
                if r == page_first or owner.get((r - 1, c), (r - 1, c)) != me:
                    pdf.line(xs[c], y, xs[c + 1], y)
                if c == 0 or owner.get((r, c - 1), (r, c - 1)) != me:
                    pdf.line(xs[c], y, xs[c], y + h)
                if c == width - 1:
                    pdf.line(xs[c + 1], y, xs[c + 1], y + h)
        y += h
    _bottom(pdf, ruled, xs, y)
    pdf.set_xy(pdf.l_margin, y)


def _bottom(pdf, ruled: bool, xs: list[float], y: float) -> None:
    """The rule under the last row of a page or of the table."""
    if ruled:
        pdf.line(xs[0], y, xs[-1], y)
