"""``jixiao serve --upstream URL``: the endpoint's guard in front of a remote store (Virtuoso, or any
SPARQL 1.1 query URL) instead of local query processes.

Everything the guard does before a query runs is the same as for the embedded store (``jixiao.serve``:
size, nesting, read-only, SERVICE refused, per-client slots and queue, the timeout from arrival); the
pool's queue hands the query to an :class:`UpstreamWorker` instead of a query process. The worker

* accepts only what Oxigraph's SPARQL 1.1 parser accepts and Oxigraph could run (parsed and planned
  against an empty in-memory store, nothing evaluated: an ``ASK`` is checked as a ``SELECT``), so no
  store-specific syntax reaches the store: no Virtuoso pragma (``DEFINE get:soft …``, which fetches
  the web), no extension function (``bif:…``, ``sql:…``);
* asks the store, before the query, whether it holds every graph the query names (``FROM`` / ``FROM
  NAMED``, ``default-graph-uri`` / ``named-graph-uri``): a graph it does not hold is a 400, so the
  store is never asked for a graph it might fetch;
* forwards the query with those protocol parameters only (never a client's other parameters), follows
  no redirect, reads the answer whole (at most ``max_answer_bytes``; over it: 502), refuses a partial
  answer (HTTP 206 or Virtuoso's ``X-SQL-State: S1TAT``, its "anytime" answer: 504), and writes the
  answer in the format the client negotiated, cut to ``max_rows`` with the truncation header and
  member, exactly as a query process does (``jixiao.serve_worker.encode``).

At the timeout the request to the store is abandoned (its connection closed); the store may go on
computing: give the store its own time limit (Virtuoso: ``MaxQueryExecutionTime``). docs/security.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from jixiao.errors import JixiaoError
from jixiao.serve import Pool, Settings
from jixiao.serve_worker import encode
from jixiao.sparqltext import tokens

JSON_RESULTS = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"
ASK_CHECK = "SELECT (1 AS ?jixiao_ask_check_)"  # an ASK is planned as this SELECT (never evaluated)


class Answer(Exception):
    """Not a 200: the status and message the client gets."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


# -- what a query names -----------------------------------------------------------------------------
def _iri(token: str) -> str:
    r"""The IRI of an ``<…>`` token, its ``\u`` / ``\U`` escapes decoded."""
    return re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})", lambda m: chr(int(m[1] or m[2], 16)), token[1:-1])


def dataset_iris(text: str, base: str | None) -> list[str]:
    """The IRIs of the ``FROM`` / ``FROM NAMED`` clauses of a query Oxigraph's parser accepted, resolved
    as the parser does: prefixed names by the query's ``PREFIX`` declarations (local-name escapes
    removed), relative IRIs against its ``BASE`` or else ``base``."""
    prefixes: dict[str, str] = {}
    found: list[str] = []
    expect, pname = "", ""
    for kind, m in tokens(text):
        tok = m.group()
        if kind == "comment":
            continue
        if expect == "base" and kind == "iri":
            base, expect = urljoin(base or "", _iri(tok)), ""
        elif expect == "prefix" and kind == "name":
            pname, expect = tok, "prefix-iri"
        elif expect == "prefix-iri" and kind == "iri":
            prefixes[pname], expect = urljoin(base or "", _iri(tok)), ""
        elif expect == "from" and kind == "name" and tok.upper() == "NAMED":
            continue
        elif expect == "from":
            if kind == "iri":
                found.append(urljoin(base or "", _iri(tok)))
            elif kind == "name" and ":" in tok:
                ns, local = tok.split(":", 1)
                found.append(prefixes.get(ns + ":", "") + re.sub(r"\\(.)", r"\1", local))
            expect = ""
        elif kind == "name" and ":" not in tok:
            expect = {"BASE": "base", "PREFIX": "prefix", "FROM": "from"}.get(tok.upper(), "")
    return found


def syntax_check(text: str, form: str, base: str | None) -> None:
    """Raise Answer(400) unless Oxigraph parses and plans the query (nothing is evaluated)."""
    import pyoxigraph as ox

    if form == "ASK":
        for kind, m in tokens(text):
            if kind == "name" and m.group().upper() == "ASK":
                text = text[: m.start()] + ASK_CHECK + text[m.end() :]
                break
    try:
        ox.Store().query(text, base_iri=base)  # an empty store: planned, never iterated
    except (SyntaxError, ValueError) as exc:
        raise Answer(400, f"not a SPARQL 1.1 query (only standard SPARQL is forwarded to the store): {exc}") from None
    except RuntimeError as exc:  # e.g. "The custom function <bif:…> is not supported"
        raise Answer(400, f"refused: {exc} (the store's own extensions are not forwarded)") from None


# -- the remote store -------------------------------------------------------------------------------
@dataclass
class Upstream:
    url: str
    http: Any  # httpx.AsyncClient
    settings: Settings

    async def _post(self, data: dict, accept: str) -> tuple[int, dict, bytes]:
        """(status, headers, body) of a query request; the body read up to max_answer_bytes."""
        import httpx

        limit = self.settings.max_answer_bytes
        try:
            async with self.http.stream("POST", self.url, data=data, headers={"Accept": accept}) as resp:
                body = bytearray()
                async for chunk in resp.aiter_bytes():
                    body += chunk
                    if len(body) > limit:
                        raise Answer(502, f"the store's answer is over {limit:,} bytes (add a LIMIT to the query)")
                return resp.status_code, dict(resp.headers), bytes(body)
        except httpx.HTTPError as exc:
            raise Answer(502, f"the store at {self.url} did not answer: {type(exc).__name__} {exc}") from None

    async def ask_json(self, query: str) -> dict:
        status, headers, body = await self._post({"query": query}, JSON_RESULTS)
        _refuse_partial(status, headers)
        if status != 200:
            raise Answer(502, f"the store answered HTTP {status}: {body[:300].decode('utf-8', 'replace')}")
        import json

        try:
            return json.loads(body)
        except ValueError as exc:
            raise Answer(502, f"bad answer from the store: {exc}") from None

    async def graphs(self) -> list[str]:
        doc = await self.ask_json("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        rows = doc.get("results", {}).get("bindings", [])
        return sorted({b["g"]["value"] for b in rows if b.get("g", {}).get("type") == "uri"})

    async def holds(self, iri: str) -> bool:
        """Whether the store has a triple in graph ``iri`` (a SELECT, not an ASK: Virtuoso may answer an
        ASK as a SELECT of ``__ASK_RETVAL``)."""
        import pyoxigraph as ox

        doc = await self.ask_json(f"SELECT ?s WHERE {{ GRAPH {ox.NamedNode(iri)} {{ ?s ?p ?o }} }} LIMIT 1")
        return any("s" in b for b in doc.get("results", {}).get("bindings", []))


def _refuse_partial(status: int, headers: dict) -> None:
    if status == 206 or headers.get("x-sql-state") == "S1TAT":
        message = headers.get("x-sql-message", "")
        raise Answer(504, f"the store stopped the query at its own limit and sent a partial answer ({message[:200]})")


def _decode(status: int, headers: dict, body: bytes, request: dict) -> tuple[dict, bytes]:
    """The store's answer in the client's format, cut to max_rows (in a thread: parsing is CPU)."""
    import pyoxigraph as ox

    _refuse_partial(status, headers)
    if status != 200:
        text = body[:300].decode("utf-8", "replace")
        raise Answer(400 if 400 <= status < 500 else 502, f"the store answered HTTP {status}: {text}")
    media = headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if request["form"] == "ASK":
            body = _boolean(body)
        if request["form"] in ("SELECT", "ASK"):
            return encode(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON), request)
        fmt = ox.RdfFormat.from_media_type(media)
        if fmt is None:
            raise Answer(502, f"the store answered {request['form']} as {media or 'an unnamed type'}")
        return encode((q.triple for q in ox.parse(body, format=fmt)), request)
    except (SyntaxError, ValueError) as exc:
        raise Answer(502, f"bad answer from the store: {exc}") from None


def _boolean(body: bytes) -> bytes:
    """An ASK answer as SPARQL JSON's boolean. Virtuoso (depending on its configuration) answers an
    ASK as a SELECT of one variable ``__ASK_RETVAL`` bound to 1 or 0."""
    import json

    doc = json.loads(body)
    if "boolean" in doc:
        return body
    rows = doc.get("results", {}).get("bindings", [])
    cells = [c for c in rows[0].values()] if rows else []
    names = [v.upper() for v in doc.get("head", {}).get("vars", [])]
    if names != ["__ASK_RETVAL"] or len(cells) > 1:
        raise ValueError(f"an ASK answered without a boolean (variables {names})")
    value = bool(cells) and cells[0].get("value") in ("1", "true")
    return json.dumps({"head": {}, "boolean": value}).encode("utf-8")


class UpstreamWorker:
    """One query at a time forwarded to the store; takes a query process's place in the pool."""

    pid = 0
    network = memory = ""

    def __init__(self, upstream: Upstream):
        self.upstream = upstream
        self.served = 0

    async def call(self, request: dict) -> tuple[dict, bytes]:
        self.served += 1
        try:
            return await self._call(request)
        except Answer as exc:
            return {"status": exc.status, "message": exc.message}, b""

    async def _call(self, request: dict) -> tuple[dict, bytes]:
        text, form, base = request["query"], request["form"], request.get("base")
        await asyncio.to_thread(syntax_check, text, form, base)
        dataset = request.get("dataset") or {"default": [], "named": []}
        named = dataset_iris(text, base) + dataset["default"] + dataset["named"]
        for iri in dict.fromkeys(named):
            if not await self.upstream.holds(iri):
                raise Answer(400, f"<{iri}> is not a graph of this store (graphs elsewhere are never fetched)")
        data = {"query": text, "default-graph-uri": dataset["default"], "named-graph-uri": dataset["named"]}
        accept = JSON_RESULTS if form in ("SELECT", "ASK") else GRAPH_ACCEPT
        status, headers, body = await self.upstream._post(data, accept)
        return await asyncio.to_thread(_decode, status, headers, body, request)

    def close(self) -> None:
        pass  # the connection of an abandoned request is closed when its task is cancelled


@dataclass(eq=False)
class UpstreamPool(Pool):
    """The pool's queue and slots with :class:`UpstreamWorker`s: no zygote, no query process."""

    upstream: Upstream | None = None

    @classmethod
    async def start(cls, url: str, settings: Settings) -> UpstreamPool:  # type: ignore[override]
        import httpx

        http = httpx.AsyncClient(
            timeout=httpx.Timeout(settings.timeout + 5),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=2 * settings.workers + 2),
        )
        pool = cls(None, None, settings, upstream=Upstream(url, http, settings))
        try:
            pool.graphs = await asyncio.wait_for(pool.upstream.graphs(), settings.timeout)
        except (Answer, TimeoutError) as exc:
            await http.aclose()
            raise JixiaoError(f"cannot serve: the store at {url}: {exc or 'no answer in time'}") from None
        pool.network = pool.memory = "remote"
        pool.idle.extend(UpstreamWorker(pool.upstream) for _ in range(settings.workers))
        return pool

    async def _spawn(self) -> UpstreamWorker:  # type: ignore[override]
        return UpstreamWorker(self.upstream)

    async def _kill(self, worker) -> None:
        worker.close()
        self.killed += 1

    async def close(self) -> None:
        for t in list(self.tasks):
            t.cancel()
        with contextlib.suppress(Exception):
            await self.upstream.http.aclose()
