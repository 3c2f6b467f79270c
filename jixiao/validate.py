"""Validate report graphs against the SHACL shapes in shapes/ (docs/decisions/0003-validation-engine.md).

Each report's named graph is validated on its own, together with a small *context* graph: the
ontology's class and concept hierarchy (rdfs:subClassOf, skos:broader, skos:inScheme, labels) and
the shapes' parameter triples (jxs:threshold, jxs:roundingTolerance), which SPARQL constraints read
through ``$currentShape``. Reports are independent, so they run in parallel processes.

Engines: ``pyshacl`` (the reference) and ``turbo`` (pyshacl-turbo, a Rust engine with the pySHACL
API). Both receive the same data and shapes and must give the same findings (tests check it).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS
from rdflib.term import Node

from jixiao.errors import UsageError
from jixiao.ns import JX
from jixiao.paths import ONTOLOGY_DIR, SHAPES_DIR

JXS = Namespace("https://w3id.org/jixiao/shapes#")
OA = Namespace("http://www.w3.org/ns/oa#")
ENGINES = ("pyshacl", "turbo")
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
        return (SEVERITIES.index(self.severity), str(self.graph), self.family, str(self.shape),
                str(self.focus), str(self.path or ""), self.values)


@dataclass
class ValidationResult:
    findings: list[Finding] = field(default_factory=list)
    reports: int = 0
    engine: str = "pyshacl"

    @property
    def conforms(self) -> bool:
        """Conforms when nothing but Info was found (Info marks inferences, not problems)."""
        return not any(f.severity in ("Violation", "Warning") for f in self.findings)

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for f in self.findings if f.severity == s) for s in SEVERITIES}


# -- shapes and context ------------------------------------------------------------------------

def shape_files(families: Iterable[str] | None = None, shapes_dir: Path = SHAPES_DIR) -> list[Path]:
    """The shapes files (prefixes.ttl always included), optionally only some families."""
    files = sorted(p for p in shapes_dir.glob("*.ttl") if p.name != PREFIX_FILE)
    if families is not None:
        wanted = set(families)
        files = [p for p in files if p.stem in wanted]
    return [shapes_dir / PREFIX_FILE, *files]


@functools.lru_cache(maxsize=8)
def shapes_graph(files: tuple[Path, ...] | None = None) -> Graph:
    g = Graph()
    for path in files or tuple(shape_files()):
        g.parse(path, format="turtle")
    return g


@functools.lru_cache(maxsize=8)
def shape_families(files: tuple[Path, ...] | None = None) -> dict[Node, str]:
    """Each shape (node and property shapes) → the stem of the file that declares it."""
    out: dict[Node, str] = {}
    for path in files or tuple(shape_files()):
        g = Graph().parse(path, format="turtle")
        for cls in (SH.NodeShape, SH.PropertyShape):
            for s in g.subjects(RDF.type, cls):
                out[s] = path.stem
    return out


@functools.lru_cache(maxsize=8)
def context_ntriples(files: tuple[Path, ...] | None = None) -> str:
    """The context merged into every data graph: ontology hierarchy and labels, shape parameters."""
    onto = Graph()
    for name in ("jixiao.ttl", "vocab.ttl"):
        onto.parse(ONTOLOGY_DIR / name, format="turtle")
    ctx = Graph()
    for s, p, o in onto:
        if p in CONTEXT_PREDICATES or (p == RDF.type and o == SKOS.Concept):
            ctx.add((s, p, o))
    for s, p, o in shapes_graph(files):
        if str(p).startswith(str(JXS)):
            ctx.add((s, p, o))
    return "".join(sorted(ctx.serialize(format="nt").splitlines(keepends=True)))


# -- one report --------------------------------------------------------------------------------

def _ox_to_rdflib(term) -> Node:
    from jixiao.store import from_ox

    return from_ox(term)


class _Lookup:
    """Reads labels and source spans of a report graph (a pyoxigraph store, fast for both engines)."""

    def __init__(self, store: ox.Store):
        self.store = store
        self._spans: list[tuple[int, int, str, str]] | None = None

    def objects(self, s: Node, p: URIRef) -> list[Node]:
        if isinstance(s, Literal):
            return []
        from jixiao.store import to_ox

        return sorted((_ox_to_rdflib(q.object) for q in self.store.quads_for_pattern(to_ox(s), to_ox(p), None)),
                      key=str)

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

    def all_spans(self) -> list[tuple[int, int, str, str]]:
        if self._spans is None:
            rows = self.store.query(
                "PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX jx: <https://w3id.org/jixiao/def#> "
                "SELECT ?s ?e ?q ?f WHERE { ?span oa:hasSelector ?p , ?x ; oa:hasSource ?file . "
                "?p oa:start ?s ; oa:end ?e . ?x oa:exact ?q . OPTIONAL { ?file jx:fileName ?f } }")
            self._spans = sorted({(int(r["s"].value), int(r["e"].value), r["q"].value,
                                   r["f"].value if r["f"] is not None else "") for r in rows})
        return self._spans

    def span_ref(self, span: Node) -> SourceRef | None:
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
        context = [(s, e, q) for s, e, q, _ in self.all_spans()
                   if s <= start and e >= end and (s, e) != (start, end)]
        ctx = min(context, key=lambda t: (t[1] - t[0], t[0]), default=None)
        return SourceRef(str(file or ""), start, end, text,
                         ctx[0] if ctx else None, ctx[2] if ctx else None)

    def sources(self, nodes: Iterable[Node]) -> tuple[SourceRef, ...]:
        refs: list[SourceRef] = []
        for node in nodes:
            for p in (JX.sourceSpan, JX.inferenceEvidence):
                for span in self.objects(node, p):
                    ref = self.span_ref(span)
                    if ref is not None and ref not in refs:
                        refs.append(ref)
        return tuple(refs)


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


def _findings(report: Graph, graph_iri: URIRef, lookup: _Lookup, shapes: Graph,
              families: dict[Node, str]) -> list[Finding]:
    """One finding per group of results that agree on shape, focus, path, severity and message.

    A SPARQL constraint yields one result per solution; a shape that points at several nodes for one
    problem (ConflictingFigures: every statement of a figure) returns one solution per node with the
    same message, and they become one finding whose values and sources are the union."""
    groups: dict[tuple, list[Node]] = {}
    for result in report.objects(None, SH.result):
        key = (report.value(result, SH.sourceShape), report.value(result, SH.focusNode),
               report.value(result, SH.resultPath), report.value(result, SH.resultSeverity),
               tuple(sorted((str(m), m.language or "") for m in report.objects(result, SH.resultMessage)
                            if isinstance(m, Literal))))
        groups.setdefault(key, []).append(result)
    out = []
    for (shape, focus, path, severity, _), results in groups.items():
        first = results[0]
        value_nodes = sorted({v for r in results for v in report.objects(r, SH.value)} - {focus}, key=str)
        templates = list(shapes.objects(shape, SH.message))
        message = _lang_map(report.objects(first, SH.resultMessage), templates) or _lang_map(templates)
        others = sorted(lookup.sources(value_nodes), key=lambda ref: (ref.start, ref.end, ref.quote))
        focus_refs = lookup.sources([focus])
        out.append(Finding(
            severity=str(severity).rsplit("#", 1)[-1], shape=shape, family=families.get(shape, ""),
            shape_name=_lang_map(shapes.objects(shape, SH.name)), message=message,
            focus=focus, focus_label=lookup.label(focus),
            path=path if isinstance(path, URIRef) else None,
            values=tuple(lookup.label(v) for v in value_nodes), graph=graph_iri,
            sources=focus_refs + tuple(ref for ref in others if ref not in focus_refs),
            component=report.value(first, SH.sourceConstraintComponent),
        ))
    return out


class _Worker:
    """Per process: the shapes graph parsed (and compiled, for turbo) once."""

    def __init__(self, engine: str, files: tuple[Path, ...]):
        if engine not in ENGINES:
            raise UsageError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
        self.engine = engine
        self.files = files
        self.shapes = shapes_graph(files)
        self.families = shape_families(files)
        self.context = context_ntriples(files).encode("utf-8")
        if engine == "turbo":
            import pyshacl_turbo

            self.compiled = pyshacl_turbo.compile_shapes(self.shapes)

    def run(self, graph_iri: str, ntriples: bytes) -> list[Finding]:
        store = ox.Store()
        store.bulk_load(self.context + b"\n" + ntriples, format=ox.RdfFormat.N_TRIPLES)
        if self.engine == "turbo":
            _, report, _ = self.compiled.validate(store, allow_infos=True, allow_warnings=False)
        else:
            import pyshacl

            data = Graph().parse(data=self.context + b"\n" + ntriples, format="nt")
            _, report, _ = pyshacl.validate(data, shacl_graph=self.shapes, inplace=True, allow_infos=True,
                                            allow_warnings=False)
        return _findings(report, URIRef(graph_iri), _Lookup(store), self.shapes, self.families)


_WORKER: _Worker | None = None


def _init_worker(engine: str, files: tuple[Path, ...]) -> None:
    global _WORKER
    _WORKER = _Worker(engine, files)


def _run_one(item: tuple[str, bytes]) -> list[Finding]:
    assert _WORKER is not None
    return _WORKER.run(*item)


# -- public API --------------------------------------------------------------------------------

def ntriples_of(graph: Graph) -> bytes:
    out = graph.serialize(format="nt", encoding="utf-8")
    return out if isinstance(out, bytes) else out.encode("utf-8")


def validate_ntriples(items: Iterable[tuple[URIRef, bytes]], *, engine: str = "pyshacl", jobs: int = 1,
                      families: Iterable[str] | None = None) -> ValidationResult:
    """Validate report graphs given as N-Triples bytes (one item per report graph)."""
    files = tuple(shape_files(families))
    work = [(str(iri), data) for iri, data in items]
    result = ValidationResult(reports=len(work), engine=engine)
    if jobs <= 1 or len(work) <= 1:
        worker = _Worker(engine, files)
        batches: Iterator[list[Finding]] = (worker.run(*item) for item in work)
        for found in batches:
            result.findings.extend(found)
    else:
        _Worker(engine, files)  # fail early on a bad engine, before forking
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(engine, files)) as pool:
            chunk = max(1, len(work) // (jobs * 8))
            for found in pool.map(_run_one, work, chunksize=chunk):
                result.findings.extend(found)
    result.findings.sort(key=Finding.sort_key)
    return result


def validate_graphs(graphs: Iterable[tuple[URIRef, Graph]], *, engine: str = "pyshacl", jobs: int = 1,
                    families: Iterable[str] | None = None) -> ValidationResult:
    """Validate report graphs: (named-graph IRI, rdflib Graph) pairs, each on its own."""
    return validate_ntriples(((iri, ntriples_of(g)) for iri, g in graphs), engine=engine, jobs=jobs,
                             families=families)


def store_ntriples(store, graph_iris: Iterable[URIRef] | None = None) -> Iterator[tuple[URIRef, bytes]]:
    """Report graphs of a GraphStore as N-Triples, without going through rdflib."""
    for iri in graph_iris if graph_iris is not None else store.graphs():
        if str(iri).endswith("/graph"):
            yield iri, store.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(iri)))
