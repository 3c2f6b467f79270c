"""``jixiao serve``: the store over the SPARQL 1.1 Protocol, read-only, behind a guard.

The SPARQL engine is the real Oxigraph server (``oxigraph serve-read-only``, from the ``oxigraph``
PyPI package) on a private loopback port. In front of it a small Starlette app (run by uvicorn)
is the only thing clients reach. For each request it:

* refuses bodies or query strings over ``max_request_bytes`` (413);
* takes the query from GET ``?query=``, a form POST or a ``application/sparql-query`` POST;
  refuses updates (403: the endpoint is read-only);
* parses the query with rdflib's SPARQL parser and refuses ``SERVICE`` (400) and ``FROM`` /
  ``FROM NAMED`` / ``default-graph-uri`` / ``named-graph-uri`` naming a graph the store does not
  hold (400: remote datasets are never fetched);
* forwards it to Oxigraph and reads at most ``max_rows`` solutions (triples for CONSTRUCT /
  DESCRIBE). When there were more it answers with what it read and signals the truncation:
  header ``X-Jixiao-Truncated: true`` always, and in SPARQL JSON results a top-level member
  ``"jixiao": {"truncated": true, "maxRows": N}`` (ignored by ordinary clients);
* gives up after ``timeout`` seconds (504), whatever Oxigraph's own cooperative timeout does.

It also serves a query page (``/``) whose examples are the query library (``/queries.json``), and
``/api/run`` to run a library query with typed parameters (bound with a VALUES block, see
``jixiao.queries.bind_values``). Design notes: docs/decisions/0002-store.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pyoxigraph as ox
from pyparsing import ParseResults
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from jixiao import data as _data
from jixiao import pending
from jixiao import queries as Q
from jixiao.errors import JixiaoError

WEB_DIR = _data.web_dir()
RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
MEDIA_OF = {
    ox.QueryResultsFormat.JSON: "application/sparql-results+json",
    ox.QueryResultsFormat.XML: "application/sparql-results+xml",
    ox.QueryResultsFormat.CSV: "text/csv; charset=utf-8",
    ox.QueryResultsFormat.TSV: "text/tab-separated-values; charset=utf-8",
    ox.RdfFormat.TURTLE: "text/turtle; charset=utf-8",
    ox.RdfFormat.N_TRIPLES: "application/n-triples",
    ox.RdfFormat.RDF_XML: "application/rdf+xml",
    ox.RdfFormat.JSON_LD: "application/ld+json",
}


@dataclass
class Settings:
    upstream: str  # the Oxigraph server's base URL (or a remote store's, see query_path)
    timeout: float = 30
    max_rows: int = 10000
    max_request_bytes: int = 1_000_000
    cors: bool = False
    query_path: str = "/query"  # the upstream's query endpoint, below ``upstream``
    # SELECT answers asked as SPARQL JSON (any SPARQL 1.1 store; read whole, at most this many bytes)
    # instead of Oxigraph's TSV read line by line: Virtuoso's TSV is not the SPARQL 1.1 format
    json_upstream: bool = False
    max_answer_bytes: int = 256 * 1024 * 1024


class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


# -- request checks ----------------------------------------------------------------------------
def _walk(node) -> Iterator:
    yield node
    if isinstance(node, dict):
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, (list, tuple, ParseResults)):
        for v in node:
            yield from _walk(v)


def inspect(query: str) -> tuple[str, list[str]]:
    """The query form (SELECT/ASK/CONSTRUCT/DESCRIBE) and the dataset IRIs it names; raises
    Refused for updates, SERVICE and unparsable text."""
    try:
        parsed = parseQuery(query)
    except Exception as exc:
        try:
            parseUpdate(query)
        except Exception:
            raise Refused(400, f"not a SPARQL 1.1 query: {exc}") from None
        raise Refused(403, "this endpoint is read-only: SPARQL Update is refused") from None
    body = parsed[1]
    for node in _walk(parsed):
        if getattr(node, "name", None) == "ServiceGraphPattern":
            raise Refused(400, "SERVICE is refused: this endpoint does not query other endpoints")
    form = body.name.removesuffix("Query").upper()
    # CompValue.get returns the key itself for a missing key, so test membership
    clauses = body["datasetClause"] if "datasetClause" in body else []  # noqa: SIM401
    graphs = [str(c["default"] if "default" in c else c["named"]) for c in clauses]
    return form, graphs


def negotiate(accept: str, table: dict, default):
    choices = []
    for n, part in enumerate(accept.split(",")):
        media, *opts = [x.strip() for x in part.split(";")]
        q = 1.0
        for o in opts:
            if o.startswith("q="):
                with contextlib.suppress(ValueError):
                    q = float(o[2:])
        choices.append((-q, n, media.lower()))
    for _, _, media in sorted(choices):
        if media in table:
            return table[media]
    return default


# -- the app -----------------------------------------------------------------------------------
def create_app(settings: Settings) -> Starlette:
    client = httpx.AsyncClient(base_url=settings.upstream, timeout=None)

    async def read_body(request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > settings.max_request_bytes:
            raise Refused(413, f"request body over {settings.max_request_bytes} bytes")
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > settings.max_request_bytes:
                raise Refused(413, f"request body over {settings.max_request_bytes} bytes")
        return body

    async def extract(request: Request) -> tuple[str, dict[str, list[str]]]:
        if len(request.url.query.encode()) > settings.max_request_bytes:
            raise Refused(413, f"query string over {settings.max_request_bytes} bytes")
        params = parse_qs(request.url.query, keep_blank_values=True)
        if request.method == "POST":
            body = await read_body(request)
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype == "application/sparql-update":
                raise Refused(403, "this endpoint is read-only: SPARQL Update is refused")
            if ctype == "application/sparql-query":
                params["query"] = [body.decode("utf-8", "replace")]
            elif ctype == "application/x-www-form-urlencoded":
                for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
                    params.setdefault(k, []).extend(v)
            else:
                raise Refused(415, f"unsupported content type {ctype or '(none)'}")
        if "update" in params:
            raise Refused(403, "this endpoint is read-only: SPARQL Update is refused")
        if len(params.get("query", [])) != 1:
            raise Refused(400, "give exactly one query parameter")
        return params["query"][0], params

    async def check_graphs(iris: list[str]) -> None:
        for iri in iris:
            if any(c in iri for c in '<>"{}|^`\\ \n'):
                raise Refused(400, f"bad graph IRI {iri!r}")
            r = await client.post(
                settings.query_path,
                data={"query": f"ASK {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"},
                headers={"Accept": "application/sparql-results+json"},
            )
            if r.status_code != 200 or not r.json().get("boolean"):
                raise Refused(400, f"FROM <{iri}>: not a graph of this store (remote datasets are not fetched)")

    async def answer(query: str, accept: str, params: dict[str, list[str]] | None = None) -> Response:
        form, graphs = inspect(query)
        params = params or {}
        graphs += params.get("default-graph-uri", []) + params.get("named-graph-uri", [])
        await check_graphs(graphs)
        upstream_params = {k: v for k, v in params.items() if k in ("default-graph-uri", "named-graph-uri")}
        if form in ("SELECT", "CONSTRUCT", "DESCRIBE"):
            lines_type = "text/tab-separated-values" if form == "SELECT" else "application/n-triples"
            return await limited(query, form, lines_type, accept, upstream_params)
        fmt = negotiate(accept, RESULT_TYPES, ox.QueryResultsFormat.JSON)
        r = await asyncio.wait_for(
            client.post(
                settings.query_path, data={"query": query, **upstream_params}, headers={"Accept": MEDIA_OF[fmt]}
            ),
            settings.timeout,
        )
        return Response(r.content, r.status_code, media_type=r.headers.get("content-type"))

    async def limited(query: str, form: str, lines_type: str, accept: str, extra: dict) -> Response:
        """Forward, read at most max_rows lines (+ the TSV header), re-serialise in the asked format."""
        cap = settings.max_rows + (1 if form == "SELECT" else 0)
        lines: list[bytes] = []
        truncated = False
        started = time.monotonic()

        async def pull() -> int:
            nonlocal truncated
            asked = "application/sparql-results+json" if form == "SELECT" and settings.json_upstream else lines_type
            req = client.build_request(
                "POST", settings.query_path, data={"query": query, **extra}, headers={"Accept": asked}
            )
            resp = await client.send(req, stream=True)
            try:
                if resp.status_code != 200:
                    await resp.aread()
                    lines.append(resp.content)
                    return resp.status_code
                if resp.headers.get("x-sql-state") == "S1TAT":  # Virtuoso's partial ("anytime") answer
                    raise Refused(504, "the store stopped the query at its own time limit (a partial answer)")
                if asked != lines_type:  # SPARQL JSON, read whole, cut to the cap as TSV lines
                    body = b""
                    async for chunk in resp.aiter_bytes():
                        body += chunk
                        if len(body) > settings.max_answer_bytes:
                            raise Refused(502, f"the store's answer is over {settings.max_answer_bytes} bytes")
                    try:
                        rows = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
                        text = rows.serialize(format=ox.QueryResultsFormat.TSV).decode("utf-8").split("\n")
                    except (SyntaxError, ValueError) as exc:
                        raise Refused(502, f"bad answer from the store: {exc}") from None
                    kept = [line for line in text if line][:cap]
                    truncated = len([line for line in text if line]) > cap
                    lines.extend(line.encode("utf-8") for line in kept)
                    return 200
                async for line in resp.aiter_lines():
                    if len(lines) >= cap:
                        truncated = True
                        break
                    if line:
                        lines.append(line.encode("utf-8"))
                return 200
            finally:
                await resp.aclose()

        try:
            status = await asyncio.wait_for(pull(), settings.timeout)
        except TimeoutError:
            raise Refused(504, f"query timed out after {settings.timeout:g} s") from None
        if status != 200:
            raise Refused(status if status < 500 else 502, b"".join(lines).decode("utf-8", "replace"))
        data = b"\n".join(lines) + b"\n"
        headers = {"X-Jixiao-Truncated": "true" if truncated else "false", "X-Jixiao-Max-Rows": str(settings.max_rows)}
        try:
            if form == "SELECT":
                fmt = negotiate(accept, RESULT_TYPES, ox.QueryResultsFormat.JSON)
                out = ox.parse_query_results(data, format=ox.QueryResultsFormat.TSV).serialize(format=fmt)
                if truncated and fmt == ox.QueryResultsFormat.JSON:
                    doc = json.loads(out)
                    doc["jixiao"] = {"truncated": True, "maxRows": settings.max_rows}
                    out = json.dumps(doc, ensure_ascii=False).encode("utf-8")
            else:
                fmt = negotiate(accept, GRAPH_TYPES, ox.RdfFormat.TURTLE)
                out = ox.serialize(ox.parse(data, format=ox.RdfFormat.N_TRIPLES), format=fmt)
        except (SyntaxError, ValueError, OSError) as exc:
            # Oxigraph ends a cancelled answer with an error message in the body
            if time.monotonic() - started >= settings.timeout * 0.9:
                raise Refused(504, f"query timed out after {settings.timeout:g} s") from None
            raise Refused(502, f"bad answer from the store: {exc}") from None
        return Response(out, 200, media_type=MEDIA_OF[fmt], headers=headers)

    async def sparql(request: Request) -> Response:
        try:
            query, params = await extract(request)
            return await answer(query, request.headers.get("accept", ""), params)
        except Refused as exc:
            return PlainTextResponse(exc.message + "\n", exc.status)
        except TimeoutError:
            return PlainTextResponse(f"query timed out after {settings.timeout:g} s\n", 504)

    async def update(request: Request) -> Response:
        return PlainTextResponse("this endpoint is read-only: SPARQL Update is refused\n", 403)

    async def index(request: Request) -> Response:
        return FileResponse(WEB_DIR / "index.html", media_type="text/html; charset=utf-8")

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        path = WEB_DIR / name
        if name not in {p.name for p in WEB_DIR.iterdir()} or path.suffix not in (".js", ".css"):
            return PlainTextResponse("not found\n", 404)
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
                for q in Q.library()
            ]
        )

    async def run_library(request: Request) -> Response:
        try:
            body = await read_body(request)
            try:
                req = json.loads(body or b"{}")
                name, params = str(req["name"]), {str(k): str(v) for k, v in (req.get("params") or {}).items()}
            except (ValueError, KeyError, AttributeError, TypeError):
                raise Refused(400, 'expected JSON {"name": …, "params": {…}}') from None
            try:
                q = Q.load(name) if "/" not in name and "\\" not in name else None
                if q is None:
                    raise Refused(400, "library queries are named, not paths")
                text = Q.bind_values(q.text, Q.bindings(q, params))
            except JixiaoError as exc:
                raise Refused(400, str(exc)) from None
            return await answer(text, "application/sparql-results+json")
        except Refused as exc:
            return PlainTextResponse(exc.message + "\n", exc.status)

    routes = [
        Route("/", index),
        Route("/static/{name}", static),
        Route("/queries.json", library),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/query", sparql, methods=["GET", "POST"]),
        Route("/update", update, methods=["GET", "POST"]),
        Route("/api/run", run_library, methods=["POST"]),
    ]
    middleware = (
        [
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "POST"],
                allow_headers=["*"],
                expose_headers=["X-Jixiao-Truncated"],
            )
        ]
        if settings.cors
        else []
    )

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        await client.aclose()

    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


# -- processes ---------------------------------------------------------------------------------
def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def oxigraph_binary() -> str:
    exe = Path(sys.executable).parent / "oxigraph"
    found = str(exe) if exe.exists() else shutil.which("oxigraph")
    if not found:
        raise JixiaoError("the oxigraph server is not installed (pip install oxigraph)")
    return found


def wait_until_up(url: str, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise JixiaoError(f"the Oxigraph server stopped (exit {proc.returncode})")
        try:
            httpx.get(url, params={"query": "ASK {}"}, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise JixiaoError(f"the Oxigraph server did not answer at {url}")


def _die_with_parent() -> None:
    """In the child before exec: ask Linux to SIGTERM it when jixiao serve dies, however it dies
    (uvicorn re-raises SIGTERM after its graceful shutdown, which skips ``finally`` blocks)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


MEMORY_SOURCES = {".nq": "application/n-quads", ".trig": "application/trig"}


@contextlib.contextmanager
def oxigraph_server(store: Path, timeout: float, *, memory: bool = False) -> Iterator[str]:
    """Run the Oxigraph server on a free loopback port; yields its base URL.

    By default ``oxigraph serve-read-only`` on the store directory. With ``memory`` an in-memory
    ``oxigraph serve`` is started and filled before the guard opens: from ``store`` if it is an
    N-Quads / TriG file (as ``jixiao ingest --out`` writes it), else from the store directory (dumped
    to a temporary N-Quads file first). Queries then probe hash maps instead of seeking in RocksDB
    (several times faster, BENCHMARKS.md) at the cost of ~500 MB of memory per million quads and the
    load at start. That server accepts writes, but only on its private loopback port: clients reach
    nothing but the guard, which refuses updates."""
    is_file = store.suffix.lower() in MEMORY_SOURCES and store.is_file()
    if not (store.is_dir() or (memory and is_file)):
        raise JixiaoError(f"no store at {store} (run jixiao ingest first)", file=store)
    if store.is_dir():
        pending.refuse_if_pending(store)
    port = free_port()
    mode = ["serve"] if memory else ["serve-read-only", "--location", str(store)]
    proc = subprocess.Popen(
        [
            oxigraph_binary(),
            *mode,
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout-s",
            str(max(1, int(timeout))),
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_die_with_parent,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/query", proc)
        if memory:
            _fill(base, store, is_file)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _fill(base: str, source: Path, is_file: bool) -> None:
    """POST the source's quads to the in-memory server's Graph Store endpoint, streamed from a file."""
    import tempfile

    def post(path: Path, content_type: str) -> None:
        with path.open("rb") as fh:
            r = httpx.post(
                base + "/store",
                content=iter(lambda: fh.read(1 << 20), b""),
                headers={"Content-Type": content_type},
                timeout=None,
            )
        if r.status_code >= 300:
            raise JixiaoError(f"the in-memory server refused the data ({r.status_code}): {r.text[:300]}", file=source)

    if is_file:
        post(source, MEMORY_SOURCES[source.suffix.lower()])
        return
    with tempfile.TemporaryDirectory(prefix="jixiao-serve-") as tmp:
        dump = Path(tmp) / "store.nq"
        try:
            ox.Store.read_only(str(source)).dump(str(dump), format=ox.RdfFormat.N_QUADS)
        except OSError as exc:
            raise JixiaoError(f"cannot read store: {exc}", file=source) from exc
        post(dump, MEMORY_SOURCES[".nq"])


def serve(
    store: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 7878,
    timeout: float = 30,
    max_rows: int = 10000,
    max_request_bytes: int = 1_000_000,
    cors: bool = False,
    memory: bool = False,
    upstream: str | None = None,
) -> None:
    """Serve the store (started as a private Oxigraph server), or with ``upstream`` (a remote store's
    SPARQL query URL, e.g. Virtuoso's http://host:8890/sparql) the same guard in front of that store."""
    import uvicorn

    with contextlib.ExitStack() as stack:
        if upstream is not None:
            from urllib.parse import urlsplit

            parts = urlsplit(upstream)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise JixiaoError(f"--upstream {upstream!r}: expected the http(s) URL of a SPARQL query endpoint")
            settings = Settings(
                f"{parts.scheme}://{parts.netloc}",
                timeout,
                max_rows,
                max_request_bytes,
                cors,
                query_path=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                json_upstream=True,
            )
        else:
            base = stack.enter_context(oxigraph_server(store, timeout, memory=memory))
            settings = Settings(base, timeout, max_rows, max_request_bytes, cors)
        app = create_app(settings)
        print(
            f"jixiao serve: SPARQL endpoint http://{host}:{port}/sparql (query page http://{host}:{port}/)",
            file=sys.stderr,
            flush=True,
        )
        uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=3)
