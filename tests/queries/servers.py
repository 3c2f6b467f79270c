"""Test helpers: a store built from the query fixtures, and real servers on free loopback ports
(always stopped, by process id, when the block ends)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from rdflib import Graph, URIRef

from jixiao.serve import free_port, oxigraph_binary
from jixiao.store import GraphStore

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
FIXTURES = [ROOT / "ontology" / "examples" / "report-example.ttl", HERE / "data" / "report-b.ttl"]
JX_REPORT = URIRef("https://w3id.org/jixiao/def#Report")


def report_graphs() -> dict[URIRef, Graph]:
    out = {}
    for f in FIXTURES:
        g = Graph().parse(f)
        report = next(g.subjects(predicate=URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), object=JX_REPORT))
        out[URIRef(f"{report}/graph")] = g
    return out


def build_store(path: Path) -> Path:
    store = GraphStore(path)
    for gname, g in report_graphs().items():
        store.replace_graph(gname, g)
    store.flush()
    del store
    return path


def _wait(url: str, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"server exited with {proc.returncode}: {err}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"no answer at {url}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def jixiao_serve(store: Path, *args: str, cwd: Path | None = None) -> Iterator[str]:
    """``jixiao serve`` as a subprocess (in ``cwd`` if given); yields the endpoint base URL."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "jixiao", "serve", "--store", str(store), "--port", str(port), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=os.environ.copy(),
        cwd=cwd,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(base + "/queries.json", proc)
        yield base
    finally:
        _stop(proc)


@contextlib.contextmanager
def oxigraph(location: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """A read-write ``oxigraph serve`` (union default graph); yields (base URL, process)."""
    port = free_port()
    proc = subprocess.Popen(
        [
            oxigraph_binary(),
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(base + "/query?query=ASK%7B%7D", proc)
        yield base, proc
    finally:
        _stop(proc)
