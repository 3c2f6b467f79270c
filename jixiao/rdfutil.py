"""Small RDF helpers shared by ingest, store, validation, queries and tests: the term converters
between rdflib and pyoxigraph and to N-Triples (the only ones in jixiao), canonical literals and
graph comparison."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD
from rdflib.term import Node

_INTEGERS = {XSD.integer, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.int, XSD.long}
XSD_STRING = str(XSD.string)

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
OX_TERMS = (ox.NamedNode, ox.BlankNode, ox.Literal)


def to_ox(term: Node | OxTerm) -> OxTerm:
    """An rdflib term as a pyoxigraph term (an IRI or language tag Oxigraph rejects raises ValueError);
    a pyoxigraph term as itself."""
    if type(term) in OX_TERMS:
        return term
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r}")


def from_ox(term) -> Node:
    """A pyoxigraph term as an rdflib term (xsd:string literals as plain literals); an rdflib term as
    itself."""
    if isinstance(term, Node):
        return term
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"cannot convert {term!r}")


def nt_term(term: Node | OxTerm) -> str:
    """One term in N-Triples as Oxigraph writes it: a pyoxigraph term's own serialisation (``str``),
    an rdflib term converted first (so an IRI Oxigraph rejects raises ValueError, language tags are
    lower-cased, xsd:string is implicit)."""
    return str(term if type(term) in OX_TERMS else to_ox(term))


def from_ox_memoised() -> Callable:
    """``from_ox`` remembering what it converted, for one batch of terms (a query's answer repeats
    terms: a report's title on each of its rows, units, phases); None stays None."""
    memo: dict = {None: None}

    def convert(term):
        try:
            return memo[term]
        except KeyError:
            out = memo[term] = from_ox(term)
            return out

    return convert


def canonical_literal(lit: Literal) -> Literal:
    """The lexical form Oxigraph stores: decimals without trailing zeros ("120", "13.25"),
    integers as xsd:integer, xsd:string as a plain literal."""
    if lit.datatype == XSD.decimal:
        try:
            return Literal(format(Decimal(str(lit)).normalize(), "f"), datatype=XSD.decimal)
        except InvalidOperation:
            return lit
    if lit.datatype in _INTEGERS:
        try:
            return Literal(str(int(str(lit))), datatype=XSD.integer)
        except ValueError:
            return lit
    if lit.datatype == XSD.string:
        return Literal(str(lit))
    return lit


def canonical_graph(g: Graph) -> Graph:
    out = Graph()
    for prefix, ns in g.namespaces():
        out.bind(prefix, ns, override=True)
    for s, p, o in g:
        out.add((s, p, canonical_literal(o) if isinstance(o, Literal) else o))
    return out


def same_graph(a: Graph, b: Graph) -> bool:
    """Isomorphic after canonicalising literals (Turtle `120.0` and stored `120` are one value)."""
    return isomorphic(canonical_graph(a), canonical_graph(b))
