"""``jixiao.sparqltext.check_query_text``: the check every query passes before a parser sees it.

Oracle for SERVICE: pyoxigraph itself. A query whose SERVICE clause Oxigraph would run against
``<http://127.0.0.1:9/…>`` fails with "The port 9 is not allowed" (refused before any connection),
so for generated texts "Oxigraph would call a service" is observable without a network; the check
must then say ``uses_service``. False alarms are allowed (they only refuse odd names), misses not."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao import queries as Q
from jixiao.sparqltext import MAX_NESTING, QueryTextError, check_query_text

SERVICE_IRI = "<http://127.0.0.1:9/sparql>"


def _oracle_store() -> ox.Store:
    """Data every pattern of the cases below matches, so that evaluation reaches the SERVICE."""
    store = ox.Store()
    for iri in ("http://e/a", "http://e/a'", "http://e/b'", "http://e/a#", "http://x/A#"):
        n = ox.NamedNode(iri)
        store.add(ox.Quad(n, n, n))
    store.add(ox.Quad(ox.NamedNode("http://e/a'"), ox.NamedNode("http://e/b'"), ox.NamedNode("http://e/a'")))
    a = ox.NamedNode("http://e/a")
    store.add(ox.Quad(a, a, ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))))
    return store


ORACLE = _oracle_store()


def oxigraph_calls_a_service(query: str) -> bool:
    """Would Oxigraph run a SERVICE of this query (one whose error is not swallowed by SILENT or
    by a FILTER)? Observed on data every pattern below matches."""
    try:
        res = ORACLE.query(query)
        if not isinstance(res, ox.QueryBoolean):
            list(res)
    except OSError as exc:
        return "port 9 is not allowed" in str(exc)
    except (SyntaxError, ValueError, RuntimeError):
        return False
    return False


def test_the_library_passes_as_queries_without_service_or_from():
    for q in Q.library():
        found = check_query_text(q.text)
        assert found.operation == "query" and found.keyword == "SELECT", q.name
        assert not found.uses_service and not found.has_dataset, q.name
        # far below the endpoint's default limit (64): the deepest, execution-and-attainment, nests 9 levels
        assert found.depth <= 12, q.name


@pytest.mark.parametrize(
    ("text", "keyword", "operation"),
    [
        ("SELECT * {}", "SELECT", "query"),
        ("  # a comment SELECT\n ask {}", "ASK", "query"),
        ("BASE <http://e/> PREFIX ex: <http://e/> PREFIX : <http://f/> CONSTRUCT WHERE {}", "CONSTRUCT", "query"),
        ("prefix select: <http://e/> describe select:x", "DESCRIBE", "query"),
        ("PREFIX ex: <http://e/> INSERT DATA { ex:a ex:b ex:c }", "INSERT", "update"),
        ("DROP ALL", "DROP", "update"),
        ("with <http://g> delete { ?s ?p ?o } where { ?s ?p ?o }", "WITH", "update"),
        ("LOAD <http://example.org/x.ttl>", "LOAD", "update"),
        ("SELEC nothing", "", ""),
        ("", "", ""),
    ],
)
def test_the_first_keyword_says_query_or_update(text, keyword, operation):
    found = check_query_text(text)
    assert (found.keyword, found.operation) == (keyword, operation)


@pytest.mark.parametrize(
    "text",
    [
        f"SELECT * WHERE {{ SERVICE {SERVICE_IRI} {{ ?s ?p ?o }} }}",
        f"select * where {{ service {SERVICE_IRI} {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o .SERVICE {SERVICE_IRI} {{ }} }}",
        f"SELECT * WHERE {{ ?s ?p 1.SERVICE {SERVICE_IRI} {{ }} }}",
        f"SELECT * WHERE {{ SERVICE#comment\n{SERVICE_IRI} {{ }} }}",
        # an IRI with a \\u escape and a '#': a scanner that misses the IRI reads a comment
        f"SELECT * WHERE {{ ?s ?p <http://x/\\u0041#> . SERVICE {SERVICE_IRI} {{ }} }}",
        # a prefixed name ending in an escaped quote: a scanner that misses it reads a string
        f"PREFIX ex: <http://e/> SELECT * WHERE {{ ?s ex:a\\' ?o SERVICE {SERVICE_IRI} {{ }} ?s ex:b\\' ?o }}",
        f"PREFIX ex: <http://e/> SELECT * WHERE {{ ?s ex:a\\# ?o SERVICE {SERVICE_IRI} {{ }} }}",
        f"SELECT * WHERE {{ {{ SERVICE {SERVICE_IRI} {{ }} }} UNION {{ }} }}",
    ],
)
def test_service_is_found_wherever_oxigraph_would_call_it(text):
    assert oxigraph_calls_a_service(text), "the case must be one Oxigraph really runs"
    assert check_query_text(text).uses_service


@pytest.mark.parametrize(
    "text",
    [
        f"SELECT * WHERE {{ SERVICE SILENT {SERVICE_IRI} {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ FILTER EXISTS {{ SERVICE {SERVICE_IRI} {{ }} }} }}",
        "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
    ],
)
def test_service_is_found_where_its_errors_would_be_silent(text):
    assert check_query_text(text).uses_service


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://x> {}" }',
        "SELECT * WHERE { ?s ?p '''SERVICE\n<x> {}''' }",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <x> {}",
        "SELECT ?service WHERE { ?service ?p <http://www.w3.org/ns/sparql-service-description#Service> }",
        "PREFIX schema: <http://schema.org/> SELECT * WHERE { ?s a schema:Service ; schema:serviceType ?t }",
        "PREFIX service: <http://e/> SELECT * WHERE { ?s service:x ?o }",
        'SELECT * WHERE { ?s ?p "x"@service }',
    ],
)
def test_service_as_a_name_string_iri_or_comment_is_not_service(text):
    assert not check_query_text(text).uses_service


@pytest.mark.parametrize(
    ("text", "has_dataset"),
    [
        ("SELECT * FROM <http://g> WHERE {}", True),
        ("SELECT * from named <http://g> WHERE {}", True),
        ("PREFIX ex: <http://e/> ASK FROM ex:g {}", True),
        ("SELECT ?from WHERE { ?from ?p ?o }", False),
        ("PREFIX from: <http://e/> SELECT * WHERE { ?s from:x ?o }", False),
        ('SELECT * WHERE { ?s ?p "FROM <x>" } # FROM <y>', False),
    ],
)
def test_a_dataset_clause_is_found(text, has_dataset):
    assert check_query_text(text).has_dataset is has_dataset


@pytest.mark.parametrize("open_, close", [("{", "}"), ("(", ")"), ("[ ?p ", " ]")])
def test_nesting_is_counted_and_limited(open_, close):
    ok = "SELECT * WHERE { FILTER(?o" + open_ * (MAX_NESTING - 2) + close * (MAX_NESTING - 2) + ") }"
    assert check_query_text(ok).depth == MAX_NESTING
    deep = "SELECT * WHERE {\n" + open_ * MAX_NESTING + close * MAX_NESTING + "}"
    with pytest.raises(QueryTextError) as exc:
        check_query_text(deep)
    assert exc.value.problem == f"the query nests deeper than {MAX_NESTING} levels of {{ ( ["
    assert exc.value.where == f"line 2, column {1 + (MAX_NESTING - 1) * len(open_)}"
    assert check_query_text(deep, max_depth=MAX_NESTING + 1).depth == MAX_NESTING + 1


def test_brackets_inside_strings_iris_and_comments_do_not_count():
    text = 'SELECT * WHERE { ?s ?p "{{{(((" . ?s ?p <http://x/(> # ((((\n ?s ?p """[[[\n{{""" }'
    assert check_query_text(text).depth == 1


def test_the_default_nesting_limit_is_safe_for_oxigraph():
    """Queries at the limit, in every bracket kind, parse and run in this very process."""
    for open_, close in (("{", "}"), ("(", ")"), ("[ <http://p> ", " ]")):
        q = "SELECT * WHERE { ?s ?p " + open_ * (MAX_NESTING - 1) + "?o" + close * (MAX_NESTING - 1) + " }"
        if open_ == "{":
            q = "SELECT * WHERE " + "{" * MAX_NESTING + "}" * MAX_NESTING
        elif open_ == "(":
            q = "SELECT * WHERE { FILTER" + "(" * (MAX_NESTING - 1) + "true" + ")" * (MAX_NESTING - 1) + " }"
        assert check_query_text(q).depth == MAX_NESTING
        list(ox.Store().query(q))


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("SELECT * WHERE { ?s ?p 'open }", "line 1, column 24"),
        ('SELECT * WHERE {\n ?s ?p "a\nb" }', "line 2, column 8"),
        ('SELECT * WHERE { ?s ?p """never closed }', "line 1, column 24"),
        ("ASK { ?s ?p 'a\\' }", "line 1, column 13"),
    ],
)
def test_an_unterminated_string_is_refused_with_its_place(text, where):
    with pytest.raises(QueryTextError) as exc:
        check_query_text(text)
    assert exc.value.problem == "unterminated string literal" and exc.value.where == where
    with pytest.raises(SyntaxError):  # Oxigraph refuses them too: the check refuses nothing valid
        ox.Store().query(text)


def test_size_limit():
    with pytest.raises(QueryTextError) as exc:
        check_query_text("ASK {}" + " " * 100, max_chars=100)
    assert exc.value.problem == "the query has 106 characters; the limit is 100"
    assert check_query_text("ASK {}", max_chars=6).keyword == "ASK"


# -- generated texts ------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_is_checked_or_refused_never_crashes(text):
    try:
        found = check_query_text(text)
    except QueryTextError as exc:
        assert exc.problem
        return
    assert found.operation in ("query", "update", "")
    assert 0 <= found.depth <= MAX_NESTING


# Pieces of a WHERE clause: patterns the oracle's data matches (with the tokens a scanner can
# misread: IRIs with \u escapes and '#', prefixed names with escaped quotes and '#', numbers before
# a dot), SERVICE clauses, and loose characters that open or close strings, IRIs and comments.
PIECES = [
    "?s ?p ?o . ",
    "?s ?p <http://x/\\u0041#> . ",
    "?s ex:a\\' ?o . ",
    "?s ex:a\\# ?o . ",
    "?s ?p 1.",
    "?s ?p 1 ",
    f"SERVICE {SERVICE_IRI} {{ }} ",
    f"SERVICE{SERVICE_IRI}{{}}",
    "{ ",
    "} ",
    "UNION ",
    "OPTIONAL ",
    "\n",
    " ",
    "# comment ",
    '"',
    "'",
    '"a\\"b" ',
    "'''x\n'''",
    "<",
    ">",
    "ex:",
    ".",
    "\\",
    "(",
    ")",
]


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=10))
def test_whenever_oxigraph_would_call_a_service_the_check_says_so(pieces):
    text = "PREFIX ex: <http://e/> SELECT * WHERE { " + "".join(pieces) + " }"
    try:
        found = check_query_text(text)
    except QueryTextError:
        return  # refused before parsing: nothing runs
    if oxigraph_calls_a_service(text):
        assert found.uses_service, text
