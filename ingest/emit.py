"""GraphBuilder: the one place that turns extracted facts into triples of the jixiao ontology.

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

OA = "http://www.w3.org/ns/oa#"
OA_HAS_SOURCE = URIRef(OA + "hasSource")
OA_HAS_SELECTOR = URIRef(OA + "hasSelector")
OA_POS = URIRef(OA + "TextPositionSelector")
OA_QUOTE = URIRef(OA + "TextQuoteSelector")
OA_START = URIRef(OA + "start")
OA_END = URIRef(OA + "end")
OA_EXACT = URIRef(OA + "exact")
QB_DATASET = URIRef("http://purl.org/linked-data/cube#dataSet")
ORG_HAS_SUB = URIRef("http://www.w3.org/ns/org#hasSubOrganization")
TIME_INTERVAL = URIRef("http://www.w3.org/2006/time#ProperInterval")

PREFIXES = {
    "jx": "https://w3id.org/jixiao/def#",
    "jxv": "https://w3id.org/jixiao/vocab#",
    "jxd": iris.BASE,
    "oa": OA,
    "prov": "http://www.w3.org/ns/prov#",
    "qb": "http://purl.org/linked-data/cube#",
    "org": "http://www.w3.org/ns/org#",
    "skos": str(SKOS),
    "time": "http://www.w3.org/2006/time#",
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
                # the new triples are the entries after the first n (all of fresh when none was there),
                # read from the end: skipping the first n from the start made ingest quadratic
                added_n = len(triples) - n
                new = fresh if added_n == len(fresh) else list(islice(reversed(triples), added_n))[::-1]
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


# The predicates extraction looks up by subject while it builds a report (a budget line's label for
# a figure's jx:counts, the indicators and rectification issues so far, an inferred name), indexed
# as triples come in: a first lookup would otherwise scan the ~10k triples already there.
LOOKED_UP = (RDFS_LABEL, JX.hasIndicator, JX.rectificationIssue, JX.inferredName)


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
        self.t = TripleSet(indexed=LOOKED_UP)
        for p, ns in PREFIXES.items():
            self.t.bind(p, ns)
        self._spans: dict[tuple[int, int], URIRef] = {}
        # one literal object per string for the strings figures repeat (a figure's jx:statedForm is its
        # span's oa:exact; units, counts): ``jixiao.store.ntriples`` converts each distinct object once
        self._texts: dict[str, Literal] = {}
        # span and figure IRIs are these prefixes + "start-end" (tests/test_emit_speed_paths.py checks
        # them against iris.span / iris.figure): formatting one string beats iris.local's join
        self._span_iri = iris.span(report, 0, 1).removesuffix("0-1")
        self._figure_iri = iris.figure(report, 0, 1).removesuffix("0-1")
        self._budget = self.local("budget")
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

    # -- provenance ----------------------------------------------------------------------------
    def span(self, start: int, end: int) -> URIRef:
        """The source span [start, end) of the original text; its quote is the text there."""
        node = self._spans.get((start, end))
        if node is not None:
            return node
        src = self.source.text
        if not 0 <= start < end <= len(src):
            raise ValueError(f"span {start}-{end} outside the text (0-{len(src)})")
        node = self._spans[start, end] = minted(f"{self._span_iri}{start}-{end}")  # = iris.span(...)
        pos, quote = minted(f"{node}/pos"), minted(f"{node}/quote")
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
        node = minted(f"{self._figure_iri}{start}-{end}")  # = iris.figure(self.report, start, end)
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
        self.add(node, QB_DATASET, self._budget)
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
