"""Performance-indicator tables: one `Indicator` a row, with its category, its target and actual as
written and as figures, the comparator of the target, and the row's repair flags.
"""

from __future__ import annotations

import re
from functools import cache

from jixiao.ingest import records as r
from jixiao.ingest.datafiles import code_lists, toml
from jixiao.ingest.figures import Figure, extract_figures
from jixiao.ingest.reading import Ctx, Reading
from jixiao.ingest.tables import Row, Table

NUMBER_RE = re.compile(r"^[-+]?\d+(?:\.\d+)?$")
CATEGORY_SCHEMES = ("IndicatorCategoryScheme", "IndicatorNatureScheme")


@cache
def _categories() -> dict[str, str]:
    """Category terms → concept local names: the Chinese labels (preferred and alternative) of the
    indicator category and nature code lists, without the category suffix (产出指标 → 产出 → ind_output)."""
    suffix = toml("domain.toml")["indicators"]["category_suffix"]
    return {
        label.removesuffix(suffix): c.name
        for c in code_lists().values()
        if c.scheme in CATEGORY_SCHEMES
        for label in (c.label, *c.alt_labels)
    }


def category_key(text: str) -> str | None:
    """The category a cell or word names ("产出指标（50分）" → "ind_output"; "定量指标" → "nature_quantitative")."""
    suffix = toml("domain.toml")["indicators"]["category_suffix"]
    t = re.sub(r"[（(][^）)]*[）)]|\s+", "", text).removesuffix(suffix)  # 产出指标（50分） → 产出
    return _categories().get(t)


class IndicatorReader:
    """Reads indicator tables into `Indicator` records and the figures of their targets and actuals."""

    def __init__(self, reading: Reading):
        self.rd = reading
        self.signs = dict(reading.dom["indicators"]["comparator_signs"])  # in the order tried

    def table(self, table: Table, ctx: Ctx) -> None:
        rd = self.rd
        base = len(rd.out.indicators)  # rows of an earlier indicator table
        for i, row in enumerate(table.rows, 1):
            name = table.get(row, "level3").strip()
            ind = r.Indicator(
                number=base + i,
                table_row=i,
                name=name,
                span=rd.trim(*rd.orig(row.start, row.end)),
                section=ctx.section,
            )
            rd.out.indicators.append(ind)
            cat = category_key(table.get(row, "level2")) or category_key(table.get(row, "level1"))
            if cat and cat.startswith("ind_"):
                ind.category = cat
            if row.inherited:
                ind.flags.append("inherited")
            if any(fl.startswith("shifted") for fl in row.flags):
                ind.flags.append("shifted")
            unit_col = table.get(row, "unit").strip()
            cmp_col = table.get(row, "comparator").strip()
            target = self._value(table, row, "target", ind, name, ctx, unit_col, cmp_col)
            actual = self._value(table, row, "actual", ind, name, ctx, unit_col, None)
            if target is not None:
                ind.target, ind.comparator = target
            ind.quantitative = target is not None
            if target is None and table.get(row, "target").strip():
                ind.comparator = "text"
            if actual is not None:
                ind.actual = actual[0]
            if not table.get(row, "actual").strip():
                ind.flags.append("missing_actual")

    def _value(
        self,
        table: Table,
        row: Row,
        role: str,
        ind: r.Indicator,
        name: str,
        ctx: Ctx,
        unit_col: str,
        cmp_col: str | None,
    ) -> tuple[r.Quantity, str | None] | None:
        col = table.col(role)
        if col is None or col >= len(row.cells):
            return None
        cell = row.cells[col]
        text = cell.text.strip()
        if not text:
            return None
        if role == "target":
            ind.target_text = text
        else:
            ind.actual_text = text
        figs = extract_figures(text + (unit_col if NUMBER_RE.match(text) and unit_col else ""), self.rd.seg)
        figs = [f for f in figs if f.start < len(text)]
        if not figs:
            return None
        f = figs[0]
        if f.end > len(text):  # the unit came from the unit column: the span is the number only
            f = Figure(**{**f.__dict__, "end": len(text), "text": text[f.start :]})
        comparator = (
            f.comparator
            or self.signs.get(cmp_col or "")
            or (next((v for k, v in self.signs.items() if text.startswith(k)), None))
        )
        if comparator is None and role == "target" and f.qualifier is None:
            comparator = "eq"  # a bare quantitative target (100%, 0) states the value to reach exactly
        q = self.rd.figure(
            f,
            cell.start,
            about=ind,
            section=ctx.section,
            counts=name or f.counts,
            comparator=comparator if role == "target" else None,
        )
        if q is None:
            return None
        return q, comparator
