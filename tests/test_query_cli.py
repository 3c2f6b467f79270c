"""``jixiao queries`` and ``jixiao query``: formats, display-width tables, exit codes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from wcwidth import wcswidth

from jixiao import tabular
from jixiao.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parent / "queries"))
import servers

DATA = [str(f) for f in servers.FIXTURES]
DATA_ARGS = [x for f in DATA for x in ("--data", f)]


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_queries_lists_the_library(capsys):
    code, out, _ = run(capsys, "queries")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines()[2:]]
    assert len(names) >= 25 and "budget-execution" in names and names == sorted(names)
    assert "预算执行情况" in out and "threshold:decimal=1.5" in out
    code, out, _ = run(capsys, "queries", "--lang", "en", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {
        "name": "targets-too-low",
        "title": "Indicators whose target looks too low",
        "params": "threshold:decimal=1.5",
        "problems": "yes",
    } in rows


def test_table_aligns_chinese_by_display_width(capsys):
    code, out, _ = run(capsys, "query", "budget-execution", *DATA_ARGS)
    assert code == 0
    lines = out.splitlines()
    rule = lines[1]
    starts = [i for i, c in enumerate(rule) if c == "-" and (i == 0 or rule[i - 1] == " ")]
    for line in [lines[0], *lines[2:]]:
        # the display column where each cell starts is the same on every line
        for col in starts[1:]:
            prefix = _prefix_of_width(line, col)
            assert prefix is not None and (prefix.endswith("  ") or prefix.endswith(" ")), (line, col)
    assert wcswidth(lines[2]) <= wcswidth(rule)
    assert "海源市文化局2024年度部门整体支出绩效自评报告  公共文化活动经费" in out


def _prefix_of_width(line: str, width: int) -> str | None:
    w = 0
    for i, ch in enumerate(line):
        if w == width:
            return line[:i]
        w += max(wcswidth(ch), 0)
    return line if w == width else None


def test_table_cell_rendering():
    assert tabular.cell(1200000.0) == "1200000"
    assert tabular.cell(91.67) == "91.67"
    assert tabular.cell("https://w3id.org/jixiao/vocab#phase_cut") == "jxv:phase_cut"
    assert tabular.cell(None) == "" and tabular.cell(True) == "true"
    out = tabular.table(["名称", "n"], [["图书", 5], ["a", 10]])
    assert out.splitlines() == ["名称   n", "----  --", "图书   5", "a     10"]


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "md"])
def test_formats(capsys, fmt):
    code, out, _ = run(capsys, "query", "evaluation-scores", *DATA_ARGS, "--format", fmt, "--lang", "en")
    assert code == 0
    if fmt == "json":
        rows = json.loads(out)
        assert rows[2] == {
            "report": "青溪县体育局2023年度部门整体支出绩效自评报告",
            "kind": "https://w3id.org/jixiao/def#SelfEvaluation",
            "evaluator": "青溪县体育局",
            "evaluated_year": "2023",
            "score": 86.5,
            "grade": "good",
        }
    elif fmt == "md":
        lines = out.splitlines()
        assert lines[0].startswith("| report") and set(lines[1]) <= set("|-:") and len(lines) == 5
    else:
        rows = list(csv.reader(io.StringIO(out), delimiter="," if fmt == "csv" else "\t"))
        assert rows[0] == ["report", "kind", "evaluator", "evaluated_year", "score", "grade"]
        assert rows[1][2:] == ["海源市财政局", "2023", "88", "good"]


def test_problem_finder_exit_codes(capsys):
    assert run(capsys, "query", "targets-too-low", *DATA_ARGS)[0] == 1
    assert run(capsys, "query", "targets-too-low", *DATA_ARGS, "--param", "threshold=3")[0] == 0
    assert run(capsys, "query", "budget-execution", *DATA_ARGS)[0] == 0  # rows, but not a problem finder


@pytest.mark.parametrize(
    "argv",
    [
        ["query", "targets-too-low", "--param", "threshold=high"],
        ["query", "targets-too-low", "--param", "nosuch=1"],
        ["query", "targets-too-low", "--param", "threshold"],
        ["query", "no-such-query"],
        ["query", "find-figure"],
    ],
)
def test_usage_errors_exit_2(capsys, argv):
    code, _, err = run(capsys, *argv, *DATA_ARGS)
    assert code == 2 and "error" in err


def test_missing_data_and_store_exit_2(capsys, tmp_path):
    assert run(capsys, "query", "reports", "--data", str(tmp_path / "none.ttl"))[0] == 2
    assert run(capsys, "query", "reports", "--store", str(tmp_path / "nostore"))[0] == 2
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle", encoding="utf-8")
    assert run(capsys, "query", "reports", "--data", str(bad))[0] == 2


def test_query_file_and_store(capsys, tmp_path):
    f = tmp_path / "mine.rq"
    f.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?r a <https://w3id.org/jixiao/def#Report> }\n", encoding="utf-8")
    code, out, _ = run(capsys, "query", str(f), *DATA_ARGS, "--format", "csv")
    assert code == 0 and out.splitlines() == ["n", "2"]
    store = servers.build_store(tmp_path / "store")
    code, out, _ = run(capsys, "query", "duties", "--store", str(store), "--format", "tsv")
    assert code == 0 and len(out.splitlines()) == 4


def test_console_script_runs():
    exe = Path(sys.executable).parent / "jixiao"
    for cmd in ("queries", "query", "serve", "push"):
        r = subprocess.run([str(exe), cmd, "--help"], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0 and "usage" in r.stdout, cmd


def test_a_library_name_wins_over_a_folder_of_that_name(tmp_path, monkeypatch, capsys):
    """`jixiao query reports` beside a `reports/` folder of report texts runs the library query
    (found by the how-to in docs/remote-stores.md: it read the folder as a query file)."""
    (tmp_path / "reports").mkdir()
    monkeypatch.chdir(tmp_path)
    data = Path(__file__).resolve().parents[1] / "ontology" / "examples" / "report-example.ttl"
    assert main(["query", "reports", "--data", str(data), "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("report,")
