"""``jixiao ingest --out`` by suffix and ``jixiao query`` on CONSTRUCT: every format holds exactly the
report graphs (read back by another parser and compared by isomorphism), with the project's prefixes
where the format has them; an unknown suffix is exit 2 before anything is written."""

from __future__ import annotations

import json
import re

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef

from jixiao.cli import main
from jixiao.prefixes import PREFIXES, compact, jsonld_context, turtle_prefixes
from jixiao.rdfutil import same_graph
from tests.conftest import ROOT, SAMPLE

EXAMPLE_TXT = ROOT / "ontology" / "examples" / "report-example.txt"


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The sample and the worked example ingested once into each format."""
    out = tmp_path_factory.mktemp("formats")
    for suffix in ("nq", "trig", "nt", "ttl", "jsonld"):
        assert main(["ingest", str(SAMPLE), str(EXAMPLE_TXT), "--out", str(out / f"g.{suffix}"), "--quiet"]) == 0
    return out


def _reference(written) -> Dataset:
    ds = Dataset()
    ds.parse(written / "g.nq", format="nquads")
    return ds


def _report_graphs(ds: Dataset) -> dict[str, Graph]:
    return {str(g.identifier): g for g in ds.graphs() if len(g) and g.identifier != ds.default_graph.identifier}


def test_nquads_holds_one_graph_per_report(written):
    graphs = _report_graphs(_reference(written))
    assert len(graphs) == 2 and all(iri.endswith("/graph") for iri in graphs)
    assert all(len(g) > 500 for g in graphs.values())


def test_trig_has_the_same_graphs_and_declares_prefixes_once(written):
    text = (written / "g.trig").read_text(encoding="utf-8")
    prefix_lines = [line for line in text.splitlines() if line.startswith("@prefix")]
    assert prefix_lines == [f"@prefix {p}: <{ns}> ." for p, ns in turtle_prefixes().items()]
    assert text.count("@prefix jx:") == 1
    assert 'jx:statedForm "' in text and "jxv:unit_yuan" in text  # prefixed names used, not full IRIs
    ds = Dataset()
    ds.parse(data=text, format="trig")
    ref = _report_graphs(_reference(written))
    got = _report_graphs(ds)
    assert sorted(got) == sorted(ref)
    for iri in ref:
        assert same_graph(got[iri], ref[iri]), iri


def _merged(written) -> Graph:
    merged = Graph()
    for g in _report_graphs(_reference(written)).values():
        for t in g:
            merged.add(t)
    return merged


def test_turtle_and_ntriples_hold_the_merged_reports(written):
    merged = _merged(written)
    ttl = (written / "g.ttl").read_text(encoding="utf-8")
    assert ttl.startswith("@prefix jx: <https://w3id.org/jixiao/def#> .\n")
    assert ttl.count("@prefix jx:") == 1
    assert same_graph(Graph().parse(data=ttl, format="turtle"), merged)
    assert same_graph(Graph().parse(written / "g.nt", format="nt"), merged)


def test_jsonld_uses_the_context_and_reads_back_exactly(written):
    doc = json.loads((written / "g.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"] == jsonld_context()["@context"]
    ids = [entry["@id"] for entry in doc["@graph"]]
    assert all(i.startswith("jxd:report/") and i.endswith("/graph") for i in ids)
    node = next(n for n in doc["@graph"][0]["@graph"] if "jx:statedForm" in n)
    assert any(t.startswith("jx:") for t in node["@type"])
    ref = _report_graphs(_reference(written))
    # two independent JSON-LD readers expand the CURIEs back to the same graphs
    ds = Dataset()
    ds.parse(written / "g.jsonld", format="json-ld")
    got = _report_graphs(ds)
    assert sorted(got) == sorted(ref)
    for iri in ref:
        assert same_graph(got[iri], ref[iri]), iri
    quads = ox.parse(path=str(written / "g.jsonld"), format=ox.RdfFormat.JSON_LD)
    by_graph: dict[str, int] = {}
    for q in quads:
        by_graph[q.graph_name.value] = by_graph.get(q.graph_name.value, 0) + 1
    assert by_graph == {iri: len(g) for iri, g in ref.items()}


def test_output_is_deterministic(written, tmp_path):
    for suffix in ("trig", "ttl", "jsonld"):
        again = tmp_path / f"again.{suffix}"
        assert main(["ingest", str(SAMPLE), str(EXAMPLE_TXT), "--out", str(again), "--quiet"]) == 0
        assert again.read_bytes() == (written / f"g.{suffix}").read_bytes(), suffix


@pytest.mark.parametrize("name", ["graphs.rdf", "graphs", "graphs.json"])
def test_unknown_suffix_is_exit_2_and_writes_nothing(tmp_path, capsys, name):
    store = tmp_path / "store"
    assert main(["ingest", str(SAMPLE), "--out", str(tmp_path / name), "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert name in err and ".jsonld" in err and ".ttl" in err
    assert not (tmp_path / name).exists() and not store.exists()


def test_compact_and_prefixes_agree_with_the_ontology():
    """Every prefix the ontology and shapes files declare means the same namespace here."""
    from jixiao import data as _data

    declared: dict[str, str] = {}
    files = [_data.ontology_dir() / n for n in ("jixiao.ttl", "vocab.ttl", "external.ttl")]
    files.append(_data.shapes_dir() / "prefixes.ttl")
    for f in files:
        for m in re.finditer(r"^@prefix\s+([\w-]*):\s*<([^>]+)>", f.read_text(encoding="utf-8"), re.M):
            declared[m.group(1)] = m.group(2)
    shared = set(declared) & set(PREFIXES)
    assert {"jx", "jxv", "jxs", "oa", "prov", "qb", "skos", "xsd"} <= shared
    assert {p: declared[p] for p in shared} == {p: PREFIXES[p] for p in shared}
    assert compact("https://w3id.org/jixiao/def#Report") == "jx:Report"
    assert compact("https://w3id.org/jixiao/id/org/ab") == "jxd:org/ab"
    assert compact("http://example.org/x") == "http://example.org/x"
    assert compact("https://w3id.org/jixiao/def#") == "https://w3id.org/jixiao/def#"  # no empty local name


def test_ingest_prefixes_are_the_projects():
    from jixiao.ingest.emit import PREFIXES as EMIT

    assert {p: PREFIXES[p] for p in EMIT} == {p: str(ns) for p, ns in EMIT.items()}


def test_query_prints_construct_as_turtle(tmp_path, capsys):
    rq = tmp_path / "titles.rq"
    rq.write_text(
        "PREFIX jx: <https://w3id.org/jixiao/def#>\n"
        "CONSTRUCT { ?r jx:title ?t } WHERE { GRAPH ?g { ?r a jx:Report ; jx:title ?t } }\n",
        encoding="utf-8",
    )
    data = ROOT / "ontology" / "examples" / "report-example.ttl"
    assert main(["query", str(rq), "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("@prefix jx: <https://w3id.org/jixiao/def#> .\n")
    g = Graph().parse(data=out, format="turtle")
    report = next(Graph().parse(data).subjects(URIRef(PREFIXES["rdf"] + "type"), URIRef(PREFIXES["jx"] + "Report")))
    assert [(s, str(o)) for s, _, o in g] == [(report, "海源市文化局2024年度部门整体支出绩效自评报告")]
    assert 'jx:title "' in out
    assert main(["query", str(rq), "--data", str(data), "--format", "json"]) == 0  # rows as before when asked
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["predicate"] == PREFIXES["jx"] + "title"


@pytest.mark.server
def test_query_prints_construct_from_an_endpoint_as_turtle(tmp_path, capsys):
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "queries"))
    import servers

    rq = tmp_path / "titles.rq"
    rq.write_text(
        "PREFIX jx: <https://w3id.org/jixiao/def#>\n"
        "CONSTRUCT { ?r jx:title ?t } WHERE { GRAPH ?g { ?r a jx:Report ; jx:title ?t } }\n",
        encoding="utf-8",
    )
    store = servers.build_store(tmp_path / "store")
    with servers.jixiao_serve(store) as base:
        assert main(["query", str(rq), "--endpoint", base + "/sparql"]) == 0
    out = capsys.readouterr().out
    titles = sorted(str(o) for o in Graph().parse(data=out, format="turtle").objects())
    assert titles == ["海源市文化局2024年度部门整体支出绩效自评报告", "青溪县体育局2023年度部门整体支出绩效自评报告"]
    assert out.startswith("@prefix jx: <https://w3id.org/jixiao/def#> .\n")
