"""jixiao link on five fictional reports (tests/data/linking/, read by the real reader): divisions,
organisation structure, no false merge, matches across years, the SSSOM file (validated with the
sssom package), and a links graph that survives re-ingesting a report."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import OWL, RDF, SKOS, Graph, URIRef

from jixiao import iris, link
from jixiao.cli import main
from jixiao.ns import JX, JXV
from jixiao.store import GraphStore
from tests.queries import build_linking_fixture as fixture

TEXTS = Path(__file__).parent / "data" / "linking"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
SHAOGUAN, QINGYUAN, FOGANG = "440200", "441800", "441821"


@pytest.fixture(scope="module")
def linked(tmp_path_factory) -> tuple[Path, Path, Graph]:
    """A store with the five reports ingested and linked by the commands a user runs."""
    tmp = tmp_path_factory.mktemp("link")
    store, out = tmp / "store", tmp / "mappings.sssom.tsv"
    assert main(["ingest", *map(str, sorted(TEXTS.glob("*.txt"))), "--store", str(store)]) == 0
    assert main(["link", "--store", str(store), "--out", str(out)]) == 0
    g = GraphStore(store, read_only=True).graph(iris.LINKS_GRAPH)
    return store, out, g


def org(code: str, local: str) -> URIRef:
    return iris.org_in_region(code, local)


def agents(g: Graph, report_text: str, year: int, which: str = "prior") -> set[URIRef]:
    dept = {
        "韶关市总工会": "韶关市总工会",
        "韶关总工会": "韶关总工会",
        "韶关市妇女联合会": "韶关市妇女联合会",
        "佛冈县总工会": "佛冈县总工会",
    }[report_text]
    ev = iris.local(iris.report(dept, year, "department_whole"), "evaluation", which)
    return {g.value(a, URIRef(PROV + "agent")) for a in g.objects(ev, URIRef(PROV + "qualifiedAssociation"))}


def test_same_department_two_spellings_two_years_is_one_organisation(linked):
    _, _, g = linked
    new = org(SHAOGUAN, "总工会")
    olds = {iris.org("韶关市总工会"), iris.org("韶关总工会")}  # what the reader mints today (decision 0001)
    assert {s for s in g.subjects(OWL.sameAs, new)} == olds
    assert g.value(new, JX.division) == iris.region(SHAOGUAN)
    assert g.value(new, JX.orgKind) == JXV.okind_trade_union


def test_city_finance_bureaus_never_merge(linked):
    """Both the 韶关总工会 2024 report and the 佛冈县总工会 2024 report name a relative 市财政局 (the reader
    gives both the one IRI org/key(市财政局) today): placed in each report's own context they are
    韶关's and 清远's."""
    _, _, g = linked
    assert agents(g, "韶关总工会", 2024) == {org(SHAOGUAN, "财政局")}
    assert agents(g, "佛冈县总工会", 2024) == {org(QINGYUAN, "财政局")}
    assert agents(g, "韶关市总工会", 2023) == {org(SHAOGUAN, "财政局")}  # written in full there
    shared = iris.org("市财政局")
    assert (shared, OWL.sameAs, None) not in g  # a relative name is never linked to one body


def test_roles_in_evaluations(linked):
    _, _, g = linked
    ev = iris.local(iris.report("佛冈县总工会", 2024, "department_whole"), "evaluation", "prior")
    assoc = g.value(ev, URIRef(PROV + "qualifiedAssociation"))
    assert g.value(assoc, URIRef(PROV + "hadRole")) == JXV.evrole_finance_bureau
    ev = iris.local(iris.report("佛冈县总工会", 2024, "department_whole"), "evaluation", "self")
    assoc = g.value(ev, URIRef(PROV + "qualifiedAssociation"))
    assert g.value(assoc, URIRef(PROV + "hadRole")) == JXV.evrole_self_evaluator
    assert g.value(assoc, URIRef(PROV + "agent")) == org(FOGANG, "总工会")


def test_structure_and_regions(linked):
    _, _, g = linked
    sub = URIRef(ORG + "subOrganizationOf")
    # budget unit under its department; a bureau under its government; the trade union under neither
    assert (org(SHAOGUAN, "总工会(本级)"), sub, org(SHAOGUAN, "总工会")) in g
    assert (org(FOGANG, "人力资源和社会保障局"), sub, org(FOGANG, "人民政府")) in g
    assert (org(QINGYUAN, "财政局"), sub, org(QINGYUAN, "人民政府")) in g
    assert g.value(org(SHAOGUAN, "总工会"), sub) is None
    assert str(g.value(org(FOGANG, "人民政府"), JX.canonicalName)) == "佛冈县人民政府"
    # the region chain, with codes, levels and names
    chain = []
    r = iris.region(FOGANG)
    while r is not None:
        chain.append((str(g.value(r, JX.divisionCode)), str(g.value(r, JX.shortName)), g.value(r, JX.regionLevel)))
        r = g.value(r, JX.parentRegion)
    assert chain == [
        (FOGANG, "佛冈", JXV.level_county),
        (QINGYUAN, "清远", JXV.level_prefecture),
        ("440000", "广东", JXV.level_province),
    ]
    assert (iris.region(FOGANG), RDF.type, JX.Region) in g


def test_unplaced_partner_flagged_not_guessed(linked):
    """朝阳区妇联 (a partner of the 韶关 women's federation): 朝阳区 is in Beijing and in Changchun, and
    neither is near 韶关 — flagged, with both candidates in the diagnostic."""
    _, _, g = linked
    old = iris.org("朝阳区妇联")
    assert (old, JX.flag, JXV.flag_region_unresolved) in g
    diag = str(g.value(old, JX.regionDiagnostic))
    assert "110105" in diag and "220104" in diag
    assert (old, OWL.sameAs, None) not in g


# expected matches, from the texts by hand: (kind, 2023 name, 2024 name, exact)
EXPECTED = {
    ("project", "困难职工帮扶经费", "困难职工帮扶经费", True),
    # tokens {职工 技能 竞赛 经费} and {职工 技能 竞赛 活动 竞赛活动 经费}: Jaccard 4/6
    ("project", "职工技能竞赛经费", "职工技能竞赛活动经费", False),
    ("indicator", "举办职工技能竞赛场次", "举办职工技能竞赛场次", True),
    ("indicator", "帮扶困难职工人数", "帮扶困难职工人数", True),
    ("issue", "预算执行进度偏慢", "预算执行进度偏慢", True),
    ("project", "职工文体活动经费", "职工文体活动经费", True),  # 佛冈
    ("indicator", "走访慰问困难职工户数", "走访慰问困难职工户数", True),  # 佛冈
}


def test_matches_across_years(linked):
    store, _, g = linked
    links = link.build(GraphStore(store, read_only=True))
    got = {(m.subject.kind, m.subject.name, m.object.name, m.exact) for m in links.mappings}
    assert got == EXPECTED
    close = next(m for m in links.mappings if not m.exact)
    assert close.score == pytest.approx(4 / 6, abs=1e-4) and close.accepted
    exact = [(s, o) for s, o in g.subject_objects(SKOS.exactMatch)]
    assert len(exact) == 6 and len(list(g.subject_objects(SKOS.closeMatch))) == 1
    # the same words in another department's report are no match: 韶关's 2024 issue and 佛冈's share a title
    fogang = str(iris.report("佛冈县总工会", 2024, "department_whole"))
    assert not any(str(o).startswith(fogang) for _, o in exact if "/issue/" in str(o))


def test_similarity_and_normalisation():
    assert link.normalise_name("（一）2023年度 职工技能竞赛经费。") == "职工技能竞赛经费"
    assert link.similarity("职工文体活动经费", "职工技能竞赛活动经费") < link.MIN_SCORE
    assert link.similarity("预算执行进度偏慢", "预算执行进度偏慢") == 1.0


def test_sssom_file_validates(linked):
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    _, out, _ = linked
    msdf = parse_sssom_table(out)
    validate(msdf, fail_on_error=True)  # JSON schema, prefix map completeness, strict CURIEs
    assert len(msdf.df) == len(EXPECTED)
    assert set(msdf.df["predicate_id"]) == {"skos:exactMatch", "skos:closeMatch"}
    close = msdf.df[msdf.df["predicate_id"] == "skos:closeMatch"].iloc[0]
    assert close["mapping_justification"] == "semapv:LexicalSimilarityThresholdMatching"
    assert close["similarity_measure"] == link.MEASURE
    assert msdf.metadata["mapping_set_id"] == link.MAPPING_SET
    assert msdf.converter.expand(close["subject_id"]).startswith(iris.BASE + "report/")


def test_link_is_deterministic_and_survives_reingest(linked, tmp_path):
    store, out, g = linked
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    again = tmp_path / "again.sssom.tsv"
    # re-ingest one report: its graph is replaced, the links graph is left as it was
    assert main(["ingest", str(TEXTS / "shaoguan-fulian-2024.txt"), "--store", str(copy)]) == 0
    after = GraphStore(copy, read_only=False)
    assert len(after.graph(iris.LINKS_GRAPH)) == len(g)
    del after
    assert main(["link", "--store", str(copy), "--out", str(again)]) == 0
    assert again.read_bytes() == out.read_bytes()
    assert len(GraphStore(copy, read_only=True).graph(iris.LINKS_GRAPH)) == len(g)


def test_query_fixture_is_current():
    """tests/queries/data/linking.nq is what build_linking_fixture.py makes now (rerun it when not)."""
    assert fixture.nquads(fixture.build_store()) == fixture.OUT.read_bytes(), (
        "run: python tests/queries/build_linking_fixture.py"
    )


REAL = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "jiangmen-trade-union-2024.txt"


def test_real_report_placed_by_link():
    """The real report as the reader reads it today, linked: its department in 江门市 (440700, under
    广东省), its partner bureau under the city government, its evaluating firm in its role, and a
    partner whose name holds no division (五邑 is a historical name, not a division) flagged."""
    from jixiao.ingest.pipeline import ingest_file

    store = GraphStore(None)
    result = ingest_file(REAL)
    store.replace_graph(result.graph_iri, result.triples)
    links = link.build(store)
    g = Graph()
    for t in links.triples:
        g.add(t)
    dept = org("440700", "总工会")
    assert (iris.org("江门市总工会"), OWL.sameAs, dept) in g
    assert g.value(dept, JX.division) == iris.region("440700")
    assert g.value(iris.region("440700"), JX.parentRegion) == iris.region("440000")
    assert str(g.value(iris.region("440000"), JX.divisionCode)) == "440000"
    hr = org("440700", "人力资源和社会保障局")  # written 江门市人社局 / 市人社局 in the report
    assert (iris.org("江门市人社局"), OWL.sameAs, hr) in g
    assert (hr, URIRef(ORG + "subOrganizationOf"), org("440700", "人民政府")) in g
    prior = iris.local(result.report, "evaluation", "prior")
    assoc = g.value(prior, URIRef(PROV + "qualifiedAssociation"))
    assert g.value(assoc, URIRef(PROV + "hadRole")) == JXV.evrole_third_party
    assert g.value(g.value(assoc, URIRef(PROV + "agent")), JX.orgKind) == JXV.okind_third_party_firm
    assert (iris.org("五邑慈善会"), JX.flag, JXV.flag_region_unresolved) in g


def test_links_example_is_what_link_makes():
    """Every triple of ontology/examples/links-example.ttl is in the links graph of the query fixture."""
    import pyoxigraph as ox

    from jixiao.data import ontology_dir
    from jixiao.rdfutil import from_ox

    store = ox.Store()
    store.bulk_load(path=str(fixture.OUT), format=ox.RdfFormat.N_QUADS)
    made = {
        (from_ox(q.subject), from_ox(q.predicate), from_ox(q.object))
        for q in store.quads_for_pattern(None, None, None, ox.NamedNode(str(iris.LINKS_GRAPH)))
    }
    example = Graph().parse(ontology_dir() / "examples" / "links-example.ttl")
    assert len(example) > 50
    assert [t for t in example if t not in made] == []
