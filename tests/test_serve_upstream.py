"""``jixiao serve --upstream URL``: the endpoint's guard in front of a remote store (docs/security.md,
"In front of a remote store"). The store here is a small recording SPARQL server in this process, so
each test can see exactly what reached it; tests/test_virtuoso.py runs the guard in front of a real
Virtuoso (library rows, the row cap, Virtuoso's partial answers)."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "queries"))
import servers

pytestmark = pytest.mark.server
HELD = ["https://example.org/graph/a", "https://example.org/graph/b"]
ROWS = 10  # solutions (and triples) the store gives for an ordinary query
JSON = {"Accept": "application/sparql-results+json"}
GRAPH_CHECK = "SELECT ?s WHERE { GRAPH <"  # the guard's question whether the store holds a graph


class Store(BaseHTTPRequestHandler):
    """A SPARQL endpoint that records every request and answers from markers in the query text."""

    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, body: bytes, media: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the guard gave up waiting
            self.wfile.write(body)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        params = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        self.server.seen.append(params)
        query = params["query"][0]
        results = "application/sparql-results+json"
        if query.startswith("SELECT DISTINCT ?g"):  # the guard's list of graphs at start
            rows = [{"g": {"type": "uri", "value": g}} for g in HELD]
            return self._send(
                200, json.dumps({"head": {"vars": ["g"]}, "results": {"bindings": rows}}).encode(), results
            )
        if query.startswith(GRAPH_CHECK):  # the guard asking whether a graph is held
            held = query.split("<", 1)[1].split(">", 1)[0] in HELD
            rows = [{"s": {"type": "uri", "value": "https://example.org/s0"}}] if held else []
            doc = {"head": {"vars": ["s"]}, "results": {"bindings": rows}}
            return self._send(200, json.dumps(doc).encode(), results)
        if "#retval" in query:  # how Virtuoso (in some configurations) answers an ASK
            cell = {"type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "1"}
            doc = {"head": {"vars": ["__ASK_RETVAL"]}, "results": {"bindings": [{"__ASK_RETVAL": cell}]}}
            return self._send(200, json.dumps(doc).encode(), results)
        if "#slow" in query:
            time.sleep(8)
        if "#partial" in query:  # Virtuoso's anytime answer: the rows so far, as if they were all
            doc = {"head": {"vars": ["s"]}, "results": {"bindings": []}}
            return self._send(200, json.dumps(doc).encode(), results, {"X-SQL-State": "S1TAT"})
        if "#redirect" in query:
            return self._send(302, b"", "text/plain", {"Location": "http://example.org/elsewhere"})
        if query.lstrip().upper().startswith("CONSTRUCT"):
            nt = "".join(f'<https://example.org/s{i}> <https://example.org/p> "{i}" .\n' for i in range(ROWS))
            return self._send(200, nt.encode(), "application/n-triples")
        if query.lstrip().upper().startswith("ASK"):
            return self._send(200, b'{"head": {}, "boolean": true}', results)
        rows = [{"s": {"type": "uri", "value": f"https://example.org/s{i}"}} for i in range(ROWS)]
        return self._send(200, json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": rows}}).encode(), results)


@contextlib.contextmanager
def store() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Store)
    server.daemon_threads = True
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def guard(*args: str) -> Iterator[tuple[str, ThreadingHTTPServer]]:
    """The store and ``jixiao serve --upstream`` in front of it; yields (guard base URL, store)."""
    with store() as upstream:
        port = servers.free_port()
        url = f"http://127.0.0.1:{upstream.server_address[1]}/sparql"
        proc = subprocess.Popen(
            [sys.executable, "-m", "jixiao", "serve", "--upstream", url, "--port", str(port), *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            servers._wait(base + "/queries.json", proc)
            yield base, upstream
        finally:
            servers._stop(proc)


def queries_seen(upstream) -> list[str]:
    """The client queries that reached the store (not the guard's own graph questions)."""
    return [p["query"][0] for p in upstream.seen if not p["query"][0].startswith(("SELECT DISTINCT ?g", GRAPH_CHECK))]


def test_refused_queries_never_reach_the_store():
    refused = {
        "INSERT DATA { <https://example.org/s> <https://example.org/p> 1 }": 403,
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }": 400,
        "SELECT * WHERE " + "{" * 70 + " ?s ?p ?o " + "}" * 70: 400,  # nesting over the limit
        'DEFINE get:soft "replace" SELECT * FROM <http://example.org/web> WHERE { ?s ?p ?o }': 400,  # a pragma
        "PREFIX bif: <bif:> SELECT (bif:file_to_string('/etc/passwd') AS ?x) WHERE {}": 400,  # an extension
        "SELECT * WHERE { ?s ?p ?o": 400,  # not SPARQL
        "SELECT * FROM <https://example.org/graph/elsewhere> WHERE { ?s ?p ?o }": 400,  # a graph not held
        "PREFIX g: <https://example.org/graph/> ASK FROM NAMED g:nowhere { GRAPH ?g { ?s ?p ?o } }": 400,
    }
    with guard() as (base, upstream):
        for query, status in refused.items():
            r = httpx.post(base + "/sparql", data={"query": query}, headers=JSON)
            assert r.status_code == status, (query, r.text)
        r = httpx.post(base + "/sparql", data={"update": "DROP ALL"})
        assert r.status_code == 403
        r = httpx.post(
            base + "/sparql",
            data={"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": "https://example.org/graph/z"},
            headers=JSON,
        )
        assert r.status_code == 400 and "graph/z" in r.text
        assert "not a graph of this store" in r.text
        assert queries_seen(upstream) == []


def test_held_graphs_pass_and_only_the_protocol_parameters_are_forwarded():
    with guard() as (base, upstream):
        query = (
            "BASE <https://example.org/> PREFIX g: <graph/> SELECT ?s FROM g:a FROM NAMED <graph/b> WHERE { ?s ?p ?o }"
        )
        r = httpx.post(
            base + "/sparql?should-sponge=soft&timeout=1",
            data={"query": query, "named-graph-uri": HELD[1]},
            headers=JSON,
        )
        assert r.status_code == 200, r.text
        assert len(r.json()["results"]["bindings"]) == ROWS
        asked = [p["query"][0] for p in upstream.seen if p["query"][0].startswith(GRAPH_CHECK)]
        # a prefixed name and a relative IRI, both resolved against the query's BASE, and the parameter
        assert sorted(asked) == [f"{GRAPH_CHECK}{g}> {{ ?s ?p ?o }} }} LIMIT 1" for g in HELD]
        forwarded = [p for p in upstream.seen if p["query"][0] == query]
        assert len(forwarded) == 1
        assert set(forwarded[0]) == {"query", "named-graph-uri"}, forwarded[0]  # no should-sponge, no timeout
        assert forwarded[0]["named-graph-uri"] == [HELD[1]]


def test_the_row_cap_and_the_answer_formats():
    with guard("--max-rows", "3") as (base, _):
        r = httpx.post(base + "/sparql", data={"query": "SELECT ?s WHERE { ?s ?p ?o }"}, headers=JSON)
        assert r.status_code == 200
        assert r.headers["X-Jixiao-Truncated"] == "true" and r.headers["X-Jixiao-Max-Rows"] == "3"
        doc = r.json()
        assert [b["s"]["value"] for b in doc["results"]["bindings"]] == [f"https://example.org/s{i}" for i in range(3)]
        assert doc["jixiao"] == {"truncated": True, "maxRows": 3}
        r = httpx.post(base + "/sparql", data={"query": "SELECT ?s WHERE { ?s ?p ?o }"}, headers={"Accept": "text/csv"})
        assert r.text.splitlines() == [
            "s",
            "https://example.org/s0",
            "https://example.org/s1",
            "https://example.org/s2",
        ]
        construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
        r = httpx.post(base + "/sparql", data={"query": construct}, headers={"Accept": "application/n-triples"})
        assert r.status_code == 200 and r.headers["X-Jixiao-Truncated"] == "true"
        assert len(r.text.splitlines()) == 3
        r = httpx.post(base + "/sparql", data={"query": "ASK { ?s ?p ?o }"}, headers=JSON)
        assert r.status_code == 200 and r.json()["boolean"] is True
        r = httpx.post(base + "/sparql", data={"query": "ASK { ?s ?p ?o } #retval"}, headers=JSON)
        assert r.status_code == 200 and r.json() == {"head": {}, "boolean": True}, r.text
    with guard("--max-rows", "10") as (base, _):
        r = httpx.post(base + "/sparql", data={"query": "SELECT ?s WHERE { ?s ?p ?o }"}, headers=JSON)
        assert r.headers["X-Jixiao-Truncated"] == "false" and len(r.json()["results"]["bindings"]) == ROWS


def test_a_partial_answer_is_a_504_and_a_redirect_is_not_followed():
    with guard() as (base, _):
        r = httpx.post(base + "/sparql", data={"query": "SELECT * WHERE { ?s ?p ?o } #partial"}, headers=JSON)
        assert r.status_code == 504 and "partial answer" in r.text, r.text
        r = httpx.post(base + "/sparql", data={"query": "SELECT * WHERE { ?s ?p ?o } #redirect"}, headers=JSON)
        assert r.status_code == 502 and "HTTP 302" in r.text, r.text


def test_timeout_client_slots_and_queue_hold_in_front_of_the_store():
    """--client-slots 1 --client-queue 2 --timeout 3: a client's second slow query waits for its
    first, a third is refused with 429; another client is answered meanwhile; the slow ones 504."""
    slow = "SELECT * WHERE { ?s ?p ?o } #slow"
    with guard("--timeout", "3", "--workers", "3", "--client-queue", "2") as (base, upstream):
        a = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=60)
        b = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.3"), timeout=60)
        with ThreadPoolExecutor(2) as pool, a, b:
            futures = [pool.submit(a.post, base + "/sparql", data={"query": slow}, headers=JSON) for _ in range(2)]
            time.sleep(0.5)
            third = a.post(base + "/sparql", data={"query": "ASK {}"}, headers=JSON)
            assert third.status_code == 429, third.text
            fast = b.post(base + "/sparql", data={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers=JSON)
            assert fast.status_code == 200 and not all(f.done() for f in futures)
            statuses = sorted(f.result().status_code for f in futures)
        assert statuses in ([503, 504], [504, 504]), statuses
        # one slot per client: the second slow query never ran beside the first
        assert queries_seen(upstream).count(slow) == 1


def test_upstream_options(tmp_path):
    from jixiao.cli import main

    assert main(["serve", "--upstream", "http://127.0.0.1:9/sparql", "--store", str(tmp_path)]) == 2
    assert main(["serve", "--upstream", "file:///etc/passwd"]) == 2
    port = servers.free_port()
    proc = subprocess.run(
        [sys.executable, "-m", "jixiao", "serve", "--upstream", "http://127.0.0.1:9/sparql", "--port", str(port)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0 and "cannot serve: the store at http://127.0.0.1:9/sparql" in proc.stderr
