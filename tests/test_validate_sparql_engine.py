"""The sparql engine (jixiao/shacl_sparql.py): every shape compiled to one SPARQL query per report.

It must give pySHACL's results. The shape-by-shape manifest (tests/test_shapes.py) and the samples'
planted faults (tests/test_sample_faults.py) already run it next to pySHACL and turbo; here: the
ingested real report and generated reports against turbo (pySHACL takes minutes per generated
report; turbo equals pySHACL on them, tests/test_validate_speed_equivalence.py), the pre-binding
semantics of ``$this`` on small hand-made shapes against pySHACL, the core components on small graphs,
and the refusals.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from jixiao import validate as V
from jixiao.shacl_sparql import Compiler, UnsupportedShape, bind_this

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "corpus" / "jiangmen-trade-union-2024.txt"
LONG_DECIMAL = re.compile(r"(\d+\.\d{12})\d+")


def _full(f: V.Finding) -> tuple:
    """Everything a finding shows. Decimals computed by the engines are cut to 12 places: Oxigraph
    keeps 18 fractional digits, pyshacl-turbo more (74.474129665360622166 vs 74.4741296653606221)."""
    msg = tuple(sorted((k, LONG_DECIMAL.sub(r"\1", v)) for k, v in f.message.items()))
    return (
        f.severity,
        str(f.graph),
        f.family,
        str(f.shape),
        str(f.focus),
        str(f.path or ""),
        f.values,
        msg,
        f.focus_label,
        f.sources,
        str(f.component or ""),
    )


def _compare(items) -> list[tuple]:
    turbo = sorted(_full(f) for f in V.validate_ntriples(items, engine="turbo").findings)
    sparql = sorted(_full(f) for f in V.validate_ntriples(items, engine="sparql").findings)
    assert sparql == turbo
    return sparql


def test_real_report_same_findings_as_turbo():
    from jixiao.ingest.pipeline import ingest_file
    from jixiao.store import ntriples

    res = ingest_file(REAL)
    found = _compare([(res.graph_iri, ntriples(res.triples))])
    shapes = {f[3].rsplit("#", 1)[-1] for f in found}
    assert {"ConflictingFigures", "UnnamedTableRow", "IndicatorHasActual", "TargetSetTooLow"} <= shapes


def test_generated_reports_same_findings_as_turbo(tmp_path: Path):
    from bench.generate import generate
    from jixiao.ingest.pipeline import ingest_file
    from jixiao.store import ntriples

    generate(8, 11, tmp_path)
    items = []
    for path in sorted(tmp_path.glob("*.txt")):
        res = ingest_file(path)
        items.append((URIRef(f"{res.graph_iri}#{path.stem}"), ntriples(res.triples)))
    found = _compare(items)
    assert len({f[1] for f in found}) >= 4, "most generated reports have planted faults to find"


def test_parallel_and_store_paths_equal_serial(tmp_path: Path):
    from jixiao.ingest.pipeline import ingest_file
    from jixiao.store import GraphStore, ntriples

    store = GraphStore(tmp_path / "store")
    for path in sorted((ROOT / "samples").glob("*.txt")):
        res = ingest_file(path)
        store.replace_graph_ntriples(res.graph_iri, ntriples(res.triples))
    serial = V.validate_store(store, engine="sparql", jobs=1)
    parallel = V.validate_store(store, engine="sparql", jobs=2)
    assert serial.reports == parallel.reports == 2
    assert serial.findings and serial.findings == parallel.findings
    assert sorted(f.key() for f in serial.findings) == sorted(
        f.key() for f in V.validate_store(store, engine="turbo").findings
    )


# -- $this pre-binding ------------------------------------------------------------------------------

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def _engines(shapes_ttl: str, data_ttl: str) -> dict[str, set[tuple[str, ...]]]:
    """Findings (focus, path, value, component) of pySHACL and of the compiled queries on a small graph."""
    import pyshacl

    shapes = Graph().parse(data=PREFIXES + shapes_ttl, format="turtle")
    data = Graph().parse(data=PREFIXES + data_ttl, format="turtle")
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, allow_warnings=True)
    from rdflib.namespace import SH

    def key(g: Graph, r) -> tuple[str, ...]:  # the component too: several share one query (Check.parts)
        return (
            str(g.value(r, SH.focusNode)),
            str(g.value(r, SH.resultPath) or ""),
            str(g.value(r, SH.value) or ""),
            str(g.value(r, SH.sourceConstraintComponent)).rsplit("#", 1)[-1],
        )

    ref = {key(report, r) for r in report.objects(None, SH.result)}
    store = ox.Store()
    store.load(data.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    from jixiao.shacl_sparql import evaluate, report_graph

    g = report_graph(evaluate(Compiler(shapes).compile(), store))
    mine = {key(g, r) for r in g.objects(None, SH.result)}
    return {"pyshacl": ref, "sparql": mine}


def test_this_inside_a_union_branch_filter_is_the_focus():
    """A FILTER NOT EXISTS naming $this inside a UNION branch: with $this a plain variable, the branch
    would be evaluated with it unbound (bottom-up) and see every node's triples."""
    shapes = """ex:S a sh:NodeShape ; sh:targetClass ex:Rate ; sh:sparql [ sh:select '''
        PREFIX ex: <http://example.org/>
        SELECT $this ?e WHERE {
            $this ex:line ?line .
            { $this ex:numerator ?e } UNION { ?e ex:line ?line . FILTER NOT EXISTS { $this ex:numerator ?n0 } }
            ?e ex:bad true .
        }''' ] ."""
    data = """ex:r1 a ex:Rate ; ex:line ex:L ; ex:numerator ex:good .
        ex:r2 a ex:Rate ; ex:line ex:L .
        ex:good ex:line ex:L . ex:e1 ex:line ex:L ; ex:bad true ."""
    found = _engines(shapes, data)
    assert found["pyshacl"] == {("http://example.org/r2", "", "http://example.org/r2", "SPARQLConstraintComponent")}
    assert found["sparql"] == found["pyshacl"]


def test_sub_select_grouped_by_this_counts_per_focus():
    shapes = """ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:sparql [ sh:select '''
        PREFIX ex: <http://example.org/>
        SELECT $this ?n WHERE { { SELECT $this (COUNT(?x) AS ?n) WHERE { $this ex:p ?x } GROUP BY $this }
                                FILTER (?n > 1) }''' ] ."""
    data = "ex:a a ex:T ; ex:p 1, 2 . ex:b a ex:T ; ex:p 1 . ex:c ex:p 1, 2, 3 ."
    found = _engines(shapes, data)
    assert found["pyshacl"] == {("http://example.org/a", "", "http://example.org/a", "SPARQLConstraintComponent")}
    assert found["sparql"] == found["pyshacl"]


def test_core_components_match_pyshacl():
    shapes = """ex:S a sh:NodeShape ; sh:targetClass ex:T ;
        sh:property [ sh:path ex:v ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:integer ; sh:minInclusive 0 ;
                      sh:lessThan ex:w ] ;
        sh:property [ sh:path ( ex:link ex:kind ) ; sh:class ex:K ] ;
        sh:property [ sh:path [ sh:alternativePath ( ex:a ex:b ) ] ; sh:minCount 1 ] ;
        sh:property [ sh:path ex:sel ; sh:qualifiedValueShape [ sh:class ex:Pos ] ; sh:qualifiedMinCount 1 ;
                      sh:qualifiedMaxCount 1 ] ;
        sh:property [ sh:path ex:scheme ; sh:node [ sh:property [ sh:path ex:in ; sh:hasValue ex:Units ] ] ] ;
        sh:or ( [ sh:path ex:unit ; sh:minCount 1 ] [ sh:path ex:stated ; sh:maxCount 0 ] ) .
        ex:Sub a <http://www.w3.org/2000/01/rdf-schema#Class> ."""
    data = """ex:K2 <http://www.w3.org/2000/01/rdf-schema#subClassOf> ex:K .
        ex:ok a ex:T ; ex:v 1 ; ex:w 2 ; ex:link [ ex:kind ex:k1 ] ; ex:a 1 ; ex:sel ex:p1 ; ex:scheme ex:c1 ;
            ex:unit 1 .
        ex:k1 a ex:K2 . ex:p1 a ex:Pos . ex:c1 ex:in ex:Units .
        ex:bad1 a ex:T ; ex:v -1, "x" ; ex:w -2 ; ex:link [ ex:kind ex:k9 ] ; ex:sel ex:p1, ex:p2 ; ex:scheme ex:c9 ;
            ex:stated "万元" .
        ex:p2 a ex:Pos . ex:k9 a ex:Other . ex:c9 ex:in ex:Other .
        ex:bad2 a ex:T ; ex:v "3"^^xsd:integer, "3.5"^^xsd:integer ; ex:w 10 ; ex:b 1 .
        ex:T2 <http://www.w3.org/2000/01/rdf-schema#subClassOf> ex:T . ex:bad3 a ex:T2, ex:T ; ex:a 1 ."""
    found = _engines(shapes, data)
    # bad3 is a target through the data's own subclass axiom (and twice typed: still one focus)
    assert {f[0] for f in found["pyshacl"]} == {f"http://example.org/bad{i}" for i in (1, 2, 3)}
    assert len(found["pyshacl"]) >= 9
    # one value breaking several value constraints of one property shape: one result per constraint
    assert {f[3] for f in found["pyshacl"] if f[:3] == ("http://example.org/bad1", "http://example.org/v", "x")} == {
        "DatatypeConstraintComponent",
        "MinInclusiveConstraintComponent",
        "LessThanConstraintComponent",
    }
    assert found["sparql"] == found["pyshacl"]


# -- refusals ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, why",
    [
        ("ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path ex:p ; sh:pattern '^a' ] .", "pattern"),
        (
            """ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:sparql [ sh:select '''
        SELECT $this WHERE { { SELECT (COUNT(?x) AS ?n) WHERE { $this <urn:p> ?x } } }''' ] .""",
            "without projecting it",
        ),
        (
            """ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:sparql [ sh:select '''
        SELECT ?x WHERE { $this <urn:p> ?x }''' ] .""",
            r"does not project \$this",
        ),
    ],
)
def test_unsupported_shapes_are_refused_by_name(shape: str, why: str):
    with pytest.raises(UnsupportedShape, match=why) as err:
        Compiler(Graph().parse(data=PREFIXES + shape, format="turtle")).compile()
    assert "http://example.org/S" in str(err.value)


def test_bind_this_skips_values_blocks_and_strings():
    text = 'SELECT $this WHERE { VALUES ?k { "a{" } ?this <urn:p> "}{?this" . { ?this <urn:q> ?k } }'
    out = bind_this(text.replace("$this", "?this"), "T(?this)", "urn:s")
    assert out.count("T(?this)") == 2  # the outer group and the nested one; not the VALUES block
    assert 'VALUES ?k { "a{" }' in out


def test_oxigraph_decimal_products_beyond_18_places_are_errors():
    """Why the shapes divide by 1/?rt rather than multiply by ?rt (shapes/arithmetic.ttl header):
    Oxigraph's xsd:decimal keeps 18 fractional digits; a product needing more is an error (unbound),
    a quotient is rounded. If a later Oxigraph rounds products too, this test says so."""
    store = ox.Store()
    row = next(
        iter(
            store.query(
                "SELECT ?p ?q WHERE { BIND (0.5 * 0.011032647934192879 AS ?p) "
                "BIND (0.011032647934192879 / (1 / 0.5) AS ?q) }"
            )
        )
    )
    assert row["p"] is None
    assert row["q"].value == "0.005516323967096439"
    shapes = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "shapes").glob("*.ttl"))
    assert not re.search(r"\?rt \*", shapes)
