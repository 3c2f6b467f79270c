"""The IRI scheme (docs/decisions/0001-iri-scheme.md): every IRI jixiao mints comes from here.

Shared resources (organisations, beneficiary groups, documents, years, source files) get IRIs
that depend only on their canonical name or content, so the same 市财政局 named by two
departments' reports is one resource once the alias registry resolves both to one canonical
name. Report-local resources hang under the report IRI, keyed by position in the source
(offsets, table rows, ordinals), so the same input always yields the same IRIs.

A report has thousands of source spans and figures: `ReportIris` mints their IRIs (and the span
selectors') as plain strings, one format each, for the reader's writer; `span`, `selector` and
`figure` below give the same IRIs as URIRefs (tests/test_emit_speed_paths.py keeps them in step).
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


# -- shared resources ---------------------------------------------------------------------------
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


def extracted_text(sha256: str) -> URIRef:
    """The text read out of a document (PDF, DOCX, XLSX, XLS, HTML), keyed by its own checksum."""
    return URIRef(f"{BASE}text/{sha256}")


def agent(version: str) -> URIRef:
    """jixiao of one version, as the software agent of ingest runs."""
    return URIRef(f"{BASE}agent/jixiao/{version}")


def run(sha256: str, started: str) -> URIRef:
    """An ingest run (lives in the runs graph, not in the report graph)."""
    return URIRef(f"{BASE}run/{sha256[:16]}/{started}")


RUNS_GRAPH = URIRef(f"{BASE}graph/runs")
ONTOLOGY_GRAPH = URIRef(f"{BASE}graph/ontology")


# -- reports and their graphs -------------------------------------------------------------------
def report(department_name: str, fiscal_year: int | str, kind_key: str, subject: str | None = None) -> URIRef:
    """kind_key is the notation of a jxv:ReportKindScheme concept, e.g. 'department_whole'.
    ``subject`` tells apart several reports of one kind, year and department (one per project):
    the project's name, keyed like any name."""
    base = f"{BASE}report/{name_key(department_name)}/{int(fiscal_year)}/{kind_key}"
    return URIRef(f"{base}/{name_key(subject)}" if subject else base)


def graph_of(report_iri: URIRef) -> URIRef:
    """The named graph that holds one report's triples."""
    return URIRef(f"{report_iri}/graph")


# -- report-local resources ---------------------------------------------------------------------
def local(report_iri: URIRef, *parts: object) -> URIRef:
    """A report-local resource: ``local(r, "indicator", 3)`` → ``<r>/indicator/3``."""
    return URIRef("/".join([str(report_iri), *(str(p) for p in parts)]))


def identity_field(report_iri: URIRef, name: str) -> URIRef:
    """An identity field of a report by its name ("department", "publisher.issuer" …)."""
    return local(report_iri, "identity", name)


def diagnostic(report_iri: URIRef, code: str, start: int | None = None, n: int = 1) -> URIRef:
    """A report's diagnostic by its code and the start of its span (none: about the whole report);
    ``n`` > 1 tells apart several of one code at one place."""
    parts = [code] + ([start] if start is not None else []) + ([n] if n > 1 else [])
    return local(report_iri, "diagnostic", "-".join(map(str, parts)))


def section(report_iri: URIRef, path: str) -> URIRef:
    """A section by the ordinals of its heading path ("2-1": the first child of the second section)."""
    return local(report_iri, "section", path)


def duty(report_iri: URIRef, key: object) -> URIRef:
    """A duty by its ordinal in the duties list."""
    return local(report_iri, "duty", key)


def goal(report_iri: URIRef, key: object) -> URIRef:
    """A performance goal by its ordinal (else its section path)."""
    return local(report_iri, "goal", key)


def issue(report_iri: URIRef, number: int) -> URIRef:
    """An audit (rectification) issue by its number in report order."""
    return local(report_iri, "issue", number)


def issue_part(issue_iri: URIRef, kind: str) -> URIRef:
    """The problem, measure or effect of an issue (one of each kind)."""
    return URIRef(f"{issue_iri}/{kind}/1")


def statement(report_iri: URIRef, kind: str, start: int) -> URIRef:
    """One of this year's problems or measures (``kind``), by the start offset of its text."""
    return local(report_iri, "report", kind, start)


def work_item(report_iri: URIRef, start: int) -> URIRef:
    """A work item by the start offset of its sentence."""
    return local(report_iri, "work", start)


def evaluation(report_iri: URIRef, key: str) -> URIRef:
    """The self-evaluation ("self") or the prior third-party evaluation ("prior")."""
    return local(report_iri, "evaluation", key)


def project(report_iri: URIRef, number: int) -> URIRef:
    """A project by its row in the report's project tables (rows of later tables counted on)."""
    return local(report_iri, "project", number)


def narrative_project(report_iri: URIRef, name: str) -> URIRef:
    """A project the report names only in its narrative, by its name."""
    return local(report_iri, "project", f"n{name_key(name)}")


def indicator(report_iri: URIRef, number: int) -> URIRef:
    """An indicator by its row in the report's indicator tables (rows of later tables counted on)."""
    return local(report_iri, "indicator", number)


def spending_line(report_iri: URIRef, kind: str, holder_name: str | None = None) -> URIRef:
    """A spending aggregate of the department (``holder_name`` None) or of one of its budget units,
    ``kind`` a jxv:SpendingKindScheme notation."""
    return URIRef(f"{report_iri}/spending/{kind}" + (f"/{name_key(holder_name)}" if holder_name else ""))


def budget_dataset(report_iri: URIRef) -> URIRef:
    """The report's budget figures as a qb:DataSet."""
    return local(report_iri, "budget")


def span(report_iri: URIRef, start: int, end: int) -> URIRef:
    """The source span [start, end) of the report's decoded text."""
    return URIRef(ReportIris(report_iri).span(start, end))


def selector(span_iri: URIRef, kind: str) -> URIRef:
    """A span's position ("pos") or quote ("quote") selector."""
    return URIRef(ReportIris.selector(span_iri, kind))


def figure(report_iri: URIRef, start: int, end: int) -> URIRef:
    """The figure stated at [start, end) of the report's decoded text."""
    return URIRef(ReportIris(report_iri).figure(start, end))


class ReportIris:
    """Span, selector and figure IRIs of one report as plain strings: one string format each, no
    per-IRI check (the parts are a minted report IRI and offsets, valid IRI text). The fast path for
    the thousands of spans and figures of a report; the functions above give the same IRIs."""

    def __init__(self, report_iri: str):
        self._span = f"{report_iri}/span/"
        self._figure = f"{report_iri}/fig/"

    def span(self, start: int, end: int) -> str:
        return f"{self._span}{start}-{end}"

    def figure(self, start: int, end: int) -> str:
        return f"{self._figure}{start}-{end}"

    @staticmethod
    def selector(span_iri: str, kind: str) -> str:
        return f"{span_iri}/{kind}"


# --- Regions and organisations placed in them (decision 0008) ------------------------------------


def region(code: str) -> URIRef:
    """An administrative division (GB/T 2260 code, 6 digits; a township's 9): ``id/region/440200``."""
    code = code.strip()
    if not (code.isdigit() and len(code) in (6, 9)):
        raise ValueError(f"not a division code: {code!r}")
    return URIRef(f"{BASE}region/{code}")


def org_in_region(region_code: str, local_name: str) -> URIRef:
    """An organisation of a division, keyed by the division's code and the canonical local name (the
    name without its division: 总工会 for 韶关市总工会): ``id/org/440200/{key(总工会)}``. Use
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
