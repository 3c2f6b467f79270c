"""An execution rate printed in a budget table is taken over the budget the report uses: the
full-year (adjusted) budget when the row prints it beside the initial one, else the initial budget
(fictional 自评表 rows, invented figures)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from jixiao.ingest import records as r
from jixiao.ingest.pipeline import ingest_source
from jixiao.ingest.source import SourceText

HEAD = "青石县气象局2023年度部门整体支出绩效自评报告\n一、部门整体支出绩效自评表\n\n"


def _rates(table: str) -> list[r.Rate]:
    text = HEAD + table
    res = ingest_source(SourceText(path=Path("x.txt"), text=text, encoding="utf-8", sha256="3" * 64))
    return [q for q in res.records.figures if isinstance(q, r.Rate) and q.rate_kind == "execution"]


def test_rate_over_the_full_year_budget_when_both_are_printed() -> None:
    (rate,) = _rates(
        "| 年度预算申请（万元） || 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 ||\n"
        "| | 年度资金总额 | 500.00 | 640.00 | 608.00 | 10 | 95.00% | 9.5 ||\n"
    )
    assert rate.value == Decimal("95.00")
    assert rate.numerator is not None and rate.numerator.value == Decimal("608.00")
    # 608 / 640 = 95 %: the full-year budget is the base (608 / 500 would be 121.6 %)
    assert rate.denominator is not None and rate.denominator.value == Decimal("640.00")
    assert isinstance(rate.denominator, r.BudgetFigure) and rate.denominator.phase == "revised"


def test_rate_over_the_initial_budget_when_only_it_is_printed() -> None:
    (rate,) = _rates(
        "| 年度预算申请（万元） || 年初预算数 | 全年执行数 | 分值 | 执行率 | 得分 ||\n"
        "| | 年度资金总额 | 400.00 | 380.00 | 10 | 95.00% | 9.5 ||\n"
    )
    assert rate.denominator is not None and rate.denominator.value == Decimal("400.00")
    assert isinstance(rate.denominator, r.BudgetFigure) and rate.denominator.phase == "approved"


def _prose(body: str) -> list[r.Quantity]:
    text = "青石县气象局2023年度部门整体支出绩效自评报告\n一、部门整体支出情况\n（一）项目支出情况\n" + body + "\n"
    src = SourceText(path=Path("p.txt"), text=text, encoding="utf-8", sha256="5" * 64)
    return ingest_source(src).records.figures


def test_prose_rate_over_the_full_year_budget() -> None:
    """年初预算 300, 全年预算 320, 支出 304: 执行率 95% = 304 / 320 (304 / 300 would be 101.3 %)."""
    for body in (
        "2023 年项目支出年初预算 300.00 万元，全年预算 320.00 万元，项目支出 304.00 万元，执行率 95%。",
        "项目支出年初预算 300.00 万元，调整后预算 320.00 万元。项目支出 304.00 万元，执行率 95%。",
    ):
        (rate,) = [q for q in _prose(body) if isinstance(q, r.Rate)]
        assert rate.numerator is not None and rate.numerator.value == Decimal("304.00")
        assert rate.denominator is not None and rate.denominator.value == Decimal("320.00"), body


def test_prose_rate_over_the_initial_budget_when_no_other() -> None:
    body = "项目支出年初预算 300.00 万元，项目支出 285.00 万元，执行率 95%。"
    (rate,) = [q for q in _prose(body) if isinstance(q, r.Rate)]
    assert rate.denominator is not None and rate.denominator.value == Decimal("300.00")
