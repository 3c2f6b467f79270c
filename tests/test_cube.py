"""The Data Cube view (jixiao/cube.py): observations checked by hand against the worked example's text,
the W3C integrity constraints IC-1 … IC-21 passing on the example, the samples and the real report,
and each constraint shown to fail on a cube broken for it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, SKOS, XSD, BNode, Graph, Literal, URIRef

from jixiao import cube
from jixiao.data import ontology_dir, samples_dir
from jixiao.ingest.pipeline import ingest_file
from jixiao.ns import JX, JXV

QB = "http://purl.org/linked-data/cube#"
EX = "https://example.org/test#"
EXAMPLE = ontology_dir() / "examples" / "report-example.ttl"
REAL = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "jiangmen-trade-union-2024.txt"


def qb(name: str) -> URIRef:
    return URIRef(QB + name)


def ex(name: str) -> URIRef:
    return URIRef(EX + name)


@pytest.fixture(scope="module")
def example_cube() -> Graph:
    return cube.build(Graph().parse(EXAMPLE))


def test_example_observations(example_cube):
    """report-example.txt, by hand: 部门整体支出 800 万元, 基本支出 600 万元, 项目支出 200 万元 (比上年 250
    万元: another year, left out); the table: 公共文化活动经费 下达 120.00 支出 110.00, the unnamed row
    80.00 / 80.00 (its spending stated again as “图书购置经费”支出 80 万元), 合计 200.00 / 190.00 (the
    项目支出 line: its spending stated as 190.00 there and 200 万元 in the prose — the larger is kept,
    both are sources)."""
    got = set()
    for obs in example_cube.subjects(RDF.type, JX.BudgetObservation):
        line = str(example_cube.value(obs, JX.classification)).rsplit("/", 2)[-2:]
        phase = example_cube.value(obs, JX.phase)
        got.add(("/".join(line), phase, Decimal(str(example_cube.value(obs, JX.amount)))))
    a, e = JXV.phase_approved, JXV.phase_executed
    assert got == {
        ("spending/total", e, Decimal(8000000)),
        ("spending/basic", e, Decimal(6000000)),
        ("spending/project", a, Decimal(2000000)),
        ("spending/project", e, Decimal(2000000)),
        ("project/1", a, Decimal(1200000)),
        ("project/1", e, Decimal(1100000)),
        ("project/2", a, Decimal(800000)),
        ("project/2", e, Decimal(800000)),
    }
    twice = [o for o in example_cube.subjects(RDF.type, JX.BudgetObservation) if str(o).endswith("executed")]
    sources = {o: len(list(example_cube.objects(o, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")))) for o in twice}
    assert sorted(sources.values()) == [1, 1, 1, 2, 2]  # the unnamed row's and 项目支出's spending twice
    assert len(set(example_cube.subjects(RDF.type, qb("Slice")))) == 5  # one per budget line
    assert len(set(example_cube.subjects(RDF.type, qb("DataSet")))) == 1


def test_example_cube_is_well_formed(example_cube):
    assert cube.check(example_cube) == []


def test_constraint_files():
    assert list(cube.constraints()) == [f"IC-{n:02d}" for n in range(1, 22)]


@pytest.mark.parametrize(
    "source",
    [*sorted(samples_dir().glob("*.txt")), REAL],
    ids=lambda p: p.stem,
)
def test_reports_cubes_are_well_formed(source):
    result = ingest_file(source)
    c = cube.build(result.graph)
    assert len(set(c.subjects(RDF.type, JX.BudgetObservation))) > 5
    assert cube.check(c) == []
    # ingest emits the cube in the report graph: the view asked of the graph is the one it holds
    g = result.graph
    assert all(t in g for t in c)
    held = {t for obs in g.subjects(RDF.type, JX.BudgetObservation) for t in g.triples((obs, None, None))}
    want = {t for obs in c.subjects(RDF.type, JX.BudgetObservation) for t in c.triples((obs, None, None))}
    assert held == want  # no other observation in the graph


# --------------------------------------------------------------------------------------------
# every constraint can fail


def _obs(c: Graph) -> URIRef:
    return sorted(c.subjects(RDF.type, JX.BudgetObservation), key=str)[0]


def _slice(c: Graph) -> URIRef:
    return sorted(c.subjects(RDF.type, qb("Slice")), key=str)[0]


def _ds(c: Graph) -> URIRef:
    return next(c.subjects(RDF.type, qb("DataSet")))


def _measure_dimension_cube(c: Graph, values: dict[str, list[str]]) -> None:
    """A second data set whose DSD has a measure dimension (qb:measureType) and measures m1, m2;
    ``values``: observation → the measures it has values for (its qb:measureType is m1)."""
    dsd, ds = ex("dsd"), ex("ds")
    c.add((dsd, RDF.type, qb("DataStructureDefinition")))
    for prop, kind in ((qb("measureType"), "dimension"), (ex("m1"), "measure"), (ex("m2"), "measure")):
        spec = BNode()
        c.add((dsd, qb("component"), spec))
        c.add((spec, qb("componentProperty"), prop))
        c.add((spec, qb(kind), prop))
    c.add((qb("measureType"), RDF.type, qb("DimensionProperty")))
    c.add((qb("measureType"), RDFS.range, qb("MeasureProperty")))
    for m in ("m1", "m2"):
        c.add((ex(m), RDF.type, qb("MeasureProperty")))
    c.add((ds, RDF.type, qb("DataSet")))
    c.add((ds, qb("structure"), dsd))
    for obs, measures in values.items():
        c.add((ex(obs), RDF.type, qb("Observation")))
        c.add((ex(obs), qb("dataSet"), ds))
        c.add((ex(obs), qb("measureType"), ex("m1")))
        for m in measures:
            c.add((ex(obs), ex(m), Literal(1)))


def _hierarchy(c: Graph, inverse: bool) -> None:
    """jx:phase given a hierarchical code list whose tree does not reach the observations' values."""
    lst = ex("list")
    c.add((JX.phase, qb("codeList"), lst))
    c.add((lst, RDF.type, qb("HierarchicalCodeList")))
    c.add((lst, qb("hierarchyRoot"), ex("root")))
    if inverse:
        b = BNode()
        c.add((lst, qb("parentChildProperty"), b))
        c.add((b, URIRef("http://www.w3.org/2002/07/owl#inverseOf"), SKOS.broader))
    else:
        c.add((lst, qb("parentChildProperty"), SKOS.narrower))


def _duplicate(c: Graph) -> None:
    o = _obs(c)
    for p, v in list(c.predicate_objects(o)):
        c.add((ex("copy"), p, v))


BREAK = {
    "IC-01": lambda c: c.remove((_obs(c), qb("dataSet"), None)),
    "IC-02": lambda c: c.add((_ds(c), qb("structure"), ex("otherDsd"))),
    "IC-03": lambda c: c.add((ex("emptyDsd"), RDF.type, qb("DataStructureDefinition"))),
    "IC-04": lambda c: c.add((ex("dim"), RDF.type, qb("DimensionProperty"))),
    "IC-05": lambda c: [
        c.add((ex("dim"), RDF.type, qb("DimensionProperty"))),
        c.add((ex("dim"), RDFS.range, SKOS.Concept)),
    ],
    "IC-06": lambda c: [
        c.add((cube.STRUCTURE, qb("component"), ex("spec"))),
        c.add((ex("spec"), qb("componentProperty"), JX.phase)),
        c.add((ex("spec"), qb("componentRequired"), Literal(False))),
    ],
    "IC-07": lambda c: c.add((ex("key"), RDF.type, qb("SliceKey"))),
    "IC-08": lambda c: c.add((cube.LINE_SLICE, qb("componentProperty"), ex("notInDsd"))),
    "IC-09": lambda c: c.add((_slice(c), qb("sliceStructure"), ex("otherKey"))),
    "IC-10": lambda c: c.remove((_slice(c), JX.period, None)),
    "IC-11": lambda c: c.remove((_obs(c), JX.phase, None)),
    "IC-12": _duplicate,
    "IC-13": lambda c: c.remove((_obs(c), JX.currency, None)),
    "IC-14": lambda c: c.remove((_obs(c), JX.amount, None)),
    "IC-15": lambda c: _measure_dimension_cube(c, {"o1": ["m2"]}),
    "IC-16": lambda c: _measure_dimension_cube(c, {"o1": ["m1", "m2"]}),
    "IC-17": lambda c: _measure_dimension_cube(c, {"o1": ["m1"]}),
    "IC-18": lambda c: c.add((ex("otherDs"), qb("slice"), _slice(c))),
    "IC-19": lambda c: [c.remove((_obs(c), JX.phase, None)), c.add((_obs(c), JX.phase, JXV.unit_yuan))],
    "IC-20": lambda c: _hierarchy(c, inverse=False),
    "IC-21": lambda c: _hierarchy(c, inverse=True),
}


@pytest.mark.parametrize("name", sorted(BREAK))
def test_each_constraint_catches_its_fault(name, example_cube):
    broken = Graph()
    for t in example_cube:
        broken.add(t)
    BREAK[name](broken)
    assert name in cube.check(broken)


def test_amounts_are_decimals(example_cube):
    amounts = list(example_cube.objects(None, JX.amount))
    assert amounts and all(a.datatype == XSD.decimal for a in amounts)


def test_cube_example_is_what_build_makes(example_cube):
    from jixiao.rdfutil import same_graph

    assert same_graph(Graph().parse(ontology_dir() / "examples" / "cube-example.ttl"), example_cube)
