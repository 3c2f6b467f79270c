"""Build tests/queries/data/report-b.ttl from report-b.txt with ingest's own GraphBuilder.

The second fixture report (fictional 青溪县体育局 2023) has what the worked example lacks: additions,
cuts, a revised budget, a stated execution rate, an indicator far over its target, a qualitative
indicator, an indicator without actual, a declared count that disagrees with the table, and two
prior-audit issues. Offsets are found in the text, so every quote is the text at its offsets.

Run ``python tests/queries/build_fixture.py`` after changing the text; test_queries checks the
committed Turtle is current.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from jixiao import iris
from jixiao.ingest.emit import GraphBuilder, Source, vocab
from jixiao.ns import JX

HERE = Path(__file__).resolve().parent
TEXT_FILE = HERE / "data" / "report-b.txt"
TTL_FILE = HERE / "data" / "report-b.ttl"
DEPT = "青溪县体育局"


def build() -> Graph:
    raw = TEXT_FILE.read_bytes()
    text = raw.decode("utf-8")
    report = iris.report(DEPT, 2023, "department_whole")
    b = GraphBuilder(report, Source(TEXT_FILE, text, hashlib.sha256(raw).hexdigest(), "utf-8"))
    add = b.add

    def at(s: str, after: str | None = None) -> tuple[int, int]:
        start = text.index(s, text.index(after) if after else 0)
        return start, start + len(s)

    dept = b.organisation(DEPT, JX.Department, region="青溪县")
    add(report, RDF.type, JX.Report)
    b.sourced(report, *at("青溪县体育局2023年度部门整体支出绩效自评报告"))
    add(report, JX.title, Literal("青溪县体育局2023年度部门整体支出绩效自评报告"))
    add(report, JX.department, dept)
    add(report, JX.fiscalYear, Literal("2023", datatype=XSD.gYear))
    add(report, JX.fiscalPeriod, b.year(2023))
    add(report, JX.reportKind, vocab("kind", "department_whole"))
    add(report, JX.sourceFile, b.file)

    def section(key: str, heading: str, number: str, level: int, ordinal: int, role: str, parent: URIRef) -> URIRef:
        node = b.local("section", key)
        b.resource(node, JX.Section, *at(heading), label=heading[len(number) :])
        add(node, JX.inReport, report)
        add(node, JX.number, Literal(number))
        add(node, JX.level, Literal(level, datatype=XSD.integer))
        add(node, JX.ordinal, Literal(ordinal, datatype=XSD.integer))
        add(node, JX.sectionRole, vocab("role", role))
        add(parent, JX.hasSection, node)
        return node

    s1 = section("1", "一、部门基本情况", "一、", 1, 1, "basic_info", report)
    s11 = section("1-1", "（一）部门概况", "（一）", 2, 1, "overview", s1)
    s12 = section("1-2", "（二）年度总体工作和重点工作任务完成情况", "（二）", 2, 2, "annual_work", s1)
    s13 = section("1-3", "（三）部门整体支出情况", "（三）", 2, 3, "spending", s1)
    s2 = section("2", "二、绩效自评情况", "二、", 1, 2, "self_evaluation", report)
    s3 = section("3", "三、上年度绩效评价整改情况", "三、", 1, 3, "prior_rectification", report)
    s31 = section("3-1", "（一）绩效指标值设置偏低", "（一）", 2, 1, "rectification_issue", s3)
    s32 = section("3-2", "（二）预算执行进度偏慢", "（二）", 2, 2, "rectification_issue", s3)

    # duties
    for n, duty in enumerate(["负责全县群众体育工作。", "负责县体育场馆的管理。"], 1):
        node = b.local("duty", n)
        b.resource(node, JX.Duty, *at(duty), section=s11)
        add(node, JX.ordinal, Literal(n, datatype=XSD.integer))
        add(node, JX.text, Literal(duty))
        add(report, JX.hasDuty, node)
        add(dept, JX.hasDuty, node)

    # annual work: a partner, a programme, a beneficiary group
    w1 = b.local("work", "1-2", 1)
    w1_text = "一是联合县教育局举办“全民健身月”活动 15 场，参与群众超 2000 人次；"
    b.resource(w1, JX.WorkItem, *at(w1_text), section=s12)
    add(w1, JX.text, Literal(w1_text))
    partner = b.organisation("青溪县教育局", alias="县教育局", region="青溪县")
    add(w1, JX.partner, partner)
    prog = iris.programme(DEPT, "全民健身月")
    b.resource(prog, JX.Programme, *at("全民健身月"), label="全民健身月")
    add(prog, JX.name, Literal("全民健身月"))
    add(w1, JX.programme, prog)
    b.quantity(
        *at("15 场"),
        value=Decimal(15),
        unit="session",
        stated_unit="场",
        counts="健身活动",
        kind="count",
        about=w1,
        section=s12,
    )
    b.quantity(
        *at("超 2000 人次"),
        value=Decimal(2000),
        unit="person_time",
        stated_unit="人次",
        qualifier="over",
        counts="参与群众",
        kind="count",
        about=w1,
        section=s12,
    )

    w2 = b.local("work", "1-2", 2)
    w2_text = "二是为困难老人发放健身补贴 12 万元。"
    b.resource(w2, JX.WorkItem, *at(w2_text), section=s12)
    add(w2, JX.text, Literal(w2_text))
    grp = iris.group("困难老人")
    b.t.add((grp, RDF.type, JX.BeneficiaryGroup))
    add(grp, JX.canonicalName, Literal("困难老人"))
    b.t.add((grp, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("困难老人", lang="zh")))
    add(w2, JX.beneficiary, grp)
    subsidy = b.quantity(
        *at("12 万元"),
        value=Decimal(12),
        multiplier=10000,
        unit="yuan",
        stated_unit="万元",
        counts="健身补贴",
        kind="amount",
        about=w2,
        section=s12,
    )
    add(subsidy, JX.beneficiary, grp)

    # money
    total = b.local("spending", "total")
    b.t.add((total, RDF.type, JX.SpendingAggregate))
    b.t.add((total, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("整体支出", lang="zh")))
    add(total, JX.budgetHolder, dept)
    add(total, JX.spendingKind, vocab("spend", "total"))
    money = {"unit": "yuan", "stated_unit": "万元", "multiplier": 10000, "kind": "amount", "section": s13}
    b.budget_figure(*at("500 万元"), line=total, phase="approved", value=Decimal(500), counts="年初预算", **money)
    b.budget_figure(*at("60 万元"), line=total, phase="addition", value=Decimal(60), counts="年中追加", **money)
    b.budget_figure(*at("40 万元"), line=total, phase="cut", value=Decimal(40), counts="压减", **money)
    b.budget_figure(*at("520 万元"), line=total, phase="revised", value=Decimal(520), counts="调整后预算", **money)
    spent = b.budget_figure(
        *at("468 万元"), line=total, phase="executed", value=Decimal(468), counts="全年支出", **money
    )
    b.rate(
        *at("90%"),
        kind="execution",
        numerator=spent,
        line=total,
        value=Decimal(90),
        stated_unit="%",
        counts="执行率",
        section=s13,
    )

    proj = b.local("project", 1)
    b.resource(proj, JX.Project, *at("“场馆运维经费”"), label="场馆运维经费", section=s13)
    add(proj, JX.name, Literal("场馆运维经费"))
    add(proj, JX.nameStatus, vocab("name", "stated"))
    add(proj, JX.budgetHolder, dept)
    b.budget_figure(*at("100 万元"), line=proj, phase="approved", value=Decimal(100), counts="年初预算", **money)
    b.budget_figure(
        *at("40 万元", after="场馆运维经费"), line=proj, phase="cut", value=Decimal(40), counts="压减", **money
    )
    b.budget_figure(*at("48 万元"), line=proj, phase="executed", value=Decimal(48), counts="支出", **money)

    # self-evaluation
    ev = b.local("evaluation", "self")
    b.resource(ev, JX.SelfEvaluation, *at("本部门自评得分 86.5 分，自评等级为良。"), section=s2)
    add(ev, JX.evaluator, dept)
    add(ev, JX.evaluated, dept)
    add(ev, JX.evaluatedYear, Literal("2023", datatype=XSD.gYear))
    add(ev, JX.grade, vocab("grade", "good"))
    score = b.quantity(
        *at("86.5 分"),
        value=Decimal("86.5"),
        unit="point",
        stated_unit="分",
        counts="自评得分",
        kind="score",
        about=ev,
        section=s2,
    )
    add(ev, JX.score, score)
    add(report, JX.evaluation, ev)
    b.quantity(
        *at("2 个"),
        value=Decimal(2),
        unit="item",
        stated_unit="个",
        counts="数量指标",
        kind="count",
        section=s2,
        cls=JX.DeclaredCount,
    )
    add(iris.figure(report, *at("2 个")), JX.countedCategory, vocab("ind", "quantity"))

    # indicators
    def indicator(
        n: int,
        name: str,
        category: str,
        comparator: str,
        target_text: str,
        actual_text: str | None,
        row_text: str,
        quantitative: bool,
    ) -> URIRef:
        node = b.local("indicator", n)
        b.resource(node, JX.Indicator, *at(row_text), label=name, section=s2)
        add(node, JX.name, Literal(name))
        add(node, JX.category, vocab("ind", category))
        add(node, JX.comparator, vocab("cmp", comparator))
        add(node, JX.targetText, Literal(target_text))
        if actual_text:
            add(node, JX.actualText, Literal(actual_text))
        add(node, JX.quantitative, Literal(quantitative))
        add(node, JX.tableRow, Literal(n, datatype=XSD.integer))
        add(report, JX.hasIndicator, node)
        return node

    i1 = indicator(1, "举办健身活动场次", "quantity", "ge", "≥10 场", "25 场", "举办健身活动场次\t≥10 场\t25 场", True)
    add(
        i1,
        JX.target,
        b.quantity(
            *at("≥10 场"),
            value=Decimal(10),
            unit="session",
            stated_unit="场",
            comparator="ge",
            counts="举办健身活动场次",
            kind="count",
            about=i1,
            section=s2,
        ),
    )
    add(
        i1,
        JX.actual,
        b.quantity(
            *at("25 场"),
            value=Decimal(25),
            unit="session",
            stated_unit="场",
            counts="举办健身活动场次",
            kind="count",
            about=i1,
            section=s2,
        ),
    )
    i2 = indicator(2, "补贴发放及时率", "timeliness", "ge", "≥95%", None, "补贴发放及时率\t≥95%", True)
    add(
        i2,
        JX.target,
        b.quantity(
            *at("≥95%"),
            value=Decimal(95),
            unit="percent",
            stated_unit="%",
            comparator="ge",
            counts="补贴发放及时率",
            kind="percent",
            about=i2,
            section=s2,
        ),
    )
    b.flag(i2, "missing_actual")
    indicator(3, "群众满意度", "beneficiary_satisfaction", "text", "较满意", "满意", "群众满意度\t较满意\t满意", False)

    # prior-audit issues
    def issue(n: int, sec: URIRef, title: str, problem: str, measure: str, effect: str, pattern: str) -> URIRef:
        node = b.local("issue", n)
        b.resource(node, JX.RectificationIssue, *at(title), section=sec)
        add(node, JX.title, Literal(title))
        add(report, JX.rectificationIssue, node)
        parts = {}
        for kind, cls, prop, txt in (
            ("problem", JX.Problem, JX.problem, problem),
            ("measure", JX.Measure, JX.measure, measure),
            ("effect", JX.Effect, JX.effect, effect),
        ):
            part = b.local("issue", n, kind, 1)
            b.resource(part, cls, *at(txt, after=title), section=sec)
            add(part, JX.text, Literal(txt))
            add(node, prop, part)
            parts[kind] = part
        add(parts["problem"], JX.problemPattern, vocab("pattern", pattern))
        add(parts["measure"], JX.addresses, parts["problem"])
        return parts["effect"]

    issue(
        1,
        s31,
        "绩效指标值设置偏低",
        "指标值低于往年实际完成值。",
        "参考历史数据设定指标值。",
        "已完成修订。",
        "target_too_low",
    )
    eff = issue(
        2,
        s32,
        "预算执行进度偏慢",
        "项目资金执行率偏低。",
        "按月通报执行进度。",
        "全年执行率达到 90%。",
        "low_execution",
    )
    b.quantity(
        *at("90%", after="全年执行率达到"),
        value=Decimal(90),
        unit="percent",
        stated_unit="%",
        counts="全年执行率",
        kind="percent",
        about=eff,
        section=s32,
    )

    # identity as read (the department from the title) and two diagnostics: a figure attached to
    # nothing (the 2000 人次 of the work narrative, as if its counted phrase were not found) and one
    # about the whole report
    field = URIRef(iris.identity_field(report, "department"))
    add(field, RDF.type, JX.IdentityField)
    add(report, JX.identityField, field)
    add(field, JX.fieldName, Literal("department"))
    add(field, JX.fieldValue, Literal(DEPT))
    b.sourced(field, *at(DEPT))
    for code, severity, start, zh, en in (
        (
            "figure_unlabelled",
            "warning",
            at("超 2000 人次"),
            "数字“超 2000 人次”未能关联到所计量的对象",
            "the figure “超 2000 人次” is attached to nothing: what it counts was not found",
        ),
        (
            "unknown_form",
            "warning",
            None,
            "未识别报告的版式：没有标题行，也没有封面或表头",
            "the report's form is not recognised: no title line, no cover block or form header",
        ),
    ):
        node = URIRef(iris.diagnostic(report, code, start[0] if start else None))
        add(node, RDF.type, JX.Diagnostic)
        add(report, JX.diagnostic, node)
        add(node, JX.diagnosticCode, Literal(code))
        add(node, JX.severity, vocab("severity", severity))
        add(node, JX.message, Literal(zh, lang="zh"))
        add(node, JX.message, Literal(en, lang="en"))
        if start:
            b.sourced(node, *start)
    return b.g


def main() -> None:
    build().serialize(TTL_FILE, format="turtle")


if __name__ == "__main__":
    main()
