"""The published JSON-LD context (ontology/context.jsonld), compacted output a web developer reads,
its round trip to the same graph, and jixiao export's CSV and Parquet tables."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Dataset, Graph

from jixiao import jsonld
from jixiao.cli import main
from jixiao.data import ontology_dir
from jixiao.rdfutil import same_graph

EXAMPLE = ontology_dir() / "examples" / "report-example.ttl"
LINKING = Path(__file__).parent / "queries" / "data" / "linking.nq"
# the prefixes of the workbench's jixiao.prefixes.PREFIXES: the published context must hold them all
WORKBENCH_PREFIXES = "jx jxv jxd jxs rdf rdfs xsd owl skos dcterms oa prov qb org time schema foaf qudt cccev sh"


def test_context_file_is_current():
    assert (ontology_dir() / "context.jsonld").read_text(encoding="utf-8") == jsonld.render_context(), (
        "run: python -m jixiao.jsonld (make docs)"
    )


def test_context_has_prefixes_and_every_own_term():
    ctx = jsonld.context()["@context"]
    assert all(ctx[p] == jsonld.PREFIXES[p] for p in WORKBENCH_PREFIXES.split())
    own = Graph().parse(ontology_dir() / "jixiao.ttl")
    names = {str(s)[len(jsonld.JX) :] for s in own.subjects() if str(s).startswith(jsonld.JX)}
    assert names <= set(ctx)
    assert ctx["department"] == {"@id": "jx:department", "@type": "@id"}
    assert ctx["fiscalYear"] == {"@id": "jx:fiscalYear", "@type": "xsd:gYear"}
    assert ctx["Report"] == "jx:Report"


def test_compacted_output_is_readable():
    doc = json.loads(jsonld.to_jsonld(Graph().parse(EXAMPLE)))
    report = next(n for n in doc["@graph"] if n.get("type") == "Report")
    assert report["fiscalYear"] == "2024"
    assert report["label"] == {"zh": "海源市文化局2024年度部门整体支出绩效自评报告"}
    assert report["reportKind"] == "jxv:kind_department_whole"
    keys = {k for n in doc["@graph"] for k in n}
    assert not any(k.startswith(("http://", "https://", "jx:")) for k in keys), sorted(keys)


@pytest.mark.parametrize("source", [EXAMPLE, LINKING], ids=["example", "linked-reports"])
def test_round_trip_is_the_same_graph(source):
    if source.suffix == ".nq":
        ds = Dataset()
        ds.parse(source, format="nquads")
        graph = Graph()
        for s, p, o, _ in ds.quads():
            graph.add((s, p, o))
    else:
        graph = Graph().parse(source)
    back = Graph().parse(data=jsonld.to_jsonld(graph), format="json-ld")
    assert len(back) == len(graph)
    assert same_graph(graph, back)


# --------------------------------------------------------------------------------------------
# jixiao export


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export")
    assert main(["export", "--data", str(LINKING), "--out", str(out)]) == 0
    return out


def _csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_csv_tables(exported):
    reports = _csv(exported / "reports.csv")
    assert len(reports) == 5
    # from shaoguan-zonggonghui-2023.txt: 全年支出 950 万元, 自评得分 96
    row = next(r for r in reports if r["report"] == "韶关市总工会2023年度部门整体支出绩效自评报告")
    assert (row["fiscal_year"], row["total_spending"], row["self_score"]) == ("2023", "9500000", "96")
    lines = _csv(exported / "budget_lines.csv")
    row = next(r for r in lines if r["line_name"] == "职工技能竞赛活动经费")  # 120.00 / 100.00 万元
    assert (row["appropriation"], row["spending"], row["rate"]) == ("1200000", "1000000", "83.33")
    findings = _csv(exported / "findings.csv")
    assert {f["issue"] for f in findings} == {"预算执行进度偏慢", "绩效指标值设置过低"}
    assert len(_csv(exported / "indicators.csv")) == 8


def test_parquet_tables_match_csv(exported):
    pq = pytest.importorskip("pyarrow.parquet")
    for name in ("reports", "budget_lines", "indicators", "findings"):
        table = pq.read_table(exported / f"{name}.parquet")
        rows = _csv(exported / f"{name}.csv")
        assert table.num_rows == len(rows) and table.column_names == list(rows[0])
    lines = pq.read_table(exported / "budget_lines.parquet")
    assert str(lines.schema.field("rate").type) == "decimal128(38, 2)"
    rates = dict(zip(lines.column("line_name").to_pylist(), lines.column("rate").to_pylist(), strict=True))
    assert rates["职工技能竞赛活动经费"] == Decimal("83.33")
    reports = pq.read_table(exported / "reports.parquet")
    assert str(reports.schema.field("fiscal_year").type) == "int64"


def test_export_refuses_unknown_format(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["export", "--data", str(LINKING), "--out", str(tmp_path), "--format", "xlsx"])
