"""What ingest writes, and how fast paths keep it what the plain code gives: terms built as
pyoxigraph terms (literals, and span and figure IRIs formatted by iris.ReportIris) equal the
conversion of the rdflib terms the plain constructors make; the TripleSet keeps each triple once, in
the order added; N-Triples are written term by term with Oxigraph's own serialisation of a term,
exactly as pyoxigraph's serialiser writes the triples; the garbage collector is paused during a
report. Reference for N-Triples: pyoxigraph's serialiser over ``jixiao.rdfutil.to_ox``, and both
parsers reading the output back."""

from __future__ import annotations

import gc
import sys
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF

from jixiao import iris
from jixiao.ingest import emit
from jixiao.ingest.emit import GraphBuilder, Source, TripleSet
from jixiao.ingest.pipeline import gc_paused, ingest_file
from jixiao.ns import JX, JXV
from jixiao.rdfutil import from_ox, nt_term, to_ox
from jixiao.store import ntriples

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # bench/ is not an installed package
    sys.path.insert(0, str(ROOT))
from bench import generate as gen  # noqa: E402

OA = "http://www.w3.org/ns/oa#"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_INTEGER, XSD_DECIMAL, XSD_GYEAR, XSD_STRING = (URIRef(XSD + n) for n in ("integer", "decimal", "gYear", "string"))
EX = "https://example.org/"
TEXTS = [
    "",
    "plain",
    '有 "引号" 的文本',
    "back\\slash \\n not a newline",
    "line\nbreak\r\nwindows",
    "tab\there",
    "\b\f\x00\x01\x1f\x7f",
    "\u2028 \u2029 \u00a0 \ufeff",
    "非BMP 😀 𠀀 𝄞",
    "“全角引号”（括号）",
]


def reference_ntriples(triples) -> bytes:
    """What ``jixiao.store.ntriples`` returned before: pyoxigraph serialising converted terms."""
    return ox.serialize([ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples], format=ox.RdfFormat.N_TRIPLES)


def ox_set(data: bytes) -> set[tuple]:
    return {(t.subject, t.predicate, t.object) for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)}


# -- terms as pyoxigraph terms -----------------------------------------------------------------
@pytest.mark.parametrize("text", TEXTS)
def test_text_and_zh_literals_are_the_plain_ones(text: str) -> None:
    assert emit.text(text) == to_ox(Literal(text)) and nt_term(emit.text(text)) == nt_term(Literal(text))
    assert emit.zh(text) == to_ox(Literal(text, lang="zh"))
    assert nt_term(emit.zh(text)) == nt_term(Literal(text, lang="zh"))
    assert emit.zh(text) != emit.text(text)


@pytest.mark.parametrize("n", [0, 1, 7, 372, 10**12, -5])
def test_integer_literals_are_the_plain_ones(n: int) -> None:
    assert emit.integer(n) == to_ox(Literal(n, datatype=XSD_INTEGER))
    assert from_ox(emit.integer(n)) == Literal(n, datatype=XSD_INTEGER)


def test_iri_terms_are_the_iris_of_jixiao_iris() -> None:
    iri = iris.span(URIRef(iris.BASE + "report/x/2024/department_whole"), 3, 9)
    assert emit.iri(iri) == ox.NamedNode(str(iri)) and from_ox(emit.iri(iri)) == iri
    with pytest.raises(ValueError):  # pyoxigraph checks every IRI
        emit.iri("not an iri")


# -- builder: IRIs and triples as before ------------------------------------------------------
@pytest.fixture
def builder() -> GraphBuilder:
    text = '海源市 "体育局" 2024年项目支出 13.25 万元，完成率 98%。'
    source = Source(Path("海源.txt"), text, "ab" * 32, "utf-8")
    return GraphBuilder(iris.report("海源市体育局", 2024, "department_whole"), source)


def test_span_triples_and_iris(builder: GraphBuilder) -> None:
    text = builder.source.text
    start, end = text.index("13.25"), text.index("万元") + 2
    node = builder.span(start, end)
    assert node == to_ox(iris.span(builder.report, start, end))
    assert builder.span(start, end) == node  # a second use adds nothing
    span = iris.span(builder.report, start, end)
    pos, quote = URIRef(f"{span}/pos"), URIRef(f"{span}/quote")
    expected = {
        (span, RDF.type, JX.SourceSpan),
        (span, URIRef(OA + "hasSource"), from_ox(builder.file)),
        (span, URIRef(OA + "hasSelector"), pos),
        (span, URIRef(OA + "hasSelector"), quote),
        (pos, RDF.type, URIRef(OA + "TextPositionSelector")),
        (pos, URIRef(OA + "start"), Literal(start, datatype=XSD_INTEGER)),
        (pos, URIRef(OA + "end"), Literal(end, datatype=XSD_INTEGER)),
        (quote, RDF.type, URIRef(OA + "TextQuoteSelector")),
        (quote, URIRef(OA + "exact"), Literal("13.25 万元")),
    }
    assert {t for t in builder.g if t[0] in (span, pos, quote)} == expected
    with pytest.raises(ValueError):
        builder.span(end, end)
    with pytest.raises(ValueError):
        builder.span(0, len(text) + 1)


def test_quantity_iri_and_literals(builder: GraphBuilder) -> None:
    text = builder.source.text
    start = text.index("98%")
    node = builder.rate(start, start + 3, kind="completion", value=Decimal("98"), counts="完成率")
    assert node == to_ox(iris.figure(builder.report, start, start + 3))
    g, fig = builder.g, iris.figure(builder.report, start, start + 3)
    assert (fig, RDF.type, JX.Rate) in g and (fig, RDF.type, JX.Quantity) in g
    assert g.value(fig, JX.statedForm) == Literal("98%")
    assert g.value(fig, JX.counts) == Literal("完成率")
    assert g.value(fig, JX.value) == Literal("98", datatype=XSD_DECIMAL)
    assert g.value(fig, JX.unit) == JXV.unit_percent
    assert g.value(fig, JX.sourceSpan) == iris.span(builder.report, start, start + 3)
    assert (fig, JX.qualifier, None) not in g and (fig, JX.statedUnit, None) not in g


# -- TripleSet: each triple once, in the order added -------------------------------------------
def test_tripleset_order_and_duplicates() -> None:
    s, p, q = ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.NamedNode(EX + "q")
    t = TripleSet()
    t.add((s, p, ox.Literal("a")))
    t.add((s, p, ox.Literal("b")))
    t.add((s, p, ox.Literal("a")))  # duplicate (an equal, distinct object): dropped, first position kept
    assert len(t) == 2
    t.add((s, q, ox.Literal("c")))  # added after a read: the next read sees it
    assert (s, q, ox.Literal("c")) in t and (s, q, ox.Literal("d")) not in t
    assert list(t) == [(s, p, ox.Literal("a")), (s, p, ox.Literal("b")), (s, q, ox.Literal("c"))]
    g = t.to_graph()
    assert set(g) == {(URIRef(EX + "s"), URIRef(EX + "p"), Literal(x)) for x in "ab"} | {
        (URIRef(EX + "s"), URIRef(EX + "q"), Literal("c"))
    }


# -- N-Triples written directly ----------------------------------------------------------------
def edge_triples() -> list[tuple]:
    s, p = URIRef(EX + "s"), URIRef(EX + "p")
    out = [(s, p, Literal(x)) for x in TEXTS]
    out += [(s, p, Literal(x, lang="zh")) for x in TEXTS[:4]]
    out += [
        (s, p, Literal("x", lang="en-US")),  # Oxigraph writes the tag lower-cased
        (s, p, Literal("zh-Hans", lang="zh-Hans")),
        (s, p, Literal("42", datatype=XSD_INTEGER)),
        (s, p, Literal("13.25", datatype=XSD_DECIMAL)),
        (s, p, Literal("2024", datatype=XSD_GYEAR)),
        (s, p, Literal(True)),
        (s, p, Literal("explicit", datatype=XSD_STRING)),  # written as a simple literal
        (s, p, Literal('"q"\n', datatype=URIRef(EX + "custom#type"))),
        (URIRef("https://example.org/名字/é?q=1#frag"), p, URIRef("urn:x:y")),
        (BNode("b0"), p, BNode("b1")),
        (s, RDF.type, URIRef(EX + "T")),
    ]
    return out


def test_edge_cases_written_as_pyoxigraph_writes_them() -> None:
    triples = edge_triples()
    data = ntriples(triples)
    assert data == reference_ntriples(triples)
    assert ntriples([tuple(map(to_ox, t)) for t in triples]) == data  # the same triples as pyoxigraph terms
    assert ox_set(data) == {(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples}
    # rdflib reads back the same triples, up to what RDF 1.1 makes equal: language tags are
    # case-insensitive, xsd:string is the simple literal, blank nodes get fresh labels
    parsed = set(Graph().parse(data=data, format="nt"))
    assert len(parsed) == len(triples)
    assert {t for t in parsed if not isinstance(t[0], BNode)} == {
        (s, p, as_read(o)) for s, p, o in triples if not isinstance(s, BNode)
    }
    assert sum(isinstance(s, BNode) and isinstance(o, BNode) for s, _, o in parsed) == 1


def as_read(o):
    if isinstance(o, Literal) and o.language:
        return Literal(o, lang=o.language.lower())
    if isinstance(o, Literal) and o.datatype == XSD_STRING:
        return Literal(str(o))
    return o


@pytest.mark.parametrize(
    ("term", "written"),
    [
        (Literal('a"b\\c'), '"a\\"b\\\\c"'),
        (Literal("1\n2\r3\t4"), '"1\\n2\\r3\\t4"'),
        (Literal("\x00\x1f\x7f\b\f"), '"\\u0000\\u001F\\u007F\\b\\f"'),
        (Literal("😀", lang="ZH-Hant"), '"😀"@zh-hant'),
        (Literal("5", datatype=XSD_INTEGER), '"5"^^<http://www.w3.org/2001/XMLSchema#integer>'),
        (Literal("s", datatype=XSD_STRING), '"s"'),
        (URIRef("https://example.org/路径"), "<https://example.org/路径>"),
    ],
)
def test_term_forms(term, written: str) -> None:
    assert nt_term(term) == written


@pytest.mark.parametrize("bad", ["no scheme", "http://a b/", "http://x/{y}"])
def test_invalid_iri_still_raises(bad: str) -> None:
    with pytest.raises(ValueError):
        ntriples([(URIRef(bad), URIRef(EX + "p"), Literal("x"))])


def test_equal_terms_as_distinct_objects_and_generators() -> None:
    # one memo entry per term object: equal terms built separately, and triples from a generator
    # (whose terms may be freed and their ids reused) are written correctly
    triples = [(URIRef(EX + "s"), URIRef(EX + "p"), Literal(str(i % 3))) for i in range(50)]
    assert ntriples(iter(triples)) == reference_ntriples(triples)
    assert ntriples(
        (URIRef(f"{EX}s{i}"), URIRef(EX + "p"), Literal(f"v{i}")) for i in range(500)
    ) == reference_ntriples([(URIRef(f"{EX}s{i}"), URIRef(EX + "p"), Literal(f"v{i}")) for i in range(500)])
    assert ntriples([]) == b""


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return gen.generate(3, 1, tmp_path_factory.mktemp("generated"))


def check_report(result) -> None:
    data = ntriples(result.triples)
    reference = reference_ntriples(result.triples)
    assert data == reference
    assert ox_set(data) == set(result.triples) and len(data.splitlines()) == len(result.triples)
    parsed = set(Graph().parse(data=data, format="nt"))
    assert parsed == set(Graph().parse(data=reference, format="nt")) == set(result.graph)
    assert len(parsed) == len(result.triples)
    assert ntriples(result.run) == reference_ntriples(result.run)


def test_real_report_and_samples_written_as_before(real_result, sample_result, sample_gb_result) -> None:
    for result in (real_result, sample_result, sample_gb_result):
        check_report(result)


def test_generated_reports_written_as_before(generated: list[Path]) -> None:
    for path in generated:
        check_report(ingest_file(path))


# -- garbage collector paused for a report -----------------------------------------------------
def test_gc_paused_restores_the_collector() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # nested: still off, and the outer block turns it back on
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # left off when it was off
    finally:
        gc.enable()


def test_ingest_leaves_the_collector_on(generated: list[Path]) -> None:
    ingest_file(generated[0])
    assert gc.isenabled()


def test_nquads_by_bytes_equals_oxigraph_quads():
    """``nquads`` (N-Triples lines + a graph term, by bytes) gives exactly the quads Oxigraph's own
    conversion gives, including literals with escaped line breaks, quotes and " ." inside them."""
    import pyoxigraph as ox

    from jixiao.store import nquads

    nt = (
        b'<urn:s> <urn:p> "a .\\nb \\" ." .\n<urn:s> <urn:p> "x"@zh .\n'
        b'<urn:s> <urn:q> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n_:b0 <urn:p> <urn:o> .'
    )
    g = "https://w3id.org/jixiao/id/report/x/graph"
    ours = nquads(nt, g)
    expected = ox.serialize(
        [
            ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g))
            for t in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES, rename_blank_nodes=False)
        ],
        format=ox.RdfFormat.N_QUADS,
    )
    assert ours == expected
    assert len(list(ox.parse(ours, format=ox.RdfFormat.N_QUADS))) == 4
