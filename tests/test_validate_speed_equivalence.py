"""The fast validation path gives the same findings as the plain one.

Fast path: shapes compiled once per process and kept (``jixiao.validate._worker``), N-Triples text
handed straight to pyshacl-turbo, a process pool (jobs=2) initialised once, report graphs streamed
out of a store (``validate_store``), the source spans' contexts looked up in one pass per report.
It is checked against a *cold* single-process run (every cache emptied first) on five generated
reports, and against pySHACL, the reference, on one small report. No timings here: see
docs/decisions/0003-validation-engine.md for the measurements.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from rdflib import URIRef

from jixiao import validate as V
from jixiao.store import GraphStore

ROOT = Path(__file__).resolve().parents[1]


def _full(f: V.Finding) -> tuple:
    """Everything a finding shows: not only the engines' key but messages, labels, values, quotes."""
    return (
        f.severity,
        str(f.graph),
        f.family,
        str(f.shape),
        str(f.focus),
        str(f.path or ""),
        f.values,
        tuple(sorted(f.message.items())),
        tuple(sorted(f.shape_name.items())),
        f.focus_label,
        f.sources,
        str(f.component or ""),
    )


@functools.cache
def _generated(tmp: Path) -> tuple[tuple[URIRef, bytes], ...]:
    from bench.generate import main as generate
    from jixiao.ingest.pipeline import ingest_file

    generate(["--n", "5", "--seed", "7", "--out", str(tmp)])
    out = []
    for path in sorted(tmp.glob("*.txt")):
        res = ingest_file(path)
        # generated reports may share a report IRI: name each graph after its file
        out.append((URIRef(f"{res.graph_iri}#{path.stem}"), V.ntriples_of(res.graph)))
    return tuple(out)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[tuple[URIRef, bytes], ...]:
    return _generated(tmp_path_factory.mktemp("gen"))


def _cold(items, engine: str = "turbo") -> list[tuple]:
    V._WORKERS.clear()
    for cached in (V._shapes_graph, V._shape_families, V._context_ntriples):
        cached.cache_clear()
    return sorted(_full(f) for f in V.validate_ntriples(items, engine=engine, jobs=1).findings)


def test_generated_reports_have_findings_to_compare(generated):
    """Not vacuous: the five reports are distinct graphs and the shapes find something in them."""
    assert len({iri for iri, _ in generated}) == 5
    assert _cold(generated)


def test_fast_parallel_path_equals_cold_single_process(generated):
    cold = _cold(generated)
    V._worker("turbo", tuple(V.shape_files()))  # warm: compiled once, inherited by the pool
    fast = V.validate_ntriples(generated, engine="turbo", jobs=2)
    assert fast.reports == 5
    assert sorted(_full(f) for f in fast.findings) == cold
    again = V.validate_ntriples(generated, engine="turbo", jobs=2)  # the cached worker is reused
    assert sorted(_full(f) for f in again.findings) == cold


def test_validate_store_streams_the_same_findings(generated):
    store = GraphStore(None)
    for iri, data in generated:
        store.replace_graph_ntriples(URIRef(f"{iri.split('#')[0]}/{iri.split('#')[1]}/graph"), data)
    items = list(V.store_ntriples(store))
    assert len(items) == 5
    cold = _cold(items)  # the same graphs, read back from the store (canonical literals)
    for jobs in (1, 2):
        result = V.validate_store(store, engine="turbo", jobs=jobs)
        assert result.reports == 5
        assert sorted(_full(f) for f in result.findings) == cold


def test_shapes_cache_follows_the_files(tmp_path):
    """An edited shapes file is re-read: the cache key carries each file's mtime and size."""
    src = V.shape_files(["prior_audit"])
    copies = []
    for path in src:
        copy = tmp_path / path.name
        copy.write_bytes(path.read_bytes())
        copies.append(copy)
    files = tuple(copies)
    first = V._worker("turbo", files)
    assert V._worker("turbo", files) is first
    text = copies[1].read_text(encoding="utf-8")
    assert "sh:minCount 1 ; sh:severity sh:Warning" in text
    copies[1].write_text(
        text.replace("sh:minCount 1 ; sh:severity sh:Warning", "sh:minCount 10 ; sh:severity sh:Warning"),
        encoding="utf-8",
    )
    second = V._worker("turbo", files)
    assert second is not first
    assert "10" in {str(o) for o in second.shapes.objects(None, V.SH.minCount)}


def test_fast_path_equals_pyshacl_on_a_small_report():
    """The reference engine on the worked example (the smallest real-shaped report we ship): the
    same findings, messages, labels and quotes as the cached turbo path."""
    from rdflib import Graph

    example = ROOT / "ontology" / "examples" / "report-example.ttl"
    g = Graph().parse(example, format="turtle")
    items = [(URIRef(example.as_uri()), V.ntriples_of(g))]
    reference = sorted(_full(f) for f in V.validate_ntriples(items, engine="pyshacl").findings)
    V._worker("turbo", tuple(V.shape_files()))
    fast = sorted(_full(f) for f in V.validate_ntriples(items, engine="turbo").findings)
    assert reference, "the worked example should raise at least one finding to compare"
    assert fast == reference
