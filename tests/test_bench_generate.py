"""The benchmark corpus generator: deterministic, varied, and its truth sidecars agree with its text."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # bench/ is not an installed package (pythonpath = ["."] would do this)
    sys.path.insert(0, str(ROOT))
from bench import generate as gen  # noqa: E402

NUMERIC = re.compile(r"[\d,.%]+")


def load(path: Path) -> tuple[str, dict]:
    truth = json.loads(path.with_name(path.name.replace(".txt", ".truth.json")).read_text(encoding="utf-8"))
    return path.read_bytes().decode(truth["encoding"]), truth


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, dict]]:
    out = tmp_path_factory.mktemp("corpus")
    return [load(p) for p in gen.generate(60, 3, out)]


def test_same_seed_and_n_give_identical_bytes(tmp_path: Path) -> None:
    a = gen.generate(12, 7, tmp_path / "a")
    gen.generate(12, 7, tmp_path / "b")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert len(names) == 24
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    # report i does not depend on N, and a different seed gives different reports
    _, body, truth = gen.generate_one(7, 5)
    assert body == a[5].read_bytes()
    assert truth == a[5].with_name("bench-00005.truth.json").read_bytes()
    assert gen.generate_one(8, 5)[1] != body


def test_twenty_reports_are_varied(tmp_path: Path) -> None:
    reports = [load(p) for p in gen.generate(20, 1, tmp_path)]
    truths = [t for _, t in reports]
    assert len({t["department_kind"] for t in truths}) >= 5
    assert len({t["province"] for t in truths}) >= 3
    assert len({t["year"] for t in truths}) >= 3
    assert {t["form"] for t in truths} == {"guangdong", "hunan"}
    assert {t["project_table"]["form"] for t in truths} == {"tab", "pipe", "cells"}
    assert {t["indicator_table"]["form"] for t in truths} == {"tab", "pipe", "cells"}
    assert [t["encoding"] for t in truths].count("gb18030") == 1
    for path in tmp_path.glob("*.txt"):
        _, truth = load(path)
        if truth["encoding"] == "gb18030":
            with pytest.raises(UnicodeDecodeError):
                path.read_bytes().decode("utf-8")
    assert len({t["counts"]["project_rows"] for t in truths}) >= 8


def test_sizes_are_around_the_real_report(corpus: list[tuple[str, dict]]) -> None:
    sizes = [len(text) for text, _ in corpus]
    assert all(t["chars"] == len(text) for text, t in corpus)
    assert 12_000 <= sum(sizes) / len(sizes) <= 17_000
    assert min(sizes) >= 8_000 and max(sizes) <= 24_000


def test_every_fault_quote_occurs_in_the_text(corpus: list[tuple[str, dict]]) -> None:
    quotes = 0
    for text, truth in corpus:
        for fault in truth["faults"]:
            assert fault["quotes"], fault
            for q in fault["quotes"]:
                assert q in text, (truth["file"], fault["kind"], q)
                quotes += 1
    assert quotes > 20


def table_region(text: str, table: dict) -> list[str]:
    """The lines of a rendered project table between its header and its 合计 row, found by hand."""
    lines = text.split("\n")
    cols, form = table["columns"], table["form"]
    if form == "tab":
        start = lines.index("\t".join(cols)) + 1
        end = next(i for i in range(start, len(lines)) if "合计" in lines[i].split("\t"))
    elif form == "pipe":
        start = next(i for i, x in enumerate(lines) if [c.strip() for c in x.strip("|").split("|")] == cols) + 1
        end = next(i for i in range(start, len(lines)) if "合计" in [c.strip() for c in lines[i].split("|")])
        return [x for x in lines[start:end] if not re.fullmatch(r"\|[-|]+\|", x)]
    else:
        start = next(i for i in range(len(lines)) if lines[i : i + len(cols)] == cols) + len(cols)
        end = lines.index("合计", start)
        if table["layout"] == "L5n":  # the total row's empty 序号 cell
            end -= 1
    return lines[start:end]


def split_cells(line: str, form: str) -> list[str]:
    return line.split("\t") if form == "tab" else [c.strip() for c in line.strip().strip("|").split("|")]


def test_project_table_rows_match_the_truth(corpus: list[tuple[str, dict]]) -> None:
    for text, truth in corpus:
        table, counts = truth["project_table"], truth["counts"]
        region = table_region(text, table)
        assert counts["project_rows"] == len(table["rows"])
        assert 3 <= counts["project_rows"] <= 25
        if table["form"] == "cells":
            shift = sum({"right": 1, "left": -1, None: 0}[r["shifted"]] for r in table["rows"])
            assert len(region) == len(table["rows"]) * len(table["columns"]) + shift + table["blank_lines"]
            named = [x for x in region if x and not NUMERIC.fullmatch(x)]
            assert len(named) == counts["project_rows"] - counts["unnamed_project_rows"], truth["file"]
        else:
            rows = [split_cells(x, table["form"]) for x in region if x]
            assert len(rows) == counts["project_rows"], truth["file"]
            assert len(region) - len(rows) == table["blank_lines"]
            unnamed = [r for r in rows if all(NUMERIC.fullmatch(c) for c in r if c)]
            assert len(unnamed) == counts["unnamed_project_rows"], truth["file"]
        names = [r["name"] for r in table["rows"] if r["name"]]
        assert [x for x in region if any(n in x for n in names)], truth["file"]
        assert all(n in text for n in names)
        assert truth["breakage"]["empty_name_rows"] == counts["unnamed_project_rows"]


def test_counts_match_the_text(corpus: list[tuple[str, dict]]) -> None:
    for text, truth in corpus:
        counts = truth["counts"]
        marker = "其主要职责是：" if truth["form"] == "guangdong" else "职能职责概述："
        run = []
        for line in text[text.index(marker) :].split("\n"):
            m = re.match(r"(\d+)(?:\. |、)", line)
            if m and int(m.group(1)) == len(run) + 1:
                run.append(line)
            elif m:
                break
        assert len(run) == counts["duties"], truth["file"]
        assert 6 <= counts["duties"] <= 15
        assert all(u in text for u in truth["units"]) and 1 <= counts["units"] <= 4
        inds = truth["indicator_table"]["rows"]
        assert len(inds) == counts["indicators"] and 10 <= len(inds) <= 40
        assert len({x["name"] for x in inds}) == len(inds)
        assert all(x["name"] in text for x in inds)
        assert {x["level1"] for x in inds} == {"产出指标", "效益指标", "满意度指标"}
        assert counts["quantitative_indicators"] == sum(1 for x in inds if x["quantitative"])
        assert text.count("存在问题：") == counts["audit_issues"] == len(truth["audit_issues"])
        assert 1 <= counts["audit_issues"] <= 4
        assert all(t in text for t in truth["audit_issues"])


def test_planted_faults_are_the_only_arithmetic_faults(corpus: list[tuple[str, dict]]) -> None:
    for _, truth in corpus:
        kinds = {f["kind"]: f for f in truth["faults"]}
        fig, rows = truth["figures"], truth["project_table"]["rows"]
        assert fig["project_sum_of_rows"] == pytest.approx(sum(r["actual"] for r in rows))
        ttc = kinds.get("table_total_conflict")
        consistent = fig["project_spending_table"] == fig["project_sum_of_rows"] == fig["project_spending_narrative"]
        assert consistent == (ttc is None), truth["file"]
        assert fig["total_spending"] == pytest.approx(fig["basic_spending"] + fig["project_spending_narrative"])
        true_rate = fig["project_sum_of_rows"] / fig["project_adjusted_total"] * 100
        erm = kinds.get("execution_rate_mismatch")
        if erm is None or erm["where"] == "table":
            assert fig["execution_rate_stated"] == pytest.approx(true_rate, abs=0.006)
        if erm:
            for base in (erm["adjusted"], erm["original"]):
                assert abs(erm["stated_rate"] - erm["actual"] / base * 100) >= 2
        over = {r["name"] for r in kinds["actual_over_150"]["rows"]} if "actual_over_150" in kinds else set()
        inds = truth["indicator_table"]["rows"]
        flagged = {
            x["name"] for x in inds if x["op"] == "≥" and x["actual"] is not None and x["actual"] > 1.5 * x["target"]
        }
        assert flagged == over, truth["file"]
        missing = {x["name"] for x in inds if x["quantitative"] and x["actual"] is None}
        assert missing == set(kinds.get("missing_indicator_actual", {}).get("indicators", [])), truth["file"]
        declared = truth["declared"]["quantitative"]
        assert (declared != truth["counts"]["quantitative_indicators"]) == ("declared_count_mismatch" in kinds)


def test_fault_and_breakage_rates_are_near_the_declared_rates(tmp_path: Path) -> None:
    truths = [load(p)[1] for p in gen.generate(300, 11, tmp_path)]
    for kind, rate in gen.FAULT_RATES.items():
        share = sum(any(f["kind"] == kind for f in t["faults"]) for t in truths) / len(truths)
        assert abs(share - rate) < 0.06, (kind, share)
    share = sum(t["counts"]["unnamed_project_rows"] > 0 for t in truths) / len(truths)
    assert abs(share - gen.BREAKAGE_RATES["empty_name_rows"]) < 0.08
    assert sum(t["breakage"]["page_breaks"] > 0 for t in truths) / len(truths) > 0.7
    assert {t["breakage"]["digit_unit_spacing"] for t in truths} == {"none", "all", "sporadic"}
    assert any(t["breakage"]["shifted_cells"] for t in truths)
    assert any(t["breakage"]["blank_lines_in_tables"] for t in truths)
    assert sum(t["encoding"] == "gb18030" for t in truths) == 15


def test_figures_use_the_genre_forms(corpus: list[tuple[str, dict]]) -> None:
    text = "\n".join(t for t, _ in corpus)
    for pattern in [
        r"\d+ ?余",
        r"\d+ ?多",
        r"近 ?\d",
        r"超 ?\d",
        r"约 ?\d",
        r"\d ?\S{1,3}以上",
        r"万人次",
        r"\d ?万元",
        r"\d%",
        r"\d ?亩",
        r"[两三四五六七八九]个",
        r"≥ ?\d",
        r"\d\n\n\d|[\u4e00-\u9fff]\n\n[\u4e00-\u9fff]",
    ]:
        assert re.search(pattern, text), pattern


def test_cli_writes_reports_and_sidecars(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert gen.main(["--n", "3", "--seed", "5", "--out", str(tmp_path / "out")]) == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [f"bench-0000{i}{ext}" for i in range(3) for ext in (".truth.json", ".txt")]
    assert "wrote 3 reports" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        gen.main(["--help"])
    assert exc.value.code == 0


def test_identities_are_unique(tmp_path: Path) -> None:
    """Department + year decide a report's IRI: a repeat would replace an earlier report."""
    truths = [load(p)[1] for p in gen.generate(200, 3, tmp_path)]
    assert len({(t["department"], t["year"]) for t in truths}) == 200
