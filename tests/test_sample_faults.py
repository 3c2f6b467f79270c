"""The samples' planted faults, end to end: ingest each sample, validate it, and check that every
planted data fault (samples/*.faults.toml, kinds other than "breakage") is found by the rule that
implements it — exactly once — and that nothing else is reported.

A finding belongs to a fault when one of its source spans (the focus's or a value's) overlaps an
occurrence of one of the fault's quotes in the decoded sample: matching by position, so a quote like
"8 个" cannot match the same characters elsewhere in the report.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

import pytest

from jixiao.validate import Finding, validate_graphs

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
HAIYUAN = "haiyuan-sports-bureau-2024"
YUNXI = "yunxi-agriculture-2023"  # GB18030; small enough for the reference engine (~10 s)
RUNS = [(HAIYUAN, "turbo"), (HAIYUAN, "sparql"), (YUNXI, "turbo"), (YUNXI, "sparql"), (YUNXI, "pyshacl")]

# The faults files name the auditor rule they expect (proposals); these are the shapes implementing them.
RULE_SHAPES = {
    "table-column-sum": ("TableRowsSumToTotal",),
    "narrative-vs-table-total": ("ConflictingFigures",),
    "infer-row-name": ("UnnamedTableRow", "InferredName"),
    "execution-rate": ("ExecutionRateMatches",),
    "missing-completion-value": ("IndicatorHasActual",),
    "actual-over-150-percent-of-target": ("TargetSetTooLow",),
    "actual-below-target": ("ActualMeetsComparator",),
    "declared-indicator-counts": ("DeclaredCountMatches",),
    "share": ("ShareMatchesParts",),
}
# Info findings allowed without a planted fault: names inferred from the narrative.
ALLOWED_INFO = {"InferredName"}

# Faults the shapes would find but ingest does not read yet (strict: the xfail must keep failing).
INGEST_MISREADINGS: dict[str, str] = {}


@functools.cache
def _faults(sample: str) -> dict:
    return tomllib.loads((SAMPLES / f"{sample}.faults.toml").read_text(encoding="utf-8"))


@functools.cache
def _text(sample: str) -> str:
    return (SAMPLES / f"{sample}.txt").read_bytes().decode(_faults(sample)["sample"]["encoding"])


@functools.cache
def _findings(sample: str, engine: str) -> tuple[Finding, ...]:
    from jixiao.ingest.pipeline import ingest_file

    res = ingest_file(SAMPLES / f"{sample}.txt")
    return tuple(validate_graphs([(res.graph_iri, res.graph)], engine=engine).findings)


def _data_faults(sample: str) -> list[dict]:
    return [f for f in _faults(sample)["fault"] if f["kind"] != "breakage"]


def _ranges(sample: str, fault: dict) -> list[tuple[int, int]]:
    text, out = _text(sample), []
    for quote in fault["quotes"]:
        start = text.find(quote)
        assert start >= 0, f"{fault['id']}: quote not in the sample: {quote!r}"
        while start >= 0:
            out.append((start, start + len(quote)))
            start = text.find(quote, start + 1)
    return out


def _shape(f: Finding) -> str:
    return str(f.shape).rsplit("#", 1)[-1]


def _belongs(f: Finding, ranges: list[tuple[int, int]]) -> bool:
    return any(ref.start < e and s < ref.end for ref in f.sources for s, e in ranges)


def _describe(f: Finding) -> str:
    where = "; ".join(f"{r.start}-{r.end} {r.quote!r}" for r in f.sources)
    return f"{f.severity} {_shape(f)} on {f.focus_label!r}: {f.message.get('en', '')} [{where}]"


def _fault_params() -> list:
    params = []
    for sample, engine in RUNS:
        for fault in _data_faults(sample):
            marks = (
                [pytest.mark.xfail(strict=True, reason=INGEST_MISREADINGS[fault["id"]])]
                if fault["id"] in INGEST_MISREADINGS
                else []
            )
            params.append(pytest.param(sample, engine, fault["id"], marks=marks, id=f"{engine}-{fault['id']}"))
    return params


def test_the_faults_files_are_what_the_tests_expect():
    assert [f["id"] for f in _faults(HAIYUAN)["fault"]] == [f"F{i:02}" for i in range(1, 10)] + ["B10", "B11"]
    assert [f["id"] for f in _faults(YUNXI)["fault"]] == ["Y01", "Y02"]
    for sample in (HAIYUAN, YUNXI):
        for fault in _data_faults(sample):
            assert fault["rule"] in RULE_SHAPES, fault["id"]


@pytest.mark.parametrize(("sample", "engine", "fault_id"), _fault_params())
def test_planted_fault_is_found_once_by_its_rule(sample: str, engine: str, fault_id: str):
    fault = next(f for f in _data_faults(sample) if f["id"] == fault_id)
    ranges = _ranges(sample, fault)
    found = _findings(sample, engine)
    for shape in RULE_SHAPES[fault["rule"]]:
        mine = [f for f in found if _shape(f) == shape and _belongs(f, ranges)]
        assert len(mine) == 1, (
            f"{fault_id} ({fault['en']}): expected one {shape} finding quoting {fault['quotes']}, got "
            f"{len(mine)}:\n" + "\n".join(map(_describe, mine)) + "\nall findings:\n" + "\n".join(map(_describe, found))
        )


@pytest.mark.parametrize(("sample", "engine"), RUNS, ids=[f"{s}-{e}" for s, e in RUNS])
def test_nothing_but_the_planted_faults(sample: str, engine: str):
    faults = [(f, _ranges(sample, f)) for f in _data_faults(sample)]
    unmatched = [
        f
        for f in _findings(sample, engine)
        if not any(_shape(f) in RULE_SHAPES[fault["rule"]] and _belongs(f, ranges) for fault, ranges in faults)
        and not (f.severity == "Info" and _shape(f) in ALLOWED_INFO)
    ]
    assert unmatched == [], "findings that match no planted fault:\n" + "\n".join(map(_describe, unmatched))


@pytest.mark.parametrize("engine", ["turbo", "sparql"])
def test_engines_agree_on_the_gb_sample(engine: str):
    assert sorted(f.key() for f in _findings(YUNXI, engine)) == sorted(f.key() for f in _findings(YUNXI, "pyshacl"))


def test_table_sum_and_conflict_messages_carry_the_figures():
    """F01 reports the rows' sum against the stated totals; F02 lists each stated amount once, with how
    many times it is stated, and quotes every statement."""
    facts = {f["id"]: f for f in _faults(HAIYUAN)["fault"]}
    found = _findings(HAIYUAN, "turbo")
    (table,) = [f for f in found if _shape(f) == "TableRowsSumToTotal"]
    assert f"{facts['F01']['rows_sum']:.2f}" in table.message["zh"]
    assert f"{facts['F01']['printed_total']:.2f}" in table.message["zh"]
    (conflict,) = [f for f in found if _shape(f) == "ConflictingFigures"]
    # 1955.49 in 四 (部门整体支出), the table's 合计 and 二 (总体绩效); 1965.49 in 管理效率 (F02)
    assert "1955.49 万元 ×3 (character 4839, 5477, 9213); 1965.49 万元 ×1 (character 8694)" in conflict.message["en"]
    assert "1955.49 万元 共 3 处" in conflict.message["zh"]
    text = _text(HAIYUAN)
    quoted = [(r.start, r.quote) for r in conflict.sources]
    assert len(quoted) == 4 and all(text[s : s + len(q)] == q for s, q in quoted)
    assert sorted(q.replace(" ", "") for _, q in quoted) == ["1955.49", "1955.49万元", "1955.49万元", "1965.49万元"]
