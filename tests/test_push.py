"""``jixiao push`` and remote queries against a real Oxigraph server (``oxigraph serve``)."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef

sys.path.insert(0, str(Path(__file__).resolve().parent / "queries"))
import servers

from jixiao import push as P
from jixiao import queries as Q
from jixiao.cli import main
from jixiao.errors import JixiaoError

pytestmark = pytest.mark.server
G = URIRef("https://example.org/graph/test")


def count(base: str, graph: URIRef) -> int:
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    r = httpx.post(base + "/query", data={"query": q}, headers={"Accept": "application/sparql-results+json"})
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def graph_names(base: str) -> list[str]:
    r = httpx.post(
        base + "/query",
        data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    return sorted(b["g"]["value"] for b in r.json()["results"]["bindings"])


def small(n: int) -> Graph:
    g = Graph()
    for i in range(n):
        g.add((URIRef(f"https://example.org/s{i}"), URIRef("https://example.org/p"), Literal(i)))
    return g


@pytest.fixture()
def server(tmp_path):
    with servers.oxigraph(tmp_path / "remote") as (base, proc):
        yield base, proc, tmp_path / "remote"


def target(base: str, gsp: bool = False) -> P.Target:
    return P.Target(base + "/query", base + "/update", base + "/store" if gsp else None)


@pytest.mark.parametrize("gsp", [False, True], ids=["update", "gsp"])
def test_round_trip_store_push_query(server, tmp_path, gsp):
    base, _, _ = server
    store = servers.build_store(tmp_path / "store")
    code = main(
        ["push", "--endpoint", base + "/query", "--store", str(store), *(["--gsp", base + "/store"] if gsp else [])]
    )
    assert code == 0
    assert graph_names(base) == sorted([*(str(g) for g in servers.report_graphs()), str(P.iris.ONTOLOGY_GRAPH)])
    for name in ("budget-execution", "indicators", "find-figure", "recurring-problems", "span-at"):
        params = {"find-figure": {"phrase": "健身"}, "span-at": {"offset": "127"}}.get(name, {})
        remote = Q.run(name, params, endpoint=base + "/query")
        local = Q.run(name, params, data=servers.FIXTURES)
        assert remote.equals(local), name


def test_every_library_query_gives_the_same_rows_remotely(server):
    """VALUES binding (remote) and engine binding (local) agree on every query and its defaults."""
    base, _, _ = server
    graphs = servers.report_graphs()
    P.push_all(target(base), [*graphs.items(), P.ontology_graph()])
    samples = {"phrase": "支出", "offset": "300", "region": "440000", "fiscal_year": "2024"}
    for q in Q.library():
        params = {p.name: samples[p.name] for p in q.params if p.required}
        remote = Q.run(q.name, params, endpoint=base + "/query")
        local = Q.run(q.name, params, data=servers.FIXTURES)
        assert remote.equals(local), q.name


def test_push_replaces_the_graph(server):
    base, _, _ = server
    P.push_all(target(base), [(G, small(5))])
    P.push_all(target(base), [(G, small(3))])
    assert count(base, G) == 3
    assert graph_names(base) == [str(G)]  # no temporary graph left behind


def test_count_mismatch_leaves_previous_graph(server, monkeypatch):
    base, _, _ = server
    P.push_all(target(base), [(G, small(4))])
    monkeypatch.setattr(P.Pusher, "count", lambda self, graph: 1)
    with pytest.raises(JixiaoError, match="previous graph is unchanged"):
        P.push_all(target(base), [(G, small(7))])
    assert count(base, G) == 4
    assert graph_names(base) == [str(G)]  # the temporary graph was dropped


def test_server_killed_mid_push_leaves_previous_graph(server, monkeypatch):
    base, proc, location = server
    P.push_all(target(base), [(G, small(4))])
    real_load = P.Pusher.load

    def load_then_die(self, graph, triples):
        real_load(self, graph, triples)
        proc.kill()
        proc.wait()

    monkeypatch.setattr(P.Pusher, "load", load_then_die)
    with pytest.raises(JixiaoError, match="could not be dropped"):
        P.push_all(target(base), [(G, small(9))])
    with servers.oxigraph(location) as (base2, _):
        assert count(base2, G) == 4


def test_push_data_file_needs_one_report_or_graph(server, tmp_path):
    base, _, _ = server
    assert main(["push", "--endpoint", base + "/query", "--data", str(servers.FIXTURES[1]), "--no-ontology"]) == 0
    graph = next(g for g in servers.report_graphs() if "report" in str(g) and str(g) in graph_names(base))
    assert count(base, graph) == len(Graph().parse(servers.FIXTURES[1]))
    f = tmp_path / "x.ttl"
    small(2).serialize(f, format="turtle")
    assert main(["push", "--endpoint", base + "/query", "--data", str(f)]) == 2
    assert main(["push", "--endpoint", base + "/query", "--data", str(f), "--graph", str(G)]) == 0
    assert count(base, G) == 2


def test_unreachable_endpoint_is_exit_2(tmp_path):
    port = servers.free_port()
    f = tmp_path / "x.ttl"
    small(1).serialize(f, format="turtle")
    assert main(["push", "--endpoint", f"http://127.0.0.1:{port}/query", "--data", str(f), "--graph", str(G)]) == 2
    assert main(["query", "reports", "--endpoint", f"http://127.0.0.1:{port}/query"]) == 2
