"""jixiao's published JSON-LD context (ontology/context.jsonld) and compacted JSON-LD output.

The context gives every jx: class and property a plain term (``Report``, ``fiscalYear``,
``department``) with its value type from the ontology (``@id`` for object properties, the XSD range of
datatype properties), ``label`` as a language map, ``id``/``type`` for ``@id``/``@type``, the project's
prefixes, and the few external terms linking adds (``sameAs``, ``exactMatch``, ``closeMatch``,
``subOrganizationOf``, the Data Cube's ``dataSet``, ``structure``). A web developer reads
``{"type": "Report", "fiscalYear": "2024", "label": {"zh": "…"}}`` instead of full IRIs. The file is
generated from the ontology (``python -m jixiao.jsonld``, run by ``make docs``); a test checks it is
current and that compacted output parses back to the same graph.

Published at https://w3id.org/jixiao/context.jsonld; writers embed it (``context()``), so no reader
has to fetch it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from rdflib import OWL, RDF, RDFS, XSD, Graph

from jixiao.data import ontology_dir
from jixiao.ns import JX as JX_NS
from jixiao.prefixes import PREFIXES as _WORKBENCH_PREFIXES

JX = str(JX_NS)
CONTEXT_FILE = "context.jsonld"

PREFIXES: dict[str, str] = {
    **_WORKBENCH_PREFIXES,
    "obeu": "http://data.openbudgets.eu/ontology/",
    "obeu-dimension": "http://data.openbudgets.eu/ontology/dsd/dimension/",
    "obeu-measure": "http://data.openbudgets.eu/ontology/dsd/measure/",
    "obeu-attribute": "http://data.openbudgets.eu/ontology/dsd/attribute/",
    "sdmx-attribute": "http://purl.org/linked-data/sdmx/2009/attribute#",
    "sdmx-dimension": "http://purl.org/linked-data/sdmx/2009/dimension#",
}
"""Prefix → namespace (the workbench's ``jixiao.prefixes.PREFIXES`` plus OpenBudgets and SDMX for the
Data Cube view)."""

EXTERNAL_TERMS: dict[str, dict | str] = {
    "id": "@id",
    "type": "@type",
    "label": {"@id": "rdfs:label", "@container": "@language"},
    "sameAs": {"@id": "owl:sameAs", "@type": "@id"},
    "exactMatch": {"@id": "skos:exactMatch", "@type": "@id"},
    "closeMatch": {"@id": "skos:closeMatch", "@type": "@id"},
    "subOrganizationOf": {"@id": "org:subOrganizationOf", "@type": "@id"},
    "dataSet": {"@id": "qb:dataSet", "@type": "@id"},
    "hasSource": {"@id": "oa:hasSource", "@type": "@id"},
    "hasSelector": {"@id": "oa:hasSelector", "@type": "@id"},
    "start": "oa:start",
    "end": "oa:end",
    "exact": "oa:exact",
    "structure": {"@id": "qb:structure", "@type": "@id"},
}


def build_context() -> dict:
    """The context, made from ontology/jixiao.ttl (sorted: the same ontology gives the same bytes)."""
    g = Graph().parse(ontology_dir() / "jixiao.ttl", format="turtle")
    terms: dict[str, dict | str] = {}
    for s in set(g.subjects(RDF.type, None)):
        if not str(s).startswith(JX):
            continue
        name = str(s)[len(JX) :]
        types = set(g.objects(s, RDF.type))
        if OWL.ObjectProperty in types:
            terms[name] = {"@id": f"jx:{name}", "@type": "@id"}
        elif OWL.DatatypeProperty in types:
            rng = g.value(s, RDFS.range)
            term: dict[str, str] = {"@id": f"jx:{name}"}
            if rng is not None and str(rng).startswith(str(XSD)) and rng != XSD.string:
                term["@type"] = f"xsd:{str(rng)[len(str(XSD)) :]}"
            terms[name] = term
        elif OWL.Class in types:
            terms[name] = f"jx:{name}"
    clash = sorted(set(terms) & (set(EXTERNAL_TERMS) | set(PREFIXES)))
    if clash:
        raise ValueError(f"JSON-LD terms defined twice: {clash}")
    ctx = dict(PREFIXES) | EXTERNAL_TERMS | dict(sorted(terms.items()))
    return {"@context": ctx}


def render_context() -> str:
    return json.dumps(build_context(), ensure_ascii=False, indent=2) + "\n"


@cache
def context() -> dict:
    """The published context (``{"@context": {...}}``), as shipped in the package."""
    return json.loads((ontology_dir() / CONTEXT_FILE).read_text(encoding="utf-8"))


def to_jsonld(graph: Graph) -> str:
    """``graph`` as compacted JSON-LD with the published context embedded."""
    return graph.serialize(format="json-ld", context=context()["@context"], auto_compact=True, ensure_ascii=False)


def main() -> None:
    path: Path = ontology_dir() / CONTEXT_FILE
    path.write_text(render_context(), encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
