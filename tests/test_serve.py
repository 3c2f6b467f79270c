"""``jixiao serve``: the real Oxigraph server behind the guard, spoken to by SPARQLWrapper.

These tests start real servers on free loopback ports; a missing server binary fails them."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.error import HTTPError

import httpx
import pytest
from rdflib import Graph
from SPARQLWrapper import CSV, JSON, JSONLD, POST, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import EndPointInternalError, QueryBadFormed, SPARQLWrapperException

sys.path.insert(0, str(Path(__file__).resolve().parent / "queries"))
import servers

pytestmark = pytest.mark.server
JX = "https://w3id.org/jixiao/def#"
TITLES = f"SELECT ?t WHERE {{ ?r a <{JX}Report> ; <{JX}title> ?t }} ORDER BY ?t"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return servers.build_store(tmp_path_factory.mktemp("serve") / "store")


@pytest.fixture(scope="module")
def endpoint(store):
    with servers.jixiao_serve(store, "--max-rows", "50", "--max-request-bytes", "20000", "--cors") as base:
        yield base


def client(base: str, query: str, fmt, method=POST) -> SPARQLWrapper:
    c = SPARQLWrapper(base + "/sparql")
    c.setQuery(query)
    c.setReturnFormat(fmt)
    c.setMethod(method)
    return c


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_select_json(endpoint, method):
    doc = client(endpoint, TITLES, JSON, method).queryAndConvert()
    assert [b["t"]["value"] for b in doc["results"]["bindings"]] == [
        "海源市文化局2024年度部门整体支出绩效自评报告",
        "青溪县体育局2023年度部门整体支出绩效自评报告",
    ]


def test_select_xml(endpoint):
    doc = client(endpoint, TITLES, XML).queryAndConvert()
    values = [n.firstChild.data for n in doc.getElementsByTagName("literal")]
    assert values[1] == "青溪县体育局2023年度部门整体支出绩效自评报告"


@pytest.mark.parametrize(("fmt", "sep"), [(CSV, ","), (TSV, "\t")])
def test_select_csv_tsv(endpoint, fmt, sep):
    text = client(endpoint, TITLES, fmt).queryAndConvert().decode("utf-8")
    lines = text.strip().splitlines()
    assert lines[0].strip() in ("t", "?t")
    assert len(lines) == 3 and "海源市文化局" in lines[1]


def test_ask(endpoint):
    assert client(endpoint, f"ASK {{ ?x a <{JX}Indicator> }}", JSON).queryAndConvert()["boolean"] is True


@pytest.mark.parametrize("fmt", [TURTLE, JSONLD])
def test_construct_turtle_and_jsonld(endpoint, fmt):
    q = f"CONSTRUCT {{ ?r <{JX}title> ?t }} WHERE {{ ?r a <{JX}Report> ; <{JX}title> ?t }}"
    out = client(endpoint, q, fmt).queryAndConvert()
    g = out if isinstance(out, Graph) else Graph().parse(data=out, format="turtle" if fmt == TURTLE else "json-ld")
    assert len(g) == 2


def test_library_query_through_the_endpoint_matches_in_process(endpoint):
    from jixiao import queries as Q

    remote = Q.run("budget-execution", endpoint=endpoint + "/sparql")
    local = Q.run("budget-execution", data=servers.FIXTURES)
    assert remote.equals(local)


def test_row_cap_truncates_and_says_so(endpoint):
    q = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    r = httpx.post(endpoint + "/sparql", data={"query": q}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.headers["X-Jixiao-Truncated"] == "true"
    doc = r.json()
    assert len(doc["results"]["bindings"]) == 50 and doc["jixiao"] == {"truncated": True, "maxRows": 50}
    r = httpx.post(endpoint + "/sparql", data={"query": q}, headers={"Accept": "text/csv"})
    assert r.headers["X-Jixiao-Truncated"] == "true" and len(r.text.strip().splitlines()) == 51
    small = httpx.post(endpoint + "/sparql", data={"query": TITLES}, headers={"Accept": "application/json"})
    assert small.headers["X-Jixiao-Truncated"] == "false" and "jixiao" not in small.json()


def test_update_is_refused(endpoint):
    c = SPARQLWrapper(endpoint + "/sparql", updateEndpoint=endpoint + "/update")
    c.setMethod(POST)
    c.setQuery("INSERT DATA { <http://x/s> <http://x/p> 1 }")
    with pytest.raises((SPARQLWrapperException, HTTPError)) as exc:
        c.query()
    assert "403" in str(exc.value) or getattr(exc.value, "code", None) == 403
    r = httpx.post(endpoint + "/sparql", data={"query": "DROP ALL"})
    assert r.status_code == 403 and "read-only" in r.text
    r = httpx.post(endpoint + "/sparql", data={"update": "DROP ALL"})
    assert r.status_code == 403
    assert client(endpoint, TITLES, JSON).queryAndConvert()["results"]["bindings"]  # still there


def test_service_is_refused(endpoint):
    q = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    with pytest.raises(QueryBadFormed) as exc:
        client(endpoint, q, JSON).queryAndConvert()
    assert "SERVICE is refused" in str(exc.value)


def test_remote_from_is_refused_but_store_graphs_are_allowed(endpoint):
    r = httpx.get(endpoint + "/sparql", params={"query": "SELECT * FROM <http://example.org/data.ttl> { ?s ?p ?o }"})
    assert r.status_code == 400 and "not a graph of this store" in r.text
    r = httpx.get(
        endpoint + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }", "named-graph-uri": "http://example.org/x"}
    )
    assert r.status_code == 400
    graph = next(iter(servers.report_graphs()))
    r = httpx.get(
        endpoint + "/sparql",
        params={"query": f"ASK FROM <{graph}> {{ ?r a <{JX}Report> }}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert r.status_code == 200 and r.json()["boolean"] is True


def test_oversize_request_is_413(endpoint):
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 30000
    assert (
        httpx.post(
            endpoint + "/sparql", content=big.encode(), headers={"Content-Type": "application/sparql-query"}
        ).status_code
        == 413
    )
    assert httpx.get(endpoint + "/sparql", params={"query": big}).status_code == 413


def test_bad_query_is_400(endpoint):
    r = httpx.get(endpoint + "/sparql", params={"query": "SELEC nothing"})
    assert r.status_code == 400


def test_cors_header(endpoint):
    r = httpx.get(endpoint + "/sparql", params={"query": "ASK {}"}, headers={"Origin": "http://example.org"})
    assert r.headers.get("access-control-allow-origin") == "*"


def test_page_and_library(endpoint):
    page = httpx.get(endpoint + "/").text  # the YASGUI page (tests/test_serve_browser.py drives it)
    assert 'id="yasgui"' in page and 'id="examples"' in page and "/static/yasgui.min.js" in page
    assert httpx.get(endpoint + "/static/yasgui.min.js").status_code == 200
    lib = httpx.get(endpoint + "/queries.json").json()
    assert len(lib) >= 25 and {"name", "title_zh", "title_en", "params", "query"} <= set(lib[0])
    r = httpx.post(endpoint + "/api/run", json={"name": "targets-too-low", "params": {"threshold": "2"}})
    rows = r.json()["results"]["bindings"]
    assert [b["indicator"]["value"] for b in rows] == ["举办健身活动场次"]
    r = httpx.post(endpoint + "/api/run", json={"name": "targets-too-low", "params": {"threshold": "x"}})
    assert r.status_code == 400 and "xsd:decimal" in r.text


def test_timeout_is_504(store):
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with servers.jixiao_serve(store, "--timeout", "1") as base:
        c = client(base, heavy, JSON)
        c.setTimeout(30)
        with pytest.raises((EndPointInternalError, HTTPError, SPARQLWrapperException)) as exc:
            c.queryAndConvert()
        assert "504" in str(exc.value) or getattr(exc.value, "code", None) == 504
        r = httpx.post(base + "/sparql", data={"query": heavy}, timeout=30)
        assert r.status_code == 504 and "timed out" in r.text
