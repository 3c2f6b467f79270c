"""Benchmark harness: every target as a ratio against a baseline measured in the same run.

    python -m bench.run [--sizes 100,300] [--rdflib-n 10] [--work /tmp/jixiao-bench]

Stages: segment (ingest vs jieba.lcut, interleaved), throughput (process pool, one subprocess per
N so peak RSS is clean), store (replace_graph vs Store.bulk_load), queries (pyoxigraph p50, vs
rdflib), validate (if jixiao.validate exists). Results: bench/results/*.json; summary BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal, InvalidOperation
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
REAL = ROOT.parent / "shared" / "corpus" / "jiangmen-trade-union-2024.txt"
PY = sys.executable


def med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def save(name: str, data: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def corpus(work: Path, n: int) -> Path:
    """Generated corpus of n reports (report i does not depend on n: reuse the largest)."""
    from bench.generate import generate

    out = work / f"corpus-{n}"
    if len(list(out.glob("bench-*.txt"))) != n:
        generate(n, 1, out)
    return out


# -- 1. ingest vs jieba.lcut --------------------------------------------------------------------
def stage_segment(work: Path, k: int = 30) -> dict:
    import jieba

    from ingest.pipeline import ingest_file
    from ingest.source import read_source

    tok = jieba.Tokenizer()
    tok.initialize()
    paths = [*sorted(corpus(work, k).glob("bench-*.txt")), REAL]
    ingest_file(paths[0])  # warm: lexicon, segmenter, regexes
    tok.lcut(read_source(paths[0]).text)
    rows = []
    for p in paths:
        text = read_source(p).text
        t0 = time.perf_counter()
        ingest_file(p)
        t1 = time.perf_counter()
        tok.lcut(text)
        t2 = time.perf_counter()
        rows.append({"file": p.name, "chars": len(text), "ingest_s": t1 - t0, "jieba_s": t2 - t1,
                     "ratio": (t1 - t0) / (t2 - t1)})
    real = rows[-1]
    out = {"reports": len(rows), "median_ingest_s": med([r["ingest_s"] for r in rows]),
           "median_jieba_s": med([r["jieba_s"] for r in rows]),
           "median_ratio": med([r["ratio"] for r in rows]),
           "max_ratio": max(r["ratio"] for r in rows), "real_report": real, "target_ratio": 3.0,
           "rows": rows}
    out["pass"] = out["median_ratio"] <= 3.0
    return out


# -- 2. throughput ------------------------------------------------------------------------------
def _init_worker() -> None:
    from ingest.segment import get_segmenter

    get_segmenter()


def _count(triples) -> dict:
    """Structure counts from a report's TripleSet (no rdflib Graph needed). A row counts as
    unnamed when the table printed no name (jx:flag jxv:flag_no_name), inferred names included."""
    from rdflib.namespace import RDF

    from jixiao.ns import JX, JXV

    rows = [s for s, p, _o in triples if p == JX.tableRow and (s, RDF.type, JX.Project) in triples]
    return {"project_rows": len(rows),
            "unnamed_project_rows": sum((r, JX.flag, JXV.flag_no_name) in triples for r in rows),
            "indicators": sum(1 for _s, p, o in triples if p == RDF.type and o == JX.Indicator),
            "audit_issues": sum(1 for _s, p, o in triples if p == RDF.type and o == JX.RectificationIssue)}


def _ingest_one(args: tuple[str, str]) -> dict:
    import pyoxigraph as ox

    from ingest.pipeline import ingest_file
    from jixiao.store import to_ox

    path, outdir = args
    t0 = time.perf_counter()
    rec = {"file": Path(path).name}
    try:
        res = ingest_file(path)
        nt = Path(outdir) / (Path(path).stem + ".nt")
        triples = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in res.triples]
        nt.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
        rec.update(ok=True, graph_iri=str(res.graph_iri), triples=len(triples), counts=_count(res.triples))
    except Exception as exc:  # record every failure, keep going
        rec.update(ok=False, error=f"{type(exc).__name__}: {str(exc)[:200]}")
    rec["seconds"] = time.perf_counter() - t0
    rec["worker_maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rec


def throughput_child(cdir: Path, outdir: Path, workers: int) -> dict:
    """Runs in its own process: ingest every report in cdir with a pool, streaming N-Triples."""
    shutil.rmtree(outdir, ignore_errors=True)
    outdir.mkdir(parents=True)
    paths = sorted(cdir.glob("bench-*.txt"))
    t0 = time.perf_counter()
    with ProcessPoolExecutor(workers, initializer=_init_worker) as pool:
        recs = list(pool.map(_ingest_one, [(str(p), str(outdir)) for p in paths], chunksize=4))
    wall = time.perf_counter() - t0
    return {"n": len(paths), "workers": workers, "wall_s": wall,
            "parent_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "children_maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "worker_maxrss_mb": max(r["worker_maxrss_kb"] for r in recs) / 1024, "records": recs}


def accuracy(cdir: Path, recs: list[dict]) -> dict:
    keys = ["project_rows", "unnamed_project_rows", "indicators", "audit_issues"]
    ok = [r for r in recs if r["ok"]]
    match = dict.fromkeys(keys, 0)
    diffs: dict[str, list] = {k: [] for k in keys}
    for r in ok:
        truth = json.loads((cdir / r["file"].replace(".txt", ".truth.json")).read_text())["counts"]
        for k in keys:
            if r["counts"][k] == truth[k]:
                match[k] += 1
            elif len(diffs[k]) < 5:
                diffs[k].append({"file": r["file"], "truth": truth[k], "got": r["counts"][k]})
    errors: dict[str, int] = {}
    for r in recs:
        if not r["ok"]:
            key = r["error"].split(":")[0] + ": " + r["error"].split(":", 1)[1].strip()[:80]
            errors[key] = errors.get(key, 0) + 1
    return {"failed": len(recs) - len(ok), "failed_pct": 100 * (len(recs) - len(ok)) / len(recs),
            "errors": dict(sorted(errors.items(), key=lambda kv: -kv[1])),
            "match_pct_of_ingested": {k: 100 * match[k] / len(ok) if ok else 0.0 for k in keys},
            "match_pct_of_all": {k: 100 * match[k] / len(recs) for k in keys},
            "examples_of_mismatch": diffs}


def stage_throughput(work: Path, sizes: list[int], workers: int) -> dict:
    out = {}
    for n in sizes:
        cdir = corpus(work, n)
        t0 = time.perf_counter()
        proc = subprocess.run([PY, "-m", "bench.run", "--child-throughput", str(cdir),
                               str(work / f"nt-{n}"), str(workers)], cwd=ROOT, capture_output=True,
                              text=True, check=True)
        res = json.loads(proc.stdout)
        res["subprocess_s"] = time.perf_counter() - t0
        res["accuracy"] = accuracy(cdir, res["records"])
        ok = [r for r in res["records"] if r["ok"]]
        res["triples"] = sum(r["triples"] for r in ok)
        res["median_report_s"] = med([r["seconds"] for r in res["records"]])
        res["reports_per_s"] = n / res["wall_s"]
        res["extrapolated_1000_s"] = res["wall_s"] / n * 1000
        (work / f"meta-{n}.json").write_text(json.dumps(
            [{"file": r["file"], "graph_iri": r["graph_iri"]} for r in ok]))
        save(f"throughput-{n}", res)
        res.pop("records")
        out[str(n)] = res
        print(f"  throughput N={n}: {res['wall_s']:.1f} s, failed {res['accuracy']['failed']}", flush=True)
    return out


# -- 3. store -----------------------------------------------------------------------------------
def stage_store(work: Path, sizes: list[int]) -> dict:
    import pyoxigraph as ox
    from rdflib import URIRef

    from jixiao.store import GraphStore

    out = {}
    for n in sizes:
        meta = json.loads((work / f"meta-{n}.json").read_text())
        nts = [(work / f"nt-{n}" / (m["file"][:-4] + ".nt"), m["graph_iri"]) for m in meta]
        # what `jixiao ingest --store` does: one Store.load transaction per report's N-Triples
        d1, d2 = work / f"store-rg-{n}", work / f"store-bulk-{n}"
        for d in (d1, d2):
            shutil.rmtree(d, ignore_errors=True)
        gs = GraphStore(d1)
        parse_s = 0.0
        blobs = [(p.read_bytes(), giri) for p, giri in nts]
        t1 = time.perf_counter()
        for data, giri in blobs:
            gs.replace_graph_ntriples(URIRef(giri), data)
        gs.flush()
        rg_s = time.perf_counter() - t1
        rg_count = triples = len(gs.store)
        del gs
        # bulk_load of the same data as one N-Quads file (parsing included)
        nq = work / f"all-{n}.nq"
        with nq.open("wb") as f:
            for path, giri in nts:
                g = ox.NamedNode(giri)
                quads = [ox.Quad(t.subject, t.predicate, t.object, g)
                         for t in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)]
                f.write(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
        st = ox.Store(str(d2))
        t0 = time.perf_counter()
        st.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
        st.flush()
        bulk_s = time.perf_counter() - t0
        bulk_count = len(st)
        del st
        # `jixiao ingest --bulk` loads the same N-Quads with bulk_load itself (ratio 1 by construction)
        res = {"n": n, "triples": triples, "replace_graph_s": rg_s, "replace_graph_parse_s": parse_s,
               "bulk_load_s": bulk_s, "replace_graph_tps": triples / rg_s, "bulk_tps": bulk_count / bulk_s,
               "ratio_vs_bulk": (triples / rg_s) / (bulk_count / bulk_s),
               "counts_agree": rg_count == bulk_count, "store_quads": [rg_count, bulk_count],
               "target_ratio": 0.8}
        res["pass"] = res["ratio_vs_bulk"] >= 0.8
        out[str(n)] = res
        print(f"  store N={n}: replace_graph {rg_s:.1f} s vs bulk {bulk_s:.1f} s", flush=True)
    save("store", out)
    return out


# -- 4. queries ---------------------------------------------------------------------------------
def _canon(term) -> str:
    from rdflib import BNode, Literal

    if term is None:
        return "-"
    if isinstance(term, BNode):
        return "_"
    if isinstance(term, Literal) and term.datatype is not None:
        try:
            return str(Decimal(str(term)).normalize())
        except InvalidOperation:
            return str(term)
    return str(term)


def _rows(res) -> list[str]:
    return sorted("|".join(_canon(t) for t in row) for row in res.rows)


def _ox_store(work: Path, n: int, limit: int | None = None):
    import pyoxigraph as ox

    from jixiao.iris import ONTOLOGY_GRAPH
    from jixiao.queries import _ontology_files

    st = ox.Store()
    for m in json.loads((work / f"meta-{n}.json").read_text())[:limit]:
        st.bulk_load(path=str(work / f"nt-{n}" / (m["file"][:-4] + ".nt")), format=ox.RdfFormat.N_TRIPLES,
                     to_graph=ox.NamedNode(m["graph_iri"]))
    for f in _ontology_files():
        st.bulk_load(path=str(f), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(str(ONTOLOGY_GRAPH)))
    return st


def _rdflib_ds(work: Path, n: int, limit: int):
    from rdflib import Dataset, URIRef

    from jixiao.iris import ONTOLOGY_GRAPH
    from jixiao.queries import _ontology_files

    ds = Dataset(default_union=True)
    for m in json.loads((work / f"meta-{n}.json").read_text())[:limit]:
        ds.graph(URIRef(m["graph_iri"])).parse(work / f"nt-{n}" / (m["file"][:-4] + ".nt"), format="nt")
    for f in _ontology_files():
        ds.graph(ONTOLOGY_GRAPH).parse(f, format="turtle")
    return ds


def _time(fn, runs: int) -> tuple[list[float], object]:
    ts, res = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        res = fn()
        ts.append(time.perf_counter() - t0)
    return ts, res


def stage_queries(work: Path, src: int, big: int, small: int, runs: int = 5) -> dict:
    from jixiao import queries

    lib = queries.library()
    t0 = time.perf_counter()
    st = _ox_store(work, big)
    load_big = time.perf_counter() - t0
    out: dict = {"n_big": big, "n_small": small, "queries": {}, "load_oxigraph_big_s": load_big,
                 "quads_big": len(st)}
    for q in lib:
        try:
            ts, res = _time(lambda q=q: queries.execute(q, dataset=st), runs)
            out["queries"][q.name] = {"ox_big_p50_ms": 1000 * med(ts), "ox_big_rows": len(res.rows)}
        except Exception as exc:
            out["queries"][q.name] = {"error_big": f"{type(exc).__name__}: {str(exc)[:200]}"}
    del st
    st = _ox_store(work, src, small)
    t0 = time.perf_counter()
    ds = _rdflib_ds(work, src, small)
    out["load_rdflib_small_s"] = time.perf_counter() - t0
    for q in lib:
        rec = out["queries"][q.name]
        try:
            ts_ox, r_ox = _time(lambda q=q: queries.execute(q, dataset=st), 3)
            ts_rl, r_rl = _time(lambda q=q: queries.execute(q, dataset=ds), 1)
            a, b = _rows(r_ox), _rows(r_rl)
            rec.update(ox_small_p50_ms=1000 * med(ts_ox), rdflib_small_ms=1000 * med(ts_rl),
                       ratio=med(ts_rl) / med(ts_ox), rows_ox=len(a), rows_rdflib=len(b), agree=a == b,
                       passes_20x=med(ts_rl) / med(ts_ox) >= 20)
            if a != b:
                rec["only_ox"] = sorted(set(a) - set(b))[:3]
                rec["only_rdflib"] = sorted(set(b) - set(a))[:3]
        except Exception as exc:
            rec["error_small"] = f"{type(exc).__name__}: {str(exc)[:200]}"
        print(f"  query {q.name}: {rec}", flush=True) if "error_small" in rec else None
    save("queries", out)
    return out


# -- 5. validation ------------------------------------------------------------------------------
def stage_validate(work: Path) -> dict:
    """Per-report validation (turbo) on 20 generated reports; the whole N=100 corpus with 2 jobs;
    and pySHACL vs turbo on the same small report (pySHACL takes minutes on a generated report)."""
    import subprocess

    from ingest.pipeline import ingest_file
    from jixiao import validate
    from tests.conftest import SAMPLE_GB

    paths = sorted(corpus(work, 20).glob("bench-*.txt"))[:20]
    results = [ingest_file(p) for p in paths]
    validate.validate_graphs([(results[0].graph_iri, results[0].graph)], engine="turbo")  # warm caches
    ts = []
    for r in results:
        t0 = time.perf_counter()
        validate.validate_graphs([(r.graph_iri, r.graph)], engine="turbo")
        ts.append(time.perf_counter() - t0)
    out = {"reports": len(results), "turbo_median_s": med(ts), "turbo_total_s": sum(ts)}
    # the corpus, as a user runs it
    cdir = corpus(work, 100)
    nq = work / "validate-100.nq"
    jix = str(Path(sys.executable).with_name("jixiao"))
    subprocess.run([jix, "ingest", *map(str, sorted(cdir.glob("bench-*.txt"))), "--no-store", "--out", str(nq),
                    "--jobs", "2", "--quiet"], check=True)
    t0 = time.perf_counter()
    subprocess.run([jix, "validate", "--data", str(nq), "--engine", "turbo", "--jobs", "2", "--format", "json",
                    "--out", str(work / "validate-100.json")], check=False)
    out["corpus_100_jobs2_s"] = time.perf_counter() - t0
    out["extrapolated_1000_jobs2_s"] = out["corpus_100_jobs2_s"] * 10
    small = ingest_file(SAMPLE_GB)
    for engine in ("turbo", "pyshacl"):
        t0 = time.perf_counter()
        validate.validate_graphs([(small.graph_iri, small.graph)], engine=engine)
        out[f"small_report_{engine}_s"] = time.perf_counter() - t0
    out["pyshacl_over_turbo_small"] = out["small_report_pyshacl_s"] / out["small_report_turbo_s"]
    print(f"  validate: {out}", flush=True)
    save("validate", out)
    return out


# -- 6. endpoint --------------------------------------------------------------------------------
def stage_endpoint(work: Path, n: int, clients: int = 8, rounds: int = 3) -> dict:
    """`jixiao serve` on the N-report store (loopback only), 8 concurrent clients each running every
    library query `rounds` times (bounded): throughput and p50/p95 latency."""
    import socket
    import subprocess
    import urllib.parse
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    from jixiao import queries

    store = work / f"store-rg-{n}"
    with socket.socket() as sk:
        sk.bind(("127.0.0.1", 0))
        port = sk.getsockname()[1]
    jix = str(Path(sys.executable).with_name("jixiao"))
    proc = subprocess.Popen([jix, "serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/sparql"
    try:
        for _ in range(100):  # wait for the server, bounded
            try:
                urllib.request.urlopen(base + "?query=" + urllib.parse.quote("ASK {}"), timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        texts = [q.text for q in queries.library() if not any(p.required for p in q.params)]

        def one(text: str) -> tuple[float, int]:
            t0 = time.perf_counter()
            req = urllib.request.Request(base, data=urllib.parse.urlencode({"query": text}).encode(),
                                         headers={"Accept": "application/sparql-results+json"})
            try:
                with urllib.request.urlopen(req, timeout=60) as r:
                    r.read()
                    code = r.status
            except urllib.error.HTTPError as e:
                code = e.code
            return time.perf_counter() - t0, code

        work_items = texts * rounds * clients
        t0 = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            res = list(pool.map(one, work_items))
        wall = time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    lat = sorted(r[0] for r in res)
    out = {"n": n, "clients": clients, "requests": len(res), "wall_s": wall, "requests_per_s": len(res) / wall,
           "p50_ms": 1000 * lat[len(lat) // 2], "p95_ms": 1000 * lat[int(len(lat) * 0.95)],
           "status_counts": {str(c): sum(1 for r in res if r[1] == c) for c in sorted({r[1] for r in res})}}
    print(f"  endpoint: {out}", flush=True)
    save("endpoint", out)
    return out


# -- report -------------------------------------------------------------------------------------
def versions() -> dict:
    pk = {}
    for name in ("jixiao", "pyoxigraph", "rdflib", "jieba", "rjieba", "pyshacl", "pyshacl-turbo"):
        try:
            pk[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pk[name] = None
    return {"nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "packages": pk, "segmenter_engine": os.environ.get("JIXIAO_SEGMENTER", "auto")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,300", help="corpus sizes for throughput/store (default 100,300)")
    ap.add_argument("--rdflib-n", type=int, default=10, help="corpus size for the rdflib comparison")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--stages", default="segment,throughput,store,queries,validate,endpoint")
    ap.add_argument("--work", type=Path, default=Path("/tmp/jixiao-bench"))
    ap.add_argument("--child-throughput", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child_throughput:
        c, o, w = args.child_throughput
        print(json.dumps(throughput_child(Path(c), Path(o), int(w))))
        return 0
    sizes = [int(x) for x in args.sizes.split(",")]
    stages = args.stages.split(",")
    args.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    summary = {"machine": versions(), "sizes": sizes, "command": " ".join(["python -m bench.run", *sys.argv[1:]])}
    if "segment" in stages:
        seg = stage_segment(args.work)
        save("segment", seg)
        summary["segment"] = {k: v for k, v in seg.items() if k != "rows"}
        print(f"  segment: median ratio {seg['median_ratio']:.2f}", flush=True)
    if "throughput" in stages:
        summary["throughput"] = stage_throughput(args.work, sizes, args.workers)
    if "store" in stages:
        summary["store"] = stage_store(args.work, sizes)
    if "queries" in stages:
        summary["queries"] = stage_queries(args.work, min(sizes), max(sizes), args.rdflib_n)
    if "validate" in stages:
        summary["validate"] = stage_validate(args.work)
    if "endpoint" in stages:
        summary["endpoint"] = stage_endpoint(args.work, min(sizes))
    summary["total_s"] = time.perf_counter() - started
    save("summary", summary)
    print(f"done in {summary['total_s']:.0f} s; results in {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
