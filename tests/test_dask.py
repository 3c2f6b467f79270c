"""``jixiao ingest`` and ``jixiao validate`` on a Dask cluster: the same output as the local pool.

A ``distributed.LocalCluster`` (real worker processes, a real TCP scheduler) is started by the tests
and reached through ``--scheduler tcp://…``; one test lets the command start its own (``--dask 2``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.generate import generate_one
from jixiao.cli import main
from tests.conftest import REAL_REPORT, SAMPLE, SAMPLE_GB

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scheduler():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0", silence_logs=40
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> list[Path]:
    d = tmp_path_factory.mktemp("dask-reports")
    files = [REAL_REPORT, SAMPLE, SAMPLE_GB]
    for i in (0, 21, 42):
        name, body, _ = generate_one(1, i)
        (d / name).write_bytes(body)
        files.append(d / name)
    bad = d / "empty.txt"
    bad.write_bytes(b"")
    return [*files[:2], bad, *files[2:]]  # a report that fails, in the middle


def sorted_lines(path: Path) -> list[bytes]:
    return sorted(path.read_bytes().splitlines())


@pytest.fixture(scope="module")
def pool_nq(reports, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pool") / "corpus.nq"
    assert main(["ingest", *map(str, reports), "--out", str(out), "--jobs", "2", "--quiet"]) == 2  # the empty one
    return out


def test_ingest_on_a_cluster_equals_the_pool(reports, pool_nq, scheduler, tmp_path, capsys):
    out = tmp_path / "corpus.nq"
    capsys.readouterr()
    code = main(["ingest", *map(str, reports), "--out", str(out), "--scheduler", scheduler])
    printed = capsys.readouterr()
    assert code == 2  # the empty report fails there as it does in the pool
    assert "empty.txt" in printed.err
    assert sorted_lines(out) == sorted_lines(pool_nq)
    assert out.read_bytes() == pool_nq.read_bytes()  # one writer, input order: not even the order differs
    assert len({line.rsplit(b" ", 2)[1] for line in out.read_bytes().splitlines()}) == len(reports) - 1
    assert printed.out.splitlines()[0].startswith(str(reports[0]))  # the user's paths in the messages


def test_ingest_with_its_own_local_cluster_equals_the_pool(reports, pool_nq, tmp_path):
    out = tmp_path / "corpus.nq"
    assert main(["ingest", *map(str, reports), "--out", str(out), "--dask", "2", "--quiet"]) == 2
    assert sorted_lines(out) == sorted_lines(pool_nq)


def test_ingest_into_a_store_on_a_cluster(reports, pool_nq, scheduler, tmp_path):
    import pyoxigraph as ox

    store = tmp_path / "store"
    assert main(["ingest", *map(str, reports), "--store", str(store), "--scheduler", scheduler, "--quiet"]) == 2
    dumped = ox.Store.read_only(str(store)).dump(format=ox.RdfFormat.N_QUADS).splitlines()
    expected = ox.Store()
    expected.load(pool_nq.read_bytes(), format=ox.RdfFormat.N_QUADS)
    assert sorted(q for q in dumped if q.endswith(b"/graph> .")) == sorted(
        expected.dump(format=ox.RdfFormat.N_QUADS).splitlines()
    )


def _validate(args: list[str], tmp_path: Path, name: str) -> tuple[int, dict]:
    out = tmp_path / f"{name}.json"
    code = main(["validate", *args, "--format", "json", "--out", str(out)])
    return code, json.loads(out.read_text(encoding="utf-8"))


def test_validate_on_a_cluster_equals_the_pool(pool_nq, scheduler, tmp_path):
    local = _validate(["--data", str(pool_nq), "--jobs", "2"], tmp_path, "pool")
    remote = _validate(["--data", str(pool_nq), "--scheduler", scheduler], tmp_path, "dask")
    assert remote == local
    assert local[0] == 1 and local[1]  # the samples have planted faults: findings to compare


def test_validate_a_store_on_a_cluster(reports, scheduler, tmp_path):
    store = tmp_path / "store"
    main(["ingest", *map(str, reports), "--store", str(store), "--quiet"])
    local = _validate(["--store", str(store), "--jobs", "2"], tmp_path, "pool")
    remote = _validate(["--store", str(store), "--scheduler", scheduler], tmp_path, "dask")
    assert remote == local


def test_no_scheduler_there_is_exit_2(tmp_path, capsys):
    from jixiao.serve import free_port

    code = main(["validate", "--data", str(SAMPLE), "--scheduler", f"tcp://127.0.0.1:{free_port()}"])
    assert code == 2
    assert "no Dask scheduler" in capsys.readouterr().err


def test_the_run_is_checked_before_anything_is_written_on_a_cluster_too(scheduler, tmp_path, capsys):
    """The hardening of ingest holds with --scheduler: two versions of one report in a run are exit 2
    with nothing written (new store, existing store, one transaction each, --out), and a store that
    another writer holds is refused before any task runs."""
    from jixiao.store import store_lock
    from tests.test_hardening_store import FIGURE, snapshot

    text = SAMPLE.read_text(encoding="utf-8")
    v1, v2 = tmp_path / "report-v1.txt", tmp_path / "report-v2.txt"
    v1.write_text(text, encoding="utf-8")
    v2.write_text(text.replace(FIGURE, "4862.38"), encoding="utf-8")
    new, held, out = tmp_path / "new", tmp_path / "held", tmp_path / "g.nq"
    assert main(["ingest", str(SAMPLE_GB), "--store", str(held), "--quiet"]) == 0
    before = snapshot(held)
    capsys.readouterr()
    for args in (["--store", str(new)], ["--store", str(held), "--bulk"], ["--store", str(held), "--no-bulk"]):
        assert main(["ingest", str(v1), str(SAMPLE_GB), str(v2), *args, "--scheduler", scheduler, "--quiet"]) == 2
        assert "two versions of one report" in capsys.readouterr().err
    assert main(["ingest", str(v1), str(v2), "--out", str(out), "--scheduler", scheduler, "--quiet"]) == 2
    assert "nothing written" in capsys.readouterr().err
    assert not out.exists() and (not new.exists() or not any(new.iterdir()))
    assert snapshot(held) == before
    with store_lock(held):
        assert main(["ingest", str(SAMPLE), "--store", str(held), "--scheduler", scheduler, "--quiet"]) == 2
    assert "held.lock" in capsys.readouterr().err  # the lock beside the store, naming who holds it
    assert snapshot(held) == before
