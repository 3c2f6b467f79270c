"""jixiao.ingest.normalise: each rule on small made-up texts, the offset map, and the real report."""

from __future__ import annotations

import itertools
import re
import unicodedata
from pathlib import Path

import pytest

from jixiao.ingest.normalise import Normalised, normalise
from jixiao.ingest.source import read_source

REPORT = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "jiangmen-trade-union-2024.txt"


def check_offsets(original: str, norm: Normalised) -> None:
    """The mapping invariants: sizes, order, and every token maps back to its own characters."""
    assert len(norm.origin) == len(norm.text) + 1
    assert norm.origin[-1] == len(original)
    assert all(a < b for a, b in itertools.pairwise(norm.origin))
    for m in re.finditer(r"\S+", norm.text):
        s, e = norm.to_original(m.start(), m.end())
        back = re.sub(r"\s", "", original[s:e])
        assert unicodedata.normalize("NFKC", back) == unicodedata.normalize("NFKC", m.group()), m.group()


# ----------------------------------------------------------------------------- characters


def test_full_width_digits_letters_and_percent() -> None:
    text = "完成率１００％，共计ＡＢＣ项目１２．５万元，合计１，０００人。"
    norm = normalise(text)
    assert norm.text == "完成率100%，共计ABC项目12.5万元，合计1,000人。"
    check_offsets(text, norm)


def test_chinese_punctuation_is_kept() -> None:
    text = "（一）根据“通知”要求：一、二、三；完成。其中，１．不变？"
    assert normalise(text).text == "（一）根据“通知”要求：一、二、三；完成。其中，1．不变？"


def test_crlf_and_cr_become_lf() -> None:
    text = "第一行。\r\n第二行。\r第三行。"
    norm = normalise(text)
    assert norm.text == "第一行。\n第二行。\n第三行。"
    assert norm.origin[norm.text.index("第二")] == text.index("第二")
    check_offsets(text, norm)


# ----------------------------------------------------------------------------- spaces


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("支出 1655 万元", "支出1655万元"),
        ("参与职工 1.2 万人次", "参与职工1.2万人次"),
        ("执行率 95.5 %", "执行率95.5%"),
        ("财 政", "财政"),
        ("财\u3000政", "财政"),
        ("财  政", "财  政"),  # two spaces between CJK: not a stray space
        ("宣讲 ≥ 3 场", "宣讲≥3场"),
        ("(一) 部门概况", "(一) 部门概况"),  # a space after a heading number is kept
        ("1. 根据规定", "1. 根据规定"),
        ("ABC 公司", "ABC 公司"),  # Latin words are not touched
        ("项目\t10.00\t9.12", "项目\t10.00\t9.12"),  # tabs are never dropped
    ],
)
def test_stray_spaces(text: str, expected: str) -> None:
    norm = normalise(text)
    assert norm.text == expected
    check_offsets(text, norm)


def test_dropped_space_is_inside_the_original_span() -> None:
    text = "支出 1655 万元"
    norm = normalise(text)
    start = norm.text.index("1655万元")
    assert norm.to_original(start, start + len("1655万元")) == (3, 10)
    assert text[3:10] == "1655 万元"


# ----------------------------------------------------------------------------- page breaks


def test_blank_line_inside_a_sentence_is_removed() -> None:
    text = "本年度开展培训活动，参训人员达到\n\n1200 人次，效果良好。\n\n下一段。"
    norm = normalise(text)
    assert norm.text == "本年度开展培训活动，参训人员达到1200人次，效果良好。\n\n下一段。"
    check_offsets(text, norm)


def test_several_blank_lines_and_trailing_spaces_are_removed_too() -> None:
    text = "本年度项目资金主要用于防汛物资储备，以及抢险设备的购置 \n\n \n\n和人员培训。"
    assert normalise(text).text == "本年度项目资金主要用于防汛物资储备，以及抢险设备的购置和人员培训。"


@pytest.mark.parametrize(
    "text",
    [
        "全年完成目标。\n\n下一段开始。",  # sentence-final 。
        "主要职责是：\n\n负责全县水利工作。",  # ：
        "他说：“已完成。”\n\n下一段。",  # closing quote after 。
        "1. 预算编制情况\n\n根据有关规定编制预算。",  # a short numbered heading before
        "澜江县水利局部门整体支出绩效自评报告\n\n根据有关规定开展自评。",  # a title line before
        "资金主要用于设备购置和人员培训以及其他项目支出\n\n（二）年度工作完成情况",  # heading after
        "深入推进各项工作并取得了较为明显的成效和进展\n\n2. 管理效率情况",  # numbered line after
        "深入推进各项工作并取得了较为明显的成效和进展\n\n二是加强宣传引导。",  # enumeration after
        "深入推进各项工作并取得了较为明显的成效和进展\n\n　　新段落以全角空格缩进。",  # indented paragraph
        "评价方式：单位自评\n\n评价机构：本单位",  # key：value label lines
        "项目名称\t预算数\n\n小计\t10",  # table rows
    ],
)
def test_blank_line_is_kept(text: str) -> None:
    norm = normalise(text)
    assert "\n\n" in norm.text
    check_offsets(text, norm)


def test_heading_with_comma_followed_by_enumeration_is_not_joined() -> None:
    text = "1. 坚持党建引领服务大局，不断提升基层治理能力和服务群众水平并持续加强队伍建设\n\n一是强化学习。"
    assert "\n\n一是" in normalise(text).text


def test_long_numbered_item_broken_by_a_page_is_joined() -> None:
    text = (
        "3. 负责全县水资源的统一监督管理工作，拟订全县水资源保护规划，组织编制并实施水资源\n\n"
        "调度方案；指导饮用水水源保护工作。\n\n4. 负责节约用水工作。"
    )
    norm = normalise(text)
    assert "水资源调度方案" in norm.text
    assert "\n\n4. 负责" in norm.text
    check_offsets(text, norm)


def test_table_rows_survive_with_tabs_and_the_blank_line_inside() -> None:
    text = "\t一级指标\t二级指标\n产出指标\t数量指标\n\n\t\t质量指标\n"
    norm = normalise(text)
    assert norm.text == text


def test_one_cell_per_line_table_is_not_joined() -> None:
    text = (
        "项目名称\n年初预算数（万元）\n执行数（万元）\n执行率\n防汛物资储备项目\n\n18.50\n\n合计\n40.00\n18.50\n46%\n"
    )
    norm = normalise(text)
    assert norm.text == text


# ----------------------------------------------------------------------------- offsets


def test_to_original_of_an_empty_span_and_of_the_end() -> None:
    text = "支出 100 万元"
    norm = normalise(text)
    assert norm.to_original(0, 0) == (0, 0)
    assert norm.to_original(len(norm.text), len(norm.text)) == (len(text), len(text))
    with pytest.raises(ValueError):
        norm.to_original(3, 2)
    with pytest.raises(ValueError):
        norm.to_original(0, len(norm.text) + 1)


def test_real_report_offsets_and_joins() -> None:
    original = read_source(REPORT).text
    norm = normalise(original)
    check_offsets(original, norm)
    # Page breaks checked by hand in the file: lines 15/17, 31/33, 55/57, 79/81, 180/182, 244/246.
    for joined in (
        "并提出意见和建议",
        "杰出工匠疗休养制度",
        "金额142万余元",
        "减轻职工负担",
        "项目支出390.73万元",
        "提高资金使用效率。",
    ):
        assert joined in norm.text, joined
    # …but not after the heading-like "1. 坚持不懈…成效不断加强" (line 43) before 一是 (line 45).
    assert "成效不断加强\n\n一是强化理论武装" in norm.text
    assert "江门市总工会整体支出绩效评价自评报告" in norm.text  # "评价 自评": a stray CJK space
    # The tab tables are intact: 10 + 20 tab rows, and the blank line inside the indicator table.
    assert sum("\t" in line for line in norm.text.split("\n")) == 30
    assert "有效提升\t有效提升\n\n\t\t劳模影响力" in norm.text
