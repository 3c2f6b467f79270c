"""The query library on ingested reports: every query on the bundled sample
(tests/queries/manifest-sample.ttl) and the cross-cutting ones on the real report
(tests/queries/manifest-real.ttl), each against an expected result checked by hand against the
report text (see tests/queries/sample/README.md and tests/queries/real/README.md).

Each report is ingested once per session (tests/conftest.py), written to a Turtle file and loaded
once per engine with ``jixiao.queries.load_files`` — exactly what ``execute(..., data=file)`` does
on every call (checked by ``test_data_file_and_dataset_agree``); both pyoxigraph and rdflib must
give the expected rows.

Expected files are TSV: a header of variable names, then one row per result, rows sorted, cells
rendered by :func:`render_term`:

* the report IRI prefix becomes ``<report>`` (``<report>/indicator/3``); other jixiao IRIs are
  CURIEs (``jx:``, ``jxv:``, ``jxd:``); any other IRI stays ``<...>``;
* literals are their lexical forms, numbers canonical (``85``, ``91.67``: no trailing zeros, no
  exponent, since the engines write decimals differently), booleans ``true`` / ``false``;
* an unbound cell is empty, an empty string is ``""``; ``\\``, tab, newline and carriage return
  inside a value are written ``\\\\``, ``\\t``, ``\\n``, ``\\r``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import XSD

from jixiao import queries as Q

HERE = Path(__file__).resolve().parent
MANIFESTS = {"sample": HERE / "queries" / "manifest-sample.ttl", "real": HERE / "queries" / "manifest-real.ttl"}
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
JXT = Namespace("https://w3id.org/jixiao/test#")
NUMERIC = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.int, XSD.long, XSD.nonNegativeInteger}
ENGINES = ("oxigraph", "rdflib")
CROSS_CUTTING = {
    "report-summary",
    "budget-execution",
    "low-execution",
    "rate-check",
    "spending-structure",
    "year-over-year",
    "conflicting-figures",
    "indicators",
    "targets-too-low",
    "missing-actuals",
    "declared-vs-counted",
    "evaluation-scores",
    "rectification-issues",
    "recurring-problems",
    "beneficiary-groups",
    "partners",
    "programmes",
    "figure-kinds",
    "find-figure",
    "span-at",
}
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


# -- rendering ---------------------------------------------------------------------------------
def render_term(term, report: str) -> str:
    """One cell of an expected file (the rule is in the module docstring)."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        iri = str(term)
        if iri == report or iri.startswith(report + "/"):
            return "<report>" + iri[len(report) :]
        for prefix, ns in Q.CURIE_PREFIXES.items():
            if iri.startswith(ns):
                return f"{prefix}:{iri[len(ns) :]}"
        return f"<{iri}>"
    if isinstance(term, Literal):
        if term.datatype in NUMERIC:
            text = format(Decimal(str(term)).normalize(), "f")
            return "0" if text in ("-0", "0") else text
        if term.datatype == XSD.boolean:
            return "true" if str(term) in ("true", "1") else "false"
        text = str(term)
        return text.translate(_ESCAPES) if text else '""'
    return str(term).translate(_ESCAPES)


def render(result: Q.Result, report: str) -> list[str]:
    """The header and the sorted rows of a result, as lines of an expected file."""
    rows = sorted("\t".join(render_term(t, report) for t in row) for row in result.rows)
    return ["\t".join(result.vars), *rows]


def read_expected(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").split("\n")
    while lines and lines[-1] == "":
        lines.pop()
    return [lines[0], *sorted(lines[1:])]


# -- manifests ---------------------------------------------------------------------------------
def _path(iri) -> Path:
    return Path(unquote(urlparse(str(iri)).path))


def manifest_entries(which: str) -> list[dict]:
    path = MANIFESTS[which]
    g = Graph().parse(path, format="turtle", publicID=path.as_uri())
    head = next(g.objects(URIRef(path.as_uri()), MF.entries))
    out = []
    for entry in g.items(head):
        action = g.value(entry, MF.action)
        defect = g.value(entry, JXT.knownDefect)
        out.append(
            {
                "which": which,
                "name": str(g.value(entry, MF.name)),
                "query": _path(g.value(action, QT.query)),
                "data": _path(g.value(action, QT.data)),
                "params": dict(str(p).split("=", 1) for p in g.objects(action, JXT.param)),
                "result": _path(g.value(entry, MF.result)),
                "defect": None if defect is None else str(defect),
            }
        )
    return out


ENTRIES = manifest_entries("sample") + manifest_entries("real")


def _param(entry: dict):
    marks = [pytest.mark.xfail(strict=True, reason=entry["defect"])] if entry["defect"] else []
    return pytest.param(entry, id=f"{entry['which']}-{entry['name']}", marks=marks)


# -- data ----------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def report_data(sample_result, real_result, tmp_path_factory):
    """Per source text: the report IRI, the Turtle file and a dataset per engine (loaded lazily)."""
    tmp = tmp_path_factory.mktemp("reports")
    out: dict[str, dict] = {}
    for result in (sample_result, real_result):
        name = str(next(result.graph.objects(None, URIRef("https://w3id.org/jixiao/def#fileName"))))
        ttl = tmp / f"{name}.ttl"
        result.graph.serialize(ttl, format="turtle")
        out[name] = {"report": str(result.report), "file": ttl, "datasets": {}}
    return out


def _dataset(data: dict, engine: str):
    if engine not in data["datasets"]:
        data["datasets"][engine] = Q.load_files([data["file"]], engine=engine)
    return data["datasets"][engine]


# -- tests ---------------------------------------------------------------------------------------
def test_sample_manifest_covers_every_library_query():
    tested = {e["query"].stem for e in ENTRIES if e["which"] == "sample"}
    assert len(Q.library()) == 28
    assert sorted(q.name for q in Q.library() if q.name not in tested) == []


def test_real_manifest_covers_the_cross_cutting_queries():
    assert {e["query"].stem for e in ENTRIES if e["which"] == "real"} == CROSS_CUTTING


def test_every_expected_file_is_documented():
    for which in MANIFESTS:
        readme = (HERE / "queries" / which / "README.md").read_text(encoding="utf-8")
        for e in ENTRIES:
            if e["which"] == which:
                assert e["result"].is_file(), e["result"]
                assert f"`{e['result'].name}`" in readme, (which, e["result"].name)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("entry", [_param(e) for e in ENTRIES])
def test_query_on_report(entry, engine, report_data):
    data = report_data[entry["data"].name]
    got = Q.execute(Q.read_query(entry["query"]), entry["params"], dataset=_dataset(data, engine))
    assert render(got, data["report"]) == read_expected(entry["result"])


def test_data_file_and_dataset_agree(report_data):
    """``execute(data=file)`` (what the CLI does) gives the same rows as the cached dataset."""
    for data in report_data.values():
        for engine in ENGINES:
            a = Q.execute("budget-execution", {}, data=data["file"], engine=engine)
            b = Q.execute("budget-execution", {}, dataset=_dataset(data, engine))
            assert render(a, data["report"]) == render(b, data["report"])
