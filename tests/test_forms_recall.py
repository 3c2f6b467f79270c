"""The reader on the forms/ excerpts: strict figure recall against the hand-checked lists, and the
precision of a fixed random sample of 100 extracted figures judged by hand
(tests/data/forms/precision-sample.tsv). Matching rules: tests/forms_recall.py. Results:
tests/data/forms/RESULTS.md (``python -m tests.forms_recall``) and BENCHMARKS.md.

The floors below are what the reader reaches now (measured, not targets): a change that loses
figures fails here. The issue's targets (recall ≥ 95 % overall and ≥ 85 % per file, precision ≥ 97 %
quantities and ≥ 90 % what-it-counts) are strict xfails: they pass only once reached, and then
the xfail must go.
"""

from __future__ import annotations

import pytest

from tests.figure_lists import read_tsv
from tests.forms_recall import (
    READER_FIELDS,
    RESULTS,
    SAMPLE,
    SAMPLE_HEADER,
    draw_sample,
    measure_all,
    reader_fields,
    render,
)

RECALL_FLOOR = 0.87  # 529 / 606 on 2026-12-07
SAMPLE_ROWS = read_tsv(SAMPLE, SAMPLE_HEADER)


def _recall() -> tuple[int, int]:
    results = measure_all()
    return sum(len(r.found) for r in results), sum(len(r.listed) for r in results)


def test_recall_floor() -> None:
    found, total = _recall()
    assert found / total >= RECALL_FLOOR, f"recall {found}/{total} fell below {RECALL_FLOOR}"


def test_results_file_is_current() -> None:
    """RESULTS.md is what the reader gives now (regenerate with ``python -m tests.forms_recall``)."""
    assert RESULTS.read_text(encoding="utf-8") == render(measure_all())


@pytest.mark.xfail(strict=True, reason="issue 12 target not reached: recall 87.6 % overall, several files < 85 %")
def test_recall_target() -> None:
    found, total = _recall()
    assert found / total >= 0.95
    assert all(r.recall >= 0.85 for r in measure_all() if r.listed)


def test_sample_is_the_seeded_draw_and_judged() -> None:
    """The sample file is the seeded draw of the reader's output; every row carries a judgement."""
    assert len(SAMPLE_ROWS) == 100
    drawn = draw_sample()
    for row, now in zip(SAMPLE_ROWS, drawn, strict=True):
        assert (row["stem"], row["start"], row["end"]) == (now["stem"], now["start"], now["end"]), (
            f"sample row {row['n']}: the reader's figures changed; redraw the sample (tests.forms_recall.draw_sample) "
            "and judge it again by hand"
        )
        assert row["quantity_ok"] in {"y", "n"} and row["counts_ok"] in {"y", "n"}
        assert row["quantity_ok"] == "y" or row["judgement"], f"row {row['n']}: say why it is wrong"


@pytest.mark.parametrize("row", SAMPLE_ROWS, ids=[f"{r['n']}-{r['stem'][:2]}" for r in SAMPLE_ROWS])
def test_sampled_figure_unchanged(row: dict[str, str]) -> None:
    """The reader still reads each judged figure as it did when judged."""
    result = next(r for r in measure_all() if r.stem == row["stem"])
    now = next((e for e in result.extracted if (e.start, e.end) == (int(row["start"]), int(row["end"]))), None)
    assert now is not None, f"row {row['n']}: no longer extracted; judge the redrawn sample again"
    fields = reader_fields(now)
    for name in READER_FIELDS:
        assert fields[name] == row[name], f"row {row['n']} {name}: {fields[name]!r} != judged {row[name]!r}"


def _rates() -> tuple[float, float]:
    q = sum(r["quantity_ok"] == "y" for r in SAMPLE_ROWS) / len(SAMPLE_ROWS)
    c = sum(r["counts_ok"] == "y" for r in SAMPLE_ROWS) / len(SAMPLE_ROWS)
    return q, c


def test_precision_as_measured() -> None:
    """The figures BENCHMARKS.md and RESULTS.md report (76 % right quantities, 58 % right counts)."""
    assert _rates() == (0.76, 0.58)


@pytest.mark.xfail(strict=True, reason="issue 12 target not reached: 76 % quantities, 58 % what-it-counts")
def test_precision_target() -> None:
    q, c = _rates()
    assert q >= 0.97 and c >= 0.90
