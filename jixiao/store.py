"""The embedded on-disk store: pyoxigraph, one named graph per report (docs/decisions/0002-store.md).

Writing a report's graph is one transaction: the old graph is dropped and the new triples added
together, so a failure leaves the previous graph intact, and re-ingesting replaces, never duplicates.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from jixiao import pending
from jixiao.errors import JixiaoError
from jixiao.paths import default_store
from jixiao.rdfutil import from_ox, nt_term, to_ox


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


class GraphStore:
    """A pyoxigraph store; ``path=None`` keeps it in memory (``GraphStore.in_memory`` copies one there)."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False):
        self.path = Path(path) if path is not None else None
        try:
            if self.path is None:
                self.store = ox.Store()
            elif read_only:
                if not self.path.exists():
                    raise JixiaoError(f"no store at {self.path} (run jixiao ingest first)", file=self.path)
                pending.refuse_if_pending(self.path)  # never read half a bulk load
                self.store = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self.store = ox.Store(str(self.path))
                if pending.pending(self.path):
                    gone = pending.roll_back(self.store, self.path)
                    print(
                        f"jixiao: {self.path}: rolled back an unfinished bulk load ({len(gone)} new graph(s) removed)",
                        file=sys.stderr,
                    )
        except OSError as exc:  # locked, unreadable, not a store
            raise JixiaoError(f"cannot open store: {exc}", file=self.path) from exc

    @classmethod
    def open_default(cls, path: str | Path | None = None, *, read_only: bool = False) -> GraphStore:
        return cls(path or default_store(), read_only=read_only)

    @classmethod
    def in_memory(cls, source: str | Path | GraphStore | ox.Store | None = None) -> GraphStore:
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
                    mem.store.bulk_load(path=str(path), format=fmt)
                except (OSError, SyntaxError, ValueError) as exc:
                    raise JixiaoError(f"cannot read RDF: {exc}", file=path) from exc
                return mem
            source = cls(path, read_only=True)
        src = source.store if isinstance(source, GraphStore) else source
        try:
            mem.store.bulk_extend(src.quads_for_pattern(None, None, None, None))
        except OSError as exc:
            raise JixiaoError(f"cannot read store: {exc}", file=path or getattr(source, "path", None)) from exc
        return mem

    def replace_graph(self, graph_iri: URIRef, triples: Iterable[tuple[Node, Node, Node]]) -> int:
        """Drop ``graph_iri`` and load ``triples`` into it, in one transaction. Returns the count."""
        g = ox.NamedNode(str(graph_iri))
        quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), g) for s, p, o in triples]

        if not self.store.contains_named_graph(g):
            # a new graph: one atomic ``extend`` writes all of it or nothing
            self.store.add_graph(g) if not quads else None
            self.store.extend(quads)
            return len(quads)
        # An existing graph: the quads go into a staging graph with one atomic ``extend``; then one
        # SPARQL UPDATE moves them over the old graph (MOVE drops the target first; an update request
        # is one transaction in Oxigraph). A failure at any point leaves the previous graph as it was.
        staging = ox.NamedNode(f"{graph_iri}#staging")
        self.store.remove_graph(staging) if self.store.contains_named_graph(staging) else None
        self.store.extend([ox.Quad(q.subject, q.predicate, q.object, staging) for q in quads])
        self.store.update(f"MOVE SILENT GRAPH {staging} TO GRAPH {g}")
        return len(quads)

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
            return
        staging = ox.NamedNode(f"{graph_iri}#staging")
        self.store.remove_graph(staging) if self.store.contains_named_graph(staging) else None
        self.store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=staging)
        self.store.update(f"MOVE SILENT GRAPH {staging} TO GRAPH {g}")

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
