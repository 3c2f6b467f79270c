"""OpenLink Virtuoso (Open Source, 7.x) as the store for a big corpus: its bulk loader driven through
``isql``, and a private server in a directory of its own for tests, benchmarks and a researcher's
own machine. How-to: docs/remote-stores.md.

* :class:`Isql` runs SQL (and ``SPARQL …`` statements) through Virtuoso's own client, ``isql-vt`` on
  Debian; errors (``*** Error …``) raise :class:`~jixiao.errors.JixiaoError`.
* :func:`bulk_push` loads many report graphs with ``ld_dir`` + ``rdf_loader_run()`` and replaces each
  graph atomically, as ``jixiao push`` does over HTTP: every report goes in under a temporary graph
  name, the temporary graphs' triple counts are checked, then each is swapped in with one ``MOVE``.
  The loader reads files on the server's machine, from a directory listed in its ``DirsAllowed``.
* :func:`local_server` starts ``virtuoso-t`` with a fresh database and ini in a directory, on free
  loopback ports, and stops it: what tests/test_virtuoso.py and bench/ run against.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from jixiao.errors import JixiaoError, UsageError

PUSH_PREFIX = "urn:jixiao:push:"  # temporary graphs of a push (jixiao.push uses the same prefix)


def _binary(names: tuple[str, ...], env: str, what: str) -> str:
    chosen = os.environ.get(env)
    if chosen:
        return chosen
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise JixiaoError(f"{what} not found (Debian: apt-get install virtuoso-opensource; or set {env})")


def isql_binary() -> str:
    """Virtuoso's isql (``isql-vt`` on Debian; plain ``isql`` is often unixODBC's, a different program)."""
    return _binary(("isql-vt", "isql-v"), "JIXIAO_ISQL", "Virtuoso's isql client (isql-vt)")


def server_binary() -> str:
    return _binary(("virtuoso-t",), "JIXIAO_VIRTUOSO", "the Virtuoso server (virtuoso-t)")


def sql_string(text: str) -> str:
    """A SQL string literal (Virtuoso: quotes doubled, backslashes taken literally)."""
    if "\x00" in text or "\n" in text:
        raise UsageError(f"cannot pass {text!r} to isql")
    return "'" + text.replace("'", "''") + "'"


@dataclass
class Isql:
    """A connection to Virtuoso's SQL port through its isql client.

    The password is given to isql on its command line (Virtuoso's client reads it nowhere else), so it
    is visible in the machine's process list while a statement runs: use this on the server's own
    machine, as the bulk loader needs anyway."""

    address: str = "127.0.0.1:1111"  # host:port of the SQL port (ServerPort in [Parameters])
    user: str = "dba"
    password: str = "dba"
    timeout: float = 3600

    def run(self, sql: str) -> str:
        """Run ``sql`` (statements ended by ``;``, one per line); the rows as isql prints them."""
        cmd = [isql_binary(), self.address, self.user, self.password]
        cmd += ["VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF", "ECHO=OFF", "ERRORS=STDOUT"]
        try:
            proc = subprocess.run(cmd, input=sql.encode(), capture_output=True, timeout=self.timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise JixiaoError(f"isql at {self.address}: {exc}") from exc
        out = proc.stdout.decode("utf-8", "replace")
        if "*** Error" in out or proc.returncode != 0:
            message = out[out.find("*** Error") :] if "*** Error" in out else proc.stderr.decode("utf-8", "replace")
            raise JixiaoError(f"isql at {self.address}: {' '.join(message.split())[:500]}")
        return out


def bulk_push(
    isql: Isql,
    graphs: Iterable[tuple[str, bytes]],
    load_dir: Path,
    *,
    batch: int = 32,
    progress: Callable[[], object] | None = None,
) -> list[tuple[str, int]]:
    """Load ``(graph IRI, N-Triples)`` pairs with Virtuoso's bulk loader, each graph replaced whole.

    The N-Triples become one N-Quads file in ``load_dir`` (a directory the server may read:
    ``DirsAllowed`` in virtuoso.ini). A graph the store does not hold yet goes in under its own
    name; a graph it holds goes in under a temporary name ``urn:jixiao:push:<run>:<n>`` and, once
    everything is loaded and counted, is moved over the old one (``SPARQL MOVE``, one statement per
    graph: a reader sees a report's old graph or its new one, never a mix). Every loaded graph's
    triple count is checked against the distinct triples sent. On any failure every graph this run
    loaded is dropped (the new ones and the temporary ones), so the store is as before. A journal in
    ``load_dir`` names them while the load runs: a push that was killed is rolled back by the next
    one (:func:`recover`); killed during the final swaps, each report is its old or its new graph.
    New reports are visible to readers while they load (Virtuoso's bulk loader is not
    transactional); one push at a time per load directory.
    ``progress()`` is called as each graph is written to the load file. Returns (graph, triples) in
    input order."""
    from jixiao.store import nquads

    load_dir = Path(load_dir).resolve()
    load_dir.mkdir(parents=True, exist_ok=True)
    recover(isql, load_dir)
    run = uuid.uuid4().hex
    nq = load_dir / f"jixiao-push-{run}.nq"
    journal = load_dir / f"jixiao-push-{run}.journal"
    plan: list[tuple[str, str, int]] = []  # (graph, graph loaded: itself or a temporary one, expected count)
    try:
        with nq.open("wb") as fh:
            pending: list[tuple[str, bytes]] = []

            def flush() -> None:
                held = existing(isql, [g for g, _ in pending])
                for graph, nt in pending:
                    loaded = f"{PUSH_PREFIX}{run}:{len(plan)}" if graph in held else graph
                    fh.write(nquads(nt, loaded))
                    plan.append((graph, loaded, len({line for line in nt.splitlines() if line.strip()})))
                    if progress is not None:
                        progress()
                pending.clear()

            for graph, nt in graphs:
                if graph in {g for g, _, _ in plan} or graph in {g for g, _ in pending}:
                    raise UsageError(f"graph <{graph}> given twice in one push")
                pending.append((graph, nt))
                if len(pending) >= batch:
                    flush()
            flush()
        if not plan:
            return []
        _write_journal(journal, [loaded for _, loaded, _ in plan])
        isql.run(
            f"DELETE FROM DB.DBA.LOAD_LIST WHERE ll_file = {sql_string(str(nq))};\n"
            f"ld_dir({sql_string(str(load_dir))}, {sql_string(nq.name)}, {sql_string(PUSH_PREFIX + run)});\n"
            "rdf_loader_run();\n"
            "checkpoint;\n"
        )
        state = isql.run(
            f"SELECT ll_state, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_file = {sql_string(str(nq))};\n"
        ).split()
        if not state or state[0] != "2" or (len(state) > 1 and state[1] != "NULL"):
            raise JixiaoError(f"Virtuoso's bulk loader did not load {nq}: {' '.join(state)[:500]}")
        counts = count_graphs(isql, [loaded for _, loaded, _ in plan])
        for (graph, _, expected), got in zip(plan, counts, strict=True):
            if got != expected:
                raise JixiaoError(f"the store holds {got} triples of {expected} sent for <{graph}>")
        moves = [(graph, loaded) for graph, loaded, _ in plan if loaded != graph]
        _write_journal(journal, [tmp for _, tmp in moves])  # the new graphs are complete: only swaps remain
        if moves:
            isql.run("".join(f"SPARQL MOVE <{_iri(tmp)}> TO <{_iri(graph)}>;\n" for graph, tmp in moves))
        isql.run("checkpoint;\n")
        journal.unlink()
    except BaseException as exc:
        with contextlib.suppress(JixiaoError):
            recover(isql, load_dir)
        if isinstance(exc, JixiaoError) and not isinstance(exc, UsageError):
            raise JixiaoError(f"bulk push failed, the store's previous graphs are unchanged: {exc.problem}") from exc
        raise
    finally:
        nq.unlink(missing_ok=True)
        with contextlib.suppress(JixiaoError):
            isql.run(f"DELETE FROM DB.DBA.LOAD_LIST WHERE ll_file = {sql_string(str(nq))};\n")
    return [(graph, expected) for graph, _, expected in plan]


def _write_journal(path: Path, graphs: list[str]) -> None:
    """Name the graphs a load will create, durably, before it starts (written aside, fsynced, renamed)."""
    import json

    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump({"graphs": graphs}, fh)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)


def recover(isql: Isql, load_dir: Path) -> list[str]:
    """Roll back the bulk pushes into ``load_dir`` that did not finish (their journals are still there):
    drop every graph they loaded (new graphs and temporary ones; an old graph is only ever replaced by
    the final MOVE, after which the journal goes), remove their files. Returns the graphs dropped."""
    import json

    dropped: list[str] = []
    for journal in sorted(Path(load_dir).glob("jixiao-push-*.journal")):
        try:
            graphs = list(json.loads(journal.read_text(encoding="utf-8"))["graphs"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise JixiaoError(f"unreadable push journal: {exc}", file=journal) from exc
        drop_graphs(isql, graphs)
        dropped += graphs
        journal.with_suffix(".nq").unlink(missing_ok=True)
        journal.unlink()
    return dropped


def existing(isql: Isql, graphs: list[str]) -> set[str]:
    """The graphs of ``graphs`` the store holds (in one isql run; a COUNT of at most one triple per
    graph, as isql prints nothing for a false ASK)."""
    if not graphs:
        return set()
    out = isql.run(
        "".join(
            f"SPARQL SELECT COUNT(*) WHERE {{ {{ SELECT * WHERE {{ GRAPH <{_iri(g)}> {{ ?s ?p ?o }} }} LIMIT 1 }} }};\n"
            for g in graphs
        )
    ).split()
    answers = [w for w in out if w in ("0", "1")]
    if len(answers) != len(graphs):
        raise JixiaoError(f"isql at {isql.address}: expected {len(graphs)} answers, read {len(answers)}")
    return {g for g, a in zip(graphs, answers, strict=True) if a == "1"}


def _iri(text: str) -> str:
    from rdflib import URIRef

    from jixiao.queries import term_n3

    return term_n3(URIRef(text))[1:-1]  # checked: no character that could end the IRI


def count_graphs(isql: Isql, graphs: list[str]) -> list[int]:
    """The triple count of each graph, in order (one isql run; one COUNT statement per graph)."""
    if not graphs:
        return []
    out = isql.run("".join(f"SPARQL SELECT COUNT(*) WHERE {{ GRAPH <{_iri(g)}> {{ ?s ?p ?o }} }};\n" for g in graphs))
    numbers = [int(line) for line in out.split() if line.isdigit()]
    if len(numbers) != len(graphs):
        raise JixiaoError(f"isql at {isql.address}: expected {len(graphs)} counts, read {len(numbers)}")
    return numbers


def drop_graphs(isql: Isql, graphs: list[str]) -> None:
    if graphs:
        isql.run("".join(f"SPARQL DROP SILENT GRAPH <{_iri(g)}>;\n" for g in graphs))


# -- a private server ---------------------------------------------------------------------------
INI = """\
; written by jixiao.virtuoso.local_server: a private Virtuoso on loopback ports
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = ., {load_dir}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
ThreadsPerQuery = {threads}
AsyncQueueMaxThreads = 10
MaxQueryMem = {query_mem}
VADInstallDir = {d}/vad

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}/www
ServerThreads = 16
MaxClientConnections = 16
Charset = UTF-8

[SPARQL]
; no ResultSetMaxRows and no MaxQueryExecutionTime: Virtuoso would otherwise return a partial
; result as if it were whole (library queries return up to ~10^5 rows on a big corpus)
"""


@dataclass
class LocalVirtuoso:
    directory: Path
    http_port: int
    sql_port: int
    proc: subprocess.Popen
    load_dir: Path

    @property
    def sparql(self) -> str:
        """The query endpoint (anonymous, read-only)."""
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def sparql_auth(self) -> str:
        """The endpoint for updates (HTTP digest authentication, user dba)."""
        return f"http://127.0.0.1:{self.http_port}/sparql-auth"

    @property
    def gsp(self) -> str:
        """The Graph Store Protocol endpoint (``?graph-uri=``; digest authentication)."""
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud-auth"

    @property
    def isql(self) -> Isql:
        return Isql(f"127.0.0.1:{self.sql_port}", "dba", "dba")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_ini(directory: Path, *, http_port: int, sql_port: int, memory_mb: int = 1024, threads: int = 2) -> Path:
    """virtuoso.ini for a database in ``directory`` (created); the bulk loader may read
    ``directory/load``. ``memory_mb`` sizes the page buffers (Virtuoso's rule: 2/3 of it in 8 KB pages)."""
    directory = Path(directory).resolve()
    for sub in ("load", "www", "vad"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    buffers = max(2000, memory_mb * 1024 * 1024 * 2 // 3 // 8192)
    ini = directory / "virtuoso.ini"
    ini.write_text(
        INI.format(
            d=directory,
            sql_port=sql_port,
            http_port=http_port,
            load_dir=directory / "load",
            buffers=buffers,
            dirty=buffers * 3 // 4,
            threads=threads,
            query_mem=f"{max(256, memory_mb // 2)}M",
        ),
        encoding="utf-8",
    )
    return ini


@contextlib.contextmanager
def local_server(directory: Path, *, memory_mb: int = 1024, start_seconds: float = 120) -> Iterator[LocalVirtuoso]:
    """Start ``virtuoso-t`` on a database in ``directory`` (a new one is created on first start; the
    dba password of a new database is ``dba``), on free loopback ports; yield it; stop it (SIGTERM:
    Virtuoso checkpoints and exits; killed after 60 s)."""
    http_port, sql_port = free_port(), free_port()
    ini = write_ini(directory, http_port=http_port, sql_port=sql_port, memory_mb=memory_mb)
    log = (Path(directory) / "server.out").open("ab")
    proc = subprocess.Popen(
        [server_binary(), "-f", "-c", str(ini)],
        cwd=str(directory),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = LocalVirtuoso(Path(directory), http_port, sql_port, proc, Path(directory).resolve() / "load")
    try:
        _wait(server, start_seconds)
        yield server
    finally:
        stop(proc)
        log.close()


def _wait(server: LocalVirtuoso, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            tail = (server.directory / "virtuoso.log").read_text(errors="replace")[-800:]
            raise JixiaoError(f"virtuoso-t exited with {server.proc.returncode}: {tail}")
        try:
            r = httpx.get(server.sparql, params={"query": "ASK {}"}, timeout=2)
            if r.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise JixiaoError(f"Virtuoso did not answer at {server.sparql} within {seconds:.0f} s")


def stop(proc: subprocess.Popen, seconds: float = 60) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
