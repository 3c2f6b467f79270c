"""What a figure counts when a linking word stands between the label and the number, and changes
against the year before outside the budget sentences (fictional text, invented figures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jixiao.ingest import records as r
from jixiao.ingest.figures import extract_figures
from jixiao.ingest.pipeline import ingest_source
from jixiao.ingest.source import SourceText


@pytest.mark.parametrize(
    "text,surface,counts",
    [
        ("本年项目共计15个。", "15个", "项目"),
        ("参训人数达到300名。", "300名", "参训人数"),
        ("全年受理来信合计87件。", "87件", "受理来信"),
        ("绩效目标 (6分) |", "6分", "绩效目标"),
        ("产出指标(50分)", "50分", "产出指标"),
        ("覆盖社区为12个。", "12个", "覆盖社区"),
    ],
)
def test_label_across_a_linking_word(text: str, surface: str, counts: str) -> None:
    (f,) = [f for f in extract_figures(text) if f.text == surface]
    assert f.counts == counts


def test_a_linking_word_alone_gives_no_label() -> None:
    # nothing but punctuation before the linking word: no label is invented
    (f,) = extract_figures("。为120万元")
    assert f.counts is None


TEXT = (
    "青石县信访局2023年度部门整体支出绩效自评报告\n一、工作成效\n"
    "全年受理群众来信320件，信访总量较上年度下降了5.2%，办结率98%。举办培训班比上年增加3期。"
    "新建调解室12间。\n"
)


def _figures() -> dict[str, r.Quantity]:
    res = ingest_source(SourceText(path=Path("x.txt"), text=TEXT, encoding="utf-8", sha256="2" * 64))
    return {TEXT[q.span[0] : q.span[1]]: q for q in res.records.figures}


def test_changes_outside_budget_sentences_have_their_direction() -> None:
    figs = _figures()
    rate = figs["5.2%"]
    assert isinstance(rate, r.Rate) and (rate.rate_kind, rate.direction) == ("change", "decrease")
    assert rate.counts == "信访总量"
    change = figs["3期"]
    assert isinstance(change, r.Change) and change.direction == "increase"
    assert change.counts == "举办培训班"
    # no comparison with the year before: plain quantities
    assert type(figs["98%"]) is r.Quantity and type(figs["12间"]) is r.Quantity
    assert type(figs["320件"]) is r.Quantity
