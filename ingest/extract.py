"""Extraction: a parsed report (sections, tables, figures) → the records of what it says
(`jixiao.ingest.records`); `jixiao.ingest.emit` writes them as triples.

This module finds the report's identity (department, fiscal year, kind), walks the section tree and
hands each paragraph, sentence and table to the readers that know what it may say:
`structure` (duties, goals, audit issues, problems and measures, work items), `mentions`
(documents, beneficiary groups, partners, programmes), `money` (budget units, spending lines,
budget sentences), `evaluations` (scores, grades, declared counts), `projects` (project and
funding tables, narrative project statements) and `indicators` (indicator tables). Rules come from
ingest/data/domain.toml and problem_patterns.toml. Offsets: parsing happens on the normalised text;
every span recorded is mapped back to the original text with ``Normalised.to_original``.
"""

from __future__ import annotations

import re

from jixiao.errors import InputError
from jixiao.ingest import meta
from jixiao.ingest import records as r
from jixiao.ingest.datafiles import toml
from jixiao.ingest.evaluations import EvaluationReader
from jixiao.ingest.figures import Figure, extract_figures
from jixiao.ingest.indicators import IndicatorReader
from jixiao.ingest.mentions import QUOTE_RE, MentionReader
from jixiao.ingest.money import MoneyReader
from jixiao.ingest.normalise import Normalised
from jixiao.ingest.projects import ProjectReader
from jixiao.ingest.reading import Ctx, Reading
from jixiao.ingest.sections import Block, Section
from jixiao.ingest.segment import Segmenter
from jixiao.ingest.sentences import split_sentences
from jixiao.ingest.source import SourceText
from jixiao.ingest.structure import StructureReader
from jixiao.ingest.tables import Table


def extract(source: SourceText, norm: Normalised, root: Section, segmenter: Segmenter) -> r.Extraction:
    """The records of one report: its identity, then what its sections, paragraphs and tables say."""
    return Extractor(source, norm, root, segmenter).run()


def identify(source: SourceText, norm: Normalised, root: Section) -> r.Report:
    """The report's title, department, fiscal year and kind; an `InputError` when the text names no
    department or no year."""
    title = root.title.strip() or norm.text.strip().split("\n", 1)[0]
    # a title may open with the year (2024年度某某局部门整体支出…): the name follows it
    leading_year = toml("domain.toml")["report"]["leading_year_pattern"]
    dept = meta.cover_department(norm.text) or meta.department_from_title(re.sub(leading_year, "", title))
    if not dept:
        raise InputError("cannot find the department name in the title or cover block", file=source.path, where="title")
    year = meta.fiscal_year(title, norm.text)
    if year is None:
        raise InputError("cannot find the fiscal year (no 'YYYY 年' in title or text)", file=source.path, where="title")
    kind = meta.kind_from_title(title)
    region = meta.region_of(dept)
    span = (
        norm.to_original(root.heading_start, root.heading_end)
        if root.heading_end > root.heading_start
        else (0, max(1, len(title)))
    )
    return r.Report(
        title=title,
        span=span,
        department=r.OrgName(canonical=meta.canonical_org(dept, region), alias=dept, region=region),
        fiscal_year=year,
        kind=kind,
        # a department publishes one department-wide report a year but one report per project
        subject=None if kind == "department_whole" else re.sub(r"\s+", "", title),
    )


class Extractor:
    """Drives the readers over one parsed report (see the module docstring)."""

    def __init__(self, source: SourceText, norm: Normalised, root: Section, segmenter: Segmenter):
        self.src, self.norm, self.root, self.seg = source, norm, root, segmenter

    def run(self) -> r.Extraction:
        self.rd = rd = Reading(self.src, self.norm, self.seg, identify(self.src, self.norm, self.root))
        self.work_roles, self.budget_roles = set(rd.dom["roles"]["work"]), set(rd.dom["roles"]["budget"])
        rd.organisation(rd.dept, "department")
        tables = list(_tables(self.root))
        table_names = sorted(
            {t.get(row, "name").strip() for t in tables if t.kind == "project_budget" for row in t.rows} - {""},
            key=len,
            reverse=True,
        )
        indicator_names = {t.get(row, "level3").strip() for t in tables if t.kind == "indicators" for row in t.rows}
        self.structure = StructureReader(rd)
        self.mentions = MentionReader(rd, indicator_names - {""})
        self.money = MoneyReader(rd, table_names)
        self.evaluations = EvaluationReader(rd)
        self.projects = ProjectReader(rd, self.money)
        self.indicators = IndicatorReader(rd)
        self._walk(self.root, None, "", set())
        self.projects.resolve(self.money.mentions)
        return rd.out

    # -- sections --------------------------------------------------------------------------------
    def _walk(
        self, sec: Section, parent: r.Section | None, path: str, inherited: set[str], nearest: str | None = None
    ) -> None:
        rd = self.rd
        for i, child in enumerate(sec.children, 1):
            cpath = f"{path}-{i}" if path else str(i)
            s, e = rd.trim(*rd.orig(child.heading_start, child.heading_end))
            if e <= s:
                s, e = rd.trim(*rd.orig(child.start, child.end))
            if e <= s:  # an empty block with no text: nothing to source, keep walking below it
                self._walk(child, parent, cpath, inherited, nearest)
                continue
            node = r.Section(
                path=cpath,
                number=child.number,
                level=child.level,
                ordinal=child.ordinal or i,
                label=child.title.strip() or child.number,
                role=child.role,
                span=(s, e),
                parent=parent,
            )
            rd.out.sections.append(node)
            roles = inherited | ({child.role} if child.role else set())
            ctx = Ctx(roles, node, child, role=child.role or nearest)
            self.structure.section(child, node, ctx, cpath, sec)
            for block in child.blocks:
                if block.kind == "table":
                    self._table(block, ctx)
                else:
                    self._paragraph(block, ctx)
            self._walk(child, node, cpath, roles, ctx.role)

    # -- paragraphs ------------------------------------------------------------------------------
    def _paragraph(self, block: Block, ctx: Ctx) -> None:
        rd = self.rd
        figures = extract_figures(block.text, self.seg)
        sentences = split_sentences(block.text, block.start)
        self.mentions.cutoff(block, ctx)
        self.mentions.documents(block, ctx)
        if "prior_rectification" in ctx.roles and ctx.section_obj.role == "prior_rectification":
            self.evaluations.prior(block, ctx, figures)
        by_sentence: dict[tuple[int, int], list[Figure]] = {s: [] for s in sentences}
        for f in figures:
            fs = f.start + block.start
            for s in sentences:
                if s[0] <= fs < s[1]:
                    by_sentence[s].append(f)
                    break
        for ss, se in sentences:
            figs = by_sentence[(ss, se)]
            text = rd.ntext(ss, se)
            about = ctx.about
            if ctx.roles & self.work_roles and not ctx.about and (figs or QUOTE_RE.search(text)):
                about = self.structure.work_item(ss, se, ctx)
            self.money.budget_units(text, ss)  # the list of budget units may stand in any section
            self.mentions.sentence(ss, se, text, about or ctx.section, figs, block.start, ctx.roles)
            # by the nearest role: a conclusion or an indicator analysis under a spending heading
            # (三、部门整体支出绩效情况 → 自评结论) tells no budget lines
            if ctx.role in self.budget_roles:
                self.money.sentence(ss, se, figs, block.start, ctx)
            self.evaluations.sentence(ss, se, figs, block.start, ctx)
            for f in figs:
                rd.figure(f, block.start, about=about or ctx.section, section=ctx.section)

    # -- tables ----------------------------------------------------------------------------------
    def _table(self, block: Block, ctx: Ctx) -> None:
        table: Table | None = block.table
        if table is None:
            return
        if table.kind == "project_budget":
            self.projects.project_table(table, ctx)
        elif table.kind == "indicators":
            self.indicators.table(table, ctx)
        elif table.kind == "funding_summary":
            self.projects.funding_table(table, ctx)
        else:
            self.projects.other_table(table, ctx)


def _tables(sec: Section):
    for block in sec.blocks:
        if block.kind == "table" and block.table is not None:
            yield block.table
    for child in sec.children:
        yield from _tables(child)
