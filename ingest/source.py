"""Read a report file: strict encoding detection and sanity checks.

`read_source` is the only way a report enters the pipeline. Its `SourceText.text` is the reference
string: every offset anywhere in the project (normalised text, sections, tables, figures, RDF
provenance) maps back into it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jixiao.errors import InputError
from jixiao.ingest.datafiles import toml

_BOM = b"\xef\xbb\xbf"
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Control bytes that never occur in text (tab, LF, CR, FF and ESC excepted).
_CONTROL = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D, 0x1B}
_CONTROL_BYTES = bytes(sorted(_CONTROL))
_BINARY_SAMPLE = 8192
_BINARY_SHARE = 0.05


@dataclass(frozen=True)
class SourceText:
    """A decoded report.

    `text` is the decoded original with nothing changed except that a UTF-8 byte-order mark is
    removed (encoding "utf-8-sig"): offsets are character offsets into `text`, i.e. into the text
    AFTER the BOM. `sha256` is the digest of the file's raw bytes (BOM included).
    """

    path: Path
    text: str
    encoding: str | None  # "utf-8", "utf-8-sig" or "gb18030"; a web page's charset; None for PDF/DOCX/XLSX/XLS
    sha256: str
    media_type: str = "text/plain"
    # a PDF, DOCX, XLSX, XLS or HTML file: its reading (jixiao.ingest.documents.model.Extracted),
    # whose `text` is `text` above (the offsets index it); None for a text file
    document: Any = None


def read_source(path: str | Path) -> SourceText:
    """Read and decode a report, refusing anything that is not a plausible Chinese report.

    Decoding is strict: UTF-8 (a leading BOM is stripped and reported as "utf-8-sig"), otherwise
    GB18030, otherwise an `InputError`. Also raises `InputError` for a missing file, an empty or
    whitespace-only file, a binary file (NUL bytes or many control bytes; `where` is the byte
    offset), and a text that is not a report (too little Chinese, or none of the genre's marker
    words listed in ingest/data/sections.toml [genre]).
    """
    p = Path(path)
    if not p.is_file():
        raise InputError("file not found (or not a regular file)", file=p)
    data = p.read_bytes()
    document = _read_document(p, data)
    if document is not None:
        return document
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("UTF-16 text is not supported; save the report as UTF-8", file=p, where="byte 0")
    _check_binary(data, p)
    text, encoding, utf8_error = _decode(data, p)
    if not text.strip():
        raise InputError("the file is empty or holds only whitespace (空文件)", file=p)
    problem = _genre_problem(text)
    if problem and utf8_error is not None and encoding == "gb18030":
        # A UTF-8 file with a corrupt byte also "decodes" as GB18030, into nonsense; report the byte.
        raise InputError(
            "not valid UTF-8, and the GB18030 reading is not a report either (无法解码)",
            file=p,
            where=f"byte {utf8_error}",
        )
    if problem:
        raise InputError(problem, file=p)
    return SourceText(path=p, text=text, encoding=encoding, sha256=hashlib.sha256(data).hexdigest())


def _read_document(path: Path, data: bytes) -> SourceText | None:
    """A PDF, DOCX, XLSX, XLS or HTML file (told by content and suffix) read through
    jixiao.ingest.documents; None for a text file."""
    from jixiao.ingest import documents

    fmt = documents.sniff(path, data)
    if fmt == "text":
        return None
    doc = documents.read(path, data, fmt)
    problem = _genre_problem(doc.text)
    if problem:
        raise InputError(f"{problem} (in the text read from this {documents.NAMES[fmt]} file)", file=path)
    sha = hashlib.sha256(data).hexdigest()
    return SourceText(path, doc.text, doc.encoding, sha, media_type=doc.media_type, document=doc)


def _check_binary(data: bytes, path: Path) -> None:
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError("binary file: it contains NUL bytes (not a text report)", file=path, where=f"byte {nul}")
    sample = data[:_BINARY_SAMPLE]
    count = len(sample) - len(sample.translate(None, _CONTROL_BYTES))  # (deletes the control bytes)
    if sample and count > _BINARY_SHARE * len(sample):
        controls = [i for i, b in enumerate(sample) if b in _CONTROL]
        raise InputError(
            f"binary file: {len(controls)} control bytes in the first {len(sample)} bytes",
            file=path,
            where=f"byte {controls[0]}",
        )


def _decode(data: bytes, path: Path) -> tuple[str, str, int | None]:
    """Return (text, encoding, byte offset of the first bad UTF-8 byte or None)."""
    body, encoding, shift = (data[3:], "utf-8-sig", 3) if data.startswith(_BOM) else (data, "utf-8", 0)
    try:
        return body.decode("utf-8"), encoding, None
    except UnicodeDecodeError as exc:
        bad = exc.start + shift
    if shift:  # a BOM promises UTF-8: do not guess further
        raise InputError("file starts with a UTF-8 BOM but is not valid UTF-8", file=path, where=f"byte {bad}")
    try:
        return data.decode("gb18030"), "gb18030", bad
    except UnicodeDecodeError:
        raise InputError(
            "cannot decode the file as UTF-8 or GB18030 (无法解码)", file=path, where=f"byte {bad}"
        ) from None


def _genre_problem(text: str) -> str | None:
    """Why `text` is not a report of the genre, or None when it looks like one."""
    genre = toml("sections.toml")["genre"]
    cjk = len(text) - len(_CJK.sub("", text))  # (one character a match)
    visible = len(text) - sum(map(str.isspace, text))
    if cjk < genre["min_cjk"] or cjk < genre["min_cjk_share"] * visible:
        return f"not a report: too little Chinese text ({cjk} CJK characters of {visible})"
    if not any(word in text for word in genre["markers"]):
        listed = "/".join(genre["markers"])
        return f"not a report: none of the genre's marker words ({listed}) occurs"
    return None
