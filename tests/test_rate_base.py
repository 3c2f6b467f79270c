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
