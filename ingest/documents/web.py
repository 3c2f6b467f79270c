"""A saved HTML page → the intermediate form (lxml; nothing is executed, scripts are never read).

Decoding: a byte-order mark, else the charset the page declares (<meta charset>, http-equiv), else
UTF-8, else GB18030. The metadata block of a government page (索引号, 发布机构, 发布日期, 文号) and the
<meta> tags of the 政府网站 template (ContentSource, PubDate, ArticleTitle) are read from the whole
page first. Then scripts, styles, frames, forms, navigation, headers, footers and every element whose
class or id names site furniture (ingest/data/documents.toml [html]) are dropped, and the main
content is found: the element a content class or id names (TRS_Editor, zoom, article …) holding the
most Chinese text, else the element reached from <body> by descending while one child holds most
(80 %) of the Chinese text outside links. The page's title is put first when the content does not
start with it.

Inside the content, block elements start paragraphs, <br> a new line; <table> is read as a table,
rowspan and colspan expanded (text in the top-left position; a one-cell table is a layout frame and
read as blocks). Locators: the XPath of the element holding each piece of text.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from jixiao.errors import InputError
from jixiao.ingest import datafiles
from jixiao.ingest.documents import _require
from jixiao.ingest.documents.model import Extracted, Locator, TextBuilder

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SPACE = re.compile(r"[ \t\r\n\f\u3000\xa0]+")
_ASCII_SPACE = re.compile(r"[ \t\r\n\f]+")
_WORDS = re.compile(r"[A-Za-z0-9_]+")
_HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
MIN_CONTENT_CJK = 50  # a page whose content holds less Chinese than this has no report in it


@cache
def _conf() -> dict:
    conf = datafiles.toml("documents.toml")
    html = conf["html"]
    labels = "|".join(f"(?P<{key}>{pattern})" for key, pattern in conf["metadata"]["labels"])
    return {
        **html,
        "drop_tags": frozenset(html["drop_tags"]),
        "drop_hints": frozenset(h.lower() for h in html["drop_hints"]),
        "blocks": frozenset(html["blocks"]),
        "label_re": re.compile(rf"(?:{labels})\s*[:：]\s*"),
        "meta": conf["metadata"]["meta"],
    }


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a page's bytes."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    m = _CHARSET.search(data[:4096])
    declared = m.group(1).decode("ascii").lower() if m else None
    if declared in ("gb2312", "gbk", "gb18030", "x-gbk"):
        declared = "gb18030"  # a superset: pages labelled GB2312 use GBK characters
    if declared:
        try:
            return data.decode(declared), declared
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace"), "gb18030"


def read(path: Path, data: bytes, fmt: str) -> Extracted:
    lxml_html = _require("lxml.html", "HTML", path)
    text, encoding = decode(data)
    try:
        root = lxml_html.document_fromstring(text)
    except Exception as exc:  # lxml raises ParserError / ValueError on an empty or broken document
        raise InputError(f"cannot parse the HTML page: {exc}", file=path) from None
    tree = root.getroottree()
    meta = _meta_tags(root)
    frames = [el.get("src") or "" for el in root.iter("iframe", "frame") if el.get("src")]
    scripts = sum(1 for _ in root.iter("script"))
    title = meta.pop("title", "") or _first_text(root, "h1") or (root.findtext(".//title") or "").strip()
    _drop(root)
    content = _main(root)
    # the page's metadata block, outside the report (a cover's 报告日期 is not the page's date)
    meta.update({k: v for k, v in _metadata_block(root, content).items() if k not in meta})
    b = TextBuilder()
    reader = _Reader(tree, b)
    if title and title_missing(content, title):
        h1 = next((el for el in root.iter("h1") if " ".join(el.text_content().split()) == title), None)
        b.paragraph([(title, Locator("xpath", path=tree.getpath(h1)) if h1 is not None else None)], heading=1)
    reader.blocks(content)
    doc = b.build("html", "text/html", {k: v for k, v in meta.items() if v}, encoding)
    if len(_CJK.findall(doc.text)) < MIN_CONTENT_CJK:
        where = f"in an iframe ({frames[0]})" if frames else "loaded by a script" if scripts else "missing"
        raise InputError(
            f"no report text in the page: its content is {where}; save the framed page or the attachment instead",
            file=path,
        )
    return doc


def title_missing(content, title: str) -> bool:
    head = "".join(content.text_content().split())[: len(title) * 2]
    return "".join(title.split()) not in head


def _first_text(root, tag: str) -> str:
    for el in root.iter(tag):
        text = " ".join(el.text_content().split())
        if text:
            return text
    return ""


def _meta_tags(root) -> dict[str, str]:
    out: dict[str, str] = {}
    names = {name.lower(): key for key, name in _conf()["meta"]}
    for el in root.iter("meta"):
        key = names.get((el.get("name") or "").lower())
        if key and (el.get("content") or "").strip() and key not in out:
            out[key] = el.get("content").strip()
    return out


def _metadata_block(root, content) -> dict[str, str]:
    """索引号：… 发布机构：… 发布日期：… 文号：… wherever the page states them outside its main content
    (labels in documents.toml)."""
    body = root.find("body")
    if body is None:
        return {}
    out: dict[str, str] = {}
    label_re = _conf()["label_re"]
    # (the elements themselves, not their id(): lxml makes a new proxy object, and may reuse an id,
    # for an element no Python reference holds)
    inside = set(content.iter()) if content is not body else set()
    for el in body.iter():
        if el.tag in ("script", "style") or not isinstance(el.tag, str) or el in inside:
            continue
        for chunk in (el.text, el.tail):
            if not chunk or ("：" not in chunk and ":" not in chunk):
                continue
            matches = list(label_re.finditer(chunk))
            for k, m in enumerate(matches):
                end = matches[k + 1].start() if k + 1 < len(matches) else len(chunk)
                value = (
                    _SPACE.split(chunk[m.end() : end].strip(), maxsplit=1)[0] if chunk[m.end() : end].strip() else ""
                )
                key = m.lastgroup
                if value and key not in out:
                    out[key] = value
    return out


def _classes(el) -> set[str]:
    words = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return set(re.split(r"[\s_\-]+", words)) - {""}


def _drop(root) -> None:
    conf = _conf()
    hints = conf["drop_hints"]
    content_hints = {h.lower() for h in conf["content_hints"]}
    doomed = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in conf["drop_tags"]:  # comments and processing instructions
            doomed.append(el)
        elif el.tag not in ("html", "body"):
            words = _classes(el)
            if words & hints and not words & content_hints:
                doomed.append(el)
    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            el.drop_tree()  # (keeps the element's tail text in place)


def _cjk(el, skip_links: bool = True) -> int:
    total = 0
    for node in el.iter():
        if not isinstance(node.tag, str):
            continue
        if not (skip_links and node.tag == "a"):
            total += len(_CJK.findall(node.text or ""))
        if node is not el:
            total += len(_CJK.findall(node.tail or ""))
    return total


def _main(root):
    body = root.find("body")
    if body is None:
        body = root
    hints = [h.lower() for h in _conf()["content_hints"]]
    best, best_rank = None, None
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        words = _classes(el)
        for rank, hint in enumerate(hints):
            if hint in words:
                n = _cjk(el)
                if n >= MIN_CONTENT_CJK and (best_rank is None or (rank, -n) < best_rank):
                    best, best_rank = el, (rank, -n)
                break
    if best is not None:
        return best
    node = body
    while True:
        total = _cjk(node)
        children = [c for c in node if isinstance(c.tag, str)]
        if not total or not children:
            return node
        top = max(children, key=_cjk)
        if _cjk(top) < 0.8 * total:
            return node
        node = top


class _Reader:
    def __init__(self, tree, b: TextBuilder) -> None:
        self.tree, self.b = tree, b
        self.blocks_ = _conf()["blocks"]
        self.para: list[tuple[str, Locator | None]] = []

    def loc(self, el) -> Locator:
        return Locator("xpath", path=self.tree.getpath(el))

    def flush(self, heading: int = 0) -> None:
        if self.para:
            pieces = _trim(self.para)
            self.b.paragraph(pieces, heading=heading)
        self.para = []

    def blocks(self, el) -> None:
        self.walk(el)
        self.flush()

    def walk(self, el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "table" and not _layout_table(el):
            self.flush()
            self.table(el)
            self._tail(el)
            return
        block = tag in self.blocks_
        if block:
            self.flush()
        if tag == "br":
            self.para.append(("\n", None))
        elif el.text:
            self.para.append((el.text, self.loc(el)))
        for child in el:
            self.walk(child)
        if block:
            self.flush(heading=int(tag[1]) if tag in _HEADING_TAGS else 0)
        self._tail(el)

    def _tail(self, el) -> None:
        if el.tail and el.getparent() is not None:
            self.para.append((el.tail, self.loc(el.getparent())))

    def table(self, tbl) -> None:
        """Rows and cells with rowspan and colspan laid on a grid (the HTML table model)."""
        rows = list(_rows(tbl))
        taken: dict[tuple[int, int], tuple[Locator, bool]] = {}  # position → (cell, whether its origin)
        texts: dict[tuple[int, int], str] = {}
        for r, tr in enumerate(rows):
            c = 0
            for cell in tr:
                if not isinstance(cell.tag, str) or cell.tag not in ("td", "th"):
                    continue
                while (r, c) in taken:
                    c += 1
                colspan, rowspan = _span(cell.get("colspan")), _span(cell.get("rowspan"))
                loc = self.loc(cell)
                for dr in range(min(rowspan, len(rows) - r)):
                    for dc in range(colspan):
                        taken[r + dr, c + dc] = (loc, dr == 0 and dc == 0)
                texts[r, c] = _cell_text(cell)
                c += colspan
        width = max((c + 1 for _r, c in taken), default=0)
        if not width:
            return
        grid = []
        for r in range(len(rows)):
            row: list[tuple[str, Locator | None, bool]] = []
            for c in range(width):
                if (r, c) not in taken:
                    row.append(("", None, False))
                    continue
                loc, origin = taken[r, c]
                row.append((texts[r, c], loc, False) if origin else ("", loc, True))
            grid.append(row)
        self.b.table(grid)


def _rows(tbl):
    for el in tbl:
        if el.tag == "tr":
            yield el
        elif el.tag in ("thead", "tbody", "tfoot"):
            yield from (tr for tr in el if tr.tag == "tr")


def _layout_table(tbl) -> bool:
    """A table with one row of one cell frames content; it is not a data table."""
    rows = list(_rows(tbl))
    return len(rows) == 1 and sum(1 for c in rows[0] if getattr(c, "tag", "") in ("td", "th")) == 1


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


def _cell_text(cell) -> str:
    parts = []
    for node in cell.iter():
        if not isinstance(node.tag, str):
            continue
        if node.tag == "br" or node.tag in ("p", "div", "li"):
            parts.append(" ")
        parts.append(node.text or "")
        if node is not cell:
            parts.append(node.tail or "")
    text = "".join(parts)
    # inside a cell, a line break between Chinese characters is not a space
    return " ".join(_SPACE.split(text)).strip()


def _trim(pieces: list[tuple[str, Locator | None]]) -> list[tuple[str, Locator | None]]:
    """A paragraph's pieces with HTML's white space rules: runs of white space are one space, none at
    the start or end of a line; &nbsp; and full-width spaces used as indentation dropped."""
    out: list[tuple[str, Locator | None]] = []
    at_line_start = True
    for text, loc in pieces:
        if text == "\n":
            while out and out[-1][0].endswith(" "):
                t, lc = out.pop()
                if t.rstrip():
                    out.append((t.rstrip(), lc))
            out.append(("\n", None))
            at_line_start = True
            continue
        text = _ASCII_SPACE.sub(" ", text)
        if at_line_start:
            text = text.lstrip(" \xa0\u3000")
        elif out and out[-1][0].endswith(" ") and text.startswith(" "):
            text = text.lstrip(" ")
        if text:
            out.append((text.replace("\xa0", " "), loc))
            at_line_start = False
    while out and (out[-1][0] == "\n" or out[-1][0].endswith(" ")):
        t, lc = out.pop()
        if t != "\n" and t.rstrip():
            out.append((t.rstrip(), lc))
            break
    while out and out[0][0] == "\n":
        out.pop(0)
    return out
