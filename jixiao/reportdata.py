"""What a report page shows, read from the report's named graph (jixiao/reportpage.py draws it).

Everything comes from the graph through the query library (report-summary, reports, budget-execution,
indicators) and the page queries below, run on an in-memory store of that one graph plus the ontology,
and from the SHACL validation of the graph. The text is the source file (given, or found by the SHA-256
the graph records) or, without it, pieced together from the quotes of the graph's spans.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from jixiao import data as _data
from jixiao import iris
from jixiao import queries as Q
from jixiao.errors import InputError, UsageError
from jixiao.prefixes import compact
from jixiao.rdfformats import turtle

JX = "https://w3id.org/jixiao/def#"
OA = "http://www.w3.org/ns/oa#"
UNIT_SCALE = {"万元": Decimal(10000), "亿元": Decimal(100_000_000), "元": Decimal(1)}
PHASES = ("approved", "addition", "cut", "revised", "executed")


# -- reading the graph -------------------------------------------------------------------------
PAGE_PREFIXES = "PREFIX jx: <https://w3id.org/jixiao/def#>\nPREFIX oa: <http://www.w3.org/ns/oa#>\n"
FIGURES_QUERY = (
    PAGE_PREFIXES
    + """
SELECT ?f ?start ?end ?form WHERE { GRAPH ?g {
  ?f a jx:Quantity ; jx:sourceSpan ?span .
  ?span oa:hasSelector ?sel . ?sel oa:start ?start ; oa:end ?end .
  OPTIONAL { ?f jx:statedForm ?form }
} } ORDER BY ?start ?end ?f"""
)
SPANS_QUERY = (
    PAGE_PREFIXES
    + """
SELECT DISTINCT ?start ?end ?exact WHERE { GRAPH ?g {
  ?span oa:hasSelector ?pos , ?quote . ?pos oa:start ?start ; oa:end ?end . ?quote oa:exact ?exact
} } ORDER BY ?start ?end"""
)
BUDGET_QUERY = (
    PAGE_PREFIXES
    + """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?line_name ?phase ?f ?form ?value ?start ?row WHERE { GRAPH ?g {
  ?f a jx:BudgetFigure ; jx:budgetLine ?line ; jx:budgetPhase ?phase ; jx:statedForm ?form ; jx:normalizedValue ?value ;
     jx:sourceSpan/oa:hasSelector/oa:start ?start .
  FILTER NOT EXISTS { ?f jx:referenceYear ?ry }
  OPTIONAL { ?line jx:name ?stated_name }
  OPTIONAL { ?line jx:inferredName ?inferred_name }
  OPTIONAL { ?line rdfs:label ?label }
  OPTIONAL { ?line jx:tableRow ?row }
  BIND(COALESCE(?stated_name, ?inferred_name, STR(?label), STR(?line)) AS ?line_name)
} } ORDER BY ?start"""
)
RATE_QUERY = (
    PAGE_PREFIXES
    + """
PREFIX jxv: <https://w3id.org/jixiao/vocab#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?line_name ?f ?form WHERE { GRAPH ?g {
  ?f jx:rateKind jxv:rate_execution ; a jx:Rate ; jx:budgetLine ?line ; jx:statedForm ?form .
  OPTIONAL { ?line jx:name ?stated_name }
  OPTIONAL { ?line jx:inferredName ?inferred_name }
  OPTIONAL { ?line rdfs:label ?label }
  BIND(COALESCE(?stated_name, ?inferred_name, STR(?label), STR(?line)) AS ?line_name)
} } ORDER BY ?f"""
)
UNITS_QUERY = PAGE_PREFIXES + "SELECT ?u WHERE { GRAPH ?g { ?f a jx:BudgetFigure ; jx:statedUnit ?u } }"
GRAPH_TITLES_QUERY = PAGE_PREFIXES + "SELECT ?graph ?title WHERE { GRAPH ?graph { ?r a jx:Report ; jx:title ?title } }"


def report_store(graph_iri: str, nt: bytes) -> ox.Store:
    """An in-memory store of one report graph (its N-Triples) and the ontology graph."""
    store = ox.Store()
    store.load(nt, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph_iri))
    for name in ("jixiao.ttl", "vocab.ttl"):
        store.load(
            path=str(_data.ontology_dir() / name),
            format=ox.RdfFormat.TURTLE,
            to_graph=ox.NamedNode(str(iris.ONTOLOGY_GRAPH)),
        )
    return store


def _select(store: ox.Store, text: str) -> list[dict]:
    res = store.query(text, use_default_graph_as_union=True)
    names = [v.value for v in res.variables]
    return [{n: (None if t is None else t.value) for n, t in zip(names, sol, strict=True)} for sol in res]


def library_rows(dataset, name: str, lang: str | None = None) -> list[dict]:
    """A library query's rows as dicts of Python values (``jixiao.queries.python_value``)."""
    result = Q.execute(name, dataset=dataset)
    return [{v: Q.python_value(t, lang) for v, t in zip(result.vars, row, strict=True)} for row in result.rows]


_library = library_rows


def label(value, lang: str) -> str:
    """A cell for people: IRIs as CURIEs, everything else as text."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith("http"):
        return compact(value)
    return str(value)


@dataclass
class Page:
    """What a report page shows (built by ``collect``)."""

    lang: str
    graph: str
    identity: dict = field(default_factory=dict)
    unit: str = "万元"
    budget: list[dict] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)
    quotes: list[tuple[int, int]] = field(default_factory=list)
    pieces: list[tuple[int, str]] = field(default_factory=list)  # (offset, text) of the text shown
    pieced: bool = False


def _figure_triples(store: ox.Store, iri: str, base: str) -> str:
    """The figure's own triples and those of its span and selectors, as Turtle (IRIs of the report
    relative to ``base``, the report IRI + "/": ``<fig/12-18>``)."""
    out: list[ox.Triple] = []
    node = ox.NamedNode(iri)
    span_p = ox.NamedNode(JX + "sourceSpan")
    sel_p = ox.NamedNode(OA + "hasSelector")
    seen = set()
    todo = [node]
    while todo:
        s = todo.pop(0)
        if s in seen:
            continue
        seen.add(s)
        for q in store.quads_for_pattern(s, None, None):
            t = ox.Triple(q.subject, q.predicate, q.object)
            if t not in out:
                out.append(t)
            if q.predicate in (span_p, sel_p) and isinstance(q.object, ox.NamedNode):
                todo.append(q.object)
    return turtle(out, base=base, used=True).decode("utf-8")


def pieces_from_spans(store: ox.Store) -> list[tuple[int, str]]:
    """The text as far as the graph's span quotes tell it: (offset, text) runs, in order."""
    chars: dict[int, str] = {}
    for row in _select(store, SPANS_QUERY):
        start, end, exact = int(row["start"]), int(row["end"]), row["exact"] or ""
        if len(exact) != end - start:
            continue
        for i, ch in enumerate(exact):
            chars.setdefault(start + i, ch)
    runs: list[tuple[int, str]] = []
    for pos in sorted(chars):
        if runs and runs[-1][0] + len(runs[-1][1]) == pos:
            runs[-1] = (runs[-1][0], runs[-1][1] + chars[pos])
        else:
            runs.append((pos, chars[pos]))
    return runs


SHA_QUERY = PAGE_PREFIXES + "SELECT ?sha WHERE { GRAPH ?g { ?r a jx:Report ; jx:sourceFile/jx:sha256 ?sha } }"


def graph_sha256(graph_iri: str, nt: bytes) -> str | None:
    """The SHA-256 of the file the report graph was read from (as the graph records it)."""
    store = ox.Store()
    store.load(nt, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph_iri))
    return next((r["sha"] for r in _select(store, SHA_QUERY)), None)


def build(
    graph_iri: str, nt: bytes, *, text: str | None = None, sources: Iterable[Path] = (), lang: str = "zh"
) -> Page:
    """The page of the report graph ``nt``. Its text: ``text`` if given, else the file under ``sources``
    whose SHA-256 is the one the graph records, else pieced together from the span quotes."""
    store = report_store(graph_iri, nt)
    if text is None and sources:
        sha = next((r["sha"] for r in _select(store, SHA_QUERY)), None)
        path = find_source(sources, sha) if sha else None
        text = source_text(path, sha) if path else None
    return collect(store, graph_iri, nt, text, lang)


def collect(store: ox.Store, graph_iri: str, nt: bytes, text: str | None, lang: str = "zh") -> Page:
    """Everything the page shows, from the report's store and N-Triples (and its text, if at hand)."""
    from jixiao.reporting import family_label, message
    from jixiao.validate import validate_ntriples

    page = Page(lang=lang, graph=graph_iri)
    summary = (_library(store, "report-summary", lang) or [{}])[0]
    about = (_library(store, "reports", lang) or [{}])[0]
    page.identity = {**about, **summary}

    units = Counter(r["u"] for r in _select(store, UNITS_QUERY) if r["u"] in UNIT_SCALE)
    page.unit = units.most_common(1)[0][0] if units else "万元"

    # the budget table: one row per line (in the order the text first states it), each phase's stated figures
    cells: dict[str, dict[str, list[dict]]] = {}
    first_at: dict[str, int] = {}
    for row in _select(store, BUDGET_QUERY):
        name, phase = row["line_name"], row["phase"].rsplit("_", 1)[-1]
        first_at.setdefault(name, int(row["start"]))
        cells.setdefault(name, {}).setdefault(phase, []).append(
            {"iri": row["f"], "form": row["form"], "value": Decimal(row["value"])}
        )
    rates: dict[str, list[dict]] = {}
    for row in _select(store, RATE_QUERY):
        rates.setdefault(row["line_name"], []).append({"iri": row["f"], "form": row["form"]})
    computed = {r["line_name"]: r for r in _library(store, "budget-execution", lang)}
    for name in sorted(cells, key=lambda n: (first_at[n], n)):
        c = computed.get(name, {})
        page.budget.append(
            {"line": name, "cells": cells[name], "rate": c.get("rate"), "stated_rate": rates.get(name, [])}
        )

    raw = _library(store, "indicators")  # IRIs as they are (the comparator decides which way is better)
    for row, shown in zip(raw, _library(store, "indicators", lang), strict=True):
        entry = {k: (label(v, lang) if isinstance(v, str) else v) for k, v in shown.items()}
        entry["lower_is_better"] = str(row.get("comparator") or "").endswith(("#cmp_le", "#cmp_lt"))
        page.indicators.append(entry)

    # the figures, each with its triples
    base = graph_iri.removesuffix("graph")
    for i, row in enumerate(_select(store, FIGURES_QUERY)):
        page.figures.append(
            {
                "id": f"f{i}",
                "iri": row["f"],
                "start": int(row["start"]),
                "end": int(row["end"]),
                "form": row["form"] or "",
                "ttl": _figure_triples(store, row["f"], base),
            }
        )

    result = validate_ntriples([(URIRef(graph_iri), nt)], engine="sparql")
    for f in result.findings:
        refs = []
        for ref in f.sources:
            if (ref.start, ref.end) not in page.quotes:
                page.quotes.append((ref.start, ref.end))
            refs.append({"q": f"q{page.quotes.index((ref.start, ref.end))}", "quote": ref.quote, "start": ref.start})
        page.findings.append(
            {
                "severity": f.severity,
                "family": family_label(f.family, lang),
                "shape": f.shape_name.get(lang, ""),
                "message": message(f, lang),
                "focus": f.focus_label,
                "sources": refs,
            }
        )

    if text is not None:
        page.pieces = [(0, text)]
    else:
        page.pieces, page.pieced = pieces_from_spans(store), True
    return page


# -- sources and graphs -----------------------------------------------------------------------------------
def source_text(path: Path, sha256: str | None = None) -> str:
    """The decoded text of a report file, exactly as ingest decodes it (offsets agree); with
    ``sha256`` the file must be the one the graph was read from."""
    from jixiao.ingest.source import read_source

    src = read_source(path)
    if sha256 and src.sha256 != sha256:
        raise InputError(
            f"not the file this report was read from (SHA-256 {src.sha256[:12]}…, expected {sha256[:12]}…)", file=path
        )
    return src.text


def find_source(directories: Iterable[Path], sha256: str) -> Path | None:
    """A file under ``directories`` whose bytes have this SHA-256 (``*.txt``, searched in name order)."""
    for d in directories:
        for p in sorted(Path(d).rglob("*.txt")):
            if _sha256(p) == sha256:
                return p
    return None


_SHA_CACHE: dict[tuple[str, int, int], str] = {}


def _sha256(path: Path) -> str:
    st = path.stat()
    key = (str(path), st.st_mtime_ns, st.st_size)
    if key not in _SHA_CACHE:
        _SHA_CACHE[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _SHA_CACHE[key]


def graph_ntriples(store, graph_iri: str) -> bytes:
    """A report graph's N-Triples from a GraphStore or pyoxigraph Store; UsageError when it has none."""
    inner = getattr(store, "store", store)
    nt = inner.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph_iri))
    if not nt.strip():
        raise UsageError(f"the store has no graph <{graph_iri}> (jixiao query reports lists the reports)")
    return nt


def endpoint_ntriples(endpoint: str, graph_iri: str) -> bytes:
    """A report graph's N-Triples from a SPARQL endpoint (a CONSTRUCT of the graph); UsageError when
    the IRI is not one or the endpoint holds no such graph. An endpoint that caps its answers (jixiao
    serve's ``X-Jixiao-Truncated``/``X-Jixiao-Max-Rows``: a report graph can hold more triples than the
    cap) is read page by page. The lines come back sorted."""
    import httpx

    if not graph_iri.startswith(("http://", "https://", "urn:")):
        raise UsageError(f"not a graph IRI: {graph_iri!r}")
    term = Q.term_n3(URIRef(graph_iri))  # refuses characters an IRI cannot hold
    construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {term} {{ ?s ?p ?o }} }}"

    def ask(query: str) -> httpx.Response:
        r = httpx.post(endpoint, data={"query": query}, headers={"Accept": "application/n-triples"}, timeout=60)
        if r.status_code != 200:
            raise UsageError(f"the store did not give the graph <{graph_iri}>: HTTP {r.status_code} {r.text[:200]}")
        return r

    r = ask(construct)
    if not r.content.strip():
        raise UsageError(f"the store has no graph <{graph_iri}>")
    if r.headers.get("X-Jixiao-Truncated") != "true":
        return _sorted_lines(r.content)
    size = int(r.headers.get("X-Jixiao-Max-Rows") or 0)
    if size <= 0:
        raise UsageError(f"the endpoint cut the graph <{graph_iri}> short and did not say at how many triples")
    pages, offset = [], 0
    while True:
        page = ask(f"{construct} ORDER BY ?s ?p ?o LIMIT {size} OFFSET {offset}")
        pages.append(page.content)
        if page.content.count(b"\n") < size:
            return _sorted_lines(b"".join(pages))
        offset += size


def _sorted_lines(nt: bytes) -> bytes:
    """N-Triples in sorted line order: a page does not depend on the order an endpoint answers in."""
    return b"".join(sorted(line + b"\n" for line in nt.splitlines() if line.strip()))


def library_rows_at(endpoint: str, name_or_text: str, lang: str | None = None) -> list[dict]:
    """Rows of a library query (by name) or of SPARQL text, asked of an endpoint."""
    q = (
        Q.load(name_or_text)
        if "\n" not in name_or_text
        else Q.LibraryQuery("page", Path("page.rq"), name_or_text, "", "", "")
    )
    result = Q.execute(q, endpoint=endpoint)
    return [{v: Q.python_value(t, lang) for v, t in zip(result.vars, row, strict=True)} for row in result.rows]
