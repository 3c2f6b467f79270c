"""jixiao ingest at the command line: the store is written, replaced not duplicated, and bad input
stops with a clear error naming the file while the store keeps what it had."""

from __future__ import annotations

import subprocess
import sys

import pytest

from jixiao.cli import main
from jixiao.store import GraphStore
from tests.conftest import REAL_REPORT, SAMPLE


def test_every_console_command_has_help():
    out = subprocess.run([sys.executable, "-m", "jixiao", "--help"], capture_output=True, text=True, check=True)
    assert "ingest" in out.stdout
    from jixiao.cli import _command_modules

    for mod in _command_modules():
        with pytest.raises(SystemExit) as exc:
            main([mod.NAME, "--help"])
        assert exc.value.code == 0


def test_ingest_writes_and_replaces(tmp_path, capsys):
    store_dir = tmp_path / "store"
    assert main(["ingest", str(SAMPLE), "--store", str(store_dir), "--out", str(tmp_path / "g.trig")]) == 0
    store = GraphStore(store_dir)
    first = store.count()
    graphs = store.graphs()
    del store
    assert main(["ingest", str(SAMPLE), "--store", str(store_dir)]) == 0  # re-ingest replaces
    store = GraphStore(store_dir)
    report_graphs = [g for g in store.graphs() if g.endswith("/graph")]
    assert len(report_graphs) == 1
    assert store.count(report_graphs[0]) == GraphStore(None).replace_graph(report_graphs[0], _graph_of(SAMPLE))
    assert graphs == store.graphs()
    assert first > 1000
    assert (tmp_path / "g.trig").stat().st_size > 10000


def _graph_of(path):
    from jixiao.ingest.pipeline import ingest_file

    return ingest_file(path).graph


@pytest.mark.parametrize(
    "content,needle",
    [
        (b"", "empty"),
        (b"\x00\x01\x02\x03binary\x00\x00" * 50, "binary"),
        ("预算绩效报告".encode() + b"\xff\xff\x80" * 40, "decod"),
        ("The quick brown fox jumps over the lazy dog. " * 20, "report"),
    ],
)
def test_bad_input_names_file_and_keeps_store(tmp_path, capsys, content, needle):
    store_dir = tmp_path / "store"
    assert main(["ingest", str(REAL_REPORT), "--store", str(store_dir)]) == 0
    before = GraphStore(store_dir)
    n_before, graphs_before = before.count(), before.graphs()
    del before
    bad = tmp_path / "bad-report.txt"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    capsys.readouterr()
    assert main(["ingest", str(bad), "--store", str(store_dir)]) == 2
    err = capsys.readouterr().err
    assert "bad-report.txt" in err and needle in err.lower()
    after = GraphStore(store_dir)
    assert after.count() == n_before and after.graphs() == graphs_before


def test_bad_file_among_good_ones_still_ingests_the_good(tmp_path, capsys):
    bad = tmp_path / "empty.txt"
    bad.write_text("")
    out = tmp_path / "g.trig"
    code = main(["ingest", str(bad), str(SAMPLE), "--out", str(out)])
    assert code == 2
    assert out.exists() and "haiyuan" not in capsys.readouterr().err


def test_parallel_ingest_matches_serial(tmp_path):
    from tests.conftest import SAMPLE_GB

    files = [str(REAL_REPORT), str(SAMPLE), str(SAMPLE_GB)]
    assert main(["ingest", *files, "--store", str(tmp_path / "a"), "--quiet"]) == 0
    assert main(["ingest", *files, "--store", str(tmp_path / "b"), "--jobs", "2", "--quiet"]) == 0
    a, b = GraphStore(tmp_path / "a"), GraphStore(tmp_path / "b")
    reports = [g for g in a.graphs() if g.endswith("/graph")]
    assert len(reports) == 3 and reports == [g for g in b.graphs() if g.endswith("/graph")]
    for g in reports:
        assert a.count(g) == b.count(g)


def test_bulk_builds_a_new_store_then_appends_to_it(tmp_path, capsys):
    """--bulk builds a new store, then into the existing store bulk-loads the reports it does not hold
    (under a journal, gone afterwards) and replaces the one it holds: the same graphs as reports
    written one transaction each."""
    from jixiao import iris, pending
    from tests.conftest import SAMPLE_GB

    target, tx = tmp_path / "bulk", tmp_path / "tx"
    assert main(["ingest", str(REAL_REPORT), str(SAMPLE), "--store", str(target), "--bulk", "--quiet"]) == 0
    store = GraphStore(target)
    assert len([g for g in store.graphs() if g.endswith("/graph")]) == 2
    assert store.count(iris.ONTOLOGY_GRAPH) > 1000 and store.count(iris.RUNS_GRAPH) > 0
    runs = store.count(iris.RUNS_GRAPH)
    del store
    capsys.readouterr()
    assert main(["ingest", str(SAMPLE_GB), str(SAMPLE), "--store", str(target), "--bulk"]) == 0
    assert "bulk-loaded 1 new report(s)" in capsys.readouterr().out and not pending.pending(target)
    assert (
        main(["ingest", str(REAL_REPORT), str(SAMPLE), str(SAMPLE_GB), "--store", str(tx), "--no-bulk", "--quiet"]) == 0
    )
    a, b = GraphStore(target), GraphStore(tx)
    graphs = [g for g in a.graphs() if g.endswith("/graph")]
    assert len(graphs) == 3 and graphs == [g for g in b.graphs() if g.endswith("/graph")]
    for g in [*graphs, iris.ONTOLOGY_GRAPH]:
        assert set(a.triples(g)) == set(b.triples(g))
    assert a.count(iris.RUNS_GRAPH) > runs  # the second run's records were added
    assert main(["ingest", str(SAMPLE), "--store", str(target), "--bulk", "--out", str(tmp_path / "x.nq")]) == 2


def test_an_interrupted_bulk_append_is_refused_then_rolled_back(tmp_path, capsys):
    """A bulk load that did not finish (the journal still names its graphs, part of them written):
    read-only opens refuse the store; the next write-open removes those graphs, and the store is
    what it was before the load."""
    import pyoxigraph as ox

    from jixiao import pending
    from jixiao.errors import JixiaoError
    from tests.conftest import SAMPLE_GB

    target = tmp_path / "store"
    assert main(["ingest", str(SAMPLE), "--store", str(target), "--quiet"]) == 0
    before = GraphStore(target)
    graphs, n = before.graphs(), before.count()
    del before
    out = tmp_path / "gb.nq"
    assert main(["ingest", str(SAMPLE_GB), "--out", str(out), "--quiet"]) == 0
    lines = out.read_bytes().splitlines(keepends=True)
    new_graph = lines[0].rsplit(b" <", 1)[1].split(b">")[0].decode()
    assert new_graph not in {str(g) for g in graphs}
    half = tmp_path / "half.nq"
    half.write_bytes(b"".join(lines[: len(lines) // 2]))
    raw = ox.Store(str(target))
    pending.begin(target, [new_graph])
    raw.bulk_load(path=str(half), format=ox.RdfFormat.N_QUADS)  # ... and the process dies here
    raw.flush()
    del raw
    with pytest.raises(JixiaoError, match="unfinished bulk load"):
        GraphStore(target, read_only=True)
    capsys.readouterr()
    assert main(["query", "reports", "--store", str(target)]) == 2
    assert "unfinished bulk load" in capsys.readouterr().err
    store = GraphStore(target)
    assert "rolled back" in capsys.readouterr().err
    assert store.graphs() == graphs and store.count() == n and not pending.pending(target)


def test_new_store_is_bulk_loaded_with_the_same_graphs(tmp_path, capsys):
    """Several files into a store that does not exist yet go through the bulk loader (built aside,
    renamed into place); one file at a time into an existing store goes through transactions. The
    report and ontology graphs are the same either way."""
    bulk, tx = tmp_path / "bulk", tmp_path / "tx"
    assert main(["ingest", str(REAL_REPORT), str(SAMPLE), "--store", str(bulk)]) == 0
    assert "bulk-loaded 2 report(s)" in capsys.readouterr().out
    for path in (REAL_REPORT, SAMPLE):
        assert main(["ingest", str(path), "--store", str(tx), "--quiet"]) == 0
    a, b = GraphStore(bulk), GraphStore(tx)
    from jixiao import iris

    graphs = [g for g in a.graphs() if g.endswith("/graph")] + [iris.ONTOLOGY_GRAPH]
    assert len(graphs) == 3 and set(graphs) <= set(b.graphs())
    for g in graphs:
        assert set(a.triples(g)) == set(b.triples(g))


def test_bulk_add_that_fails_midway_leaves_the_store_as_it_was(tmp_path):
    """A syntax error halfway through the file: Oxigraph's bulk loader has written part of it; the
    graphs named for the load are removed at once and the journal with them."""
    from jixiao import pending

    target = tmp_path / "store"
    assert main(["ingest", str(SAMPLE), "--store", str(target), "--quiet"]) == 0
    store = GraphStore(target)
    graphs, n = store.graphs(), store.count()
    body = "".join(f'<urn:s{i}> <urn:p> "{i}" <urn:g:new> .\n' for i in range(5000))
    bad = tmp_path / "bad.nq"
    bad.write_text(body + '<urn:s> <urn:p> "unterminated <urn:g:new> .\n' + body, encoding="utf-8")
    with pytest.raises(SyntaxError):
        store.bulk_add(bad, ["urn:g:new"])
    assert store.graphs() == graphs and store.count() == n and not pending.pending(target)
    with pytest.raises(ValueError, match="already holds"):
        store.bulk_add(bad, [str(graphs[0])])
    assert store.count() == n
