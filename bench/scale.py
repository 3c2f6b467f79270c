"""Scale benchmarks (issue 18): the library on the default endpoint, in memory and on Virtuoso; the
endpoint under 8 clients; what users run through the CLI; Dask against the local pool; validation
inside the ingest worker.

    python -m bench.scale [--stages serve,memory,virtuoso,endpoint,cli,dask,ingest-validate]
                          [--sizes 100,1000] [--work /tmp/jixiao-bench]

Data: the generated corpus and its stores as bench/run.py builds them (``query_store``: the first N
reports of ``ingest-<big>.nq``, one on-disk store per N). Every record carries the load average
before and after it (other people's jobs share the 2 cores: a figure measured at a load above ~2
is noisy, and says so). Results: bench/results/scale-<stage>.json; BENCHMARKS.md summarises.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.run import (
    PY,
    RESULTS,
    _cells,
    _latency,
    bench_params,
    corpus,
    med,
    params_for,
    query_store,
    row_keys,
)

JIXIAO = str(Path(PY).with_name("jixiao"))
# queries about one report, one department or one phrase (≤ 50 ms in memory); the rest are
# whole-corpus aggregates (≤ 200 ms in memory); every one ≤ 1 s on the default `jixiao serve`
NARROW = {"find-figure": "phrase", "span-at": "one report's file"}
TARGET_SERVE_MS, TARGET_NARROW_MS, TARGET_WIDE_MS = 1000, 50, 200


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def save(name: str, data: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"scale-{name}.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def rows_digest(cells: list[list[str]]) -> str:
    """One hash of the sorted rows, numbers to 12 significant digits (engines write quotients with
    15 to 18 digits): equal digests = the same rows."""
    return hashlib.sha256("\n".join(row_keys(cells, 12)).encode()).hexdigest()[:16]


def timed(fn, runs: int = 5, budget: float = 10.0) -> dict:
    """A cold run, then up to ``runs`` runs while they fit in ``budget`` s (bench.run.measure, without
    keeping the cells); a cold run over the budget is the one sample."""
    t0 = time.perf_counter()
    res = fn()
    cold = time.perf_counter() - t0
    ts = [cold] if cold > budget else []
    while not ts or (len(ts) < runs and sum(ts) + ts[-1] <= budget and cold <= budget):
        t0 = time.perf_counter()
        res = fn()
        ts.append(time.perf_counter() - t0)
    cells = _cells(res)
    return {
        "cold_ms": 1000 * cold,
        "runs_ms": [round(1000 * t, 2) for t in ts],
        "p50_ms": 1000 * med(ts),
        "rows": len(cells),
        "digest": rows_digest(cells),
    }


def library_texts(store_dir: Path, graph_iri: str) -> tuple[dict, dict]:
    """Each library query's parameters for the bench (defaults, plus values read from report 0 for
    those without one) and its text with them bound."""
    import pyoxigraph as ox

    from jixiao import queries

    st = ox.Store.read_only(str(store_dir))
    values = bench_params(st, graph_iri)
    del st
    params = {q.name: params_for(q, values) for q in queries.library()}
    texts = {q.name: queries.bind_values(q.text, queries.bindings(q, params[q.name])) for q in queries.library()}
    return params, texts


def verdict(name: str, p50: float | None, where: str) -> dict:
    if p50 is None:
        return {"target_ms": None, "met": None}
    narrow = TARGET_NARROW_MS if name in NARROW else TARGET_WIDE_MS
    target = TARGET_SERVE_MS if where == "serve" else narrow
    return {"target_ms": target, "met": p50 <= target}


def run_library(execute, params: dict, where: str, budget: float) -> dict:
    out = {}
    for name in sorted(params):
        before = load()
        try:
            rec = timed(lambda name=name: execute(name, params[name]), budget=budget)
        except Exception as exc:  # a timeout or refusal is a result here
            rec = {"error": f"{type(exc).__name__}: {str(exc)[:300]}", "p50_ms": None}
        rec.update(verdict(name, rec.get("p50_ms"), where), load_before=before, load_after=load())
        out[name] = rec
        p50 = rec.get("p50_ms")
        print(f"    {name:22s} {'-' if p50 is None else f'{p50:10.1f} ms'}  load {before[0]}", flush=True)
    return out


# -- the default endpoint, one query at a time ---------------------------------------------------
def start_serve(args: list[str], log: Path, wait: float = 900):
    import httpx

    from jixiao.serve import free_port

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    fh = log.open("wb")
    proc = subprocess.Popen([JIXIAO, "serve", *args, "--port", str(port)], stdout=fh, stderr=subprocess.STDOUT)
    t0 = time.perf_counter()
    while True:
        if proc.poll() is not None or time.perf_counter() - t0 > wait:
            raise RuntimeError(f"jixiao serve did not come up (exit {proc.poll()}), see {log}")
        try:
            if httpx.get(base + "/sparql", params={"query": "ASK {}"}, timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    return proc, base, time.perf_counter() - t0


def stop(proc) -> None:
    import signal

    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def stage_serve(work: Path, n: int, big: int, budget: float) -> dict:
    """Every library query through the default `jixiao serve --store qstore-N` (Oxigraph read-only on
    RocksDB behind the guard: 30 s timeout, 10,000-row cap), one client, as `jixiao query --endpoint`
    sends it."""
    from jixiao import queries

    data = query_store(work, n, big)
    params, _ = library_texts(data["store"], data["reports"][0]["graph_iri"])
    proc, base, startup = start_serve(["--store", str(data["store"])], work / f"serve-{n}.log")
    try:
        recs = run_library(
            lambda name, p: queries.execute(name, p, endpoint=base + "/sparql", timeout=60), params, "serve", budget
        )
    finally:
        stop(proc)
    return {"n": n, "quads": data["quads"], "server": "jixiao serve (defaults)", "startup_s": startup, "queries": recs}


# -- in memory, in-process ----------------------------------------------------------------------
def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def stage_memory(work: Path, n: int, big: int, budget: float) -> dict:
    """`queries.open_dataset(store=qstore-N, memory=True)` once (timed, RSS), then every library query."""
    from jixiao import queries

    data = query_store(work, n, big)
    params, _ = library_texts(data["store"], data["reports"][0]["graph_iri"])
    rss0, t0 = _rss_mb(), time.perf_counter()
    ds = queries.open_dataset(store=data["store"], memory=True)
    copy_s, rss = time.perf_counter() - t0, _rss_mb() - rss0
    recs = run_library(lambda name, p: queries.execute(name, p, dataset=ds), params, "memory", budget)
    return {"n": n, "quads": data["quads"], "copy_s": copy_s, "rss_mb": rss, "queries": recs}


# -- Virtuoso -----------------------------------------------------------------------------------
def _pid_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def stage_virtuoso(work: Path, n: int, big: int, budget: float, memory_mb: int) -> dict:
    """A fresh Virtuoso (jixiao.virtuoso.local_server, ``memory_mb`` of buffers) loaded with the
    N-report corpus by `jixiao push --isql` (its bulk loader; the command timed as a user runs it),
    then every library query through its /sparql endpoint (as `jixiao query --endpoint`), rows
    compared with the in-memory run of the same N (scale-memory.json digests)."""
    from jixiao import queries
    from jixiao import virtuoso as V

    data = query_store(work, n, big)
    params, _ = library_texts(data["store"], data["reports"][0]["graph_iri"])
    d = work / f"virtuoso-{n}"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    out: dict = {"n": n, "quads": data["quads"], "memory_mb": memory_mb}
    with V.local_server(d, memory_mb=memory_mb) as s:
        cmd = [JIXIAO, "push", "--endpoint", s.sparql, "--isql", f"127.0.0.1:{s.sql_port}"]
        cmd += ["--load-dir", str(s.load_dir), "--user", "dba", "--data", str(data["nq"])]
        before, r0, t0 = load(), resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "JIXIAO_PUSH_PASSWORD": "dba"})
        wall = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            raise RuntimeError(f"push failed: {proc.stderr[-500:]}")
        out["push"] = {
            "command": "jixiao push --endpoint URL --isql HOST:PORT --load-dir DIR --user dba --data ingest-N.nq",
            "wall_s": wall,
            "client_cpu_s": (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime),
            "quads_per_s": data["quads"] / wall,
            "stderr": proc.stderr.strip()[-300:],
            "load_before": before,
            "load_after": load(),
        }
        out["database_mb"] = sum(f.stat().st_size for f in d.glob("virtuoso*.db")) / 2**20
        print(f"    loaded {data['quads']} quads in {wall:.1f} s", flush=True)
        out["queries"] = run_library(
            lambda name, p: queries.execute(name, p, endpoint=s.sparql, timeout=300), params, "virtuoso", budget
        )
        out["server_rss_mb"] = _pid_rss_mb(s.proc.pid)
        mem = RESULTS / "scale-memory.json"
        ref = json.loads(mem.read_text()).get(str(n), {}).get("queries", {}) if mem.exists() else {}
        out["same_rows_as_memory"] = {
            k: (v.get("digest") == ref[k].get("digest")) if ref.get(k, {}).get("digest") and v.get("digest") else None
            for k, v in out["queries"].items()
        }
    return out


# -- the endpoint under 8 clients --------------------------------------------------------------
def eight_clients(base: str, texts: dict[str, str], clients: int = 8, rounds: int = 1) -> dict:
    import httpx

    def one(c, name: str) -> dict:
        t0 = time.perf_counter()
        r = c.post(base + "/sparql", data={"query": texts[name]}, headers={"Accept": "application/sparql-results+json"})
        return {
            "q": name,
            "s": time.perf_counter() - t0,
            "status": r.status_code,
            "rows": len(r.json()["results"]["bindings"]) if r.status_code == 200 else -1,
            "truncated": r.headers.get("x-jixiao-truncated") == "true",
        }

    def client(i: int) -> list[dict]:
        names = sorted(texts)
        order = names[i * len(names) // clients :] + names[: i * len(names) // clients]
        with httpx.Client(timeout=600) as c:
            return [one(c, name) for _ in range(rounds) for name in order]

    before, t0 = load(), time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        recs = [r for rs in pool.map(client, range(clients)) for r in rs]
    wall = time.perf_counter() - t0
    overall = _latency(recs)
    return {
        "clients": clients,
        "wall_s": wall,
        "queries_per_s": len(recs) / wall,
        "overall": overall,
        "p95_target_met": overall["p95_ms"] <= 2000 and set(overall["status"]) == {"200"},
        "per_query": {name: _latency([r for r in recs if r["q"] == name]) for name in sorted(texts)},
        "load_before": before,
        "load_after": load(),
    }


def stage_endpoint(work: Path, n: int, big: int, kinds: list[str], memory_mb: int) -> dict:
    """8 clients × the whole library on: `jixiao serve` (default, RocksDB), `jixiao serve --memory`,
    and `jixiao serve --upstream` in front of Virtuoso (work/virtuoso-N, loaded by the virtuoso stage)."""
    from jixiao import virtuoso as V

    data = query_store(work, n, big)
    _, texts = library_texts(data["store"], data["reports"][0]["graph_iri"])
    out: dict = {"n": n, "quads": data["quads"]}
    for kind in kinds:
        print(f"    endpoint {kind} N={n}", flush=True)
        if kind == "virtuoso":
            vdir = work / f"virtuoso-{n}"
            if not (vdir / "virtuoso.db").exists():
                out[kind] = {"skipped": "no loaded Virtuoso database (run the virtuoso stage first)"}
                continue
            with V.local_server(vdir, memory_mb=memory_mb) as s:
                proc, base, startup = start_serve(["--upstream", s.sparql], work / f"serve-up-{n}.log")
                try:
                    out[kind] = {"startup_s": startup, **eight_clients(base, texts)}
                finally:
                    stop(proc)
            continue
        args = ["--store", str(data["store"]), *(["--memory"] if kind == "memory" else [])]
        proc, base, startup = start_serve(args, work / f"serve-{kind}-{n}.log")
        try:
            out[kind] = {"startup_s": startup, **eight_clients(base, texts)}
        finally:
            stop(proc)
        o = out[kind]["overall"]
        print(f"      {out[kind]['queries_per_s']:.2f} q/s p50 {o['p50_ms']:.0f} p95 {o['p95_ms']:.0f} {o['status']}")
    return out


# -- what users run ------------------------------------------------------------------------------
def cli(cmd: list[str], env: dict | None = None) -> dict:
    before, r0, t0 = load(), resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **(env or {})})
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "command": " ".join(Path(c).name if c.startswith("/tmp") or c == JIXIAO else c for c in cmd[:8])
        + (" …" if len(cmd) > 8 else ""),
        "exit": proc.returncode,
        "wall_s": wall,
        "cpu_s": (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime),
        "stderr_tail": proc.stderr.strip()[-200:],
        "load_before": before,
        "load_after": load(),
    }


def stage_cli(work: Path, n: int, big: int) -> dict:
    """The commands a user runs on the N-report corpus, timed as processes (wall and CPU of the whole
    process tree)."""
    files = [str(p) for p in sorted(corpus(work, n).glob("bench-*.txt"))]
    d = work / f"cli-{n}"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    out: dict = {"n": n}
    out["ingest_store"] = cli([JIXIAO, "ingest", *files, "--store", str(d / "store"), "--jobs", "2", "--quiet"])
    out["ingest_out_nq"] = cli([JIXIAO, "ingest", *files, "--out", str(d / "corpus.nq"), "--jobs", "2", "--quiet"])
    out["validate_nq"] = cli([JIXIAO, "validate", "--data", str(d / "corpus.nq"), "--jobs", "2", "--out", "/dev/null"])
    for name in ("reports", "budget-execution", "indicators"):
        out[f"query_{name}"] = cli([JIXIAO, "query", name, "--store", str(d / "store"), "--format", "csv"])
    out["query_memory_refused"] = cli([JIXIAO, "query", "reports", "--store", str(d / "store"), "--memory"])
    for k, v in out.items():
        if isinstance(v, dict):
            print(f"    {k:22s} {v['wall_s']:8.1f} s wall {v['cpu_s']:8.1f} s CPU exit {v['exit']}", flush=True)
    return out


# -- Dask ----------------------------------------------------------------------------------------
def stage_dask(work: Path, n: int, big: int, what: list[str]) -> dict:
    """ingest --out and validate --data through the local pool (--jobs 1, 2) and a Dask LocalCluster
    (--dask 1, 2) on the same N reports, as processes; the outputs compared (sorted N-Quads, report
    JSON)."""
    data = query_store(work, n, big)
    files = [str(p) for p in sorted(corpus(work, n).glob("bench-*.txt"))]
    d = work / f"dask-{n}"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    out: dict = {"n": n}
    modes = [("jobs", "1"), ("jobs", "2"), ("dask", "1"), ("dask", "2")]
    if "ingest" in what:
        for opt, k in modes:
            nq = d / f"ingest-{opt}{k}.nq"
            out[f"ingest --{opt} {k}"] = cli([JIXIAO, "ingest", *files, "--out", str(nq), f"--{opt}", k, "--quiet"])
        ref = sorted((d / "ingest-jobs2.nq").read_bytes().splitlines())
        out["ingest_same_output"] = {
            f"{opt}{k}": sorted((d / f"ingest-{opt}{k}.nq").read_bytes().splitlines()) == ref for opt, k in modes
        }
    if "validate" in what:
        for opt, k in modes:
            rep = d / f"validate-{opt}{k}.json"
            out[f"validate --{opt} {k}"] = cli(
                [JIXIAO, "validate", "--data", str(data["nq"]), f"--{opt}", k, "--format", "json", "--out", str(rep)]
            )
        ref = (d / "validate-jobs2.json").read_text()
        out["validate_same_output"] = {
            f"{opt}{k}": (d / f"validate-{opt}{k}.json").read_text() == ref for opt, k in modes
        }
    for k, v in out.items():
        if isinstance(v, dict) and "wall_s" in v:
            print(f"    {k:22s} {v['wall_s']:8.1f} s wall {v['cpu_s']:8.1f} s CPU  load {v['load_before'][0]}")
    return out


# -- validation inside the ingest worker --------------------------------------------------------
def _ingest_and_validate(path: str) -> tuple[int, float, float]:
    """In a pool worker: ingest one report, then run the shapes (sparql engine) on its N-Triples while
    they are still in memory. (findings, ingest s, validate s)"""
    from jixiao.commands.ingest import ingest_one
    from jixiao.validate import _worker, shape_files

    t0 = time.perf_counter()
    _, graph, nt, _, _, error = ingest_one(Path(path))
    t1 = time.perf_counter()
    if error:
        return -1, t1 - t0, 0.0
    findings = _worker("sparql", tuple(shape_files())).run(graph, nt)
    return len(findings), t1 - t0, time.perf_counter() - t1


def _ingest_only(path: str) -> tuple[int, float, float]:
    from jixiao.commands.ingest import ingest_one

    t0 = time.perf_counter()
    ingest_one(Path(path))
    return 0, time.perf_counter() - t0, 0.0


def _warm() -> None:
    from jixiao.ingest.segment import get_segmenter
    from jixiao.validate import _worker, shape_files

    get_segmenter()
    _worker("sparql", tuple(shape_files()))


def stage_ingest_validate(work: Path, n: int, big: int) -> dict:
    """N reports on a pool of 2 processes (warmed: segmenter loaded, shapes compiled): ingest only,
    then ingest + validation in the same worker (the N-Triples never leave it); beside them the
    separate `jixiao validate --data ingest-N.nq --jobs 2` (reads the file again)."""
    from concurrent.futures import ProcessPoolExecutor

    data = query_store(work, n, big)
    files = [str(p) for p in sorted(corpus(work, n).glob("bench-*.txt"))]
    out: dict = {"n": n}
    for label, fn in (("ingest_only", _ingest_only), ("ingest_and_validate", _ingest_and_validate)):
        with ProcessPoolExecutor(2, initializer=_warm) as pool:
            list(pool.map(_warm_noop, range(4)))
            before, t0 = load(), time.perf_counter()
            recs = list(pool.map(fn, files, chunksize=4))
            wall = time.perf_counter() - t0
        out[label] = {
            "wall_s": wall,
            "ingest_cpu_s": sum(r[1] for r in recs),
            "validate_cpu_s": sum(r[2] for r in recs),
            "findings": sum(r[0] for r in recs if r[0] > 0),
            "load_before": before,
            "load_after": load(),
        }
        print(f"    {label:22s} {wall:8.1f} s wall  load {before[0]}", flush=True)
    out["marginal_validation_wall_s"] = out["ingest_and_validate"]["wall_s"] - out["ingest_only"]["wall_s"]
    out["separate_validate"] = cli([JIXIAO, "validate", "--data", str(data["nq"]), "--jobs", "2", "--out", "/dev/null"])
    return out


def _warm_noop(_: int) -> None:
    return None


STAGES = ("serve", "memory", "virtuoso", "endpoint", "cli", "dask", "ingest-validate")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.splitlines()[0])
    ap.add_argument("--stages", default=",".join(STAGES))
    ap.add_argument("--sizes", default="100,1000")
    ap.add_argument("--work", type=Path, default=Path("/tmp/jixiao-bench"))
    ap.add_argument("--budget", type=float, default=10.0, help="seconds of timed runs per query (default 10)")
    ap.add_argument("--virtuoso-mb", type=int, default=4096, help="Virtuoso's buffer memory (default 4096)")
    ap.add_argument("--endpoint-kinds", default="disk,memory,virtuoso")
    ap.add_argument("--dask-what", default="ingest,validate")
    args = ap.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")]
    big = max(sizes)
    for stage in args.stages.split(","):
        path = RESULTS / f"scale-{stage}.json"
        results = json.loads(path.read_text()) if path.exists() else {}
        for n in sizes:
            print(f"  {stage} N={n} (load {load()})", flush=True)
            t0 = time.perf_counter()
            if stage == "serve":
                rec = stage_serve(args.work, n, big, args.budget)
            elif stage == "memory":
                rec = stage_memory(args.work, n, big, args.budget)
            elif stage == "virtuoso":
                rec = stage_virtuoso(args.work, n, big, args.budget, args.virtuoso_mb)
            elif stage == "endpoint":
                rec = stage_endpoint(args.work, n, big, args.endpoint_kinds.split(","), args.virtuoso_mb)
            elif stage == "cli":
                rec = stage_cli(args.work, n, big)
            elif stage == "dask":
                rec = stage_dask(args.work, n, big, args.dask_what.split(","))
            elif stage == "ingest-validate":
                rec = stage_ingest_validate(args.work, n, big)
            else:
                raise SystemExit(f"unknown stage {stage}")
            rec.update(stage_s=time.perf_counter() - t0, command=" ".join(["python -m bench.scale", *sys.argv[1:]]))
            results[str(n)] = rec
            save(stage, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
