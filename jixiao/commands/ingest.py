"""jixiao ingest: read reports, write one named graph per report into the store and/or a file.

Reports are read in parallel (``--jobs``) and written one by one as they finish: memory stays flat
in the number of reports, and each report's graph is written in one transaction, so a report that
fails to parse writes nothing and the store keeps what it had.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from jixiao.paths import STORE_HELP, default_store

NAME = "ingest"
HELP = "read reports (UTF-8 or GB18030 text) and write one named graph per report"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="report text files")
    p.add_argument("--store", type=Path, default=None, help=STORE_HELP)
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="write the graphs to this file: .nq (N-Quads, streamed) or .trig; with --out the "
        "store is written only when --store is given too",
    )
    p.add_argument("--jobs", type=int, default=1, help="parallel worker processes (default 1; 0 = all cores)")
    p.add_argument(
        "--bulk",
        action="store_true",
        help="use Oxigraph's bulk loader (fastest for a corpus; the default for several files): a NEW "
        "store is built beside the target and renamed into place when complete; into an "
        "existing store the reports it does not hold yet are bulk-loaded under a journal "
        "(an interrupted load is rolled back), the others replaced one transaction each",
    )
    p.add_argument(
        "--no-bulk", action="store_true", help="write every report in its own transaction as it finishes (slower)"
    )
    cluster = p.add_mutually_exclusive_group()
    cluster.add_argument(
        "--scheduler",
        metavar="URL",
        help="read the reports as tasks on this Dask cluster (tcp://HOST:8786; the workers need the files "
        "at the same paths) instead of the local pool; needs jixiao[dask]",
    )
    cluster.add_argument(
        "--dask",
        type=int,
        metavar="N",
        help="read the reports as tasks on a local Dask cluster of N worker processes (same output as --jobs N)",
    )
    p.add_argument("--quiet", action="store_true")


def ingest_one(path: Path) -> tuple[Path, str | None, bytes, bytes, int, str | None]:
    """(path, graph IRI, report N-Triples, run N-Triples, triple count, error). Runs in a worker.
    The garbage collector stays off until the report's objects are freed (see ``gc_paused``)."""
    from jixiao.errors import JixiaoError
    from jixiao.ingest.pipeline import gc_paused, ingest_file
    from jixiao.store import ntriples

    with gc_paused():
        try:
            r = ingest_file(path)
        except JixiaoError as exc:
            return path, None, b"", b"", 0, str(exc)
        except Exception as exc:  # a bug, not bad input: say which file, keep going with the others
            return path, None, b"", b"", 0, f"{path}: internal error {type(exc).__name__}: {exc}"
        out = path, str(r.graph_iri), ntriples(r.triples), ntriples(r.run), len(r.triples), None
        del r
        return out


def _results(files: list[Path], jobs: int, scheduler: str | None = None, dask: int | None = None) -> Iterator[tuple]:
    if scheduler or dask:
        from jixiao.dask_cluster import connect, ordered_map

        with connect(scheduler, dask or 0) as client:
            # workers get absolute paths (their working directory is not ours); messages keep the user's
            for given, result in zip(files, ordered_map(client, ingest_one, [p.resolve() for p in files]), strict=True):
                yield (given, *result[1:])
        return
    if jobs == 1 or len(files) == 1:
        yield from map(ingest_one, files)
        return
    with ProcessPoolExecutor(jobs or os.cpu_count()) as pool:
        yield from pool.map(ingest_one, files, chunksize=4)


class _Tally:
    failed = 0
    done = 0


def _ingested(args: argparse.Namespace, tally: _Tally) -> Iterator[tuple[str, bytes, bytes]]:
    """(graph IRI, report N-Triples, run N-Triples) of each report that ingested, in turn: a failure
    is reported on stderr and counted; a success is counted, and printed unless --quiet, once the
    caller has written it."""
    for path, graph_iri, nt, run_nt, n, error in _results(list(args.files), args.jobs, args.scheduler, args.dask):
        if error:
            print(f"jixiao ingest: error: {error}", file=sys.stderr)
            tally.failed += 1
            continue
        yield graph_iri, nt, run_nt
        tally.done += 1
        if not args.quiet:
            print(f"{path}: {n} triples → <{graph_iri}>")


def run(args: argparse.Namespace) -> int:
    import pyoxigraph as ox
    from rdflib import URIRef

    from jixiao import iris
    from jixiao.store import GraphStore, nquads

    target = args.store or default_store()
    new_store = not target.exists() or not any(target.iterdir())
    write_store = args.store is not None or args.out is None
    if args.bulk and (args.no_bulk or args.out is not None):
        from jixiao.errors import UsageError

        raise UsageError("--bulk writes the store only (not with --no-bulk or --out)")
    if args.bulk or (not args.no_bulk and args.out is None and len(args.files) > 1):
        # the bulk loader (2-2.5x the transactional rate, BENCHMARKS.md): a new store is built aside
        # and renamed into place (all reports or, if interrupted, no store); an existing one gets its
        # new graphs under a journal (jixiao/pending.py)
        return _bulk(args, target) if new_store else _bulk_append(args, target)
    store = GraphStore(target) if write_store else None
    out_tmp = args.out.with_suffix(args.out.suffix + ".tmp") if args.out else None
    out_fh = None
    if out_tmp is not None:
        out_tmp.parent.mkdir(parents=True, exist_ok=True)
        out_fh = out_tmp.open("wb")
    tally = _Tally()
    try:
        for graph_iri, nt, run_nt in _ingested(args, tally):
            if store is not None:
                if tally.done == 0:
                    store.load_ontology()
                store.replace_graph_ntriples(URIRef(graph_iri), nt)
                store.append_ntriples(iris.RUNS_GRAPH, run_nt)
            if out_fh is not None and args.out.suffix == ".nq":
                out_fh.write(nquads(nt, graph_iri))
            elif out_fh is not None:
                quads = ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)
                g = ox.NamedNode(graph_iri)
                out_fh.write(
                    ox.serialize(
                        [ox.Quad(t.subject, t.predicate, t.object, g) for t in quads], format=ox.RdfFormat.TRIG
                    )
                )
    finally:
        if out_fh is not None:
            out_fh.close()
            if tally.done:
                out_tmp.replace(args.out)  # atomic: a reader never sees half a file
            else:
                out_tmp.unlink()
        if store is not None:
            store.flush()
    return 2 if tally.failed else 0


def _bulk_append(args: argparse.Namespace, target: Path) -> int:
    """Ingest into an existing store: reports whose graph the store does not hold yet are written to
    a temporary N-Quads file and bulk-loaded at the end under a journal naming them (interrupted, the
    next write-open removes them: they were new, so the store is as before); a report the store
    already holds is replaced in its own transaction as it finishes; a graph given twice is loaded
    first and replaced by its later version after the load. Run records go in last."""
    import tempfile

    from rdflib import URIRef

    from jixiao import iris
    from jixiao.store import GraphStore, nquads

    store = GraphStore(target)  # rolls back an earlier unfinished load
    held = {str(g) for g in store.graphs()}
    queued: set[str] = set()
    later: list[tuple[str, bytes]] = []  # a second version of a queued graph, applied after the load
    runs: list[bytes] = []
    tally = _Tally()
    with tempfile.NamedTemporaryFile(prefix="jixiao-append-", suffix=".nq", dir=target.parent) as fh:
        for graph_iri, nt, run_nt in _ingested(args, tally):
            if graph_iri in queued:
                later.append((graph_iri, nt))
            elif graph_iri in held:
                store.replace_graph_ntriples(URIRef(graph_iri), nt)
            else:
                fh.write(nquads(nt, graph_iri))
                queued.add(graph_iri)
            runs.append(run_nt)
        fh.flush()
        if queued:
            store.bulk_add(Path(fh.name), queued)
    for graph_iri, nt in later:
        store.replace_graph_ntriples(URIRef(graph_iri), nt)
    for run_nt in runs:
        store.append_ntriples(iris.RUNS_GRAPH, run_nt)
    if tally.done:
        store.load_ontology()
    store.flush()
    if not args.quiet:
        print(f"bulk-loaded {len(queued)} new report(s) into {target}; replaced {tally.done - len(queued)}")
    return 2 if tally.failed else 0


def _bulk(args: argparse.Namespace, target: Path) -> int:
    """Ingest into a fresh store with ``Store.bulk_load``. bulk_load is not transactional, so the
    store is built in a temporary directory beside the target and renamed into place at the end:
    an interruption leaves no store at all, never a half-written one."""
    import shutil

    import pyoxigraph as ox

    from jixiao import data as _data
    from jixiao import iris
    from jixiao.store import nquads

    building = target.with_name(target.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    nq = target.with_name(target.name + ".building.nq")
    tally = _Tally()
    try:
        with nq.open("wb") as fh:
            for graph_iri, nt, run_nt in _ingested(args, tally):
                fh.write(nquads(nt, graph_iri))
                fh.write(nquads(run_nt, str(iris.RUNS_GRAPH)))
        store = ox.Store(str(building))
        store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
        for name in ("jixiao.ttl", "vocab.ttl"):
            store.bulk_load(
                path=str(_data.ontology_dir() / name),
                format=ox.RdfFormat.TURTLE,
                to_graph=ox.NamedNode(str(iris.ONTOLOGY_GRAPH)),
            )
        store.flush()
        del store
        if target.exists():
            target.rmdir()  # empty: only a new store comes here (see run)
        building.rename(target)
    finally:
        nq.unlink(missing_ok=True)
        shutil.rmtree(building, ignore_errors=True)
    if not args.quiet:
        print(f"bulk-loaded {tally.done} report(s) into {target}")
    return 2 if tally.failed else 0
