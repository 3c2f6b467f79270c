"""The query library (queries/*.rq) and the one function that runs a query anywhere.

Each ``.rq`` file starts with a grlc-style comment header and stays plain SPARQL 1.1::

    #+ title_zh: 指标完成值远超指标值
    #+ title_en: Indicators whose target looks too low
    #+ description: ...
    #+ params:
    #+   - name: threshold
    #+     type: xsd:decimal
    #+     default: 1.5
    #+     description: actual / target above this ratio
    #+ example: jixiao query targets-too-low --param threshold=2
    #+ problems: true

A parameter ``name`` is the query variable ``?name``; it must be projected by the top-level
SELECT (pyoxigraph's substitutions, SEP-0007, only bind projected variables). Values are checked
against the declared type and become RDF terms, which the engine binds:

* rdflib: ``initBindings``;
* pyoxigraph and a remote endpoint: a ``VALUES`` block serialised from the terms (:func:`bind_values`)
  as the first element of the WHERE group (for pyoxigraph much faster than ``substitutions``, which
  Oxigraph 0.5 applies without planning around them).

User text is never pasted into query text.

Writing fast library queries for the embedded store (Oxigraph 0.5, in memory or on disk): a join with a
single triple pattern is a lookup per row, but an OPTIONAL (or sub-select, or UNION) of several patterns
(a path ``a/b`` counts as two) is evaluated on its own over the whole store, then joined. When such an
OPTIONAL would start from every source span or figure of the store, repeat a selective pattern of the
row in it, on the same variables (``OPTIONAL { ?s a jx:Section ; jx:sourceSpan/oa:hasSelector/oa:start
?start }``): the same rows for a fraction of the work. The planner takes a pattern with a fixed object
first and, between equals, the first written (``?f jx:budgetPhase jxv:phase_cut ; a jx:BudgetFigure``).
A FILTER moves below an OPTIONAL only when all its variables are surely bound (BIND a COALESCE first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import SKOS, XSD
from rdflib.term import Node

from jixiao import data as _data
from jixiao import iris
from jixiao.errors import JixiaoError, UsageError
from jixiao.ns import JX, JXV
from jixiao.rdfutil import from_ox, from_ox_memoised
from jixiao.sparqltext import skip_opaque
from jixiao.store import GraphStore

if TYPE_CHECKING:
    import pandas as pd

XSD_NS = str(XSD)
PARAM_TYPES = ("xsd:string", "xsd:decimal", "xsd:integer", "xsd:boolean", "xsd:gYear", "xsd:anyURI")
_HEADER_KEYS = {"title_zh", "title_en", "description", "params", "example", "problems"}
_PARAM_KEYS = {"name", "type", "default", "description", "required"}
CURIE_PREFIXES = {"jx": str(JX), "jxv": str(JXV), "jxd": iris.BASE}
_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None = None
    description: str = ""
    required: bool = False


@dataclass(frozen=True)
class LibraryQuery:
    name: str
    path: Path
    text: str
    title_zh: str
    title_en: str
    description: str
    params: tuple[Param, ...] = ()
    example: str = ""
    problems: bool = False
    extra: dict = field(default_factory=dict)

    def title(self, lang: str = "zh") -> str:
        return self.title_en if lang == "en" else self.title_zh


# -- header ------------------------------------------------------------------------------------
def parse_header(text: str, path: Path | str = "<query>") -> dict:
    """Read the ``#+`` comment lines at the top of a query into a dict (params as a list)."""
    header: dict = {}
    params: list[dict] | None = None
    for n, line in enumerate(text.splitlines(), 1):
        if not line.startswith("#+"):
            if line.strip() and not line.lstrip().startswith("#"):
                break
            continue
        body = line[2:]
        indent = len(body) - len(body.lstrip())
        body = body.strip()
        if not body:
            continue
        if params is not None and indent > 1:
            if body.startswith("- "):
                params.append({})
                body = body[2:].strip()
            if not params:
                raise JixiaoError("parameter line before '- name:'", file=path, where=f"line {n}")
            key, _, value = body.partition(":")
            if key.strip() not in _PARAM_KEYS:
                raise JixiaoError(f"unknown parameter key {key.strip()!r}", file=path, where=f"line {n}")
            params[-1][key.strip()] = value.strip()
            continue
        key, sep, value = body.partition(":")
        key = key.strip()
        if not sep or key not in _HEADER_KEYS:
            raise JixiaoError(f"unknown header line {body!r}", file=path, where=f"line {n}")
        if key == "params":
            params = header.setdefault("params", [])
        else:
            params = None
            header[key] = value.strip()
    return header


def _param(d: dict, path: Path) -> Param:
    if "name" not in d or "type" not in d:
        raise JixiaoError("a parameter needs name and type", file=path)
    if d["type"] not in PARAM_TYPES:
        raise JixiaoError(f"parameter {d['name']}: type {d['type']} not one of {', '.join(PARAM_TYPES)}", file=path)
    default = d.get("default")
    return Param(
        d["name"],
        d["type"],
        None if default in (None, "") else default,
        d.get("description", ""),
        d.get("required", "").lower() == "true",
    )


def read_query(path: Path) -> LibraryQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read query: {exc}", file=path) from exc
    h = parse_header(text, path)
    return LibraryQuery(
        name=path.stem,
        path=path,
        text=text,
        title_zh=h.get("title_zh", path.stem),
        title_en=h.get("title_en", path.stem),
        description=h.get("description", ""),
        params=tuple(_param(p, path) for p in h.get("params", [])),
        example=h.get("example", ""),
        problems=h.get("problems", "").lower() == "true",
    )


def library(directory: Path | None = None) -> list[LibraryQuery]:
    directory = directory or _data.queries_dir()
    return [read_query(p) for p in sorted(directory.glob("*.rq"))]


def load(name_or_path: str | Path) -> LibraryQuery:
    """A library query by name (``budget-execution``) or any ``.rq`` file by path. A library name
    wins over a file or directory of that name in the working directory (``jixiao query reports``
    beside a ``reports/`` folder of texts)."""
    p = Path(name_or_path)
    named = _data.queries_dir() / f"{name_or_path}.rq"
    if isinstance(name_or_path, str) and re.fullmatch(r"[A-Za-z0-9_-]+", name_or_path) and named.is_file():
        return read_query(named)
    if p.suffix == ".rq" or p.exists():
        if not p.is_file():
            raise UsageError(f"no query file {p}")
        return read_query(p)
    lib = _data.queries_dir() / f"{name_or_path}.rq"
    if not lib.is_file():
        known = ", ".join(q.name for q in library())
        raise UsageError(f"no library query {name_or_path!r} (known: {known})")
    return read_query(lib)


# -- parameters --------------------------------------------------------------------------------
def coerce(param: Param, raw: str) -> Node:
    """The RDF term for ``raw`` under the declared type; UsageError when it does not fit."""
    t = param.type
    shown = raw if len(raw) <= 60 else raw[:60] + "…"
    bad = UsageError(f"parameter {param.name}={shown!r} is not a valid {t}")
    if t == "xsd:string":
        return Literal(raw)
    if t == "xsd:decimal":
        try:
            d = Decimal(raw.strip())
        except InvalidOperation:
            raise bad from None
        if not d.is_finite() or "e" in raw.lower():
            raise bad
        lexical = format(d.normalize(), "f")
        whole, _, frac = lexical.lstrip("-").partition(".")
        if len(whole) > 20 or len(frac) > 18:  # what Oxigraph's xsd:decimal holds
            raise UsageError(
                f"parameter {param.name}={shown!r}: out of range (at most 20 digits before the point, 18 after)"
            )
        return Literal(lexical, datatype=XSD.decimal)
    if t == "xsd:integer":
        m = re.fullmatch(r"([+-]?)0*(\d+)", raw.strip())
        if not m:
            raise bad
        if len(m.group(2)) > 18:  # Oxigraph's xsd:integer is 64-bit; int() refuses 4,300+ digits
            raise UsageError(f"parameter {param.name}={shown!r}: out of range (at most 18 digits)")
        return Literal(str(int(m.group(1) + m.group(2))), datatype=XSD.integer)
    if t == "xsd:boolean":
        if raw.strip().lower() not in ("true", "false", "1", "0"):
            raise bad
        return Literal(raw.strip().lower() in ("true", "1"))
    if t == "xsd:gYear":
        if not re.fullmatch(r"\d{4}", raw.strip()):
            raise bad
        return Literal(raw.strip(), datatype=XSD.gYear)
    if t == "xsd:anyURI":
        prefix, _, local = raw.partition(":")
        if prefix in CURIE_PREFIXES and re.fullmatch(r"[A-Za-z0-9_.-]*", local):
            raw = CURIE_PREFIXES[prefix] + local
        if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", raw) or _IRI_BAD.search(raw):
            raise bad
        return URIRef(raw)
    raise bad


def bindings(query: LibraryQuery, params: dict[str, str] | None) -> dict[str, Node]:
    """Declared parameters → terms: given values checked, defaults filled, unknown names refused."""
    params = dict(params or {})
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(params) - set(declared))
    if unknown:
        names = ", ".join(declared) or "none"
        raise UsageError(f"query {query.name} has no parameter {', '.join(unknown)} (parameters: {names})")
    out: dict[str, Node] = {}
    for p in query.params:
        raw = params.get(p.name, p.default)
        if raw is None and p.required:
            raise UsageError(f"query {query.name} needs --param {p.name}=… ({p.description or p.type})")
        if raw is None:
            continue  # optional filter left open: the variable stays unbound
        out[p.name] = coerce(p, str(raw))
    return out


def term_n3(term: Node) -> str:
    """A term in SPARQL syntax: an IRI checked for forbidden characters, a literal escaped by rdflib."""
    if isinstance(term, URIRef):
        if _IRI_BAD.search(str(term)):
            raise UsageError(f"not a valid IRI: {term!r}")
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    raise UsageError(f"cannot bind {term!r}")


def _where_brace(text: str) -> int:
    """Index of the ``{`` that opens the top-level WHERE group, skipping comments, strings and IRIs."""
    i, n, depth, first_group = 0, len(text), 0, None
    saw_construct = saw_where = False
    word = re.compile(r"[A-Za-z_]+")
    while i < n:
        end = skip_opaque(text, i)
        if end is not None:  # a comment, string or IRI
            i = end
            continue
        c = text[i]
        if c == "?" or c == "$":
            m = word.match(text, i + 1)
            i = m.end() if m else i + 1
            continue
        m = word.match(text, i)
        if m:
            w = m.group().upper()
            if depth == 0 and w == "CONSTRUCT":
                saw_construct = True
            if depth == 0 and w == "WHERE":
                saw_where = True
            i = m.end()
            continue
        if c == "{":
            if depth == 0 and (saw_where or not saw_construct):
                return i
            if depth == 0 and first_group is None:
                first_group = i
            depth += 1
        elif c == "}":
            depth -= 1
        i += 1
    raise UsageError("cannot find the WHERE group of the query")


def bind_values(text: str, terms: dict[str, Node]) -> str:
    """The query with a ``VALUES`` block for ``terms`` as the first element of its WHERE group.

    Safe for untrusted values: each value is an RDF term serialised by :func:`term_n3` (IRIs
    checked for every character IRIREF forbids, literals escaped by rdflib's N-Triples writer),
    so a value can never close the literal or the block it sits in; the names come from the
    query's own header, not from the caller.
    """
    if not terms:
        return text
    names = sorted(terms)
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise UsageError(f"bad variable name {name!r}")
    at = _where_brace(text) + 1
    # An xsd:decimal is bound by a BIND of STRDT, not as a VALUES constant: Virtuoso 7.2 gives a
    # constant decimal projected beside an ORDER BY a sort column of scale 0 and fails the whole
    # query ("SR128: Numeric value out of range"); a computed one is stored as it is. Same value and
    # datatype everywhere (tests/test_virtuoso.py runs the library there).
    decimal = [n for n in names if isinstance(terms[n], Literal) and terms[n].datatype == XSD.decimal]
    plain = [n for n in names if n not in decimal]
    block = " "
    if plain:
        block += "VALUES ({}) {{ ({}) }} ".format(
            " ".join(f"?{n}" for n in plain), " ".join(term_n3(terms[n]) for n in plain)
        )
    for n in decimal:
        block += f"BIND(STRDT({term_n3(Literal(str(terms[n])))}, <{XSD.decimal}>) AS ?{n}) "
    return text[:at] + block + text[at:]


# -- datasets ----------------------------------------------------------------------------------
def _ontology_files() -> list[Path]:
    return [_data.ontology_dir() / "vocab.ttl", _data.ontology_dir() / "jixiao.ttl"]


def load_files(files: list[Path], *, engine: str = "oxigraph", with_ontology: bool = True):
    """An in-memory dataset of ``files`` (each triples file in a graph of its own) plus, by default,
    the ontology and vocabularies in jixiao's ontology graph. ``engine``: oxigraph | rdflib. Files are
    read by ``jixiao.rdfinput`` (the format from the extension, Turtle for any other; nothing fetched,
    entity expansion bounded); an unreadable or invalid file is an InputError naming it."""
    from jixiao import rdfinput
    from jixiao.iris import ONTOLOGY_GRAPH

    sources = [(Path(f), URIRef(Path(f).resolve().as_uri())) for f in files]
    if with_ontology:
        sources += [(f, ONTOLOGY_GRAPH) for f in _ontology_files()]
    if engine == "rdflib":
        ds = Dataset(default_union=True)
        for f, gname in sources:
            graphs: dict = {}
            # the default graph of N-Quads/TriG stays the default graph (as with Oxigraph below)
            default = DATASET_DEFAULT_GRAPH_ID if rdfinput.is_dataset_format(rdfinput.rdf_format(f)) else gname
            for q in rdfinput.quads(f):
                name = default if isinstance(q.graph_name, ox.DefaultGraph) else from_ox(q.graph_name)
                g = graphs.get(name)
                if g is None:
                    g = graphs[name] = ds.graph(name)
                g.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
        return ds
    store = ox.Store()
    for f, gname in sources:
        rdfinput.load(store, f, ox.NamedNode(str(gname)))
    return store


# -- running -----------------------------------------------------------------------------------
@dataclass
class Result:
    """Variables and rows of RDF terms (None = unbound), plus the query that made them."""

    query: LibraryQuery
    vars: list[str]
    rows: list[list[Node | None]]
    form: str = "SELECT"  # SELECT | ASK | CONSTRUCT | DESCRIBE (CONSTRUCT and DESCRIBE rows are triples)


def open_dataset(
    *,
    store: str | Path | GraphStore | ox.Store | None = None,
    data: str | Path | list | None = None,
    memory: bool = False,
    engine: str = "oxigraph",
):
    """The dataset to run queries on, opened once and reusable with ``execute(…, dataset=…)``: the
    RDF files ``data`` (always read into memory, plus the ontology graph), else ``store`` (a
    GraphStore or pyoxigraph Store as given; a directory, default the default store, opened
    read-only on disk). ``memory=True`` copies a store into memory first (``GraphStore.in_memory``:
    queries several times faster, ~500 MB per million quads; see its docstring)."""
    if store is not None and data is not None:
        raise UsageError("give only one of --store, --data, --endpoint")
    if data is not None:
        files = [Path(d) for d in (data if isinstance(data, list) else [data])]
        for f in files:
            if not f.is_file():
                raise UsageError(f"no data file {f}")
        return load_files(files, engine=engine)
    if isinstance(store, ox.Store):
        return GraphStore.in_memory(store) if memory else store
    if isinstance(store, GraphStore):
        return GraphStore.in_memory(store) if memory and store.path is not None else store
    if memory:
        return GraphStore.in_memory(store)
    return GraphStore.open_default(store, read_only=True)


def execute(
    name_or_path: str | Path | LibraryQuery,
    params: dict[str, str] | None = None,
    *,
    store: str | Path | GraphStore | ox.Store | None = None,
    data: str | Path | list | None = None,
    endpoint: str | None = None,
    engine: str = "oxigraph",
    dataset=None,
    memory: bool = False,
    timeout: float = 60,
) -> Result:
    """Run a query and return RDF terms. Exactly one of store / data / endpoint / dataset; ``memory``
    reads the store into memory first (see ``open_dataset``; worth it for many queries on one
    dataset: open it once and pass ``dataset``)."""
    q = name_or_path if isinstance(name_or_path, LibraryQuery) else load(name_or_path)
    terms = bindings(q, params)
    chosen = [x is not None for x in (store, data, endpoint, dataset)]
    if sum(chosen) > 1:
        raise UsageError("give only one of --store, --data, --endpoint")
    if endpoint is not None:
        if memory:
            raise UsageError("--memory reads a local store; it does not apply to --endpoint")
        return _remote(q, terms, endpoint, timeout)
    if dataset is None:
        dataset = open_dataset(store=store, data=data, memory=memory, engine=engine)
    if isinstance(dataset, (Dataset, Graph)):
        return _rdflib(q, terms, dataset)
    return _oxigraph(q, terms, dataset)


def _oxigraph(q: LibraryQuery, terms: dict[str, Node], dataset) -> Result:
    # the VALUES block (as for endpoints), not substitutions: Oxigraph 0.5 plans the query around the
    # bound values then (span-at: tens of milliseconds instead of seconds); same rows (tests/test_queries*.py)
    text = bind_values(q.text, terms)
    try:
        if isinstance(dataset, GraphStore):
            res = dataset.query(text)
        else:
            res = dataset.query(text, use_default_graph_as_union=True)
    except (SyntaxError, RuntimeError) as exc:
        raise UsageError(f"query {q.name}: {exc}", file=q.path) from exc
    if isinstance(res, ox.QueryBoolean):
        return Result(q, ["ask"], [[Literal(bool(res))]], "ASK")
    convert = from_ox_memoised()
    if isinstance(res, ox.QueryTriples):
        return Result(
            q,
            ["subject", "predicate", "object"],
            [[convert(t.subject), convert(t.predicate), convert(t.object)] for t in res],
            _graph_form(q.text),
        )
    names = [v.value for v in res.variables]
    return Result(q, names, [[convert(t) for t in sol] for sol in res])  # a solution iterates in `names` order


_GRAPH_FORM = re.compile(r"(?i)(?<![\w?$])(CONSTRUCT|DESCRIBE)\b")


def _graph_form(text: str) -> str:
    """CONSTRUCT or DESCRIBE: the first of the two keywords outside comments, strings and IRIs."""
    kept, i, n = [], 0, len(text)
    while i < n:
        end = skip_opaque(text, i)
        if end is None:
            kept.append(text[i])
            i += 1
        else:
            kept.append(" ")
            i = end
    m = _GRAPH_FORM.search("".join(kept))
    return m.group(1).upper() if m else "CONSTRUCT"


def _rdflib(q: LibraryQuery, terms: dict[str, Node], ds) -> Result:
    try:
        res = ds.query(q.text, initBindings=terms)
    except Exception as exc:  # pyparsing / evaluation errors
        raise UsageError(f"query {q.name}: {exc}", file=q.path) from exc
    if res.type == "ASK":
        return Result(q, ["ask"], [[Literal(bool(res.askAnswer))]], "ASK")
    if res.type in ("CONSTRUCT", "DESCRIBE"):
        return Result(q, ["subject", "predicate", "object"], [list(t) for t in res.graph], res.type)
    names = [str(v) for v in res.vars]
    return Result(q, names, [[row[i] for i in range(len(names))] for row in res])


def _remote(q: LibraryQuery, terms: dict[str, Node], endpoint: str, timeout: float) -> Result:
    from SPARQLWrapper import JSON, POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    client = SPARQLWrapper(endpoint)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    client.setTimeout(int(timeout))
    client.setQuery(bind_values(q.text, terms))
    form = client.queryType if client.queryType in ("CONSTRUCT", "DESCRIBE") else None
    if form:
        from SPARQLWrapper import TURTLE

        client.setReturnFormat(TURTLE)
    try:
        answer = client.query()
        # Virtuoso answers a query stopped by its time or row limit with the rows found so far, as if
        # they were all (HTTP 200 or 206, X-SQL-State S1TAT): refused, never shown as the answer
        if getattr(answer.response, "status", 200) == 206 or answer.info().get("x-sql-state") == "S1TAT":
            message = answer.info().get("x-sql-message", "")
            raise JixiaoError(f"endpoint {endpoint}: query {q.name} returned a partial result ({message[:200]})")
        doc = answer.response.read() if form else answer.convert()
    except (SPARQLWrapperException, OSError) as exc:
        raise JixiaoError(f"endpoint {endpoint}: {exc}") from exc
    if form:
        try:
            g = Graph().parse(data=doc, format="turtle")
        except Exception as exc:  # rdflib parser errors have no common base class
            raise JixiaoError(f"endpoint {endpoint}: the {form} answer is not Turtle: {exc}") from exc
        return Result(q, ["subject", "predicate", "object"], [list(t) for t in sorted(g)], form)
    if not isinstance(doc, dict):
        raise JixiaoError(f"endpoint {endpoint}: query {q.name} did not return SELECT results")
    if "boolean" in doc:
        return Result(q, ["ask"], [[Literal(bool(doc["boolean"]))]], "ASK")
    names = list(doc["head"]["vars"])
    rows = [[_json_term(b.get(n)) for n in names] for b in doc["results"]["bindings"]]
    return Result(q, names, rows)


def _json_term(b: dict | None) -> Node | None:
    if b is None:
        return None
    if b["type"] == "uri":
        return URIRef(b["value"])
    if b["type"] == "bnode":
        return BNode(b["value"])
    if "xml:lang" in b:
        return Literal(b["value"], lang=b["xml:lang"])
    dt = b.get("datatype")
    if dt and dt != XSD_NS + "string":
        return Literal(b["value"], datatype=URIRef(dt))
    return Literal(b["value"])


# -- values for people -------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _vocab_labels() -> dict[tuple[str, str], str]:
    g = Graph()
    for f in _ontology_files():
        g.parse(f, format="turtle")
    out: dict[tuple[str, str], str] = {}
    for s, _, o in g.triples((None, SKOS.prefLabel, None)):
        if isinstance(o, Literal) and o.language:
            out[(str(s), o.language)] = str(o)
    return out


INTEGER_TYPES = frozenset(
    XSD[n]
    for n in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "negativeInteger", "nonPositiveInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    )
)  # fmt: skip
FLOAT_TYPES = frozenset((XSD.double, XSD.float))
DATE_TYPES = frozenset((XSD.date, XSD.dateTime, XSD.dateTimeStamp))


def _kind(term: Node, lang: str | None) -> str:
    """What a cell holds: int, decimal, float, bool, date, year, iri, label or text."""
    if isinstance(term, Literal):
        dt = term.datatype
        if dt in INTEGER_TYPES:
            return "int"
        if dt == XSD.decimal:
            return "decimal"
        if dt in FLOAT_TYPES:
            return "float"
        if dt == XSD.boolean:
            return "bool"
        if dt in DATE_TYPES:
            return "date"
        if dt == XSD.gYear:
            return "year"
        return "text"
    if isinstance(term, URIRef):
        return "label" if lang and (str(term), lang) in _vocab_labels() else "iri"
    return "text"


def python_value(term: Node | None, lang: str | None = None):
    """A cell value: integers as int, xsd:decimal as ``decimal.Decimal`` (exact: the value as stored),
    doubles as float, booleans as bool, vocabulary concepts as their label in ``lang`` (when given),
    everything else (years, dates, IRIs, text) as its string; None when unbound."""
    if term is None:
        return None
    kind = _kind(term, lang)
    if kind == "int":
        return int(str(term))
    if kind == "decimal":
        try:
            return Decimal(str(term))
        except InvalidOperation:
            return str(term)
    if kind == "float":
        return float(str(term))
    if kind == "bool":
        return str(term) in ("true", "1")
    if kind == "label":
        return _vocab_labels()[(str(term), lang)]
    return str(term)


def _column(terms: list[Node | None], lang: str | None, exact: bool, compact: bool):
    """One result column as a typed pandas array (see ``to_frame``)."""
    import pandas as pd

    kinds = {_kind(t, lang) for t in terms if t is not None}
    values = [python_value(t, lang) for t in terms]
    if not kinds:
        return pd.array(values, dtype=object)
    if kinds == {"int"}:
        return pd.array(values, dtype="Int64")
    if kinds <= {"int", "decimal", "float"}:
        if exact and "float" not in kinds:
            return pd.array([None if v is None else Decimal(v) for v in values], dtype=object)
        return pd.array([None if v is None else float(v) for v in values], dtype="Float64")
    if kinds == {"bool"}:
        return pd.array(values, dtype="boolean")
    if kinds == {"year"}:
        years = [re.match(r"-?\d+", v) if v is not None else None for v in values]
        return pd.array([int(m.group()) if m else None for m in years], dtype="Int64")
    if kinds == {"date"}:
        return pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601", errors="coerce").array
    if compact:
        from jixiao.prefixes import compact as curie

        values = [
            curie(v) if isinstance(t, URIRef) and isinstance(v, str) else v for t, v in zip(terms, values, strict=True)
        ]
    return pd.array(values, dtype="string")


def to_frame(result: Result, lang: str | None = None, *, exact: bool = False, compact: bool = False) -> pd.DataFrame:
    """The rows as a DataFrame with typed columns, decided per column from the RDF datatypes:

    * integers → ``Int64``; xsd:decimal, xsd:double (and integers mixed with them) → ``Float64``;
      with ``exact=True`` decimal columns hold ``decimal.Decimal`` objects instead (dtype object);
    * xsd:boolean → ``boolean``; xsd:date / xsd:dateTime → ``datetime64``; xsd:gYear → ``Int64`` (the year);
    * everything else (text, IRIs, mixed columns) → ``string``; IRIs in full, or as CURIEs of the project's
      prefixes with ``compact=True``; vocabulary concepts as their label in ``lang`` when given.

    All dtypes are pandas' nullable ones: an unbound cell is ``<NA>``, never the string "None".
    Float64 holds every amount the reports print exactly to the cent (15 significant digits); sums of
    many rows can show binary-fraction noise (round them, or use ``exact=True`` for decimal arithmetic)."""
    import pandas as pd

    columns = {v: _column([row[i] for row in result.rows], lang, exact, compact) for i, v in enumerate(result.vars)}
    return pd.DataFrame(columns, columns=result.vars, index=pd.RangeIndex(len(result.rows)))


def run(
    name_or_path: str | Path,
    params: dict[str, str] | None = None,
    *,
    store=None,
    data=None,
    endpoint: str | None = None,
    dataset=None,
    memory: bool = False,
    lang: str | None = None,
    exact: bool = False,
    compact: bool = False,
) -> pd.DataFrame:
    """Run a library query (by name) or a ``.rq`` file on the local store (default), a data file,
    a dataset from ``open_dataset``, or a SPARQL endpoint, and return the rows as a pandas DataFrame
    with typed columns (see ``to_frame`` for the types, ``exact`` and ``compact``)."""
    result = execute(name_or_path, params, store=store, data=data, endpoint=endpoint, dataset=dataset, memory=memory)
    return to_frame(result, lang, exact=exact, compact=compact)
