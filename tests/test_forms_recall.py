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


def test_sample_is_judged() -> None:
    """The sample file is the seeded draw (tests.forms_recall.draw_sample) of the reader's output when it
    was judged (branch reader-b, e4e66af); every row carries a judgement. Since then the reader may
    only have dropped figures judged not to be quantities (test_sampled_figure_unchanged); a redraw
    (refresh_sample) needs the new rows judged by hand."""
    assert len(SAMPLE_ROWS) == 100
    for row in SAMPLE_ROWS:
        assert row["quantity_ok"] in {"y", "n"} and row["counts_ok"] in {"y", "n"}
        assert row["quantity_ok"] == "y" or row["judgement"], f"row {row['n']}: say why it is wrong"


@pytest.mark.parametrize("row", SAMPLE_ROWS, ids=[f"{r['n']}-{r['stem'][:2]}" for r in SAMPLE_ROWS])
def test_sampled_figure_unchanged(row: dict[str, str]) -> None:
    """The reader still reads each judged figure as it did when judged, or no longer takes for a figure
    what was judged not to be a quantity (page furniture: an ordinal, a year in a document number …)."""
    now = _now(row)
    if now is None:
        assert row["quantity_ok"] == "n", f"row {row['n']}: a right figure is no longer extracted"
        return
    fields = reader_fields(now)
    for name in READER_FIELDS:
        assert fields[name] == row[name], f"row {row['n']} {name}: {fields[name]!r} != judged {row[name]!r}"


def _now(row: dict[str, str]):
    result = next(r for r in measure_all() if r.stem == row["stem"])
    return next((e for e in result.extracted if (e.start, e.end) == (int(row["start"]), int(row["end"]))), None)


def _rates() -> tuple[float, float]:
    """Right quantities and right what-it-counts among the sampled figures the reader still extracts."""
    kept = [r for r in SAMPLE_ROWS if _now(r) is not None]
    q = sum(r["quantity_ok"] == "y" for r in kept) / len(kept)
    c = sum(r["counts_ok"] == "y" for r in kept) / len(kept)
    return round(q, 3), round(c, 3)


def test_precision_as_measured() -> None:
    """The figures BENCHMARKS.md reports: of the 100 sampled figures, the 15 judged page furniture
    are no longer extracted; of the 85 left, 76 are right quantities (89.4 %), 58 name what they
    count (68.2 %)."""
    assert _rates() == (0.894, 0.682)


@pytest.mark.xfail(strict=True, reason="issue 12 target not reached: 89.4 % quantities, 68.2 % what-it-counts")
def test_precision_target() -> None:
    q, c = _rates()
    assert q >= 0.97 and c >= 0.90
