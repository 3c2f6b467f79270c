"""emit: the one place that turns what a report says (`jixiao.ingest.records`) into triples of the
jixiao ontology.

Every resource and figure gets a source span (Web Annotation position + quote selectors) whose
offsets index the decoded original text, and whose quote is exactly that text. IRIs come from
``jixiao.iris``, vocabulary terms from ``jixiao.ns``; identical input yields identical triples.

Terms are pyoxigraph's (``NamedNode``, ``Literal``): built through its public constructors, which
check IRIs and language tags, and written as N-Triples by Oxigraph's own serialisation of a term
(``str(term)``, `jixiao.rdfutil.nt_term`), so what a report's graph is written as and what the store
holds are Oxigraph's forms. ``TripleSet.to_graph()`` gives an rdflib Graph when one is wanted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from jixiao import iris
from jixiao import ns as _ns
from jixiao.ingest import records as r
from jixiao.ingest.source import SourceText
from jixiao.rdfutil import OX_TERMS, from_ox_memoised, to_ox


class _Terms:
    """A generated namespace's terms as pyoxigraph NamedNodes: the first use of a name goes through
    the namespace (which refuses terms the ontology does not declare), later ones are plain
    attribute reads."""

    def __init__(self, namespace) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> ox.NamedNode:
        term = ox.NamedNode(str(getattr(self._namespace, name)))
        setattr(self, name, term)
        return term


JX = _Terms(_ns.JX)
JXV = _Terms(_ns.JXV)
OA = _Terms(_ns.OA)
QB = _Terms(_ns.QB)
TIME = _Terms(_ns.TIME)
RDF_TYPE = ox.NamedNode(str(RDF.type))
RDFS_LABEL = ox.NamedNode(str(RDFS.label))
XSD_INTEGER, XSD_DECIMAL, XSD_GYEAR = (ox.NamedNode(str(XSD[n])) for n in ("integer", "decimal", "gYear"))

PREFIXES = {
    "jx": str(_ns.JX),
    "jxv": str(_ns.JXV),
    "jxd": iris.BASE,
    "oa": str(_ns.OA),
    "prov": str(_ns.PROV),
    "qb": str(_ns.QB),
    "org": str(_ns.ORG),
    "skos": str(SKOS),
    "time": str(_ns.TIME),
}


# -- terms ---------------------------------------------------------------------------------------
def iri(value: str) -> ox.NamedNode:
    """An IRI from `jixiao.iris` as a pyoxigraph term."""
    return ox.NamedNode(str(value))


def text(value: str) -> ox.Literal:
    """A plain string literal."""
    return ox.Literal(value)


def zh(value: str) -> ox.Literal:
    """A Chinese-language literal (``"…"@zh``)."""
    return ox.Literal(value, language="zh")


@lru_cache(maxsize=65536)
def integer(n: int) -> ox.Literal:
    """An xsd:integer literal (cached: offsets recur across reports)."""
    return ox.Literal(str(int(n)), datatype=XSD_INTEGER)


@lru_cache(maxsize=256)
def gyear(year: int) -> ox.Literal:
    """An xsd:gYear literal of a year."""
    return ox.Literal(str(year), datatype=XSD_GYEAR)


def boolean(value: bool) -> ox.Literal:
    """An xsd:boolean literal."""
    return ox.Literal(bool(value))


@lru_cache(maxsize=65536)
def dec(value: Decimal | int | str) -> ox.Literal:
    """An xsd:decimal literal in the lexical form Oxigraph stores ("13", "13.25", no exponent, "0" for
    a negative zero), so a graph read back from the store is the graph written. (Equal values share
    a cache entry: -0 and 0 must, and do, give one form.)"""
    d = Decimal(value).normalize()
    return ox.Literal(format(d if d else Decimal(0), "f"), datatype=XSD_DECIMAL)


def vocab(prefix: str, key: str | None) -> ox.NamedNode | None:
    """``vocab("unit", "yuan")`` → jxv:unit_yuan; None for no key; raises for a key the vocabulary lacks."""
    if not key:
        return None
    return getattr(JXV, f"{prefix}_{key}")


def concept(local_name: str | None) -> ox.NamedNode | None:
    """``concept("ind_output")`` → jxv:ind_output; None for None."""
    return getattr(JXV, local_name) if local_name else None


# -- the triples of a report ---------------------------------------------------------------------
class TripleSet:
    """The triples of one report while they are written: an insertion-ordered set of (subject,
    predicate, object) tuples of pyoxigraph terms. ``add`` is a bare list append (it is called for
    every triple written); when the set is next read, the added triples join it in one dict update
    (duplicates dropped, first position kept). ``to_graph()`` builds an rdflib Graph of them."""

    def __init__(self) -> None:
        self._added: list[tuple] = []  # added since the last read, duplicates included
        self.add: Callable[[tuple], None] = self._added.append
        self._triples: dict[tuple, None] = {}
        self.prefixes: dict[str, str] = dict(PREFIXES)

    def _sync(self) -> dict[tuple, None]:
        if self._added:
            self._triples.update(dict.fromkeys(self._added))
            self._added.clear()
        return self._triples

    def __contains__(self, triple: tuple) -> bool:
        return triple in self._sync()

    def __iter__(self):
        return iter(self._sync())

    def __len__(self) -> int:
        return len(self._sync())

    def to_graph(self) -> Graph:
        g = Graph()
        for prefix, ns in self.prefixes.items():
            g.bind(prefix, ns)
        convert = from_ox_memoised()
        for s, p, o in self._sync():
            g.add((convert(s), convert(p), convert(o)))
        return g


def term(value: object) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """A pyoxigraph term for a value: itself when it is one, an rdflib term converted, a Decimal as
    ``dec``, any other Python value as the literal pyoxigraph makes of it."""
    if type(value) in OX_TERMS:
        return value
    if isinstance(value, Decimal):
        return dec(value)
    if isinstance(value, Node):
        return to_ox(value)
    return ox.Literal(value)


@dataclass(frozen=True)
class Source:
    """What GraphBuilder needs of a report file (a `SourceText` has it too)."""

    path: Path
    text: str
    sha256: str
    encoding: str | None


class GraphBuilder:
    """The writer of one report's triples: spans, resources, organisations, figures. ``report`` is
    the report's IRI (`jixiao.iris.report`); ``source`` the decoded file."""

    def __init__(self, report: str, source: SourceText | Source):
        self.report = URIRef(report)
        self.node = iri(report)
        self.source = source
        self._iris = iris.ReportIris(report)  # span, selector and figure IRIs: the fast path
        self.file = iri(iris.source_file(source.sha256))
        self.budget = iri(iris.budget_dataset(report))
        self.t = TripleSet()
        self._spans: dict[tuple[int, int], ox.NamedNode] = {}
        # one literal object per string for the strings figures repeat (a figure's jx:statedForm is its
        # span's oa:exact; units, counts): the N-Triples writer converts each distinct object once
        self._texts: dict[str, ox.Literal] = {}
        add = self.t.add
        add((self.file, RDF_TYPE, JX.SourceFile))
        add((self.file, JX.sha256, text(source.sha256)))
        if source.encoding:  # (none for a PDF, DOCX or workbook: their text is extracted, not decoded)
            add((self.file, JX.encoding, text(source.encoding)))
        add((self.file, JX.fileName, text(source.path.name)))
        add((self.file, JX.charCount, integer(len(source.text))))

    @property
    def g(self) -> Graph:
        """The report as an rdflib Graph (built on each access: call once the report is complete)."""
        return self.t.to_graph()

    def add(self, s: object, p: object, o: object) -> None:
        """Add a triple of terms (pyoxigraph or rdflib) or values (see ``term``); an object None adds nothing."""
        if o is None:
            return
        self.t.add((term(s), term(p), term(o)))

    def _text(self, value: str) -> ox.Literal:
        lit = self._texts.get(value)
        if lit is None:
            lit = self._texts[value] = text(value)
        return lit

    def figure_iri(self, start: int, end: int) -> ox.NamedNode:
        """The IRI of the figure at [start, end) (`jixiao.iris.figure`)."""
        return ox.NamedNode(self._iris.figure(start, end))

    # -- provenance ----------------------------------------------------------------------------
    def span(self, start: int, end: int) -> ox.NamedNode:
        """The source span [start, end) of the original text; its quote is the text there."""
        node = self._spans.get((start, end))
        if node is not None:
            return node
        src = self.source.text
        if not 0 <= start < end <= len(src):
            raise ValueError(f"span {start}-{end} outside the text (0-{len(src)})")
        span = self._iris.span(start, end)
        node = self._spans[start, end] = ox.NamedNode(span)
        pos = ox.NamedNode(self._iris.selector(span, "pos"))
        quote = ox.NamedNode(self._iris.selector(span, "quote"))
        add = self.t.add
        add((node, RDF_TYPE, JX.SourceSpan))
        add((node, OA.hasSource, self.file))
        add((node, OA.hasSelector, pos))
        add((node, OA.hasSelector, quote))
        add((pos, RDF_TYPE, OA.TextPositionSelector))
        add((pos, OA.start, integer(start)))
        add((pos, OA.end, integer(end)))
        add((quote, RDF_TYPE, OA.TextQuoteSelector))
        add((quote, OA.exact, self._text(src[start:end])))
        return node

    def sourced(self, node: object, start: int, end: int) -> ox.NamedNode:
        node = term(node)
        self.t.add((node, JX.sourceSpan, self.span(start, end)))
        return node

    # -- resources -----------------------------------------------------------------------------
    def resource(
        self,
        node: object,
        cls: object,
        start: int,
        end: int,
        *,
        label: str | None = None,
        section: object = None,
    ) -> ox.NamedNode:
        """A resource of class ``cls``, sourced at [start, end); its label and section when given."""
        node = term(node)
        self.t.add((node, RDF_TYPE, term(cls)))
        if label:
            self.t.add((node, RDFS_LABEL, zh(label)))
        if section is not None:
            self.t.add((node, JX.inSection, term(section)))
        return self.sourced(node, start, end)

    def organisation(
        self, canonical: str, cls: object = None, *, alias: str | None = None, region: str | None = None
    ) -> ox.NamedNode:
        node = iri(iris.org(canonical))
        add = self.t.add
        add((node, RDF_TYPE, term(cls) if cls is not None else JX.Organisation))
        add((node, JX.canonicalName, text(canonical)))
        add((node, RDFS_LABEL, zh(canonical)))
        if alias and alias != canonical:
            add((node, JX.alias, text(alias)))
        if region:
            add((node, JX.region, text(region)))
        return node

    def year(self, y: int) -> ox.NamedNode:
        node = iri(iris.year(y))
        self.t.add((node, RDF_TYPE, TIME.ProperInterval))
        self.t.add((node, RDFS_LABEL, zh(f"{y}年")))
        return node

    def quantity(
        self,
        start: int,
        end: int,
        *,
        value: Decimal,
        multiplier: int | Decimal = 1,
        unit: str | None = None,
        stated_unit: str | None = None,
        qualifier: str | None = None,
        comparator: str | None = None,
        counts: str | None = None,
        kind: str | None = None,
        value_max: Decimal | None = None,
        about: object = None,
        section: object = None,
        cls: object = None,
    ) -> ox.NamedNode:
        """A figure at original offsets [start, end) (the surface with qualifier and unit), a
        jx:Quantity and, when ``cls`` is given, of that subclass too."""
        node = self.figure_iri(start, end)
        add = self.t.add
        add((node, RDF_TYPE, JX.Quantity))
        if cls is not None:
            add((node, RDF_TYPE, term(cls)))
        add((node, JX.value, dec(value)))
        add((node, JX.multiplier, dec(multiplier)))
        add((node, JX.normalizedValue, dec(Decimal(value) * Decimal(multiplier))))
        if value_max is not None:
            add((node, JX.valueMax, dec(value_max)))
        if unit:
            add((node, JX.unit, vocab("unit", unit)))
        if stated_unit:
            add((node, JX.statedUnit, self._text(stated_unit)))
        add((node, JX.statedForm, self._text(self.source.text[start:end])))
        if qualifier:
            add((node, JX.qualifier, vocab("qual", qualifier)))
        if comparator:
            add((node, JX.comparator, vocab("cmp", comparator)))
        if counts:
            add((node, JX.counts, self._text(counts)))
        if kind:
            add((node, JX.figureKind, vocab("fk", kind)))
        if about is not None:
            add((node, JX.about, term(about)))
        if section is not None:
            add((node, JX.inSection, term(section)))
        self.sourced(node, start, end)
        return node

    def budget_figure(
        self, start: int, end: int, *, line: object, phase: str, reference_year: int | None = None, **kw
    ) -> ox.NamedNode:
        node = self.quantity(start, end, cls=JX.BudgetFigure, **kw)
        self.add(node, JX.budgetLine, line)
        self.add(node, JX.budgetPhase, vocab("phase", phase))
        self.t.add((node, QB.dataSet, self.budget))
        if reference_year is not None:
            self.t.add((node, JX.referenceYear, gyear(reference_year)))
        return node

    def rate(
        self,
        start: int,
        end: int,
        *,
        kind: str,
        numerator: object = None,
        denominator: object = None,
        line: object = None,
        **kw,
    ) -> ox.NamedNode:
        """A rate of ``kind`` (jxv:RateKindScheme notation); its unit is percent unless ``unit`` says."""
        kw.setdefault("unit", "percent")
        node = self.quantity(start, end, cls=JX.Rate, kind="percent", **kw)
        self.t.add((node, JX.rateKind, vocab("rate", kind)))
        self.add(node, JX.numerator, numerator)
        self.add(node, JX.denominator, denominator)
        self.add(node, JX.budgetLine, line)
        return node

    def change(
        self, start: int, end: int, *, direction: str, change_from: object, change_to: object, **kw
    ) -> ox.NamedNode:
        node = self.quantity(start, end, cls=JX.Change, **kw)
        self.t.add((node, JX.direction, vocab("dir", direction)))
        self.add(node, JX.changeFrom, change_from)
        self.add(node, JX.changeTo, change_to)
        return node

    def flag(self, node: object, key: str) -> None:
        self.t.add((term(node), JX.flag, vocab("flag", key)))

    def local(self, *parts: object) -> ox.NamedNode:
        """A report-local resource (`jixiao.iris.local`)."""
        return iri(iris.local(self.report, *parts))


# -- records → triples ---------------------------------------------------------------------------
ORG_CLASSES = {"department": JX.Department, "organisation": JX.Organisation, "budget_unit": JX.BudgetUnit}
ISSUE_PART_CLASSES = {"problem": JX.Problem, "measure": JX.Measure, "effect": JX.Effect}
ISSUE_PART_PROPERTIES = {"problem": JX.problem, "measure": JX.measure, "effect": JX.effect}


def emit(ex: r.Extraction) -> GraphBuilder:
    """The triples of what a report says (one report's records), written by a GraphBuilder (its
    ``t`` holds them, its ``report`` is the report's IRI)."""
    return _Emitter(ex).run()


class _Emitter:
    def __init__(self, ex: r.Extraction):
        self.ex = ex
        rep = ex.report
        self.b = GraphBuilder(iris.report(rep.department.canonical, rep.fiscal_year, rep.kind, rep.subject), ex.source)
        self.report = self.b.report  # the IRI, for jixiao.iris
        self.node = self.b.node  # the term
        self.dept = iri(iris.org(rep.department.canonical))
        self._iris: dict[object, ox.NamedNode] = {}

    def iri(self, rec: object) -> ox.NamedNode | None:
        """The IRI of a record (None for None)."""
        if rec is None:
            return None
        found = self._iris.get(rec)
        if found is None:
            found = self._iris[rec] = self._mint(rec)
        return found

    def _mint(self, rec: object) -> ox.NamedNode:
        return self.b.figure_iri(*rec.span) if isinstance(rec, r.Quantity) else iri(self._iri(rec))

    def _iri(self, rec: object) -> URIRef:
        report = self.report
        match rec:
            case r.Section(path=path):
                return iris.section(report, path)
            case r.OrgName(canonical=name):
                return iris.org(name)
            case r.SpendingLine(kind=kind, holder=holder):
                return iris.spending_line(report, kind, holder.canonical if holder else None)
            case r.Project(number=None, name=name):
                return iris.narrative_project(report, name)
            case r.Project(number=number):
                return iris.project(report, number)
            case r.Indicator(number=number):
                return iris.indicator(report, number)
            case r.Evaluation(key=key):
                return iris.evaluation(report, key)
            case r.AuditIssue(number=number):
                return iris.issue(report, number)
            case r.IssuePart(issue=issue, kind=kind):
                return iris.issue_part(self._iri(issue), kind)
            case r.Goal(key=key):
                return iris.goal(report, key)
            case r.Duty(key=key):
                return iris.duty(report, key)
            case r.WorkItem(span=(start, _)):
                return iris.work_item(report, start)
            case r.Statement(kind=kind, span=(start, _)):
                return iris.statement(report, kind, start)
        raise TypeError(f"no IRI for {rec!r}")

    def run(self) -> GraphBuilder:
        ex, b = self.ex, self.b
        self._report()
        for org in ex.organisations:
            self._organisation(org)
        for sec in ex.sections:
            self._section(sec)
        for duty in ex.duties:
            node = self.iri(duty)
            b.resource(node, JX.Duty, *duty.span, section=self.iri(duty.section))
            b.add(node, JX.ordinal, integer(duty.ordinal))
            b.add(node, JX.text, text(duty.text))
            b.add(self.dept, JX.hasDuty, node)
            b.add(self.node, JX.hasDuty, node)
        for goal in ex.goals:
            node = self.iri(goal)
            b.resource(node, JX.PerformanceGoal, *goal.span, section=self.iri(goal.section))
            b.add(node, JX.text, text(goal.text))
            b.add(self.node, JX.hasGoal, node)
        for issue in ex.issues:
            node = self.iri(issue)
            b.resource(node, JX.RectificationIssue, *issue.span, section=self.iri(issue.section), label=issue.title)
            b.add(node, JX.title, text(issue.title))
            b.add(self.node, JX.rectificationIssue, node)
            b.add(node, JX.raisedBy, self.iri(issue.raised_by))
        for part in ex.issue_parts:
            node = self.iri(part)
            b.resource(node, ISSUE_PART_CLASSES[part.kind], *part.span, section=self.iri(part.section))
            b.add(node, JX.text, text(part.text))
            b.add(self.iri(part.issue), ISSUE_PART_PROPERTIES[part.kind], node)
            self._patterns(node, part.patterns)
            if part.addresses:
                b.add(node, JX.addresses, iri(iris.issue_part(self._iri(part.issue), part.addresses)))
        for st in ex.statements:
            node = self.iri(st)
            b.resource(node, ISSUE_PART_CLASSES[st.kind], *st.span, section=self.iri(st.section))
            b.add(node, JX.ordinal, integer(st.ordinal))
            b.add(node, JX.text, text(st.text))
            b.add(self.report, ISSUE_PART_PROPERTIES[st.kind], node)
            self._patterns(node, st.patterns)
        for item in ex.work_items:
            node = self.iri(item)
            b.resource(node, JX.WorkItem, *item.span, section=self.iri(item.section))
            b.add(node, JX.text, text(item.text))
        for doc in ex.documents:
            node = iri(iris.document(doc.title))
            b.t.add((node, RDF_TYPE, JX.Document))
            b.t.add((node, JX.title, text(doc.title)))
            b.t.add((node, RDFS_LABEL, zh(doc.title)))
            b.sourced(node, *doc.span)
            b.add(self.iri(doc.section), JX.cites, node)
        for mention in ex.beneficiaries:
            group = iri(iris.group(mention.group))
            b.t.add((group, RDF_TYPE, JX.BeneficiaryGroup))
            b.t.add((group, JX.canonicalName, text(mention.group)))
            b.t.add((group, RDFS_LABEL, zh(mention.group)))
            if mention.about is not None:
                b.add(self.iri(mention.about), JX.beneficiary, group)
            for start, end in mention.figures:
                b.add(b.figure_iri(start, end), JX.beneficiary, group)
        for partner in ex.partners:
            b.add(self.iri(partner.about), JX.partner, self.iri(partner.org))
        for prog in ex.programmes:
            node = iri(iris.programme(ex.report.department.canonical, prog.name))
            b.t.add((node, RDF_TYPE, JX.Programme))
            b.t.add((node, JX.name, text(prog.name)))
            b.t.add((node, RDFS_LABEL, zh(prog.name)))
            b.sourced(node, *prog.span)
            b.add(self.iri(prog.about), JX.programme, node)
        for unit in ex.budget_units:
            node = self.iri(unit.org)
            b.add(node, JX.unitKind, vocab("unitkind", unit.kind))
            b.add(self.dept, JX.hasBudgetUnit, node)
        for line in ex.spending_lines:
            self._line(line)
        for project in ex.projects:
            self._project(project)
        for ind in ex.indicators:
            self._indicator(ind)
        for ev in ex.evaluations:
            self._evaluation(ev)
        for figure in ex.figures:
            self._figure(figure)
        return b

    # -- one record each -------------------------------------------------------------------------
    def _report(self) -> None:
        rep, b = self.ex.report, self.b
        b.resource(self.node, JX.Report, *rep.span, label=rep.title)
        b.add(self.node, JX.title, text(rep.title))
        b.add(self.node, JX.department, self.dept)
        b.add(self.node, JX.fiscalYear, gyear(rep.fiscal_year))
        b.add(self.node, JX.fiscalPeriod, b.year(rep.fiscal_year))
        b.add(self.node, JX.reportKind, vocab("kind", rep.kind))
        b.add(self.node, JX.sourceFile, b.file)

    def _organisation(self, org: r.Organisation) -> None:
        name = org.name
        node = self.b.organisation(name.canonical, ORG_CLASSES[org.kind], alias=name.alias, region=name.region)
        if org.span is not None:
            self.b.sourced(node, *org.span)

    def _section(self, sec: r.Section) -> None:
        b, node = self.b, self.iri(sec)
        b.resource(node, JX.Section, *sec.span, label=sec.label)
        b.add(node, JX.number, text(sec.number))
        b.add(node, JX.level, integer(sec.level))
        b.add(node, JX.ordinal, integer(sec.ordinal))
        b.add(node, JX.inReport, self.report)
        b.add(self.iri(sec.parent) or self.node, JX.hasSection, node)
        b.add(node, JX.sectionRole, vocab("role", sec.role))
        for word in sec.cutoff_notes:
            b.add(node, JX.cutoffNote, text(word))

    def _patterns(self, node: ox.NamedNode, patterns: list[str]) -> None:
        for key in patterns:
            self.b.add(node, JX.problemPattern, vocab("pattern", key))

    def _line(self, line: r.SpendingLine) -> None:
        b, node = self.b, self.iri(line)
        b.t.add((node, RDF_TYPE, JX.SpendingAggregate))
        b.t.add((node, JX.spendingKind, vocab("spend", line.kind)))
        b.t.add((node, JX.budgetHolder, self.iri(line.holder) or self.dept))
        b.t.add((node, RDFS_LABEL, zh(line.label)))
        for year in line.unstated_years:
            b.add(node, JX.missing, text(f"{year} 年数值未写明 / current-year value not stated"))

    def _project(self, p: r.Project) -> None:
        b, node = self.b, self.iri(p)
        b.resource(node, JX.Project, *p.span, label=p.name, section=self.iri(p.section))
        b.add(node, JX.tableRow, integer(p.table_row) if p.table_row is not None else None)
        b.add(node, JX.budgetHolder, self.iri(p.holder))
        if p.name:
            b.add(node, JX.name, text(p.name))
        b.add(node, JX.nameStatus, vocab("name", p.name_status))
        if p.inferred_name is not None:
            b.add(node, JX.inferredName, text(p.inferred_name))
            b.add(node, JX.inferenceEvidence, b.span(*p.evidence))
        for alias in p.aliases:
            b.add(node, JX.alias, text(alias))
        for flag in p.flags:
            b.flag(node, flag)

    def _indicator(self, ind: r.Indicator) -> None:
        b, node = self.b, self.iri(ind)
        b.resource(node, JX.Indicator, *ind.span, label=ind.name or None, section=self.iri(ind.section))
        b.add(self.node, JX.hasIndicator, node)
        b.add(node, JX.tableRow, integer(ind.table_row))
        if ind.name:
            b.add(node, JX.name, text(ind.name))
        b.add(node, JX.category, concept(ind.category))
        b.add(node, JX.targetText, text(ind.target_text) if ind.target_text is not None else None)
        b.add(node, JX.actualText, text(ind.actual_text) if ind.actual_text is not None else None)
        b.add(node, JX.target, self.iri(ind.target))
        b.add(node, JX.actual, self.iri(ind.actual))
        b.add(node, JX.comparator, vocab("cmp", ind.comparator))
        b.add(node, JX.quantitative, boolean(ind.quantitative))
        for flag in ind.flags:
            b.flag(node, flag)

    def _evaluation(self, ev: r.Evaluation) -> None:
        b, node = self.b, self.iri(ev)
        b.resource(
            node,
            JX.ThirdPartyEvaluation if ev.third_party else JX.SelfEvaluation,
            *ev.span,
            section=self.iri(ev.section),
        )
        b.add(node, RDF_TYPE, JX.Evaluation)
        b.add(self.node, JX.evaluation, node)
        b.add(node, JX.evaluated, self.iri(ev.evaluated))
        b.add(node, JX.evaluatedYear, gyear(ev.evaluated_year))
        b.add(node, JX.evaluator, self.iri(ev.evaluator))
        for score in ev.scores:
            b.add(node, JX.score, self.iri(score))
        for grade in ev.grades:
            b.add(node, JX.grade, vocab("grade", grade))

    def _figure(self, f: r.Quantity) -> None:
        b = self.b
        common = dict(
            value=f.value,
            multiplier=f.multiplier,
            unit=f.unit,
            stated_unit=f.stated_unit,
            qualifier=f.qualifier,
            comparator=f.comparator,
            counts=f.counts,
            value_max=f.value_max,
            about=self.iri(f.about),
            section=self.iri(f.section),
        )
        match f:
            case r.BudgetFigure():
                node = b.budget_figure(
                    *f.span,
                    line=self.iri(f.line),
                    phase=f.phase,
                    reference_year=f.reference_year,
                    kind=f.kind,
                    **common,
                )
            case r.Rate():
                node = b.rate(
                    *f.span,
                    kind=f.rate_kind,
                    numerator=self.iri(f.numerator),
                    denominator=self.iri(f.denominator),
                    line=self.iri(f.line),
                    **common,
                )
                b.add(node, JX.direction, vocab("dir", f.direction))
                b.add(node, JX.changeFrom, self.iri(f.change_from))
                b.add(node, JX.changeTo, self.iri(f.change_to))
            case r.Change():
                node = b.change(
                    *f.span,
                    direction=f.direction,
                    change_from=self.iri(f.change_from),
                    change_to=self.iri(f.change_to),
                    kind=f.kind,
                    **common,
                )
            case r.DeclaredCount():
                node = b.quantity(*f.span, cls=JX.DeclaredCount, kind=f.kind, **common)
                b.add(node, JX.countedCategory, concept(f.category))
                b.add(node, JX.counts, text(f.category_word))
            case _:
                node = b.quantity(*f.span, kind=f.kind, **common)
        for flag in f.flags:
            b.flag(node, flag)
