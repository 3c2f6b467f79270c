"""Validation benchmark: the three engines side by side, per report and over a corpus store.

    python -m bench.validate --store DIR [--store DIR ...] [--per-report 20] [--pyshacl-n 100]
        [--pyshacl-timeout 900] [--out bench/results/validate.json]

Every figure is measured in this run on this machine:
* per report, interleaved on the same reports: turbo and sparql (CPU seconds of this process);
* the corpus: ``validate_store(store, engine, jobs=2)`` on each store given (N = its report count), wall;
* agreement: sparql and turbo findings (graph, focus, path, shape, severity) on the smallest store;
* the baseline: plain pySHACL over ONE merged rdflib graph of the first ``--pyshacl-n`` reports of the
  smallest store, run in a subprocess with a time limit; if it does not finish, the ratio is a lower
  bound (the elapsed limit over our time), and is reported as such;
* the design alternative: the sparql checks run directly on the on-disk store (the report's named
  graph plus a context graph as the default graph), against the in-memory copy used by the engine.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def report_graphs(store_path: Path) -> list[str]:
    import pyoxigraph as ox

    store = ox.Store.read_only(str(store_path))
    return sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value.endswith("/graph"))


def per_report(store_path: Path, k: int) -> dict:
    """turbo and sparql on the same k reports, interleaved (CPU time of this process)."""
    import pyoxigraph as ox
    from rdflib import URIRef

    from jixiao import validate as V

    store = ox.Store.read_only(str(store_path))
    graphs = report_graphs(store_path)[:k]
    items = [(URIRef(g), store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g))) for g in graphs]
    for engine in ("turbo", "sparql"):
        V.validate_ntriples(items[:1], engine=engine)  # compile once, warm caches
    times: dict[str, list[float]] = {"turbo": [], "sparql": []}
    for item in items:
        for engine in ("turbo", "sparql"):
            t0 = time.process_time()
            V.validate_ntriples([item], engine=engine)
            times[engine].append(time.process_time() - t0)
    ratios = [t / s for t, s in zip(times["turbo"], times["sparql"], strict=True)]
    return {
        "reports": len(items),
        "triples_median": statistics.median(d.count(b"\n") for _, d in items),
        "turbo_cpu_median_s": statistics.median(times["turbo"]),
        "sparql_cpu_median_s": statistics.median(times["sparql"]),
        "turbo_over_sparql_median": statistics.median(ratios),
    }


def corpus(store_path: Path, engine: str, jobs: int, source: str = "--store") -> dict:
    """The whole corpus as a user runs it: ``jixiao validate --store DIR`` (or ``--data corpus.nq``)
    ``--engine E --jobs J``; wall and CPU of the process tree."""
    report = Path(tempfile.gettempdir()) / f"jx-validate-{engine}.json"
    cmd = [
        str(Path(sys.executable).with_name("jixiao")),
        "validate",
        source,
        str(store_path),
        "--engine",
        engine,
        "--jobs",
        str(jobs),
        "--format",
        "json",
        "--out",
        str(report),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr[-2000:]}")
    found = json.loads(report.read_text(encoding="utf-8"))
    return {
        "engine": engine,
        "jobs": jobs,
        "source": source.lstrip("-"),
        "input": str(store_path),
        "reports": found.get("reports"),
        "wall_s": wall,
        "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "peak_rss_mb_largest_process": after.ru_maxrss / 1024,
        "findings": len(found.get("findings", [])),
        "summary": proc.stdout.strip().splitlines()[-1:],
    }


def agreement(store_path: Path) -> dict:
    from jixiao import validate as V

    keys = {
        e: sorted(f.key() for f in V.validate_store(store_path, engine=e, jobs=2).findings) for e in ("turbo", "sparql")
    }
    return {
        "turbo_findings": len(keys["turbo"]),
        "sparql_findings": len(keys["sparql"]),
        "identical": keys["turbo"] == keys["sparql"],
        "only_turbo": [list(k) for k in sorted(set(keys["turbo"]) - set(keys["sparql"]))][:20],
        "only_sparql": [list(k) for k in sorted(set(keys["sparql"]) - set(keys["turbo"]))][:20],
    }


PYSHACL_CHILD = """
import sys, time, pyoxigraph as ox
from rdflib import Graph
from pyshacl import validate
from jixiao import validate as V
T0 = time.perf_counter()
store = ox.Store.read_only(sys.argv[1]); n = int(sys.argv[2])
graphs = sorted(g.value for g in store.named_graphs() if g.value.endswith("/graph"))[:n]
g = Graph()
g.parse(data=V.context_ntriples(), format="nt")
for iri in graphs:
    g.parse(data=store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(iri)), format="nt")
print("triples", len(g), flush=True)
print("parsed", time.perf_counter() - T0, flush=True)
t0 = time.perf_counter()
conforms, report, _ = validate(g, shacl_graph=V.shapes_graph(), allow_infos=True, allow_warnings=False)
print("seconds", time.perf_counter() - t0, flush=True)
"""


def pyshacl_merged(store_path: Path, n: int, timeout: float) -> dict:
    """Plain pySHACL over one merged rdflib graph of n reports (+ the context), with a time limit on
    the whole child (parsing included; the parse time is subtracted from the limit reported)."""
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-c", PYSHACL_CHILD, str(store_path), str(n)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        lines = dict(line.split(" ", 1) for line in proc.stdout.splitlines() if " " in line)
        return {
            "n": n,
            "finished": True,
            "validate_s": float(lines["seconds"]),
            "triples": int(lines["triples"]),
            "wall_s": time.perf_counter() - t0,
        }
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        lines = dict(line.split(" ", 1) for line in out.splitlines() if " " in line)
        wall = time.perf_counter() - t0
        # the limit applies to validation: the time spent parsing before it is not counted
        return {
            "n": n,
            "finished": False,
            "timeout_s": wall - float(lines.get("parsed", wall)),
            "triples": int(lines.get("triples", 0)),
            "wall_s": wall,
        }


def disk_vs_memory(store_path: Path, k: int = 5) -> dict:
    """The sparql checks over the on-disk store (report graph + context graph as the default graph)
    against the engine's way (the report copied into an in-memory store), same reports, CPU time."""
    import shutil

    import pyoxigraph as ox

    from jixiao import validate as V
    from jixiao.shacl_sparql import evaluate

    graphs = report_graphs(store_path)[:k]
    src = ox.Store.read_only(str(store_path))
    tmp = Path(tempfile.mkdtemp(prefix="jx-disk-"))
    try:
        disk = ox.Store(str(tmp / "store"))
        ctx = ox.NamedNode("urn:jixiao:bench:context")
        disk.load(V.context_ntriples().encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=ctx)
        for g in graphs:
            disk.load(
                src.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g)),
                format=ox.RdfFormat.N_TRIPLES,
                to_graph=ox.NamedNode(g),
            )
        disk.flush()
        checks = V._worker("sparql", tuple(V.shape_files())).checks
        t0 = time.process_time()
        for g in graphs:
            evaluate(checks, disk, [ox.NamedNode(g), ctx])
        on_disk = (time.process_time() - t0) / k
        t0 = time.process_time()
        for g in graphs:
            mem = ox.Store()
            mem.load(
                V.context_ntriples().encode()
                + b"\n"
                + disk.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g)),
                format=ox.RdfFormat.N_TRIPLES,
            )
            evaluate(checks, mem)
        in_memory = (time.process_time() - t0) / k
        del disk
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {
        "reports": k,
        "on_disk_cpu_s": on_disk,
        "copy_to_memory_cpu_s": in_memory,
        "disk_over_memory": on_disk / in_memory,
    }


PARTS = ("per_report", "corpus", "agreement", "disk", "pyshacl", "nq")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, action="append", default=[], help="a store of generated reports")
    ap.add_argument(
        "--nq",
        type=Path,
        action="append",
        default=[],
        help="an N-Quads corpus (jixiao ingest --out) to validate with --data, sparql engine",
    )
    ap.add_argument("--parts", default=",".join(PARTS), help=f"what to measure (default: {','.join(PARTS)})")
    ap.add_argument("--per-report", type=int, default=20)
    ap.add_argument("--pyshacl-n", type=int, default=100)
    ap.add_argument("--pyshacl-timeout", type=float, default=900)
    ap.add_argument("--turbo-corpus-max", type=int, default=100, help="largest N to run turbo on (slow)")
    ap.add_argument("--out", type=Path, default=RESULTS / "validate.json")
    args = ap.parse_args(argv)
    parts = set(args.parts.split(","))
    # parts not measured this time keep their last results
    out: dict = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    stores = sorted(args.store, key=lambda p: len(report_graphs(p)))
    if stores and "per_report" in parts:
        out["per_report"] = per_report(stores[0], args.per_report)
        print("per report:", out["per_report"], flush=True)
    if stores and "corpus" in parts:
        out["corpus"] = [c for c in out.get("corpus", []) if c.get("source") == "data"]
        for path in stores:
            n = len(report_graphs(path))
            for engine in ("sparql", "turbo"):
                if engine == "turbo" and n > args.turbo_corpus_max:
                    continue
                out["corpus"].append(corpus(path, engine, 2))
                print("corpus:", out["corpus"][-1], flush=True)
    if args.nq and "nq" in parts:
        out["corpus"] = [c for c in out.get("corpus", []) if c.get("source") != "data"]
        for path in args.nq:
            out["corpus"].append(corpus(path, "sparql", 2, source="--data"))
            print("corpus:", out["corpus"][-1], flush=True)
    if stores and "agreement" in parts:
        out["agreement"] = agreement(stores[0])
        print("agreement:", {k: v for k, v in out["agreement"].items() if not k.startswith("only")}, flush=True)
    if stores and "disk" in parts:
        out["disk_vs_memory"] = disk_vs_memory(stores[0])
        print("disk vs memory:", out["disk_vs_memory"], flush=True)
    if stores and "pyshacl" in parts:
        out["pyshacl_merged"] = pyshacl_merged(stores[0], args.pyshacl_n, args.pyshacl_timeout)
    sparql = [c for c in out.get("corpus", []) if c["engine"] == "sparql" and c.get("reports") == args.pyshacl_n]
    base = out.get("pyshacl_merged")
    if base and sparql:
        best = min(sparql, key=lambda c: c["wall_s"])
        limit = base["validate_s"] if base["finished"] else base["timeout_s"]
        out["pyshacl_over_sparql"] = {
            "ratio": limit / best["wall_s"],
            "lower_bound": not base["finished"],
            "sparql_wall_s": best["wall_s"],
            "sparql_source": best.get("source", "store"),
            "sparql_reports": best["reports"],
            "pyshacl_reports": base["n"],
        }
        print("pyshacl merged:", base, out["pyshacl_over_sparql"], flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
