"""Progress bars: drawn on stderr when it is a terminal (a real pseudo-terminal here), absent when
stderr is a pipe or with --quiet; stdout (the data) never carries them."""

from __future__ import annotations

import contextlib
import fcntl
import os
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, SAMPLE

sys.path.insert(0, str(Path(__file__).resolve().parent / "queries"))
import servers

EXAMPLE_TXT = ROOT / "ontology" / "examples" / "report-example.txt"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "JIXIAO_PROGRESS"}
    env["COLUMNS"] = "120"
    return env


class _Reader(threading.Thread):
    """Drains the pseudo-terminal while the child runs (a full terminal buffer would block it)."""

    def __init__(self, fd: int):
        super().__init__(daemon=True)
        self.fd, self.chunks = fd, []

    def run(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 4096)
            except OSError:  # EIO once the child closed the terminal
                return
            if not data:
                return
            self.chunks.append(data)

    @property
    def text(self) -> str:
        return b"".join(self.chunks).decode("utf-8", "replace")


@contextlib.contextmanager
def tty_stderr(argv: list[str]):
    """Run ``python -m jixiao argv`` with stderr on a pseudo-terminal; yields (process, reader)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))  # 40 rows, 120 columns
    proc = subprocess.Popen(
        [sys.executable, "-m", "jixiao", *argv], stdout=subprocess.PIPE, stderr=slave, env=_env(), cwd=ROOT
    )
    os.close(slave)
    reader = _Reader(master)
    reader.start()
    try:
        yield proc, reader
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(10)
        reader.join(5)
        os.close(master)


def _run_tty(argv: list[str]) -> tuple[int, str, str]:
    with tty_stderr(argv) as (proc, reader):
        out, _ = proc.communicate(timeout=300)
    return proc.returncode, out.decode(), reader.text


def _run_piped(argv: list[str]) -> tuple[int, str, str]:
    r = subprocess.run(
        [sys.executable, "-m", "jixiao", *argv], capture_output=True, env=_env(), cwd=ROOT, timeout=300, check=False
    )
    return r.returncode, r.stdout.decode(), r.stderr.decode()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("progress") / "two.nq"
    code, _, err = _run_piped(["ingest", str(SAMPLE), str(EXAMPLE_TXT), "--out", str(out), "--quiet"])
    assert code == 0, err
    return out


def test_ingest_shows_a_bar_on_a_terminal_only(tmp_path):
    args = ["ingest", str(SAMPLE), str(EXAMPLE_TXT), "--out", str(tmp_path / "a.nq")]
    code, out, err = _run_tty(args)
    assert code == 0
    assert "ingest: 100%|" in err and "2/2" in err
    assert out.count("triples → <") == 2 and "\r" not in out and "%|" not in out  # data lines stay clean
    code, out, err = _run_piped(args)
    assert code == 0 and "%|" not in err and "\r" not in err and out.count("triples → <") == 2
    code, out, err = _run_tty([*args, "--quiet"])
    assert code == 0 and "%|" not in err and out == ""


def test_validate_shows_a_bar_on_a_terminal_only(corpus):
    code, out, err = _run_tty(["validate", "--data", str(corpus)])
    assert code == 1  # the sample has planted faults
    assert "validate: " in err and "2report" in err.replace(" ", "")  # a counter: the .nq is streamed
    assert "%|" not in out and "违规" in out
    code, _, err = _run_tty(["validate", "--data", str(corpus), "--quiet"])
    assert "validate" not in err
    code, _, err = _run_piped(["validate", "--data", str(corpus), "--jobs", "2"])
    assert code == 1 and err == ""


def test_push_counts_graphs(corpus):
    with servers.oxigraph(corpus.parent / "target") as (base, _):
        code, _, err = _run_tty(["push", "--endpoint", base + "/query", "--data", str(corpus), "--no-ontology"])
        assert code == 0, err
        assert err.count("pushed ") == 2 and "push: " in err and "2graph" in err.replace(" ", "")
        code, _, err = _run_tty(
            ["push", "--endpoint", base + "/query", "--data", str(corpus), "--no-ontology", "--quiet"]
        )
        assert code == 0 and err == ""


@pytest.mark.server
def test_serve_memory_shows_the_load(corpus):
    port = servers.free_port()
    with tty_stderr(["serve", "--memory", "--store", str(corpus), "--port", str(port)]) as (proc, reader):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "SPARQL endpoint" not in reader.text:
            assert proc.poll() is None, reader.text
            time.sleep(0.2)
        assert "SPARQL endpoint" in reader.text
        assert ("load: 100%|" in reader.text and "B/s" in reader.text) or "MB" in reader.text
        r = httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert r.status_code == 200
