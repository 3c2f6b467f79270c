"""``jixiao push``: copy report graphs into any SPARQL 1.1 store without ever leaving it half-written.

For each graph: load the triples under a temporary graph name (Graph Store Protocol PUT when a
GSP URL is given, else SPARQL Update ``INSERT DATA`` in batches), check the temporary graph's
triple count with a ``COUNT`` query, then swap it in with one update request
(``MOVE <tmp> TO <graph>``, which the store applies as one operation). Any failure before the
swap drops the temporary graph (when the store can still be reached) and leaves the previous
graph untouched. Store-specific URLs: docs/remote-stores.md.

A push killed before its swap (``kill -9``, a lost connection) leaves its temporary graph behind, where
union-default-graph queries see it (SPARQL 1.1 has no hidden graphs): every push first drops the
temporary graphs of earlier pushes (``urn:jixiao:push:*``) and says how many. One push at a time per
store: a second push running at the same moment would have its temporary graph dropped and fail its
count check, leaving that graph's previous version in place.

Data files are read by ``jixiao.rdfinput`` (nothing the data names is fetched; entity expansion in
RDF/XML bounded).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF

from jixiao import iris
from jixiao.errors import JixiaoError, UsageError
from jixiao.ns import JX
from jixiao.queries import term_n3

# triples per INSERT DATA request: Virtuoso 7.2's SPARQL compiler fails ("SP030 … memory exhausted")
# near 5,000 triples in one request
BATCH = 1000
TMP_PREFIX = "urn:jixiao:push:"
HTTP_ERRORS = (httpx.HTTPError, httpx.InvalidURL)  # InvalidURL is not an HTTPError


@dataclass
class Target:
    query: str  # SPARQL query endpoint
    update: str  # SPARQL update endpoint
    gsp: str | None = None  # Graph Store Protocol endpoint (…?graph=IRI)
    gsp_param: str = "graph"  # Virtuoso's /sparql-graph-crud uses graph-uri
    timeout: float = 120
    user: str | None = None  # HTTP authentication (Basic or Digest, as the server asks)
    password: str | None = None


def default_update_url(query_url: str) -> str:
    """Oxigraph and QLever-style servers answer updates at …/update next to …/query; Fuseki and
    Virtuoso accept them at the query URL itself."""
    return query_url[: -len("/query")] + "/update" if query_url.endswith("/query") else query_url


class ChallengeAuth(httpx.Auth):
    """HTTP Basic or Digest authentication, whichever the server's first 401 challenge names
    (Virtuoso's /sparql-auth and /sparql-graph-crud-auth ask for Digest; GraphDB and most proxies
    for Basic). Nothing is sent with the credentials before the server has asked for them."""

    def __init__(self, user: str, password: str):
        self._schemes: dict[str, httpx.Auth] = {
            "basic": httpx.BasicAuth(user, password),
            "digest": httpx.DigestAuth(user, password),
        }
        self._chosen: httpx.Auth | None = None

    def auth_flow(self, request: httpx.Request):
        if self._chosen is None:
            response = yield request
            scheme = response.headers.get("www-authenticate", "").split(" ", 1)[0].lower()
            if response.status_code != 401 or scheme not in self._schemes:
                return
            self._chosen = self._schemes[scheme]
        yield from self._chosen.auth_flow(request)


class Pusher:
    def __init__(self, target: Target):
        self.t = target
        auth = ChallengeAuth(target.user, target.password or "") if target.user else None
        self.http = httpx.Client(timeout=target.timeout, auth=auth)

    def _update(self, text: str) -> None:
        r = self.http.post(self.t.update, data={"update": text})
        if r.status_code >= 300:
            raise JixiaoError(f"update refused by {self.t.update}: HTTP {r.status_code} {r.text[:300]}")

    def count(self, graph: URIRef) -> int:
        q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {term_n3(graph)} {{ ?s ?p ?o }} }}"
        r = self.http.post(self.t.query, data={"query": q}, headers={"Accept": "application/sparql-results+json"})
        if r.status_code != 200:
            raise JixiaoError(f"count query refused by {self.t.query}: HTTP {r.status_code} {r.text[:300]}")
        bindings = r.json()["results"]["bindings"]
        return int(bindings[0]["n"]["value"]) if bindings else 0

    def counts(self, graphs: list[str], batch: int = 200) -> dict[str, int]:
        """The triple count of each graph (one query per ``batch`` graphs); graphs without triples are left out."""
        out: dict[str, int] = {}
        for i in range(0, len(graphs), batch):
            values = " ".join(term_n3(URIRef(g)) for g in graphs[i : i + batch])
            q = f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
            r = self.http.post(self.t.query, data={"query": q}, headers={"Accept": "application/sparql-results+json"})
            if r.status_code != 200:
                raise JixiaoError(f"count query refused by {self.t.query}: HTTP {r.status_code} {r.text[:300]}")
            for b in r.json()["results"]["bindings"]:
                out[b["g"]["value"]] = int(b["n"]["value"])
        return out

    def load(self, graph: URIRef, triples: Graph) -> None:
        if self.t.gsp:
            body = triples.serialize(format="nt", encoding="utf-8")
            r = self.http.put(
                self.t.gsp,
                params={self.t.gsp_param: str(graph)},
                content=body,
                headers={"Content-Type": "application/n-triples"},
            )
            if r.status_code >= 300:
                raise JixiaoError(f"Graph Store PUT refused by {self.t.gsp}: HTTP {r.status_code} {r.text[:300]}")
            return
        lines = sorted(f"{term_n3_any(s)} {term_n3_any(p)} {term_n3_any(o)} ." for s, p, o in triples)
        # blank nodes are scoped to one request, so a graph holding any goes in one request
        size = len(lines) if any(isinstance(x, BNode) for t in triples for x in t) else BATCH
        for i in range(0, len(lines), max(1, size)):
            self._update(f"INSERT DATA {{ GRAPH {term_n3(graph)} {{\n" + "\n".join(lines[i : i + size]) + "\n} }")

    def where(self) -> str:
        """The endpoint a push writes to, for messages."""
        return self.t.gsp or self.t.update

    def push(self, graph: URIRef, triples: Graph) -> int:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        tmp = URIRef(f"{TMP_PREFIX}{stamp}:{uuid.uuid4()}")
        expected = len(triples)
        try:
            if not expected:  # an empty graph: nothing to load or move (MOVE of a missing graph fails)
                self._update(f"DROP SILENT GRAPH {term_n3(graph)}")
                return 0
            self._update(f"DROP SILENT GRAPH {term_n3(tmp)}")
            self.load(tmp, triples)
            got = self.count(tmp)
            if got != expected:
                raise JixiaoError(f"the store holds {got} triples of {expected} sent; not swapped")
            self._update(f"MOVE {term_n3(tmp)} TO {term_n3(graph)}")
        except (JixiaoError, *HTTP_ERRORS, ValueError, KeyError) as exc:
            cleaned = expected == 0 or self._drop_quietly(tmp)
            note = "" if cleaned else f" (temporary graph <{tmp}> could not be dropped)"
            raise JixiaoError(
                f"push of <{graph}> to {self.where()} failed, the store's previous graph is unchanged: {exc}{note}"
            ) from exc
        return expected

    def leftovers(self) -> list[str]:
        """The temporary graphs of earlier, interrupted pushes the store holds. Oxigraph lists graphs
        for an empty ``GRAPH ?g { }`` without reading them; Virtuoso 7.2 answers that pattern with one
        solution in which ``?g`` is unbound. So when a store names no graph for the empty pattern but
        has graphs with triples, they are found through their triples (an index lookup in Virtuoso; a
        scan of every quad in Oxigraph, which never gets here). No ASK: Virtuoso, depending on its
        configuration, answers one as a SELECT of ``__ASK_RETVAL``."""
        keep = f'FILTER(STRSTARTS(STR(?g), "{TMP_PREFIX}"))'

        def names_a_graph(query: str) -> bool:
            return any("g" in b for b in self._select(query)["results"]["bindings"])

        try:
            doc = self._select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ }} {keep} }}")
            if (
                not doc["results"]["bindings"]
                and not names_a_graph("SELECT ?g WHERE { GRAPH ?g { } } LIMIT 1")
                and names_a_graph("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1")
            ):
                doc = self._select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {keep} }}")
            names = sorted(b["g"]["value"] for b in doc["results"]["bindings"] if "g" in b)
        except (JixiaoError, *HTTP_ERRORS, ValueError, KeyError, TypeError) as exc:
            raise JixiaoError(f"cannot list the graphs of {self.t.query}: {exc}") from exc
        return [name for name in names if name.startswith(TMP_PREFIX)]

    def _select(self, query: str) -> dict:
        r = self.http.post(self.t.query, data={"query": query}, headers={"Accept": "application/sparql-results+json"})
        if r.status_code != 200:
            raise JixiaoError(f"HTTP {r.status_code} {r.text[:300]}")
        return r.json()

    def drop_leftovers(self) -> list[str]:
        """Drop the temporary graphs of earlier, interrupted pushes; returns their names."""
        names = self.leftovers()
        for name in names:
            try:
                self._update(f"DROP SILENT GRAPH {term_n3(URIRef(name))}")
            except (JixiaoError, *HTTP_ERRORS) as exc:
                raise JixiaoError(
                    f"cannot drop the leftover temporary graph <{name}> at {self.t.update}: {exc}"
                ) from exc
        return names

    def _drop_quietly(self, graph: URIRef) -> bool:
        try:
            self._update(f"DROP SILENT GRAPH {term_n3(graph)}")
            return True
        except (JixiaoError, *HTTP_ERRORS):
            return False


def term_n3_any(term) -> str:
    return term.n3() if isinstance(term, BNode) else term_n3(term)


def graphs_from_store(store: Path | None, only: URIRef | None = None) -> Iterator[tuple[URIRef, Graph]]:
    from jixiao.store import GraphStore

    s = GraphStore.open_default(store, read_only=True)
    names = s.graphs()
    if only is not None:
        if only not in names:
            raise UsageError(f"the store has no graph <{only}>")
        names = [only]
    for name in names:
        yield name, s.graph(name)


def graphs_from_file(path: Path, graph: URIRef | None = None) -> Iterator[tuple[URIRef, Graph]]:
    """The graphs of an RDF file, read whole (by ``jixiao.rdfinput``) before the first is pushed, so a
    file that does not parse pushes nothing. N-Quads/TriG: each named graph (``graph``: only that one);
    any other format: its triples, into ``graph`` or the graph of the one report they describe."""
    import pyoxigraph as ox

    from jixiao import rdfinput
    from jixiao.rdfutil import from_ox

    fmt = rdfinput.rdf_format(path)
    groups: dict[str | None, Graph] = {}
    for q in rdfinput.quads(path, fmt):
        g = q.graph_name
        if isinstance(g, ox.BlankNode):
            continue  # a graph without a name cannot be pushed
        key = None if isinstance(g, ox.DefaultGraph) else g.value
        target = groups.get(key)
        if target is None:
            target = groups[key] = Graph()
        target.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
    if rdfinput.is_dataset_format(fmt):
        named = sorted((URIRef(k), g) for k, g in groups.items() if k is not None and len(g))
        yield from ((name, g) for name, g in named if graph is None or name == graph)
        return
    g = groups.get(None, Graph())
    if graph is None:
        reports = sorted(set(g.subjects(RDF.type, JX.Report)))
        if len(reports) != 1:
            raise UsageError(f"{path} holds {len(reports)} reports: name the target with --graph IRI")
        graph = iris.graph_of(reports[0])
    yield graph, g


def ontology_graph() -> tuple[URIRef, Graph]:
    """The ontology and vocabularies, so queries that need the category hierarchy or labels work
    on the target too (jixiao's ontology graph)."""
    from jixiao.queries import _ontology_files

    g = Graph()
    for f in _ontology_files():
        g.parse(f, format="turtle")
    return iris.ONTOLOGY_GRAPH, g


def push_all(
    target: Target,
    graphs: Iterable[tuple[URIRef, Graph]],
    progress: Callable[[URIRef, int], object] | None = None,
    *,
    on_leftovers: Callable[[list[str]], object] | None = None,
) -> list[tuple[URIRef, int]]:
    """Push each graph in turn, after dropping the temporary graphs of interrupted pushes
    (``on_leftovers(names)`` is told which, when there were any); ``progress(name, triples)`` is
    called after each graph."""
    pusher = Pusher(target)
    left = pusher.drop_leftovers()
    if left and on_leftovers is not None:
        on_leftovers(left)
    out = []
    for name, g in graphs:
        out.append((name, pusher.push(name, g)))
        if progress is not None:
            progress(*out[-1])
    return out


def ntriples_from_store(store: Path | None, only: URIRef | None = None) -> Iterator[tuple[str, bytes]]:
    """(graph IRI, N-Triples) of each report graph of a store, as Oxigraph writes them (no rdflib)."""
    import pyoxigraph as ox

    from jixiao.store import GraphStore

    s = GraphStore.open_default(store, read_only=True)
    names = [g for g in s.graphs() if g != iris.ONTOLOGY_GRAPH]
    if only is not None:
        if only not in names:
            raise UsageError(f"the store has no graph <{only}>")
        names = [only]
    for name in names:
        yield str(name), s.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(name)))


def ntriples_from_file(path: Path, graph: URIRef | None = None) -> Iterator[tuple[str, bytes]]:
    """(graph IRI, N-Triples) of each graph of a data file: an N-Quads file written one graph at a time
    (``jixiao ingest --out corpus.nq``) is cut into its graphs by bytes, without parsing it; any other
    file goes through :func:`graphs_from_file`."""
    from jixiao.store import ntriples
    from jixiao.validate import NotContiguous, graph_ranges

    if path.suffix.lower() == ".nq" and path.is_file():
        try:
            ranges = list(graph_ranges(path))
        except NotContiguous:
            ranges = None
        if ranges is not None:
            for r in ranges:
                if graph is None or r.graph == str(graph):
                    yield r.graph, r.read()
            return
    for name, g in graphs_from_file(path, graph):
        yield str(name), ntriples(g)
