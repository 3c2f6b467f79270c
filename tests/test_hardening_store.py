"""Writes that are whole or absent, and stores that never show half a change (issue 17).

- ``--out`` and new stores on a full disk: a real tmpfs of a few hundred KB (in a user and mount
  namespace, ``unshare -Urm``, when the machine allows it), and an injected ENOSPC / short write
  everywhere: exit 2 with the reason, the previous file untouched, no temporary file left.
- Two versions of one report in one run: exit 2 naming both files; the store and ``--out`` unchanged,
  in every write path (one transaction per report, a new store, an existing store).
- One writer at a time: a second ``jixiao ingest`` exits 2 naming the process holding the store.
- ``kill -9`` before every store write of a replacement, and at random moments inside one: afterwards
  the store holds the old or the new version of the report, never both, and no ``#staging`` graph; a
  ``#staging`` graph left by an older version is refused by readers and removed at the next write-open.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef

from jixiao import iris
from jixiao.cli import main
from jixiao.errors import JixiaoError
from jixiao.store import GraphStore, staging_graphs, store_lock
from tests.conftest import SAMPLE, SAMPLE_GB

FIGURE = "4862.37"  # a figure of the (fictional) sample report; changing it makes a second version


def run(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "jixiao", *args], capture_output=True, text=True, timeout=600, env=os.environ, **kw
    )


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> tuple[Path, Path]:
    """Two versions of the sample report: same department, year and kind (one graph IRI), one figure
    different."""
    folder = tmp_path_factory.mktemp("versions")
    text = SAMPLE.read_text(encoding="utf-8")
    assert text.count(FIGURE) >= 1
    v1, v2 = folder / "report-v1.txt", folder / "report-v2.txt"
    v1.write_text(text, encoding="utf-8")
    v2.write_text(text.replace(FIGURE, "4862.38"), encoding="utf-8")
    return v1, v2


def report_graph(path: Path) -> tuple[URIRef, int]:
    from jixiao.ingest.pipeline import ingest_file

    r = ingest_file(path)
    return r.graph_iri, len(r.triples)


def snapshot(store_dir: Path) -> list[str]:
    """Every quad of a store but the run records (which hold a time), as sorted N-Quads lines."""
    s = ox.Store.read_only(str(store_dir))
    lines = ox.serialize(
        [q for q in s if q.graph_name != ox.NamedNode(str(iris.RUNS_GRAPH))], format=ox.RdfFormat.N_QUADS
    )
    del s
    return sorted(lines.decode().splitlines())


# -- full disk ------------------------------------------------------------------------------------
def _tmpfs(script: str, size: str, **env: str) -> subprocess.CompletedProcess:
    """Run a shell script with $D a fresh tmpfs of ``size`` (private mount namespace: it vanishes with
    the script). Skips when the machine does not allow mounts."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("no unshare: the injected-ENOSPC tests cover this")
    probe = subprocess.run(
        [unshare, "-Urm", "sh", "-c", "d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs $d"], capture_output=True
    )
    if probe.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here ({probe.stderr.decode().strip()}): the injected-ENOSPC tests cover this"
        )
    body = f'D=$(mktemp -d) && mount -t tmpfs -o size={size} tmpfs "$D" || exit 99\n' + textwrap.dedent(script)
    env = {**os.environ, "PY": sys.executable, "SAMPLE": str(SAMPLE), "SAMPLE_GB": str(SAMPLE_GB), **env}
    return subprocess.run([unshare, "-Urm", "sh", "-c", body], capture_output=True, text=True, env=env, timeout=600)


def test_out_on_a_full_disk_keeps_the_old_file(tmp_path):
    proc = _tmpfs(
        """
        printf 'the old, complete file' > "$D/g.nq"
        "$PY" -m jixiao ingest "$SAMPLE" --out "$D/g.nq" --quiet
        echo "rc=$?"
        ls -A "$D"
        cat "$D/g.nq"
        """,
        "600k",  # the sample's N-Quads are ~2 MB
    )
    assert "rc=2" in proc.stdout, proc
    assert proc.stdout.split("rc=2", 1)[1].split() == ["g.nq", "the", "old,", "complete", "file"]
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("jixiao ingest: error: ") and "g.nq" in line and "disk full" in line


@pytest.mark.parametrize("size,needle", [("600k", "cannot write the reports to load"), ("6m", "cannot build")])
def test_new_store_on_a_full_disk_leaves_no_store(size, needle):
    """600k: the N-Quads to load do not fit; 6m: they do, Oxigraph's bulk loader then fills the disk."""
    proc = _tmpfs(
        """
        "$PY" -m jixiao ingest "$SAMPLE" "$SAMPLE_GB" --store "$D/store" --quiet
        echo "rc=$?"
        ls -A "$D"
        """,
        size,
    )
    assert "rc=2" in proc.stdout, proc
    assert proc.stdout.split("rc=2", 1)[1].split() == ["store.lock"]  # no store, no .building, no .nq
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("jixiao ingest: error: ") and needle in line and "no store written" in line


def test_validate_out_on_a_full_disk():
    example = Path(__file__).resolve().parents[1] / "ontology" / "examples" / "report-example.ttl"
    proc = _tmpfs(
        """
        head -c 400000 /dev/zero > "$D/filler" 2>/dev/null
        "$PY" -m jixiao validate --data "$EXAMPLE" --format html --out "$D/report.html"
        echo "rc=$?"
        ls -A "$D"
        """,
        "200k",
        EXAMPLE=str(example),
    )
    assert "rc=2" in proc.stdout, proc
    assert proc.stdout.split("rc=2", 1)[1].split() == ["filler"]
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("jixiao validate: error: ") and "report.html" in line and "disk full" in line


def test_injected_enospc_removes_the_temporary_and_keeps_the_old_file(tmp_path, monkeypatch, capsys):
    from jixiao import fileio

    out = tmp_path / "g.nq"
    out.write_text("old")
    calls = {"n": 0}
    real_write = fileio._Counted.write

    def full_after_one(self, data):
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, data)

    monkeypatch.setattr(fileio._Counted, "write", full_after_one)
    assert main(["ingest", str(SAMPLE), str(SAMPLE_GB), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "no space left on device (disk full)" in err and str(out) in err
    assert out.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["g.nq"]


def test_a_short_write_is_never_renamed_into_place(tmp_path, monkeypatch, capsys):
    """The bytes on disk are checked against the bytes given before the rename (a truncated file
    must not replace a complete one)."""
    from jixiao import fileio

    out = tmp_path / "g.nq"
    out.write_text("old")

    def half(self, data):
        self.written += len(data)
        return self.fh.write(data[: len(data) // 2])

    monkeypatch.setattr(fileio._Counted, "write", half)
    assert main(["ingest", str(SAMPLE), "--out", str(out), "--quiet"]) == 2
    assert "reached the disk" in capsys.readouterr().err
    assert out.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["g.nq"]


def test_injected_enospc_while_building_a_store(tmp_path, monkeypatch, capsys):
    class Full:  # Oxigraph's store, on a disk that fills up during the bulk load
        def __init__(self, path: str):
            os.makedirs(path, exist_ok=True)

        def bulk_load(self, **kw):
            raise OSError("IO error: No space left on device: While appending to file: 000010.sst")

    monkeypatch.setattr(ox, "Store", Full)
    target = tmp_path / "store"
    assert main(["ingest", str(SAMPLE), str(SAMPLE_GB), "--store", str(target), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "cannot build the store; no store written" in err and "No space left on device" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.lock"]


def test_atomic_output_writes_whole_files_with_the_usual_mode(tmp_path):
    from jixiao.fileio import write_atomic

    out = tmp_path / "x.bin"
    write_atomic(out, b"abc" * 1000)
    assert out.read_bytes() == b"abc" * 1000
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir()] == ["x.bin"]


# -- two versions of one report -------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["no-bulk", "bulk-new", "bulk-existing", "out"])
def test_two_versions_in_one_run_write_nothing(tmp_path, versions, mode):
    v1, v2 = versions
    target = tmp_path / "store"
    if mode in ("no-bulk", "bulk-existing"):
        assert main(["ingest", str(SAMPLE_GB), "--store", str(target), "--quiet"]) == 0
    before = snapshot(target) if target.exists() else None
    out = tmp_path / "g.nq"
    args = {
        "no-bulk": ["--store", str(target), "--no-bulk"],
        "bulk-new": ["--store", str(target)],
        "bulk-existing": ["--store", str(target), "--bulk"],
        "out": ["--out", str(out)],
    }[mode]
    proc = run("ingest", str(v1), str(SAMPLE_GB), str(v2), *args, "--quiet")
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("jixiao ingest: error: ") and "report-v1.txt" in line and "report-v2.txt" in line
    assert "two versions of one report" in line and "nothing written" in line
    if before is None:
        assert not target.exists() or not any(target.iterdir())
    else:
        assert snapshot(target) == before
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["store", "store.lock"], ["store.lock"])


def test_the_same_report_twice_is_ingested_once(tmp_path):
    target = tmp_path / "store"
    proc = run("ingest", str(SAMPLE), str(SAMPLE), "--store", str(target), "--quiet")
    assert proc.returncode == 0 and "ingested once" in proc.stderr
    assert len([g for g in GraphStore(target, read_only=True).graphs() if g.endswith("/graph")]) == 1


# -- one writer at a time -------------------------------------------------------------------------
def test_a_second_writer_is_told_who_holds_the_store(tmp_path):
    target = tmp_path / "store"
    with store_lock(target):
        proc = run("ingest", str(SAMPLE), "--store", str(target))
        (line,) = proc.stderr.strip().splitlines()
        assert proc.returncode == 2 and f"process {os.getpid()}" in line and "store.lock" in line
        assert not target.exists()
    assert run("ingest", str(SAMPLE), "--store", str(target), "--quiet").returncode == 0


def test_the_lock_dies_with_its_holder(tmp_path):
    target = tmp_path / "store"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from jixiao.store import store_lock\n"
            f"with store_lock({str(target)!r}):\n    print('held', flush=True); time.sleep(600)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        proc = run("ingest", str(SAMPLE), "--store", str(target), "--quiet")
        assert proc.returncode == 2 and f"process {holder.pid}" in proc.stderr
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert run("ingest", str(SAMPLE), "--store", str(target), "--quiet").returncode == 0


def test_two_ingests_racing_for_a_new_store(tmp_path):
    """Both start at once: one builds the store, the other exits 2 naming it (no RocksDB crash)."""
    target = tmp_path / "store"
    args = [sys.executable, "-m", "jixiao", "ingest", str(SAMPLE), str(SAMPLE_GB), "--store", str(target), "--quiet"]
    procs = [subprocess.Popen(args, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(600), p.stderr.read()) for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 0], [0, 2]), results  # [0, 0]: the second started after the first had finished
    for code, err in results:
        assert "Traceback" not in err
        if code == 2:
            assert "being written by process" in err
    assert len([g for g in GraphStore(target, read_only=True).graphs() if g.endswith("/graph")]) == 2


def test_a_store_held_open_by_another_program(tmp_path):
    """Not a jixiao writer (no lock file), but RocksDB's own lock: surfaced as a clear message."""
    target = tmp_path / "store"
    assert main(["ingest", str(SAMPLE), "--store", str(target), "--quiet"]) == 0
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import pyoxigraph, time; s = pyoxigraph.Store({str(target)!r}); print('open', flush=True); "
            "time.sleep(600)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        proc = run("ingest", str(SAMPLE_GB), "--store", str(target), "--quiet")
        (line,) = proc.stderr.strip().splitlines()
        assert proc.returncode == 2 and "open for writing by another process" in line
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()


# -- kill -9 during a replacement -----------------------------------------------------------------
DRIVER = """
import os, signal, sys
from jixiao import store as S

KILL_AT = int(sys.argv[1])  # kill before the KILL_AT-th write call (0: never)
WRITES = {"update", "load", "extend", "remove_graph", "add_graph", "bulk_load", "flush", "clear_graph"}
calls = 0

class Killing:
    def __init__(self, inner):
        self._inner = inner
    def __getattr__(self, name):
        attr = getattr(self._inner, name)
        if name not in WRITES:
            return attr
        def write(*a, **kw):
            global calls
            calls += 1
            print(f"write {calls} {name}", file=sys.stderr, flush=True)
            if calls == KILL_AT:
                os.kill(os.getpid(), signal.SIGKILL)
            return attr(*a, **kw)
        return write
    def __iter__(self):
        return iter(self._inner)
    def __len__(self):
        return len(self._inner)

real_init = S.GraphStore.__init__
def init(self, *a, **kw):
    real_init(self, *a, **kw)
    self.store = Killing(self.store)
S.GraphStore.__init__ = init

from jixiao.cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.fixture(scope="module")
def old_store(tmp_path_factory, versions):
    """A store holding version 1 of the report (and the Hunan sample), built once."""
    v1, _ = versions
    base = tmp_path_factory.mktemp("old-store") / "store"
    assert main(["ingest", str(v1), str(SAMPLE_GB), "--store", str(base), "--no-bulk", "--quiet"]) == 0
    return base


def _check_one_version(store_dir: Path, graph: URIRef, sizes: set[int], graphs: list | None = None) -> int:
    s = GraphStore(store_dir, read_only=True)  # refuses a store with a staging graph
    assert staging_graphs(s.store) == []
    if graphs is not None:
        assert s.graphs() == graphs  # no other graph appeared (for union queries to see)
    n = s.count(graph)
    assert n in sizes
    union = next(iter(s.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))[0].value
    by_graph = sum(s.count(g) for g in s.graphs())
    assert int(union) <= by_graph  # the union is no bigger than its graphs (no hidden copies)
    del s
    return n


def test_kill_before_each_write_of_a_replacement(tmp_path, versions, old_store):
    _, v2 = versions
    graph, n_new = report_graph(v2)
    _, n_old = report_graph(versions[0])
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER)
    # how many write calls a complete replacement makes
    clean = tmp_path / "clean"
    shutil.copytree(old_store, clean)
    done = subprocess.run(
        [sys.executable, str(driver), "0", "ingest", str(v2), "--store", str(clean), "--quiet"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    writes = [x for x in done.stderr.splitlines() if x.startswith("write ")]
    assert any(" update" in w for w in writes) and len(writes) >= 3
    assert _check_one_version(clean, graph, {n_new}) == n_new
    graphs = GraphStore(old_store, read_only=True).graphs()
    seen = set()
    for k in range(1, len(writes) + 1):
        store = tmp_path / f"killed-{k}"
        shutil.copytree(old_store, store)
        proc = subprocess.run(
            [sys.executable, str(driver), str(k), "ingest", str(v2), "--store", str(store), "--quiet"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert proc.returncode == -signal.SIGKILL, proc.stderr
        seen.add(_check_one_version(store, graph, {n_old, n_new}, graphs))
        # the next writer finds nothing to clean up and the store reads the same
        assert main(["ingest", str(v2), "--store", str(store), "--quiet"]) == 0
        assert _check_one_version(store, graph, {n_new}) == n_new
        shutil.rmtree(store)
    assert seen == {n_old, n_new}  # killed before the report's update: the old version; after: the new


def test_kill_at_random_moments_inside_a_replacement(tmp_path, versions, old_store):
    v1, v2 = versions
    graph, n_new = report_graph(v2)
    _, n_old = report_graph(v1)
    graphs = GraphStore(old_store, read_only=True).graphs()
    for delay in (0.5, 1.5, 2.5, 3.5, 5.0):
        store = tmp_path / "store"
        shutil.copytree(old_store, store)
        proc = subprocess.Popen(
            [sys.executable, "-m", "jixiao", "ingest", str(v2), "--store", str(store), "--quiet"],
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        _check_one_version(store, graph, {n_old, n_new}, graphs)
        shutil.rmtree(store)


def test_a_staging_graph_left_by_an_older_version_is_refused_then_removed(tmp_path, versions, capsys):
    v1, v2 = versions
    target = tmp_path / "store"
    assert main(["ingest", str(v1), "--store", str(target), "--quiet"]) == 0
    graph, _ = report_graph(v1)
    raw = ox.Store(str(target))  # what `kill -9` left with the version before this one
    staging = ox.NamedNode(f"{graph}#staging")
    raw.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.Literal("half"), staging))
    foreign = ox.NamedNode("http://example.org/someone-elses#staging")  # not jixiao's: left alone
    raw.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.Literal("theirs"), foreign))
    raw.flush()
    del raw
    with pytest.raises(JixiaoError, match="interrupted replacement"):
        GraphStore(target, read_only=True)
    capsys.readouterr()
    assert main(["query", "reports", "--store", str(target)]) == 2
    assert "interrupted replacement" in capsys.readouterr().err
    assert main(["ingest", str(v2), "--store", str(target), "--quiet"]) == 0
    assert "removed 1 graph(s) left by an interrupted replacement" in capsys.readouterr().err
    _check_one_version(target, graph, {report_graph(v2)[1]})
    assert GraphStore(target, read_only=True).count(URIRef(foreign.value)) == 1


def test_replace_in_one_update_reads_every_literal_back_the_same(tmp_path):
    """The N-Triples of a replacement go into a SPARQL INSERT DATA: escapes (\\u, \\\\, quotes, line
    breaks, control characters) must read back exactly as Oxigraph's own N-Triples loader reads them."""
    from rdflib import BNode, Literal

    values = ["a\\u0041b", "x\u0001y", 'q"uote', "back\\slash", "nl\nline\r", "tab\t", "\\U0001F600", "中文", "\u2028"]
    triples = [(URIRef("http://e.org/s"), URIRef(f"http://e.org/p{i}"), Literal(v)) for i, v in enumerate(values)]
    triples += [(BNode("b1"), URIRef("http://e.org/q"), Literal("z", lang="zh"))]
    store = GraphStore(tmp_path / "s")
    g = URIRef("http://e.org/g")
    store.replace_graph(g, triples[:1])
    store.replace_graph(g, triples)  # the update path (the graph exists)
    got = sorted((str(p), str(o)) for _s, p, o in store.triples(g))
    assert got == sorted((str(p), str(o)) for _s, p, o in triples)
    store.replace_graph(g, [])
    assert store.count(g) == 0
