"""The command line's catalogue of bad arguments and hostile input (issue 17): each is one line
``jixiao CMD: error: …`` naming the file or option, exit 2, no traceback — run as a subprocess, as a
user would meet it. Plus the input size limit, and the warning for a file that yields next to nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLE

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def run(*args: str, prefix: tuple[str, ...] = (), cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "jixiao", *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
        env=os.environ,
    )


def one_error_line(proc: subprocess.CompletedProcess, command: str, *needles: str) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = [x for x in proc.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, proc.stderr  # one line: no traceback
    assert lines[0].startswith(f"jixiao {command}: error: "), lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def without_file_permissions() -> tuple[str, ...]:
    """A prefix that makes permission bits bind: nothing as an ordinary user; as root, setpriv drops
    the capabilities that let root read and write anything (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH)."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permission bits cannot be made to bind")
    return (setpriv, "--bounding-set", "-dac_override,-dac_read_search")


@pytest.fixture()
def unreadable(tmp_path):
    f = tmp_path / "locked-report.txt"
    shutil.copy(SAMPLE, f)
    f.chmod(0)
    yield f
    f.chmod(0o644)


def test_permission_prefix_really_binds(unreadable):
    """Without this the permission tests below could pass for the wrong reason."""
    proc = subprocess.run([*without_file_permissions(), "cat", str(unreadable)], capture_output=True)
    assert proc.returncode != 0


def test_unreadable_report_names_the_file_not_an_internal_error(unreadable, tmp_path):
    proc = run("ingest", str(unreadable), "--out", str(tmp_path / "g.nq"), prefix=without_file_permissions())
    line = one_error_line(proc, "ingest", "locked-report.txt", "permission denied")
    assert "internal error" not in line
    assert not (tmp_path / "g.nq").exists()


@pytest.mark.parametrize("command", ["validate", "query", "push"])
def test_unreadable_data_file(tmp_path, command):
    f = tmp_path / "locked.ttl"
    f.write_text('<http://example.org/s> <http://example.org/p> "v" .\n', encoding="utf-8")
    f.chmod(0)
    args = {
        "validate": ["validate", "--data", str(f)],
        "query": ["query", "reports", "--data", str(f)],
        "push": ["push", "--endpoint", "http://127.0.0.1:9/query", "--data", str(f), "--graph", "http://e.org/g"],
    }[command]
    one_error_line(run(*args, prefix=without_file_permissions()), command, "locked.ttl", "permission denied")


def test_out_naming_a_folder(tmp_path):
    one_error_line(run("ingest", str(SAMPLE), "--out", str(tmp_path)), "ingest", "is a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no temporary file beside it or above it
    assert not tmp_path.with_name(tmp_path.name + ".tmp").exists()
    one_error_line(
        run("validate", "--data", str(SAMPLE.parent / "x.ttl"), "--out", str(tmp_path)), "validate", "is a folder"
    )


def test_out_under_a_file(tmp_path):
    f = tmp_path / "plain"
    f.write_text("x")
    one_error_line(run("ingest", str(SAMPLE), "--out", str(f / "g.nq")), "ingest", "is not a folder")


def test_out_in_a_folder_without_write_permission(tmp_path):
    ro = tmp_path / "read-only"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        proc = run("ingest", str(SAMPLE), "--out", str(ro / "g.nq"), prefix=without_file_permissions())
        one_error_line(proc, "ingest", "read-only", "permission denied")
    finally:
        ro.chmod(0o755)
    assert list(ro.iterdir()) == []


def test_store_naming_a_file(tmp_path):
    f = tmp_path / "store-file"
    f.write_text("not a store")
    for args in (["ingest", str(SAMPLE), "--store", str(f)], ["query", "reports", "--store", str(f)]):
        one_error_line(run(*args), args[0], "store-file", "not a store")
    one_error_line(run("validate", "--store", str(f)), "validate", "not a store")
    one_error_line(run("ingest", str(SAMPLE), "--store", str(f / "sub")), "ingest", "is a file")
    assert f.read_text() == "not a store"


@pytest.mark.parametrize("command", ["ingest", "validate"])
def test_negative_jobs(tmp_path, command):
    args = [str(SAMPLE), str(SAMPLE), "--store", str(tmp_path / "s")] if command == "ingest" else []
    one_error_line(run(command, *args, "--jobs", "-1"), command, "--jobs")
    assert not (tmp_path / "s").exists()


def test_integer_parameter_of_5000_digits():
    line = one_error_line(run("query", "span-at", "--param", "offset=" + "7" * 5000), "query", "offset=", "range")
    assert len(line) < 300  # the value is not echoed whole


def test_decimal_parameter_out_of_range():
    from jixiao import queries as Q
    from jixiao.errors import UsageError

    p = Q.Param("x", "xsd:decimal", None, "", True)
    assert str(Q.coerce(p, "12.50")) == "12.5"
    with pytest.raises(UsageError, match="out of range"):
        Q.coerce(p, "9" * 400)
    p = Q.Param("n", "xsd:integer", None, "", True)
    assert str(Q.coerce(p, "-000123")) == "-123" and str(Q.coerce(p, "-0")) == "0"


def test_input_larger_than_the_limit_is_refused_before_reading(tmp_path):
    big = tmp_path / "big-report.txt"
    with big.open("wb") as fh:  # 5 MB; sparse, so it costs nothing to make
        fh.truncate(5 << 20)
    out = tmp_path / "g.nq"
    line = one_error_line(run("ingest", str(big), "--out", str(out)), "ingest", "big-report.txt", "input limit")
    assert "5.0 MB" in line and "4.0 MB" in line and "--max-size" in line
    line = one_error_line(run("ingest", str(SAMPLE), "--max-size", "10K", "--out", str(out)), "ingest", "10 KB")
    assert not out.exists()
    proc = run("ingest", str(SAMPLE), "--max-size", "0", "--out", str(out), "--quiet")
    assert proc.returncode == 0 and out.stat().st_size > 0


def test_max_size_values():
    import argparse

    from jixiao.commands.ingest import parse_size

    assert parse_size("4M") == 4 << 20 and parse_size("500k") == 500 << 10 and parse_size("1.5G") == 3 << 29
    assert parse_size("123") == 123 and parse_size("0") == 0 and parse_size("2MiB") == 2 << 20
    for bad in ("", "-1", "4X", "1e9", "M"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_size(bad)
    proc = run("ingest", str(SAMPLE), "--max-size", "lots")
    assert proc.returncode == 2 and "--max-size" in proc.stderr and "Traceback" not in proc.stderr


def _variants(tmp_path: Path) -> dict[str, Path]:
    text = SAMPLE.read_text(encoding="utf-8")
    lines = text.split("\n")
    out = {
        "page.html": "<html><head><title>t</title></head><body>\n"
        + "\n".join(f"<p class='x'>{line}</p>" for line in lines)
        + "\n</body></html>",
        "ansi.txt": "\n".join(f"\x1b[1;31m{line}\x1b[0m" for line in lines),
        "one-line.txt": " ".join(lines) * 12,
    }
    paths = {}
    for name, body in out.items():
        paths[name] = tmp_path / name
        paths[name].write_text(body, encoding="utf-8")
    return paths


def test_a_file_that_yields_next_to_nothing_says_so(tmp_path):
    files = _variants(tmp_path)
    proc = run("ingest", *map(str, files.values()), "--out", str(tmp_path / "g.nq"), "--quiet")
    assert proc.returncode == 0, proc.stderr
    warnings = [x for x in proc.stderr.splitlines() if "warning" in x]
    assert len(warnings) == 3, proc.stderr
    by_name = {name: next(w for w in warnings if name in w) for name in files}
    assert "HTML" in by_name["page.html"]
    assert "escape codes" in by_name["ansi.txt"]
    assert "100,000 characters" in by_name["one-line.txt"]
    for w in warnings:
        assert w.startswith("jixiao ingest: ") and "figure" in w


def test_a_real_report_gives_no_warning(tmp_path):
    proc = run("ingest", str(SAMPLE), "--out", str(tmp_path / "g.nq"), "--quiet")
    assert proc.returncode == 0 and "warning" not in proc.stderr, proc.stderr


def test_query_file_that_cannot_be_read(tmp_path):
    folder = tmp_path / "q.rq"
    folder.mkdir()
    one_error_line(run("query", str(folder)), "query", "q.rq")
    bad = tmp_path / "bad.rq"
    bad.write_bytes(b"\xff\xfe SELECT")
    one_error_line(run("query", str(bad)), "query", "bad.rq")


def test_os_errors_become_one_line(tmp_path, capsys, monkeypatch):
    """Any OSError that reaches the command line (here: a folder vanishing under the store path) is
    one line naming the file, exit 2 — not a traceback."""
    from jixiao import cli

    def boom(args):
        raise PermissionError(13, "Permission denied", str(tmp_path / "some-file"))

    monkeypatch.setattr("jixiao.commands.queries.run", boom)
    assert cli.main(["queries"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"jixiao queries: error: {tmp_path / 'some-file'}: permission denied"
