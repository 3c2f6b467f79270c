"""Figure extraction (ingest.figures): small genre phrases by hand, then the real report."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.ingest.figures import Figure, extract_figures

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
REPORT = CORPUS / "jiangmen-trade-union-2024.txt"


def one(text: str) -> Figure:
    figures = extract_figures(text)
    assert len(figures) == 1, [f.text for f in figures]
    return figures[0]


def check(fig: Figure, **expected) -> None:
    for name, value in expected.items():
        got = getattr(fig, name)
        if name in ("value", "value_max") and value is not None:
            value = Decimal(value)
        assert got == value, f"{name}: {got!r} != {value!r} in {fig.text!r}"


# (phrase, expected fields) — each read off the phrase by hand.
CASES = [
    (
        "服务企业 612 家，",
        dict(
            text="612 家",
            value="612",
            multiplier=1,
            unit="enterprise",
            stated_unit="家",
            qualifier=None,
            counts="服务企业",
            kind="count",
        ),
    ),
    ("新建基层工会 436 家，", dict(value="436", unit="unit_org", counts="新建基层工会")),
    (
        "参与职工 1.2 万人次，",
        dict(
            text="1.2 万人次",
            value="1.2",
            multiplier=10000,
            unit="person_time",
            stated_unit="万人次",
            counts="参与职工",
        ),
    ),
    (
        "金额 812 万余元，",
        dict(
            text="812 万余元",
            value="812",
            multiplier=10000,
            unit="yuan",
            stated_unit="万元",
            qualifier="odd",
            counts="金额",
            kind="amount",
        ),
    ),
    ("参与职工 22 万多人次；", dict(value="22", multiplier=10000, unit="person_time", qualifier="odd")),
    (
        "主题宣传教育活动 260 余场次，",
        dict(text="260 余场次", value="260", unit="session", qualifier="odd", counts="主题宣传教育活动"),
    ),
    ("常态化保持近 2000 人；", dict(text="近 2000 人", value="2000", unit="person", qualifier="nearly")),
    (
        "参与职工超 4 万人（次）；",
        dict(
            text="超 4 万人（次）",
            value="4",
            multiplier=10000,
            unit="person_time",
            stated_unit="万人（次）",
            qualifier="over",
            comparator=None,
        ),
    ),
    ("吸引约 350 名职工群众参加", dict(value="350", unit="person", qualifier="approx", counts="职工群众")),
    ("产生经济效益 9410.5 万元，", dict(value="9410.5", multiplier=10000, unit="yuan", counts="经济效益")),
    ("执行率 92.72%；", dict(value="92.72", unit="percent", stated_unit="%", kind="percent", counts="执行率")),
    ("实现 100%办结", dict(value="100", unit="percent")),
    ("压减率 8.44%。", dict(value="8.44", unit="percent", counts="压减率")),
    (
        "均按上年预算不低于 20% 比例压减",
        dict(text="不低于 20%", value="20", unit="percent", qualifier="at_least", comparator="ge"),
    ),
    (
        "预算内项目 5 万元以上开支事项",
        dict(
            text="5 万元以上",
            value="5",
            multiplier=10000,
            unit="yuan",
            qualifier="at_least",
            comparator="ge",
            counts="预算内项目",
        ),
    ),
    ("可获得最高 21 万元的保障", dict(text="最高 21 万元", value="21", qualifier="at_most", comparator=None)),
    (
        "进行不少于 3 个工作日的公示",
        dict(text="不少于 3 个工作日", value="3", unit="day", qualifier="at_least", comparator="ge", kind="other"),
    ),
    ("标准 3750 元/人。", dict(text="3750 元/人", value="3750", unit="yuan_per_person", kind="amount", counts="标准")),
    ("向 8021 名新业态劳动者赠送", dict(value="8021", unit="person", counts="新业态劳动者")),
    ("对 306 户建档困难职工家庭实施帮扶", dict(value="306", unit="household", counts="建档困难职工家庭")),
    ("种植 1000 余株观赏性林木；", dict(value="1000", unit="tree", qualifier="odd", counts="观赏性林木")),
    ("精选 200 余种特色农副产品", dict(unit="kind", qualifier="odd", counts="特色农副产品")),
    ("组织 34 支劳模工匠服务队，", dict(unit="team", counts="劳模工匠服务队")),
    ("精选乡村振兴示范带等 12 条路线", dict(unit="route", counts="路线")),
    ("289 对牵手成功", dict(unit="pair", counts=None)),
    ("爱心托管班 130 班次，", dict(unit="class_time", counts="爱心托管班")),
    ("发布活动 400 多期", dict(unit="issue", qualifier="odd")),
    ("新建 82 亩劳模工匠林", dict(unit="mu", kind="area", counts="劳模工匠林")),
    ("本部门自评得分 100 分，", dict(unit="point", kind="score", counts="部门自评得分")),
    ("评价总得分 90.5 分，", dict(value="90.5", unit="point")),
    ("开展专项排查 5 次；", dict(unit="times", counts="专项排查")),
    ("接受委托调解案件 1842 件，", dict(unit="case", counts="接受委托调解案件")),
    ("购买消费帮扶产品 18.49 万件", dict(unit="piece", multiplier=10000, counts="购买消费帮扶产品")),
    ("其中 1 个集体获奖", dict(unit="group", counts="集体")),
    ("11 个合作项目", dict(unit="project", counts="合作项目")),
    ("纳入部门预算编制共 2 个单位", dict(unit="unit_org", counts="单位")),
    ("为企业解决技术难题 268 个，", dict(unit="item", counts="解决技术难题")),
    ("发放帮扶金 583 万元。", dict(counts="帮扶金")),
    ("全市各级工会投入经费 306.82 万元，", dict(counts="经费")),
    ("其中新业态劳动者会员 10804 人，", dict(unit="person", counts="新业态劳动者会员")),
    ("“情暖职工春节活动经费”87.03 万元，", dict(value="87.03", counts="情暖职工春节活动经费")),
    ("完成全年预算数的 100%。", dict(unit="percent", counts="全年预算数")),
    ("年终压减项目经费\n\n35.97 万元", dict(value="35.97", counts="压减项目经费")),
    ("金额 142\n\n万余元；", dict(text="142\n\n万余元", value="142", multiplier=10000, unit="yuan", qualifier="odd")),
    ("1655万元", dict(value="1655", multiplier=10000, unit="yuan", stated_unit="万元")),
    ("１２人", dict(value="12", unit="person")),
    ("合计 1,234.50 万元", dict(value="1234.50", multiplier=10000)),
    ("增加 3 个百分点", dict(unit="percentage_point", kind="percent")),
    ("培训时间 3-5 天", dict(text="3-5 天", value="3", value_max="5", unit="day")),
    ("每期 20 至 30 人", dict(value="20", value_max="30", unit="person")),
    ("支出 2.5 亿元", dict(value="2.5", multiplier=100_000_000, unit="yuan", stated_unit="亿元")),
    ("超 4 万", dict(value="4", multiplier=10000, unit=None, stated_unit="万", qualifier="over")),
    (
        "“帮扶困难职工人数 ≥ 80 人”",
        dict(
            text="≥ 80 人", value="80", unit="person", qualifier="at_least", comparator="ge", counts="帮扶困难职工人数"
        ),
    ),
    ("剔除 5 年开展一次的表彰项目", dict(value="5", unit="year", kind="other")),
    ("1 人获“全国五一劳动奖章”", dict(value="1", unit="person")),
    # Chinese numerals
    ("全市七个县（市、区）工会均建成", dict(text="七个", value="7", unit="item", counts="县")),
    ("履行三大职能", dict(text="三大", value="3", unit="other", kind="count", counts="职能")),
    ("统筹发布四大类活动", dict(text="四大类", value="4", unit="kind")),
    ("惠及两万人", dict(value="2", multiplier=10000, unit="person")),
    ("连续两年位居全省第二", dict(text="两年", value="2", unit="year")),
    ("十余个项目", dict(value="10", qualifier="odd", unit="project")),
    ("百分之八十", dict(value="80", unit="percent")),
]


@pytest.mark.parametrize(("phrase", "expected"), CASES, ids=[c[0] for c in CASES])
def test_phrase(phrase, expected):
    check(one(phrase), **expected)


def test_offsets_and_counts_span():
    text = "全年共办理热线 228 件，参与现场处置 122 件"
    a, b = extract_figures(text)
    assert (a.start, a.end, a.text) == (8, 13, "228 件")
    assert text[b.counts_start : b.counts_end] == "参与现场处置"
    assert b.counts == "参与现场处置"


NOT_FIGURES = [
    "2024 年部门整体支出",
    "2024年",
    "编制 2024 年度预算",
    "2023 年 8 月 28 日市总党组会",
    "2023-2025 年",
    "〔2022〕2号",
    "江府〔2022〕12 号",
    "全年共办理 12351 热线",
    "职工通过 12345 热线点名表扬",
    "拨打 12345",
    "第四届职业技能大赛",
    "二十届二中、三中全会",
    "中国工会十八大代表",
    "党的二十大",
    "第 20 次党组会",
    "第一议题",
    "“百千万工程”",
    "“1+6+3”工作安排",
    "省委“1310”具体部署",
    "“爱心 300”助困活动",
    "除“三保”外",
    "“一上”申报",
    "“二上”的通知",
    "一是强化理论武装。二是扛牢思想引领。",
    "全市工会活动一号可查",
    "开展一对一的就业帮扶",
    "开展“一函两书”工作",
    "全市“三支队伍”常态化",
    "“七大行动”",
    "1. 根据党的基本理论",
    "2.围绕中心服务大局",
    "(1) 开展工会服务",
    "（2）切实维护职工群众合法权益",
    "3.1.2 成本管控",
    "5G 基站",
    "十分重要",
    "再造一个现代化江门",
    "建设一支技术工人队伍",
    "4 个一级项目",  # one figure (4), and 一级 is not one
    "电话 0750-3502345",
    "2024-12-31",
    "《江门市本级 2024 年压减支出 3 项方案》",
]


@pytest.mark.parametrize("text", NOT_FIGURES)
def test_not_figures(text):
    values = [f.text for f in extract_figures(text)]
    assert values == (["4 个"] if text.startswith("4 个") else [])


def test_segmenter_argument_and_determinism():
    from jixiao.ingest.segment import get_segmenter

    text = "开展困难职工帮扶救助，帮扶 1952 人次，发放帮扶金 583 万元"
    assert extract_figures(text, get_segmenter()) == extract_figures(text)


# -- the real report ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report_figures() -> tuple[str, list[Figure]]:
    text = REPORT.read_text(encoding="utf-8")
    return text, extract_figures(text)


def find(figures: list[Figure], text: str, nth: int = 0) -> Figure:
    hits = [f for f in figures if f.text == text]
    assert len(hits) > nth, (text, [f.text for f in figures if text.split()[0] in f.text])
    return hits[nth]


# (surface, occurrence, expected) — hand-checked against the report.
REPORT_CASES = [
    ("36 次", 0, dict(value="36", unit="times", counts="集中学习")),
    ("1.2 万人次", 0, dict(value="1.2", multiplier=10000, unit="person_time", counts="参与职工")),
    ("22 万多人次", 0, dict(value="22", multiplier=10000, qualifier="odd", counts="参与职工")),
    ("612 家", 0, dict(unit="enterprise", counts="服务企业")),
    ("268 个", 0, dict(unit="item", counts="解决技术难题")),
    ("9410.5 万元", 0, dict(value="9410.5", multiplier=10000, unit="yuan")),
    ("812 万余元", 0, dict(value="812", qualifier="odd", counts="金额")),
    ("142\n\n万余元", 0, dict(value="142", multiplier=10000, unit="yuan", qualifier="odd")),
    ("超 4 万人（次）", 0, dict(value="4", multiplier=10000, unit="person_time", qualifier="over")),
    ("500 名", 0, dict(unit="person", counts="产业工人")),
    ("1000 余株", 0, dict(unit="tree", qualifier="odd", counts="观赏性林木")),
    ("669.76 亩", 0, dict(value="669.76", unit="mu", kind="area", counts="新建工会绿化阵地")),
    ("30597 棵", 0, dict(unit="tree", counts="植树")),
    ("436 家", 0, dict(unit="unit_org", counts="新建基层工会")),
    ("46784 人", 0, dict(unit="person", counts="新发展会员")),
    ("10804 人", 0, dict(unit="person", counts="新业态劳动者会员")),
    ("近 2000 人", 0, dict(value="2000", qualifier="nearly", unit="person")),
    ("6234 万余元", 0, dict(value="6234", qualifier="odd", multiplier=10000, counts="追回薪酬待遇")),
    ("8021 名", 0, dict(unit="person", counts="新业态劳动者")),
    ("5292 名", 0, dict(unit="person", counts="患病职工")),
    ("1655 万元", 0, dict(value="1655", multiplier=10000, unit="yuan", counts="部门整体支出")),
    ("76.39%", 0, dict(value="76.39", unit="percent")),
    ("13.00", 0, dict(unit="yuan", multiplier=10000, stated_unit="万元", counts="2024年省级困难职工帮扶专项经费")),
    ("8.54", 0, dict(unit="yuan", multiplier=10000, counts="市直离退休劳动模范荣誉津贴")),
    ("372.51", 0, dict(counts="合计")),
    ("≥10 个", 0, dict(value="10", qualifier="at_least", comparator="ge", counts="组织技能竞赛的行业（工种）数量")),
    ("11 个", 1, dict(value="11", comparator=None, counts="组织技能竞赛的行业（工种）数量")),
    ("≥24000 人次", 0, dict(value="24000", unit="person_time", comparator="ge", counts="服务职工群众人次")),
    ("≥80%", 1, dict(value="80", unit="percent", comparator="ge", counts="人员满意度")),
    ("0", 0, dict(value="0", unit=None, counts="推荐对象公示期内收到投诉数量")),
    ("约 350 名", 0, dict(qualifier="approx", counts="职工群众")),
    ("306 户", 0, dict(unit="household", counts="建档困难职工家庭")),
    ("372.81 万元", 0, dict(value="372.81", counts="项目经费实际支出")),
    ("92.72%", 0, dict(counts="执行率")),
    ("51.43 万元", 0, dict(counts="提高产业工人整体素质和维权项目资金")),
    ("5 万元以上", 0, dict(qualifier="at_least", comparator="ge")),
    ("90.5 分", 0, dict(value="90.5", unit="point", kind="score")),
    ("20.173 万元", 0, dict(value="20.173", multiplier=10000)),
    ("最高 21 万元", 0, dict(qualifier="at_most")),
    ("不\n\n少于 3 个工作日", 0, dict(value="3", unit="day", qualifier="at_least", comparator="ge")),
    ("25 人", 0, dict(counts="帮扶困难职工人数")),
    ("≥ 3 场", 0, dict(value="3", unit="session", comparator="ge", counts="劳模事迹宣讲")),
    ("150% 以上", 0, dict(value="150", qualifier="at_least")),
    ("3750 元/人", 0, dict(unit="yuan_per_person")),
    ("七个", 0, dict(value="7", unit="item")),
    ("四大类", 0, dict(value="4", unit="kind")),
]


@pytest.mark.parametrize(("surface", "nth", "expected"), REPORT_CASES, ids=[c[0] for c in REPORT_CASES])
def test_report_figure(report_figures, surface, nth, expected):
    check(find(report_figures[1], surface, nth), **expected)


def test_report_offsets(report_figures):
    text, figures = report_figures
    assert all(text[f.start : f.end] == f.text for f in figures)
    assert all(f.counts is None or text[f.counts_start : f.counts_end].split() for f in figures)
    assert [f.start for f in figures] == sorted(f.start for f in figures)


def test_report_has_no_years_hotlines_names_or_list_numbers(report_figures):
    _, figures = report_figures
    surfaces = [f.text for f in figures]
    for f in figures:
        assert not re.fullmatch(r"20\d\d", str(f.value)) or f.unit is not None, f.text
    for bad in ("12351", "12345", "1310", "300", "20", "28", "8"):
        assert bad not in surfaces, bad
    chinese = [s for s in surfaces if not re.search(r"\d", s)]
    assert sorted(chinese) == sorted(["四大类", "三大", "七个", "两年"])


def test_report_without_spaces_gives_the_same_figures(report_figures):
    text, figures = report_figures
    squeezed = re.sub(r"(?<=[\d%])[ ]+(?=[\u4e00-\u9fff%])|(?<=≥)[ ]+", "", text)
    again = extract_figures(squeezed)
    key = [(f.value, f.multiplier, f.unit, f.qualifier, f.comparator, f.counts) for f in figures]
    assert key == [(f.value, f.multiplier, f.unit, f.qualifier, f.comparator, f.counts) for f in again]


def test_table_cells_take_the_header_unit_and_the_row_name():
    text = "项目名称\t预算数（万元）\t执行数（万元）\t受益人数(人)\n培训经费\t12.5\t10.00\t300\n合计\t12.5\t10.00\t\n"
    figures = extract_figures(text)
    assert [(f.text, f.unit, f.multiplier, f.stated_unit, f.counts) for f in figures] == [
        ("12.5", "yuan", 10000, "万元", "培训经费"),
        ("10.00", "yuan", 10000, "万元", "培训经费"),
        ("300", "person", 1, "人", "培训经费"),
        ("12.5", "yuan", 10000, "万元", "合计"),
        ("10.00", "yuan", 10000, "万元", "合计"),
    ]


def test_indicator_row_target_and_actual():
    text = "产出指标\t数量指标\t开展职工培训人次\t≥1000 人次\t1194 人次\n"
    target, actual = extract_figures(text)
    check(
        target,
        text="≥1000 人次",
        value="1000",
        unit="person_time",
        qualifier="at_least",
        comparator="ge",
        counts="开展职工培训人次",
    )
    check(actual, text="1194 人次", value="1194", qualifier=None, comparator=None, counts="开展职工培训人次")


def test_both_segmenter_engines_give_the_same_figures(report_figures, tmp_path):
    from jixiao.ingest.segment import Segmenter

    text, figures = report_figures
    assert extract_figures(text, Segmenter(cache_dir=tmp_path, engine="jieba")) == figures
