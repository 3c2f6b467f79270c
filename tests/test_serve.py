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


def _ask(base: str, query: str, **params) -> bool:
    r = httpx.get(base + "/sparql", params={"query": query, **params}, headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    return r.json()["boolean"]


def _titles(base: str, query: str, **params) -> list[str]:
    r = httpx.get(base + "/sparql", params={"query": query, **params}, headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    return sorted(b["t"]["value"] for b in r.json()["results"]["bindings"])


def test_the_dataset_comes_from_the_protocol_then_from_the_query_then_the_union(endpoint):
    """No dataset given: the union of the store's graphs. FROM: only those graphs (the union must
    not override it). default-graph-uri / named-graph-uri: the protocol's dataset, overriding the
    query's. A graph the store does not hold is an empty graph; nothing is fetched."""
    a, b = sorted(servers.report_graphs())
    everything = _titles(endpoint, TITLES)
    assert len(everything) == 2
    only_a = _titles(endpoint, f"SELECT ?t FROM <{a}> WHERE {{ ?r a <{JX}Report> ; <{JX}title> ?t }}")
    only_b = _titles(endpoint, f"SELECT ?t FROM <{b}> WHERE {{ ?r a <{JX}Report> ; <{JX}title> ?t }}")
    assert len(only_a) == len(only_b) == 1 and sorted(only_a + only_b) == everything
    report_titles = f"SELECT ?t WHERE {{ ?r a <{JX}Report> ; <{JX}title> ?t }}"
    assert _titles(endpoint, report_titles, **{"default-graph-uri": str(a)}) == only_a
    # the protocol wins over FROM
    q = f"SELECT ?t FROM <{a}> WHERE {{ ?r a <{JX}Report> ; <{JX}title> ?t }}"
    assert _titles(endpoint, q, **{"default-graph-uri": str(b)}) == only_b
    # FROM NAMED alone: an empty default graph, the named graph reachable with GRAPH
    assert _titles(endpoint, f"SELECT ?t FROM NAMED <{a}> WHERE {{ ?r a <{JX}Report> ; <{JX}title> ?t }}") == []
    in_graph = f"SELECT ?t FROM NAMED <{a}> WHERE {{ GRAPH ?g {{ ?r a <{JX}Report> ; <{JX}title> ?t }} }}"
    assert _titles(endpoint, in_graph) == only_a
    # graphs the store does not hold, in the query or the protocol: empty, answered, never fetched
    remote = "http://example.org/data.ttl"
    assert _titles(endpoint, f"SELECT ?t FROM <{remote}> WHERE {{ ?r a <{JX}Report> ; <{JX}title> ?t }}") == []
    assert _ask(endpoint, "ASK { ?s ?p ?o }", **{"default-graph-uri": remote}) is False
    assert _ask(endpoint, "ASK {}", **{"default-graph-uri": remote}) is True
    assert _ask(endpoint, "ASK { GRAPH ?g { ?s ?p ?o } }", **{"named-graph-uri": remote}) is False
    assert _ask(endpoint, "ASK { ?s ?p ?o }", **{"named-graph-uri": str(a)}) is False  # default graph empty


def test_a_dataset_parameter_that_is_not_an_iri_is_refused_naming_the_parameter(endpoint):
    for param in ("default-graph-uri", "named-graph-uri"):
        r = httpx.get(endpoint + "/sparql", params={"query": "ASK {}", param: "data.rdf"})
        assert r.status_code == 400 and r.text.startswith(f"{param} 'data.rdf' is not an absolute IRI"), r.text
    r = httpx.get(endpoint + "/sparql", params={"query": "ASK FROM <http://a b> {}"})
    assert r.status_code == 400 and "default-graph-uri" not in r.text


def test_relative_iris_resolve_against_the_public_endpoint_url(endpoint, store):
    q = "CONSTRUCT { <s> <p> 1 } WHERE {}"
    r = httpx.post(endpoint + "/sparql", content=q, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 200
    assert r.text.startswith(f"<{endpoint}/s> <{endpoint}/p> 1"), r.text  # base = <endpoint>/sparql
    r = httpx.get(endpoint + "/sparql", params={"query": "SELECT ?x WHERE { BIND(<a/b> AS ?x) }"})
    assert r.json()["results"]["bindings"][0]["x"]["value"] == endpoint + "/a/b"
    # a BASE in the query wins
    r = httpx.get(endpoint + "/sparql", params={"query": "BASE <http://e.org/x/> SELECT ?x WHERE { BIND(<y> AS ?x) }"})
    assert r.json()["results"]["bindings"][0]["x"]["value"] == "http://e.org/x/y"
    public = "https://data.example.org/jixiao/sparql"
    with servers.jixiao_serve(store, "--public-url", public) as base:
        r = httpx.post(base + "/sparql", content=q, headers={"Content-Type": "application/sparql-query"})
        assert r.text.startswith("<https://data.example.org/jixiao/s> <https://data.example.org/jixiao/p> 1")
        assert base.split("//")[1] not in r.text
    with servers.jixiao_serve(store, "--host", "0.0.0.0") as base:  # no public URL known: no base
        r = httpx.post(base + "/sparql", content=q, headers={"Content-Type": "application/sparql-query"})
        assert r.status_code == 400 and "relative IRI needs a base" in r.text, r.text
        r = httpx.get(base + "/sparql", params={"query": "BASE <http://e.org/> SELECT ?x WHERE { BIND(<y> AS ?x) }"})
        assert r.json()["results"]["bindings"][0]["x"]["value"] == "http://e.org/y"


def test_messages_name_the_real_cause(endpoint):
    url = endpoint + "/sparql"
    sq = {"Content-Type": "application/sparql-query"}
    cases = [
        (httpx.post(url, content=b"", headers=sq), 400, "empty query"),
        (httpx.post(url, content=b"  \n", headers=sq), 400, "empty query"),
        (httpx.get(url, params={"query": ""}), 400, "empty query"),
        (
            httpx.post(
                url,
                content="ASK {}".encode("utf-16"),
                headers={"Content-Type": "application/sparql-query; charset=UTF-16"},
            ),
            415,
            "charset=utf-16 is not accepted",
        ),
        (
            httpx.post(url, content=b"ASK {}", headers={"Content-Type": "application/sparql-query; charset=UTF-16"}),
            415,
            "charset=utf-16",
        ),
        (httpx.post(url, content=b"SELECT ('\xff' AS ?x) {}", headers=sq), 400, "not UTF-8 (byte 9"),
        (httpx.post(url, content=b"ASK {}"), 415, "has no Content-Type"),
        (httpx.post(url, content=b"ASK {}", headers={"Content-Type": "text/plain"}), 415, "not text/plain"),
        (httpx.get(url, params=[("query", "ASK {}"), ("query", "ASK {}")]), 400, "2 query parameters"),
        (httpx.post(url + "?query=ASK%7B%7D", content=b"ASK {}", headers=sq), 400, "given twice"),
        (httpx.post(url, data={"default-graph-uri": "http://a"}), 400, "no query"),
        (
            httpx.get(url, params={"query": "ASK {}"}, headers={"Accept": "image/png"}),
            406,
            "cannot answer ASK as image/png",
        ),
        (httpx.get(url, params={"query": TITLES}, headers={"Accept": "text/turtle"}), 406, "cannot answer SELECT"),
        (httpx.put(url, params={"query": "ASK {}"}), 405, "PUT is not a SPARQL protocol method"),
    ]
    for r, status, text in cases:
        assert r.status_code == status and text in r.text, (status, text, r.status_code, r.text)
    assert httpx.put(url).headers["allow"] == "GET, POST"
    # acceptable types are honoured, with q-values and wildcards
    r = httpx.get(url, params={"query": TITLES}, headers={"Accept": "text/csv;q=0.5, application/sparql-results+xml"})
    assert r.headers["content-type"].startswith("application/sparql-results+xml")
    r = httpx.get(url, params={"query": TITLES}, headers={"Accept": "text/*"})
    assert r.headers["content-type"].startswith("text/csv")
    r = httpx.get(url, params={"query": TITLES}, headers={"Accept": "application/sparql-results+json;q=0, */*"})
    assert not r.headers["content-type"].startswith("application/sparql-results+json")
    r = httpx.get(url, params={"query": "DESCRIBE <http://x>"}, headers={"Accept": "application/ld+json"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/ld+json"


SD = "http://www.w3.org/ns/sparql-service-description#"


@pytest.mark.parametrize(
    ("accept", "fmt"), [("text/turtle", "turtle"), ("application/ld+json", "json-ld"), (None, "turtle")]
)
def test_service_description_lists_the_report_graphs(endpoint, accept, fmt):
    from rdflib import RDF, URIRef

    headers = {"Accept": accept} if accept else {}
    r = httpx.get(endpoint + "/sparql", headers=headers)
    assert r.status_code == 200 and "Accept" in r.headers["vary"]
    g = Graph().parse(data=r.text, format=fmt)
    me = URIRef(endpoint + "/sparql")
    assert (me, RDF.type, URIRef(SD + "Service")) in g
    assert (me, URIRef(SD + "endpoint"), me) in g
    assert (me, URIRef(SD + "supportedLanguage"), URIRef(SD + "SPARQL11Query")) in g
    assert (me, URIRef(SD + "feature"), URIRef(SD + "UnionDefaultGraph")) in g
    formats = set(g.objects(me, URIRef(SD + "resultFormat")))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats and len(formats) == 8
    dataset = g.value(me, URIRef(SD + "defaultDataset"))
    names = {g.value(ng, URIRef(SD + "name")) for ng in g.objects(dataset, URIRef(SD + "namedGraph"))}
    assert names == set(servers.report_graphs())
    assert g.value(dataset, URIRef(SD + "defaultGraph")) is not None


def test_the_endpoint_url_gives_the_query_page_to_browsers(endpoint):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for accept in ("text/html", browser):
        r = httpx.get(endpoint + "/sparql", headers={"Accept": accept})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert r.text == httpx.get(endpoint + "/").text
    r = httpx.get(endpoint + "/sparql", headers={"Accept": "image/png"})
    assert r.status_code == 406


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
    assert r.status_code == 400 and "error at 1:1" in r.text, r.text
    r = httpx.get(endpoint + "/sparql", params={"query": "SELECT * WHERE { ?s ?p 'open }"})
    assert r.status_code == 400 and "unterminated string literal (at line 1, column 24)" in r.text, r.text


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


def test_library_queries_are_looked_up_by_name_in_the_library_only(store, tmp_path):
    """Names that are files in the server's working directory (or paths) are not read: 404, and
    nothing of the file comes back."""
    secret = "TOPSECRET-7f3a nothing here is SPARQL"
    (tmp_path / "notes").write_text(secret, encoding="utf-8")
    (tmp_path / "notes.rq").write_text(secret, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "budget-execution.rq").write_text(secret, encoding="utf-8")
    with servers.jixiao_serve(store, cwd=tmp_path) as base:
        for name in ("notes", "notes.rq", str(tmp_path / "notes"), "sub/budget-execution.rq", "../notes", ""):
            r = httpx.post(base + "/api/run", json={"name": name, "params": {}})
            assert r.status_code == 404 and "TOPSECRET" not in r.text, (name, r.text)
            assert r.text.startswith("no library query named"), r.text
        r = httpx.post(base + "/api/run", json={"name": "budget-execution", "params": {}})
        assert r.status_code == 200 and r.json()["results"]["bindings"]


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
