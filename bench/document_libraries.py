"""The measurements behind decision 0006 (which libraries read documents). Not part of jixiao or its
tests: it needs candidates jixiao does not install. Run it in a scratch environment:

    python -m venv /tmp/mvenv && /tmp/mvenv/bin/pip install pdfplumber pypdfium2 pdfminer.six \\
        python-calamine openpyxl xlrd trafilatura lxml selectolax python-docx reportlab fpdf2
    PYTHONPATH=. /tmp/mvenv/bin/python -m bench.document_libraries /tmp/jixiao-bench/documents

The directory holds the documents `python -m bench.run --stages documents` builds (haiyuan.pdf,
.docx, .xlsx, .html). A second PDF of the same report is made here with reportlab and its built-in
Adobe CID font STSong-Light (not embedded: the one CJK route reportlab has, since it cannot embed the
CFF-outline Noto fonts), so that each PDF library is also measured on a file it can decode.

Per PDF library: median seconds (wall and CPU) over 3 runs, characters read, reading order (share of
the report's paragraphs found whole, white space ignored, in the extracted text) and, where the
library finds tables, the share of the two tables' cells read exactly.
"""

from __future__ import annotations

import re
import statistics
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _timed(fn, runs: int = 3):
    walls, cpus, out = [], [], None
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus), out


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _doc():
    from bench import documents as build

    sample = ROOT / "samples" / "haiyuan-sports-bureau-2024.txt"
    faults = tomllib.loads((ROOT / "samples" / "haiyuan-sports-bureau-2024.faults.toml").read_text())
    return build.parse(sample.read_text(), [(b["quote"], b["joined"]) for b in faults["page_break"]])


def _order(doc, text: str) -> float:
    from bench import documents as build

    paras = [_squash(b.text) for b in doc.blocks if isinstance(b, build.Para)]
    flat = _squash(text)
    return sum(1 for p in paras if p in flat) / len(paras)


def _expected_cells(doc) -> list[str]:
    from bench import documents as build

    return [_squash(c.text) for b in doc.blocks if isinstance(b, build.Table) for r in b.rows for c in r if c.text]


def _cell_score(doc, cells: list[str]) -> float:
    want = _expected_cells(doc)
    got = set(cells)
    return sum(1 for c in want if c in got) / len(want)


def reportlab_pdf(doc, path: Path) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    from bench import documents as build

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("zh", fontName="STSong-Light", fontSize=11, leading=16, wordWrap="CJK")
    small = ParagraphStyle("zh-small", parent=style, fontSize=8, leading=10)
    story = []
    for b in doc.blocks:
        if isinstance(b, build.Para):
            story.append(Paragraph(b.text, style))
        else:
            rows = [[Paragraph(c.text, small) for c in r] for r in b.rows if r]
            t = Table(rows)
            t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
            story.append(t)
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return path


def measure_pdf(doc, path: Path) -> None:
    import pdfplumber
    import pypdfium2
    from pdfminer.high_level import extract_text

    def plumber():
        with pdfplumber.open(str(path)) as pdf:
            text = "\n".join(p.extract_text() or "" for p in pdf.pages)
            cells = [_squash(c or "") for p in pdf.pages for t in p.extract_tables() for r in t for c in r]
        return text, cells

    def miner():
        return extract_text(str(path)), None

    def pdfium():
        pdf = pypdfium2.PdfDocument(str(path))
        text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
        return text, None

    def jixiao():
        from jixiao.ingest.documents import read

        x = read(path, path.read_bytes(), "pdf")
        return x.text, [_squash(c.text) for t in x.tables for r in t.rows for c in r]

    for name, fn in (("pdfplumber", plumber), ("pdfminer.six", miner), ("pypdfium2", pdfium), ("jixiao", jixiao)):
        try:
            wall, cpu, (text, cells) = _timed(fn)
        except ImportError as exc:
            print(f"  {name}: not installed ({exc})")
            continue
        score = f", table cells {_cell_score(doc, cells):.0%}" if cells is not None else ""
        chars = len(_squash(text))
        print(
            f"  {name:13s} {wall:6.2f} s wall {cpu:6.2f} s CPU, {chars:6d} characters, "
            f"paragraphs in order {_order(doc, text):.0%}{score}"
        )


def measure_workbook(path: Path) -> None:
    import openpyxl

    def with_openpyxl():
        wb = openpyxl.load_workbook(str(path), data_only=True)
        ws = wb.active
        return [(c.value, c.number_format) for row in ws.iter_rows() for c in row if c.value is not None], len(
            ws.merged_cells.ranges
        )

    wall, cpu, (cells, merged) = _timed(with_openpyxl)
    pct = next(v for v, f in cells if isinstance(f, str) and f.endswith("%"))
    print(f"  openpyxl      {wall:6.3f} s wall {cpu:6.3f} s CPU; merged ranges {merged}; a % cell: {pct!r} + format")
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        print("  python-calamine: not installed")
        return

    def with_calamine():
        wb = CalamineWorkbook.from_path(str(path))
        sheet = wb.get_sheet_by_index(0)
        rows = sheet.to_python()
        merged = getattr(sheet, "merged_cell_ranges", None)
        return rows, merged

    wall, cpu, (rows, merged) = _timed(with_calamine)
    same = next((v for r in rows for v in r if v == pct), None)
    print(
        f"  calamine      {wall:6.3f} s wall {cpu:6.3f} s CPU; merged ranges "
        f"{len(merged) if merged is not None else 'not exposed'}; the same % cell: {same!r} (no number format)"
    )


def measure_html(doc, path: Path) -> None:
    import trafilatura

    html = path.read_text(encoding="utf-8")

    def with_trafilatura():
        return trafilatura.extract(html, include_tables=True, include_comments=False, favor_recall=True) or ""

    wall, cpu, text = _timed(with_trafilatura)
    tabs = text.count("|")
    print(
        f"  trafilatura   {wall:6.3f} s wall {cpu:6.3f} s CPU; paragraphs in order {_order(doc, text):.0%}; "
        f"table cells as '|' text ({tabs} bars), no element paths, rowspans not expanded"
    )

    def with_jixiao():
        from jixiao.ingest.documents import read

        return read(path, path.read_bytes(), "html").text

    wall, cpu, text = _timed(with_jixiao)
    print(f"  jixiao (lxml) {wall:6.3f} s wall {cpu:6.3f} s CPU; paragraphs in order {_order(doc, text):.0%}")


def measure_docx(path: Path) -> None:
    import docx

    d = docx.Document(str(path))
    first = next(p.text for p in d.paragraphs if p.style.name.startswith("Heading"))
    print(f"  python-docx: first heading's text {first!r} (Word's list number is not in it)")


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else Path("/tmp/jixiao-bench/documents")
    doc = _doc()
    print("PDF, fpdf2 + embedded Noto Sans CJK (CID-keyed CFF), 20 pages:")
    measure_pdf(doc, folder / "haiyuan.pdf")
    rl = reportlab_pdf(doc, folder / "haiyuan-reportlab.pdf")
    print("PDF, reportlab + STSong-Light (Adobe-GB1 CID font, not embedded):")
    measure_pdf(doc, rl)
    print("XLSX:")
    measure_workbook(folder / "haiyuan.xlsx")
    print("HTML:")
    measure_html(doc, folder / "haiyuan.html")
    print("DOCX with Word list numbering:")
    from bench import documents as build

    measure_docx(build.to_docx(doc, folder / "haiyuan-numbered.docx", auto_numbering=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
