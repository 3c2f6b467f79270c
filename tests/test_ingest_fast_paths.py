"""The faster paths of ingest (issue "ingest CPU per report") give what the plain code gave.

Each fast path is checked against a plain reference written here: the per-character normalisation,
the full alignment table, rjieba's own tagging, the canonical decimal literal, an ordered list as
the triple set, each column pattern tried in turn. Inputs are the real report, the samples and
seeded random inputs built to hit the edge cases (CR/LF mixes, full-width separators, spaces,
duplicates added after a lookup)."""

from __future__ import annotations

import random
import re
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from jixiao import iris
from jixiao.ingest import emit, layout, normalise, numerals, segment, source
from jixiao.ingest.emit import GraphBuilder, Source, TripleSet
from jixiao.ingest.numerals import MULTIPLIERS, split_multiplier
from jixiao.ns import JX
from jixiao.rdfutil import from_ox, nt_term, to_ox
from tests.conftest import REAL_REPORT, SAMPLE, SAMPLE_GB

EX = "https://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_DECIMAL, XSD_INTEGER = URIRef(XSD + "decimal"), URIRef(XSD + "integer")
OA_EXACT = URIRef("http://www.w3.org/ns/oa#exact")


def texts_of_the_genre() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in (REAL_REPORT, SAMPLE)] + [source.read_source(SAMPLE_GB).text]


# -- normalisation: the character-by-character rules -------------------------------------------
def plain_normalise(text: str) -> tuple[str, list[int]]:
    """Rules 1-3 of ingest.normalise one character at a time (how they were first written), then
    rule 4 through the module (it works on lines)."""
    chars, origin = [], []
    n = len(text)
    wide = "0123456789０１２３４５６７８９"
    for i, c in enumerate(text):
        if c == "\r":
            if i + 1 < n and text[i + 1] == "\n":
                continue
            c = "\n"
        elif "０" <= c <= "９" or "Ａ" <= c <= "Ｚ" or "ａ" <= c <= "ｚ" or c == "％":
            c = chr(ord(c) - 0xFEE0)
        elif c in "．，" and 0 < i < n - 1 and text[i - 1] in wide and text[i + 1] in wide:
            c = "." if c == "．" else ","
        chars.append(c)
        origin.append(i)
    keep = [True] * len(chars)
    i = 0
    spaces = " \u3000\u00a0"
    while i < len(chars):
        if chars[i] not in spaces:
            i += 1
            continue
        j = i
        while j < len(chars) and chars[j] in spaces:
            j += 1
        before = chars[i - 1] if i > 0 else None
        after = chars[j] if j < len(chars) else None
        digit, cjk = normalise._is_digit, normalise._is_cjk
        if (
            (digit(before) and (cjk(after) or after in ("%", "‰")))
            or (cjk(before) and digit(after))
            or (before is not None and before in "≥≤<>=＞＜" and digit(after))
            or (cjk(before) and after is not None and after in "≥≤<>=＞＜")
            or (j - i == 1 and cjk(before) and cjk(after))
        ):
            keep[i:j] = [False] * (j - i)
        i = j
    folded = "".join(c for c, k in zip(chars, keep, strict=True) if k)
    kept = [o for o, k in zip(origin, keep, strict=True) if k]
    joined, joined_origin = normalise._join_page_breaks(folded, kept)
    return joined, [*joined_origin, len(text)]


def random_texts(seed: int, count: int, longest: int) -> list[str]:
    pieces = [
        *"\r\n \u3000\u00a0\t1０９ＡｚaZ％%．，.,万元人年的。：；≥≤<>=＞＜|",
        "\r\n",
        "\n\n",
        "  ",
        "预算",
        "一、",
        "（一）",
        "1.",
        "执行率",
    ]
    rnd = random.Random(seed)
    return ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, longest))) for _ in range(count)]


def test_normalise_equals_the_character_rules() -> None:
    genre = texts_of_the_genre()
    variants = (
        [t.replace("\n", "\r\n") for t in genre]
        + [t.replace("\n", "\r") for t in genre]
        + [t.replace("，", "．") for t in genre]
    )
    for text in genre + variants + random_texts(1, 3000, 80):
        norm = normalise.normalise(text)
        assert (norm.text, norm.origin) == plain_normalise(text), repr(text[:80])


def test_fold_keeps_offsets_across_cr_lf() -> None:
    text = "１\r\n，２\r3，４\r\n\r\n５．６"
    folded, origin = normalise._fold(text)
    assert folded == "1\n，2\n3,4\n\n5.6"  # ，after a line break is not between two digits
    assert [text[o] for o in origin] == [*"１\n，２\r3，４\n\n５．６"]


# -- table rows: the alignment table -----------------------------------------------------------
def plain_align_costs(texts, roles, present, suffixed) -> list[list[int]]:
    """The alignment table cell by cell, each cell the cheapest of its three moves."""
    n, w, inf = len(texts), len(roles), layout._INF
    cost = [[inf] * (w + 1) for _ in range(n + 1)]
    cost[n][w] = 0
    for i in range(n, -1, -1):
        for j in range(w, -1, -1):
            if i == n and j == w:
                continue
            moves = []
            if i < n and j < w:
                moves.append(layout._fit(texts[i], roles[j], present, suffixed) + cost[i + 1][j + 1])
            if i < n and not texts[i]:
                moves.append(1 + cost[i + 1][j])
            if j < w:
                moves.append(1 + cost[i][j + 1])
            cost[i][j] = min([inf, *moves])
    return cost


def test_align_costs_equal_the_plain_table() -> None:
    roles_pool = [
        "level1",
        "level2",
        "level3",
        "target",
        "actual",
        "unit",
        "comparator",
        "name",
        "approved",
        "executed",
        "rate",
        "index",
        "weight",
        "score",
        None,
    ]
    cells = [
        "",
        "",
        "",
        "产出指标",
        "数量指标",
        "社会效益指标",
        "满意度指标",
        "12",
        "95%",
        "≥",
        "≤",
        "个",
        "万元",
        "某某项目",
        "定性",
        "1",
        "2023年经费",
        "社会公众满意度",
        "（50分）",
        "100",
        "—",
        "是",
    ]
    rnd = random.Random(2)
    for _ in range(3000):
        roles = [rnd.choice(roles_pool) for _ in range(rnd.randint(0, 8))]
        texts = [rnd.choice(cells) for _ in range(rnd.randint(0, 10))]
        present, suffixed = frozenset(roles), rnd.random() < 0.3
        assert layout._align_costs(texts, roles, present, suffixed) == plain_align_costs(
            texts, roles, present, suffixed
        )


def test_column_role_equals_each_pattern_in_turn() -> None:
    def plain(header: str) -> str | None:
        name = re.sub(r"\s+", "", layout._BRACKETED.sub("", header))
        for role, patterns in layout.rules()["column_res"]:
            if name and any(p.search(name) for p in patterns):
                return role
        return None

    lines = {line.strip() for text in texts_of_the_genre() for line in re.split(r"[\n\t|]", text)}
    lines |= {"下达预算数（万元）", "实际完成值", "三级指标", "序号", "备注说明", "完成数", ""}
    roles = {line: layout.column_role(line) for line in sorted(lines)}
    assert roles == {line: plain(line) for line in sorted(lines)}
    assert sum(r is not None for r in roles.values()) >= 7


# -- segmentation: tags without rjieba's tag() ---------------------------------------------------
def test_pos_columns_equal_rjieba_tags() -> None:
    seg = segment.Segmenter(engine="rjieba")
    rj = seg._rjieba

    def plain(text: str) -> list[tuple[str, str, int, int]]:
        out, pos = [], 0
        for w, t in rj.tag(text):
            tag = seg.lexicon_tag.get(w) or (t if rj.has_word(w) else segment._unknown_tag(w))
            out.append((w, tag, pos, pos + len(w)))
            pos += len(w)
        return out

    real = REAL_REPORT.read_text(encoding="utf-8")
    rnd = random.Random(3)
    pieces = [real[a : a + rnd.randint(1, 300)] for a in (rnd.randrange(len(real)) for _ in range(400))]
    for text in [*pieces, real, "", "ABC 123 x"]:  # new tokens, then the same ones known
        words, tags, starts, ends = seg.pos_columns(text)
        assert list(zip(words, tags, starts, ends, strict=True)) == plain(text)


# -- literals and the triple set -----------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    [
        Decimal("13.25"),
        Decimal("13.250"),
        Decimal("120"),
        Decimal("1.2E+3"),
        Decimal("0E-5"),
        Decimal("-0"),
        Decimal("-7.5"),
        10000,
        1,
        "0.10",
        Decimal("123456789012345678901234567890.5"),
    ],
)
def test_decimal_literals_are_the_forms_oxigraph_stores(value) -> None:
    """emit.dec writes the lexical form Oxigraph stores (no trailing zeros, no exponent, 0 for -0),
    whatever was asked for before (its cache holds equal values once)."""
    d = Decimal(value).normalize()
    plain = Literal(format(d if d else Decimal(0), "f"), datatype=XSD_DECIMAL)
    assert emit.dec(value) == to_ox(plain) == emit.dec.__wrapped__(value)
    assert nt_term(emit.dec(value)) == nt_term(plain) and from_ox(emit.dec(value)) == plain
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), emit.dec(value)))
    assert [q.object for q in store] == [emit.dec(value)]


class PlainTripleSet:
    """The reference: an ordered list without duplicates."""

    def __init__(self) -> None:
        self.triples: list[tuple] = []

    def add(self, t: tuple) -> None:
        if t not in self.triples:
            self.triples.append(t)


def test_tripleset_equals_an_ordered_list_whatever_the_order_of_adds_and_reads() -> None:
    rnd = random.Random(4)
    subjects = [ox.NamedNode(f"{EX}s{i}") for i in range(4)]
    predicates = [ox.NamedNode(f"{EX}p{i}") for i in range(4)]
    objects = [
        ox.Literal("a"),
        ox.Literal("a", language="zh"),
        ox.Literal("1", datatype=ox.NamedNode(XSD_INTEGER)),
        ox.NamedNode(f"{EX}o"),
    ]
    for _ in range(300):
        fast, plain = TripleSet(), PlainTripleSet()
        for _ in range(rnd.randint(0, 60)):
            # equal terms as distinct objects: a duplicate must be dropped whichever object it is
            s, p, o = ox.NamedNode(rnd.choice(subjects).value), rnd.choice(predicates), rnd.choice(objects)
            if rnd.random() < 0.8:
                fast.add((s, p, o))
                plain.add((s, p, o))
            else:  # a read between adds
                assert ((s, p, o) in fast) == ((s, p, o) in plain.triples)
                assert len(fast) == len(plain.triples)
        assert list(fast) == plain.triples and len(fast) == len(plain.triples)


def test_first_added_object_is_kept_for_a_duplicate() -> None:
    s, p = ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p")
    first, second = ox.Literal("x"), ox.Literal("x")
    t = TripleSet()
    t.add((s, p, first))
    t.add((s, p, second))
    assert len(t) == 1 and next(iter(t))[2] is first


def test_figure_strings_are_one_literal_object() -> None:
    # what lets jixiao.store.ntriples write a repeated string once: a figure's stated form and its
    # span's quote, and a unit stated twice, are the same object
    text = "支出 13.25 万元，另 8.00 万元。"
    builder = GraphBuilder(
        iris.report("某某局", 2024, "department_whole"), Source(Path("x.txt"), text, "ab" * 32, "utf-8")
    )
    a, b = text.index("13.25"), text.index("8.00")
    first = builder.quantity(a, a + 8, value=Decimal("13.25"), stated_unit="万元", unit="yuan")
    second = builder.quantity(b, b + 7, value=Decimal("8.00"), stated_unit="万元", unit="yuan")

    def value(s, p):
        return next(o for s2, p2, o in builder.t if s2 == s and p2 == p)

    quote = ox.NamedNode(f"{iris.span(builder.report, a, a + 8)}/quote")
    stated_form, unit = to_ox(JX.statedForm), to_ox(JX.statedUnit)
    assert value(first, stated_form) is value(quote, to_ox(OA_EXACT))
    assert value(first, stated_form) == ox.Literal("13.25 万元")
    assert value(first, unit) is value(second, unit)


# -- small helpers --------------------------------------------------------------------------------
def plain_split_multiplier(s: str) -> tuple[str, int]:
    """Every multiplier suffix tried in turn, longest first (no quick test of the ending)."""
    for suffix in sorted(MULTIPLIERS, key=len, reverse=True):
        head = s[: -len(suffix)]
        if not (s.endswith(suffix) and head):
            continue
        if numerals.ARABIC_RE.fullmatch(head.translate(numerals.FULLWIDTH)) or (
            suffix in numerals.BIG_UNITS
            and numerals._pure_chinese(head)
            and not any(c in numerals.BIG_UNITS for c in head)
        ):
            return head, MULTIPLIERS[suffix]
    return s, 1


@pytest.mark.parametrize(
    "s",
    ["1.2万", "两万", "三十六", "22万多", "5千万", "十万", "万", "3亿", "１２万", "12", "", "一万万", "3.5百万", "千"],
)
def test_split_multiplier_as_each_suffix_in_turn(s: str) -> None:
    assert split_multiplier(s) == plain_split_multiplier(s)


def test_fold_fullwidth_is_the_translation() -> None:
    every = "".join(chr(c) for c in numerals.FULLWIDTH)
    for text in [*texts_of_the_genre(), every, every * 2 + "abc，１", "", *random_texts(5, 500, 40)]:
        assert numerals.fold_fullwidth(text) == text.translate(numerals.FULLWIDTH)


def test_genre_and_binary_counts(tmp_path: Path) -> None:
    for text in texts_of_the_genre():
        assert source._genre_problem(text) is None
    assert "too little Chinese" in source._genre_problem("abc " * 200 + "绩效")
    controls = bytes(range(1, 32))
    bad = tmp_path / "bad.txt"
    bad.write_bytes(("绩效自评报告" * 30).encode() + controls * 40)
    with pytest.raises(Exception, match="control bytes"):
        source.read_source(bad)
    ok = tmp_path / "ok.txt"
    ok.write_bytes(REAL_REPORT.read_bytes() + b"\x1b\x0c")
    assert source.read_source(ok).text.endswith("\x1b\x0c")
