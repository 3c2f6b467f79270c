"""emit: the one place that turns what a report says (`jixiao.ingest.records`) into triples of the
jixiao ontology: ``emit(records)`` walks the records, `GraphBuilder` writes spans, resources and
figures.

Every resource and figure gets a source span (Web Annotation position + quote selectors) whose
offsets index the decoded original text, and whose quote is exactly that text. IRIs come from
``jixiao.iris``; identical input yields identical triples.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from itertools import compress, islice
from operator import itemgetter
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from jixiao import iris
from jixiao import ns as _ns
from jixiao.ingest import records as r
from jixiao.ns import OA, ORG, PROV, QB, TIME


class _CachedTerms:
    """A DefinedNamespace with its terms cached as plain attributes: the first use of a name goes
    through the namespace (which refuses undeclared terms); later ones are ordinary attribute reads.
    rdflib's DefinedNamespace lookup was ~15% of ingest time."""

    def __init__(self, namespace) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str):
        term = getattr(self._namespace, name)
        setattr(self, name, term)
        return term


JX = _CachedTerms(_ns.JX)
JXV = _CachedTerms(_ns.JXV)

OA_HAS_SOURCE = OA.hasSource
OA_HAS_SELECTOR = OA.hasSelector
OA_POS = OA.TextPositionSelector
OA_QUOTE = OA.TextQuoteSelector
OA_START = OA.start
OA_END = OA.end
OA_EXACT = OA.exact
QB_DATASET = QB.dataSet
TIME_INTERVAL = TIME.ProperInterval

PREFIXES = {
    "jx": str(_ns.JX),
    "jxv": str(_ns.JXV),
    "jxd": iris.BASE,
    "oa": str(OA),
    "prov": str(PROV),
    "qb": str(QB),
    "org": str(ORG),
    "skos": str(SKOS),
    "time": str(TIME),
}


RDF_TYPE = RDF.type  # rdflib's DefinedNamespace lookups (RDF.type, XSD.integer) cost ~2 µs each
RDFS_LABEL = RDFS.label
XSD_INTEGER = XSD.integer
XSD_DECIMAL = XSD.decimal
TERM_TYPES = frozenset((URIRef, Literal))  # isinstance on rdflib terms goes through ABCMeta: test the type


def minted(iri: str) -> URIRef:
    """A URIRef for an IRI built here from parts that are valid IRI text (a minted IRI plus offsets):
    the object ``URIRef(iri)`` returns, without its per-call scan for characters invalid in IRIs."""
    return str.__new__(URIRef, iri)


def _fast_literal(
    lexical: str, lang: str | None, datatype: URIRef | None, value: object, ill_typed: bool | None = None
) -> Literal:
    """The Literal ``Literal.__new__`` builds for a string (with or without a language), a Python
    int with datatype xsd:integer or a well-formed xsd:decimal lexical form, with its slots filled
    directly: rdflib's generic constructor (casting, normalising) took ~1.3 µs a literal (~3 µs a
    decimal), a large part of emit's time."""
    lit = str.__new__(Literal, lexical)
    lit._language = lang
    lit._datatype = datatype
    lit._value = value
    lit._ill_typed = ill_typed
    return lit


def _fast_literals_match() -> bool:
    """Whether ``_fast_literal`` builds what rdflib's constructor builds (checked at import; when an
    rdflib release changes Literal's internals, emit falls back to the constructor)."""

    def key(lit: Literal) -> tuple:
        return (type(lit), str(lit), lit.language, lit.datatype, lit.value, lit.ill_typed, hash(lit), lit.n3())

    try:
        return all(
            key(fast) == key(slow) and fast == slow
            for fast, slow in (
                (_fast_literal('文本 "x"', None, None, '文本 "x"'), Literal('文本 "x"')),
                (_fast_literal("文本", "zh", None, "文本"), Literal("文本", lang="zh")),
                (_fast_literal("42", None, XSD_INTEGER, 42), Literal(42, datatype=XSD_INTEGER)),
                *((_fast_decimal(d), Literal(d, datatype=XSD_DECIMAL)) for d in ("13.25", "120", "-0.5", "0", "-0")),
            )
        )
    except (AttributeError, TypeError):
        return False


def _fast_decimal(lexical: str) -> Literal:
    """``Literal(lexical, datatype=XSD.decimal)`` for a finite decimal in plain notation (what rdflib
    writes back for it: the same string)."""
    return _fast_literal(lexical, None, XSD_DECIMAL, Decimal(lexical), False)


FAST_LITERALS = _fast_literals_match()


def text(value: str) -> Literal:
    """A plain string literal (``Literal(value)``)."""
    if FAST_LITERALS and type(value) is str:
        return _fast_literal(value, None, None, value)
    return Literal(value)


def zh(value: str) -> Literal:
    """A Chinese-language literal (``Literal(value, lang="zh")``)."""
    if FAST_LITERALS and type(value) is str:
        return _fast_literal(value, "zh", None, value)
    return Literal(value, lang="zh")


@lru_cache(maxsize=65536, typed=True)
def integer(n: int) -> Literal:
    """An xsd:integer literal (``Literal(n, datatype=XSD.integer)``), cached: offsets recur across
    reports, and one object for equal literals is also converted once by ``jixiao.store.ntriples``."""
    if FAST_LITERALS and type(n) is int:
        return _fast_literal(str(n), None, XSD_INTEGER, n)
    return Literal(n, datatype=XSD_INTEGER)


@lru_cache(maxsize=256, typed=True)
def gyear(year: int) -> Literal:
    """An xsd:gYear literal of a year (``Literal(str(year), datatype=XSD.gYear)``)."""
    return Literal(str(year), datatype=XSD.gYear)


@lru_cache(maxsize=2, typed=True)
def boolean(value: bool) -> Literal:
    """An xsd:boolean literal (``Literal(value)``)."""
    return Literal(value)


@lru_cache(maxsize=65536)
def dec(value: Decimal | int | str) -> Literal:
    """An xsd:decimal literal in the lexical form Oxigraph stores ("13", "13.25"), so a graph
    read back from the store is isomorphic to the one written."""
    d = Decimal(value).normalize()
    if FAST_LITERALS and d.is_finite():
        return _fast_decimal(format(d, "f"))
    return Literal(format(d, "f"), datatype=XSD_DECIMAL)


def vocab(prefix: str, key: str | None) -> URIRef | None:
    """``vocab("unit", "yuan")`` → jxv:unit_yuan; raises for a key the vocabulary lacks."""
    if not key:
        return None
    return getattr(JXV, f"{prefix}_{key}")


def _with_predicate(triples: Iterable[tuple], predicates: set) -> Iterator[tuple]:
    """The triples whose predicate is one of ``predicates``, filtered without a Python step a triple."""
    return compress(triples, map(predicates.__contains__, map(_PREDICATE, triples)))


_PREDICATE = itemgetter(1)


class TripleSet:
    """The triples of one report while it is built: an insertion-ordered set with the few lookups
    extraction needs. Far cheaper than an rdflib Graph (a third of ingest time went to rdflib's
    indexes); ``to_graph()`` builds the rdflib Graph once the report is complete.

    ``add`` is a bare list append (~17k a report); when the set is next read, the added triples
    join it in one dict update (duplicates dropped, first position kept) without a Python loop
    per triple. The (subject, predicate) → objects index covers only the predicates looked up
    (``objects``, ``value``, ``(s, p, None) in``): ``indexed`` names them up front, any other is
    indexed at its first lookup from the triples so far, and kept up to date after."""

    def __init__(self, indexed: Iterable = ()) -> None:
        self._added: list[tuple] = []  # added since the last read, duplicates included
        self.add: Callable[[tuple], None] = self._added.append
        self._triples: dict[tuple, None] = {}
        self._by_sp: dict[tuple, list] = {}
        self._indexed: set = set(indexed)  # predicates with an up-to-date (s, p) index
        self.prefixes: dict[str, str] = {}

    def _sync(self) -> dict[tuple, None]:
        added = self._added
        if added:
            triples = self._triples
            fresh = dict.fromkeys(added)  # one hash a triple (a Literal hashes in Python): update reuses it
            added.clear()
            n = len(triples)
            triples.update(fresh)  # a triple already there keeps its place and its objects
            if self._indexed:
                # the new triples are the entries after the first n (all of fresh when none was there)
                new = fresh if len(triples) - n == len(fresh) else list(islice(triples, n, None))
                self._index(_with_predicate(new, self._indexed))
        return self._triples

    def _index(self, triples: Iterable[tuple]) -> None:
        by_sp = self._by_sp
        for s, p, o in triples:
            found = by_sp.get((s, p))
            if found is None:
                by_sp[s, p] = [o]
            else:
                found.append(o)

    def _objects(self, s, p) -> list | None:
        triples = self._sync()
        if p not in self._indexed:
            self._indexed.add(p)
            self._index(_with_predicate(triples, {p}))
        return self._by_sp.get((s, p))

    def remove(self, triple: tuple) -> None:
        if triple in self._sync():
            del self._triples[triple]
            if triple[1] in self._indexed:
                self._by_sp[triple[:2]].remove(triple[2])

    def __contains__(self, triple: tuple) -> bool:
        if triple[2] is None:
            return bool(self._objects(triple[0], triple[1]))
        return triple in self._sync()

    def objects(self, s, p) -> list:
        return list(self._objects(s, p) or ())

    def value(self, s, p):
        found = self._objects(s, p)
        return found[0] if found else None

    def __iter__(self):
        return iter(self._sync())

    def __len__(self) -> int:
        return len(self._sync())

    def bind(self, prefix: str, namespace: str) -> None:
        self.prefixes[prefix] = namespace

    def to_graph(self) -> Graph:
        g = Graph()
        for prefix, ns in self.prefixes.items():
            g.bind(prefix, ns)
        for t in self._sync():
            g.add(t)
        return g


@dataclass(frozen=True)
class Source:
    path: Path
    text: str
    sha256: str
    encoding: str


class GraphBuilder:
    def __init__(self, report: URIRef, source: Source):
        self.report = report
        self.source = source
        self.file = iris.source_file(source.sha256)
        self.t = TripleSet()
        for p, ns in PREFIXES.items():
            self.t.bind(p, ns)
        self._spans: dict[tuple[int, int], URIRef] = {}
        # one literal object per string for the strings figures repeat (a figure's jx:statedForm is its
        # span's oa:exact; units, counts): ``jixiao.store.ntriples`` converts each distinct object once
        self._texts: dict[str, Literal] = {}
        self._iris = iris.ReportIris(report)  # span, selector and figure IRIs: the fast path
        self.budget = iris.budget_dataset(report)
        g = self.t
        g.add((self.file, RDF_TYPE, JX.SourceFile))
        g.add((self.file, JX.sha256, Literal(source.sha256)))
        g.add((self.file, JX.encoding, Literal(source.encoding)))
        g.add((self.file, JX.fileName, Literal(source.path.name)))
        g.add((self.file, JX.charCount, Literal(len(source.text), datatype=XSD_INTEGER)))

    @property
    def g(self) -> Graph:
        """The report as an rdflib Graph (built on each access: call once the report is complete)."""
        return self.t.to_graph()

    # -- basic triples -------------------------------------------------------------------------
    def add(self, s: URIRef, p: URIRef, o: object) -> None:
        if o is None:
            return
        if type(o) not in TERM_TYPES and not isinstance(o, (URIRef, Literal)):
            o = dec(o) if isinstance(o, Decimal) else Literal(o)
        self.t.add((s, p, o))

    def local(self, *parts: object) -> URIRef:
        return iris.local(self.report, *parts)

    def _text(self, value: str) -> Literal:
        lit = self._texts.get(value)
        if lit is None:
            lit = self._texts[value] = text(value)
        return lit

    def figure_iri(self, start: int, end: int) -> URIRef:
        """The IRI of the figure at [start, end) (`jixiao.iris.figure`)."""
        return minted(self._iris.figure(start, end))

    # -- provenance ----------------------------------------------------------------------------
    def span(self, start: int, end: int) -> URIRef:
        """The source span [start, end) of the original text; its quote is the text there."""
        node = self._spans.get((start, end))
        if node is not None:
            return node
        src = self.source.text
        if not 0 <= start < end <= len(src):
            raise ValueError(f"span {start}-{end} outside the text (0-{len(src)})")
        node = self._spans[start, end] = minted(self._iris.span(start, end))
        pos, quote = minted(self._iris.selector(node, "pos")), minted(self._iris.selector(node, "quote"))
        add = self.t.add
        add((node, RDF_TYPE, JX.SourceSpan))
        add((node, OA_HAS_SOURCE, self.file))
        add((node, OA_HAS_SELECTOR, pos))
        add((node, OA_HAS_SELECTOR, quote))
        add((pos, RDF_TYPE, OA_POS))
        add((pos, OA_START, integer(start)))
        add((pos, OA_END, integer(end)))
        add((quote, RDF_TYPE, OA_QUOTE))
        add((quote, OA_EXACT, self._text(src[start:end])))
        return node

    def sourced(self, node: URIRef, start: int, end: int) -> URIRef:
        self.t.add((node, JX.sourceSpan, self.span(start, end)))
        return node

    # -- resources -----------------------------------------------------------------------------
    def resource(
        self,
        node: URIRef,
        cls: URIRef,
        start: int,
        end: int,
        *,
        label: str | None = None,
        section: URIRef | None = None,
    ) -> URIRef:
        self.t.add((node, RDF_TYPE, cls))
        if label:
            self.t.add((node, RDFS_LABEL, zh(label)))
        if section is not None:
            self.t.add((node, JX.inSection, section))
        return self.sourced(node, start, end)

    def organisation(
        self, canonical: str, cls: URIRef = JX.Organisation, *, alias: str | None = None, region: str | None = None
    ) -> URIRef:
        node = iris.org(canonical)
        g = self.t
        g.add((node, RDF_TYPE, cls))
        g.add((node, JX.canonicalName, text(canonical)))
        g.add((node, RDFS_LABEL, zh(canonical)))
        if alias and alias != canonical:
            g.add((node, JX.alias, text(alias)))
        if region:
            g.add((node, JX.region, text(region)))
        return node

    def year(self, y: int) -> URIRef:
        node = iris.year(y)
        self.t.add((node, RDF_TYPE, TIME_INTERVAL))
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
        about: URIRef | None = None,
        section: URIRef | None = None,
        cls: URIRef = JX.Quantity,
    ) -> URIRef:
        """A figure at original offsets [start, end) (the surface with qualifier and unit)."""
        node = self.figure_iri(start, end)
        add = self.t.add
        add((node, RDF_TYPE, cls))
        if cls is not JX.Quantity:  # (an equal, distinct object would add a duplicate: a no-op)
            add((node, RDF_TYPE, JX.Quantity))
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
        self.add(node, JX.about, about)
        self.add(node, JX.inSection, section)
        self.sourced(node, start, end)
        return node

    def budget_figure(
        self, start: int, end: int, *, line: URIRef, phase: str, reference_year: int | None = None, **kw
    ) -> URIRef:
        node = self.quantity(start, end, cls=JX.BudgetFigure, **kw)
        self.add(node, JX.budgetLine, line)
        self.add(node, JX.budgetPhase, vocab("phase", phase))
        self.add(node, QB_DATASET, self.budget)
        if reference_year is not None:
            self.add(node, JX.referenceYear, gyear(reference_year))
        return node

    def rate(
        self,
        start: int,
        end: int,
        *,
        kind: str,
        numerator: URIRef | None = None,
        denominator: URIRef | None = None,
        line: URIRef | None = None,
        **kw,
    ) -> URIRef:
        kw.setdefault("unit", "percent")
        node = self.quantity(start, end, cls=JX.Rate, kind="percent", **kw)
        self.add(node, JX.rateKind, vocab("rate", kind))
        self.add(node, JX.numerator, numerator)
        self.add(node, JX.denominator, denominator)
        self.add(node, JX.budgetLine, line)
        return node

    def change(
        self, start: int, end: int, *, direction: str, change_from: URIRef | None, change_to: URIRef | None, **kw
    ) -> URIRef:
        node = self.quantity(start, end, cls=JX.Change, **kw)
        self.add(node, JX.direction, vocab("dir", direction))
        self.add(node, JX.changeFrom, change_from)
        self.add(node, JX.changeTo, change_to)
        return node

    def flag(self, node: URIRef, key: str) -> None:
        self.t.add((node, JX.flag, vocab("flag", key)))


# -- records → triples ---------------------------------------------------------------------------
ORG_CLASSES = {"department": JX.Department, "organisation": JX.Organisation, "budget_unit": JX.BudgetUnit}
ISSUE_PART_CLASSES = {"problem": JX.Problem, "measure": JX.Measure, "effect": JX.Effect}
ISSUE_PART_PROPERTIES = {"problem": JX.problem, "measure": JX.measure, "effect": JX.effect}


def vocab_concept(local_name: str | None) -> URIRef | None:
    """``vocab_concept("ind_output")`` → jxv:ind_output; None for None."""
    return getattr(JXV, local_name) if local_name else None


def emit(ex: r.Extraction) -> GraphBuilder:
    """The triples of what a report says (one report's records), in a GraphBuilder."""
    return _Emitter(ex).run()


class _Emitter:
    def __init__(self, ex: r.Extraction):
        self.ex = ex
        rep = ex.report
        self.report = iris.report(rep.department.canonical, rep.fiscal_year, rep.kind, rep.subject)
        self.b = GraphBuilder(self.report, ex.source)
        self.dept = iris.org(rep.department.canonical)
        self._iris: dict[object, URIRef] = {}

    def iri(self, rec: object) -> URIRef | None:
        """The IRI of a record (None for None)."""
        if rec is None:
            return None
        found = self._iris.get(rec)
        if found is None:
            found = self._iris[rec] = self._mint(rec)
        return found

    def _mint(self, rec: object) -> URIRef:
        report = self.report
        match rec:
            case r.Quantity(span=(start, end)):
                return self.b.figure_iri(start, end)
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
                return iris.issue_part(self.iri(issue), kind)
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
            b.add(self.report, JX.hasDuty, node)
        for goal in ex.goals:
            node = self.iri(goal)
            b.resource(node, JX.PerformanceGoal, *goal.span, section=self.iri(goal.section))
            b.add(node, JX.text, text(goal.text))
            b.add(self.report, JX.hasGoal, node)
        for issue in ex.issues:
            node = self.iri(issue)
            b.resource(node, JX.RectificationIssue, *issue.span, section=self.iri(issue.section), label=issue.title)
            b.add(node, JX.title, text(issue.title))
            b.add(self.report, JX.rectificationIssue, node)
            b.add(node, JX.raisedBy, self.iri(issue.raised_by))
        for part in ex.issue_parts:
            node = self.iri(part)
            b.resource(node, ISSUE_PART_CLASSES[part.kind], *part.span, section=self.iri(part.section))
            b.add(node, JX.text, text(part.text))
            b.add(self.iri(part.issue), ISSUE_PART_PROPERTIES[part.kind], node)
            self._patterns(node, part.patterns)
            if part.addresses:
                b.add(node, JX.addresses, iris.issue_part(self.iri(part.issue), part.addresses))
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
            node = iris.document(doc.title)
            b.t.add((node, RDF_TYPE, JX.Document))
            b.t.add((node, JX.title, text(doc.title)))
            b.t.add((node, RDFS_LABEL, zh(doc.title)))
            b.sourced(node, *doc.span)
            b.add(self.iri(doc.section), JX.cites, node)
        for mention in ex.beneficiaries:
            group = iris.group(mention.group)
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
            node = iris.programme(ex.report.department.canonical, prog.name)
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
        b.resource(self.report, JX.Report, *rep.span, label=rep.title)
        b.add(self.report, JX.title, text(rep.title))
        b.add(self.report, JX.department, self.dept)
        b.add(self.report, JX.fiscalYear, gyear(rep.fiscal_year))
        b.add(self.report, JX.fiscalPeriod, b.year(rep.fiscal_year))
        b.add(self.report, JX.reportKind, vocab("kind", rep.kind))
        b.add(self.report, JX.sourceFile, b.file)

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
        b.add(self.iri(sec.parent) or self.report, JX.hasSection, node)
        b.add(node, JX.sectionRole, vocab("role", sec.role))
        for word in sec.cutoff_notes:
            b.add(node, JX.cutoffNote, text(word))

    def _patterns(self, node: URIRef, patterns: list[str]) -> None:
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
        b.add(self.report, JX.hasIndicator, node)
        b.add(node, JX.tableRow, integer(ind.table_row))
        if ind.name:
            b.add(node, JX.name, text(ind.name))
        b.add(node, JX.category, vocab_concept(ind.category))
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
        b.add(self.report, JX.evaluation, node)
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
                b.add(node, JX.countedCategory, vocab_concept(f.category))
                b.add(node, JX.counts, text(f.category_word))
            case _:
                node = b.quantity(*f.span, kind=f.kind, **common)
        for flag in f.flags:
            b.flag(node, flag)
