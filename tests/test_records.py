"""The records of what a report says (jixiao.ingest.records): extraction produces them, emit alone
turns them into triples.

- records written by hand for a small invented report are emitted as the triples checked here by
  hand (what each record becomes in the ontology);
- the records of the bundled sample report say what its text says (department, year, the seven
  declared indicator counts of its target-setting section, table rows), and the graph holds exactly
  the resources the records describe.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from jixiao import iris
from jixiao.ingest import records as r
from jixiao.ingest.emit import emit
from jixiao.ingest.pipeline import ingest_file
from jixiao.ingest.source import SourceText
from jixiao.ns import JX, JXV, OA
from tests.conftest import SAMPLE

TEXT = "某某市体育局2024年度部门整体支出绩效自评报告\n一、目标设置\n培训人数\t≥100人次\t120人次\n"


@pytest.fixture(scope="module")
def hand_made() -> tuple[r.Extraction, set]:
    source = SourceText(Path("x.txt"), TEXT, "utf-8", hashlib.sha256(TEXT.encode()).hexdigest())
    dept = r.OrgName(canonical="某某市体育局", alias="某某市体育局", region="某某市")
    report = r.Report(
        title=TEXT.split("\n")[0], span=(0, 24), department=dept, fiscal_year=2024, kind="department_whole"
    )
    ex = r.Extraction(source=source, report=report)
    ex.organisations.append(r.Organisation(name=dept, kind="department"))
    heading = TEXT.index("一、")
    section = r.Section(
        path="1",
        number="一、",
        level=1,
        ordinal=1,
        label="目标设置",
        role="target_setting",
        span=(heading, heading + 6),
    )
    ex.sections.append(section)
    row = TEXT.index("培训人数")
    indicator = r.Indicator(number=1, table_row=1, name="培训人数", span=(row, len(TEXT) - 1), section=section)
    t = TEXT.index("≥100")
    target = r.Quantity(
        span=(t, t + 6),
        value=Decimal(100),
        unit="person_time",
        stated_unit="人次",
        qualifier="at_least",
        comparator="ge",
        counts="培训人数",
        kind="count",
        about=indicator,
        section=section,
    )
    indicator.target, indicator.comparator, indicator.quantitative = target, "ge", True
    indicator.target_text = "≥100人次"
    ex.indicators.append(indicator)
    ex.figures.append(target)
    return ex, set(emit(ex).g)


def test_emitted_report_and_department(hand_made) -> None:
    ex, g = hand_made
    rep = iris.report("某某市体育局", 2024, "department_whole")
    dept = iris.org("某某市体育局")
    assert {
        (rep, RDF.type, JX.Report),
        (rep, RDFS.label, Literal(ex.report.title, lang="zh")),
        (rep, JX.department, dept),
        (rep, JX.fiscalYear, Literal("2024", datatype=XSD.gYear)),
        (rep, JX.reportKind, JXV.kind_department_whole),
        (dept, RDF.type, JX.Department),
        (dept, JX.canonicalName, Literal("某某市体育局")),
        (dept, JX.region, Literal("某某市")),
    } <= g
    assert (dept, JX.alias, None) not in {(s, p, None) for s, p, _ in g}  # the alias is the name: none


def test_emitted_section_indicator_and_target(hand_made) -> None:
    _, g = hand_made
    rep = iris.report("某某市体育局", 2024, "department_whole")
    sec, ind = iris.section(rep, "1"), iris.indicator(rep, 1)
    t = TEXT.index("≥100")
    fig = iris.figure(rep, t, t + 6)
    assert {
        (rep, JX.hasSection, sec),
        (sec, RDF.type, JX.Section),
        (sec, JX.sectionRole, JXV.role_target_setting),
        (sec, JX.number, Literal("一、")),
        (ind, RDF.type, JX.Indicator),
        (rep, JX.hasIndicator, ind),
        (ind, JX.name, Literal("培训人数")),
        (ind, JX.inSection, sec),
        (ind, JX.target, fig),
        (ind, JX.comparator, JXV.cmp_ge),
        (ind, JX.quantitative, Literal(True)),
        (ind, JX.targetText, Literal("≥100人次")),
        (fig, RDF.type, JX.Quantity),
        (fig, JX.value, Literal("100", datatype=XSD.decimal)),
        (fig, JX.multiplier, Literal("1", datatype=XSD.decimal)),
        (fig, JX.normalizedValue, Literal("100", datatype=XSD.decimal)),
        (fig, JX.unit, JXV.unit_person_time),
        (fig, JX.qualifier, JXV.qual_at_least),
        (fig, JX.statedForm, Literal("≥100人次")),
        (fig, JX.about, ind),
    } <= g
    span = iris.span(rep, t, t + 6)
    assert (fig, JX.sourceSpan, span) in g
    assert (URIRef(f"{span}/quote"), OA.exact, Literal(TEXT[t : t + 6])) in g
    # no actual was recorded, so none is emitted; nothing but what the records say is typed
    assert not [t for t in g if t[1] == JX.actual]
    types = {o for _, p, o in g if p == RDF.type}
    assert types == {
        JX.Report,
        JX.Department,
        JX.Section,
        JX.Indicator,
        JX.Quantity,
        JX.SourceFile,
        JX.SourceSpan,
        URIRef("http://www.w3.org/2006/time#ProperInterval"),
        OA.TextPositionSelector,
        OA.TextQuoteSelector,
    }


# -- the sample report -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample():
    return ingest_file(SAMPLE)


def test_sample_records_say_what_the_text_says(sample) -> None:
    ex = sample.records
    assert ex.report.department.canonical == "海源市体育局"
    assert (ex.report.fiscal_year, ex.report.kind) == (2024, "department_whole")
    # "数量指标 8 个，质量指标 2 个，时效指标 1 个，成本指标 1 个，效益指标 7 个，满意度指标 2 个；定量指标 16 个，
    # 定性指标 4 个" in the target-setting section
    declared = [(f.category_word, f.value) for f in ex.figures if isinstance(f, r.DeclaredCount)]
    assert declared[:8] == [
        ("数量指标", 8),
        ("质量指标", 2),
        ("时效指标", 1),
        ("成本指标", 1),
        ("效益指标", 7),
        ("满意度指标", 2),
        ("定量指标", 16),
        ("定性指标", 4),
    ]
    first = ex.indicators[0]
    assert (first.name, first.target_text, first.comparator, first.category) == (
        "举办市级全民健身赛事活动场次",
        "≥60场",  # the cell as normalised: no space between a digit and a CJK character
        "ge",
        "ind_quantity",
    )
    assert first.target.value == 60 and first.actual.value == 78
    # every span quotes the file: a figure's span is its stated form
    text = sample.source.text
    assert all(text[f.span[0] : f.span[1]].strip() for f in ex.figures)


@pytest.mark.parametrize(
    ("kind", "cls", "key"),
    [
        ("sections", JX.Section, lambda x: x.path),
        ("duties", JX.Duty, lambda x: x.key),
        ("indicators", JX.Indicator, lambda x: x.number),
        ("evaluations", JX.Evaluation, lambda x: x.key),
        ("issues", JX.RectificationIssue, lambda x: x.number),
        ("work_items", JX.WorkItem, lambda x: x.span[0]),
        ("spending_lines", JX.SpendingAggregate, lambda x: (x.kind, x.holder)),
        ("projects", JX.Project, lambda x: x.number or x.name),
        ("figures", JX.Quantity, lambda x: x.span),
    ],
)
def test_the_graph_holds_the_resources_the_records_describe(sample, kind: str, cls: URIRef, key) -> None:
    """As many resources of each class as distinct records (by what their IRIs are made of)."""
    records = getattr(sample.records, kind)
    assert records
    assert len(set(sample.graph.subjects(RDF.type, cls))) == len({key(x) for x in records})


# -- genre words from the code lists (ontology/vocab.ttl) --------------------------------------------
def test_category_words_are_the_code_lists_labels() -> None:
    """Indicator categories and natures are matched by the Chinese labels of their concepts, preferred
    and alternative, without the suffix 指标 and any bracketed aside."""
    from jixiao.ingest.indicators import category_key

    words = {
        "产出指标（50分）": "ind_output",
        "效益": "ind_outcome",
        "满意度指标": "ind_satisfaction",
        "数量指标": "ind_quantity",
        "社会效益 指标": "ind_social",
        "生态效益指标": "ind_ecological",
        "环境效益指标": "ind_ecological",  # skos:altLabel
        "服务对象满意度指标": "ind_beneficiary_satisfaction",
        "社会公众满意度": "ind_beneficiary_satisfaction",  # skos:altLabel
        "可持续影响指标": "ind_sustainability",
        "定量指标": "nature_quantitative",
        "定性": "nature_qualitative",
        "绩效指标": None,
        "经济成本指标": None,
    }
    assert {w: category_key(w) for w in words} == words


def test_rate_and_line_names_are_the_code_lists_labels(sample) -> None:
    from jixiao.ingest.reading import rate_label

    assert [rate_label(k) for k in ("execution", "share", "change", "completion", "cut")] == [
        "执行率",
        "占比",
        "同比变化率",
        "完成率",
        "压减率",
    ]
    lines = {(x.kind, x.label) for x in sample.records.spending_lines if x.holder is None}
    assert ("total", "海源市体育局整体支出") in lines and ("basic", "海源市体育局基本支出") in lines
