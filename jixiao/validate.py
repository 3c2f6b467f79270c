"""Validate report graphs against the SHACL shapes in shapes/ (docs/decisions/0003-validation-engine.md).

Each report's named graph is validated on its own, together with a small *context* graph: the
ontology's class and concept hierarchy (rdfs:subClassOf, skos:broader, skos:inScheme, labels) and
the shapes' parameter triples (jxs:threshold, jxs:roundingTolerance), which SPARQL constraints read
through ``$currentShape``. Reports are independent, so they run in parallel processes.

Engines (the same default, ``sparql``, for the Python API and ``jixiao validate``):

- ``sparql``: every shape compiled once into SPARQL (jixiao/shacl_sparql.py) that returns all of a
  report's violations in one evaluation by Oxigraph; needs nothing beyond the core install;
- ``pyshacl``: pySHACL, the reference the other two are tested against (extra ``jixiao[shacl]``);
- ``turbo``: pyshacl-turbo, a Rust engine with the pySHACL API (extra ``jixiao[shacl]``).

All three receive the same data and shapes and must give the same findings (tests check it).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from itertools import chain, islice
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS
from rdflib.term import Node

from jixiao import data as _data
from jixiao.errors import UsageError
from jixiao.ns import JX, OA
from jixiao.rdfutil import from_ox, to_ox

JXS = Namespace("https://w3id.org/jixiao/shapes#")
ENGINES = ("pyshacl", "turbo", "sparql")
SEVERITIES = ("Violation", "Warning", "Info")
LANGS = ("zh", "en")
PREFIX_FILE = "prefixes.ttl"
# Ontology triples a shape may need: class and concept hierarchy, scheme membership, labels.
CONTEXT_PREDICATES = {RDFS.subClassOf, SKOS.broader, SKOS.inScheme, SKOS.prefLabel, RDFS.label}
LABEL_PREDICATES = (JX.name, RDFS.label, JX.title, JX.counts, JX.text)
PLACEHOLDER = re.compile(r"\{[?$]\w+\}")


@dataclass(frozen=True, order=True)
class SourceRef:
    """A quoted stretch of the report: file name, character offsets, the quote, and the smallest
    larger span of the same graph that contains it (its context), if any."""

    file: str
    start: int
    end: int
    quote: str
    context_start: int | None = None
    context: str | None = None


@dataclass(frozen=True)
class Finding:
    severity: str  # Violation | Warning | Info
    shape: URIRef
    family: str  # the shapes file: structure, arithmetic, indicators, consistency, prior_audit
    shape_name: dict[str, str]
    message: dict[str, str]
    focus: Node
    focus_label: str
    path: URIRef | None
    values: tuple[str, ...]
    graph: URIRef
    sources: tuple[SourceRef, ...] = ()
    component: URIRef | None = None

    def key(self) -> tuple[str, str, str, str, str]:
        """What two engines must agree on: graph, focus, path, shape, severity."""
        return (str(self.graph), str(self.focus), str(self.path or ""), str(self.shape), self.severity)

    def sort_key(self) -> tuple:
        return (
            SEVERITIES.index(self.severity),
            str(self.graph),
            self.family,
            str(self.shape),
            str(self.focus),
            str(self.path or ""),
            self.values,
        )


@dataclass
class ValidationResult:
    findings: list[Finding] = field(default_factory=list)
    reports: int = 0
    engine: str = "sparql"

    @property
    def conforms(self) -> bool:
        """Conforms when nothing but Info was found (Info marks inferences, not problems)."""
        return not any(f.severity in ("Violation", "Warning") for f in self.findings)

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for f in self.findings if f.severity == s) for s in SEVERITIES}


# -- shapes and context ------------------------------------------------------------------------


def shape_files(families: Iterable[str] | None = None, shapes_dir: Path | None = None) -> list[Path]:
    """The shapes files (prefixes.ttl always included), optionally only some families."""
    shapes_dir = shapes_dir or _data.shapes_dir()
    files = sorted(p for p in shapes_dir.glob("*.ttl") if p.name != PREFIX_FILE)
    if families is not None:
        wanted = set(families)
        files = [p for p in files if p.stem in wanted]
    return [shapes_dir / PREFIX_FILE, *files]


def _stamp(files: Iterable[Path] | None) -> tuple[tuple[Path, int, int], ...]:
    """The shapes files with their modification times and sizes: the key of every per-process cache,
    so an edited shapes file is re-read (and re-compiled) by the next call."""
    out = []
    for path in tuple(files or shape_files()):
        st = path.stat()
        out.append((path, st.st_mtime_ns, st.st_size))
    return tuple(out)


def shapes_graph(files: tuple[Path, ...] | None = None) -> Graph:
    return _shapes_graph(_stamp(files))


def shape_families(files: tuple[Path, ...] | None = None) -> dict[Node, str]:
    """Each shape (node and property shapes) → the stem of the file that declares it."""
    return _shape_families(_stamp(files))


def context_ntriples(files: tuple[Path, ...] | None = None) -> str:
    """The context merged into every data graph: ontology hierarchy and labels, shape parameters."""
    return _context_ntriples(_stamp(files))


@functools.lru_cache(maxsize=8)
def _shapes_graph(stamp: tuple) -> Graph:
    g = Graph()
    for path, _, _ in stamp:
        g.parse(path, format="turtle")
    return g


@functools.lru_cache(maxsize=8)
def _shape_families(stamp: tuple) -> dict[Node, str]:
    out: dict[Node, str] = {}
    for path, _, _ in stamp:
        g = Graph().parse(path, format="turtle")
        for cls in (SH.NodeShape, SH.PropertyShape):
            for s in g.subjects(RDF.type, cls):
                out[s] = path.stem
    return out


@functools.lru_cache(maxsize=8)
def _context_ntriples(stamp: tuple) -> str:
    onto = Graph()
    for name in ("jixiao.ttl", "vocab.ttl"):
        onto.parse(_data.ontology_dir() / name, format="turtle")
    ctx = Graph()
    for s, p, o in onto:
        if p in CONTEXT_PREDICATES or (p == RDF.type and o == SKOS.Concept):
            ctx.add((s, p, o))
    for s, p, o in _shapes_graph(stamp):
        if str(p).startswith(str(JXS)):
            ctx.add((s, p, o))
    return "".join(sorted(ctx.serialize(format="nt").splitlines(keepends=True)))


# -- one report --------------------------------------------------------------------------------


class _Lookup:
    """Reads labels and source spans of a report graph (and the context) from a pyoxigraph store,
    built on first use: a report without findings never builds it. With ``keep_bnode_labels`` the
    blank-node labels are kept, so another engine's report and the store name the same nodes."""

    def __init__(self, ntriples: bytes, context: bytes = b"", *, keep_bnode_labels: bool = True, lenient: bool = False):
        self._data = context + b"\n" + ntriples
        self._store: ox.Store | None = None
        self._keep = keep_bnode_labels
        self._lenient = lenient

    @property
    def store(self) -> ox.Store:
        if self._store is None:
            self._store = ox.Store()
            if self._keep:  # labels shared with another engine's report: parsed in Python, slower
                self._store.extend(ox.parse(self._data, format=ox.RdfFormat.N_TRIPLES, rename_blank_nodes=False))
            else:  # ``lenient`` skips IRI checks: only for data that comes out of a store already
                self._store.load(self._data, format=ox.RdfFormat.N_TRIPLES, lenient=self._lenient)
        return self._store

    def objects(self, s: Node, p: URIRef) -> list[Node]:
        if isinstance(s, Literal):
            return []
        return sorted((from_ox(q.object) for q in self.store.quads_for_pattern(to_ox(s), to_ox(p), None)), key=str)

    def first(self, s: Node, p: URIRef) -> Node | None:
        objs = self.objects(s, p)
        return objs[0] if objs else None

    def label(self, node: Node) -> str:
        if isinstance(node, Literal):
            return str(node)
        form = self.first(node, JX.statedForm)
        for p in LABEL_PREDICATES:
            for o in self.objects(node, p):
                if isinstance(o, Literal) and (o.language in (None, "zh")):
                    text = str(o)
                    if p == JX.counts and form is not None:
                        text = f"{text} {form}"
                    return text if len(text) <= 60 else text[:59] + "…"
        if form is not None:
            return str(form)
        row = self.first(node, JX.tableRow)
        if row is not None:
            return f"#{row}"
        return str(node).rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def span_ref(self, span: Node) -> SourceRef | None:
        """The span's file, offsets and quote; its context is filled in by ``with_contexts``."""
        pos = quote = None
        for sel in self.objects(span, OA.hasSelector):
            if self.first(sel, OA.start) is not None:
                pos = sel
            if self.first(sel, OA.exact) is not None:
                quote = sel
        if pos is None:
            return None
        try:
            start, end = int(self.first(pos, OA.start)), int(self.first(pos, OA.end))
        except (TypeError, ValueError):
            return None
        text = str(self.first(quote, OA.exact)) if quote is not None else ""
        file = self.first(self.first(span, OA.hasSource) or URIRef("urn:none"), JX.fileName)
        return SourceRef(str(file or ""), start, end, text)

    def sources(self, nodes: Iterable[Node]) -> tuple[SourceRef, ...]:
        refs: list[SourceRef] = []
        for node in nodes:
            for p in (JX.sourceSpan, JX.inferenceEvidence):
                for span in self.objects(node, p):
                    ref = self.span_ref(span)
                    if ref is not None and ref not in refs:
                        refs.append(ref)
        return tuple(refs)

    def contexts(self, refs: Iterable[SourceRef]) -> dict[tuple[int, int], tuple[int, str] | None]:
        """For each (start, end): the smallest other span of the graph containing it (shortest, then
        first; ties by quote), as (start, quote). One pass over the position selectors for all the
        report's findings; quotes are read only for the spans chosen."""
        keys = sorted({(r.start, r.end) for r in refs})
        if not keys:
            return {}
        store = self.store
        ends: dict = {}
        for q in store.quads_for_pattern(None, _OX_END, None):
            ends.setdefault(q.subject, []).append(q.object.value)
        selectors: list[tuple[int, int, object]] = []
        for q in store.quads_for_pattern(None, _OX_START, None):
            for end in ends.get(q.subject, ()):
                try:
                    selectors.append((int(q.object.value), int(end), q.subject))
                except ValueError:
                    continue
        selectors.sort(key=lambda t: (t[1] - t[0], t[0]))
        out: dict[tuple[int, int], tuple[int, str] | None] = {}
        for qs, qe in keys:
            out[(qs, qe)] = None
            best: tuple[int, int] | None = None
            spans: list[tuple[int, int, str, str]] = []
            for s, e, sel in selectors:
                if best is not None and (e - s, s) != best:
                    break
                if s <= qs and e >= qe and (s, e) != (qs, qe):
                    found = self._span_tuples(s, e, sel)
                    if found:
                        best = (e - s, s)
                        spans.extend(found)
            if spans:
                s, _, quote, _ = min(spans)
                out[(qs, qe)] = (s, quote)
        return out

    def _span_tuples(self, s: int, e: int, sel) -> list[tuple[int, int, str, str]]:
        """(start, end, quote, file) of each span that has this position selector, a quote selector
        and a source file."""
        out = []
        for link in self.store.quads_for_pattern(None, _OX_HAS_SELECTOR, sel):
            span = link.subject
            files = [q.object for q in self.store.quads_for_pattern(span, _OX_HAS_SOURCE, None)]
            if not files:
                continue
            names = [q.object.value for f in files for q in self.store.quads_for_pattern(f, _OX_FILE_NAME, None)]
            for other in self.store.quads_for_pattern(span, _OX_HAS_SELECTOR, None):
                for quote in self.store.quads_for_pattern(other.object, _OX_EXACT, None):
                    out.extend((s, e, quote.object.value, name) for name in (names or [""]))
        return out


_OX_START, _OX_END, _OX_EXACT = (ox.NamedNode(str(OA[n])) for n in ("start", "end", "exact"))
_OX_HAS_SELECTOR, _OX_HAS_SOURCE = ox.NamedNode(str(OA.hasSelector)), ox.NamedNode(str(OA.hasSource))
_OX_FILE_NAME = ox.NamedNode(str(JX.fileName))


def _template_lang(text: str, templates: Iterable[Node]) -> str | None:
    """The language of the sh:message template a message was made from (some engines drop the tag):
    the template whose fixed text, with each placeholder standing for any text, matches the message."""
    for tmpl in templates:
        if isinstance(tmpl, Literal) and tmpl.language:
            pattern = "(.*?)".join(re.escape(part) for part in PLACEHOLDER.split(str(tmpl)))
            if re.fullmatch(pattern, text, flags=re.DOTALL):
                return tmpl.language
    return None


def _lang_map(literals: Iterable[Node], templates: Iterable[Node] = ()) -> dict[str, str]:
    out: dict[str, str] = {}
    templates = list(templates)
    for lit in sorted(literals, key=str):
        if isinstance(lit, Literal):
            lang = lit.language or _template_lang(str(lit), templates) or "en"
            out.setdefault(lang, str(lit))
    for lang in LANGS:  # a message in one language only is shown in both
        if lang not in out and out:
            out[lang] = next(iter(out.values()))
    return out


def _findings(
    report: Graph, graph_iri: URIRef, lookup: _Lookup, shapes: Graph, families: dict[Node, str]
) -> list[Finding]:
    """One finding per group of results that agree on shape, focus, path, severity and message.

    A SPARQL constraint yields one result per solution; a shape that points at several nodes for one
    problem (ConflictingFigures: every statement of a figure) returns one solution per node with the
    same message, and they become one finding whose values and sources are the union."""
    groups: dict[tuple, list[Node]] = {}
    for result in report.objects(None, SH.result):
        key = (
            report.value(result, SH.sourceShape),
            report.value(result, SH.focusNode),
            report.value(result, SH.resultPath),
            report.value(result, SH.resultSeverity),
            tuple(
                sorted(
                    (str(m), m.language or "")
                    for m in report.objects(result, SH.resultMessage)
                    if isinstance(m, Literal)
                )
            ),
        )
        groups.setdefault(key, []).append(result)
    out = []
    for (shape, focus, path, severity, _), results in groups.items():
        first = results[0]
        value_nodes = sorted({v for r in results for v in report.objects(r, SH.value)} - {focus}, key=str)
        templates = list(shapes.objects(shape, SH.message))
        message = _lang_map(report.objects(first, SH.resultMessage), templates) or _lang_map(templates)
        others = sorted(lookup.sources(value_nodes), key=lambda ref: (ref.start, ref.end, ref.quote))
        focus_refs = lookup.sources([focus])
        out.append(
            Finding(
                severity=str(severity).rsplit("#", 1)[-1],
                shape=shape,
                family=families.get(shape, ""),
                shape_name=_lang_map(shapes.objects(shape, SH.name)),
                message=message,
                focus=focus,
                focus_label=lookup.label(focus),
                path=path if isinstance(path, URIRef) else None,
                values=tuple(lookup.label(v) for v in value_nodes),
                graph=graph_iri,
                sources=focus_refs + tuple(ref for ref in others if ref not in focus_refs),
                component=report.value(first, SH.sourceConstraintComponent),
            )
        )
    contexts = lookup.contexts(ref for f in out for ref in f.sources)
    return [
        replace(f, sources=tuple(_with_context(ref, contexts) for ref in f.sources)) if f.sources else f for f in out
    ]


def _with_context(ref: SourceRef, contexts: dict[tuple[int, int], tuple[int, str] | None]) -> SourceRef:
    ctx = contexts.get((ref.start, ref.end))
    return ref if ctx is None else replace(ref, context_start=ctx[0], context=ctx[1])


class _Worker:
    """Per process: the shapes graph parsed (and compiled, for turbo) once; see ``_worker``."""

    def __init__(self, engine: str, files: tuple[Path, ...]):
        if engine not in ENGINES:
            raise UsageError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
        self.engine = engine
        self.files = files
        self.shapes = shapes_graph(files)
        self.families = shape_families(files)
        self.context_text = context_ntriples(files)
        self.context = self.context_text.encode("utf-8")
        if engine == "turbo":
            import pyshacl_turbo

            self.compiled = pyshacl_turbo.compile_shapes(self.shapes)
        elif engine == "sparql":
            from jixiao.shacl_sparql import Compiler

            hierarchy = Graph().parse(data=self.context_text, format="nt").subject_objects(RDFS.subClassOf)
            self.checks = Compiler(self.shapes, ((str(a), str(b)) for a, b in hierarchy)).compile()

    def run(self, graph_iri: str, ntriples: bytes, *, from_store: bool = False) -> list[Finding]:
        """The findings of one report graph; ``from_store``: the N-Triples were dumped by Oxigraph
        (already checked when they were loaded, so parsed without IRI validation)."""
        if self.engine == "sparql":
            # report and context in one in-memory store; each check is one query over all its focus nodes
            from jixiao.shacl_sparql import evaluate, report_graph

            # blank-node labels kept only when there are any (the fast loader renames them at random)
            lookup = _Lookup(ntriples, self.context, keep_bnode_labels=b"_:" in ntriples, lenient=from_store)
            rows = evaluate(self.checks, lookup.store)
            return _findings(report_graph(rows), URIRef(graph_iri), lookup, self.shapes, self.families) if rows else []
        if self.engine == "turbo":
            # N-Triples text straight to the Rust parser: the cheapest input pyshacl-turbo accepts (a
            # pyoxigraph Store is dumped to N-Quads and re-parsed; an rdflib Graph goes through Python).
            from pyshacl_turbo.rdf import Input

            data = Input(self.context_text + "\n" + ntriples.decode("utf-8"), "nt", None, {}, preserve_ids=True)
            _, report, _ = self.compiled.validate(data, allow_infos=True, allow_warnings=False)
        else:
            import pyshacl

            graph = Graph().parse(data=self.context + b"\n" + ntriples, format="nt")
            _, report, _ = pyshacl.validate(
                graph, shacl_graph=self.shapes, inplace=True, allow_infos=True, allow_warnings=False
            )
        return _findings(report, URIRef(graph_iri), _Lookup(ntriples, self.context), self.shapes, self.families)


_WORKERS: dict[tuple, _Worker] = {}


def _worker(engine: str, files: tuple[Path, ...]) -> _Worker:
    """The process's worker for these shapes files, compiled once and kept while the files' mtimes
    and sizes stay the same (pool processes forked later inherit it)."""
    key = (engine, _stamp(files))
    if key not in _WORKERS:
        if engine not in ENGINES:
            raise UsageError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
        for old in [k for k in _WORKERS if k[0] == engine and [f for f, _, _ in k[1]] == list(files)]:
            del _WORKERS[old]  # an edited shapes file replaces its old entry
        _WORKERS[key] = _Worker(engine, files)
    return _WORKERS[key]


_WORKER: _Worker | None = None


_STORES: dict[str, ox.Store] = {}  # stores opened read-only by this process, by path


def _read_graph(store_path: str | None, iri: str) -> bytes:
    """A report graph as N-Triples, read by this process from the store at ``store_path``."""
    if store_path is None:
        raise ValueError(f"no data and no store for {iri}")
    if store_path not in _STORES:
        _STORES[store_path] = ox.Store.read_only(store_path)
    return _STORES[store_path].dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(iri))


_STORE_PATH: str | None = None


class NotContiguous(ValueError):
    """An N-Quads file is not one block of lines per graph (or a line could not be split)."""


_IRI_BODY = re.compile(rb'[^<>"{}|^`\\\x00-\x20]+')


@dataclass(frozen=True)
class GraphRange:
    """The lines of one named graph in an N-Quads file written one graph at a time: bytes
    ``start``..``end`` of ``path``, every line ending `` <graph> .``. Read by the worker that
    validates it, so the parent passes a few bytes per report, not the report."""

    path: str
    start: int
    end: int
    graph: str

    def read(self) -> bytes:
        """The graph's triples as N-Triples: `` <graph> .`` line ends become `` .`` (literals escape
        their line breaks, so that suffix followed by a line break only ends lines). A line of
        another graph inside the range keeps its graph term, which the N-Triples parser refuses."""
        with open(self.path, "rb") as fh:
            fh.seek(self.start)
            block = fh.read(self.end - self.start)
        return block.replace(b" <" + self.graph.encode() + b"> .\n", b" .\n")


def graph_ranges(path: Path, window: int = 1 << 18) -> Iterator[GraphRange]:
    """The named graphs of an N-Quads file written one graph at a time (as ``jixiao ingest --out``
    writes it), found by searching bytes: a graph's block runs from its first line to the last line
    ending `` <graph> .`` that follows without a gap of other lines (searched ``window`` bytes, and
    at least one line, at a time). Raises NotContiguous if a line does not end with an IRI graph
    term or a graph comes back after another (a line of another graph inside a block makes the
    reader's N-Triples unparsable)."""
    import mmap

    seen: set[bytes] = set()
    with open(path, "rb") as fh:
        if fh.seek(0, 2) == 0:
            return
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            n, pos, released = len(mm), 0, 0
            while pos < n:
                if pos - released > 1 << 26 and hasattr(mmap, "MADV_DONTNEED"):
                    # pages already scanned leave this process (the file stays in the page cache)
                    upto = pos - pos % mmap.PAGESIZE
                    mm.madvise(mmap.MADV_DONTNEED, 0, upto)
                    released = upto
                eol = mm.find(b"\n", pos)
                eol = n if eol < 0 else eol
                line = mm[pos:eol].rstrip()
                if not line or line.startswith(b"#"):
                    pos = eol + 1
                    continue
                if not line.endswith(b"> .") or eol == n:
                    raise NotContiguous(f"{path}: a line at byte {pos} does not end with a graph IRI")
                j = line.rfind(b" <", 0, len(line) - 2)
                graph = line[j + 2 : -3]
                if j < 0 or not _IRI_BODY.fullmatch(graph) or graph in seen:
                    raise NotContiguous(f"{path}: no graph IRI at byte {pos}, or a graph that came back")
                seen.add(graph)
                tail = b" <" + graph + b"> .\n"
                end = eol + 1
                while end < n:
                    # the region holds at least the next whole line: if that is not the graph's, stop
                    nxt = mm.find(b"\n", end)
                    k = mm.rfind(tail, end, max(min(n, end + window), n if nxt < 0 else nxt + 1))
                    if k < 0:
                        break
                    end = k + len(tail)
                yield GraphRange(str(path), pos, end, graph.decode())
                pos = end


def _init_worker(engine: str, files: tuple[Path, ...], store_path: str | None = None) -> None:
    global _WORKER, _STORE_PATH
    _WORKER = _worker(engine, files)
    _STORE_PATH = store_path


def _run_one(item: tuple[str, bytes | GraphRange | None]) -> list[Finding]:
    """One report; without its data, the worker reads the graph from the store itself (in parallel,
    and no graph is copied between processes)."""
    assert _WORKER is not None
    iri, data = item
    return _validate_one(_WORKER, iri, data, _STORE_PATH)


def _validate_one(worker: _Worker, iri: str, data: bytes | GraphRange | None, store_path: str | None) -> list[Finding]:
    """One report, given as N-Triples, as a range of a corpus file, or (None) read from the store."""
    if data is None:
        return worker.run(iri, _read_graph(store_path, iri), from_store=True)
    return worker.run(iri, data.read() if isinstance(data, GraphRange) else data)


def _dask_task(item: tuple[str, tuple[str, ...] | None, str | None, str, bytes | GraphRange | None]):
    """One report on a Dask worker: the shapes are found and compiled by the worker itself, once per
    process (``_worker`` keeps them), from the families named, so no path of the client is needed."""
    engine, families, store_path, iri, data = item
    return _validate_one(_worker(engine, tuple(shape_files(families))), iri, data, store_path)


def _run_all(
    work: Iterable[tuple[str, bytes | GraphRange | None]],
    engine: str,
    jobs: int,
    files: tuple[Path, ...],
    result: ValidationResult,
    store_path: str | None = None,
    progress: Callable[[int], object] | None = None,
    cluster=None,
    families: tuple[str, ...] | None = None,
) -> None:
    """Validate each item (graph IRI, N-Triples) into ``result``; with jobs > 1 in a process pool
    initialised once with the compiled shapes, never holding more than a few graphs at a time; with
    ``cluster`` (a ``distributed.Client``) as one Dask task per report, results in input order.
    ``progress(1)`` is called as each report is done."""
    done = progress or (lambda n: None)
    worker = _worker(engine, files)  # fails early on a bad engine; forked workers inherit it
    if cluster is not None:
        from jixiao.dask_cluster import ordered_map

        tasks = ((engine, families, store_path, iri, data) for iri, data in work)
        for findings in ordered_map(cluster, _dask_task, tasks):
            result.findings.extend(findings)
            result.reports += 1
            done(1)
        return
    work = iter(work)
    head = list(islice(work, 2))
    work = chain(head, work)
    if jobs <= 1 or len(head) < 2:
        for iri, data in work:
            result.findings.extend(_validate_one(worker, iri, data, store_path))
            result.reports += 1
            done(1)
        return
    window = jobs * 2
    found: dict[int, list[Finding]] = {}  # by input position: the same order as a serial run
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(engine, files, store_path)) as pool:
        pending: dict[Future, int] = {}
        for i, item in enumerate(work):
            if len(pending) >= window:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    found[pending.pop(fut)] = fut.result()
                    done(1)
            pending[pool.submit(_run_one, item)] = i
            result.reports += 1
        for fut, i in pending.items():
            found[i] = fut.result()
            done(1)
    for i in sorted(found):
        result.findings.extend(found[i])


# -- public API --------------------------------------------------------------------------------


def ntriples_of(graph: Graph) -> bytes:
    out = graph.serialize(format="nt", encoding="utf-8")
    return out if isinstance(out, bytes) else out.encode("utf-8")


def validate_ntriples(
    items: Iterable[tuple[URIRef, bytes | GraphRange]],
    *,
    engine: str = "sparql",
    jobs: int = 1,
    families: Iterable[str] | None = None,
    progress: Callable[[int], object] | None = None,
    cluster=None,
) -> ValidationResult:
    """Validate report graphs given as N-Triples bytes, or as ranges of an N-Quads file each worker
    reads itself (one item per report graph). ``progress(1)`` is called as each report is done.
    ``cluster``: a ``distributed.Client`` to run them on (jixiao.dask_cluster) instead of ``jobs``
    local processes."""
    families = tuple(families) if families is not None else None
    files = tuple(shape_files(families))
    result = ValidationResult(engine=engine)
    _run_all(
        ((str(iri), data) for iri, data in items),
        engine,
        jobs,
        files,
        result,
        progress=progress,
        cluster=cluster,
        families=families,
    )
    result.findings.sort(key=Finding.sort_key)
    return result


def validate_graphs(
    graphs: Iterable[tuple[URIRef, Graph]],
    *,
    engine: str = "sparql",
    jobs: int = 1,
    families: Iterable[str] | None = None,
) -> ValidationResult:
    """Validate report graphs: (named-graph IRI, rdflib Graph) pairs, each on its own."""
    return validate_ntriples(((iri, ntriples_of(g)) for iri, g in graphs), engine=engine, jobs=jobs, families=families)


def store_ntriples(store, graph_iris: Iterable[URIRef] | None = None) -> Iterator[tuple[URIRef, bytes]]:
    """Graphs of a GraphStore (default: its report graphs) as N-Triples, one at a time, without rdflib."""
    if graph_iris is None:
        graph_iris = [iri for iri in store.graphs() if str(iri).endswith("/graph")]
    for iri in graph_iris:
        yield iri, store.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(iri)))


def validate_store(
    store_or_path,
    *,
    engine: str = "sparql",
    jobs: int = 1,
    families: Iterable[str] | None = None,
    graphs: Iterable[URIRef] | None = None,
    progress: Callable[[int], object] | None = None,
    cluster=None,
) -> ValidationResult:
    """Validate every report graph of a store (a GraphStore, or the directory of one, opened
    read-only), streaming the graphs one at a time: memory stays flat in the number of reports.
    ``graphs``: these named graphs instead of the report graphs. ``cluster``: see validate_ntriples
    (the workers open the store read-only themselves: the same path on every node)."""
    from jixiao.store import GraphStore

    store = store_or_path if isinstance(store_or_path, GraphStore) else GraphStore(store_or_path, read_only=True)
    if graphs is None:
        graphs = [iri for iri in store.graphs() if str(iri).endswith("/graph")]
    graphs = list(graphs)
    if store.path is None or (jobs <= 1 and cluster is None):
        return validate_ntriples(
            store_ntriples(store, graphs),
            engine=engine,
            jobs=jobs,
            families=families,
            progress=progress,
            cluster=cluster,
        )
    # on disk, in parallel: each worker opens the store read-only and reads its own graphs
    families = tuple(families) if families is not None else None
    files = tuple(shape_files(families))
    result = ValidationResult(engine=engine)
    _run_all(
        [(str(iri), None) for iri in graphs],
        engine,
        jobs,
        files,
        result,
        store_path=str(store.path.resolve()),
        progress=progress,
        cluster=cluster,
        families=families,
    )
    result.findings.sort(key=Finding.sort_key)
    return result
