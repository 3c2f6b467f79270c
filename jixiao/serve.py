"""``jixiao serve``: the store over the SPARQL 1.1 Protocol, read-only, behind a guard.

Clients reach one Starlette app (run by uvicorn). Queries are answered by Oxigraph (pyoxigraph) in
a small pool of *query processes* (``jixiao/serve_worker.py``): forked from one loader process,
private socketpairs to the guard, no listening port, no update API, no network. For each request
the guard:

* limits what one client may have in progress (``client_queue``: 429 over it), and how many
  queries one client may have running at once (``client_slots``; its other queries wait);
* reads the query from GET ``?query=``, a form POST or an ``application/sparql-query`` POST: UTF-8
  only (415 for another charset, 400 for bytes that are not UTF-8), at most ``max_request_bytes``
  (413), exactly one non-empty query (400 naming what is wrong); refuses SPARQL Update in any form
  (403: the endpoint is read-only);
* checks the text before any parser sees it, off the event loop (``jixiao.sparqltext.
  check_query_text``: nesting depth, unterminated strings, which form, SERVICE, FROM); refuses
  ``SERVICE`` (400);
* picks the answer's media type from ``Accept`` (406 when none it can write is acceptable);
* waits for a free query process (fair between clients; 503 when ``max_queue`` are waiting or the
  wait outlasts the timeout) and gives it the query with the dataset: the protocol's
  ``default-graph-uri`` / ``named-graph-uri`` (absolute IRIs, 400 naming the parameter otherwise),
  else the query's own ``FROM`` / ``FROM NAMED``, else the union of the store's graphs. A graph the
  store does not hold is an empty graph: nothing is ever fetched. Relative IRIs resolve against the
  public endpoint URL (``public_url``; with none they are refused);
* the process reads at most ``max_rows`` solutions (triples for CONSTRUCT / DESCRIBE); when there
  were more the answer says so: header ``X-Jixiao-Truncated: true``, and in SPARQL JSON results a
  top-level member ``"jixiao": {"truncated": true, "maxRows": N}`` (ignored by ordinary clients);
* ``timeout`` seconds after the request arrived (reading, checking, waiting and running together)
  the answer is 504 and the process that was running the query is killed and replaced; a query
  process may allocate ``max_query_memory`` MB beyond what it starts with (its address space is
  capped): a query that needs more ends its process, the answer is 500 and a fresh one takes over.

``GET`` on the endpoint without a query answers with the query page for ``Accept: text/html`` and
with a SPARQL 1.1 Service Description (Turtle, N-Triples, RDF/XML or JSON-LD) otherwise. The page
(``/``) lists the query library (``/queries.json``); ``/api/run`` runs a library query, looked up by
name in the library only, with typed parameters (bound with a VALUES block, see
``jixiao.queries.bind_values``). Design: docs/decisions/0005-endpoint-query-processes.md.

With ``Settings.upstream`` (``jixiao serve --upstream URL``) the same guard, queue and slots stand in
front of a remote store: the pool hands each query to a forwarder instead of a query process
(``jixiao/serve_upstream.py``; no query process is started).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import shutil
import socket
import struct
import subprocess
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

from jixiao import data as _data
from jixiao import pending
from jixiao.errors import JixiaoError
from jixiao.serve_worker import recv_frame, send_frame
from jixiao.sparqltext import MAX_NESTING, QueryTextError, check_query_text

WEB_DIR = _data.web_dir()
MEMORY_SOURCES = (".nq", ".trig")

# media type -> the worker's name for the format; the first of each table is the default
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
BOOLEAN_TYPES = {k: v for k, v in RESULT_TYPES.items() if v in ("json", "xml")}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/rdf+xml": "rdfxml",
    "application/ld+json": "jsonld",
}


def content_type(media: str) -> str:
    """The Content-Type for a negotiated media type (text types say their charset)."""
    return f"{media}; charset=utf-8" if media.startswith("text/") else media


READ_ONLY = "this endpoint is read-only: it answers SPARQL queries, never updates"
POST_TYPES = "POST a query as application/sparql-query or application/x-www-form-urlencoded"
UPDATE_PARAMS = ("update", "using-graph-uri", "using-named-graph-uri")


@dataclass
class Settings:
    timeout: float = 30
    max_rows: int = 10000
    max_request_bytes: int = 1_000_000
    max_nesting: int = MAX_NESTING
    cors: bool = False
    sources: tuple[Path, ...] = ()  # where the report pages look for source texts (by SHA-256)
    # where the report pages send their SPARQL: this endpoint itself on loopback (set by ``serve``), so
    # a page's queries pass the same guard, slots and timeout as any client's
    self_url: str | None = None
    quiet: bool = False  # no progress bar while --memory loads
    public_url: str | None = None  # the endpoint's public URL: the base of relative IRIs
    workers: int = 4  # query processes: queries running at once
    client_slots: int = 1  # queries one client may have running at once
    client_queue: int = 16  # requests one client may have in progress (running or waiting)
    max_queue: int = 64  # requests waiting for a query process, all clients together
    recycle_after: int = 1000  # a query process is replaced after this many queries
    max_query_memory: int = 2048  # MB a query process may allocate beyond what it starts with (0: no limit)
    # a remote store's SPARQL query URL: queries are forwarded there instead of to query processes
    # (jixiao/serve_upstream.py); its answers are read whole up to max_answer_bytes
    upstream: str | None = None
    max_answer_bytes: int = 256 * 1024 * 1024


class Refused(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


# -- content negotiation ----------------------------------------------------------------------------
def parse_accept(accept: str | None) -> list[tuple[str, float, int]]:
    """(media range, q, position) for each part of an Accept header; [] for none."""
    out = []
    for n, part in enumerate((accept or "").split(",")):
        media, *opts = [x.strip() for x in part.split(";")]
        if not media:
            continue
        q = 1.0
        for o in opts:
            k, _, v = o.partition("=")
            if k.strip().lower() == "q":
                try:
                    q = min(1.0, max(0.0, float(v)))
                except ValueError:
                    q = 0.0
        out.append((media.lower(), q, n))
    return out


def negotiate(accept: str | None, offers: list[str]) -> str | None:
    """The offered media type the client prefers (``offers`` in the server's order of preference):
    each offer takes the q of the most specific range that matches it (type/subtype, type/*, */*);
    highest q wins, then the client's order, then the server's. None when nothing is acceptable.
    No Accept header accepts anything."""
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0] if offers else None
    best, best_key = None, None
    for rank, offer in enumerate(offers):
        kind = offer.split("/")[0]
        match = None
        for media, q, pos in ranges:
            spec = 3 if media == offer else 2 if media == f"{kind}/*" else 1 if media == "*/*" else 0
            if spec and (match is None or spec > match[0]):
                match = (spec, q, pos)
        if match is None or match[1] <= 0:
            continue
        key = (-match[1], match[2] if match[0] == 3 else len(ranges), rank)
        if best_key is None or key < best_key:
            best, best_key = offer, key
    return best


# -- the pool of query processes ------------------------------------------------------------------
class Busy(Exception):
    pass


@dataclass(eq=False)
class Worker:
    pid: int
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    served: int = 0
    network: str = ""
    memory: str = ""

    async def call(self, request: dict) -> tuple[dict, bytes]:
        payload = json.dumps(request).encode("utf-8")
        self.writer.write(struct.pack(">I", len(payload)) + payload)
        await self.writer.drain()
        head = json.loads(await self._frame())
        body = await self._frame()
        self.served += 1
        return head, body

    async def _frame(self) -> bytes:
        (n,) = struct.unpack(">I", await self.reader.readexactly(4))
        return await self.reader.readexactly(n)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


@dataclass(eq=False)
class _Waiter:
    client: str
    future: asyncio.Future


@dataclass(eq=False)
class Pool:
    """The zygote (control socket + process) and its query processes, with a fair queue."""

    control: socket.socket | None  # None with a remote store (jixiao/serve_upstream.py)
    zygote: subprocess.Popen | None
    settings: Settings
    idle: list[Worker] = field(default_factory=list)
    waiting: list[_Waiter] = field(default_factory=list)
    running: Counter = field(default_factory=Counter)
    graphs: list[str] = field(default_factory=list)
    network: str = ""
    memory: str = ""
    killed: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    tasks: set = field(default_factory=set)

    @classmethod
    async def start(cls, source: Path, memory: bool, settings: Settings) -> Pool:
        ours, theirs = socket.socketpair()
        zygote = subprocess.Popen(
            [sys.executable, "-m", "jixiao.serve_worker", "--control-fd", str(theirs.fileno()), "--source", str(source)]
            + ["--max-query-memory", str(settings.max_query_memory)]
            + (["--memory"] if memory else [])
            + (["--quiet"] if settings.quiet else []),
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        pool = cls(ours, zygote, settings)
        frame = await asyncio.to_thread(recv_frame, ours)
        msg = json.loads(frame) if frame else {"ready": False, "error": f"exit {zygote.wait()}"}
        if not msg["ready"]:
            await pool.close()
            raise JixiaoError(f"cannot serve: {msg['error']}", file=None if str(source) in msg["error"] else source)
        workers: list[Worker] = []
        try:
            for _ in range(settings.workers):
                workers.append(await pool._spawn())
            _, body = await workers[0].call({"op": "graphs"})
        except (OSError, ValueError, asyncio.IncompleteReadError) as exc:  # ConnectionError is an OSError
            for w in workers:
                w.close()
            await pool.close()
            raise JixiaoError(f"cannot serve: {exc}", file=source) from None
        pool.network, pool.memory = workers[0].network, workers[0].memory
        pool.graphs = json.loads(body)
        pool.idle.extend(workers)
        return pool

    def _spawn_sync(self) -> tuple[int, socket.socket]:
        send_frame(self.control, json.dumps({"op": "spawn"}).encode())
        msg, fds, _, _ = socket.recv_fds(self.control, 4, 1)
        if len(fds) != 1 or not msg:
            raise ConnectionError("the query-process loader stopped")
        while len(msg) < 4:
            msg += self.control.recv(4 - len(msg))
        return struct.unpack(">I", msg)[0], socket.socket(fileno=fds[0])

    async def _spawn(self) -> Worker:
        async with self.lock:
            pid, sock = await asyncio.to_thread(self._spawn_sync)
        reader, writer = await asyncio.open_connection(sock=sock)
        worker = Worker(pid, reader, writer)
        (n,) = struct.unpack(">I", await reader.readexactly(4))
        ready = json.loads(await reader.readexactly(n))
        if not ready.get("ready"):
            worker.close()
            raise ConnectionError(f"a query process failed to start: {ready.get('error')}")
        worker.network = ready.get("network", "")
        worker.memory = ready.get("memory", "")
        return worker

    async def _kill(self, worker: Worker) -> None:
        worker.close()
        self.killed += 1
        async with self.lock:
            with contextlib.suppress(OSError):
                send_frame(self.control, json.dumps({"op": "kill", "pid": worker.pid}).encode())

    def _replace(self, worker: Worker, *, kill: bool) -> None:
        async def again() -> None:
            if kill:
                await self._kill(worker)
            else:
                worker.close()
            try:
                fresh = await self._spawn()
            except (OSError, ConnectionError, ValueError, asyncio.IncompleteReadError) as exc:
                print(f"jixiao serve: cannot start a query process: {exc}", file=sys.stderr, flush=True)
                return
            self.idle.append(fresh)
            self._dispatch()

        task = asyncio.get_running_loop().create_task(again())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def _dispatch(self) -> None:
        while self.idle:
            waiter = next(
                (w for w in self.waiting if self.running[w.client] < self.settings.client_slots),
                None,
            )
            if waiter is None:
                return
            self.waiting.remove(waiter)
            if waiter.future.done():
                continue
            self.running[waiter.client] += 1
            waiter.future.set_result(self.idle.pop())

    async def run(self, request: dict, client: str, deadline: float) -> tuple[dict, bytes]:
        """Answer ``request`` in a query process by ``deadline`` (loop time). Raises Busy when no
        process was free in time or too many wait, TimeoutError when the query ran out of time
        (its process is killed), ConnectionError when the process died while answering."""
        loop = asyncio.get_running_loop()
        if len(self.waiting) >= self.settings.max_queue:
            raise Busy(f"{len(self.waiting)} queries are waiting for a query process")
        waiter = _Waiter(client, loop.create_future())
        self.waiting.append(waiter)
        self._dispatch()
        started = loop.time()
        try:
            worker = await asyncio.wait_for(asyncio.shield(waiter.future), max(0.0, deadline - loop.time()))
        except (TimeoutError, asyncio.CancelledError) as exc:
            if waiter in self.waiting:
                self.waiting.remove(waiter)
            if waiter.future.done() and not waiter.future.cancelled():  # granted just now: give it back
                self._give_back(waiter.future.result(), client)
            else:
                waiter.future.cancel()
            if isinstance(exc, asyncio.CancelledError):
                raise
            raise Busy(f"no query process was free for {loop.time() - started:.1f} s") from None
        if deadline - loop.time() < 0.05:  # no time left to run it: do not spend a process on it
            self._give_back(worker, client)
            raise Busy(f"no query process was free for {loop.time() - started:.1f} s")
        try:
            try:
                head, body = await asyncio.wait_for(worker.call(request), max(0.001, deadline - loop.time()))
            except BaseException as exc:  # timed out, cancelled, or the process died: replace it
                self._replace(worker, kill=True)
                if isinstance(exc, (asyncio.IncompleteReadError, ConnectionError, ValueError)):
                    raise ConnectionError(
                        "the query process ended while answering (a crash, or over its memory limit)"
                    ) from None
                raise
        except BaseException:
            self._give_back(None, client)
            raise
        if worker.served >= self.settings.recycle_after:
            self._replace(worker, kill=False)
            worker = None
        self._give_back(worker, client)
        return head, body

    def _give_back(self, worker: Worker | None, client: str) -> None:
        """A query is over: the client has one query fewer running; ``worker`` (if it is still
        usable) is free again."""
        self.running[client] -= 1
        if self.running[client] <= 0:
            del self.running[client]
        if worker is not None:
            self.idle.append(worker)
        self._dispatch()

    async def close(self) -> None:
        for t in list(self.tasks):
            t.cancel()
        for w in self.idle:
            w.close()
        with contextlib.suppress(OSError):
            self.control.close()
        try:
            await asyncio.to_thread(self.zygote.wait, 10)
        except subprocess.TimeoutExpired:
            self.zygote.kill()
            self.zygote.wait()


# -- the service description ----------------------------------------------------------------------
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
SD_FORMATS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV"]
SD_FORMATS += ["Turtle", "N-Triples", "RDF_XML", "JSON-LD"]


def service_description(endpoint: str, graphs: list[str], settings: Settings, fmt: str) -> bytes:
    """A SPARQL 1.1 Service Description of this endpoint: languages, result formats, the union
    default graph, and the default dataset with every named graph of the store."""
    import pyoxigraph as ox

    def n(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    a, sd = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), lambda t: n(SD + t)
    rdfs_comment = n("http://www.w3.org/2000/01/rdf-schema#comment")
    me, dataset, default = n(endpoint), ox.BlankNode("dataset"), ox.BlankNode("default")
    triples = [
        ox.Triple(me, a, sd("Service")),
        ox.Triple(me, sd("endpoint"), me),
        ox.Triple(me, sd("supportedLanguage"), sd("SPARQL10Query")),
        ox.Triple(me, sd("supportedLanguage"), sd("SPARQL11Query")),
        *(ox.Triple(me, sd("resultFormat"), n(FORMATS + f)) for f in SD_FORMATS),
        ox.Triple(me, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(me, sd("defaultEntailmentRegime"), n("http://www.w3.org/ns/entailment/Simple")),
        ox.Triple(
            me,
            rdfs_comment,
            ox.Literal(
                f"jixiao: read-only (no SPARQL Update, no SERVICE, nothing fetched); at most "
                f"{settings.max_rows} rows an answer, {settings.timeout:g} s a query, "
                f"{settings.max_request_bytes} bytes a request, {settings.max_nesting} levels of nesting",
                language="en",
            ),
        ),
        ox.Triple(me, sd("defaultDataset"), dataset),
        ox.Triple(dataset, a, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, a, sd("Graph")),
        ox.Triple(default, rdfs_comment, ox.Literal("the union of the named graphs", language="en")),
    ]
    for i, g in enumerate(graphs):
        ng, graph = ox.BlankNode(f"g{i}"), ox.BlankNode(f"g{i}graph")
        triples += [
            ox.Triple(dataset, sd("namedGraph"), ng),
            ox.Triple(ng, a, sd("NamedGraph")),
            ox.Triple(ng, sd("name"), n(g)),
            ox.Triple(ng, sd("graph"), graph),
            ox.Triple(graph, a, sd("Graph")),
        ]
    from jixiao.serve_worker import GRAPH_FORMATS

    prefixes = {"sd": SD, "formats": FORMATS} if fmt == "turtle" else None
    return ox.serialize(triples, format=getattr(ox.RdfFormat, GRAPH_FORMATS[fmt]), prefixes=prefixes)


# -- the app --------------------------------------------------------------------------------------
def _params(raw: str, where: str) -> dict[str, list[str]]:
    try:
        return parse_qs(raw, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise Refused(400, f"the {where} is not UTF-8 once percent-decoded") from None


def _media(header: str | None) -> tuple[str, str | None]:
    """(media type, charset) of a Content-Type header value."""
    media, *opts = [x.strip() for x in (header or "").split(";")]
    charset = None
    for o in opts:
        k, _, v = o.partition("=")
        if k.strip().lower() == "charset":
            charset = v.strip().strip('"').lower()
    return media.lower(), charset


def _utf8(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(400, f"the {what} is not UTF-8 (byte {exc.start}: {body[exc.start : exc.start + 1]!r})") from None


def create_app(settings: Settings, pool: Pool):
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.requests import Request
    from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
    from starlette.routing import Route

    from jixiao import queries as Q

    library_by_name = {q.name: q for q in Q.library()}
    in_progress: Counter = Counter()

    def plain(status: int, message: str, headers: dict | None = None) -> Response:
        return PlainTextResponse(message + "\n", status, headers=headers)

    async def read_body(request: Request) -> bytes:
        limit = settings.max_request_bytes
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise Refused(413, f"the request body has {int(declared):,} bytes; the limit is {limit:,}")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise Refused(413, f"the request body is over the limit of {limit:,} bytes")
        return bytes(body)

    async def extract(request: Request) -> tuple[str | None, dict[str, list[str]]]:
        """The query text (None for a GET without one) and the protocol parameters."""
        raw = request.url.query
        if len(raw.encode()) > settings.max_request_bytes:
            raise Refused(413, f"the URL's query string is over the limit of {settings.max_request_bytes:,} bytes")
        params = _params(raw, "URL's query string")
        body_query = None
        if request.method == "POST":
            media, charset = _media(request.headers.get("content-type"))
            if media == "application/sparql-update":
                raise Refused(403, f"{READ_ONLY} (application/sparql-update refused)")
            if charset is not None and charset not in ("utf-8", "utf8"):
                raise Refused(415, f"charset={charset} is not accepted: send the query in UTF-8")
            if media == "application/sparql-query":
                body_query = _utf8(await read_body(request), "request body")
                if "query" in params:
                    raise Refused(400, "the query is given twice: in the body and as ?query= in the URL")
            elif media == "application/x-www-form-urlencoded":
                form = _params(_utf8(await read_body(request), "request body"), "form body")
                for k, v in form.items():
                    if k in params and k not in ("default-graph-uri", "named-graph-uri"):
                        raise Refused(400, f"{k!r} is given both in the URL and in the form body")
                    params.setdefault(k, []).extend(v)
            elif not media:
                raise Refused(415, f"the POST has no Content-Type: {POST_TYPES} ({READ_ONLY})")
            else:
                raise Refused(415, f"{POST_TYPES}, not {media} ({READ_ONLY})")
        updates = [k for k in UPDATE_PARAMS if k in params]
        if updates:
            raise Refused(403, f"{READ_ONLY} ({updates[0]}= refused)")
        if body_query is not None:
            return body_query, params
        queries = params.get("query", [])
        if len(queries) > 1:
            raise Refused(400, f"{len(queries)} query parameters: give exactly one")
        if not queries:
            if request.method == "GET":
                return None, params
            raise Refused(400, "no query: give it as query= in the form body or the URL")
        return queries[0], params

    def dataset(params: dict[str, list[str]]) -> dict | None:
        import pyoxigraph as ox

        given = {k: params.get(k, []) for k in ("default-graph-uri", "named-graph-uri")}
        if not any(given.values()):
            return None
        for k, iris in given.items():
            for iri in iris:
                try:
                    ox.NamedNode(iri)
                except ValueError as exc:
                    raise Refused(400, f"{k} {iri!r} is not an absolute IRI ({exc})") from None
        return {"default": given["default-graph-uri"], "named": given["named-graph-uri"]}

    async def answer(query: str, accept: str | None, params: dict, client: str, deadline: float) -> Response:
        loop = asyncio.get_running_loop()
        if not query.strip():
            raise Refused(400, "empty query: the query text is blank")
        if len(query) > settings.max_request_bytes:
            raise Refused(413, f"the query has {len(query):,} characters; the limit is {settings.max_request_bytes:,}")
        try:
            scan = await asyncio.wait_for(
                asyncio.to_thread(check_query_text, query, max_chars=len(query), max_depth=settings.max_nesting),
                max(0.001, deadline - loop.time()),
            )
        except QueryTextError as exc:
            raise Refused(400, f"query refused before parsing: {exc}") from None
        if scan.operation == "update":
            raise Refused(403, f"{READ_ONLY} ({scan.keyword} refused)")
        if scan.uses_service:
            raise Refused(400, "SERVICE is refused: this endpoint does not query other endpoints")
        results = negotiate(accept, list(BOOLEAN_TYPES if scan.keyword == "ASK" else RESULT_TYPES))
        graph = negotiate(accept, list(GRAPH_TYPES))
        wanted = {"ASK": results, "SELECT": results, "CONSTRUCT": graph, "DESCRIBE": graph}.get(scan.keyword, "")
        if wanted is None:
            offers = (
                BOOLEAN_TYPES if scan.keyword == "ASK" else RESULT_TYPES if scan.keyword == "SELECT" else GRAPH_TYPES
            )
            raise Refused(406, f"cannot answer {scan.keyword} as {accept}: acceptable are {', '.join(offers)}")
        ds = dataset(params)
        request = {
            "query": query,
            "base": settings.public_url,
            "dataset": ds,
            "union": ds is None and not scan.has_dataset,
            "results": RESULT_TYPES[results] if results else "json",
            "graph": GRAPH_TYPES[graph] if graph else "turtle",
            "max_rows": settings.max_rows,
            "form": scan.keyword,  # for a remote store (--upstream); a query process reads the text itself
        }
        try:
            head, body = await pool.run(request, client, deadline)
        except Busy as exc:
            raise Refused(503, f"the endpoint is busy: {exc}; try again", {"Retry-After": "5"}) from None
        except TimeoutError:
            raise Refused(504, f"query timed out after {settings.timeout:g} s") from None
        except ConnectionError as exc:
            raise Refused(500, f"{exc}; the query was not answered") from None
        if head["status"] != 200:
            raise Refused(head["status"], head["message"])
        headers = {
            "X-Jixiao-Truncated": "true" if head["truncated"] else "false",
            "X-Jixiao-Max-Rows": str(settings.max_rows),
            "Vary": "Accept",
        }
        media = results if head["format"] in RESULT_TYPES.values() else graph
        default = "application/sparql-results+json" if head["format"] == "json" else "text/turtle"
        return Response(body, 200, media_type=content_type(media or default), headers=headers)

    @contextlib.asynccontextmanager
    async def admitted(request: Request):
        client = request.client.host if request.client else "?"
        if in_progress[client] >= settings.client_queue:
            raise Refused(
                429,
                f"this client has {in_progress[client]} requests in progress; the limit is {settings.client_queue}",
                {"Retry-After": "5"},
            )
        in_progress[client] += 1
        try:
            yield client
        finally:
            in_progress[client] -= 1
            if in_progress[client] <= 0:
                del in_progress[client]

    def describe(request: Request, accept: str | None) -> Response:
        page = "text/html"
        choice = negotiate(accept, [*GRAPH_TYPES, page])
        if choice == page:
            return FileResponse(WEB_DIR / "index.html", media_type="text/html; charset=utf-8")
        if choice is None:
            raise Refused(406, f"no query given, and the service description is not available as {accept}")
        endpoint = settings.public_url or str(request.url.replace(query=""))
        body = service_description(endpoint, pool.graphs, settings, GRAPH_TYPES[choice])
        return Response(body, 200, media_type=content_type(choice), headers={"Vary": "Accept"})

    async def sparql(request: Request) -> Response:
        deadline = asyncio.get_running_loop().time() + settings.timeout
        try:
            if request.method not in ("GET", "HEAD", "POST"):
                raise Refused(
                    405, f"{request.method} is not a SPARQL protocol method: use GET or POST", {"Allow": "GET, POST"}
                )
            async with admitted(request) as client:
                query, params = await extract(request)
                if query is None:
                    return describe(request, request.headers.get("accept"))
                return await answer(query, request.headers.get("accept"), params, client, deadline)
        except Refused as exc:
            return plain(exc.status, exc.message, exc.headers)

    async def update(request: Request) -> Response:
        return plain(403, f"{READ_ONLY} (there is no update service)")

    async def index(request: Request) -> Response:
        return FileResponse(WEB_DIR / "index.html", media_type="text/html; charset=utf-8")

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        path = WEB_DIR / name
        if name not in {p.name for p in WEB_DIR.iterdir()} or path.suffix not in (".js", ".css"):
            return plain(404, "not found")
        media = "text/javascript" if path.suffix == ".js" else "text/css"
        return FileResponse(path, media_type=f"{media}; charset=utf-8")

    async def library(request: Request) -> Response:
        return JSONResponse(
            [
                {
                    "name": q.name,
                    "title_zh": q.title_zh,
                    "title_en": q.title_en,
                    "description": q.description,
                    "problems": q.problems,
                    "query": q.text,
                    "params": [
                        {
                            "name": p.name,
                            "type": p.type,
                            "default": p.default,
                            "description": p.description,
                            "required": p.required,
                        }
                        for p in q.params
                    ],
                }
                for q in library_by_name.values()
            ]
        )

    async def run_library(request: Request) -> Response:
        deadline = asyncio.get_running_loop().time() + settings.timeout
        try:
            async with admitted(request) as client:
                body = await read_body(request)
                try:
                    req = json.loads(body or b"{}")
                    name, params = str(req["name"]), {str(k): str(v) for k, v in (req.get("params") or {}).items()}
                except (ValueError, KeyError, AttributeError, TypeError):
                    raise Refused(400, 'expected JSON {"name": …, "params": {…}}') from None
                q = library_by_name.get(name)
                if q is None:  # looked up in the library only: nothing from a request becomes a path
                    raise Refused(404, f"no library query named {name[:80]!r} (see /queries.json)")
                try:
                    text = Q.bind_values(q.text, Q.bindings(q, params))
                except JixiaoError as exc:
                    raise Refused(400, str(exc)) from None
                return await answer(text, "application/sparql-results+json", {}, client, deadline)
        except Refused as exc:
            return plain(exc.status, exc.message, exc.headers)

    async def page(request: Request) -> Response:  # /report?graph=IRI and /corpus: jixiao/reportpage.py
        from starlette.concurrency import run_in_threadpool

        from jixiao.reportpage import served

        args = (request.url.path, dict(request.query_params), settings.self_url, settings.sources)
        try:
            return HTMLResponse(await run_in_threadpool(served, *args))
        except JixiaoError as exc:
            return PlainTextResponse(f"{exc}\n", 404)

    everything = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
    routes = [
        Route("/", index),
        Route("/report", page),
        Route("/corpus", page),
        Route("/static/{name}", static),
        Route("/queries.json", library),
        Route("/sparql", sparql, methods=everything),
        Route("/query", sparql, methods=everything),
        Route("/update", update, methods=everything),
        Route("/api/run", run_library, methods=["POST"]),
    ]
    middleware = (
        [
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "POST"],
                allow_headers=["*"],
                expose_headers=["X-Jixiao-Truncated", "X-Jixiao-Max-Rows"],
            )
        ]
        if settings.cors
        else []
    )
    return Starlette(routes=routes, middleware=middleware)


# -- processes ------------------------------------------------------------------------------------
def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def oxigraph_binary() -> str:
    """The Oxigraph server binary (the ``oxigraph`` PyPI package): used by the tests as a writable
    reference server; ``jixiao serve`` does not need it."""
    exe = Path(sys.executable).parent / "oxigraph"
    found = str(exe) if exe.exists() else shutil.which("oxigraph")
    if not found:
        raise JixiaoError("the oxigraph server is not installed (pip install oxigraph)")
    return found


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound now (so a busy port is a clear error before any data loads);
    uvicorn starts listening on it once the query processes are ready."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise JixiaoError(f"cannot listen on {host}: {exc.strerror}") from None
    family, _, _, _, addr = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise JixiaoError(f"port {port} on {host} is in use; choose another with --port") from None
        raise JixiaoError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock


def default_public_url(host: str, port: int) -> str | None:
    """The endpoint URL clients use, when it can be known from where it listens (not for a
    wildcard address: then relative IRIs are refused unless --public-url says)."""
    if host in ("0.0.0.0", "::", ""):
        return None
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/sparql"


def serve(
    store: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 7878,
    memory: bool = False,
    settings: Settings | None = None,
    start_pool: Callable[[], Awaitable[Pool]] | None = None,
) -> None:
    """Serve ``store`` (or, with ``settings.upstream``, the remote store that ``start_pool`` starts a
    forwarding pool for: `jixiao.serve_upstream.UpstreamPool`, chosen by the command line, so this
    module does not depend on it) until interrupted."""
    import uvicorn

    settings = settings or Settings()
    upstream = settings.upstream
    if upstream is not None and start_pool is None:
        raise JixiaoError("serving a remote store needs its pool (jixiao.serve_upstream.UpstreamPool.start)")
    is_file = store.suffix.lower() in MEMORY_SOURCES and store.is_file()
    if upstream is None and not (store.is_dir() or (memory and is_file)):
        raise JixiaoError(f"no store at {store} (run jixiao ingest first)", file=store)
    if upstream is None and store.is_dir():
        pending.refuse_if_pending(store)
    if settings.public_url is None:
        settings.public_url = default_public_url(host, port)
    sock = bind(host, port)
    if settings.self_url is None:
        loopback = "[::1]" if sock.family == socket.AF_INET6 else "127.0.0.1"
        settings.self_url = f"http://{loopback}:{sock.getsockname()[1]}/sparql"

    async def main() -> None:
        # with a remote store, the same guard and queue, each query forwarded to it
        pool = await start_pool() if start_pool is not None else await Pool.start(store, memory, settings)
        try:
            app = create_app(settings, pool)
            config = uvicorn.Config(
                app,
                log_level="warning",
                timeout_graceful_shutdown=3,
                proxy_headers=False,  # a client's address is its own, not what a header claims
                server_header=False,
                limit_concurrency=4 * (settings.max_queue + settings.workers) + 64,
            )
            shown = f"[{host}]" if ":" in host else host
            backend = (
                f"{settings.workers} queries at once forwarded to {upstream}"
                if upstream is not None
                else f"{settings.workers} query processes (network: {pool.network}; {pool.memory})"
            )
            print(
                f"jixiao serve: SPARQL endpoint http://{shown}:{port}/sparql (query page http://{shown}:{port}/); "
                f"{backend}, timeout {settings.timeout:g} s, {len(pool.graphs)} graphs",
                file=sys.stderr,
                flush=True,
            )
            server = uvicorn.Server(config)

            async def watch() -> None:  # without its loader the endpoint cannot replace a process
                while pool.zygote is None or pool.zygote.poll() is None:
                    await asyncio.sleep(1)
                server.should_exit = True

            watcher = asyncio.get_running_loop().create_task(watch())
            await server.serve(sockets=[sock])
            watcher.cancel()
            if pool.zygote is not None and pool.zygote.poll() is not None:
                raise JixiaoError(
                    f"the query-process loader stopped (exit {pool.zygote.returncode}); the endpoint stopped"
                )
        finally:
            await pool.close()

    try:
        asyncio.run(main())
    finally:
        sock.close()
