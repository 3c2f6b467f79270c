"""The in-memory query mode: a store copied into memory (``GraphStore.in_memory``, ``jixiao query
--memory``) answers every library query with the same rows as the on-disk store it was copied from."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from jixiao import queries as Q
from jixiao.cli import main
from jixiao.store import GraphStore
from tests.conftest import OPTIONAL_PARAMS as SHARED_PARAMS
from tests.conftest import library_runs

sys.path.insert(0, str(Path(__file__).resolve().parent / "queries"))
import servers

LIBRARY = Q.library()
OPTIONAL_PARAMS = {**SHARED_PARAMS, "fiscal_year": "2024"}


@pytest.fixture(scope="module")
def disk(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("memory") / "store"
    servers.build_store(path)
    store = GraphStore(path)
    store.load_ontology()
    store.flush()
    del store
    return path


def param_values(store) -> dict[str, str]:
    """The first counted figure with a source span gives phrase, offset and file."""
    q = """PREFIX jx: <https://w3id.org/jixiao/def#> PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?counts ?start ?file WHERE { GRAPH ?g {
  ?f jx:counts ?counts ; jx:sourceSpan ?s . ?s oa:hasSource/jx:fileName ?file ; oa:hasSelector ?pos .
  ?pos oa:start ?start } } ORDER BY ?file ?start ?counts LIMIT 1"""
    row = next(iter(store.query(q)))
    return {"phrase": row["counts"].value, "offset": row["start"].value, "file": row["file"].value}


runs = library_runs


@pytest.fixture(scope="module")
def both(disk):
    on_disk = GraphStore(disk, read_only=True)
    in_memory = GraphStore.in_memory(disk)
    return {"disk": on_disk, "memory": in_memory, "values": {**param_values(on_disk), **OPTIONAL_PARAMS}}


def test_the_copy_is_whole_and_in_memory(both):
    assert both["memory"].path is None
    assert both["memory"].count() == both["disk"].count() > 0
    assert both["memory"].graphs() == both["disk"].graphs()


@pytest.mark.parametrize(("name", "given"), runs(), ids=[f"{n}[{','.join(g)}]" for n, g in runs()])
def test_same_rows_in_memory_and_on_disk(both, name, given):
    params = {p: both["values"][p] for p in given}
    a = Q.execute(name, params, dataset=both["disk"])
    b = Q.execute(name, params, dataset=both["memory"])
    assert a.vars == b.vars
    assert Counter(map(tuple, a.rows)) == Counter(map(tuple, b.rows))


def test_the_fixtures_give_rows(both):
    """The comparison above could not fail on an empty store: the fixtures answer these."""
    for name in ("reports", "budget-execution", "conflicting-figures", "indicators", "find-figure"):
        params = {"phrase": both["values"]["phrase"]} if name == "find-figure" else {}
        assert Q.execute(name, params, dataset=both["memory"]).rows, name


def test_open_dataset_memory_and_nquads(disk, tmp_path):
    mem = Q.open_dataset(store=disk, memory=True)
    assert isinstance(mem, GraphStore) and mem.path is None
    nq = tmp_path / "all.nq"
    GraphStore(disk, read_only=True).store.dump(output=str(nq), format=ox.RdfFormat.N_QUADS)
    from_file = GraphStore.in_memory(nq)
    rows = Q.execute("reports", {}, dataset=from_file).rows
    assert rows == Q.execute("reports", {}, dataset=mem).rows
    assert len(rows) == 2 and all(isinstance(r[0], Literal) for r in rows)


def test_the_copy_is_independent(disk):
    mem = GraphStore.in_memory(disk)
    before = GraphStore(disk, read_only=True).count()
    mem.replace_graph(URIRef("urn:test:graph"), [(URIRef("urn:test:s"), URIRef("urn:test:p"), Literal("o"))])
    assert mem.count() == before + 1
    assert GraphStore(disk, read_only=True).count() == before


def test_cli_memory_flag_is_refused_with_the_way_to_many_queries(disk, capsys):
    """One CLI query never repays the copy (BENCHMARKS.md: copying 100 reports ~20 s, every library
    query on disk at 100 reports under 2 s): refused, naming serve --memory and open_dataset."""
    before = GraphStore(disk, read_only=True).count()
    assert main(["query", "budget-execution", "--store", str(disk), "--format", "csv", "--memory"]) == 2
    err = capsys.readouterr().err
    assert "jixiao serve --memory" in err and "open_dataset" in err
    assert GraphStore(disk, read_only=True).count() == before
    assert main(["query", "budget-execution", "--store", str(disk), "--format", "csv"]) == 0  # without it: fine
