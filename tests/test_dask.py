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
