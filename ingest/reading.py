"""One report while it is read: its texts and offsets, the records found so far, and the figures.

Parsing happens on the normalised text; every span a record gets is mapped back to the original
text (``orig``). A figure's span is taken by the first reader that records it (``figure``): a cell
of a budget table is a budget figure and not also a plain quantity; figures of narrative project
statements are held back (``deferred``) until the statements are resolved at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jixiao.ingest import records as r
from jixiao.ingest.datafiles import code_lists, toml
from jixiao.ingest.figures import Figure
from jixiao.ingest.normalise import Normalised
from jixiao.ingest.sections import Section
from jixiao.ingest.segment import Segmenter
from jixiao.ingest.source import SourceText

FIGURE_KINDS = ("amount", "count", "percent", "area", "score")  # jxv:FigureKindScheme, "other" for the rest


@dataclass
class Ctx:
    """Where a paragraph or table stands: the roles of its section and its ancestors, the section
    (record and parsed), what its figures are about by default, and the nearest role."""

    roles: set[str]
    section: r.Section
    section_obj: Section
    about: object | None = None
    role: str | None = None  # the nearest role: the section's own, else its closest ancestor's


class Reading:
    """One report while it is read (see the module docstring); every reader shares it."""

    def __init__(self, source: SourceText, norm: Normalised, segmenter: Segmenter, report: r.Report):
        self.src, self.norm, self.seg = source, norm, segmenter
        self.dom: dict[str, Any] = toml("domain.toml")
        self.report = report
        self.dept = report.department
        self.year = report.fiscal_year
        self.region = report.department.region
        self.out = r.Extraction(source=source, report=report)
        self.taken: set[r.Span] = set()  # spans of figures recorded
        self.deferred: set[r.Span] = set()  # spans of narrative project figures, recorded once resolved

    # -- offsets ---------------------------------------------------------------------------------
    def orig(self, start: int, end: int) -> r.Span:
        """The original span of the normalised span [start, end)."""
        return self.norm.to_original(start, end)

    def ntext(self, start: int, end: int) -> str:
        return self.norm.text[start:end]

    def trim(self, s: int, e: int) -> r.Span:
        """An original span without the whitespace at its ends."""
        t = self.src.text
        while s < e and t[s].isspace():
            s += 1
        while e > s and t[e - 1].isspace():
            e -= 1
        return s, e

    # -- records ---------------------------------------------------------------------------------
    def organisation(self, name: r.OrgName, kind: str = "organisation", span: r.Span | None = None) -> r.OrgName:
        self.out.organisations.append(r.Organisation(name=name, kind=kind, span=span))
        return name

    def figure(self, f: Figure, base: int, cls: type[r.Quantity] = r.Quantity, **fields) -> r.Quantity | None:
        """Record the figure ``f`` of the normalised text at offset ``base`` as a ``cls`` with
        ``fields`` (what the reader knows beyond the figure itself), unless its span is taken or
        deferred: None then."""
        s, e = self.orig(base + f.start, base + f.end)
        if (s, e) in self.taken or (s, e) in self.deferred:
            return None
        self.taken.add((s, e))
        common: dict[str, Any] = dict(
            value=f.value,
            multiplier=f.multiplier,
            unit=_unit(f.unit),
            stated_unit=f.stated_unit or None,
            qualifier=f.qualifier,
            comparator=f.comparator,
            counts=f.counts,
            value_max=f.value_max,
            kind="percent" if cls is r.Rate else f.kind if f.kind in FIGURE_KINDS else "other",
        )
        common.update(fields)
        if not common.get("counts"):  # name what a budget figure or rate counts when the text leaves it implicit
            common["counts"] = self._implicit_counts(cls, common)
        figure = cls(span=(s, e), **common)
        self.out.figures.append(figure)
        return figure

    def _implicit_counts(self, cls: type[r.Quantity], fields: dict[str, Any]) -> str | None:
        labels = self.dom["counts"]
        if cls is r.Rate:
            return rate_label(fields["rate_kind"])
        line = fields.get("line")
        if cls is r.BudgetFigure and line is not None:
            label = line.label if isinstance(line, r.SpendingLine) else line.name
            if label:
                return (labels["prior_year"] if fields.get("reference_year") else "") + label
        if cls is r.Change:
            return labels["change"]
        return None


def _unit(key: str | None) -> str | None:
    """A unit key of the figure rules, "other" when the unit code list lacks it."""
    if key is None:
        return None
    return key if f"unit_{key}" in code_lists() else "other"


def rate_label(kind: str) -> str:
    """What a rate of a kind is called: the Chinese label of jxv:rate_<kind> (执行率 …)."""
    return code_lists()[f"rate_{kind}"].label
