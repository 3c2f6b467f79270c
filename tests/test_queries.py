"""The query library: headers, parsing on both engines, parameter typing and binding, and the
manifest of query tests (tests/queries/manifest.ttl) run on pyoxigraph and on rdflib."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlparse

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.plugins.sparql import prepareQuery
from rdflib.query import Result as RdflibResult

from jixiao import data as _data
from jixiao import queries as Q
from jixiao.errors import UsageError
from jixiao.rdfutil import to_ox

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "queries" / "manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
JXT = Namespace("https://w3id.org/jixiao/test#")
NUMERIC = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.int, XSD.long}
LIBRARY = Q.library()
CORPUS = HERE.parents[1].parent / "shared" / "corpus" / "jiangmen-trade-union-2024.txt"
SAMPLE = _data.samples_dir() / "haiyuan-sports-bureau-2024.txt"


def manifest_entries() -> list[dict]:
    g = Graph().parse(MANIFEST, format="turtle", publicID=MANIFEST.as_uri())
    head = next(g.objects(URIRef(MANIFEST.as_uri()), MF.entries))
    out = []
    for entry in g.items(head):
        action = g.value(entry, MF.action)
        params = dict(str(p).split("=", 1) for p in g.objects(action, JXT.param))
        out.append(
            {
                "name": str(g.value(entry, MF.name)),
                "query": _path(g.value(action, QT.query)),
                "data": sorted(_path(d) for d in g.objects(action, QT.data)),
                "params": params,
                "result": _path(g.value(entry, MF.result)),
            }
        )
    return out


def _path(iri) -> Path:
    return Path(unquote(urlparse(str(iri)).path))


ENTRIES = manifest_entries()


# -- comparing results -------------------------------------------------------------------------
def _cell(term):
    """A comparable form: numbers by value (engines differ in integer vs decimal lexical forms),
    xsd:string and plain literals as one."""
    if term is None:
        return None
    if isinstance(term, Literal):
        if term.datatype in NUMERIC:
            return ("num", Decimal(str(term)).normalize())
        if term.datatype == XSD.boolean:
            return ("bool", str(term) in ("true", "1"))
        if term.datatype in (None, XSD.string):
            return ("str", str(term), term.language)
        return ("lit", str(term), str(term.datatype))
    return ("iri", str(term))


def expected_rows(path: Path) -> tuple[list[str], list[tuple]]:
    text = path.read_text(encoding="utf-8")
    if not text.strip().split("\n", 1)[1:] or not text.strip().split("\n", 1)[1:][0]:
        header = text.strip().split("\t")
        return [h.lstrip("?") for h in header], []
    res = RdflibResult.parse(io.StringIO(text), format="tsv")
    names = [str(v) for v in res.vars]
    return names, [tuple(_cell(row[i]) for i in range(len(names))) for row in res]


def ordered(query_text: str) -> bool:
    return re.search(r"\bORDER\s+BY\b", query_text, re.I) is not None


@pytest.fixture(scope="module")
def datasets():
    cache: dict = {}

    def get(files: tuple[Path, ...], engine: str):
        key = (files, engine)
        if key not in cache:
            cache[key] = Q.load_files(list(files), engine=engine)
        return cache[key]

    return get


def test_manifest_covers_every_library_query():
    tested = {e["query"].stem for e in ENTRIES}
    assert len(LIBRARY) >= 25
    assert sorted(q.name for q in LIBRARY if q.name not in tested) == []


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("entry", ENTRIES, ids=[e["name"] for e in ENTRIES])
def test_query_manifest(entry, engine, datasets):
    q = Q.read_query(entry["query"])
    ds = datasets(tuple(entry["data"]), engine)
    got = Q.execute(q, entry["params"], dataset=ds)
    names, want = expected_rows(entry["result"])
    assert got.vars == names
    rows = [tuple(_cell(t) for t in row) for row in got.rows]
    if ordered(q.text):
        assert rows == want
    else:
        assert sorted(rows, key=repr) == sorted(want, key=repr)


# -- headers and syntax ------------------------------------------------------------------------
@pytest.mark.parametrize("q", LIBRARY, ids=[q.name for q in LIBRARY])
def test_header_is_complete(q):
    assert q.title_zh and q.title_en and q.title_zh != q.name and q.description
    assert q.example.startswith(f"jixiao query {q.name}")
    for p in q.params:
        assert p.type in Q.PARAM_TYPES and p.description
        assert f"?{p.name}" in q.text
    Q.bindings(q, dict(re.findall(r"--param (\w+)=(\S+)", q.example)))  # the example is valid


@pytest.mark.parametrize("q", LIBRARY, ids=[q.name for q in LIBRARY])
def test_parses_in_pyoxigraph_and_rdflib(q):
    prepareQuery(q.text)  # rdflib's parser and algebra
    store = ox.Store()
    # every declared parameter must be projected, or substitution (SEP-0007) would refuse it
    subs = {ox.Variable(p.name): to_ox(Q.coerce(p, _sample_value(p))) for p in q.params}
    list(store.query(q.text, substitutions=subs))


@pytest.mark.parametrize("q", LIBRARY, ids=[q.name for q in LIBRARY])
def test_values_binding_parses(q):
    terms = {p.name: Q.coerce(p, _sample_value(p)) for p in q.params}
    text = Q.bind_values(q.text, terms)
    prepareQuery(text)
    list(ox.Store().query(text))


def _sample_value(p: Q.Param) -> str:
    return {
        "xsd:decimal": "1.5",
        "xsd:integer": "3",
        "xsd:gYear": "2024",
        "xsd:anyURI": "jxv:unit_yuan",
        "xsd:boolean": "true",
    }.get(p.type, "支出")


# -- parameters --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ptype", "raw"),
    [
        ("xsd:decimal", "abc"),
        ("xsd:decimal", "1e3"),
        ("xsd:decimal", "NaN"),
        ("xsd:integer", "1.5"),
        ("xsd:gYear", "24"),
        ("xsd:anyURI", "not an iri"),
        ("xsd:anyURI", "http://x/>"),
        ("xsd:boolean", "yes"),
    ],
)
def test_bad_parameter_values_are_usage_errors(ptype, raw):
    with pytest.raises(UsageError) as exc:
        Q.coerce(Q.Param("p", ptype), raw)
    assert exc.value.exit_code == 2


def test_parameter_values_are_typed():
    assert Q.coerce(Q.Param("t", "xsd:decimal"), "1.50") == Literal("1.5", datatype=XSD.decimal)
    assert Q.coerce(Q.Param("r", "xsd:anyURI"), "jxv:role_spending") == URIRef(
        "https://w3id.org/jixiao/vocab#role_spending"
    )
    assert Q.coerce(Q.Param("y", "xsd:gYear"), "2024").datatype == XSD.gYear


def test_unknown_and_missing_parameters():
    q = Q.load("find-figure")
    with pytest.raises(UsageError, match="needs --param phrase"):
        Q.bindings(q, {})
    with pytest.raises(UsageError, match="no parameter nope"):
        Q.bindings(q, {"phrase": "x", "nope": "1"})
    with pytest.raises(UsageError, match="no library query"):
        Q.load("no-such-query")


def test_typed_threshold_is_compared_as_a_number(datasets):
    """rdflib compares a string "10.00" with a number wrongly; the threshold is a typed decimal, so
    a value with trailing zeros (string-wise smaller than "2.5") still compares by value."""
    ds = datasets(tuple(ENTRIES[0]["data"]), "rdflib")
    rows = Q.execute("targets-too-low", {"threshold": "10.00"}, dataset=ds).rows
    assert rows == []
    rows = Q.execute("targets-too-low", {"threshold": "2.40"}, dataset=ds).rows
    assert len(rows) == 1


def test_values_block_keeps_hostile_text_inside_the_literal():
    q = Q.load("find-figure")
    hostile = '"} } ; DROP ALL ; SELECT * { ?s ?p ?o } #\n\\'
    text = Q.bind_values(q.text, Q.bindings(q, {"phrase": hostile}))
    parsed = prepareQuery(text)
    values = [n for n in _walk(parsed.algebra) if getattr(n, "name", "") == "values"]
    assert len(values) == 1
    (row,) = values[0]["res"]
    assert [str(v) for v in row.values()] == [hostile]
    # and the query still runs as the same query: it only finds what contains that phrase
    assert list(ox.Store().query(text)) == []


def test_values_block_goes_into_the_where_group_of_construct():
    text = "PREFIX ex: <http://e/>\nCONSTRUCT { ?s ex:p ?o } WHERE { ?s ex:q ?o FILTER(?o > ?t) }"
    out = Q.bind_values(text, {"t": Literal(1)})
    assert out.index("VALUES") > out.index("WHERE")
    prepareQuery(out)


def _walk(node):
    yield node
    if isinstance(node, dict):
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def test_run_returns_a_dataframe(tmp_path):
    df = Q.run("budget-execution", data=[ENTRIES[0]["data"][0]], lang="en")
    assert list(df.columns)[:3] == ["report", "line_name", "appropriation"]
    assert len(df) == 5
    labels = Q.run("spending-structure", data=ENTRIES[0]["data"][0], lang="zh")["kind"].tolist()
    assert labels == ["整体支出", "基本支出", "项目支出"]


def test_store_and_data_give_the_same_rows(tmp_path):
    from jixiao.store import GraphStore

    data = ENTRIES[0]["data"]
    store = GraphStore(tmp_path / "store")
    for f in data:
        g = Graph().parse(f)
        report = next(g.subjects(RDF.type, URIRef("https://w3id.org/jixiao/def#Report")))
        store.replace_graph(URIRef(f"{report}/graph"), g)
    store.flush()
    del store
    for name in ("budget-execution", "conflicting-figures", "targets-too-low"):
        a = Q.run(name, store=tmp_path / "store")
        b = Q.run(name, data=data)
        assert a.equals(b), name


def test_fixture_turtle_is_current():
    import sys

    from jixiao.rdfutil import same_graph

    sys.path.insert(0, str(HERE / "queries"))
    try:
        import build_fixture
    finally:
        sys.path.pop(0)
    assert same_graph(build_fixture.build(), Graph().parse(build_fixture.TTL_FILE))


# -- real reports (once ingest lands) ----------------------------------------------------------
CROSS_CUTTING = [
    "report-summary",
    "budget-execution",
    "indicators",
    "targets-too-low",
    "missing-actuals",
    "conflicting-figures",
    "figure-kinds",
    "evaluation-scores",
    "rectification-issues",
]


@pytest.fixture(scope="module")
def ingested():
    pipeline = pytest.importorskip("jixiao.ingest.pipeline")
    out = {}
    for path in (CORPUS, SAMPLE):
        if path.exists():
            out[path.name] = pipeline.ingest_file(path).graph
    return out


@pytest.mark.parametrize("name", CROSS_CUTTING)
def test_cross_cutting_queries_on_real_reports(ingested, name, tmp_path):
    for fname, graph in ingested.items():
        f = tmp_path / f"{fname}.ttl"
        graph.serialize(f, format="turtle")
        a = Q.execute(name, {}, data=f)
        b = Q.execute(name, {}, data=f, engine="rdflib")
        assert sorted(map(repr, a.rows)) == sorted(map(repr, b.rows)) or _same(a, b), (fname, name)
        if name == "report-summary":
            assert len(a.rows) == 1
    if CORPUS.name in ingested and name == "budget-execution":
        f = tmp_path / f"{CORPUS.name}.ttl"
        rows = Q.run(name, data=f)
        assert len(rows) > 0


def _same(a, b) -> bool:
    ca = sorted((tuple(_cell(t) for t in r) for r in a.rows), key=repr)
    cb = sorted((tuple(_cell(t) for t in r) for r in b.rows), key=repr)
    return ca == cb


def test_readme_lists_every_query():
    readme = (_data.queries_dir() / "README.md").read_text(encoding="utf-8")
    assert [q.name for q in LIBRARY if f"| `{q.name}` |" not in readme] == []
