"""The benchmark harness's helpers for the queries and endpoint stages, and its SVG plot (no timing)."""

from __future__ import annotations

import json
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox

from jixiao import queries
from jixiao.ns import JX

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # bench/ is not an installed package
    sys.path.insert(0, str(ROOT))
from bench import run  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"
OA = "http://www.w3.org/ns/oa#"
INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


def test_parse_ingest_log_reads_progress_lines_only() -> None:
    out = (
        "corpus/bench-00000.txt: 15829 triples → <https://example.org/r/0/graph>\n"
        "something else\n"
        "/abs/path with space/b.txt: 7 triples → <https://example.org/r/1/graph>\n"
    )
    assert run.parse_ingest_log(out) == [
        {"file": "bench-00000.txt", "graph_iri": "https://example.org/r/0/graph", "triples": 15829},
        {"file": "b.txt", "graph_iri": "https://example.org/r/1/graph", "triples": 7},
    ]


def test_subset_nquads_keeps_the_first_graphs(tmp_path: Path) -> None:
    lines = [
        '<http://s> <http://p> "a b . c" <http://g/1> .\n',
        "<http://s> <http://p> <http://o> <http://g/1> .\n",
        '<http://s> <http://p> "x"@zh <http://g/2> .\n',
        "<http://s> <http://p> <http://o> <http://g/3> .\n",
        "<http://s> <http://p> <http://o> <http://g/1> .\n",
    ]
    src, dst = tmp_path / "all.nq", tmp_path / "some.nq"
    src.write_text("".join(lines), encoding="utf-8")
    assert run.subset_nquads(src, dst, ["http://g/1", "http://g/2"]) == 3
    assert dst.read_text(encoding="utf-8") == "".join(lines[:3])
    # every line parses back as a quad of the kept graphs
    graphs = {q.graph_name.value for q in ox.parse(path=str(dst), format=ox.RdfFormat.N_QUADS)}
    assert graphs == {"http://g/1", "http://g/2"}


def test_canon_compares_literals_by_value_without_exponents() -> None:
    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import XSD

    assert run._canon(Literal("2020", datatype=XSD.gYear)) == "2020"  # not 2.02E+3
    assert run._canon(Literal("120.0", datatype=XSD.decimal)) == run._canon(Literal("120", datatype=XSD.decimal))
    assert run._canon(Literal("true", datatype=XSD.boolean)) == "true"
    assert run._canon(BNode("b1")) == run._canon(BNode("b2")) == "_"
    assert run._canon(None) == "-" and run._canon(URIRef("http://x")) == "http://x"
    assert run.row_keys([["903247200.123", "x"]], 9) == ["903247200|x"]


def test_row_keys_rounding_hides_only_quotient_precision() -> None:
    ox_cells = [["0.333333333333333333", "a"]]  # Oxigraph: 18 fractional digits
    rl_cells = [["0.3333333333333333333333333333", "a"]]  # Python Decimal: 28 digits
    assert run.row_keys(ox_cells) != run.row_keys(rl_cells)
    assert run.row_keys(ox_cells, 9) == run.row_keys(rl_cells, 9)
    assert run.row_keys([["0.34", "a"]], 9) != run.row_keys(rl_cells, 9)
    c = run.compare([["1"], ["2"]], [["2"], ["3"]])
    assert c["agree"] is False and c["only_oxigraph"] == ["1"] and c["only_rdflib"] == ["3"]


def test_compare_tells_extra_copies_from_other_rows() -> None:
    c = run.compare([["a", "1"], ["a", "1"], ["b", "2"]], [["a", "1"], ["b", "2"]])
    assert c["agree"] is False and c["agree_to_9_digits"] is False
    assert c["count_only_oxigraph"] == c["count_only_rdflib"] == 0
    assert (c["extra_copies_oxigraph"], c["extra_copies_rdflib"]) == (1, 0)
    assert c["example_copies"] == ["a|1 ×2 vs ×1"]
    assert run.compare([["x"], ["y"]], [["y"], ["x"]]) == {"agree": True}  # order does not matter


class _Res:
    def __init__(self, rows):
        self.rows = rows


def test_measure_counts_runs_and_uses_a_slow_cold_run_as_the_sample() -> None:
    from rdflib import Literal

    calls = []

    def fn():
        calls.append(1)
        return _Res([[Literal("2.50", datatype="http://www.w3.org/2001/XMLSchema#decimal"), None]])

    m = run.measure(fn, 5, budget=60, cold=True)
    assert len(calls) == 6 and len(m["runs_ms"]) == 5 and not m["cold_used"]
    assert m["rows"] == 1 and m["cells"] == [["2.5", "-"]]
    calls.clear()
    m = run.measure(fn, 5, budget=0, cold=True)  # every run is over a zero budget
    assert len(calls) == 1 and m["cold_used"] and m["runs_ms"] == [m["cold_ms"]]
    calls.clear()
    m = run.measure(fn, 2, budget=0, cold=False)
    assert len(calls) == 1 and "cold_ms" not in m


def test_run_forked_returns_result_error_or_timeout() -> None:
    assert run.run_forked(lambda: {"x": [1, "二"]}, 10) == {"x": [1, "二"]}
    assert run.run_forked(lambda: 1 / 0, 10)["error"].startswith("ZeroDivisionError")
    assert run.run_forked(lambda: {"big": "y" * 300_000}, 10)["big"] == "y" * 300_000  # over a pipe buffer
    assert run.run_forked(lambda: time.sleep(30) or {}, 0.3) == {"timeout": 0.3}


def _store_with_two_figures() -> tuple[ox.Store, str]:
    g = "https://example.org/report/0/graph"
    nq = []
    for f, counts, start, name in (("f2", "项目支出", 900, "b.txt"), ("f1", "基本支出", 120, "a.txt")):
        nq += [
            f'<https://example.org/{f}> <{JX.counts}> "{counts}" <{g}> .',
            f"<https://example.org/{f}> <{JX.sourceSpan}> <https://example.org/{f}/span> <{g}> .",
            f"<https://example.org/{f}/span> <{OA}hasSource> <https://example.org/{name}> <{g}> .",
            f'<https://example.org/{name}> <{JX.fileName}> "{name}" <{g}> .',
            f"<https://example.org/{f}/span> <{OA}hasSelector> <https://example.org/{f}/pos> <{g}> .",
            f'<https://example.org/{f}/pos> <{OA}start> "{start}"^^<{INTEGER}> <{g}> .',
        ]
    st = ox.Store()
    st.load("\n".join(nq).encode(), format=ox.RdfFormat.N_QUADS)
    return st, g


def test_bench_params_come_from_the_first_counted_figure_and_fill_only_open_params() -> None:
    st, g = _store_with_two_figures()
    values = run.bench_params(st, g)
    assert values == {
        "phrase": "基本支出",
        "offset": "120",
        "file": "a.txt",
        "fiscal_year": run.BENCH_YEAR,  # the graph states no year
        "region": run.BENCH_REGION,
    }
    lib = {q.name: q for q in queries.library()}
    assert run.params_for(lib["find-figure"], values) == {"phrase": "基本支出"}
    assert run.params_for(lib["span-at"], values) == {"offset": "120", "file": "a.txt"}
    assert run.params_for(lib["targets-too-low"], values) == {}
    for q in lib.values():  # every library query can run with the bench's values
        queries.bindings(q, run.params_for(q, values))


def test_pct_is_nearest_rank() -> None:
    xs = [float(x) for x in range(1, 21)]
    assert run.pct(xs, 50) == 10.0 and run.pct(xs, 95) == 19.0 and run.pct(xs, 100) == 20.0
    assert run.pct([3.0], 95) == 3.0


def test_plot_writes_a_log_log_svg_of_the_results(tmp_path: Path) -> None:
    (tmp_path / "throughput-100.json").write_text(json.dumps({"n": 100, "wall_s": 20.0}))
    (tmp_path / "throughput-1000.json").write_text(json.dumps({"n": 1000, "wall_s": 200.0}))
    (tmp_path / "store.json").write_text(json.dumps({"100": {"replace_graph_s": 40.0, "bulk_load_s": 25.0}}))
    (tmp_path / "queries.json").write_text(
        json.dumps(
            {
                "queries": {
                    "a": {"oxigraph": {"100": {"p50_ms": 5.0}, "1000": {"p50_ms": 50.0}}},
                    "b": {"oxigraph": {"100": {"p50_ms": 15.0}, "1000": {"p50_ms": 150.0}}},
                    "c": {"oxigraph": {"100": {"p50_ms": 9.0}, "1000": {"timeout": 60}}},
                }
            }
        )
    )
    out = run.plot(tmp_path)
    assert out == tmp_path / "cost-vs-size.svg"
    root = ET.parse(out).getroot()
    assert root.tag == f"{SVG}svg"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "ingest, bench pool (2 workers)" in texts
    assert "sum of p50, the 2 of 3 queries done at every N (pyoxigraph)" in texts
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 2  # the two series with two sizes; single points are markers only
    for line in lines:  # cost grows with N: rightwards and upwards (SVG y grows downwards)
        (xa, ya), (xb, yb) = [tuple(map(float, p.split(","))) for p in line.get("points").split()]
        assert xb > xa and yb < ya
    # ten times the reports and ten times the seconds: both lines have the same slope (log-log)
    slopes = []
    for line in lines:
        (xa, ya), (xb, yb) = [tuple(map(float, p.split(","))) for p in line.get("points").split()]
        slopes.append((yb - ya) / (xb - xa))
    assert abs(slopes[0] - slopes[1]) < 1e-6
    assert len(root.findall(f"{SVG}circle")) == 6
