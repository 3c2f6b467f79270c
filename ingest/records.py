"""What a report says, as typed records: extraction (`jixiao.ingest.extract` and the readers it
drives) produces them, `jixiao.ingest.emit` alone turns them into triples.

A record names things as the report does (names, numbers, kinds as code-list notations) and says
where the report says them: every ``span`` is ``(start, end)``, character offsets into the decoded
original text (`SourceText.text`), end exclusive. Records point at each other directly (a figure's
``about`` is the indicator or section record it belongs to); IRIs are minted from them by `emit`
through `jixiao.iris`, never here.

Keys (``Section.path``, ``Indicator.number`` …) are what the report's IRIs are made of, so the same
report always yields the same records and the same graph. Kinds, phases, units, flags and roles are
the notations of the code lists in ontology/vocab.ttl (``"executed"`` for jxv:phase_executed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jixiao.ingest.source import SourceText

Span = tuple[int, int]


@dataclass(frozen=True, kw_only=True)
class OrgName:
    """An organisation as the report names it: ``canonical`` identifies it (the same name in any
    report is one organisation); ``alias`` is the form written when it differs; ``region`` its
    administrative prefix."""

    canonical: str
    alias: str | None = None
    region: str | None = None


@dataclass(eq=False, kw_only=True)
class Organisation:
    """A place where the report names an organisation, in one capacity: ``kind`` is "department"
    (the reporting department), "organisation" (a partner, an evaluator) or "budget_unit"."""

    name: OrgName
    kind: str = "organisation"
    span: Span | None = None


@dataclass(eq=False, kw_only=True)
class Report:
    """The report itself: its title, department, fiscal year and kind (jxv:ReportKindScheme notation);
    ``subject`` tells apart several reports of one kind, year and department (a project's title)."""

    title: str
    span: Span
    department: OrgName
    fiscal_year: int
    kind: str
    subject: str | None = None


@dataclass(eq=False, kw_only=True)
class Section:
    """A numbered section: ``path`` is its place in the tree ("2-1": the first child of the second
    section), ``parent`` the enclosing section (None: the report). ``cutoff_notes`` are the words by
    which its text says its figures use another cut-off than the full year."""

    path: str
    number: str
    level: int
    ordinal: int
    label: str
    role: str | None
    span: Span
    parent: Section | None = None
    cutoff_notes: list[str] = field(default_factory=list)


@dataclass(eq=False, kw_only=True)
class Duty:
    """A duty of the department (职责), one numbered item of the duties list."""

    key: str
    ordinal: int
    text: str
    span: Span
    section: Section


@dataclass(eq=False, kw_only=True)
class Goal:
    """A performance goal (绩效目标) stated as its own sub-section."""

    key: str
    text: str
    span: Span
    section: Section


@dataclass(eq=False, kw_only=True)
class Evaluation:
    """A self-evaluation (``key`` "self") or the prior third-party evaluation (``key`` "prior") of the
    department: its scores (figures) and grades (jxv:GradeScheme notations) as stated."""

    key: str
    third_party: bool
    span: Span
    section: Section
    evaluated: OrgName
    evaluated_year: int
    evaluator: OrgName
    scores: list[Quantity] = field(default_factory=list)
    grades: list[str] = field(default_factory=list)


@dataclass(eq=False, kw_only=True)
class AuditIssue:
    """An issue raised by a prior evaluation or audit (整改问题), numbered in report order, with its
    problem, measures and effect (``IssuePart``); ``raised_by`` is the prior evaluation when the
    report states one before it."""

    number: int
    title: str
    span: Span
    section: Section
    raised_by: Evaluation | None = None


@dataclass(eq=False, kw_only=True)
class IssuePart:
    """The problem, measure or effect (``kind``) of an audit issue; a measure ``addresses`` the
    issue's part of that kind; ``patterns`` are jxv:ProblemPatternScheme notations of a problem."""

    issue: AuditIssue
    kind: str
    text: str
    span: Span
    section: Section
    patterns: list[str] = field(default_factory=list)
    addresses: str | None = None


@dataclass(eq=False, kw_only=True)
class Statement:
    """One of this year's problems or improvement measures (``kind`` "problem" / "measure"), an item
    of a 一是/二是 enumeration or a whole paragraph."""

    kind: str
    ordinal: int
    text: str
    span: Span
    section: Section
    patterns: list[str] = field(default_factory=list)


@dataclass(eq=False, kw_only=True)
class WorkItem:
    """A sentence of the work narrative that states figures or names a quoted programme."""

    text: str
    span: Span
    section: Section


@dataclass(eq=False, kw_only=True)
class Document:
    """A document cited by title (《…》) in a section."""

    title: str
    span: Span
    section: Section


@dataclass(eq=False, kw_only=True)
class BeneficiaryMention:
    """A beneficiary group (canonical name) named in a sentence; it is served by ``about`` (a work
    item, goal, issue part …; None when the sentence stands for a whole section) and counted by the
    figures at ``figures`` (spans of figures of that sentence whose counted phrase names it)."""

    group: str
    about: object | None = None
    figures: list[Span] = field(default_factory=list)


@dataclass(eq=False, kw_only=True)
class Partner:
    """An organisation named as working with the department on ``about`` (its mention is an
    `Organisation` record)."""

    org: OrgName
    about: object


@dataclass(eq=False, kw_only=True)
class Programme:
    """A named programme of the department (a quoted name), run under ``about``."""

    name: str
    span: Span
    about: object


@dataclass(eq=False, kw_only=True)
class BudgetUnit:
    """A budget unit of the department (预算单位) and its kind (jxv:UnitKindScheme notation); its
    mention is an `Organisation` record of kind "budget_unit"."""

    org: OrgName
    kind: str


@dataclass(eq=False, kw_only=True)
class SpendingLine:
    """A spending aggregate of the department or of one of its units (``holder``; None: the
    department): ``kind`` is a jxv:SpendingKindScheme notation. ``unstated_years`` are years whose
    value of the line the report does not state although it compares with them."""

    kind: str
    holder: OrgName | None
    label: str
    unstated_years: list[int] = field(default_factory=list)


@dataclass(eq=False, kw_only=True)
class Project:
    """A first-level project: row ``number`` of the report's project tables (None: named only in the
    narrative). ``name_status`` is "stated", "missing" or "inferred" (then ``inferred_name`` and the
    clause it was inferred from, ``evidence``); ``aliases`` are other names the narrative uses."""

    number: int | None
    name: str | None
    name_status: str
    span: Span
    section: Section
    holder: OrgName
    table_row: int | None = None
    inferred_name: str | None = None
    evidence: Span | None = None
    aliases: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


@dataclass(eq=False, kw_only=True)
class Indicator:
    """A row of a performance-indicator table: its name, category (the local name of a
    jxv:IndicatorCategoryScheme concept, "ind_…"), the target and actual cells (their text as
    normalised, and the figures they state), and the comparator of the target
    (jxv:ComparatorScheme notation; "text" for a qualitative target)."""

    number: int
    table_row: int
    name: str
    span: Span
    section: Section
    category: str | None = None
    target_text: str | None = None
    actual_text: str | None = None
    target: Quantity | None = None
    actual: Quantity | None = None
    comparator: str | None = None
    quantitative: bool = False
    flags: list[str] = field(default_factory=list)


# -- figures ---------------------------------------------------------------------------------------
@dataclass(eq=False, kw_only=True)
class Quantity:
    """A figure as stated at ``span`` (number, qualifier and unit): ``value`` × ``multiplier`` in
    ``unit`` (jxv:UnitScheme notation), the unit as written, the qualifier (余, 近 …) and comparator
    (≥ …) as notations, what it ``counts`` (a phrase of the text, or one named by the rules),
    its ``kind`` (jxv:FigureKindScheme), what it is ``about`` and the section it stands in."""

    span: Span
    value: Decimal
    multiplier: int | Decimal = 1
    value_max: Decimal | None = None
    unit: str | None = None
    stated_unit: str | None = None
    qualifier: str | None = None
    comparator: str | None = None
    counts: str | None = None
    kind: str | None = None
    about: object | None = None
    section: Section | None = None
    flags: list[str] = field(default_factory=list)


@dataclass(eq=False, kw_only=True)
class BudgetFigure(Quantity):
    """An amount of a budget ``line`` (a spending line or a project) in a budget ``phase``; of the
    year before the fiscal year when ``reference_year`` says so."""

    line: SpendingLine | Project | None = None
    phase: str | None = None
    reference_year: int | None = None


@dataclass(eq=False, kw_only=True)
class Rate(Quantity):
    """A rate (``rate_kind``: execution, share, change, completion, cut) with the figures it relates
    when the text gives them; a change rate has a ``direction`` and the two amounts compared."""

    rate_kind: str
    numerator: Quantity | None = None
    denominator: Quantity | None = None
    line: SpendingLine | Project | None = None
    direction: str | None = None
    change_from: Quantity | None = None
    change_to: Quantity | None = None


@dataclass(eq=False, kw_only=True)
class Change(Quantity):
    """A change of an amount against the year before (比上年减少 X), with the amounts compared when
    the text gives them."""

    direction: str
    change_from: Quantity | None = None
    change_to: Quantity | None = None


@dataclass(eq=False, kw_only=True)
class DeclaredCount(Quantity):
    """A stated number of indicators of a category ("数量指标 9 个"): the category (notation key) and
    the word that named it."""

    category: str
    category_word: str


# -- the whole report ------------------------------------------------------------------------------
@dataclass(eq=False, kw_only=True)
class Extraction:
    """Everything extraction found in one report, in the order found."""

    source: SourceText
    report: Report
    organisations: list[Organisation] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    duties: list[Duty] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    issues: list[AuditIssue] = field(default_factory=list)
    issue_parts: list[IssuePart] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    work_items: list[WorkItem] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    beneficiaries: list[BeneficiaryMention] = field(default_factory=list)
    partners: list[Partner] = field(default_factory=list)
    programmes: list[Programme] = field(default_factory=list)
    budget_units: list[BudgetUnit] = field(default_factory=list)
    spending_lines: list[SpendingLine] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    figures: list[Quantity] = field(default_factory=list)
