"""jixiao ingest: read reports, write one named graph per report into the store and/or a file.

Reports are read in parallel (``--jobs``) and kept on disk as they finish (memory stays flat in the
number of reports). Nothing is written until every file has been read and the run checked: two files
that are two versions of one report (one graph IRI, different content) are an input error, and the
store and ``--out`` are left as they were. Then each report's graph is written in one transaction (a
corpus into a new or existing store goes through the bulk loader), so a report that fails to parse
writes nothing and the store keeps what it had. One writer at a time: the store's lock is held for
the whole run (``jixiao.store.store_lock``). ``--out`` is written atomically (``jixiao.fileio``). A
file larger than ``--max-size`` is refused before it is read; a file that yields next to nothing is
ingested with a warning on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from jixiao.errors import InputError, JixiaoError, UsageError, from_os_error, os_problem
from jixiao.paths import STORE_HELP, default_store

NAME = "ingest"
HELP = "read reports (UTF-8/GB18030 text; PDF, DOCX, XLSX, XLS, HTML) and write one named graph per report"
# A report is tens of KB (the largest seen, a few hundred); ingest takes ~5 s CPU and ~0.4 GB of
# memory per MB of text, so a file far beyond any report is refused before it is read.
DEFAULT_MAX_SIZE = 4 << 20
# fewer figures than one per this many characters of text: "next to nothing" (a report has one
# every 40-200 characters)
CHARS_PER_FIGURE_WARNING = 2000


def parse_size(text: str) -> int:
    """``4M``, ``500K``, ``1G``, ``1048576`` (bytes; K/M/G are powers of 1024) → bytes; ``0``: no limit."""
    m = re.fullmatch(r"\s*(\d{1,12})(?:\.(\d{1,3}))?\s*([KMG]?)i?B?\s*", text, re.IGNORECASE)
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (examples: 4M, 500K, 0 for no limit)")
    scale = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m.group(3).upper()]
    return int((int(m.group(1)) + int(m.group(2) or 0) / 10 ** len(m.group(2) or "")) * scale)


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "files",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="report files: text, or PDF/DOCX/XLSX/XLS/HTML (the documents extra)",
    )
    p.add_argument("--store", type=Path, default=None, help=STORE_HELP)
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="write the graphs to this file, in the format its suffix names: .nq (N-Quads), .trig "
        "(TriG), .nt (N-Triples), .ttl (Turtle), .jsonld (JSON-LD); one named graph per report where "
        "the format has graphs; with --out the store is written only when --store is given too",
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
    p.add_argument("--no-bulk", action="store_true", help="write every report in its own transaction (slower)")
    p.add_argument(
        "--max-size",
        type=parse_size,
        default=DEFAULT_MAX_SIZE,
        metavar="SIZE",
        help=f"refuse a file larger than this before reading it (default {DEFAULT_MAX_SIZE >> 20}M; "
        "K/M/G suffixes; 0 = no limit). Ingest takes ~5 s and ~0.4 GB of memory per MB of text",
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
    p.add_argument("--quiet", action="store_true", help="print only errors (no line per report, no progress bar)")
    p.add_argument(
        "--department",
        default=None,
        metavar="NAME",
        help="the department's full name, for a file that does not state it (a file whose department, "
        "year or kind is not stated is refused: no report is named from a guess). Used only where the "
        "text states none; the graph records it as supplied, not read",
    )
    p.add_argument("--year", default=None, metavar="YYYY", help="the fiscal year, for a file that does not state it")
    p.add_argument(
        "--kind",
        default=None,
        metavar="KIND",
        help="the report kind, for a file that does not state it: department_whole, project, transfer, "
        "key_evaluation or final_accounts",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="refuse a file with an error-level diagnostic (no figures read …) instead of ingesting it",
    )


def ingest_one(
    path: Path, max_size: int = 0, supplied: dict[str, str] | None = None, strict: bool = False
) -> tuple[Path, str | None, bytes, bytes, int, str | None, str | None, str]:
    """(path, graph IRI, report N-Triples, run N-Triples, triple count, error, warning, summary).
    Runs in a worker. ``supplied``: identity values the user gave (--department, --year, --kind);
    ``strict``: an error-level diagnostic fails the file. ``summary`` says what was read (figures,
    tables, indicator rows, diagnostics). The garbage collector stays off until the report's
    objects are freed (see ``gc_paused``)."""
    from jixiao.ingest.pipeline import gc_paused, ingest_file
    from jixiao.store import ntriples

    try:
        size = path.stat().st_size
        if max_size and size > max_size and path.is_file():
            return path, None, b"", b"", 0, _too_large(path, size, max_size), None, ""
        with path.open("rb"):  # unreadable (permissions …): say so, before the reader does
            pass
    except FileNotFoundError:
        pass  # the reader names a missing file
    except OSError as exc:
        return path, None, b"", b"", 0, str(from_os_error(exc, path, "cannot read")), None, ""
    with gc_paused():
        try:
            r = ingest_file(path, supplied)
        except JixiaoError as exc:
            return path, None, b"", b"", 0, str(exc), None, ""
        except OSError as exc:
            return path, None, b"", b"", 0, str(from_os_error(exc, path, "cannot read")), None, ""
        except Exception as exc:  # a bug, not bad input: say which file, keep going with the others
            return path, None, b"", b"", 0, f"{path}: internal error {type(exc).__name__}: {exc}", None, ""
        errors = [d for d in r.records.diagnostics if d.severity == "error"] if r.records else []
        if strict and errors:
            what = "; ".join(f"{d.code}: {d.message_en}" for d in errors[:3])
            return path, None, b"", b"", 0, f"{path}: refused (--strict): {what}", None, ""
        warning = next_to_nothing(r)
        out = path, str(r.graph_iri), ntriples(r.triples), ntriples(r.run), len(r.triples), None, warning, summary(r)
        del r
        return out


def summary(result) -> str:
    """What was read from one report, for its line: figures, tables, indicator rows, diagnostics by
    severity."""
    ex = result.records
    if ex is None:
        return ""
    by = {s: sum(d.severity == s for d in ex.diagnostics) for s in ("error", "warning", "info")}
    detail = ", ".join(f"{n} {s}" for s, n in by.items() if n)
    return (
        f"{len(ex.figures)} figures, {ex.tables} tables, {len(ex.indicators)} indicator rows, "
        f"{len(ex.diagnostics)} diagnostics" + (f" ({detail})" if detail else "")
    )


def _too_large(path: Path, size: int, limit: int) -> str:
    return str(
        InputError(
            f"{_human(size)} is larger than the input limit of {_human(limit)} (no report is "
            "that long; --max-size raises the limit, 0 removes it)",
            file=path,
        )
    )


def _human(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 1 << 20 else f"{n / 1024:.0f} KB"


def next_to_nothing(result) -> str | None:
    """A warning when a report yielded (next to) no figures for its length, with a guess why."""
    from jixiao.ingest.emit import JX, RDF_TYPE

    text = result.source.text
    quantity = JX.Quantity
    figures = sum(1 for _s, p, o in result.triples if p == RDF_TYPE and o == quantity)
    if figures and len(text) <= figures * CHARS_PER_FIGURE_WARNING:
        return None
    found = f"only {figures} figure(s)" if figures else "no figures"
    hints = []
    if len(re.findall(r"</?[A-Za-z][A-Za-z0-9]*[\s>/]", text[:200_000])) > 20:
        hints.append("it looks like HTML: save the page as text")
    if "\x1b[" in text:
        hints.append("it holds terminal escape codes (ESC[…m)")
    if max(map(len, text.splitlines() or [""])) > 100_000:
        hints.append("it has a line of over 100,000 characters (lost line breaks?)")
    hint = "; ".join(hints) or "is it a budget-performance report?"
    return f"{result.source.path}: warning: {found} in {len(text):,} characters ({len(result.triples)} triples): {hint}"


def _results(
    files: list[Path],
    jobs: int,
    max_size: int,
    supplied: dict[str, str] | None = None,
    strict: bool = False,
    scheduler: str | None = None,
    dask: int | None = None,
) -> Iterator[tuple]:
    one = partial(ingest_one, max_size=max_size, supplied=supplied, strict=strict)
    if scheduler or dask is not None:  # --dask 0 is refused by connect, not run on the local pool
        from jixiao.dask_cluster import connect, ordered_map

        with connect(scheduler, dask or 0) as client:
            # workers get absolute paths (their working directory is not ours); messages keep the user's
            for given, result in zip(files, ordered_map(client, one, [p.resolve() for p in files]), strict=True):
                yield (given, *result[1:])
        return
    if jobs == 1 or len(files) == 1:
        yield from map(one, files)
        return
    with ProcessPoolExecutor(jobs or os.cpu_count()) as pool:
        yield from pool.map(one, files, chunksize=4)


class _Tally:
    def __init__(self) -> None:
        self.failed = 0
        self.done = 0
        self.seen: dict[str, tuple[Path, bytes]] = {}  # graph IRI → (file, digest of its triples)
        self.clashes: list[str] = []

    def check(self) -> None:
        """Two versions of one report in this run: an input error, before anything is written."""
        if self.clashes:
            more = f" (and {len(self.clashes) - 1} more)" if len(self.clashes) > 1 else ""
            raise InputError(
                f"{self.clashes[0]}{more}: two versions of one report in one run; nothing written "
                "(ingest one of them, or each in a run of its own: the later run replaces the earlier)"
            )


def _replacements(store, tally: _Tally, graphs: list[str], quiet: bool = False) -> bytes:
    """Announce each report of this run that replaces one the store holds (which file replaced
    which, on stderr, unless ``quiet``) and record it for the runs graph: the new source file
    prov:wasRevisionOf each file an earlier run read that report from (N-Triples)."""
    from jixiao import iris

    out: list[str] = []
    for graph_iri in graphs:
        path = tally.seen[graph_iri][0]
        try:
            new = iris.source_file(hashlib.sha256(path.read_bytes()).hexdigest())
        except OSError:
            continue
        rows = store.store.query(  # our own IRIs: no character of them needs escaping in <…>
            "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX jx: <https://w3id.org/jixiao/def#> "
            f"SELECT DISTINCT ?file ?name WHERE {{ GRAPH <{iris.RUNS_GRAPH}> {{ ?run prov:generated <{graph_iri}> ; "
            "prov:used ?file . OPTIONAL { ?file jx:fileName ?name } } } ORDER BY ?name ?file"
        )
        old = [(row["file"].value, row["name"].value if row["name"] else "?") for row in rows]
        old = [(f, n) for f, n in old if f != str(new)]
        if not old:  # the same file again (or a store without run records): nothing to tell
            continue
        if not quiet:
            names = ", ".join(sorted({n for _f, n in old}))
            progress_write(f"jixiao ingest: {path} replaces the report read from {names} (<{graph_iri}>)")
        prov = "http://www.w3.org/ns/prov#wasRevisionOf"
        out += [f"<{new}> <{prov}> <{f}> .\n" for f, _n in old]
    return "".join(sorted(set(out))).encode()


def progress_write(line: str) -> None:
    from jixiao import progress

    progress.write(line, file=sys.stderr)


def _ingested(args: argparse.Namespace, tally: _Tally) -> Iterator[tuple[str, bytes, bytes]]:
    """(graph IRI, report N-Triples, run N-Triples) of each report that ingested, in turn: a failure
    is reported on stderr and counted; a second file with the same report (graph IRI) is skipped
    when its triples are the same and recorded as a clash (``tally.check``) when they differ; a
    success is counted, and printed unless --quiet, once the caller has taken it."""
    from jixiao import progress

    with progress.bar("ingest", len(args.files), quiet=args.quiet) as bar:
        supplied = {k: v for k in ("department", "year", "kind") if (v := getattr(args, k, None)) is not None}
        results = _results(
            list(args.files),
            args.jobs,
            args.max_size,
            supplied,
            getattr(args, "strict", False),
            getattr(args, "scheduler", None),
            getattr(args, "dask", None),
        )
        for path, graph_iri, nt, run_nt, n, error, warning, said in results:
            bar.update()
            if error:
                progress.write(f"jixiao ingest: error: {error}", file=sys.stderr)
                tally.failed += 1
                continue
            digest = hashlib.sha256(nt).digest()
            first = tally.seen.get(graph_iri)
            if first is not None:
                if first[1] == digest:
                    progress.write(
                        f"jixiao ingest: {path}: the same report as {first[0]}: ingested once", file=sys.stderr
                    )
                else:
                    tally.clashes.append(f"{first[0]} and {path} are both <{graph_iri}>")
                continue
            tally.seen[graph_iri] = (path, digest)
            if warning:
                progress.write(f"jixiao ingest: {warning}", file=sys.stderr)
            yield graph_iri, nt, run_nt
            tally.done += 1
            if not args.quiet:
                progress.write(f"{path}: {said + '; ' if said else ''}{n} triples → <{graph_iri}>")


class _Spool:
    """Report N-Triples kept in an unnamed temporary file until the run has been checked (memory flat in
    the number of reports; the file vanishes when closed, or when the process dies)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.items: list[tuple[str, int, int]] = []
        try:
            self.fh = tempfile.TemporaryFile(prefix="jixiao-ingest-", dir=folder)  # noqa: SIM115 (closed by close)
        except OSError as exc:
            raise from_os_error(exc, folder, "cannot create a temporary file") from exc

    def add(self, graph_iri: str, data: bytes) -> None:
        try:
            self.fh.seek(0, os.SEEK_END)
            self.items.append((graph_iri, self.fh.tell(), len(data)))
            self.fh.write(data)
        except OSError as exc:
            raise JixiaoError(
                f"cannot keep the reports read so far in {self.folder}: {os_problem(exc)}; nothing written"
            ) from exc

    def __iter__(self) -> Iterator[tuple[str, bytes]]:
        for graph_iri, offset, length in self.items:
            self.fh.seek(offset)
            yield graph_iri, self.fh.read(length)

    def close(self) -> None:
        self.fh.close()


def run(args: argparse.Namespace) -> int:
    from jixiao.fileio import check_output_path
    from jixiao.rdfformats import check_suffix
    from jixiao.store import check_store_path, store_lock

    if args.jobs < 0:
        raise UsageError(f"--jobs {args.jobs}: give 0 (all cores) or a positive number")
    if args.bulk and (args.no_bulk or args.out is not None):
        raise UsageError("--bulk writes the store only (not with --no-bulk or --out)")
    if args.out is not None:
        check_output_path(args.out)
        check_suffix(args.out)  # an unknown suffix stops before any work (exit 2)
    target = args.store or default_store()
    write_store = args.store is not None or args.out is None
    if not write_store:
        return _serial(args, None)
    check_store_path(target)
    with store_lock(target):
        new_store = not target.exists() or not any(target.iterdir())
        if args.bulk or (not args.no_bulk and args.out is None and len(args.files) > 1):
            # the bulk loader (2-2.5x the transactional rate, BENCHMARKS.md): a new store is built aside
            # and renamed into place (all reports or, if interrupted, no store); an existing one gets its
            # new graphs under a journal (jixiao/pending.py)
            return _bulk(args, target) if new_store else _bulk_append(args, target)
        return _serial(args, target)


def _serial(args: argparse.Namespace, target: Path | None) -> int:
    """Into --out as reports come (a temporary file, renamed into place at the end) and, with a store,
    each report in its own transaction once all have been read and checked."""
    from rdflib import URIRef

    from jixiao import iris
    from jixiao.fileio import atomic_output
    from jixiao.rdfformats import GraphFileWriter
    from jixiao.store import GraphStore

    spool = _Spool(target.parent) if target is not None else None
    runs: list[bytes] = []
    tally = _Tally()
    try:
        with atomic_output(args.out) if args.out is not None else contextlib.nullcontext() as out_fh:
            writer = GraphFileWriter(args.out, out_fh) if out_fh is not None else None
            for graph_iri, nt, run_nt in _ingested(args, tally):
                if spool is not None:
                    spool.add(graph_iri, nt)
                    runs.append(run_nt)
                if writer is not None:
                    writer.write(graph_iri, nt)
            tally.check()  # two versions of one report: the temporary --out file is removed
            if out_fh is not None and not tally.done:
                out_fh.cancel()
            elif writer is not None:
                writer.finish()
        if target is not None and tally.done:
            store = GraphStore(target)  # opened once the run is checked: a failed run makes no store
            store.load_ontology()
            held = {str(g) for g in store.graphs()}
            revisions = _replacements(store, tally, [g for g, _o, _n in spool.items if g in held], args.quiet)
            if revisions:
                runs.append(revisions)
            for graph_iri, nt in spool:
                store.replace_graph_ntriples(URIRef(graph_iri), nt)
            for run_nt in runs:
                store.append_ntriples(iris.RUNS_GRAPH, run_nt)
            store.flush()
    finally:
        if spool is not None:
            spool.close()
    return 2 if tally.failed else 0


def _bulk_append(args: argparse.Namespace, target: Path) -> int:
    """Ingest into an existing store: reports whose graph the store does not hold yet are written to
    a temporary N-Quads file and bulk-loaded at the end under a journal naming them (interrupted, the
    next write-open removes them: they were new, so the store is as before); a report the store
    already holds is replaced in its own transaction after the load. Run records go in last."""
    from rdflib import URIRef

    from jixiao import iris
    from jixiao.store import GraphStore, nquads

    store = GraphStore(target)  # rolls back an earlier unfinished load
    held = {str(g) for g in store.graphs()}
    queued: set[str] = set()
    spool = _Spool(target.parent)  # reports the store holds: replaced after the load
    runs: list[bytes] = []
    tally = _Tally()
    try:
        with tempfile.NamedTemporaryFile(prefix="jixiao-append-", suffix=".nq", dir=target.parent) as fh:
            for graph_iri, nt, run_nt in _ingested(args, tally):
                if graph_iri in held:
                    spool.add(graph_iri, nt)
                else:
                    try:
                        fh.write(nquads(nt, graph_iri))
                    except OSError as exc:
                        raise from_os_error(exc, fh.name, "cannot write the reports to load; nothing written") from exc
                    queued.add(graph_iri)
                runs.append(run_nt)
            tally.check()
            try:
                fh.flush()
            except OSError as exc:
                raise from_os_error(exc, fh.name, "cannot write the reports to load; nothing written") from exc
            if queued:
                try:
                    store.bulk_add(Path(fh.name), queued)
                except OSError as exc:  # rolled back by bulk_add: the store is as it was
                    raise from_os_error(exc, target, "bulk load failed and was rolled back") from exc
        revisions = _replacements(store, tally, [g for g, _o, _n in spool.items], args.quiet)
        if revisions:
            runs.append(revisions)
        for graph_iri, nt in spool:
            store.replace_graph_ntriples(URIRef(graph_iri), nt)
    finally:
        spool.close()
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
    an interruption, a full disk or two versions of one report leave no store at all, never a
    half-written one."""
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
        try:
            with nq.open("wb") as fh:
                for graph_iri, nt, run_nt in _ingested(args, tally):
                    fh.write(nquads(nt, graph_iri))
                    fh.write(nquads(run_nt, str(iris.RUNS_GRAPH)))
        except OSError as exc:
            raise from_os_error(exc, nq, "cannot write the reports to load; no store written") from exc
        tally.check()
        try:
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
        except OSError as exc:
            raise from_os_error(exc, target, "cannot build the store; no store written") from exc
    finally:
        nq.unlink(missing_ok=True)
        shutil.rmtree(building, ignore_errors=True)
    if not args.quiet:
        print(f"bulk-loaded {tally.done} report(s) into {target}")
    return 2 if tally.failed else 0
