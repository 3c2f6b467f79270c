"""``jixiao serve --memory``: the query processes share one in-memory copy (of a store or an N-Quads
file), behind the same guard. Real servers on free loopback ports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "queries"))
import servers

pytestmark = pytest.mark.server
JX = "https://w3id.org/jixiao/def#"
GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return servers.build_store(tmp_path_factory.mktemp("serve-memory") / "store")


def _rows(base: str, query: str) -> list[tuple[str, ...]]:
    r = httpx.post(base + "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    r.raise_for_status()
    doc = r.json()
    return [tuple(b[v]["value"] for v in doc["head"]["vars"]) for b in doc["results"]["bindings"]]


def test_memory_copy_of_a_store_answers_like_the_store(store):
    with servers.jixiao_serve(store) as disk, servers.jixiao_serve(store, "--memory") as mem:
        expected = _rows(disk, GRAPHS)
        assert len(expected) == 2 and all(int(n) > 500 for _, n in expected)
        assert _rows(mem, GRAPHS) == expected
        from jixiao import queries as Q

        a = Q.run("budget-execution", endpoint=disk + "/sparql")
        b = Q.run("budget-execution", endpoint=mem + "/sparql")
        assert len(a) > 0 and a.equals(b)
        # still read-only for clients: the guard refuses updates before they reach the server
        r = httpx.post(mem + "/sparql", data={"update": f"INSERT DATA {{ <urn:x> <{JX}title> 'x' }}"})
        assert r.status_code == 403
        assert _rows(mem, GRAPHS) == expected


def test_memory_server_from_an_nquads_file(store, tmp_path: Path):
    nq = tmp_path / "corpus.nq"
    ox.Store.read_only(str(store)).dump(str(nq), format=ox.RdfFormat.N_QUADS)
    with servers.jixiao_serve(store) as disk, servers.jixiao_serve(nq, "--memory") as mem:
        assert _rows(mem, GRAPHS) == _rows(disk, GRAPHS)


def test_broken_nquads_file_is_an_input_error_naming_it(tmp_path: Path):
    bad = tmp_path / "broken.nq"
    bad.write_text('<urn:s> <urn:p> "ok" <urn:g> .\n<urn:s> <urn:p> "unterminated <urn:g> .\n', encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "jixiao", "serve", "--store", str(bad), "--memory", "--port", str(servers.free_port())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("jixiao serve: error: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert "broken.nq: cannot read RDF" in proc.stderr and "line 2" in proc.stderr, proc.stderr
    # without --memory a file is not a store
    proc = subprocess.run(
        [sys.executable, "-m", "jixiao", "serve", "--store", str(bad), "--port", str(servers.free_port())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "no store" in proc.stderr
