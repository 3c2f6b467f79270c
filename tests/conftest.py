"""Shared fixtures: the real report (read in place from ../shared/corpus), the bundled samples,
and ingest results cached per session (ingest is deterministic, so sharing is safe)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
REAL_REPORT = CORPUS / "jiangmen-trade-union-2024.txt"
SAMPLE = ROOT / "samples" / "haiyuan-sports-bureau-2024.txt"
SAMPLE_GB = ROOT / "samples" / "yunxi-agriculture-2023.txt"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regen-golden",
        action="store_true",
        help="rewrite the golden graphs in tests/golden from the current ingest (review the diff)",
    )


@pytest.fixture(scope="session")
def regen_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--regen-golden"))


@pytest.fixture(autouse=True, scope="session")
def _user_dirs(tmp_path_factory: pytest.TempPathFactory):
    """Commands run without --store write to $JIXIAO_STORE: in tests a temporary folder, never the
    user's data directory (subprocesses inherit it)."""
    mp = pytest.MonkeyPatch()
    base = tmp_path_factory.mktemp("user-dirs")
    mp.setenv("JIXIAO_STORE", str(base / "store"))
    mp.setenv("JIXIAO_CACHE", str(base / "cache"))
    yield
    mp.undo()


@pytest.fixture(scope="session")
def real_report_path() -> Path:
    assert REAL_REPORT.exists(), f"the real report must be at {REAL_REPORT} (../shared beside the checkout)"
    return REAL_REPORT


@pytest.fixture(scope="session")
def real_result(real_report_path):
    from jixiao.ingest.pipeline import ingest_file

    return ingest_file(real_report_path)


@pytest.fixture(scope="session")
def sample_result():
    from jixiao.ingest.pipeline import ingest_file

    return ingest_file(SAMPLE)


@pytest.fixture(scope="session")
def sample_gb_result():
    from jixiao.ingest.pipeline import ingest_file

    return ingest_file(SAMPLE_GB)


# values for the library's parameters that have no default and that the data cannot give (the tests
# that run every library query take the rest, phrase/offset/file/year, from the data)
OPTIONAL_PARAMS = {
    "category": "jxv:ind_quantity",
    "role": "jxv:role_spending",
    "region": "440000",  # region-execution: a province (without a links graph the plan runs, no rows)
    "severity": "warning",
    "code": "figure_unlabelled",
}


def library_runs() -> list[tuple[str, tuple[str, ...]]]:
    """Each library query with its required parameters; those with optional ones (no default)
    once more with all of them set."""
    from jixiao import queries as Q

    out = []
    for q in Q.library():
        out.append((q.name, tuple(p.name for p in q.params if p.required)))
        optional = tuple(p.name for p in q.params if not p.required and p.default is None)
        if optional:
            out.append((q.name, tuple(p.name for p in q.params if p.required or p.default is None)))
    return out
