"""The IRI scheme (docs/decisions/0001-iri-scheme.md): every IRI jixiao mints comes from here.

Shared resources (organisations, beneficiary groups, documents, years, source files) get IRIs
that depend only on their canonical name or content, so the same 市财政局 named by two
departments' reports is one resource once the alias registry resolves both to one canonical
name. Report-local resources hang under the report IRI, keyed by position in the source
(offsets, table rows, ordinals), so the same input always yields the same IRIs.
"""

from __future__ import annotations

import hashlib
import unicodedata

from rdflib import URIRef

BASE = "https://w3id.org/jixiao/id/"


def name_key(name: str) -> str:
    """Stable 16-hex key of a canonical name (NFKC, whitespace removed)."""
    norm = "".join(unicodedata.normalize("NFKC", name).split())
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:16]


def org(canonical_name: str) -> URIRef:
    return URIRef(f"{BASE}org/{name_key(canonical_name)}")


def group(canonical_name: str) -> URIRef:
    return URIRef(f"{BASE}group/{name_key(canonical_name)}")


def document(title: str) -> URIRef:
    return URIRef(f"{BASE}doc/{name_key(title)}")


def programme(department_name: str, name: str) -> URIRef:
    return URIRef(f"{BASE}programme/{name_key(department_name)}/{name_key(name)}")


def year(y: int | str) -> URIRef:
    return URIRef(f"{BASE}year/{int(y)}")


def source_file(sha256: str) -> URIRef:
    return URIRef(f"{BASE}file/{sha256}")


def report(department_name: str, fiscal_year: int | str, kind_key: str, subject: str | None = None) -> URIRef:
    """kind_key is the notation of a jxv:ReportKindScheme concept, e.g. 'department_whole'.
    ``subject`` tells apart several reports of one kind, year and department (one per project):
    the project's name, keyed like any name."""
    base = f"{BASE}report/{name_key(department_name)}/{int(fiscal_year)}/{kind_key}"
    return URIRef(f"{base}/{name_key(subject)}" if subject else base)


def graph_of(report_iri: URIRef) -> URIRef:
    """The named graph that holds one report's triples."""
    return URIRef(f"{report_iri}/graph")


def local(report_iri: URIRef, *parts: object) -> URIRef:
    """A report-local resource: ``local(r, "indicator", 3)`` → ``<r>/indicator/3``."""
    return URIRef("/".join([str(report_iri), *(str(p) for p in parts)]))


def span(report_iri: URIRef, start: int, end: int) -> URIRef:
    return local(report_iri, "span", f"{start}-{end}")


def figure(report_iri: URIRef, start: int, end: int) -> URIRef:
    return local(report_iri, "fig", f"{start}-{end}")


def run(sha256: str, started: str) -> URIRef:
    """An ingest run (lives in the runs graph, not in the report graph)."""
    return URIRef(f"{BASE}run/{sha256[:16]}/{started}")


RUNS_GRAPH = URIRef(f"{BASE}graph/runs")
ONTOLOGY_GRAPH = URIRef(f"{BASE}graph/ontology")


# --- Regions and organisations placed in them (decision 0008) ------------------------------------


def region(code: str) -> URIRef:
    """An administrative division (GB/T 2260 code, 6 digits; a township's 9): ``id/region/440700``."""
    code = code.strip()
    if not (code.isdigit() and len(code) in (6, 9)):
        raise ValueError(f"not a division code: {code!r}")
    return URIRef(f"{BASE}region/{code}")


def org_in_region(region_code: str, local_name: str) -> URIRef:
    """An organisation of a division, keyed by the division's code and the canonical local name (the
    name without its division: 总工会 for 江门市总工会): ``id/org/440700/{key(总工会)}``. Use
    :func:`jixiao.orgs.org_iri` to get there from a name as written."""
    if not local_name.strip():
        raise ValueError("an organisation needs a local name")
    return URIRef(f"{region(region_code)}".replace("/region/", "/org/") + f"/{name_key(local_name)}")


def org_unplaced(report_iri: URIRef, name: str) -> URIRef:
    """An organisation whose division the report does not tell (市财政局 with no known region): local
    to the report, so it merges with nothing."""
    return local(report_iri, "org", name_key(name))


LINKS_GRAPH = URIRef(f"{BASE}graph/links")
"""Cross-report links (regions, organisation structure, matches across years), kept apart from the
report graphs so that re-ingesting a report leaves them in place."""
