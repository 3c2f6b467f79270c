"""The shapes, case by case (tests/shapes/manifest.ttl, W3C SHACL test-suite style), on both engines;
and the shapes graph itself against SHACL-for-SHACL."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, Namespace

from jixiao import data as _data
from jixiao import validate as V

HERE = Path(__file__).resolve().parent / "shapes"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
JXT = Namespace("https://w3id.org/jixiao/shapes-test#")


def _entries() -> list[Path]:
    uri = (HERE / "manifest.ttl").as_uri()
    manifest = Graph().parse(HERE / "manifest.ttl", publicID=uri)
    head = manifest.value(URIRef(uri), MF.entries)
    return [Path(str(e).removeprefix("file://")) for e in Collection(manifest, head)]


def _case(path: Path):
    g = Graph().parse(path, publicID=path.as_uri())
    test = URIRef(path.as_uri())
    action, result = g.value(test, MF.action), g.value(test, MF.result)
    family = Path(str(g.value(action, SHT.shapesGraph)).removeprefix("file://")).stem
    shape = g.value(action, JXT.shape)
    expected = set()
    for r in g.objects(result, SH.result):
        path_ = g.value(r, SH.resultPath)
        expected.add(
            (
                str(g.value(r, SH.focusNode)),
                str(path_) if path_ is not None else "",
                str(g.value(r, SH.sourceShape)),
                str(g.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
            )
        )
    conforms = g.value(result, SH.conforms).toPython()
    return g, family, shape, expected, conforms


def _shape_and_parts(shape: URIRef) -> set[str]:
    shapes = V.shapes_graph()
    return {str(shape), *(str(p) for p in shapes.objects(shape, SH.property))}


ENTRIES = _entries()


def test_every_shape_has_a_passing_and_a_failing_case():
    shapes = V.shapes_graph()
    targeted = {s for s in shapes.subjects(RDF.type, SH.NodeShape) if (s, SH.targetClass, None) in shapes}
    tested: dict[URIRef, set[bool]] = {}
    for path in ENTRIES:
        _, _, shape, expected, _ = _case(path)
        tested.setdefault(shape, set()).add(bool(expected))
    assert {s: {True, False} for s in targeted} == {s: tested.get(s, set()) for s in targeted}


@pytest.mark.parametrize("engine", V.ENGINES)
@pytest.mark.parametrize("path", ENTRIES, ids=[p.stem for p in ENTRIES])
def test_case(path: Path, engine: str):
    g, family, shape, expected, conforms = _case(path)
    assert conforms == (not expected)
    result = V.validate_ntriples([(URIRef(path.as_uri()), V.ntriples_of(g))], engine=engine, families=[family])
    mine = _shape_and_parts(shape)
    got = {(str(f.focus), str(f.path or ""), str(f.shape), f.severity) for f in result.findings if str(f.shape) in mine}
    assert got == expected


def test_shapes_graph_passes_shacl_for_shacl():
    import pyshacl

    shapes = Graph()
    for path in sorted(_data.shapes_dir().glob("*.ttl")):
        shapes.parse(path)
    conforms, _, text = pyshacl.validate(shapes, shacl_graph=Graph().parse(HERE / "shsh.ttl"))
    assert conforms, text


def test_shsh_catches_a_broken_shape():
    """The vendored SHACL-for-SHACL is not vacuous: a shape with two sh:path values fails it."""
    import pyshacl

    broken = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:a , ex:b ; sh:minCount "1" ] .
    """,
        format="turtle",
    )
    conforms, _, _ = pyshacl.validate(broken, shacl_graph=Graph().parse(HERE / "shsh.ttl"))
    assert not conforms


def test_every_shape_is_named_and_explained_in_both_languages():
    shapes = V.shapes_graph()
    named = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    named = {s for s in named if isinstance(s, URIRef)}
    assert len(named) > 30
    for s in sorted(named):
        for prop in (SH.name, SH.message):
            langs = {o.language for o in shapes.objects(s, prop)}
            assert {"zh", "en"} <= langs, (s, prop)


def test_thresholds_live_in_the_shapes_graph():
    shapes = V.shapes_graph()
    assert shapes.value(V.JXS.TargetSetTooLow, V.JXS.threshold).toPython() == 1.5
    # and they reach the data: the context merged into every data graph carries them
    assert "<https://w3id.org/jixiao/shapes#threshold>" in V.context_ntriples()


@pytest.mark.parametrize("engine", V.ENGINES)
def test_conflict_message_lists_each_amount_once_in_reading_order(engine: str):
    """One finding for the three executed-phase statements (372.51 at 500 and 1000, 372.81 at 900),
    its message listing the amounts in reading order on both engines, every statement quoted."""
    path = HERE / "cases" / "consistency-conflict-fail.ttl"
    g = _case(path)[0]
    result = V.validate_ntriples([(URIRef(path.as_uri()), V.ntriples_of(g))], engine=engine, families=["consistency"])
    (found,) = [f for f in result.findings if str(f.focus).endswith("#a")]
    assert "372.51 ×2 (character 500, 1000); 372.81 ×1 (character 900)" in found.message["en"]
    assert "372.51 共 2 处（第 500、1000 字符）；372.81 共 1 处（第 900 字符）" in found.message["zh"]
    assert [r.start for r in found.sources] == [500, 900, 1000]
