"""Projects and the department's budget tables: a project table gives one `Project` a row with its
amounts by phase and its execution rate; a funding table (Hunan 自评表) gives the amounts of the
department's spending lines. Narrative statements of a project's amounts (`money.Mention`) are
resolved once the whole report is read: by the table name, else by an equal amount of exactly one
row (the row then gets the name as inferred, with the clause as evidence), else to a project known
only from the narrative (docs/decisions/0004-ingest-pipeline.md).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from jixiao.ingest import records as r
from jixiao.ingest.figures import extract_figures
from jixiao.ingest.money import Mention, MoneyReader
from jixiao.ingest.reading import Ctx, Reading, rate_label
from jixiao.ingest.tables import Row, Table
from jixiao.ingest.words import last_word

NUMBER_RE = re.compile(r"^[-+]?\d+(?:\.\d+)?$")


class ProjectReader:
    """Reads project and funding tables; resolves the narrative project mentions at the end."""

    def __init__(self, reading: Reading, money: MoneyReader):
        self.rd = reading
        self.money = money
        self.rows: list[tuple[r.Project, dict[str, Decimal]]] = []  # table projects and their amounts by phase
        budget = reading.dom["budget"]
        self.phases: dict[str, str] = budget["column_phases"]  # column role → budget phase
        self.units = [(word, stated, mult) for word, stated, mult in budget["table_units"]]
        self.default_unit = tuple(budget["default_table_unit"])
        self.total_row_counts = reading.dom["counts"]["total_row"]

    # -- tables -----------------------------------------------------------------------------------
    def project_table(self, table: Table, ctx: Ctx) -> None:
        rd = self.rd
        stated, mult = self._unit(table.unit_hint)
        total_line = self.money.line(self.money.holder, "project")
        base = len(self.rows)  # rows of an earlier project table come first
        for i, row in enumerate(table.rows, 1):
            name = table.get(row, "name").strip()
            project = r.Project(
                number=base + i,
                name=name or None,
                name_status="stated" if name else "missing",
                span=rd.trim(*rd.orig(row.start, row.end)),
                section=ctx.section,
                holder=rd.dept,
                table_row=i,
                flags=[] if name else ["no_name"],
            )
            rd.out.projects.append(project)
            if any(fl.startswith("shifted") for fl in row.flags):
                project.flags.append("shifted")
            values: dict[str, Decimal] = {}
            for role, phase in self.phases.items():
                cell = _cell_amount(table, row, role)
                if cell:
                    value, cs, ce = cell
                    values[phase] = value * mult
                    self._table_figure(
                        cs,
                        ce,
                        r.BudgetFigure,
                        line=project,
                        phase=phase,
                        value=value,
                        multiplier=mult,
                        unit="yuan",
                        stated_unit=stated,
                        kind="amount",
                        section=ctx.section,
                        counts=_cell_counts(name, table.header[table.col(role)].text),
                    )
            rate = _cell_amount(table, row, "rate")
            if rate:
                self._table_figure(
                    rate[1],
                    rate[2],
                    r.Rate,
                    rate_kind="execution",
                    line=project,
                    value=rate[0],
                    unit="percent",
                    stated_unit="%",
                    counts=rate_label("execution"),
                    kind="percent",
                    section=ctx.section,
                )
            self.rows.append((project, values))
        if table.total_row is not None:
            for role, phase in self.phases.items():
                cell = _cell_amount(table, table.total_row, role)
                if cell:
                    self._table_figure(
                        cell[1],
                        cell[2],
                        r.BudgetFigure,
                        line=total_line,
                        phase=phase,
                        value=cell[0],
                        multiplier=mult,
                        unit="yuan",
                        stated_unit=stated,
                        counts=self.total_row_counts,
                        kind="amount",
                        section=ctx.section,
                    )

    def funding_table(self, table: Table, ctx: Ctx) -> None:
        """The department's spending lines in a table (Hunan 自评表: 年度资金总额 / 其中：基本支出 / 项目支出):
        each amount a BudgetFigure on the line its row label names (the total row: the total line), the
        执行率 an execution rate of that line. Placeholder cells ("—") are not figures."""
        lines = self.rd.dom["budget"]["lines"]
        stated, mult = self._unit(table.unit_hint)
        words = sorted((w for ws in lines.values() for w in ws), key=len)
        for row in ([table.total_row] if table.total_row is not None else []) + table.rows:
            label = table.get(row, "line").strip()
            word = last_word(label, words)
            kind = next((k for k, ws in lines.items() if word and word[0] in ws), None)
            kind = kind or ("total" if row is table.total_row else None)
            if kind is None:
                continue
            line = self.money.line(self.money.holder, kind)
            executed = None
            for role, phase in self.phases.items():
                if cell := _cell_amount(table, row, role):
                    figure = self._table_figure(
                        cell[1],
                        cell[2],
                        r.BudgetFigure,
                        line=line,
                        phase=phase,
                        value=cell[0],
                        multiplier=mult,
                        unit="yuan",
                        stated_unit=stated,
                        kind="amount",
                        section=ctx.section,
                        counts=_cell_counts(label, table.header[table.col(role)].text),
                    )
                    executed = figure if phase == "executed" else executed
            if rate := _cell_amount(table, row, "rate"):
                self._table_figure(
                    rate[1],
                    rate[2],
                    r.Rate,
                    rate_kind="execution",
                    line=line,
                    numerator=executed,
                    value=rate[0],
                    unit="percent",
                    stated_unit="%",
                    counts=label + rate_label("execution"),
                    kind="percent",
                    section=ctx.section,
                )

    def _unit(self, hint: str | None) -> tuple[str, int]:
        """The unit a budget table's amounts are in, as stated, and its multiplier (万元 → 10000)."""
        for word, stated, mult in self.units:
            if hint and word in hint:
                return stated, mult
        return self.default_unit

    def other_table(self, table: Table, ctx: Ctx) -> None:
        """Any other table: every figure of every cell, about the section."""
        for row in table.rows:
            for cell in row.cells:
                for f in extract_figures(cell.text, self.rd.seg):
                    self.rd.figure(f, cell.start, about=ctx.section, section=ctx.section)

    def _table_figure(self, start: int, end: int, cls: type[r.Quantity], **fields) -> r.Quantity:
        """A figure read from a table cell [start, end) of the normalised text, by its column."""
        span = self.rd.orig(start, end)
        self.rd.taken.add(span)
        figure = cls(span=span, **fields)
        self.rd.out.figures.append(figure)
        return figure

    # -- narrative statements, resolved ------------------------------------------------------------
    def resolve(self, mentions: list[Mention]) -> None:
        """Attach each narrative project statement to a table row (by name, else by a unique equal
        amount, recording an inferred name with its evidence), or to a narrative-only project."""
        rd = self.rd
        by_name = {p.name: p for p, _v in self.rows if p.name}
        resolved: dict[str, r.Project] = {}
        for name in sorted({m.name for m in mentions}, key=lambda n: min(m.start for m in mentions if m.name == n)):
            ms = [m for m in mentions if m.name == name]
            project = by_name.get(name) or next((p for k, p in by_name.items() if name in k or k in name), None)
            if project is None:
                project = self._match_by_amount(ms)
                if project is not None:
                    if not project.name and project.inferred_name is None:
                        project.name_status = "inferred"
                        project.inferred_name = name
                        project.evidence = next(m for m in ms if not m.rate).clause
                    elif project.name:
                        project.aliases.append(name)
            if project is None:
                first = ms[0]
                project = r.Project(
                    number=None,
                    name=name,
                    name_status="stated",
                    span=first.clause,
                    section=first.section,
                    holder=rd.dept,
                )
                rd.out.projects.append(project)
            resolved[name] = project
        for m in mentions:
            project = resolved[m.name]
            if (m.start, m.end) in rd.taken:
                continue
            f = m.figure
            if m.rate:
                self._mention_figure(
                    m,
                    r.Rate,
                    rate_kind="execution",
                    line=project,
                    value=f.value,
                    unit="percent",
                    stated_unit=f.stated_unit,
                    counts=m.name + rate_label("execution"),
                    kind="percent",
                    section=m.section,
                )
            else:
                self._mention_figure(
                    m,
                    r.BudgetFigure,
                    line=project,
                    phase=m.phase,
                    value=f.value,
                    multiplier=f.multiplier,
                    unit="yuan",
                    stated_unit=f.stated_unit,
                    qualifier=f.qualifier,
                    counts=m.name,
                    kind="amount",
                    section=m.section,
                )

    def _mention_figure(self, m: Mention, cls: type[r.Quantity], **fields) -> None:
        self.rd.taken.add((m.start, m.end))
        self.rd.out.figures.append(cls(span=(m.start, m.end), **fields))

    def _match_by_amount(self, ms: list[Mention]) -> r.Project | None:
        amounts = {m.figure.value * m.figure.multiplier for m in ms if not m.rate}
        hits = [p for p, values in self.rows if any(values.get(phase) in amounts for phase in ("executed", "approved"))]
        return hits[0] if len(hits) == 1 else None


def _cell_amount(table: Table, row: Row, role: str) -> tuple[Decimal, int, int] | None:
    col = table.col(role)
    if col is None or col >= len(row.cells):
        return None
    cell = row.cells[col]
    text = cell.text.replace(",", "").strip()
    if role == "rate":  # "97.86%" as well as "97.86"
        text = text.removesuffix("%").strip()
    if not NUMBER_RE.match(text):
        return None
    try:
        return Decimal(text), cell.start, cell.end
    except InvalidOperation:
        return None


def _cell_counts(row_name: str, header: str) -> str:
    column = re.sub(r"[（(][^）)]*[）)]", "", header).strip()
    return f"{row_name}{column}" if row_name else column
