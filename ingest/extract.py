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
from jixiao.ingest import columns, identity, meta
from jixiao.ingest import records as r
from jixiao.ingest.diagnostics import diagnose, field_label
from jixiao.ingest.evaluations import EvaluationReader
from jixiao.ingest.figures import Figure, extract_figures
from jixiao.ingest.furniture import is_furniture
from jixiao.ingest.identity import read_identity
from jixiao.ingest.indicators import IndicatorReader
from jixiao.ingest.mentions import QUOTE_RE, MentionReader
from jixiao.ingest.money import MoneyReader
from jixiao.ingest.normalise import Normalised, normalise_lines
from jixiao.ingest.projects import ProjectReader
from jixiao.ingest.reading import Ctx, Reading
from jixiao.ingest.sections import Block, Section
from jixiao.ingest.segment import Segmenter
from jixiao.ingest.sentences import split_sentences
from jixiao.ingest.source import SourceText
from jixiao.ingest.structure import StructureReader
from jixiao.ingest.tables import Table


def extract(
    source: SourceText, norm: Normalised, root: Section, segmenter: Segmenter, supplied: Supplied | None = None
) -> r.Extraction:
    """The records of one report: its identity, then what its sections, paragraphs and tables say.
    ``supplied`` holds identity values given by the user (``jixiao ingest --department …``)."""
    return Extractor(source, norm, root, segmenter, supplied).run()


# identity values the user supplies: field name ("department", "year", "kind") → value
Supplied = dict[str, str]
REQUIRED = ("department", "year", "kind")  # without these no report IRI is minted
FLAGS = {"department": "--department", "year": "--year", "kind": "--kind"}


def identify(
    source: SourceText, norm: Normalised, root: Section, supplied: Supplied | None = None
) -> tuple[r.Report, list[tuple[str, dict[str, object], r.Span | None]]]:
    """The report's title, department, fiscal year, kind and project as the text states them
    (`jixiao.ingest.identity`), a field it does not state taken from ``supplied``; an `InputError`
    naming the file when the department, year or kind is neither stated nor supplied (no report
    IRI is minted from a guess). Also the diagnostics to raise: (code, arguments, span)."""
    supplied = dict(supplied or {})
    lines = normalise_lines(source.text)
    ident = read_identity(lines.text)

    def orig(span: tuple[int, int] | None) -> r.Span | None:
        return lines.to_original(*span) if span else None

    stated: dict[str, identity.Stated | None] = {"department": ident.department, "year": ident.year, "kind": ident.kind}
    notes: list[tuple[str, dict[str, object], r.Span | None]] = []
    fields: list[r.IdentityField] = []
    values: dict[str, object] = {}
    for name in REQUIRED:
        st, given = stated[name], supplied.get(name)
        if given is not None and name == "kind" and not identity.known_kind(given):
            known = ", ".join(identity.kinds())
            raise InputError(f"--kind {given}: not a report kind (one of {known})", file=source.path)
        if given is not None and name == "year" and not re.fullmatch(r"(19|20)\d\d", given):
            raise InputError(f"--year {given}: not a four-digit year", file=source.path)
        if st is not None:
            values[name] = st.value
            fields.append(r.IdentityField(name=name, value=str(st.value), span=orig(st.span)))
            if given is not None and str(given) != str(st.value):
                args = {"field": name, "value": given, "stated": st.value}
                notes.append(("identity_supplied_differs", args, orig(st.span)))
            if st.how in ("prose", "signature", "text"):
                notes.append(("identity_from_prose", {"field": name, "how": st.how}, orig(st.span)))
        elif given is not None:
            values[name] = int(given) if name == "year" else given
            fields.append(r.IdentityField(name=name, value=str(given), supplied=True))
            notes.append(("identity_supplied", {"field": name, "value": given}, None))
    missing = [n for n in REQUIRED if n not in values]
    if missing:
        what = ", ".join(f"the {n}" for n in missing)
        flags = " ".join(f"{FLAGS[n]} …" for n in missing)
        raise InputError(
            f"the text does not state {what}: not ingested (no report is named from a guess; give {flags} "
            "if you know it)",
            file=source.path,
            where="identity",
        )
    for name, st in (("project", ident.project), ("supervisor", ident.supervisor), *ident.codes.items()):
        if st is not None:
            fields.append(r.IdentityField(name=name, value=str(st.value), span=orig(st.span)))
    for key, st in sorted(ident.metadata.items()):
        fields.append(r.IdentityField(name=f"publisher.{key}", value=str(st.value), span=orig(st.span)))
    if ident.title_span is None and (ident.department is None or ident.department.how != "cover"):
        notes.append(("unknown_form", {}, None))

    title = ident.title or root.title.strip() or norm.text.strip().split("\n", 1)[0]
    dept = str(values["department"])
    kind = str(values["kind"])
    region = meta.region_of(dept)
    span = orig(ident.title_span)
    if span is None or span[1] <= span[0]:
        span = (
            norm.to_original(root.heading_start, root.heading_end)
            if root.heading_end > root.heading_start
            else (0, max(1, min(len(title), len(source.text))))
        )
    # a department publishes one department-wide report (or final accounts) a year, but one report
    # per project or fund: the project's name, else the title, tells those apart
    subject = None
    if kind not in ("department_whole", "final_accounts"):
        subject = ident.project.value if ident.project else re.sub(r"\s+", "", title)
    report = r.Report(
        title=title,
        span=span,
        department=r.OrgName(canonical=meta.canonical_org(dept, region), alias=dept, region=region),
        fiscal_year=int(values["year"]),  # type: ignore[call-overload]
        kind=kind,
        subject=subject,
        identity=fields,
    )
    return report, notes


class Extractor:
    """Drives the readers over one parsed report (see the module docstring)."""

    def __init__(
        self, source: SourceText, norm: Normalised, root: Section, segmenter: Segmenter, supplied: Supplied | None
    ):
        self.src, self.norm, self.root, self.seg, self.supplied = source, norm, root, segmenter, supplied

    def run(self) -> r.Extraction:
        report, notes = identify(self.src, self.norm, self.root, self.supplied)
        self.rd = rd = Reading(self.src, self.norm, self.seg, report)
        for code, args, span in notes:
            if "field" in args:
                args = {**args, "field_zh": field_label(str(args["field"]))}
            diagnose(rd.out, code, span, **args)
        self.work_roles, self.budget_roles = set(rd.dom["roles"]["work"]), set(rd.dom["roles"]["budget"])
        rd.organisation(rd.dept, "department")
        tables = list(_tables(self.root))
        rd.out.tables = len(tables)
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
        self._preamble()
        self._walk(self.root, None, "", set())
        self.projects.resolve(self.money.mentions)
        columns.apply(rd.out.figures, self.src.text)
        columns.unfuse(rd.out.figures, self.src.text)
        self._diagnose_figures()
        return rd.out

    def _diagnose_figures(self) -> None:
        """No figures at all, and each figure that is attached to nothing (what it counts unknown)."""
        out = self.rd.out
        if not out.figures:
            diagnose(out, "no_figures")
        for f in sorted(out.figures, key=lambda f: f.span):
            if not f.counts:
                diagnose(out, "figure_unlabelled", f.span, surface=self.src.text[f.span[0] : f.span[1]])

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

    def _preamble(self) -> None:
        """The text before the first heading (a form that starts without one, a 自评得分 in the
        opening lines): read like a section's, under a section "0" spanning it. A first line longer
        than a title can be is text too (a whole form flattened onto one line)."""
        root = self.root
        blocks = [b for b in root.blocks if b.text.strip() and not is_furniture(b.text)]
        if root.heading_end - root.heading_start > self.rd.dom["report"]["title_max_chars"]:
            blocks.insert(0, Block("para", root.heading_start, root.heading_end, root.title))
        if not blocks:
            return
        rd = self.rd
        s, e = rd.trim(*rd.orig(blocks[0].start, blocks[-1].end))
        if e <= s:
            return
        node = r.Section(path="0", number="", level=1, ordinal=0, label=self.rd.report.title, role=None, span=(s, e))
        rd.out.sections.append(node)
        ctx = Ctx(set(), node, self.root)
        for block in blocks:
            if block.kind == "table":
                self._table(block, ctx)
            else:
                self._paragraph(block, ctx)

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
                change = self.money.change(rd.ntext(ss, block.start + f.start), f.unit)
                if change is None:
                    rd.figure(f, block.start, about=about or ctx.section, section=ctx.section)
                else:  # 投诉量较上年度下降了 5.2%: a change against the year before, with its direction
                    cls, fields = change
                    rd.figure(f, block.start, cls, about=about or ctx.section, section=ctx.section, **fields)

    # -- tables ----------------------------------------------------------------------------------
    def _table(self, block: Block, ctx: Ctx) -> None:
        table: Table | None = block.table
        if table is None:
            return
        if not any(table.columns):  # no column recognised: the layout is not understood, read its text
            # TODO(issue 12, part A): raise a table-layout diagnostic here once jx:Diagnostic lands
            self._paragraph(block, ctx)
            return
        if table.kind == "project_budget":
            self.projects.project_table(table, ctx)
        elif table.kind == "indicators":
            self.indicators.table(table, ctx)
        elif table.kind == "funding_summary":
            self.projects.funding_table(table, ctx)
        else:
            if table.kind is None:  # no header of a known layout: its cells are read as prose
                s, e = self.rd.trim(*self.rd.orig(block.start, block.end))
                diagnose(self.rd.out, "table_unrecognised", (s, e) if e > s else None, reason=_NO_HEADER)
            self.projects.other_table(table, ctx)


_NO_HEADER = "no header row of a known table kind"


def _tables(sec: Section):
    for block in sec.blocks:
        if block.kind == "table" and block.table is not None:
            yield block.table
    for child in sec.children:
        yield from _tables(child)
