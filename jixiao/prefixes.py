"""The project's prefixes, in one place: what Turtle/TriG output declares, what tables and DataFrames
compact IRIs with, what the query page preloads, and what the JSON-LD context is built from.

``jxd:`` (minted instance IRIs) is a prefix for reading (tables, the query page, JSON-LD) but not for
Turtle/TriG output: instance IRIs end in paths (``…/report/<key>/2024/…/fig/12-18``) whose slashes a
Turtle prefixed name would have to escape (``jxd:report\\/…``), so they are written in full there.
"""

from __future__ import annotations

from jixiao import iris

PREFIXES: dict[str, str] = {
    "jx": "https://w3id.org/jixiao/def#",
    "jxv": "https://w3id.org/jixiao/vocab#",
    "jxd": iris.BASE,
    "jxs": "https://w3id.org/jixiao/shapes#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "oa": "http://www.w3.org/ns/oa#",
    "prov": "http://www.w3.org/ns/prov#",
    "qb": "http://purl.org/linked-data/cube#",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "schema": "https://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "qudt": "http://qudt.org/schema/qudt/",
    "cccev": "http://data.europa.eu/m8g/",
    "sh": "http://www.w3.org/ns/shacl#",
}
"""Prefix → namespace IRI (tests/test_prefixes.py checks them against the ontology's own declarations)."""

# longest namespace first, so a namespace inside another one (none today) would still win
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def compact(iri: str) -> str:
    """``prefix:local`` for an IRI in one of the project's namespaces, else the IRI unchanged."""
    for prefix, ns in _BY_LENGTH:
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def turtle_prefixes() -> dict[str, str]:
    """The prefixes Turtle and TriG output declares (all but ``jxd:``, see the module docstring)."""
    return {p: ns for p, ns in PREFIXES.items() if p != "jxd"}


def sparql_prologue(names: list[str] | None = None) -> str:
    """``PREFIX`` lines for SPARQL text (all prefixes, or ``names``)."""
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in (names or PREFIXES))


def jsonld_context() -> dict:
    """The JSON-LD ``@context`` of jixiao's JSON-LD output: one prefix definition per namespace.

    The one place the context is made: when the ontology publishes its own context document
    (``ontology/context.jsonld``), return that file's ``@context`` here and every writer follows."""
    return {"@context": dict(PREFIXES)}
