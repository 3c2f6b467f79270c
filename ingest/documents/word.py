"""DOCX → the intermediate form, read from the WordprocessingML itself (lxml on word/document.xml,
styles.xml and numbering.xml): python-docx's API gives neither the numbers Word's list numbering
draws (一、 （一） 1. …, not in the text runs) nor element paths for locators.

Body paragraphs in order (content controls opened), each with the number its list level draws
(numFmt and lvlText of numbering.xml, counters per list, deeper levels restarting); tables with
gridSpan and vMerge expanded (text in the first position, the covered positions empty cells that
point at the merged cell). Deleted runs, field codes and the fallback copies of text boxes are not
text. Page headers and footers live in other parts and are not read. Locators: the XPath of the
paragraph or table cell in word/document.xml.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from jixiao.errors import InputError
from jixiao.ingest.documents import _require
from jixiao.ingest.documents.model import Extracted, Locator, TextBuilder

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
_LATIN_DIGIT = re.compile(r"[0-9A-Za-z.%]")
_HEADING_STYLE = re.compile(r"^(heading|标题)\s*(\d)$", re.I)
_CN_DIGITS = "零一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_STEMS = "甲乙丙丁戊己庚辛壬癸"


def parser(path: Path):
    etree = _require("lxml.etree", "DOCX", path)
    # no entities resolved, no network, default size limits: the XML is untrusted input
    return etree, etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)


def read(path: Path, data: bytes, fmt: str) -> Extracted:
    etree, xml_parser = parser(path)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        root = etree.fromstring(zf.read("word/document.xml"), xml_parser)
        styles = _optional(zf, "word/styles.xml", etree, xml_parser)
        numbering = _optional(zf, "word/numbering.xml", etree, xml_parser)
        core = _optional(zf, "docProps/core.xml", etree, xml_parser)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, etree.XMLSyntaxError, ValueError) as exc:
        raise InputError(f"corrupt DOCX: {exc}", file=path) from None
    for fallback in list(root.iter(MC_FALLBACK)):
        fallback.getparent().remove(fallback)
    body = root.find(f"{W}body")
    if body is None:
        raise InputError("corrupt DOCX: word/document.xml has no body", file=path)
    reader = _Reader(root.getroottree(), _Styles(styles), _Numbering(numbering))
    reader.blocks(body)
    meta = {}
    title = core.findtext(DC_TITLE) if core is not None else None
    if title and title.strip():
        meta["title"] = title.strip()
    return reader.b.build("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", meta)


def _optional(zf: zipfile.ZipFile, name: str, etree, xml_parser):
    try:
        return etree.fromstring(zf.read(name), xml_parser)
    except KeyError:
        return None


def _val(el, tag: str) -> str | None:
    child = el.find(f"{W}{tag}") if el is not None else None
    return None if child is None else child.get(f"{W}val")


class _Styles:
    """Paragraph styles: heading level and list numbering (numId, ilvl), following basedOn."""

    def __init__(self, root) -> None:
        self.styles: dict[str, tuple[str, str | None, tuple[str, int] | None, int | None]] = {}
        if root is None:
            return
        for st in root.iter(f"{W}style"):
            sid = st.get(f"{W}styleId")
            name = _val(st, "name") or ""
            ppr = st.find(f"{W}pPr")
            num = None
            numpr = ppr.find(f"{W}numPr") if ppr is not None else None
            if numpr is not None and _val(numpr, "numId"):
                num = (_val(numpr, "numId"), int(_val(numpr, "ilvl") or 0))
            outline = _val(ppr, "outlineLvl")
            self.styles[sid] = (name, _val(st, "basedOn"), num, int(outline) if outline else None)

    def numbering(self, sid: str | None) -> tuple[str, int] | None:
        for _ in range(10):
            if sid not in self.styles:
                return None
            _name, based, num, _o = self.styles[sid]
            if num:
                return num
            sid = based
        return None

    def heading(self, sid: str | None) -> int:
        if sid not in self.styles:
            return 0
        name, _based, _num, outline = self.styles[sid]
        m = _HEADING_STYLE.match(name)
        if m:
            return int(m.group(2))
        return outline + 1 if outline is not None and outline < 9 else 0


class _Numbering:
    """The numbers Word draws for list paragraphs: numbering.xml's levels, counters per list."""

    def __init__(self, root) -> None:
        self.abstract: dict[str, dict[int, tuple[int, str, str, str]]] = {}
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}
        self.counters: dict[str, list[int]] = {}
        self.started: set[str] = set()
        if root is None:
            return
        for an in root.iter(f"{W}abstractNum"):
            levels = {}
            for lvl in an.iter(f"{W}lvl"):
                ilvl = int(lvl.get(f"{W}ilvl") or 0)
                levels[ilvl] = (
                    int(_val(lvl, "start") or 1),
                    _val(lvl, "numFmt") or "decimal",
                    _val(lvl, "lvlText") or "",
                    _val(lvl, "suff") or "tab",
                )
            self.abstract[an.get(f"{W}abstractNumId")] = levels
        for num in root.iter(f"{W}num"):
            overrides = {}
            for ov in num.iter(f"{W}lvlOverride"):
                start = _val(ov, "startOverride")
                if start is not None:
                    overrides[int(ov.get(f"{W}ilvl") or 0)] = int(start)
            self.nums[num.get(f"{W}numId")] = (_val(num, "abstractNumId") or "", overrides)

    def text(self, num_id: str, ilvl: int) -> str:
        if num_id not in self.nums or num_id == "0":
            return ""
        abstract_id, overrides = self.nums[num_id]
        levels = self.abstract.get(abstract_id, {})
        if ilvl not in levels:
            return ""
        counters = self.counters.setdefault(abstract_id, [0] * 10)
        if num_id not in self.started:  # a list instance with start overrides restarts its levels
            self.started.add(num_id)
            for lv, start in overrides.items():
                counters[lv] = start - 1
        if counters[ilvl] == 0 and ilvl in levels:
            counters[ilvl] = levels[ilvl][0] - 1
        counters[ilvl] += 1
        for deeper in range(ilvl + 1, 10):
            counters[deeper] = 0
        start, fmt, template, suffix = levels[ilvl]
        if fmt in ("bullet", "none"):
            return ""

        def level_number(m: re.Match) -> str:
            lv = int(m.group(1)) - 1
            value = counters[lv] or (levels.get(lv, (1,))[0])
            return number_format(value, levels.get(lv, (1, "decimal"))[1])

        text = re.sub(r"%(\d)", level_number, template)
        return text + ("" if suffix == "nothing" else " ") if text else ""


def number_format(n: int, fmt: str) -> str:
    """``n`` in a WordprocessingML numFmt (the ones the genre's documents use; others as decimal)."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "taiwaneseCountingThousand"):
        return chinese_number(n)
    if fmt == "ideographTraditional" and 1 <= n <= 10:
        return _STEMS[n - 1]
    if fmt == "decimalEnclosedCircle" and 1 <= n <= 20:
        return _CIRCLED[n - 1]
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(c) + 0xFEE0) for c in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(n)
        return roman if fmt == "upperRoman" else roman.lower()
    return str(n)


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (Word's chineseCounting)."""
    if n <= 0:
        return str(n)
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n - 10] if n > 10 else "")
    if n < 100:
        tens, ones = divmod(n, 10)
        return _CN_DIGITS[tens] + "十" + (_CN_DIGITS[ones] if ones else "")
    if n < 10000:
        out, zero = "", False
        for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            digit, n = divmod(n, value)
            if digit:
                if zero and out:
                    out += "零"
                out += _CN_DIGITS[digit] + unit
                zero = False
            else:
                zero = True
        return out
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                       (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):  # fmt: skip
        while n >= value:
            out += sym
            n -= value
    return out


class _Reader:
    def __init__(self, tree, styles: _Styles, numbering: _Numbering) -> None:
        self.tree, self.styles, self.numbering = tree, styles, numbering
        self.b = TextBuilder()

    def blocks(self, parent) -> None:
        for el in parent:
            tag = el.tag
            if tag == f"{W}p":
                self.paragraph(el)
            elif tag == f"{W}tbl":
                self.table(el)
            elif tag == f"{W}sdt":
                content = el.find(f"{W}sdtContent")
                if content is not None:
                    self.blocks(content)
            elif tag in (f"{W}customXml", f"{W}smartTag", f"{W}ins"):
                self.blocks(el)

    def paragraph(self, p) -> None:
        loc = Locator("xpath", path=self.tree.getpath(p))
        text = paragraph_text(p)
        if not text.strip():
            return
        ppr = p.find(f"{W}pPr")
        outline = _val(ppr, "outlineLvl")
        level = int(outline) + 1 if outline is not None and outline.isdigit() and int(outline) < 9 else 0
        level = level or self.styles.heading(_val(ppr, "pStyle"))
        self.b.paragraph([(self.number(p), loc), (text.strip(), loc)], heading=level)

    def number(self, p) -> str:
        ppr = p.find(f"{W}pPr")
        style = _val(ppr, "pStyle")
        numpr = ppr.find(f"{W}numPr") if ppr is not None else None
        num = None
        if numpr is not None and _val(numpr, "numId") is not None:
            style_num = self.styles.numbering(style)
            ilvl = _val(numpr, "ilvl")
            num = (_val(numpr, "numId"), int(ilvl) if ilvl is not None else (style_num[1] if style_num else 0))
        else:
            num = self.styles.numbering(style)
        return self.numbering.text(*num) if num else ""

    def table(self, tbl) -> None:
        rows: list[dict[int, tuple[str, Locator | None, bool]]] = []
        above: dict[int, Locator] = {}  # the cell a vMerge continuation continues, by grid column
        for tr in _children(tbl, "tr"):  # (a nested table's rows are its cell's text)
            trpr = tr.find(f"{W}trPr")
            col = int(_val(trpr, "gridBefore") or 0)
            row: dict[int, tuple[str, Locator | None, bool]] = {}
            for tc in _children(tr, "tc"):
                tcpr = tc.find(f"{W}tcPr")
                span = max(1, int(_val(tcpr, "gridSpan") or 1))
                vmerge = tcpr.find(f"{W}vMerge") if tcpr is not None else None
                loc = Locator("xpath", path=self.tree.getpath(tc))
                if vmerge is not None and vmerge.get(f"{W}val") in (None, "continue"):
                    origin = above.get(col, loc)
                    for k in range(span):
                        row[col + k] = ("", origin, True)
                else:
                    row[col] = (cell_text(tc), loc, False)
                    for k in range(1, span):
                        row[col + k] = ("", loc, True)
                    for k in range(span):
                        above[col + k] = loc
                col += span
            rows.append(row)
        width = max((max(r) + 1 for r in rows if r), default=0)
        if not width:
            return
        self.b.table([[r.get(c, ("", None, False)) for c in range(width)] for r in rows])


def _children(parent, name: str):
    """The ``w:name`` children of ``parent``, content controls and custom XML opened."""
    for el in parent:
        if el.tag == f"{W}{name}":
            yield el
        elif el.tag == f"{W}sdt":
            content = el.find(f"{W}sdtContent")
            if content is not None:
                yield from _children(content, name)
        elif el.tag == f"{W}customXml":
            yield from _children(el, name)


_TEXT_TAGS = {f"{W}t": None, f"{W}tab": " ", f"{W}br": "\n", f"{W}cr": "\n", f"{W}noBreakHyphen": "-"}


def paragraph_text(p) -> str:
    """The text of a paragraph's runs (hyperlinks, insertions and fields' results included; deleted
    text and field codes are other elements). Tabs become spaces: a tab inside a paragraph aligns
    text, it does not make a table."""
    out = []
    for el in p.iter(*_TEXT_TAGS):
        rep = _TEXT_TAGS[el.tag]
        if rep is None:
            out.append(el.text or "")
        elif el.tag != f"{W}br" or el.get(f"{W}type") in (None, "textWrapping"):
            out.append(rep)
    return "".join(out)


def cell_text(tc) -> str:
    """A cell's paragraphs joined: nothing between Chinese text, a space between Latin or digits."""
    out = ""
    for p in tc.iter(f"{W}p"):
        t = " ".join(paragraph_text(p).split())
        if not t:
            continue
        if out and _LATIN_DIGIT.match(out[-1]) and _LATIN_DIGIT.match(t[0]):
            out += " "
        out += t
    return out
