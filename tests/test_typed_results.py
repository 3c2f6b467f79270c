"""Typed DataFrames from ``jixiao.queries`` and readable numbers in ``jixiao query`` tables.

Expected values are read off the fixture texts by hand: ontology/examples/report-example.txt (海源市文化局
2024: 公共文化活动经费 下达 120.00 万元, 支出 110.00 万元) and tests/queries/data/report-b.ttl (青溪县体育局 2023)."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from jixiao import queries as Q
from jixiao import tabular
from jixiao.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parent / "queries"))
import servers

DATA = servers.FIXTURES


def test_budget_execution_columns_are_typed():
    df = Q.run("budget-execution", data=DATA)
    assert str(df["report"].dtype) == "string" and str(df["line_name"].dtype) == "string"
    for col in ("appropriation", "additions", "cuts", "adjusted", "spending", "rate", "stated_rate"):
        assert str(df[col].dtype) == "Float64", col
    assert str(df["conflict"].dtype) == "boolean"
    row = df[df["line_name"] == "公共文化活动经费"].iloc[0]
    assert row["appropriation"] == 1_200_000 and row["spending"] == 1_100_000 and row["rate"] == 91.67
    assert row["additions"] is pd.NA and not row["conflict"]
    # describe() treats the amounts as numbers (it used to count them as categories)
    stats = df[["appropriation", "spending"]].describe()
    assert list(stats.index[:3]) == ["count", "mean", "std"]
    assert stats.loc["count", "spending"] == 7


def test_exact_keeps_decimals_and_compact_gives_curies():
    df = Q.run("evaluation-scores", data=DATA, exact=True, compact=True)
    assert str(df["evaluated_year"].dtype) == "Int64"
    assert sorted(df["evaluated_year"].tolist()) == [2023, 2023, 2024]
    assert set(df["kind"]) == {"jx:SelfEvaluation", "jx:ThirdPartyEvaluation"}
    assert set(df["grade"]) == {"jxv:grade_good", "jxv:grade_excellent"}
    scores = sorted(df["score"].tolist())
    assert scores == [Decimal("86.5"), Decimal("88"), Decimal("95")] and all(isinstance(s, Decimal) for s in scores)
    full = Q.run("evaluation-scores", data=DATA)
    assert set(full["kind"]) == {
        "https://w3id.org/jixiao/def#SelfEvaluation",
        "https://w3id.org/jixiao/def#ThirdPartyEvaluation",
    }
    assert str(full["score"].dtype) == "Float64"
    labels = Q.run("evaluation-scores", data=DATA, lang="en")
    assert set(labels["grade"]) == {"good", "excellent"}


def test_dates_booleans_and_empty_results(tmp_path):
    data = tmp_path / "d.ttl"
    data.write_text(
        "@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        'ex:a ex:on "2024-03-01"^^xsd:date ; ex:ok true ; ex:n 3 .\n'
        'ex:b ex:on "2023-12-31"^^xsd:date ; ex:ok false .\n',
        encoding="utf-8",
    )
    rq = tmp_path / "q.rq"
    rq.write_text(
        "PREFIX ex: <http://example.org/>\n"
        "SELECT ?s ?on ?ok ?n WHERE { ?s ex:on ?on ; ex:ok ?ok OPTIONAL { ?s ex:n ?n } } ORDER BY ?s\n",
        encoding="utf-8",
    )
    df = Q.run(str(rq), data=data)
    assert str(df["on"].dtype).startswith("datetime64")
    assert df["on"].tolist() == [pd.Timestamp("2024-03-01"), pd.Timestamp("2023-12-31")]
    assert str(df["ok"].dtype) == "boolean" and df["ok"].tolist() == [True, False]
    assert str(df["n"].dtype) == "Int64" and df["n"].tolist()[0] == 3 and df["n"].isna().tolist() == [False, True]
    rq.write_text("SELECT ?x WHERE { FILTER(false) }\n", encoding="utf-8")
    none = Q.run(str(rq), data=data)
    assert list(none.columns) == ["x"] and len(none) == 0


def test_number_column_lines_up_and_separates_thousands():
    values = [Decimal("600000"), None, Decimal("99.4"), Decimal("98.25"), 12]
    assert tabular.number_column(values) == ["600,000.00", "", "99.40", "98.25", "12.00"]
    assert tabular.number_column([Decimal("3200000"), Decimal("184000")]) == ["3,200,000", "184,000"]
    assert tabular.number_column([Decimal("74.474129665360622166")]) == ["74.474130"]  # at most 6 decimals
    assert tabular.cell(Decimal("600000")) == "600000" and tabular.cell(Decimal("88.0")) == "88"


def test_query_table_prints_separators_and_blanks(capsys):
    args = [x for f in DATA for x in ("--data", str(f))]
    assert main(["query", "budget-execution", *args]) == 0
    out = capsys.readouterr().out
    assert "1,200,000" in out and "1,100,000" in out and "91.67" in out
    assert "1200000" not in out and "None" not in out and "nan" not in out.lower()
    line = next(line for line in out.splitlines() if "公共文化活动经费" in line)
    assert line.split()[2:5] == ["1,200,000", "1,200,000", "1,100,000"]  # appropriation, adjusted, spending
    assert main(["query", "budget-execution", *args, "--format", "csv"]) == 0
    csv_out = capsys.readouterr().out
    assert ",1200000,,,1200000,1100000,91.67,," in csv_out  # csv keeps plain numbers for programs


@pytest.mark.parametrize("fmt", ["json"])
def test_json_keeps_numbers_numeric(capsys, fmt):
    import json

    args = [x for f in DATA for x in ("--data", str(f))]
    assert main(["query", "budget-execution", *args, "--format", fmt]) == 0
    rows = json.loads(capsys.readouterr().out)
    row = next(r for r in rows if r["line_name"] == "公共文化活动经费")
    assert row["appropriation"] == 1200000 and row["rate"] == 91.67 and row["additions"] is None
