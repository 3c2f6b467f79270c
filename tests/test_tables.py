"""jixiao.ingest.tables: the three rendered forms, row repairs, and the two tables of the real report."""

from __future__ import annotations

from pathlib import Path

import pytest

from jixiao.ingest.layout import column_role, vocab_roles
from jixiao.ingest.normalise import normalise
from jixiao.ingest.source import read_source
from jixiao.ingest.tables import Table, find_tables

REPORT = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "jiangmen-trade-union-2024.txt"


def tables_of(text: str) -> list[Table]:
    return find_tables(normalise(text))


def texts(row) -> list[str]:
    return [c.text for c in row.cells]


def check_spans(text: str, table: Table) -> None:
    """Every cell's text is exactly the normalised text at its span."""
    norm = normalise(text).text
    for row in [*table.rows, *([table.total_row] if table.total_row else [])]:
        for cell in row.cells:
            assert norm[cell.start : cell.end] == cell.text


# ----------------------------------------------------------------------------- vocabulary


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("项目名称", "name"),
        ("下达预算数（万元）", "approved"),
        ("年初预算数(元)", "approved"),
        ("调整后预算数", "adjusted"),
        ("全年预算数", "adjusted"),
        ("全年执行数", "executed"),
        ("支出数（万元）", "executed"),
        ("执行率", "rate"),
        ("一级指标", "level1"),
        ("三级指标", "level3"),
        ("指标值", "target"),
        ("指标完成值", "actual"),
        ("实际完成值", "actual"),
        ("度量单位", "unit"),
        ("指标性质", "comparator"),
        ("分值", "weight"),
        ("得分", "score"),
        ("偏差原因分析及改进措施", "deviation"),
        ("资金来源", "source"),
        ("备注", "note"),
        ("情况说明很长的一句话", None),
    ],
)
def test_column_roles(header: str, role: str | None) -> None:
    assert column_role(header) == role


def test_category_vocabulary() -> None:
    assert vocab_roles("社会效益指标") == {"level2"}
    assert vocab_roles("效益指标") == {"level1"}
    assert vocab_roles("成本指标") == {"level1", "level2"}  # both national forms
    assert vocab_roles("巡查河道长度") == frozenset()


# ----------------------------------------------------------------------------- tab form

TAB_BUDGET = (
    "项目支出情况如下。\n\n"
    "单位：万元\n"
    "项目名称\t年初预算数\t调整后预算数\t执行数\t执行率\n"
    "防汛物资储备\t20.00\t18.50\t18.50\t100%\n"
    "\t5.00\t5.00\t4.00\t80%\n"
    "小型水库维修养护\t30.00\t35.00\t33.25\t95%\n"
    "合计\t55.00\t58.50\t55.75\t95.30%\n\n"
    "以上为项目支出情况。\n"
)


def test_tab_budget_table() -> None:
    (table,) = tables_of(TAB_BUDGET)
    assert table.form == "tab"
    assert table.kind == "project_budget"
    assert table.columns == ["name", "approved", "adjusted", "executed", "rate"]
    assert table.unit_hint == "万元"  # from the caption line 单位：万元
    assert [texts(r) for r in table.rows] == [
        ["防汛物资储备", "20.00", "18.50", "18.50", "100%"],
        ["", "5.00", "5.00", "4.00", "80%"],
        ["小型水库维修养护", "30.00", "35.00", "33.25", "95%"],
    ]
    assert [r.flags for r in table.rows] == [[], ["no_name"], []]
    assert table.total_row is not None and texts(table.total_row)[3] == "55.75"
    assert table.get(table.rows[2], "executed") == "33.25"
    check_spans(TAB_BUDGET, table)


def test_unit_hint_from_header_and_missing_cells_padded() -> None:
    text = "项目名称\t下达预算数（元）\t支出数（元）\n乡村道路养护\t3750\n"
    (table,) = tables_of(text)
    assert table.unit_hint == "元"
    row = table.rows[0]
    assert texts(row) == ["乡村道路养护", "3750", ""]
    assert "padded" in row.flags
    assert row.cells[2].start == row.cells[2].end  # an empty cell is a point


def test_more_non_empty_cells_than_columns_are_merged_not_dropped() -> None:
    text = "项目名称\t预算数\t执行数\n河道清淤\t10\t8\t另有说明\n"
    (table,) = tables_of(text)
    row = table.rows[0]
    assert texts(row) == ["河道清淤", "10", "8\t另有说明"]
    assert "merged_overflow" in row.flags


# ----------------------------------------------------------------------------- indicator repairs

TAB_INDICATORS = (
    "\t一级指标\t二级指标\t三级指标\t指标值\t实际完成值\n"
    "绩效指标\t产出指标\t数量指标\t巡查河道长度\t≥120公里\t135公里\n"
    "\t\t\t\t维修泵站数量\t4座\t4座\n"  # 7 cells: a spurious empty cell
    "\t\t\t质量指标\t验收合格率\t100%\t100%\n"  # 7 cells: 质量指标 one column right
    "\t\t时效指标\t≥95%\t97%\t\n"  # the target sits in the name column
    "\t\t效益指标\t经济效益指标\t带动农户增收\t≥50万元\n"  # level 1 in the level-2 column
    "\t社会效益指标\t\t受益群众人数\t≥5000人\t6200人\n"  # level 2 in the level-1 column
    "\n"
    "\t\t群众知晓率\t≥90%\t93%\t\n"  # after a blank line, name in the level-2 column
    "\t满意度指标\t服务对象满意度指标\t群众满意度\t≥90%\t96%\n"
)


def test_indicator_table_repairs() -> None:
    (table,) = tables_of(TAB_INDICATORS)
    assert table.kind == "indicators"
    assert table.columns == ["category", "level1", "level2", "level3", "target", "actual"]
    got = [
        (table.get(r, "level1"), table.get(r, "level2"), table.get(r, "level3"), table.get(r, "actual"))
        for r in table.rows
    ]
    assert got == [
        ("产出指标", "数量指标", "巡查河道长度", "135公里"),
        ("产出指标", "数量指标", "维修泵站数量", "4座"),
        ("产出指标", "质量指标", "验收合格率", "100%"),
        ("产出指标", "时效指标", "", "97%"),
        ("效益指标", "经济效益指标", "带动农户增收", ""),
        ("效益指标", "社会效益指标", "受益群众人数", "6200人"),
        ("效益指标", "社会效益指标", "群众知晓率", "93%"),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "96%"),
    ]
    flags = [r.flags for r in table.rows]
    assert "shifted_right" in flags[1] and "shifted_right" in flags[2]
    assert "shifted_left" in flags[3] and "no_name" in flags[3]  # kept, never dropped
    assert table.get(table.rows[3], "target") == "≥95%"
    assert "shifted_right" in flags[4]
    assert "shifted_left" in flags[5]
    assert "blank_line_inside" in flags[6] and "shifted_left" in flags[6]
    # inheritance: only blank cells inherit, the printed ones stay in `cells`
    assert table.rows[5].cells[2].text == "社会效益指标"
    assert table.rows[5].inherited[1].text == "效益指标"
    assert 1 not in table.rows[4].inherited  # a row that prints its level 1 inherits nothing below it
    check_spans(TAB_INDICATORS, table)


def test_level2_does_not_leak_into_a_new_level1_block() -> None:
    text = (
        "一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t培训人次\t≥100人次\n效益指标\t\t群众收入增加\t明显\n"
    )
    (table,) = tables_of(text)
    assert table.get(table.rows[1], "level1") == "效益指标"
    assert table.get(table.rows[1], "level2") == ""


# ----------------------------------------------------------------------------- pipe form

PIPE = (
    "| 一级指标 | 二级指标 | 三级指标 | 指标值 | 实际完成值 |\n"
    "|---|---|---|---|---|\n"
    "| 产出指标 | 数量指标 | 新建农家书屋 | 12个 | 12个 |\n"
    "||| 配送图书册数 | ≥6000册 | 6500册 |\n"
    "| 效益指标 | 社会效益指标 | 村民阅读率 |||\n"
)


def test_pipe_table_with_empty_cell_runs() -> None:
    (table,) = tables_of(PIPE)
    assert table.form == "pipe"
    assert table.kind == "indicators"
    assert [texts(r) for r in table.rows] == [
        ["产出指标", "数量指标", "新建农家书屋", "12个", "12个"],
        ["", "", "配送图书册数", "≥6000册", "6500册"],
        ["效益指标", "社会效益指标", "村民阅读率", "", ""],
    ]
    assert table.get(table.rows[1], "level2") == "数量指标"
    check_spans(PIPE, table)


# ----------------------------------------------------------------------------- one cell per line

FLAT = (
    "二、项目支出情况\n\n"
    "项目名称\n年初预算数（万元）\n执行数（万元）\n执行率\n"
    "防汛物资储备\n20.00\n18.50\n92.5%\n"
    "\n5.00\n4.00\n80%\n"
    "合计\n25.00\n22.50\n90%\n\n"
    "本年度项目执行总体良好，但仍存在资金拨付进度偏慢的问题，下一步将加快支付进度并加强监管。\n"
)


def test_one_cell_per_line_table() -> None:
    (table,) = tables_of(FLAT)
    assert table.form == "lines"
    assert table.kind == "project_budget"
    assert table.unit_hint == "万元"
    assert [c.text for c in table.header] == ["项目名称", "年初预算数（万元）", "执行数（万元）", "执行率"]
    assert [texts(r) for r in table.rows] == [["防汛物资储备", "20.00", "18.50", "92.5%"], ["", "5.00", "4.00", "80%"]]
    assert table.rows[1].flags == ["no_name"]
    assert table.total_row is not None and texts(table.total_row) == ["合计", "25.00", "22.50", "90%"]
    norm = normalise(FLAT).text
    assert norm[table.end :].strip().startswith("本年度项目执行")  # the paragraph is not a row
    check_spans(FLAT, table)


def test_one_cell_per_line_rows_with_a_cell_too_few_or_too_many() -> None:
    # Row 2 lost its empty name cell (4 lines for 5 columns); row 3 has a spurious empty cell before it
    # (6 lines). A fixed stride would misalign every later row and lose the 合计 row.
    text = (
        "项目名称\n年初预算数（万元）\n调整后预算数（万元）\n执行数（万元）\n执行率\n"
        "防汛物资储备\n20.00\n18.50\n18.50\n100%\n"
        "5.00\n5.00\n4.00\n80%\n"
        "\n小型水库维修养护\n30.00\n35.00\n33.25\n95%\n"
        "乡村道路养护\n10.00\n10.00\n9.00\n90%\n"
        "合计\n65.00\n68.50\n64.75\n94.53%\n\n"
        "注：单位为万元\n\n"
        "本年度项目执行总体良好，但仍存在资金拨付进度偏慢的问题，下一步将加快支付进度并加强监管。\n"
    )
    (table,) = tables_of(text)
    assert table.form == "lines"
    assert [texts(r) for r in table.rows] == [
        ["防汛物资储备", "20.00", "18.50", "18.50", "100%"],
        ["", "5.00", "5.00", "4.00", "80%"],
        ["小型水库维修养护", "30.00", "35.00", "33.25", "95%"],
        ["乡村道路养护", "10.00", "10.00", "9.00", "90%"],
    ]
    assert [("no_name" in r.flags) for r in table.rows] == [False, True, False, False]
    assert "shifted_left" in table.rows[1].flags  # its amounts sat one line early
    assert table.total_row is not None and texts(table.total_row) == ["合计", "65.00", "68.50", "64.75", "94.53%"]
    norm = normalise(text).text
    assert norm[table.end :].strip().startswith("注：")  # a short line after the table is not a row
    check_spans(text, table)


def test_one_cell_per_line_blank_lines_between_rows_are_gaps_not_a_near_empty_row() -> None:
    # A row printed one line late (a blank line before its name) and three blank lines before the
    # next: read as a row of one stray value plus blanks, the rate would split off into a fifth row
    # and two rows would lose their names.
    text = (
        "项目名称\n年初预算数（万元）\n调整后预算数（万元）\n执行数（万元）\n执行率\n"
        "防汛物资储备\n20.00\n20.00\n20.00\n100%\n"
        "乡村道路养护\n10.00\n12.00\n11.00\n91.7%\n"
        "\n小型水库维修养护\n30.00\n30.00\n27.00\n90%\n"
        "\n\n\n河道清淤工程\n8.00\n8.00\n8.00\n100%\n"
        "合计\n68.00\n70.00\n66.00\n94.29%\n"
    )
    (table,) = tables_of(text)
    assert [texts(r) for r in table.rows] == [
        ["防汛物资储备", "20.00", "20.00", "20.00", "100%"],
        ["乡村道路养护", "10.00", "12.00", "11.00", "91.7%"],
        ["小型水库维修养护", "30.00", "30.00", "27.00", "90%"],
        ["河道清淤工程", "8.00", "8.00", "8.00", "100%"],
    ]
    assert not any("no_name" in r.flags for r in table.rows)
    assert table.total_row is not None and texts(table.total_row)[0] == "合计"
    check_spans(text, table)


def test_one_cell_per_line_ends_at_a_clause_cut_by_a_page_break() -> None:
    text = "项目名称\n预算数\n执行数\n河道清淤\n10\n8\n\n以上项目均按计划实施，\n\n资金使用规范。\n"
    (table,) = tables_of(text)
    assert [texts(r) for r in table.rows] == [["河道清淤", "10", "8"]]


def test_one_cell_per_line_guangdong_form_with_a_blank_first_header_cell() -> None:
    # The header's first cell is blank: flattened, it is the blank line before 一级指标; the rows show it
    # (six lines each, 绩效指标 on the first). 绩效指标 is a cell here, not a seventh column name.
    text = (
        "（三）绩效指标完成情况\n\n"
        "一级指标\n二级指标\n三级指标\n指标值\n指标完成值\n"
        "绩效指标\n产出指标\n数量指标\n新建农家书屋\n≥12个\n12个\n"
        "\n\n\n配送图书册数\n≥6000册\n6500册\n"
        "\n效益指标\n社会效益指标\n村民阅读率\n≥60%\n65%\n"
        "\n满意度指标\n服务对象满意度指标\n群众满意度\n≥85%\n92%\n"
        "\n\n\n社会公众满意度\n≥85%\n90%\n"
    )
    (table,) = tables_of(text)
    assert table.kind == "indicators"
    assert table.columns == ["category", "level1", "level2", "level3", "target", "actual"]
    assert [c.text for c in table.header] == ["", "一级指标", "二级指标", "三级指标", "指标值", "指标完成值"]
    got = [tuple(table.get(r, role) for role in ("level1", "level2", "level3", "target", "actual")) for r in table.rows]
    assert got == [
        ("产出指标", "数量指标", "新建农家书屋", "≥12个", "12个"),
        ("产出指标", "数量指标", "配送图书册数", "≥6000册", "6500册"),
        ("效益指标", "社会效益指标", "村民阅读率", "≥60%", "65%"),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥85%", "92%"),
        # named like a level-2 category, but this table writes its categories with 指标: a name
        ("满意度指标", "服务对象满意度指标", "社会公众满意度", "≥85%", "90%"),
    ]
    assert not any("no_name" in r.flags for r in table.rows)
    assert normalise(text).text[table.start :].startswith("一级指标")
    check_spans(text, table)


def test_index_column_takes_only_serial_numbers() -> None:
    # Row 2 lost its 序号 cell: its name must not be read as the index (and the row is not unnamed);
    # a name starting with a year is still a name.
    text = (
        "| 序号 | 项目名称 | 全年预算数（万元） | 实际支出（万元） | 执行率（%） |\n"
        "| 1 | 河道清淤工程 | 120.00 | 118.00 | 98.33 |\n"
        "| 2022年省级水利专项资金 | 80.00 | 80.00 | 100 |\n"
        "| | | 15.00 | 12.00 | 80 |\n"
        "| 3 | 防汛物资储备 | 20.00 | 20.00 | 100 |\n"
        "| | 合计 | 235.00 | 230.00 | 97.87 |\n"
    )
    (table,) = tables_of(text)
    assert table.columns == ["index", "name", "adjusted", "executed", "rate"]
    assert [table.get(r, "name") for r in table.rows] == ["河道清淤工程", "2022年省级水利专项资金", "", "防汛物资储备"]
    assert [table.get(r, "index") for r in table.rows] == ["1", "", "", "3"]
    assert [("no_name" in r.flags) for r in table.rows] == [False, False, True, False]
    assert "shifted_left" in table.rows[1].flags
    assert table.total_row is not None and table.get(table.total_row, "executed") == "230.00"
    check_spans(text, table)


def test_comparator_and_unit_columns_place_a_shifted_row() -> None:
    # The third row has a spurious empty cell before it (9 cells for 8 columns); only ≥ / 定性 … fit
    # 指标性质 and only a short unit fits 度量单位, so the row is moved back rather than kept in place.
    text = (
        "一级指标\t二级指标\t三级指标\t指标性质\t指标值\t度量单位\t完成值\t偏差原因及改进措施\n"
        "产出指标\t数量指标\t培训人次\t≥\t1000\t人次\t1194\t\n"
        "效益指标\t社会效益指标\t群众知晓率\t≥\t90\t%\t93\t无\n"
        "\t\t\t公共服务水平\t定性\t逐步完善\t\t逐步完善\t\n"
    )
    (table,) = tables_of(text)
    row = table.rows[2]
    got = [table.get(row, role) for role in ("level1", "level2", "level3", "comparator", "target", "unit", "actual")]
    assert got == ["效益指标", "社会效益指标", "公共服务水平", "定性", "逐步完善", "", "逐步完善"]
    assert "shifted_right" in row.flags


# ----------------------------------------------------------------------------- other kinds


def test_key_value_table() -> None:
    text = "部门（单位）名称\t沅澄市水利局\t预算编码\t101001\n评价方式\t单位自评\t评价机构\t本单位\n"
    (table,) = tables_of(text)
    assert table.kind == "key_value"
    assert table.header == []
    assert table.columns == ["key", "value", "key", "value"]
    assert texts(table.rows[1]) == ["评价方式", "单位自评", "评价机构", "本单位"]


def test_funding_sources_table() -> None:
    text = (
        "资金来源\t年初预算数\t全年预算数\t全年执行数\n"
        "年度资金总额\t100\t120\t110\n"
        "财政拨款\t90\t110\t100\n"
        "上年结转\t10\t10\t10\n"
    )
    (table,) = tables_of(text)
    assert table.kind == "funding_sources"
    assert table.columns == ["source", "approved", "adjusted", "executed"]
    assert table.total_row is not None and table.total_row.cells[0].text == "年度资金总额"
    assert [r.cells[0].text for r in table.rows] == ["财政拨款", "上年结转"]


def test_blank_line_then_incompatible_row_ends_the_table() -> None:
    text = "项目名称\t预算数\t执行数\n甲项目\t1\t1\n\n备注\t见附件\t另行说明\t补充\t其他\n"
    tables = tables_of(text)
    assert len(tables) == 2
    assert len(tables[0].rows) == 1


# ----------------------------------------------------------------------------- the real report


@pytest.fixture(scope="module")
def real_tables() -> list[Table]:
    return find_tables(normalise(read_source(REPORT).text))


def test_real_report_has_two_tables(real_tables: list[Table]) -> None:
    assert [t.kind for t in real_tables] == ["project_budget", "indicators"]


def test_real_project_table(real_tables: list[Table]) -> None:
    # Checked by hand against lines 91-100 of the report: header 一级项目名称 | 下达预算数（万元） |
    # 支出数（万元）; 8 rows, the last three (7.65/7.02, 30.00/30.00, 100.67/87.03) with an empty
    # first cell; then 合计 412.28 / 372.51.
    table = real_tables[0]
    assert table.kind == "project_budget"
    assert table.columns == ["name", "approved", "executed"]
    assert table.unit_hint == "万元"
    assert len(table.rows) == 8
    assert [r.cells[0].text for r in table.rows[:5]] == [
        "2024年省级困难职工帮扶专项经费",
        "市直离退休劳动模范荣誉津贴",
        "工人文化宫补助经费",
        "其他专项业务支出",
        "工会事业专项补助",
    ]
    no_name = [texts(r) for r in table.rows if "no_name" in r.flags]
    assert no_name == [["", "7.65", "7.02"], ["", "30.00", "30.00"], ["", "100.67", "87.03"]]
    assert table.total_row is not None
    assert texts(table.total_row) == ["合计", "412.28", "372.51"]


# The indicator table, lines 110-130 of the report, checked by hand (→ = tab; counting the tabs of
# each raw line with `cat -A`). The header is →一级指标→二级指标→三级指标→指标值→指标完成值: 6 columns,
# the first without a name; its only value, 绩效指标 on the first row, is the category column.
#   111 6 cells, all printed: 绩效指标 / 产出指标 / 数量指标 / 组织技能竞赛… / ≥10 个 / 11 个
#   112-117 three leading blanks: inherit 产出指标 / 数量指标
#   118, 119 two blanks then 质量指标 / 时效指标 in the level-2 column: level 1 inherited
#   120 "→→效益指标→经济效益指标→情暖职工春节活动拉动经济总额→≥100.67 万元": 6 cells with 效益指标 (a
#       level-1 term) in the level-2 column, i.e. everything one column to the right, and nothing
#       after the target: no completion value. Repaired: level1 效益指标, level2 经济效益指标, actual "".
#   121 "→社会效益指标→→服务职工群众人次…": 社会效益指标 (a level-2 term) in the level-1 column and an
#       empty level-2 cell: repaired to level2 社会效益指标 under the inherited 效益指标.
#   122 inherits 效益指标 / 社会效益指标.   123 is blank (inside the table).
#   124 "→→劳模影响力→广泛宣传…→广泛宣传…→": the name in the level-2 column and a trailing empty cell:
#       shifted one column right; it inherits 效益指标 / 社会效益指标 and keeps both texts.
#   125-127 inherit 效益指标 / 社会效益指标.   128 可持续影响指标 printed in the level-2 column.
#   129 "→满意度指标→服务对象满意度指标→人员满意度…" printed in place.   130 inherits both.
REAL_INDICATORS = [
    ("产出指标", "数量指标", "组织技能竞赛的行业（工种）数量", "≥10个", "11个"),
    ("产出指标", "数量指标", "参与创新创业大赛企业数", "≥50家", "252家"),
    ("产出指标", "数量指标", "开展职工培训人次", "≥1000人次", "1194人次"),
    ("产出指标", "数量指标", "参与普法宣传人次", "≥300人次", "350人次"),
    ("产出指标", "数量指标", "劳动模范和先进集体推荐评选数量", "按分配名额", "按分配名额"),
    ("产出指标", "数量指标", "帮扶困难职工人数", "2024年建档立卡困难职工数量", "2024年建档立卡困难职工数量"),
    ("产出指标", "数量指标", "发放完成率", "100%", "100%"),
    ("产出指标", "质量指标", "发放准确率", "100%", "100%"),
    ("产出指标", "时效指标", "项目按时完成率", "100%", "100%"),
    ("效益指标", "经济效益指标", "情暖职工春节活动拉动经济总额", "≥100.67万元", ""),
    ("效益指标", "社会效益指标", "服务职工群众人次", "≥24000人次", "44895人次"),
    ("效益指标", "社会效益指标", "产业工人整体素质提升", "有效提升", "有效提升"),
    (
        "效益指标",
        "社会效益指标",
        "劳模影响力",
        "广泛宣传,形成全社会营造尊重劳模的浓厚氛围",
        "广泛宣传,形成全社会营造尊重劳模的浓厚氛围",
    ),
    ("效益指标", "社会效益指标", "发放补贴覆盖率", "100%", "100%"),
    ("效益指标", "社会效益指标", "帮扶对象覆盖率", "100%", "100%"),
    ("效益指标", "社会效益指标", "提供文化服务", "发挥工会职能,提供文化服务", "发挥工会职能,提供文化服务"),
    ("效益指标", "可持续影响指标", "帮扶政策可持续性", "可持续", "可持续"),
    ("满意度指标", "服务对象满意度指标", "人员满意度", "≥80%", "≥80%"),
    ("满意度指标", "服务对象满意度指标", "推荐对象公示期内收到投诉数量", "0", "0"),
]


def test_real_indicator_table(real_tables: list[Table]) -> None:
    table = real_tables[1]
    assert table.kind == "indicators"
    assert table.columns == ["category", "level1", "level2", "level3", "target", "actual"]
    assert table.total_row is None
    got = [tuple(table.get(r, role) for role in ("level1", "level2", "level3", "target", "actual")) for r in table.rows]
    assert got == REAL_INDICATORS
    assert all(table.get(r, "category") == "绩效指标" for r in table.rows)
    by_name = {table.get(r, "level3"): r for r in table.rows}
    assert "shifted_right" in by_name["情暖职工春节活动拉动经济总额"].flags
    assert "shifted_left" in by_name["服务职工群众人次"].flags
    assert {"blank_line_inside", "shifted_left"} <= set(by_name["劳模影响力"].flags)
    assert by_name["劳模影响力"].cells[3].text == "劳模影响力"
    assert not any("no_name" in r.flags for r in table.rows)
