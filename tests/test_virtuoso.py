"""Virtuoso as the big store: a real ``virtuoso-t`` (Debian virtuoso-opensource) started on free
loopback ports with a fresh database, loaded with ``jixiao push`` (its bulk loader, and HTTP with
Digest authentication), and every library query run there against the embedded store's rows."""

from __future__ import annotations

import contextlib
import os
import shutil
from decimal import Decimal, InvalidOperation
from pathlib import Path

import httpx
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from bench.generate import generate_one
from jixiao import push as P
from jixiao import queries as Q
from jixiao import virtuoso as V
from jixiao.cli import main
from jixiao.errors import JixiaoError
from jixiao.store import ntriples
from tests.conftest import OPTIONAL_PARAMS, REAL_REPORT, SAMPLE, SAMPLE_GB, library_runs

pytestmark = [pytest.mark.server, pytest.mark.slow]
GENERATED = (0, 2, 21, 35, 38, 42)  # generated reports sharing departments, evaluators, groups, partners


def _need_virtuoso() -> None:
    if shutil.which("virtuoso-t") and shutil.which("isql-vt"):
        return
    if os.environ.get("CI") == "true":
        pytest.fail("virtuoso-t / isql-vt missing (apt-get install virtuoso-opensource)")
    pytest.skip("virtuoso-t / isql-vt missing (apt-get install virtuoso-opensource)")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The real report, both samples and six generated reports, as `jixiao ingest --out` writes them."""
    d = tmp_path_factory.mktemp("virtuoso-corpus")
    files = [REAL_REPORT, SAMPLE, SAMPLE_GB]
    for i in GENERATED:
        name, body, _ = generate_one(1, i)
        (d / name).write_bytes(body)
        files.append(d / name)
    out = d / "corpus.nq"
    assert main(["ingest", *map(str, files), "--out", str(out), "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def server(tmp_path_factory, corpus):
    _need_virtuoso()
    mp = pytest.MonkeyPatch()
    mp.setenv("JIXIAO_PUSH_PASSWORD", "dba")
    with V.local_server(tmp_path_factory.mktemp("virtuoso"), memory_mb=512) as s:
        code = main(
            [
                "push",
                "--endpoint",
                s.sparql,
                "--isql",
                f"127.0.0.1:{s.sql_port}",
                "--load-dir",
                str(s.load_dir),
                "--user",
                "dba",
                "--data",
                str(corpus),
            ]
        )
        assert code == 0
        yield s
    mp.undo()


@pytest.fixture(scope="module")
def local(corpus):
    return Q.load_files([corpus])


def _cell(term) -> str:
    """A cell by value: numbers to 12 significant digits (Oxigraph keeps 18 fractional digits of a
    quotient, Virtuoso 15), booleans whatever their lexical form ("1" and "true" are one value)."""
    if term is None:
        return "-"
    if isinstance(term, BNode):
        return "_"
    if isinstance(term, Literal) and term.datatype == XSD.boolean:
        return f"bool:{str(term) in ('true', '1')}"
    if isinstance(term, Literal) and term.datatype is not None:
        with contextlib.suppress(InvalidOperation, ValueError):
            d = Decimal(str(term))
            if d.is_finite():
                return "num:" + (format(Decimal(format(d, ".11e")).normalize(), "f") if d else "0")
        return f"{term}^^{term.datatype}"
    if isinstance(term, Literal) and term.language:
        return f"lit:{term}@{term.language}"
    return ("iri:" if isinstance(term, URIRef) else "lit:") + str(term)


def _param_values(local) -> dict[str, str]:
    """Required parameters from the data: the first counted figure with a span, in file order."""
    q = """PREFIX jx: <https://w3id.org/jixiao/def#> PREFIX oa: <http://www.w3.org/ns/oa#>
    SELECT ?counts ?start ?file ?year WHERE { GRAPH ?g {
      ?f jx:counts ?counts ; jx:sourceSpan ?s . ?s oa:hasSource/jx:fileName ?file ; oa:hasSelector ?pos .
      ?pos oa:start ?start . ?r a jx:Report ; jx:fiscalYear ?year } } ORDER BY ?file ?start ?counts LIMIT 1"""
    row = next(iter(local.query(q)))
    return {
        "phrase": row["counts"].value,
        "offset": row["start"].value,
        "file": row["file"].value,
        "fiscal_year": row["year"].value,
        **OPTIONAL_PARAMS,
    }


@pytest.mark.parametrize(("name", "given"), library_runs(), ids=[f"{n}[{','.join(g)}]" for n, g in library_runs()])
def test_library_query_gives_the_same_rows_in_the_same_order(server, local, name, given):
    values = _param_values(local)
    params = {p: values[p] for p in given}
    mine = [[_cell(t) for t in row] for row in Q.execute(name, params, dataset=local).rows]
    theirs = [[_cell(t) for t in row] for row in Q.execute(name, params, endpoint=server.sparql).rows]
    assert theirs == mine


def test_the_comparison_can_fail(server, local):
    """The corpus gives every query something to compare, and a changed row is seen as changed."""
    rows = Q.execute("budget-execution", {}, endpoint=server.sparql).rows
    assert len(rows) > 50
    assert len({str(r[0]) for r in Q.execute("reports", {}, endpoint=server.sparql).rows}) >= 8
    cells = [[_cell(t) for t in row] for row in rows]
    cells[3][2] = "num:1"
    assert cells != [[_cell(t) for t in row] for row in Q.execute("budget-execution", {}, dataset=local).rows]


def test_query_cli_against_virtuoso(server, capsys):
    assert main(["query", "reports", "--endpoint", server.sparql, "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "haiyuan-sports-bureau-2024.txt" in out


# -- pushing -------------------------------------------------------------------------------------
def small(n: int, tag: str = "x") -> Graph:
    g = Graph()
    for i in range(n):
        g.add((URIRef(f"https://example.org/s{i}"), URIRef("https://example.org/p"), Literal(f"{tag}{i}")))
    return g


def count(server, graph: str) -> int:
    return P.Pusher(P.Target(server.sparql, server.sparql)).counts([graph]).get(graph, 0)


def temporary_graphs(server) -> list[str]:
    q = 'SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "urn:jixiao:push:")) }'
    r = httpx.post(server.sparql, data={"query": q}, headers={"Accept": "application/sparql-results+json"})
    return [b["g"]["value"] for b in r.json()["results"]["bindings"]]


@pytest.mark.parametrize("gsp", [False, True], ids=["update", "gsp"])
def test_http_push_with_digest_auth_replaces_the_graph(server, gsp):
    graph = URIRef(f"https://example.org/graph/http-{gsp}")
    target = P.Target(
        server.sparql, server.sparql_auth, server.gsp if gsp else None, "graph-uri", user="dba", password="dba"
    )
    P.push_all(target, [(graph, small(5))])
    P.push_all(target, [(graph, small(3, "y"))])
    assert count(server, str(graph)) == 3
    assert temporary_graphs(server) == []


def test_http_push_without_credentials_is_refused_and_changes_nothing(server):
    graph = URIRef("https://example.org/graph/anonymous")
    with pytest.raises(JixiaoError, match="previous graph is unchanged"):
        P.push_all(P.Target(server.sparql, server.sparql_auth), [(graph, small(2))])
    assert count(server, str(graph)) == 0


def test_http_push_count_mismatch_leaves_previous_graph(server, monkeypatch):
    graph = URIRef("https://example.org/graph/mismatch")
    target = P.Target(server.sparql, server.sparql_auth, user="dba", password="dba")
    P.push_all(target, [(graph, small(4))])
    monkeypatch.setattr(P.Pusher, "count", lambda self, g: 1)
    with pytest.raises(JixiaoError, match="previous graph is unchanged"):
        P.push_all(target, [(graph, small(7))])
    assert count(server, str(graph)) == 4
    assert temporary_graphs(server) == []


def test_bulk_push_replaces_graphs(server):
    a, b = "https://example.org/graph/bulk-a", "https://example.org/graph/bulk-b"
    V.bulk_push(server.isql, [(a, ntriples(small(6))), (b, ntriples(small(2)))], server.load_dir)
    done = V.bulk_push(server.isql, [(a, ntriples(small(3, "z")))], server.load_dir)
    assert done == [(a, 3)]
    assert (count(server, a), count(server, b)) == (3, 2)
    assert temporary_graphs(server) == []
    assert list(server.load_dir.iterdir()) == []


def test_bulk_push_failure_leaves_previous_graphs(server, monkeypatch):
    a = "https://example.org/graph/bulk-fail"
    V.bulk_push(server.isql, [(a, ntriples(small(4)))], server.load_dir)
    monkeypatch.setattr(V, "count_graphs", lambda isql, graphs: [0 for _ in graphs])
    with pytest.raises(JixiaoError, match="previous graphs are unchanged"):
        V.bulk_push(server.isql, [(a, ntriples(small(9)))], server.load_dir)
    assert count(server, a) == 4
    assert temporary_graphs(server) == []
    assert list(server.load_dir.iterdir()) == []


def test_bulk_push_refuses_an_endpoint_that_is_not_the_server(server, tmp_path, monkeypatch, capsys):
    """--isql loads one server; --endpoint naming another one (here a second, empty Virtuoso would do:
    an Oxigraph server is quicker) is caught by the count check after the load."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent / "queries"))
    import servers

    f = tmp_path / "one.ttl"
    small(2).serialize(f, format="turtle")
    monkeypatch.setenv("JIXIAO_PUSH_PASSWORD", "dba")
    with servers.oxigraph(tmp_path / "other") as (base, _):
        args = ["push", "--endpoint", base + "/query", "--isql", f"127.0.0.1:{server.sql_port}"]
        args += ["--load-dir", str(server.load_dir), "--user", "dba", "--data", str(f)]
        assert main([*args, "--graph", "https://example.org/graph/elsewhere", "--no-ontology"]) == 2
    assert "are they the same server?" in capsys.readouterr().err


def test_http_push_drops_leftovers_on_virtuoso(server):
    """Virtuoso lists no graph for an empty GRAPH ?g { } pattern: the leftovers are still found."""
    left = "urn:jixiao:push:20260101T000000Z:killed-http"
    V.bulk_push(server.isql, [(left, ntriples(small(2)))], server.load_dir)  # the leftover, made by hand
    told: list[list[str]] = []
    target = P.Target(server.sparql, server.sparql_auth, user="dba", password="dba")
    graph = URIRef("https://example.org/graph/http-after-a-leftover")
    P.push_all(target, [(graph, small(2))], on_leftovers=told.append)
    assert told == [[left]]
    assert temporary_graphs(server) == []


def test_bulk_push_drops_the_leftovers_of_an_interrupted_http_push(server, tmp_path, monkeypatch, capsys):
    """A temporary graph left by a killed HTTP push is dropped by the next push, bulk or not, which says so."""
    left = "urn:jixiao:push:20260101T000000Z:killed"
    V.bulk_push(server.isql, [(left, ntriples(small(2)))], server.load_dir)  # the leftover, made by hand
    assert temporary_graphs(server) == [left]
    f = tmp_path / "one.ttl"
    small(3).serialize(f, format="turtle")
    monkeypatch.setenv("JIXIAO_PUSH_PASSWORD", "dba")
    graph = "https://example.org/graph/after-a-leftover"
    args = ["push", "--endpoint", server.sparql, "--isql", f"127.0.0.1:{server.sql_port}", "--quiet"]
    args += ["--load-dir", str(server.load_dir), "--user", "dba", "--data", str(f), "--graph", graph, "--no-ontology"]
    assert main(args) == 0
    assert "dropped 1 temporary graph(s) left by an interrupted push" in capsys.readouterr().err
    assert temporary_graphs(server) == []
    assert count(server, graph) == 3


def test_bulk_push_usage_errors(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("JIXIAO_PUSH_PASSWORD", raising=False)
    f = tmp_path / "one.ttl"
    small(1).serialize(f, format="turtle")
    base = ["push", "--endpoint", "http://127.0.0.1:9/sparql", "--data", str(f), "--graph", "urn:x:g"]
    assert main([*base, "--isql", "127.0.0.1:9"]) == 2
    assert "--isql needs --load-dir" in capsys.readouterr().err
    assert main([*base, "--isql", "127.0.0.1:9", "--load-dir", str(tmp_path), "--user", "dba"]) == 2
    assert "set JIXIAO_PUSH_PASSWORD" in capsys.readouterr().err


def test_a_partial_result_is_refused(server, tmp_path):
    """Virtuoso's anytime queries: past the timeout the endpoint answers with the rows found so far
    and X-SQL-State S1TAT; jixiao refuses that instead of printing it as the answer."""
    q = tmp_path / "pairs.rq"
    q.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?b ?f . FILTER(STR(?c) < STR(?f)) }\n")
    with pytest.raises(JixiaoError, match="partial result"):
        Q.execute(q, {}, endpoint=server.sparql + "?timeout=1000")


# -- the guard in front of it --------------------------------------------------------------------
@contextlib.contextmanager
def guard(upstream: str, *args: str):
    """``jixiao serve --upstream URL`` as a subprocess; yields its base URL."""
    import subprocess
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent / "queries"))
    import servers

    port = servers.free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "jixiao", "serve", "--upstream", upstream, "--port", str(port), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        servers._wait(base + "/queries.json", proc)
        yield base
    finally:
        servers._stop(proc)


@pytest.mark.parametrize("name", ["reports", "budget-execution", "indicators", "span-at", "targets-too-low"])
def test_guard_in_front_of_virtuoso_gives_the_same_rows(server, local, name):
    values = _param_values(local)
    params = {p.name: values[p.name] for p in Q.load(name).params if p.required}
    with guard(server.sparql) as base:
        through = [[_cell(t) for t in row] for row in Q.execute(name, params, endpoint=base + "/sparql").rows]
    mine = [[_cell(t) for t in row] for row in Q.execute(name, params, dataset=local).rows]
    assert through == mine
    assert mine


def test_guard_in_front_of_virtuoso_refuses_and_caps(server, tmp_path):
    accept = {"Accept": "application/sparql-results+json"}
    with guard(server.sparql, "--max-rows", "5", "--timeout", "20") as base:
        r = httpx.post(base + "/sparql", data={"update": "DROP ALL"})
        assert r.status_code == 403
        r = httpx.post(
            base + "/sparql",
            data={"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"},
            headers=accept,
        )
        assert r.status_code == 400
        some = "SELECT ?f WHERE { ?f a <https://w3id.org/jixiao/def#Quantity> }"  # thousands of rows
        r = httpx.post(base + "/sparql", data={"query": some}, headers=accept, timeout=60)
        assert r.status_code == 200
        assert r.headers["X-Jixiao-Truncated"] == "true"
        assert len(r.json()["results"]["bindings"]) == 5
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?b ?f . FILTER(STR(?c) < STR(?f)) }"
        r = httpx.post(base + "/sparql", data={"query": slow}, headers=accept, timeout=60)
        assert r.status_code == 504
        r = httpx.post(base + "/api/run", json={"name": "reports"})
        assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 5
    assert count(server, "https://example.org/graph/never") == 0  # and the store is still there, unchanged


def test_upstream_is_exclusive_with_a_store(tmp_path):
    assert main(["serve", "--upstream", "http://127.0.0.1:9/sparql", "--store", str(tmp_path)]) == 2


def test_bulk_push_loads_new_graphs_in_place_and_a_killed_push_is_rolled_back(server):
    """New graphs load under their own names (no MOVE); a journal left by a push that died names
    what it loaded, and the next push drops it first."""
    import json

    fresh, held = "https://example.org/graph/bulk-fresh", "https://example.org/graph/bulk-held"
    V.bulk_push(server.isql, [(held, ntriples(small(3)))], server.load_dir)
    calls: list[str] = []
    real_run = V.Isql.run

    def spy(self, sql):
        calls.append(sql)
        return real_run(self, sql)

    V.Isql.run = spy
    try:
        V.bulk_push(server.isql, [(fresh, ntriples(small(2))), (held, ntriples(small(5)))], server.load_dir)
    finally:
        V.Isql.run = real_run
    moves = [line for sql in calls for line in sql.splitlines() if line.startswith("SPARQL MOVE")]
    assert len(moves) == 1 and held in moves[0]  # only the graph the store held is swapped
    assert (count(server, fresh), count(server, held)) == (2, 5)
    # a push killed mid-load: its journal and a half-loaded new graph are left behind
    half = "https://example.org/graph/bulk-half"
    P.push_all(P.Target(server.sparql, server.sparql_auth, user="dba", password="dba"), [(URIRef(half), small(1))])
    (server.load_dir / "jixiao-push-dead.journal").write_text(json.dumps({"graphs": [half]}))
    V.bulk_push(server.isql, [(fresh, ntriples(small(4)))], server.load_dir)
    assert (count(server, half), count(server, fresh), count(server, held)) == (0, 4, 5)
    assert list(server.load_dir.iterdir()) == []


def test_bulk_push_refuses_a_graph_given_twice(server):
    g = "https://example.org/graph/twice"
    with pytest.raises(JixiaoError, match="given twice"):
        V.bulk_push(server.isql, [(g, ntriples(small(1))), (g, ntriples(small(2)))], server.load_dir)
    assert count(server, g) == 0
    assert list(server.load_dir.iterdir()) == []
