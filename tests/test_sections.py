"""jixiao.ingest.sections and ingest.sentences: headings, tree, roles, blocks; the real report's structure."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from jixiao.ingest.lines import match_number
from jixiao.ingest.normalise import Normalised, normalise
from jixiao.ingest.numerals import ordinal_number
from jixiao.ingest.sections import Section, heading_role, parse_sections, split_heading
from jixiao.ingest.sentences import split_enumeration, split_sentences
from jixiao.ingest.source import read_source

REPORT = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "jiangmen-trade-union-2024.txt"


def walk(section: Section) -> list[Section]:
    """This section and all its descendants, in document order."""
    out = [section]
    for child in section.children:
        out.extend(walk(child))
    return out


def find(section: Section, role: str) -> list[Section]:
    """Descendants (the section included) having `role` among their roles, in document order."""
    return [s for s in walk(section) if role in s.roles or s.role == role]


def parse(text: str) -> tuple[Normalised, Section]:
    norm = normalise(text)
    return norm, parse_sections(norm)


def outline(section: Section) -> list[tuple[int, str, str, str | None]]:
    return [(s.level, s.number, s.title, s.role) for s in walk(section)[1:]]


def check_invariants(norm: Normalised, root: Section) -> None:
    """Block texts are the text at their spans; headings and blocks never overlap."""
    spans = []
    for s in walk(root):
        if s.level > 0 and s.role != "cover":
            assert s.start == s.heading_start <= s.heading_end <= s.end
            spans.append((s.heading_start, s.heading_end))
            assert s.number in norm.text[s.heading_start : s.heading_end]
        for b in s.blocks:
            assert norm.text[b.start : b.end] == b.text
            assert b.kind == "table" or "\t" not in b.text
            spans.append((b.start, b.end))
        for c in s.children:
            assert s.start <= c.start and c.end <= s.end
    spans.sort()
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


# ----------------------------------------------------------------------------- numbers and titles


@pytest.mark.parametrize(
    ("line", "level", "number", "ordinal"),
    [
        ("一、部门基本情况", 1, "一、", 1),
        ("十二、附件", 1, "十二、", 12),
        ("第二部分 绩效分析", 1, "第二部分", 2),
        ("(一) 部门概况", 2, "(一)", 1),
        ("（三）部门整体支出情况", 2, "（三）", 3),
        ("1. 根据有关规定", 3, "1.", 1),
        ("2.围绕中心服务大局", 3, "2.", 2),
        ("3、负责防汛工作", 3, "3、", 3),
        ("12．推动改革", 3, "12．", 12),
        ("(1) 投入成本合理", 4, "(1)", 1),
        ("（3）预算执行效果良好", 4, "（3）", 3),
        ("②加强管理", 5, "②", 2),
    ],
)
def test_heading_numbers(line: str, level: int, number: str, ordinal: int) -> None:
    m = match_number(line)
    assert m is not None
    assert (m.level, m.number, m.ordinal) == (level, number, ordinal)


@pytest.mark.parametrize(
    "line",
    [
        "2024年部门整体支出1655万元",
        "1.2万人次参与",
        "2、3月份完成验收",
        "35.97万元，其中",
        "一是强化理论武装",
        "(2024)年度",
        "100%完成",
    ],
)
def test_not_heading_numbers(line: str) -> None:
    assert match_number(line) is None


def test_title_split_at_full_stop_or_short_label() -> None:
    line = "(1) 投入成本合理。一是测算科学。"
    s, e, body = split_heading(line, match_number(line))
    assert (line[s:e], line[body:]) == ("投入成本合理", "一是测算科学。")
    line = "1. 存在问题：部分项目资金拨付滞后。"
    s, e, body = split_heading(line, match_number(line))
    assert (line[s:e], line[body:]) == ("存在问题", "部分项目资金拨付滞后。")
    line = "2. 下一步改进措施"
    s, e, body = split_heading(line, match_number(line))
    assert (line[s:e], body) == ("下一步改进措施", len(line))


def test_ordinal_number() -> None:
    assert [ordinal_number(x) for x in ("一", "十", "十二", "二十", "九十九", "两", "x", "")] == [
        1,
        10,
        12,
        20,
        99,
        2,
        None,
        None,
    ]


# ----------------------------------------------------------------------------- a Guangdong-form sample

GUANGDONG = """溪岚市水务局2023年度部门整体支出绩效自评报告

一、部门基本情况

（一）部门概况

溪岚市水务局是市政府工作部门。其主要职责是：

1. 贯彻执行国家水利工作方针政策，拟订全市水利发展规划。

2.负责保障水资源的合理开发利用。

3、负责水旱灾害防御工作。

（二）机构设置及人员情况

本局内设机构 6 个，编制 45 人。

（三）年度总体工作和重点工作任务完成情况

全年完成河道整治 12 公里。一是加强巡查。二是强化维护。

（四）部门整体支出绩效目标

（五）部门整体支出情况

2023 年部门整体支出 860.5 万元。

项目名称\t年初预算数\t执行数
河道整治\t100\t90
合计\t100\t90

二、绩效自评情况

（一）自评结论

自评得分 92 分。

（二）履职效能分析

（三）管理效率分析

1．预算编制情况

(1) 测算依据充分。按标准测算。

（2）严控成本

2. 目标设置情况

3. 成本管控情况

4. 预算执行情况

5. 绩效管理情况

6. 信息公开情况

（四）存在问题和改进措施

1. 存在问题

2. 改进措施

三、其他自评情况

四、上年度绩效自评或财政重点绩效评价整改情况

（一）预算执行进度偏慢，资金使用效益不高

1. 存在问题：部分项目资金拨付滞后。

2. 整改措施：建立月度调度机制。

3. 整改效果：执行率提高到 95%。
"""


def test_guangdong_outline_and_roles() -> None:
    norm, root = parse(GUANGDONG)
    assert root.level == 0 and root.title == "溪岚市水务局2023年度部门整体支出绩效自评报告"
    assert outline(root) == [
        (1, "一、", "部门基本情况", "basic_info"),
        (2, "（一）", "部门概况", "duties"),
        (3, "1.", "贯彻执行国家水利工作方针政策，拟订全市水利发展规划", None),
        (3, "2.", "负责保障水资源的合理开发利用", None),
        (3, "3、", "负责水旱灾害防御工作", None),
        (2, "（二）", "机构设置及人员情况", "org_staff"),
        (2, "（三）", "年度总体工作和重点工作任务完成情况", "annual_work"),
        (2, "（四）", "部门整体支出绩效目标", "goals"),
        (2, "（五）", "部门整体支出情况", "spending"),
        (1, "二、", "绩效自评情况", "self_evaluation"),
        (2, "（一）", "自评结论", "conclusion"),
        (2, "（二）", "履职效能分析", "indicator_analysis"),
        (2, "（三）", "管理效率分析", "management_efficiency"),
        (3, "1．", "预算编制情况", "budget_preparation"),
        (4, "(1)", "测算依据充分", None),
        (4, "（2）", "严控成本", None),
        (3, "2.", "目标设置情况", "target_setting"),
        (3, "3.", "成本管控情况", "cost_control"),
        (3, "4.", "预算执行情况", "budget_execution"),
        (3, "5.", "绩效管理情况", "performance_management"),
        (3, "6.", "信息公开情况", "disclosure"),
        (2, "（四）", "存在问题和改进措施", "problems_measures"),
        (3, "1.", "存在问题", "problems"),
        (3, "2.", "改进措施", "measures"),
        (1, "三、", "其他自评情况", "other"),
        (1, "四、", "上年度绩效自评或财政重点绩效评价整改情况", "prior_rectification"),
        (2, "（一）", "预算执行进度偏慢，资金使用效益不高", "rectification_issue"),
        (3, "1.", "存在问题", "issue_problem"),
        (3, "2.", "整改措施", "issue_measure"),
        (3, "3.", "整改效果", "issue_effect"),
    ]
    check_invariants(norm, root)


def test_duties_from_the_list_intro_keep_the_heading_role() -> None:
    _, root = parse(GUANGDONG)
    (duties,) = find(root, "duties")
    assert duties.roles == ["overview", "duties"]
    assert [c.ordinal for c in duties.children] == [1, 2, 3]


def test_duties_from_the_heading() -> None:
    text = "一、部门基本情况\n\n（一）部门职能\n\n1. 负责全县水利工作。\n\n2. 负责防汛抗旱工作。\n"
    _, root = parse(text)
    (duties,) = find(root, "duties")
    assert duties.title == "部门职能" and len(duties.children) == 2


def test_a_list_without_duty_intro_is_not_duties() -> None:
    text = "（一）部门概况\n\n本局共有三个下属单位，分别是：\n\n1. 水文站。\n\n2. 水利服务中心。\n"
    _, root = parse(text)
    assert find(root, "duties") == []
    assert root.children[0].role == "overview"


def test_blocks_paragraph_body_on_the_heading_line_and_table() -> None:
    norm, root = parse(GUANGDONG)
    (spending,) = find(root, "spending")
    assert [b.kind for b in spending.blocks] == ["para", "table"]
    assert spending.blocks[0].text == "2023年部门整体支出860.5万元。"
    table = spending.blocks[1].table
    assert table is not None and table.kind == "project_budget"
    (cost,) = [s for s in walk(root) if s.title == "测算依据充分"]
    assert [b.text for b in cost.blocks] == ["按标准测算。"]
    assert norm.text[cost.heading_start : cost.heading_end] == "(1) 测算依据充分。"
    issues = find(root, "issue_problem") + find(root, "issue_measure") + find(root, "issue_effect")
    assert [s.blocks[0].text for s in issues] == ["部分项目资金拨付滞后。", "建立月度调度机制。", "执行率提高到95%。"]


def test_enumeration_stays_inside_its_paragraph() -> None:
    _, root = parse(GUANGDONG)
    (work,) = find(root, "annual_work")
    assert work.children == []
    para = work.blocks[0]
    items = split_enumeration(para.text, para.start)
    assert [(o, para.text[s - para.start : e - para.start]) for o, s, e in items] == [
        (1, "一是加强巡查。"),
        (2, "二是强化维护。"),
    ]


# ----------------------------------------------------------------------------- other forms


def test_hunan_form_with_cover() -> None:
    text = (
        "湘岚市文化旅游局2023年度部门整体支出绩效自评报告\n"
        "部门（单位）名称：湘岚市文化旅游局\n"
        "预算编码：201001\n"
        "评价方式：单位自评\n"
        "报告日期：2024年3月15日\n"
        "湘岚市财政局（制）\n\n"
        "一、自评得分情况\n\n本部门自评得分95分。\n\n"
        "二、部门（单位）基本概况\n\n"
        "联系人\t李某\t联系电话\t0000000\n"
        "人员编制\t30\t实有人数\t28\n\n"
        "三、一般公共预算支出情况\n\n（一）基本支出\n\n（二）项目支出\n"
    )
    norm, root = parse(text)
    assert root.title.startswith("湘岚市文化旅游局")
    cover = root.children[0]
    assert cover.role == "cover" and len(cover.blocks) == 5
    assert cover.blocks[1].text == "预算编码：201001"
    assert [(s.number, s.role) for s in root.children[1:]] == [
        ("一、", "score"),
        ("二、", "basic_info"),
        ("三、", "spending"),
    ]
    kv = root.children[2].blocks[0]
    assert kv.kind == "table" and kv.table is not None and kv.table.kind == "key_value"
    check_invariants(norm, root)


def test_mof_transfer_form() -> None:
    text = (
        "2023年度中央对地方转移支付区域绩效自评报告\n\n"
        "一、绩效目标分解下达情况\n\n二、绩效情况分析\n\n（一）资金投入情况\n\n（二）总体目标完成情况\n\n"
        "（三）绩效指标完成情况\n\n1. 产出指标完成情况\n\n2. 效益指标完成情况\n\n"
        "三、偏离绩效目标的原因和下一步改进措施\n\n四、自评结果拟应用和公开情况\n\n五、其他需要说明的问题\n"
    )
    _, root = parse(text)
    assert [(s.number, s.role) for s in walk(root)[1:]] == [
        ("一、", "goals"),
        ("二、", "self_evaluation"),
        ("（一）", "spending"),
        ("（二）", "annual_work"),
        ("（三）", "indicator_analysis"),
        ("1.", None),  # an indicator_analysis inside indicator_analysis: no repeated role
        ("2.", None),
        ("三、", "problems_measures"),
        ("四、", "disclosure"),
        ("五、", "other"),
    ]


def test_project_narrative_form() -> None:
    text = (
        "防汛物资储备项目支出绩效自评报告\n\n一、自评结论\n\n（一）自评得分\n\n（二）绩效目标完成情况\n\n"
        "二、基本情况\n\n（一）项目概况\n\n（二）立项背景\n\n三、经验、问题和建议\n"
    )
    _, root = parse(text)
    assert [s.role for s in walk(root)[1:]] == [
        "conclusion",
        "score",
        "indicator_analysis",
        "basic_info",
        "overview",
        "overview",
        "problems_measures",
    ]


@pytest.mark.parametrize(
    ("title", "parent", "role"),
    [
        ("部门（单位）基本概况", None, "basic_info"),
        ("设置机构及人员情况", "basic_info", "org_staff"),
        ("就部门整体支出绩效管理存在问题提出改进措施", "self_evaluation", "problems_measures"),
        ("绩效指标值设置过低，部分指标缺乏挑战性", "prior_rectification", "rectification_issue"),
        ("存在问题", "rectification_issue", "issue_problem"),
        ("存在问题", "problems_measures", "problems"),
        ("存在问题", None, "problems"),
        ("整改情况", "rectification_issue", "issue_effect"),
        ("预算执行效果良好", "budget_execution", None),  # sub-items of a leaf role take none
    ],
)
def test_heading_roles(title: str, parent: str | None, role: str | None) -> None:
    assert heading_role(title, parent, [parent] if parent else []) == role


def test_plain_heading_and_hard_wrapped_paragraph() -> None:
    text = "某项目绩效评价报告\n\n摘要\n\n本次评价采用定量与定性相结合的方法，\n对项目资金使用情况进行了全面评价。\n"
    norm, root = parse(text)
    (summary,) = root.children
    assert (summary.number, summary.title, summary.level) == ("", "摘要", 1)
    assert [b.text for b in summary.blocks] == [
        "本次评价采用定量与定性相结合的方法，\n对项目资金使用情况进行了全面评价。"
    ]
    check_invariants(norm, root)


# ----------------------------------------------------------------------------- sentences


def test_split_sentences() -> None:
    text = "第一句。第二句！他说：“已完成。”第三句；\n第四句\n\n  第五句？"
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "第一句。",
        "第二句！",
        "他说：“已完成。”",
        "第三句；",
        "第四句",
        "第五句？",
    ]
    assert split_sentences("甲。乙", base=10) == [(10, 12), (12, 13)]


def test_split_enumeration_needs_order_and_a_boundary() -> None:
    text = "主要做法：一是加强领导，统一是非标准。三是跳过。二是完善制度。三是强化考核。"
    items = split_enumeration(text, base=5)
    assert [(o, text[s - 5 : e - 5]) for o, s, e in items] == [
        (1, "一是加强领导，统一是非标准。三是跳过。"),  # 统一是 is not 一是; 三是 before 二是 is not an item
        (2, "二是完善制度。"),
        (3, "三是强化考核。"),
    ]
    assert split_enumeration("没有列举的句子。") == []


# ----------------------------------------------------------------------------- the real report


@pytest.fixture(scope="module")
def real() -> tuple[Normalised, Section]:
    return parse(read_source(REPORT).text)


def test_real_report_invariants(real: tuple[Normalised, Section]) -> None:
    check_invariants(*real)


def test_real_report_outline(real: tuple[Normalised, Section]) -> None:
    # Headings read off the file by hand (lines 5-248).
    _, root = real
    assert root.title == "江门市总工会整体支出绩效评价自评报告"
    assert [(s.number, s.role) for s in root.children] == [
        ("一、", "basic_info"),
        ("二、", "self_evaluation"),
        ("三、", "other"),
        ("四、", "prior_rectification"),
    ]
    first, second, _, fourth = root.children
    assert [(s.number, s.role) for s in first.children] == [
        ("(一)", "duties"),
        ("（二）", "annual_work"),
        ("（三）", "goals"),
        ("（四）", "spending"),
    ]
    assert [(s.number, s.role) for s in second.children] == [
        ("（一）", "conclusion"),
        ("（二）", "indicator_analysis"),
        ("（三）", "management_efficiency"),
        ("（四）", "problems_measures"),
    ]
    assert [s.role for s in second.children[2].children] == [
        "budget_preparation",
        "target_setting",
        "cost_control",
        "budget_execution",
        "performance_management",
        "disclosure",
    ]
    assert [s.role for s in second.children[3].children] == ["problems", "measures"]
    assert [s.role for s in fourth.children] == ["rectification_issue"] * 3
    for issue in fourth.children:
        assert [s.role for s in issue.children] == ["issue_problem", "issue_measure", "issue_effect"]
    problem = fourth.children[0].children[0]
    assert problem.title == "存在问题"
    assert problem.blocks[0].text.startswith("一是帮扶机制不够多样化。")
    # "2.围绕中心服务大局…" (line 53, no space after the number) with (1) (2) (3) below it
    work = first.children[1].children[1]
    assert (work.number, work.level, [c.number for c in work.children]) == ("2.", 3, ["(1)", "（2）", "（3）"])
    # a paragraph that starts with a year is not a heading
    assert not any(s.title.startswith("2024") for s in walk(root))


def test_real_report_has_13_duties(real: tuple[Normalised, Section]) -> None:
    # (一) 部门概况 ends its first paragraph with 其主要职责是： and lists 13 duties (lines 11-39),
    # two of them broken by a page (lines 15/17 and 31/33).
    _, root = real
    (duties,) = find(root, "duties")
    assert duties.title == "部门概况"
    assert duties.roles == ["overview", "duties"]
    assert [c.ordinal for c in duties.children] == list(range(1, 14))
    assert all(c.level == 3 and c.children == [] for c in duties.children)
    third = duties.children[2]
    assert "并提出意见和建议" in third.title
    assert duties.children[12].title == "承办市委、市政府和省总工会交办的其他事项"


def test_real_report_tables_are_blocks_not_paragraphs(real: tuple[Normalised, Section]) -> None:
    _, root = real
    tables = [(s.role, b.table.kind) for s in walk(root) for b in s.blocks if b.kind == "table" and b.table]
    assert tables == [("spending", "project_budget"), ("indicator_analysis", "indicators")]
    (analysis,) = find(root, "indicator_analysis")
    assert analysis.blocks[0].kind == "table"
    assert analysis.blocks[1].text.startswith("2024年江门市总工会围绕核心职能")
