"""Property-based tests (hypothesis) of the readers and the guard functions (issue 17): on any text,
the number, figure, table and section readers return (spans inside the text, quotes equal to the
text they point at) and never raise; ``jixiao ingest`` of any file ends in exit 0 or a one-line exit 2;
the SPARQL helpers reachable without a server (parameter coercion, VALUES binding, the endpoint's
query inspection, the opaque-token scanner) return or refuse with their own error type.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from jixiao.ingest import numerals
from jixiao.ingest.figures import extract_figures
from jixiao.ingest.normalise import normalise
from jixiao.ingest.sections import parse_sections
from jixiao.ingest.tables import find_tables

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# characters the genre is made of: digits (ASCII and full-width), Chinese numerals and multipliers,
# units, qualifiers, punctuation, separators of the table forms, heading numbers, and some words
GENRE_CHARS = list(
    "0123456789０１２３４５６７８９.．,，%％‰〇零一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
    "元万亿个人次户件项吨年月日余近超约≥≤><=＋+-－—～~（）()【】[]、。；：:;\"“”'"
    "\t\n \u3000|｜①②③"
)
GENRE_WORDS = [
    "预算", "绩效", "自评", "报告", "执行率", "万元", "指标", "一级指标", "二级指标", "三级指标", "指标值",
    "完成值", "分值", "得分", "项目", "合计", "年初预算", "全年预算数", "全年执行数", "一、", "（一）", "1.",
    "(1)", "部门整体支出", "满意度", "数量指标", "质量指标", "≥95%", "100%", "30万元", "约1.2亿元",
    "\t", "\n", "\n\n", "|", "　",
]  # fmt: skip
genre_text = st.lists(
    st.one_of(st.sampled_from(GENRE_WORDS), st.text(alphabet=st.sampled_from(GENRE_CHARS), max_size=8)),
    max_size=80,
).map("".join)
any_text = st.one_of(genre_text, st.text(max_size=300))


# -- the number readers ---------------------------------------------------------------------------
@SETTINGS
@given(any_text)
def test_number_readers_never_raise(s):
    for f in (numerals.chinese_to_int, numerals.ordinal_number, numerals.number_value):
        f(s)
    folded = numerals.fold_fullwidth(s)
    assert len(folded) == len(s)  # offsets survive folding
    _rest, mult = numerals.split_multiplier(s)
    assert isinstance(mult, int) and mult >= 1


def _chinese(k: int) -> str:
    """1 <= k <= 9999 in Chinese numerals, as written in reports: 一千零五, 三百一十, 十二, 二十."""
    digits = "零一二三四五六七八九"
    if 10 <= k < 20:
        return "十" + (digits[k - 10] if k > 10 else "")
    out, gap = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, k = divmod(k, value)
        if d:
            out += ("零" if gap else "") + digits[d] + unit
            gap = False
        elif out:
            gap = True
    return out


@SETTINGS
@given(st.integers(1, 9999), st.integers(0, 9999), st.booleans())
def test_chinese_numerals_read_back(low, high, wan):
    """A number written in Chinese numerals reads back as itself: 1-9999, and N万 or N万M with M >= 1000
    (no 零 needed after 万)."""
    assert numerals.chinese_to_int(_chinese(low)) == low, _chinese(low)
    if wan and high >= 1000:
        text = _chinese(low) + "万" + _chinese(high)
        assert numerals.chinese_to_int(text) == low * 10000 + high, text
    elif wan:
        assert numerals.chinese_to_int(_chinese(low) + "万") == low * 10000


@SETTINGS
@given(any_text)
def test_figure_reader_spans_point_at_their_text(s):
    for f in extract_figures(s):
        assert 0 <= f.start < f.end <= len(s)
        assert s[f.start : f.end] == f.text
        if f.counts_start is not None:
            assert 0 <= f.counts_start <= f.counts_end <= len(s)


# -- the table and section readers ----------------------------------------------------------------
@SETTINGS
@given(any_text)
def test_table_and_section_readers_never_raise(s):
    norm = normalise(s)
    assert len(norm.origin) == len(norm.text) + 1
    n = len(norm.text)
    for t in find_tables(norm):
        assert 0 <= t.start <= t.end <= n
        for row in [*t.rows, *([t.total_row] if t.total_row else [])]:
            for cell in row.cells:
                assert 0 <= cell.start <= cell.end <= n
                assert norm.text[cell.start : cell.end].strip() == cell.text or not cell.text
    root = parse_sections(norm)
    for sec in _walk(root):
        assert 0 <= sec.start <= sec.end <= n
        for b in sec.blocks:
            assert 0 <= b.start <= b.end <= n


def _walk(section):
    yield section
    for child in section.children:
        yield from _walk(child)


# -- the whole reader, at the command line --------------------------------------------------------
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    body=st.one_of(
        genre_text.map(lambda t: ("预算绩效自评报告\n" + t).encode("utf-8")),
        genre_text.map(lambda t: ("部门整体支出绩效自评报告\n一、基本情况\n" + t).encode("gb18030")),
        st.binary(max_size=400),
    )
)
def test_ingest_of_any_file_is_exit_0_or_one_line_exit_2(tmp_path_factory, capsys, body):
    from jixiao.cli import main

    folder = tmp_path_factory.mktemp("any")
    f = folder / "input.txt"
    f.write_bytes(body)
    out = folder / "g.nq"
    code = main(["ingest", str(f), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code in (0, 2)
    if code == 2:
        assert err.startswith("jixiao ingest: error: ") and "input.txt" in err
        assert "internal error" not in err
        assert not out.exists()
    else:
        assert out.stat().st_size > 0


# -- TripleSet (ingest/emit.py): the triples of a report while they are written ---------------------
ops = st.lists(
    st.tuples(st.sampled_from(["add", "add", "add", "len", "in"]), st.integers(0, 6), st.integers(0, 2)), max_size=120
)


@SETTINGS
@given(ops)
def test_tripleset_matches_a_plain_model(script):
    """Adds (with duplicates), reads and lookups in any order: the same triples, each once, in the
    order first added, as an insertion-ordered dict."""
    from jixiao.ingest.emit import TripleSet

    ts = TripleSet()
    model: dict[tuple, None] = {}
    for op, s, o in script:
        triple = (f"s{s % 3}", f"p{s % 2}", f"o{o}{s}")
        if op == "add":
            ts.add(triple)
            model.setdefault(triple, None)
        elif op == "in":
            assert (triple in ts) == (triple in model)
        else:
            assert len(ts) == len(model)
    assert list(ts) == list(model)


# -- the SPARQL guard functions -------------------------------------------------------------------
PARAM_TYPES = ["xsd:string", "xsd:decimal", "xsd:integer", "xsd:boolean", "xsd:gYear", "xsd:anyURI"]


@SETTINGS
@given(st.sampled_from(PARAM_TYPES), st.one_of(st.text(max_size=60), st.from_regex(r"[+-]?\d{1,40}(\.\d{0,30})?")))
def test_parameter_coercion_returns_a_term_or_a_usage_error(t, raw):
    from jixiao import queries as Q
    from jixiao.errors import UsageError

    p = Q.Param("x", t, None, "", True)
    try:
        term = Q.coerce(p, raw)
    except UsageError as exc:
        assert "parameter x=" in str(exc) and len(str(exc)) < 300
        return
    Q.term_n3(term)  # every accepted term can be written into a query


@SETTINGS
@given(st.text(max_size=80))
def test_a_bound_string_cannot_escape_its_literal(value):
    """Whatever the string, the bound query parses and binds exactly that string (no injection)."""
    import pyoxigraph as ox
    from rdflib import Literal

    from jixiao import queries as Q

    assume("\x00" not in value)
    text = Q.bind_values("SELECT ?x WHERE { BIND(1 AS ?one) }", {"x": Literal(value)})
    (row,) = list(ox.Store().query(text))
    assert row["x"].value == value


@SETTINGS
@given(st.one_of(st.text(max_size=200), genre_text))
def test_opaque_scanner_never_raises(text):
    from jixiao.sparqltext import skip_opaque

    for i in range(len(text)):
        end = skip_opaque(text, i)
        assert end is None or end > i


sparql_words = st.lists(
    st.sampled_from(
        [
            "SELECT",
            "*",
            "?s",
            "?p",
            "?o",
            "WHERE",
            "{",
            "}",
            "GRAPH",
            "SERVICE",
            "<http://e.org/x>",
            "INSERT",
            "DATA",
            "FROM",
            "NAMED",
            "ASK",
            "CONSTRUCT",
            "DESCRIBE",
            "FILTER",
            "(",
            ")",
            ".",
            ";",
            '"x"',
            "#c\n",
            "OPTIONAL",
            "UNION",
            "LIMIT",
            "10",
            "PREFIX",
            "ex:",
            "<http://e.org/>",
            "VALUES",
            "DELETE",
            "LOAD",
        ]
    ),
    max_size=30,
).map(" ".join)


@pytest.mark.filterwarnings("ignore")
@SETTINGS
@given(st.one_of(sparql_words, st.text(max_size=120)))
def test_endpoint_query_inspection_returns_or_refuses(text):
    """The endpoint's check before any parser (jixiao.sparqltext.check_query_text) either says what
    the text is or refuses it with a reason; it never raises anything else."""
    from jixiao.sparqltext import QueryTextError, check_query_text

    try:
        found = check_query_text(text)
    except QueryTextError as exc:
        assert exc.problem
        return
    assert found.operation in ("query", "update", "")
    assert found.operation != "query" or found.keyword in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
    assert found.depth >= 0
