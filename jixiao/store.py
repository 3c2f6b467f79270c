"""The embedded on-disk store: pyoxigraph, one named graph per report (docs/decisions/0002-store.md).

Writing a report's graph is one transaction: the old graph is dropped and the new triples added
together (one SPARQL update request, which Oxigraph applies as one transaction), so a failure or a
``kill -9`` leaves the previous graph intact, re-ingesting replaces, never duplicates, and no
intermediate graph ever exists for union queries to see. (Earlier versions loaded a replacement into
``<graph>#staging`` first; a store an interrupted one left such a graph in is cleaned at its next
write-open and refused by read-only opens until then.)

One writer at a time: ``store_lock`` (a lock file beside the store, held with ``flock`` and naming the
holder's pid) is taken by ``jixiao ingest`` for the whole run; a second writer exits with a message
naming the holder. The kernel drops the lock when its holder dies, however it dies.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from jixiao import pending
from jixiao.errors import JixiaoError
from jixiao.paths import default_store
from jixiao.rdfutil import from_ox, nt_term


def ntriples(triples: Iterable[tuple]) -> bytes:
    """N-Triples of triples of pyoxigraph or rdflib terms, in their order: the lines pyoxigraph's
    serialiser writes for them, each term written by `jixiao.rdfutil.nt_term`. Each distinct term
    object is written once (a report's triples share their terms: a figure's IRI, a unit, a
    label), memoised by ``id`` (cheap to hash); ``keep`` holds every term written so no id is reused
    while the memo lives."""
    memo: dict[int, bytes] = {}
    keep = []
    get = memo.get
    lines = []
    for s, p, o in triples:
        a = get(id(s))
        if a is None:
            a = memo[id(s)] = nt_term(s).encode()
            keep.append(s)
        b = get(id(p))
        if b is None:
            b = memo[id(p)] = nt_term(p).encode()
            keep.append(p)
        c = get(id(o))
        if c is None:
            c = memo[id(o)] = nt_term(o).encode()
            keep.append(o)
        lines.append(b" ".join((a, b, c, b".\n")))
    return b"".join(lines)


def nquads(ntriples_bytes: bytes, graph_iri: str) -> bytes:
    """N-Triples (as ``ntriples`` or Oxigraph write it) → the same lines as N-Quads in one named graph,
    by bytes: every line ends with " .\n" and a literal's line breaks are escaped, so that terminator
    occurs once a line. Replaces a parse and re-serialisation (~65 ms for a 17k-triple report)."""
    graph = str(ox.NamedNode(graph_iri)).encode()  # the IRI checked by Oxigraph
    data = ntriples_bytes if ntriples_bytes.endswith(b"\n") or not ntriples_bytes else ntriples_bytes + b"\n"
    return data.replace(b" .\n", b" " + graph + b" .\n")


STAGING_SUFFIX = "#staging"  # what earlier versions named a replacement while it was written


class _Reading:
    """A binary file read by Oxigraph's loader, telling ``progress`` how many bytes each read took."""

    def __init__(self, fh, progress: Callable[[int], object]):
        self.fh, self.progress = fh, progress

    def read(self, n: int = -1) -> bytes:
        data = self.fh.read(n)
        self.progress(len(data))
        return data


def _counted(items: Iterable, progress: Callable[[int], object], every: int = 10_000) -> Iterator:
    """``items`` passed through, telling ``progress`` every ``every`` items (and the rest at the end)."""
    n = 0
    for item in items:
        yield item
        n += 1
        if n == every:
            progress(n)
            n = 0
    if n:
        progress(n)


def staging_graphs(store: ox.Store) -> list[ox.NamedNode]:
    """The ``<graph>#staging`` graphs of jixiao's own graphs (IRIs it mints) in a store."""
    from jixiao.iris import BASE, ONTOLOGY_GRAPH

    def ours(iri: str) -> bool:
        graph = iri.removesuffix(STAGING_SUFFIX)
        return iri.endswith(STAGING_SUFFIX) and (graph.startswith(BASE) or graph == str(ONTOLOGY_GRAPH))

    return sorted((g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and ours(g.value)), key=str)


def check_store_path(path: Path) -> None:
    """A store is a folder (or a path where one can be made): refuse a file, or a path under one."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise JixiaoError("not a store: this is a file (a store is a folder)", file=path)
    for folder in path.parents:
        if folder.exists():
            if not folder.is_dir():
                raise JixiaoError(f"cannot make a store here: {folder} is a file", file=path)
            break


def lock_path(store_dir: Path) -> Path:
    """Beside the store, not in it: a new store is built aside and renamed into place."""
    store_dir = Path(store_dir)
    return store_dir.with_name(store_dir.name + ".lock")


@contextlib.contextmanager
def store_lock(store_dir: Path) -> Iterator[None]:
    """Hold the store's write lock for a block, or raise JixiaoError naming the process that holds it.
    The lock file stays (empty of meaning once no process holds its flock)."""
    import fcntl

    path = lock_path(store_dir)
    check_store_path(store_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise JixiaoError(f"cannot create the store's lock file {path}: {exc.strerror}", file=store_dir) from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", errors="replace").strip() or "another process"
            raise JixiaoError(
                f"the store is being written by {holder}; try again when it has finished (lock: {path})",
                file=store_dir,
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"process {os.getpid()} (jixiao {' '.join(sys.argv[1:2]) or 'python'})\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _holder(store_dir: Path) -> str:
    """The writer the lock file names, unless that is this process (which holds jixiao's lock while
    another program holds RocksDB's)."""
    try:
        holder = lock_path(store_dir).read_text(encoding="utf-8").strip()
    except OSError:
        return ""
    return "" if holder.startswith(f"process {os.getpid()} ") else holder


class GraphStore:
    """A pyoxigraph store; ``path=None`` keeps it in memory (``GraphStore.in_memory`` copies one there)."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False):
        self.path = Path(path) if path is not None else None
        if self.path is not None:
            check_store_path(self.path)
        try:
            if self.path is None:
                self.store = ox.Store()
            elif read_only:
                if not self.path.exists():
                    raise JixiaoError(f"no store at {self.path} (run jixiao ingest first)", file=self.path)
                pending.refuse_if_pending(self.path)  # never read half a bulk load
                self.store = ox.Store.read_only(str(self.path))
                if staging_graphs(self.store):  # never serve both versions of a report
                    raise JixiaoError(
                        "the store holds part of an interrupted replacement (a …#staging graph): open it "
                        "for writing once (any `jixiao ingest`) to remove it",
                        file=self.path,
                    )
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self.store = ox.Store(str(self.path))
                if pending.pending(self.path):
                    gone = pending.roll_back(self.store, self.path)
                    print(
                        f"jixiao: {self.path}: rolled back an unfinished bulk load ({len(gone)} new graph(s) removed)",
                        file=sys.stderr,
                    )
                if staging := staging_graphs(self.store):
                    for g in staging:
                        self.store.remove_graph(g)
                    self.store.flush()
                    print(
                        f"jixiao: {self.path}: removed {len(staging)} graph(s) left by an interrupted replacement",
                        file=sys.stderr,
                    )
        except OSError as exc:  # locked, unreadable, not a store
            if "lock" in str(exc).lower():
                holder = _holder(self.path) or "another process"
                raise JixiaoError(
                    f"the store is open for writing by {holder}; try again when it has finished", file=self.path
                ) from exc
            raise JixiaoError(f"cannot open store: {exc}", file=self.path) from exc

    @classmethod
    def open_default(cls, path: str | Path | None = None, *, read_only: bool = False) -> GraphStore:
        return cls(path or default_store(), read_only=read_only)

    @classmethod
    def in_memory(
        cls,
        source: str | Path | GraphStore | ox.Store | None = None,
        *,
        progress: Callable[[int], object] | None = None,
    ) -> GraphStore:
        """An in-memory copy of a store, for answering many queries fast: ``source`` is an on-disk
        store (its directory, opened read-only; default: the default store), an open GraphStore or
        pyoxigraph Store, or an N-Quads / TriG file (one named graph per report, as
        `jixiao ingest --out` writes it; the ontology graph is then not included: ``load_ontology``).

        Queries on the copy give the same rows as on the disk store, several times faster: every
        triple-pattern lookup is a RocksDB seek on disk (tens of µs), a B-tree step in memory
        (~1–2 µs). The cost is memory and a load up front, measured on generated reports (17 k quads
        each, 2 shared cores): 0.85 GB resident for 1.7 M quads (100 reports), 6.4 GB for 16.8 M
        (1,000 reports), i.e. ~400–500 MB per million quads; loading N-Quads with Oxigraph's bulk
        loader took 5–8 s for 1.7 M quads and 127 s for 16.8 M, copying a RocksDB store ~20 s per
        1.7 M quads (reading the store is the slow part). The copy is independent: later writes to
        the source are not seen."""
        mem = cls(None)
        path = None
        if not isinstance(source, (GraphStore, ox.Store)):
            path = Path(source) if source is not None else default_store()
            fmt = {".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG}.get(path.suffix.lower())
            if fmt is not None and not path.is_dir():
                try:
                    if progress is None:
                        mem.store.bulk_load(path=str(path), format=fmt)
                    else:
                        with path.open("rb") as fh:
                            mem.store.bulk_load(input=_Reading(fh, progress), format=fmt)
                except (OSError, SyntaxError, ValueError) as exc:
                    raise JixiaoError(f"cannot read RDF: {exc}", file=path) from exc
                return mem
            source = cls(path, read_only=True)
        src = source.store if isinstance(source, GraphStore) else source
        try:
            quads = src.quads_for_pattern(None, None, None, None)
            mem.store.bulk_extend(quads if progress is None else _counted(quads, progress))
        except OSError as exc:
            raise JixiaoError(f"cannot read store: {exc}", file=path or getattr(source, "path", None)) from exc
        return mem

    def replace_graph(self, graph_iri: URIRef, triples: Iterable[tuple[Node, Node, Node]]) -> int:
        """Drop ``graph_iri`` and load ``triples`` into it, in one transaction. Returns the count."""
        data = ntriples(triples)
        self.replace_graph_ntriples(graph_iri, data)
        return data.count(b"\n")

    def bulk_add(self, nquads: Path, graphs: Iterable[str]) -> None:
        """Load an N-Quads file holding only ``graphs``, none of which the store holds yet, with
        Oxigraph's bulk loader (2-2.5x its transactions, BENCHMARKS.md). Not atomic by itself, so on
        disk the graphs are named in a journal first (jixiao/pending.py): a failure here, or a crash,
        removes them again (at once, or at the next write-open), leaving the store as it was."""
        graphs = sorted(set(graphs))
        held = [g for g in graphs if self.store.contains_named_graph(ox.NamedNode(g))]
        if held:
            raise ValueError(f"bulk_add loads new graphs only; the store already holds {held[0]}")
        if self.path is not None:
            pending.begin(self.path, graphs)
        try:
            self.store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
            self.flush()
        except BaseException:
            if self.path is not None:
                pending.roll_back(self.store, self.path)
            else:
                pending.remove_graphs(self.store, graphs)
            raise
        if self.path is not None:
            pending.end(self.path)

    def replace_graph_ntriples(self, graph_iri: URIRef, data: bytes) -> None:
        """Like ``replace_graph`` for a serialised graph (N-Triples): Oxigraph parses and writes it
        in one transaction (``Store.load``), the fast path for corpus loads."""
        g = ox.NamedNode(str(graph_iri))
        if not self.store.contains_named_graph(g):
            self.store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=g)
            if not data.strip():
                self.store.add_graph(g)  # an empty report graph still names the report
            return
        # An existing graph: drop and insert in ONE update request, which Oxigraph applies as one
        # transaction: no intermediate graph for union queries to see, nothing half-done after a kill.
        # The N-Triples lines are valid SPARQL triples (IRIs checked, literals escaped by ntriples or
        # Oxigraph; \u escapes read the same: tests/test_hardening_store.py).
        text = data.decode("utf-8")
        self.store.update(f"DROP SILENT GRAPH {g} ;\nINSERT DATA {{ GRAPH {g} {{\n{text}\n}} }}")

    def append_ntriples(self, graph_iri: URIRef, data: bytes) -> None:
        """Add N-Triples to a graph in one atomic write (the append-only runs graph)."""
        self.store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(graph_iri)))

    def load_ontology(self) -> int:
        """(Re)load ontology/jixiao.ttl and vocab.ttl into the ontology graph, so queries and shapes
        that walk the category hierarchy or read labels work against the store. Idempotent."""
        from jixiao import data as _data
        from jixiao.iris import ONTOLOGY_GRAPH

        g = Graph()
        for name in ("jixiao.ttl", "vocab.ttl"):
            g.parse(_data.ontology_dir() / name, format="turtle")
        return self.replace_graph(ONTOLOGY_GRAPH, g)

    def graphs(self) -> list[URIRef]:
        return sorted(URIRef(n.value) for n in self.store.named_graphs() if isinstance(n, ox.NamedNode))

    def graph(self, graph_iri: URIRef) -> Graph:
        out = Graph()
        for q in self.store.quads_for_pattern(None, None, None, ox.NamedNode(str(graph_iri))):
            out.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
        return out

    def triples(self, graph_iri: URIRef) -> Iterator[tuple[Node, Node, Node]]:
        for q in self.store.quads_for_pattern(None, None, None, ox.NamedNode(str(graph_iri))):
            yield from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)

    def count(self, graph_iri: URIRef | None = None) -> int:
        if graph_iri is None:
            return len(self.store)
        return sum(1 for _ in self.store.quads_for_pattern(None, None, None, ox.NamedNode(str(graph_iri))))

    def query(self, sparql: str, **kwargs):
        """Run SPARQL over the union of all graphs (default graph = union)."""
        return self.store.query(sparql, use_default_graph_as_union=True, **kwargs)

    def flush(self) -> None:
        if self.path is not None:
            self.store.flush()
