"""Document readers: PDF (with a text layer), DOCX, XLSX, XLS and saved HTML pages become one
intermediate form (`model.Extracted`: text with its tables as tab-separated rows, locators, metadata)
that the report reader parses like a text file. See docs/decisions/0006-documents.md.

`sniff` tells a file's format by its content (magic bytes, the parts of a ZIP or OLE container, the
first tags of a page) and checks it against the suffix; `read` dispatches to the format's reader.
The libraries are the `documents` extra (`pip install 'jixiao[documents]'`); a missing one is a
clear error, not an import failure.
"""

from __future__ import annotations

import importlib
import io
import re
import zipfile
from pathlib import Path
from types import ModuleType

from jixiao.errors import InputError, JixiaoError
from jixiao.ingest import datafiles
from jixiao.ingest.documents.model import Extracted

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|meta|title|body)\b", re.I | re.S)
SUFFIXES = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".xlsx": "xlsx",
    ".xls": "xls",
    ".html": "html",
    ".htm": "html",
    ".shtml": "html",
    ".xhtml": "html",
    ".docm": "macro",
    ".xlsm": "macro",
    ".dotm": "macro",
    ".xltm": "macro",
    ".xlsb": "xlsb",
    ".doc": "doc",
}
NAMES = {"pdf": "PDF", "docx": "DOCX", "xlsx": "XLSX", "xls": "XLS", "html": "HTML", "text": "text"}


def limits() -> dict[str, int]:
    return datafiles.toml("documents.toml")["limits"]


def sniff(path: Path, data: bytes) -> str:
    """The format of a file: "pdf", "docx", "xlsx", "xls", "html" or "text" (the text reader's
    own checks follow). Raises `InputError` for what is recognised but refused (macro-enabled,
    encrypted Office, legacy .doc, .xlsb, ODF, a ZIP that is no Office document, a suffix that
    the content contradicts)."""
    suffix = path.suffix.lower()
    claimed = SUFFIXES.get(suffix)
    if PDF_MAGIC in data[:1024]:  # (the header may follow up to 1 KiB of junk: readers accept that)
        found = "pdf"
    elif data.startswith(ZIP_MAGIC) or (claimed in ("docx", "xlsx", "macro", "xlsb") and data[:2] == b"PK"):
        found = _zip_kind(path, data)
    elif data.startswith(OLE_MAGIC):
        found = _ole_kind(path, data)
    elif _HTML_START.match(data[:4096].removeprefix(b"\xef\xbb\xbf")) or (claimed == "html" and b"<" in data[:4096]):
        found = "html"
    else:
        found = "text"
    if claimed in NAMES and claimed != found and not (found == "text" and claimed == "html"):
        raise InputError(
            f"the file is named {suffix} but its content is {_described(found)} (a mislabelled or damaged file)",
            file=path,
            where="byte 0",
        )
    if claimed == "html" and found == "text":
        raise InputError("the file is named .html but holds no HTML markup", file=path)
    if claimed in ("macro",):
        raise _macro(path)
    return found


def _described(found: str) -> str:
    return {"text": "plain text or unknown binary data"}.get(found, f"a {NAMES.get(found, found)} document")


def _macro(path: Path) -> InputError:
    return InputError(
        "macro-enabled Office document (VBA project inside): refused, macros are never run; "
        "save it as .docx/.xlsx without macros",
        file=path,
    )


def _zip_kind(path: Path, data: bytes) -> str:
    lim = limits()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise InputError(f"corrupt ZIP container (DOCX/XLSX are ZIP files): {exc}", file=path) from None
    names = {i.filename for i in infos}
    if len(infos) > lim["max_zip_entries"]:
        raise InputError(f"ZIP container with {len(infos)} entries (limit {lim['max_zip_entries']})", file=path)
    total = sum(i.file_size for i in infos)
    if total > lim["max_unzipped_bytes"]:
        raise InputError(
            f"decompression limit: the container expands to {total:,} bytes (limit {lim['max_unzipped_bytes']:,}); "
            "refused as a possible ZIP bomb",
            file=path,
        )
    for i in infos:
        if i.file_size > lim["max_zip_ratio"] * max(i.compress_size, 1) and i.file_size > 1_048_576:
            raise InputError(
                f"decompression limit: entry {i.filename} expands {i.file_size // max(i.compress_size, 1)}-fold "
                f"(limit {lim['max_zip_ratio']}); refused as a possible ZIP bomb",
                file=path,
            )
    if any(n.lower().endswith("vbaproject.bin") for n in names) or _content_types_say_macro(zf, names):
        raise _macro(path)
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        raise InputError("binary Excel workbook (.xlsb) is not supported; save it as .xlsx", file=path)
    if "mimetype" in names and b"opendocument" in zf.read("mimetype")[:100]:
        raise InputError("OpenDocument file (ODT/ODS) is not supported; save it as .docx or .xlsx", file=path)
    if "[Content_Types].xml" in names:
        raise InputError("corrupt Office document: no word/document.xml or xl/workbook.xml in the container", file=path)
    raise InputError("a ZIP archive, not a report document (unpack it and ingest its files)", file=path)


def _content_types_say_macro(zf: zipfile.ZipFile, names: set[str]) -> bool:
    if "[Content_Types].xml" not in names:
        return False
    try:
        types = zf.read("[Content_Types].xml")
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return b"macroEnabled" in types or b"vbaProject" in types


def _ole_kind(path: Path, data: bytes) -> str:
    """XLS workbook, or a refused OLE file (legacy .doc, password-protected Office, macros)."""
    names = _ole_names(path, data)
    if "EncryptedPackage" in names or "EncryptionInfo" in names:
        raise InputError(
            "encrypted (password-protected) Office document: cannot be read without the password", file=path
        )
    if "_VBA_PROJECT_CUR" in names or "_VBA_PROJECT" in names or "Macros" in names:
        raise _macro(path)
    if "Workbook" in names or "Book" in names:
        return "xls"
    if "WordDocument" in names:
        raise InputError("Word 97-2003 document (.doc) is not supported; save it as .docx", file=path)
    raise InputError("an OLE compound file that is neither an XLS workbook nor a supported document", file=path)


def _ole_names(path: Path, data: bytes) -> set[str]:
    compdoc = _require("xlrd.compdoc", "XLS", path)
    try:
        doc = compdoc.CompDoc(data, logfile=io.StringIO())
    except Exception as exc:  # xlrd raises its own CompDocError and plain struct/index errors on garbage
        raise InputError(f"corrupt OLE compound file (XLS): {exc}", file=path) from None
    return {e.name for e in doc.dirlist}


def _require(module: str, what: str, path: Path) -> ModuleType:
    """``module`` imported, or an error naming the file and the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise JixiaoError(
            f"reading {what} documents needs the optional libraries: pip install 'jixiao[documents]' "
            f"(module {module.split('.')[0]} is missing)",
            file=path,
        ) from None


def read(path: Path, data: bytes, fmt: str) -> Extracted:
    """Read a document of format ``fmt`` (from `sniff`) into the intermediate form."""
    lim = limits()
    if len(data) > lim["max_bytes"]:
        raise InputError(f"file of {len(data):,} bytes exceeds the limit of {lim['max_bytes']:,}", file=path)
    if fmt == "pdf":
        from jixiao.ingest.documents import pdf as reader
    elif fmt == "docx":
        from jixiao.ingest.documents import word as reader
    elif fmt in ("xlsx", "xls"):
        from jixiao.ingest.documents import workbook as reader
    elif fmt == "html":
        from jixiao.ingest.documents import web as reader
    else:
        raise ValueError(fmt)
    return reader.read(path, data, fmt)
