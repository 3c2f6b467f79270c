"""The Hunan 自评表: one grid holding a title row, a budget part, a goals part and an indicator part,
each opened by its own row of column names (sub-headers, ingest.tables), and what ingest makes of the
budget part (BudgetFigures and an execution Rate on the department's spending lines).

Expected values are read off the sample texts by hand (samples/yunxi-agriculture-2023.txt lines 78-99,
and the made-up 白沙县 block below)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from jixiao.ingest.normalise import normalise
from jixiao.ingest.source import read_source
from jixiao.ingest.tables import Table, find_tables
from jixiao.ns import JX, JXV

SAMPLE_GB = Path(__file__).resolve().parents[1] / "samples" / "yunxi-agriculture-2023.txt"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def bare(text: str) -> str:
    """A category cell without its points: "产出指标（50分）" → "产出指标"."""
    return re.sub(r"[（(][^）)]*[）)]", "", squash(text))


def texts(row) -> list[str]:
    return [c.text for c in row.cells]


def after(tables: list[Table], text: str, marker: str) -> list[Table]:
    """The tables after the first occurrence of `marker` in the normalised `text`."""
    pos = text.index(marker)
    return [t for t in tables if t.start > pos]


# ----------------------------------------------------------------------------- the yunxi sample


@pytest.fixture(scope="module")
def yunxi() -> tuple[str, list[Table]]:
    norm = normalise(read_source(SAMPLE_GB).text)
    return norm.text, find_tables(norm)


def test_yunxi_self_evaluation_table_splits_into_its_parts(yunxi) -> None:
    text, tables = yunxi
    assert tables[0].kind == "key_value"  # 一、部门（单位）基本概况
    parts = after(tables, text, "附件：")
    assert [t.kind for t in parts] == ["funding_summary", None, "indicators"]
    budget, goals, indicators = parts
    # the title row | 部门（单位）名称 | 云溪县农业农村局 |||| is the budget part's preamble
    assert [[c.text for c in r.cells if c.text] for r in budget.preamble] == [["部门（单位）名称", "云溪县农业农村局"]]
    assert goals.col("target") == 1 and goals.col("actual") == 5
    assert [squash(c) for c in texts(goals.rows[0]) if c] == [
        "稳定粮食生产，建设高标准农田1.2万亩以上，守住不发生规模性返贫底线",
        "粮食播种面积42.36万亩，建成高标准农田1.26万亩，未发生规模性返贫",
    ]
    # parts follow each other without overlapping, in document order
    assert budget.end < goals.start < goals.end < indicators.start


def test_yunxi_budget_part(yunxi) -> None:
    text, tables = yunxi
    budget = after(tables, text, "附件：")[0]
    assert budget.unit_hint == "万元"
    assert [budget.col(r) for r in ("line", "approved", "adjusted", "executed", "weight", "rate", "score")] == [
        1,
        2,
        3,
        4,
        5,
        6,
        7,
    ]
    assert budget.total_row is not None
    total = [budget.get(budget.total_row, r) for r in ("line", "approved", "adjusted", "executed", "rate")]
    assert total == ["年度资金总额", "2856.40", "3012.75", "2948.32", "97.86%"]
    assert [[budget.get(r, k) for k in ("line", "approved", "adjusted", "executed", "rate")] for r in budget.rows] == [
        ["其中：基本支出", "1402.60", "1418.35", "1418.35", "—"],
        ["项目支出", "1453.80", "1594.40", "1529.97", "—"],
    ]


# (一级指标 without its points, 二级指标, 三级指标, 年度指标值, 实际完成值) of lines 86-98, by hand
YUNXI_INDICATORS = [
    ("产出指标", "数量指标", "高标准农田建设面积", "≥1.2万亩", "1.26万亩"),
    ("产出指标", "数量指标", "耕地地力保护补贴发放面积", "≥28.5万亩", "28.73万亩"),
    ("产出指标", "数量指标", "重大动物疫病强制免疫密度", "≥90%", "96.8%"),
    ("产出指标", "质量指标", "农产品质量安全例行监测合格率", "≥98%", ""),
    ("产出指标", "质量指标", "新建高标准农田验收合格率", "100%", "100%"),
    ("产出指标", "时效指标", "补贴资金兑付及时率", "100%", "100%"),
    ("产出指标", "成本指标", "高标准农田亩均建设成本", "≤3000元/亩", "2860元/亩"),
    ("效益指标", "经济效益指标", "农村居民人均可支配收入增长率", "≥6%", "6.8%"),
    ("效益指标", "社会效益指标", "粮食播种面积", "≥42万亩", "42.36万亩"),
    ("效益指标", "社会效益指标", "脱贫人口返贫致贫户数", "0户", "0户"),
    ("效益指标", "生态效益指标", "化肥农药使用量", "持续减少", "基本实现"),
    ("效益指标", "可持续影响指标", "农业产业可持续发展能力", "稳步增强", "稳步增强"),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%", "94.2%"),
]


def test_yunxi_indicator_part(yunxi) -> None:
    text, tables = yunxi
    ind = after(tables, text, "附件：")[-1]
    # a leading 绩效指标 column is the category column, not the indicator name
    assert ind.columns == ["category", "level1", "level2", "level3", "target", "actual", "weight", "score", "deviation"]
    got = [
        (
            bare(ind.get(r, "level1")),
            ind.get(r, "level2"),
            ind.get(r, "level3"),
            squash(ind.get(r, "target")),
            squash(ind.get(r, "actual")),
        )
        for r in ind.rows
    ]
    assert got == YUNXI_INDICATORS
    # level 1 / level 2 printed only on the first row of their block are inherited, not copied
    assert [bool(r.inherited) for r in ind.rows] == [
        False,
        True,
        True,
        True,
        True,
        True,
        True,
        False,
        True,
        True,
        True,
        True,
        False,
    ]
    missing = ind.rows[3]
    assert missing.cells[ind.col("actual")].text == "" and "inherited" in missing.flags
    assert [ind.get(r, "weight") for r in ind.rows] == [
        "10",
        "5",
        "5",
        "10",
        "5",
        "5",
        "10",
        "10",
        "5",
        "5",
        "5",
        "5",
        "10",
    ]
    assert ind.get(ind.rows[10], "score") == "4"
    assert ind.get(ind.rows[10], "deviation") == "农药使用量基本持平，下一步推广绿色防控技术"
    # | 总分 |||||| 100 | 98.79 || closes the table and is not an indicator
    assert ind.total_row is not None and texts(ind.total_row)[0] == "总分"
    assert [ind.get(ind.total_row, k) for k in ("weight", "score")] == ["100", "98.79"]


# ----------------------------------------------------------------------------- a made-up Hunan block

BAISHA = """2024 年度部门整体支出绩效自评报告

部门（单位）名称（盖章）：白沙县文化旅游广电体育局
预算编码：517003
评价方式：部门自评

一、部门（单位）基本概况

| 部门（单位）名称 | 白沙县文化旅游广电体育局 |||
| 联系人 | 周敏 | 联系电话 | （略） |
| 人员编制 | 31 人 | 实有人数 | 28 人 |

二、一般公共预算支出情况

2024 年部门整体年初预算 1210.00 万元，全年预算 1265.50 万元，实际支出 1240.19 万元，执行率 98.00%。

附件：白沙县文化旅游广电体育局 2024 年度部门整体支出绩效自评表

| 部门（单位）名称 | 白沙县文化旅游广电体育局 ||||||||
| 年度预算申请（万元） || 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 ||
| | 年度资金总额 | 1210.00 | 1265.50 | 1240.19 | 10 | 98.00% | 9.80 ||
| | 其中：基本支出 | 705.00 | 712.30 | 712.30 | — | — | — ||
| | 项目支出 | 505.00 | 553.20 | 527.89 | — | 95.42% | — ||
| 年度总体目标 | 预期目标 |||| 实际完成情况 ||||
| | 开展送戏下乡 120 场，免费开放公共文化场馆 |||| 送戏下乡 126 场，场馆全年免费开放 ||||
| 绩效指标完成情况 ||||||||
| 绩效指标 | 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施 |
| | 产出指标（50分） | 数量指标 | 送戏下乡场次 | ≥120 场 | 126 场 | 20 | 20 | |
| | | | 农家书屋图书补充册数 | ≥6000 册 | | 10 | 8 | 数据尚未汇总 |
| | | 质量指标 | 公共文化场馆免费开放率 | 100% | 100% | 10 | 10 | |
| | | 时效指标 | 补助资金拨付及时率 | 100% | 100% | 10 | 10 | |
| | 效益指标（30分） | 社会效益指标 | 群众文化活动参与人次 | ≥5 万人次 | 5.6 万人次 | 20 | 20 | |
| | | 可持续影响指标 | 公共文化服务体系 | 持续完善 | 持续完善 | 10 | 10 | |
| | 满意度指标（10分） | 服务对象满意度指标 | 群众满意度 | ≥90% | 93% | 10 | 10 | |
| 总分 |||||| 100 | 97.80 ||
"""
BAISHA_INDICATORS = [
    ("产出指标", "数量指标", "送戏下乡场次", "≥120场", "126场"),
    ("产出指标", "数量指标", "农家书屋图书补充册数", "≥6000册", ""),
    ("产出指标", "质量指标", "公共文化场馆免费开放率", "100%", "100%"),
    ("产出指标", "时效指标", "补助资金拨付及时率", "100%", "100%"),
    ("效益指标", "社会效益指标", "群众文化活动参与人次", "≥5万人次", "5.6万人次"),
    ("效益指标", "可持续影响指标", "公共文化服务体系", "持续完善", "持续完善"),
    ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "93%"),
]


def as_tabs(text: str) -> str:
    """The same report with its pipe rows printed tab-separated (cells as the pipe form reads them)."""
    out = []
    for line in text.split("\n"):
        if line.startswith("|"):
            line = "\t".join(c.strip() for c in line.strip()[1:-1].split("|"))
        out.append(line)
    return "\n".join(out)


@pytest.mark.parametrize("form", ["pipe", "tab"])
def test_made_up_hunan_block(form: str) -> None:
    source = BAISHA if form == "pipe" else as_tabs(BAISHA)
    norm = normalise(source)
    tables = find_tables(norm)
    assert [t.form for t in tables] == [form] * 4
    assert tables[0].kind == "key_value"
    budget, goals, ind = after(tables, norm.text, "附件：")
    assert [budget.kind, goals.kind, ind.kind] == ["funding_summary", None, "indicators"]
    assert budget.unit_hint == "万元"
    assert [budget.get(budget.total_row, k) for k in ("line", "executed", "rate")] == [
        "年度资金总额",
        "1240.19",
        "98.00%",
    ]
    assert [budget.get(r, "line") for r in budget.rows] == ["其中：基本支出", "项目支出"]
    assert budget.get(budget.rows[1], "rate") == "95.42%"
    assert len(goals.rows) == 1  # the single-cell title row went to the indicator part
    assert [[c.text for c in r.cells if c.text] for r in ind.preamble] == [["绩效指标完成情况"]]
    got = [
        (
            bare(ind.get(r, "level1")),
            ind.get(r, "level2"),
            ind.get(r, "level3"),
            squash(ind.get(r, "target")),
            squash(ind.get(r, "actual")),
        )
        for r in ind.rows
    ]
    assert got == BAISHA_INDICATORS
    assert ind.get(ind.rows[1], "deviation") == "数据尚未汇总"
    assert ind.total_row is not None and ind.get(ind.total_row, "score") == "97.80"


@pytest.mark.parametrize(
    "row",
    [
        "| 预算金额 | 100 | 执行金额 | 98 |",  # two column names, but half the cells are numbers
        "| 年度主要工作内容 | 全年项目预算执行率达到 95% 以上，实际完成值高于预期目标，群众满意度稳步提升 |",  # prose
        "| | 项目支出 | 505.00 | 553.20 | 527.89 |",  # a data row
    ],
)
def test_rows_that_are_not_sub_headers(row: str) -> None:
    text = "| 项目名称 | 年初预算数 | 全年预算数 | 执行数 |\n| 甲项目 | 10 | 12 | 11 |\n" + row + "\n"
    tables = find_tables(normalise(text))
    assert len(tables) == 1 and len(tables[0].rows) == 2


def test_a_sub_header_ends_the_table_above_it() -> None:
    text = (
        "| 项目名称 | 年初预算数 | 执行数 |\n| 甲项目 | 10 | 9 |\n| 乙项目 | 5 | 5 |\n"
        "| 一级指标 | 二级指标 | 三级指标 | 指标值 | 完成值 |\n"
        "| 产出指标 | 数量指标 | 培训人次 | ≥100人次 | 120人次 |\n"
    )
    first, second = find_tables(normalise(text))
    assert (first.kind, len(first.rows), second.kind, len(second.rows)) == ("project_budget", 2, "indicators", 1)
    assert first.end < second.start


# ----------------------------------------------------------------------------- ingest


OA = "http://www.w3.org/ns/oa#"


def _start(g: Graph, node) -> int:
    """Start offset of a figure's source span (its text position selector)."""
    span = g.value(node, JX.sourceSpan)
    return next(
        int(g.value(sel, URIRef(OA + "start")))
        for sel in g.objects(span, URIRef(OA + "hasSelector"))
        if g.value(sel, URIRef(OA + "start")) is not None
    )


def _kind(g: Graph, line) -> str:
    return str(g.value(line, JX.spendingKind)).rsplit("_", 1)[-1]


def _table_figures(g: Graph, start: int) -> dict[tuple[str, str], list[str]]:
    """BudgetFigures stated after character `start`, by (spending kind, phase) → stated forms."""
    out: dict[tuple[str, str], list[str]] = {}
    for fig in g.subjects(RDF.type, JX.BudgetFigure):
        if _start(g, fig) >= start:
            key = (_kind(g, g.value(fig, JX.budgetLine)), str(g.value(fig, JX.budgetPhase)).rsplit("_", 1)[-1])
            out.setdefault(key, []).append(str(g.value(fig, JX.statedForm)))
    return out


def _table_rates(g: Graph, start: int) -> dict[str, tuple[str, str | None]]:
    """Execution rates stated after character `start`: stated form → (spending kind of the line, stated
    form of the numerator)."""
    out = {}
    for r in g.subjects(JX.rateKind, JXV.rate_execution):
        if _start(g, r) >= start:
            num = g.value(r, JX.numerator)
            out[str(g.value(r, JX.statedForm))] = (
                _kind(g, g.value(r, JX.budgetLine)),
                str(g.value(num, JX.statedForm)) if num is not None else None,
            )
    return out


def test_yunxi_budget_part_becomes_budget_figures_and_a_rate(sample_gb_result) -> None:
    g = sample_gb_result.graph
    text = read_source(SAMPLE_GB).text
    start = text.index("| 年度预算申请")
    figures = _table_figures(g, start)
    assert figures == {
        ("total", "approved"): ["2856.40"],
        ("total", "revised"): ["3012.75"],
        ("total", "executed"): ["2948.32"],
        ("basic", "approved"): ["1402.60"],
        ("basic", "revised"): ["1418.35"],
        ("basic", "executed"): ["1418.35"],
        ("project", "approved"): ["1453.80"],
        ("project", "revised"): ["1594.40"],
        ("project", "executed"): ["1529.97"],
    }
    fig = next(f for f in g.subjects(JX.statedForm, None) if str(g.value(f, JX.statedForm)) == "2856.40")
    assert g.value(fig, JX.normalizedValue).toPython() == Decimal("28564000")
    assert str(g.value(fig, JX.statedUnit)) == "万元"
    assert _table_rates(g, start) == {"97.86%": ("total", "2948.32")}
    assert "—" not in {str(f) for f in g.objects(None, JX.statedForm)}  # placeholders are not figures


def test_yunxi_indicators_are_read(sample_gb_result) -> None:
    g, report = sample_gb_result.graph, sample_gb_result.report
    inds = list(g.objects(report, JX.hasIndicator))
    assert sorted(str(g.value(i, JX.name)) for i in inds) == sorted(x[2] for x in YUNXI_INDICATORS)
    missing = [str(g.value(i, JX.name)) for i in inds if (i, JX.flag, JXV.flag_missing_actual) in g]
    assert missing == ["农产品质量安全例行监测合格率"]
    cats = {str(g.value(i, JX.name)): g.value(i, JX.category) for i in inds}
    assert cats["高标准农田亩均建设成本"] == JXV.ind_cost and cats["农业产业可持续发展能力"] == JXV.ind_sustainability


def test_made_up_hunan_report_ingests(tmp_path: Path) -> None:
    from jixiao.ingest.pipeline import ingest_file

    path = tmp_path / "baisha-culture-2024.txt"
    path.write_text(BAISHA, encoding="utf-8")
    g = ingest_file(path).graph
    start = BAISHA.index("| 年度预算申请")
    figures = _table_figures(g, start)
    assert figures[("project", "executed")] == ["527.89"] and figures[("basic", "revised")] == ["712.30"]
    assert figures[("total", "approved")] == ["1210.00"]
    assert _table_rates(g, start) == {"98.00%": ("total", "1240.19"), "95.42%": ("project", "527.89")}
    assert len(list(g.subjects(RDF.type, JX.Indicator))) == 7
