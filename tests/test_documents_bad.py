"""Bad documents at the command line: each is refused with exit 2 and one line naming the file and
the problem, before anything is parsed that could take long, and the store keeps what it had.

Built here: an encrypted PDF, a scanned PDF (an image, no text layer), a PDF of 10,000 pages, corrupt
DOCX/XLSX containers, macro-enabled files, a DOCX that expands to 2 GiB and an XLSX entry that
expands 1000-fold, a page whose report is in an iframe or written by a script, files whose suffix
their content contradicts, and a missing documents extra.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from bench import documents as build
from jixiao.cli import main
from jixiao.store import GraphStore

ROOT = Path(__file__).resolve().parents[1]
FORM = ROOT / "tests" / "data" / "documents" / "luojiang-environment-2023.txt"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """A store holding one report: every refusal must leave it as it is."""
    path = tmp_path_factory.mktemp("bad-docs") / "store"
    assert main(["ingest", str(FORM), "--store", str(path), "--quiet"]) == 0
    return path


@pytest.fixture(scope="module")
def doc() -> build.Doc:
    return build.parse(FORM.read_text(encoding="utf-8"))


def refused(store: Path, bad: Path, capsys, *needles: str) -> str:
    before = GraphStore(store)
    n, graphs = before.count(), before.graphs()
    del before
    capsys.readouterr()
    assert main(["ingest", str(bad), "--store", str(store)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert bad.name in err, err
    for needle in needles:
        assert needle in err, err
    after = GraphStore(store)
    assert after.count() == n and after.graphs() == graphs
    return err


def test_encrypted_pdf(store, doc, tmp_path, capsys):
    bad = build.to_pdf(doc, tmp_path / "encrypted.pdf", encrypt="secret")
    refused(store, bad, capsys, "encrypted PDF: a password is needed to open it")


def test_pdf_with_only_an_owner_password_is_read(store, doc, tmp_path, capsys):
    """Permissions without a user password (common on government PDFs: 'no copying') do not stop
    reading: the text layer is there for anyone who opens the file."""
    from fpdf import FPDF

    out = tmp_path / "restricted.pdf"
    pdf = _pdf_with_text(FPDF, doc)
    pdf.set_encryption(owner_password="owner-only", user_password="")
    pdf.output(str(out))
    assert main(["ingest", str(out), "--out", str(tmp_path / "r.nq"), "--quiet"]) == 0


def _pdf_with_text(FPDF, doc):
    pdf = FPDF()
    pdf.add_font("noto", fname=str(build.NOTO), collection_font_number=build.NOTO_SC)
    pdf.set_font("noto", size=11)
    pdf.add_page()
    for b in doc.blocks:
        if isinstance(b, build.Para):
            pdf.multi_cell(0, 6, b.text, new_x="LMARGIN", new_y="NEXT", wrapmode="CHAR")
        else:
            for row in b.rows:
                pdf.multi_cell(0, 6, "\t".join(c.text for c in row), new_x="LMARGIN", new_y="NEXT", wrapmode="CHAR")
    return pdf


def test_scanned_pdf_without_a_text_layer(store, tmp_path, capsys):
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    image = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(image)
    for y in range(120, 1600, 40):  # lines of "print" as a scanner sees them: ink, no characters
        draw.rectangle((100, y, 1100 - (y * 7) % 300, y + 18), fill=30)
    pdf = FPDF()
    for _ in range(3):
        pdf.add_page()
        pdf.image(image, x=0, y=0, w=210)
    bad = tmp_path / "scanned.pdf"
    pdf.output(str(bad))
    refused(store, bad, capsys, "no text layer: scanned document; OCR is not supported")


def test_pdf_of_ten_thousand_pages(store, tmp_path, capsys):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    for _ in range(10_000):
        pdf.new_page(595, 842)
    bad = tmp_path / "huge.pdf"
    pdf.save(str(bad))
    refused(store, bad, capsys, "PDF with 10,000 pages (limit 2,000)")


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_corrupt_zip_container(store, doc, tmp_path, capsys, fmt):
    good = (build.to_docx if fmt == "docx" else build.to_xlsx)(doc, tmp_path / f"good.{fmt}")
    bad = tmp_path / f"truncated.{fmt}"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    refused(store, bad, capsys, "corrupt ZIP container")


def test_office_container_without_its_main_part(store, tmp_path, capsys):
    bad = tmp_path / "hollow.docx"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/styles.xml", "<styles/>")
    refused(store, bad, capsys, "corrupt Office document")


def _with_macros(src: Path, dst: Path, project: str) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        zout.writestr(project, b"\xd0\xcf\x11\xe0 not a real VBA project: never run, never read")
    return dst


@pytest.mark.parametrize(
    "fmt,name,project",
    [
        ("docx", "report.docm", "word/vbaProject.bin"),
        ("xlsx", "form.xlsm", "xl/vbaProject.bin"),
        ("xlsx", "renamed.xlsx", "xl/vbaProject.bin"),  # macros inside a file named .xlsx
    ],
)
def test_macro_enabled_office_files(store, doc, tmp_path, capsys, fmt, name, project):
    good = (build.to_docx if fmt == "docx" else build.to_xlsx)(doc, tmp_path / f"good.{fmt}")
    bad = _with_macros(good, tmp_path / name, project)
    refused(store, bad, capsys, "macro-enabled Office document", "never run")


def _ole_with_names(xls: Path, dst: Path, names: list[str]) -> Path:
    """An XLS whose unused directory entries are renamed (xlwt leaves two): a stand-in for an OLE
    file with those streams (the check reads the directory, not the streams)."""
    data = bytearray(xls.read_bytes())
    root = "Root Entry".encode("utf-16-le")
    at = data.find(root)
    assert at > 0
    for k, name in enumerate(names, start=2):  # entries 2, 3: after Root Entry and Workbook
        entry = at + 128 * k
        raw = name.encode("utf-16-le") + b"\x00\x00"
        data[entry : entry + 64] = raw.ljust(64, b"\x00")
        data[entry + 64 : entry + 66] = struct.pack("<H", len(raw))
    dst.write_bytes(bytes(data))
    return dst


@pytest.mark.parametrize(
    "names,needle",
    [
        (["_VBA_PROJECT_CUR"], "macro-enabled Office document"),
        (["EncryptionInfo", "EncryptedPackage"], "encrypted (password-protected) Office document"),
    ],
)
def test_ole_files_with_macros_or_encryption(store, doc, tmp_path, capsys, names, needle):
    xls = build.to_xls(doc, tmp_path / "good.xls")
    bad = _ole_with_names(xls, tmp_path / "bad.xls", names)
    refused(store, bad, capsys, needle)


def _zip_with_bomb(path: Path, small: dict[str, bytes], bomb: str, size: int) -> Path:
    """A ZIP with ``small`` entries and one entry ``bomb`` of ``size`` zero bytes, honestly declared:
    its deflate stream is one 16 MiB block of zeros compressed once and repeated (full flushes make
    the pieces independent), so gigabytes cost a second."""
    chunk = 16 << 20
    assert size % chunk == 0
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = comp.compress(b"\0" * chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)  # an empty final block
    crc = 0
    block = b"\0" * chunk
    for _ in range(size // chunk):
        crc = zlib.crc32(block, crc)
    data = piece * (size // chunk) + tail
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in small.items():
            zf.writestr(name, content)
    entries = buf.getvalue()
    # append the bomb entry by hand: local header, data, then a rebuilt central directory
    with zipfile.ZipFile(io.BytesIO(entries)) as zf:
        infos = zf.infolist()
    local_end = entries.rfind(b"PK\x01\x02")
    body = bytearray(entries[: local_end if local_end > 0 else len(entries)])
    offset = len(body)
    name = bomb.encode()
    body += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), size, len(name), 0)
    body += name + data
    cd = bytearray()
    for i in infos:
        cd += struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            20,
            20,
            0,
            8 if i.compress_type == zipfile.ZIP_DEFLATED else 0,
            0,
            0,
            i.CRC,
            i.compress_size,
            i.file_size,
            len(i.filename.encode()),
            0,
            0,
            0,
            0,
            0,
            i.header_offset,
        )
        cd += i.filename.encode()
    cd += struct.pack(
        "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(data), size, len(name), 0, 0, 0, 0, 0, offset
    )
    cd += name
    cd_start = len(body)
    n = len(infos) + 1
    body += cd + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, n, n, len(cd), cd_start, 0)
    path.write_bytes(bytes(body))
    return path


def test_docx_expanding_to_gigabytes(store, tmp_path, capsys):
    types = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
    bad = _zip_with_bomb(tmp_path / "bomb.docx", {"[Content_Types].xml": types}, "word/document.xml", 2 << 30)
    with zipfile.ZipFile(bad) as zf:  # an honest archive: Python's zipfile reads the same sizes
        assert zf.getinfo("word/document.xml").file_size == 2 << 30
        assert zf.getinfo("word/document.xml").compress_size < 3 << 20
    refused(store, bad, capsys, "decompression limit", f"expands to {(2 << 30) + len(types):,} bytes")


def test_xlsx_entry_expanding_a_thousandfold(store, tmp_path, capsys):
    types = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
    bad = _zip_with_bomb(
        tmp_path / "bomb.xlsx",
        {"[Content_Types].xml": types, "xl/workbook.xml": b"<workbook/>"},
        "xl/sheet1.xml",
        32 << 20,
    )
    refused(store, bad, capsys, "decompression limit", "xl/sheet1.xml expands")


PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>部门整体支出绩效自评报告</title>
<script src="/js/app.js"></script></head><body><div class="nav"><a href="/">首页</a></div>
<h1>某某县财政局2024年度部门整体支出绩效自评报告</h1>{body}<div class="footer">版权所有</div></body></html>"""


@pytest.mark.parametrize(
    "body,needle",
    [
        (
            '<iframe src="/attach/report-2024.html" width="100%" height="2000"></iframe>',
            "in an iframe (/attach/report-2024.html)",
        ),
        ("<div id=\"zoom\"></div><script>$('#zoom').load('/api/article?id=9');</script>", "loaded by a script"),
    ],
)
def test_page_whose_report_is_framed_or_scripted(store, tmp_path, capsys, body, needle):
    bad = tmp_path / "framed.html"
    bad.write_text(PAGE.format(body=body), encoding="utf-8")
    refused(store, bad, capsys, "no report text in the page", needle)


@pytest.mark.parametrize(
    "name,content,needle",
    [
        ("report.pdf", "预算绩效自评报告\n一、部门基本情况\n".encode(), "named .pdf but its content is plain text"),
        ("report.docx", b"%PDF-1.7\n%fake", "named .docx but its content is a PDF document"),
        ("report.xls", "docx", "named .xls but its content is a DOCX document"),
        ("archive.docx", "zip", "a ZIP archive, not a report document"),
    ],
)
def test_suffix_and_content_disagree(store, doc, tmp_path, capsys, name, content, needle):
    bad = tmp_path / name
    if content == "zip":
        with zipfile.ZipFile(bad, "w") as zf:
            zf.writestr("photo.jpg", b"\xff\xd8\xff")
    elif content == "docx":
        bad.write_bytes(build.to_docx(doc, tmp_path / "good.docx").read_bytes())
    else:
        bad.write_bytes(content)
    refused(store, bad, capsys, needle)


def test_missing_documents_extra_is_a_clear_error(tmp_path, capsys, monkeypatch):
    import importlib

    from jixiao.ingest import documents

    real = importlib.import_module

    def without_pdfium(name, *a, **k):
        if name.startswith("pypdfium2"):
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.setattr(documents.importlib, "import_module", without_pdfium)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + b"x" * 100)
    assert main(["ingest", str(pdf), "--out", str(tmp_path / "o.nq")]) == 2
    err = capsys.readouterr().err
    assert "report.pdf" in err and "pip install 'jixiao[documents]'" in err
