"""The IRI scheme (docs/decisions/0001-iri-scheme.md): deterministic, ASCII, shared where it must
be shared (organisations across reports) and report-local where it must not."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from jixiao import iris
from jixiao.ingest.emit import GraphBuilder, Source
from jixiao.ns import JX, JXV
from jixiao.rdfutil import from_ox, to_ox

EXAMPLE = Path(__file__).resolve().parents[1] / "ontology" / "examples" / "report-example.ttl"
KEY = re.compile(r"[0-9a-f]{16}")


def sha16(text: str) -> str:
    """The key as the decision record states it, computed here independently of iris.py."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def test_name_key_is_the_sha256_prefix_of_the_canonical_name() -> None:
    assert iris.name_key("海源市财政局") == sha16("海源市财政局")
    assert KEY.fullmatch(iris.name_key("海源市财政局"))


@pytest.mark.parametrize(
    "variant",
    [
        "海源市 财政局",  # ASCII space
        "海源市\u3000财政局",  # ideographic space
        " 海源市财政局\n",  # padding, line break from a wrapped line
        "海源市\t财政\u00a0局",  # tab, no-break space
    ],
)
def test_whitespace_variants_share_one_key(variant: str) -> None:
    assert iris.name_key(variant) == iris.name_key("海源市财政局")


def test_nfkc_variants_share_one_key() -> None:
    # full-width Latin letters and digits (as PDFs extract them) are their ASCII forms
    assert iris.name_key("海源市第１中学") == iris.name_key("海源市第1中学")
    assert iris.name_key("ＸＸ科技有限公司") == iris.name_key("XX科技有限公司")
    assert iris.org("海源市第１中学") == iris.org("海源市第1中学")


def test_different_names_get_different_keys() -> None:
    names = ["海源市财政局", "海源县财政局", "海源市文化局", "财政局", "市财政局"]
    assert len({iris.name_key(n) for n in names}) == len(names)


def test_minting_is_deterministic_and_ascii() -> None:
    minted = [
        iris.org("海源市财政局"),
        iris.group("困难学生"),
        iris.document("《预算法》"),
        iris.programme("海源市文化局", "书香海源"),
        iris.year(2024),
        iris.source_file("ab" * 32),
        iris.report("海源市文化局", 2024, "department_whole"),
    ]
    again = [
        iris.org("海源市财政局"),
        iris.group("困难学生"),
        iris.document("《预算法》"),
        iris.programme("海源市文化局", "书香海源"),
        iris.year("2024"),
        iris.source_file("ab" * 32),
        iris.report("海源市文化局", "2024", "department_whole"),
    ]
    assert minted == again
    for iri in minted:
        assert str(iri).isascii() and str(iri).startswith(iris.BASE), iri
        assert not re.search(r"\s", str(iri))


def test_shared_iri_forms() -> None:
    k = sha16("海源市财政局")
    assert iris.org("海源市财政局") == URIRef(f"https://w3id.org/jixiao/id/org/{k}")
    assert iris.group("困难学生") == URIRef(f"https://w3id.org/jixiao/id/group/{sha16('困难学生')}")
    assert iris.year(2024) == URIRef("https://w3id.org/jixiao/id/year/2024")
    # a programme is shared within one department only: the same name elsewhere is another programme
    assert iris.programme("海源市文化局", "书香海源") != iris.programme("云溪县文化局", "书香海源")


def builder(department: str, text: str, name: str) -> GraphBuilder:
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    report = iris.report(department, 2024, "department_whole")
    return GraphBuilder(report, Source(Path(name), text, sha, "utf-8"))


def test_two_reports_share_the_organisation_they_both_name() -> None:
    """Two departments' reports name the same finance bureau (after alias resolution): one IRI, so
    the union of their graphs holds one organisation with one canonical name."""
    a = builder("海源市文化局", "海源市财政局对本部门开展了重点评价。", "a.txt")
    b = builder("海源市体育局", "市财政局组织了绩效评价。", "b.txt")
    org_a = a.organisation("海源市财政局")
    org_b = b.organisation("海源市财政局", alias="市财政局", region="海源市")
    assert org_a == org_b == to_ox(iris.org("海源市财政局"))
    org_a = iris.org("海源市财政局")
    assert a.report != b.report
    union = a.g + b.g
    assert len(list(union.subjects(RDF.type, JX.Organisation))) == 1
    assert len(list(union.objects(org_a, JX.canonicalName))) == 1
    assert [str(x) for x in union.objects(org_a, JX.alias)] == ["市财政局"]
    # their report-local resources never collide
    assert set(a.g.subjects(RDF.type, JX.SourceSpan)).isdisjoint(b.g.subjects(RDF.type, JX.SourceSpan))


def test_report_iri_is_department_year_kind() -> None:
    r = iris.report("海源市文化局", 2024, "department_whole")
    assert r == URIRef(f"https://w3id.org/jixiao/id/report/{sha16('海源市文化局')}/2024/department_whole")
    assert r != iris.report("海源市文化局", 2023, "department_whole")
    assert r != iris.report("海源市文化局", 2024, "project")
    assert r != iris.report("海源市体育局", 2024, "department_whole")


def test_report_iri_does_not_depend_on_the_file() -> None:
    """Re-ingesting a corrected file (other bytes, other name) yields the same report and graph
    IRIs, so the store replaces the old graph instead of keeping both."""
    a = builder("海源市文化局", "第一版文本。", "v1.txt")
    b = builder("海源市文化局", "第二版文本，改了一个数字。", "v2.txt")
    assert a.report == b.report
    assert iris.graph_of(a.report) == iris.graph_of(b.report)
    assert a.file != b.file  # the source file is identified by its content


def test_graph_and_local_iris() -> None:
    r = iris.report("海源市文化局", 2024, "department_whole")
    assert iris.graph_of(r) == URIRef(f"{r}/graph")
    assert iris.local(r, "indicator", 3) == URIRef(f"{r}/indicator/3")
    assert iris.span(r, 135, 141) == URIRef(f"{r}/span/135-141")
    assert iris.figure(r, 135, 141) == URIRef(f"{r}/fig/135-141")
    for special in (iris.RUNS_GRAPH, iris.ONTOLOGY_GRAPH):
        assert special != iris.graph_of(r) and not str(special).startswith(f"{r}/")


def test_run_iri_changes_with_time_but_lives_outside_report_graphs() -> None:
    sha = "cd" * 32
    first, second = iris.run(sha, "2026-11-24T10:00:00Z"), iris.run(sha, "2026-11-25T09:30:00Z")
    assert first != second
    assert str(first).startswith(f"{iris.BASE}run/{sha[:16]}/")
    assert "/report/" not in str(first)


def test_same_input_same_triples() -> None:
    """GraphBuilder with the same input twice: identical graphs (no clock, no random, no bnodes)."""
    graphs = []
    for _ in range(2):
        b = builder("海源市文化局", "举办活动 120 余场。", "x.txt")
        fig = b.quantity(5, 12, value=120, unit="session", qualifier="odd", counts="活动")
        b.organisation("海源市财政局")
        graphs.append(b.g)
        assert (from_ox(fig), JX.unit, JXV.unit_session) in b.g
    assert set(graphs[0]) == set(graphs[1])


def test_worked_example_follows_the_scheme() -> None:
    g = Graph().parse(EXAMPLE, format="turtle")
    reports = list(g.subjects(RDF.type, JX.Report))
    assert reports == [iris.report("海源市文化局", 2024, "department_whole")]
    assert (reports[0], JX.reportKind, JXV.kind_department_whole) in g
    assert (iris.org("海源市财政局"), RDF.type, None) in g
    # every resource the report owns hangs under the report IRI; shared ones under their kind
    shared = ("org/", "group/", "doc/", "programme/", "year/", "file/")
    for s in set(g.subjects()):
        rest = str(s)[len(iris.BASE) :]
        assert str(s).startswith(iris.BASE), s
        assert str(s).startswith(str(reports[0])) or rest.startswith(shared), s


def test_guide_query_finds_an_organisation_two_departments_name() -> None:
    """docs/ontology.md's linking query, over the worked example plus a second department's report
    whose evaluator is the same finance bureau: the bureau is one node named by two departments."""
    guide = (Path(__file__).resolve().parents[1] / "docs" / "ontology.md").read_text(encoding="utf-8")
    query = re.search(r"```sparql\n(.*?)```", guide, re.S).group(1)
    b = builder("海源市体育局", "海源市财政局对本局开展重点绩效评价。", "sports.txt")
    dept = b.organisation("海源市体育局", JX.Department)
    section, evaluation = b.local("section", "4"), b.local("evaluation", "prior")
    b.add(b.report, RDF.type, JX.Report)
    b.add(b.report, JX.department, dept)
    b.resource(section, JX.Section, 0, 6)
    b.add(section, JX.inReport, b.report)
    b.resource(evaluation, JX.ThirdPartyEvaluation, 0, 17, section=section)
    b.add(evaluation, JX.evaluator, b.organisation("海源市财政局"))
    rows = list((Graph().parse(EXAMPLE, format="turtle") + b.g).query(query))
    assert [(str(r[0]), str(r[1]), int(r[2])) for r in rows] == [(str(iris.org("海源市财政局")), "海源市财政局", 2)]


def test_report_local_iri_forms() -> None:
    """The report-local IRIs of decision 0001, one function each in iris.py."""
    r = iris.report("海源市文化局", 2024, "department_whole")
    issue = iris.issue(r, 2)
    assert [
        iris.section(r, "2-1"),
        iris.duty(r, 3),
        iris.goal(r, 1),
        issue,
        iris.issue_part(issue, "measure"),
        iris.statement(r, "problem", 4711),
        iris.work_item(r, 812),
        iris.evaluation(r, "prior"),
        iris.project(r, 5),
        iris.narrative_project(r, "书香海源"),
        iris.indicator(r, 12),
        iris.spending_line(r, "total"),
        iris.spending_line(r, "basic", "海源市图书馆"),
        iris.budget_dataset(r),
        iris.selector(iris.span(r, 3, 9), "quote"),
    ] == [
        URIRef(f"{r}/section/2-1"),
        URIRef(f"{r}/duty/3"),
        URIRef(f"{r}/goal/1"),
        URIRef(f"{r}/issue/2"),
        URIRef(f"{r}/issue/2/measure/1"),
        URIRef(f"{r}/report/problem/4711"),
        URIRef(f"{r}/work/812"),
        URIRef(f"{r}/evaluation/prior"),
        URIRef(f"{r}/project/5"),
        URIRef(f"{r}/project/n{sha16('书香海源')}"),
        URIRef(f"{r}/indicator/12"),
        URIRef(f"{r}/spending/total"),
        URIRef(f"{r}/spending/basic/{sha16('海源市图书馆')}"),
        URIRef(f"{r}/budget"),
        URIRef(f"{r}/span/3-9/quote"),
    ]
    assert iris.agent("0.1.0") == URIRef(f"{iris.BASE}agent/jixiao/0.1.0")


@pytest.mark.parametrize("subject", [None, "某某项目"])
def test_the_fast_span_and_figure_iris_are_the_functions_iris(subject: str | None) -> None:
    """iris.ReportIris (strings, one format each: the reader's fast path) gives the IRIs of
    iris.span, iris.selector and iris.figure."""
    r = iris.report("海源市文化局", 2024, "project" if subject else "department_whole", subject)
    fast = iris.ReportIris(r)
    for start, end in [(0, 1), (3, 9), (1234, 12345), (99999, 100000)]:
        assert fast.span(start, end) == str(iris.span(r, start, end)) == f"{r}/span/{start}-{end}"
        assert fast.figure(start, end) == str(iris.figure(r, start, end)) == f"{r}/fig/{start}-{end}"
        for kind in ("pos", "quote"):
            assert fast.selector(fast.span(start, end), kind) == str(iris.selector(iris.span(r, start, end), kind))
