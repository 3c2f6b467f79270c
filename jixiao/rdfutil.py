"""Small RDF helpers shared by ingest, store, tests: canonical literals and graph comparison."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

_INTEGERS = {XSD.integer, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.int, XSD.long}


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
