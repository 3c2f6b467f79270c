"""Column context of bare numbers in forms the table reader does not parse (ingest/columns.py), on
fictional forms written in the layouts of forms/ (invented departments and figures)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from jixiao.ingest.columns import column_cells
from jixiao.ingest.pipeline import ingest_source
from jixiao.ingest.source import SourceText

# what a user gives (jixiao ingest --department/--year/--kind) for a fictional form that does not state
# them: the reader refuses such a text otherwise
SUPPLIED = {"department": "某县测试局", "year": "2023", "kind": "project"}

# space-separated cells (the Anhui 项目支出绩效自评表 flattened by a web page)
SPACED = """青石县林业局林区防火巡护经费项目支出绩效自评表
    (2023年度)
    项目名称 林区防火巡护经费
    主管部门 青石县林业局 实施单位 青石县林业局
    项目资金
    (万元)
    年初预算数 全年预算数(A) 全年执行数(B) 分值 执行率(B/A) 得分
    年度资金总额: 150 142.5 138.2 10 97% 9.7
     其中:本年财政拨款 150 142.5 138.2
    年度绩效指标完成情况 一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施
    产出指标 数量指标 巡护里程 ≥1200公里 1350公里 20 20
    质量指标 火情处置及时率 100% 100% 15 14
"""

# one cell per line, blank lines between, column names broken over two lines
PER_LINE = """项目资金
(万元)

年初
预算数

全年
预算数

全年
执行数

分值

执行率

得分

年度资金总额

64

60

58.5

10

97.5%

9
"""

# pipe cells from an HTML page: a caption cell over the money columns, 指标性质 and 度量单位 columns
PIPES = """预算执行情况(10分) | 年度预算数(元) | 年初预算 | 调整后预算数 | 预算执行数 | 预算执行率 | 权重 | 得分 |
总额 | 52000 | 48000 | 47000 | 97.92% | 10 | 9 |
绩效指标(90分) | 一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位 | 完成值 | 权重 | 得分 |
产出指标 | 数量指标 | 发放宣传册 | ≥ | 2000 | 册 | 2150 | 20 | 20 |
"""


def _cells(text: str) -> dict[str, tuple[str, str, int, str, str | None]]:
    """Each number cell found, by `text[start:end]#k` (k-th occurrence): role, unit, multiplier, counts, comparator."""
    out, seen = {}, {}
    for (s, e), c in sorted(column_cells(text).items()):
        if c.role == "index":
            continue  # row and column numbers: test_row_numbers_are_not_figures
        key = text[s:e]
        seen[key] = seen.get(key, 0) + 1
        out[f"{key}#{seen[key]}"] = (c.role, c.unit, c.multiplier, c.counts, c.comparator)
    return out


def test_space_separated_budget_and_indicator_rows() -> None:
    got = _cells(SPACED)
    assert got["150#1"] == ("approved", "yuan", 10000, "年度资金总额 年初预算数", None)
    assert got["142.5#1"][:3] == ("adjusted", "yuan", 10000)
    assert got["138.2#1"][:3] == ("executed", "yuan", 10000)
    assert got["10#1"][:3] == ("weight", "point", 1)
    assert got["9.7#1"][:3] == ("score", "point", 1)
    # a 其中 row leaves 分值, 执行率 and 得分 empty: its three amounts are the three money columns
    assert got["150#2"][:4] == ("approved", "yuan", 10000, "其中:本年财政拨款 年初预算数")
    assert got["138.2#2"][:3] == ("executed", "yuan", 10000)
    # an indicator row: targets with their own units stay theirs; weight and score count the indicator
    assert got["20#1"] == ("weight", "point", 1, "巡护里程 分值", None)
    assert got["20#2"] == ("score", "point", 1, "巡护里程 得分", None)
    assert got["14#1"][:4] == ("score", "point", 1, "火情处置及时率 得分")
    assert "97%#1" not in got and "1350#1" not in got  # figures with their own unit are not column cells


def test_one_cell_per_line_with_broken_column_names() -> None:
    got = _cells(PER_LINE)
    assert got["64#1"][:3] == ("approved", "yuan", 10000)
    assert got["60#1"][:3] == ("adjusted", "yuan", 10000)
    assert got["58.5#1"][:3] == ("executed", "yuan", 10000)
    assert got["10#1"][:3] == ("weight", "point", 1)
    assert got["9#1"][:3] == ("score", "point", 1)


def test_pipe_cells_caption_unit_and_unit_column() -> None:
    got = _cells(PIPES)
    # 年度预算数(元) is the caption of the money columns, in 元 (multiplier 1), not a column of its own
    assert got["52000#1"][:3] == ("approved", "yuan", 1)
    assert got["48000#1"][:3] == ("adjusted", "yuan", 1)
    assert got["47000#1"][:3] == ("executed", "yuan", 1)
    assert got["10#1"][:3] == ("weight", "point", 1)
    # the number before a 度量单位 cell is the target, in that unit, with the 指标性质 sign
    assert got["2000#1"] == ("target", "copy", 1, "发放宣传册", "ge")
    assert got["20#2"][:4] == ("score", "point", 1, "发放宣传册 得分")


def test_no_header_or_no_unit_leaves_numbers_bare() -> None:
    assert column_cells("今年开展活动 12 次,覆盖 3 个乡镇。\n1 2 3\n") == {}
    # money columns with no unit stated anywhere: the amounts stay bare, weights still take points
    got = _cells("年初预算数 全年预算数 全年执行数 分值 执行率 得分\n资金总额 80 80 79 10 98.75% 9\n")
    assert "80#1" not in got and "79#1" not in got
    assert got["10#1"][:3] == ("weight", "point", 1)
    # more numbers than number columns: not this header's row
    assert _cells("分值 得分\n合计 1 2 3\n") == {}


def test_ingested_form_figures_carry_column_units() -> None:
    """End to end: a form that is nothing but a flattened table is read, its cells with their units."""
    src = SourceText(path=Path("fictional-form.txt"), text=SPACED, encoding="utf-8", sha256="1" * 64)
    figures = {(SPACED[q.span[0] : q.span[1]], q.span[0]): q for q in ingest_source(src).records.figures}
    first = min((f for (t, _s), f in figures.items() if t == "150"), key=lambda f: f.span[0])
    assert (first.value, first.multiplier, first.unit) == (Decimal("150"), 10000, "yuan")
    assert first.counts == "年度资金总额 年初预算数"
    score = next(f for (t, _s), f in figures.items() if t == "9.7")
    assert (score.unit, score.kind) == ("point", "score")
    target = next(f for (t, _s), f in figures.items() if t == "≥1200公里")
    assert (target.unit, target.comparator) == ("km", "ge")


# one cell per pipe line (an HTML table flattened): a key/value block and an income table whose
# columns name no budget phase, the unit in the table's title, a 其中: inside the header
KEY_VALUE = """人员编制 |
9 |
实有人数 |
8 |
|||||||
年度收入情况(万元) |
||||||||
机构名称 |
收入合计 |
其中: |
上年结转 |
公共财 政拨款 |
其他 收入 |
|||||
青石县档案馆 |
88.5 |
2 |
80 |
6.5 |
栏次 | 1 | 栏次 | 2 |
"""


def test_key_value_cells_and_an_income_table() -> None:
    got = _cells(KEY_VALUE)
    assert got["9#1"] == ("key", "person", 1, "人员编制", None)
    assert got["8#1"] == ("key", "person", 1, "实有人数", None)
    assert got["88.5#1"] == ("amount", "yuan", 10000, "青石县档案馆 收入合计", None)
    assert got["2#1"][:4] == ("amount", "yuan", 10000, "青石县档案馆 上年结转")
    assert got["80#1"][:4] == ("amount", "yuan", 10000, "青石县档案馆 公共财政拨款")
    assert got["6.5#1"][:4] == ("amount", "yuan", 10000, "青石县档案馆 其他收入")
    # column numbers after 栏次 are not amounts
    assert "1#1" not in got and "2#2" not in got


def test_fused_budget_row_split_where_the_rate_proves_it() -> None:
    """全年预算数(A)全年执行数(B)执行率(B/A) printed with no separator: 250 | 240 | 96% (240/250 = 96 %)."""
    text = (
        "青石县交通运输局车购税补助资金绩效目标自评表(2023年度)\n项目资金\n(万元)\n"
        "全年预算数(A)全年执行数(B)预算执行率(B/A)\n年度资金总额:25024096%\n其中:中央补助1209680%\n"
    )
    src = SourceText(path=Path("fused.txt"), text=text, encoding="utf-8", sha256="4" * 64)
    figs = sorted(ingest_source(src, SUPPLIED).records.figures, key=lambda q: q.span)
    got = [(text[q.span[0] : q.span[1]], q.value, q.multiplier, q.unit, type(q).__name__) for q in figs]
    assert ("250", Decimal("250"), 10000, "yuan", "Quantity") in got
    assert ("240", Decimal("240"), 10000, "yuan", "Quantity") in got
    assert ("96%", Decimal("96"), 1, "percent", "Rate") in got
    rate = next(q for q in figs if text[q.span[0] : q.span[1]] == "96%")
    assert rate.denominator is not None and rate.denominator.value == Decimal("250")
    assert rate.counts == "年度资金总额执行率"
    # 120 | 96 | 80% (96/120 = 80 %), the 其中 row's label without 其中:
    assert ("120", Decimal("120"), 10000, "yuan", "Quantity") in got
    assert next(q for q in figs if text[q.span[0] : q.span[1]] == "120").counts == "中央补助 全年预算数"
    assert next(q for q in figs if text[q.span[0] : q.span[1]] == "240").counts == "年度资金总额 全年执行数"


def test_fused_digits_not_proved_by_a_rate_stay_whole() -> None:
    from jixiao.ingest.columns import _fused_split

    assert _fused_split("1001000100%") is None  # 100|100|0100? 10|0100…: no unique split with nonzero parts
    assert _fused_split("5005010%") == ("500", "50", "10%")


def test_a_number_in_the_deviation_column_takes_no_unit() -> None:
    text = (
        "年度指标值\n\n实际完成值\n\n分值\n\n得分\n\n偏差原因分析及改进措施\n\n"
        "指标1设备完好率\n\n100\n\n100\n\n10\n\n10\n\n0\n\n指标2\n\n"
    )
    got = _cells(text)
    assert got["10#1"][:4] == ("weight", "point", 1, "指标1设备完好率 分值")
    assert got["10#2"][:4] == ("score", "point", 1, "指标1设备完好率 得分")
    assert "0#1" not in got and "100#1" not in got  # the deviation and the bare target take no unit


# a pipe 自评表 whose header has text columns between the number columns, rows numbered by 序号, a
# score wrapped onto the next line before the next row's number; a key/value money block
GAPS = """序号 | 一级 指标 |
二级 指标 |
三级 指标 |
指标分值 | 指标解释 | 评分标准 | 自评得分 |
1 | 预算编制 (8分) | 编制准确性 | 4 | 预算编制是否准确。 | 编制准确得4分。 |
4 |
2 | 预算执行 | 执行进度 | 4 | 是否按进度执行。 | 按进度执行得4分。 |
3 |
资金情况(万元) |
资金总额 |
60 |
其中:财政拨款 |
55 |
"""


def test_header_with_text_columns_and_row_numbers() -> None:
    got = _cells(GAPS)
    # the wrapped scores 4 and 3 are 自评得分, and the 2 after the first is the next row's 序号
    score_4 = [v for k, v in got.items() if k.startswith("4#") and v[0] == "score"]
    assert score_4 and score_4[0][1] == "point"
    assert got["3#1"][:3] == ("score", "point", 1)
    assert "2#1" not in got and "1#1" not in got  # row numbers take no unit
    assert got["60#1"] == ("key", "yuan", 10000, "资金总额", None)
    assert got["55#1"] == ("key", "yuan", 10000, "其中:财政拨款", None)


def test_figure_cells_with_their_own_unit_count_the_row() -> None:
    text = "三级指标 | 分值 | 年度指标值 | 实际完成值 | 得分 |\n巡查覆盖村数(≥**个) | 10 |\n>=40个 |\n42个 |\n10 |\n"
    got = _cells(text)
    assert got[">=40个#1"] == ("value", "", 1, "巡查覆盖村数(≥**个)", None)
    assert got["42个#1"][3] == "巡查覆盖村数(≥**个)"  # past the target cell, to the row's label


def test_a_form_flattened_onto_its_first_line_is_read() -> None:
    """A whole 自评表 on one line (a .docx re-served as text): no title, no heading, every cell read."""
    line = (
        "项目支出绩效自评表 (2023年度) 项目名称 乡村道路养护经费 主管部门 青石县交通运输局 "
        "项目资金 (万元) 年初预算数 全年预算数 全年执行数 分值 执行率 得分 年度资金总额: 45 45 43.2 10 96% 9.6 "
        "数量指标 养护道路里程 ≥120公里 126公里 20 20"
    )
    src = SourceText(path=Path("one-line.txt"), text=line + "\n", encoding="utf-8", sha256="6" * 64)
    figs = {line[q.span[0] : q.span[1]]: q for q in ingest_source(src, SUPPLIED).records.figures}
    assert (figs["43.2"].unit, figs["43.2"].multiplier) == ("yuan", 10000)
    assert (figs["9.6"].unit, figs["≥120公里"].unit, figs["126公里"].unit) == ("point", "km", "km")
    # the figure rules name it from the words before it, the category cell included
    assert figs["≥120公里"].counts == "数量指标养护道路里程"


def test_row_numbers_are_not_figures() -> None:
    """序号 cells of a form and 栏次 numbers are table structure: recorded as such, dropped as figures."""
    index = {GAPS[s:e] for (s, e), c in column_cells(GAPS).items() if c.role == "index"}
    assert index == {"1", "2"}
    text = "青石县水利局2023年度资金安排表\n单位:万元\n" + GAPS
    src = SourceText(path=Path("rows.txt"), text=text, encoding="utf-8", sha256="7" * 64)
    surfaces = sorted(text[q.span[0] : q.span[1]] for q in ingest_source(src, SUPPLIED).records.figures)
    assert "1" not in surfaces and "2" not in surfaces
    assert "60" in surfaces and "3" in surfaces  # the amounts and the scores stay
