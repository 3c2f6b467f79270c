"""GraphBuilder: the one place that turns extracted facts into triples of the jixiao ontology.

Every resource and figure gets a source span (Web Annotation position + quote selectors) whose
offsets index the decoded original text, and whose quote is exactly that text. IRIs come from
``jixiao.iris``; identical input yields identical triples.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
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


@lru_cache(maxsize=65536)
def integer(n: int) -> Literal:
    """xsd:integer literal, cached: rdflib's Literal constructor is a large part of ingest time."""
    return Literal(n, datatype=XSD.integer)


@lru_cache(maxsize=65536)
def dec(value: Decimal | int | str) -> Literal:
    """An xsd:decimal literal in the lexical form Oxigraph stores ("13", "13.25"), so a graph
    read back from the store is isomorphic to the one written."""
    return Literal(format(Decimal(value).normalize(), "f"), datatype=XSD.decimal)


def vocab(prefix: str, key: str | None) -> URIRef | None:
    """``vocab("unit", "yuan")`` → jxv:unit_yuan; raises for a key the vocabulary lacks."""
    if not key:
        return None
    return getattr(JXV, f"{prefix}_{key}")


class TripleSet:
    """The triples of one report while it is built: an insertion-ordered set with the few lookups
    extraction needs. Far cheaper than an rdflib Graph (a third of ingest time went to rdflib's
    indexes); ``to_graph()`` builds the rdflib Graph once the report is complete."""

    def __init__(self) -> None:
        self._triples: dict[tuple, None] = {}
        self._by_sp: dict[tuple, list] = {}
        self.prefixes: dict[str, str] = {}

    def add(self, triple: tuple) -> None:
        triples = self._triples
        if triple not in triples:
            triples[triple] = None
            s, p, o = triple
            found = self._by_sp.get((s, p))
            if found is None:
                self._by_sp[(s, p)] = [o]
            else:
                found.append(o)

    def remove(self, triple: tuple) -> None:
        if triple in self._triples:
            del self._triples[triple]
            self._by_sp[triple[:2]].remove(triple[2])

    def __contains__(self, triple: tuple) -> bool:
        if triple[2] is None:
            return bool(self._by_sp.get(triple[:2]))
        return triple in self._triples

    def objects(self, s, p) -> list:
        return list(self._by_sp.get((s, p), ()))

    def value(self, s, p):
        found = self._by_sp.get((s, p))
        return found[0] if found else None

    def __iter__(self):
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)

    def bind(self, prefix: str, namespace: str) -> None:
        self.prefixes[prefix] = namespace

    def to_graph(self) -> Graph:
        g = Graph()
        for prefix, ns in self.prefixes.items():
            g.bind(prefix, ns)
        for t in self._triples:
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
        self._spans: set[tuple[int, int]] = set()
        g = self.t
        g.add((self.file, RDF.type, JX.SourceFile))
        g.add((self.file, JX.sha256, Literal(source.sha256)))
        g.add((self.file, JX.encoding, Literal(source.encoding)))
        g.add((self.file, JX.fileName, Literal(source.path.name)))
        g.add((self.file, JX.charCount, Literal(len(source.text), datatype=XSD.integer)))

    @property
    def g(self) -> Graph:
        """The report as an rdflib Graph (built on each access: call once the report is complete)."""
        return self.t.to_graph()

    # -- basic triples -------------------------------------------------------------------------
    def add(self, s: URIRef, p: URIRef, o: object) -> None:
        if o is None:
            return
        if not isinstance(o, (URIRef, Literal)):
            o = dec(o) if isinstance(o, Decimal) else Literal(o)
        self.t.add((s, p, o))

    def local(self, *parts: object) -> URIRef:
        return iris.local(self.report, *parts)

    # -- provenance ----------------------------------------------------------------------------
    def span(self, start: int, end: int) -> URIRef:
        """The source span [start, end) of the original text; its quote is the text there."""
        if not 0 <= start < end <= len(self.source.text):
            raise ValueError(f"span {start}-{end} outside the text (0-{len(self.source.text)})")
        node = iris.span(self.report, start, end)
        if (start, end) not in self._spans:
            self._spans.add((start, end))
            pos, quote = URIRef(f"{node}/pos"), URIRef(f"{node}/quote")
            g = self.t
            g.add((node, RDF.type, JX.SourceSpan))
            g.add((node, OA_HAS_SOURCE, self.file))
            g.add((node, OA_HAS_SELECTOR, pos))
            g.add((node, OA_HAS_SELECTOR, quote))
            g.add((pos, RDF.type, OA_POS))
            g.add((pos, OA_START, integer(start)))
            g.add((pos, OA_END, integer(end)))
            g.add((quote, RDF.type, OA_QUOTE))
            g.add((quote, OA_EXACT, Literal(self.source.text[start:end])))
        return node

    def sourced(self, node: URIRef, start: int, end: int) -> URIRef:
        self.t.add((node, JX.sourceSpan, self.span(start, end)))
        return node

    # -- resources -----------------------------------------------------------------------------
    def resource(self, node: URIRef, cls: URIRef, start: int, end: int, *, label: str | None = None,
                 section: URIRef | None = None) -> URIRef:
        self.t.add((node, RDF.type, cls))
        if label:
            self.t.add((node, RDFS.label, Literal(label, lang="zh")))
        if section is not None:
            self.t.add((node, JX.inSection, section))
        return self.sourced(node, start, end)

    def organisation(self, canonical: str, cls: URIRef = JX.Organisation, *, alias: str | None = None,
                     region: str | None = None) -> URIRef:
        node = iris.org(canonical)
        g = self.t
        g.add((node, RDF.type, cls))
        g.add((node, JX.canonicalName, Literal(canonical)))
        g.add((node, RDFS.label, Literal(canonical, lang="zh")))
        if alias and alias != canonical:
            g.add((node, JX.alias, Literal(alias)))
        if region:
            g.add((node, JX.region, Literal(region)))
        return node

    def year(self, y: int) -> URIRef:
        node = iris.year(y)
        self.t.add((node, RDF.type, TIME_INTERVAL))
        self.t.add((node, RDFS.label, Literal(f"{y}年", lang="zh")))
        return node

    def quantity(self, start: int, end: int, *, value: Decimal, multiplier: int | Decimal = 1,
                 unit: str | None = None, stated_unit: str | None = None, qualifier: str | None = None,
                 comparator: str | None = None, counts: str | None = None, kind: str | None = None,
                 value_max: Decimal | None = None, about: URIRef | None = None,
                 section: URIRef | None = None, cls: URIRef = JX.Quantity) -> URIRef:
        """A figure at original offsets [start, end) (the surface with qualifier and unit)."""
        node = iris.figure(self.report, start, end)
        g, add = self.t, self.add
        g.add((node, RDF.type, cls))
        if cls != JX.Quantity:
            g.add((node, RDF.type, JX.Quantity))
        add(node, JX.value, dec(value))
        add(node, JX.multiplier, dec(multiplier))
        add(node, JX.normalizedValue, dec(Decimal(value) * Decimal(multiplier)))
        if value_max is not None:
            add(node, JX.valueMax, dec(value_max))
        add(node, JX.unit, vocab("unit", unit))
        add(node, JX.statedUnit, Literal(stated_unit) if stated_unit else None)
        add(node, JX.statedForm, Literal(self.source.text[start:end]))
        add(node, JX.qualifier, vocab("qual", qualifier))
        add(node, JX.comparator, vocab("cmp", comparator))
        add(node, JX.counts, Literal(counts) if counts else None)
        add(node, JX.figureKind, vocab("fk", kind))
        add(node, JX.about, about)
        add(node, JX.inSection, section)
        self.sourced(node, start, end)
        return node

    def budget_figure(self, start: int, end: int, *, line: URIRef, phase: str,
                      reference_year: int | None = None, **kw) -> URIRef:
        node = self.quantity(start, end, cls=JX.BudgetFigure, **kw)
        self.add(node, JX.budgetLine, line)
        self.add(node, JX.budgetPhase, vocab("phase", phase))
        self.add(node, QB_DATASET, self.local("budget"))
        if reference_year is not None:
            self.add(node, JX.referenceYear, Literal(str(reference_year), datatype=XSD.gYear))
        return node

    def rate(self, start: int, end: int, *, kind: str, numerator: URIRef | None = None,
             denominator: URIRef | None = None, line: URIRef | None = None, **kw) -> URIRef:
        kw.setdefault("unit", "percent")
        node = self.quantity(start, end, cls=JX.Rate, kind="percent", **kw)
        self.add(node, JX.rateKind, vocab("rate", kind))
        self.add(node, JX.numerator, numerator)
        self.add(node, JX.denominator, denominator)
        self.add(node, JX.budgetLine, line)
        return node

    def change(self, start: int, end: int, *, direction: str, change_from: URIRef | None,
               change_to: URIRef | None, **kw) -> URIRef:
        node = self.quantity(start, end, cls=JX.Change, **kw)
        self.add(node, JX.direction, vocab("dir", direction))
        self.add(node, JX.changeFrom, change_from)
        self.add(node, JX.changeTo, change_to)
        return node

    def flag(self, node: URIRef, key: str) -> None:
        self.t.add((node, JX.flag, vocab("flag", key)))
