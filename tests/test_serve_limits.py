"""``jixiao serve`` under hostile input and load: the endpoint's promises in docs/security.md.

Real servers on free loopback ports; clients on distinct loopback addresses (127.0.0.x) where a
test needs several clients. Nothing here measures speed: the tests check outcomes (status codes,
which process survived, who was answered while something else still ran)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "queries"))
import servers

pytestmark = pytest.mark.server
JX = "https://w3id.org/jixiao/def#"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
LIGHT = f"ASK {{ ?r a <{JX}Report> }}"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return servers.build_store(tmp_path_factory.mktemp("limits") / "store")


@contextlib.contextmanager
def serving(store: Path, *args: str) -> Iterator[tuple[str, subprocess.Popen]]:
    port = servers.free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "jixiao", "serve", "--store", str(store), "--port", str(port), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        servers._wait(base + "/queries.json", proc)
        yield base, proc
    finally:
        servers._stop(proc)


def client(n: int, timeout: float = 120) -> httpx.Client:
    """A client on its own loopback address 127.0.0.n: the endpoint sees a different client."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=f"127.0.0.{n}"), timeout=timeout)


def ask(c: httpx.Client, base: str, query: str) -> httpx.Response:
    return c.post(base + "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (zombies excluded)."""
    procs = {}
    for d in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (d / "stat").read_text()
            after = stat.rsplit(")", 1)[1].split()
            if after[0] != "Z":
                procs[int(d.name)] = int(after[1])
    out, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, pp in procs.items() if pp in frontier} - out
        out |= frontier
    return out


def query_processes(serve_pid: int) -> set[int]:
    """The query processes: grandchildren of jixiao serve (its child is the loader)."""
    kids = {p for p in descendants(serve_pid) if _ppid(p) == serve_pid}
    return {p for p in descendants(serve_pid) if _ppid(p) in kids}


def wait_for(predicate, seconds: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.1)


# -- size and nesting -----------------------------------------------------------------------------
def test_deep_nesting_is_refused_before_parsing_and_the_endpoint_lives(store):
    """10,000 nested braces kill Oxigraph's parser (a stack overflow: SIGSEGV). The check refuses
    them with 400 before any parser sees them; every query process survives."""
    with serving(store, "--workers", "2") as (base, proc), client(2) as c:
        before = query_processes(proc.pid)
        assert len(before) == 2
        for q in (
            "SELECT * WHERE " + "{" * 10000 + "}" * 10000,
            "SELECT * WHERE { FILTER(" + "(" * 10000 + "1" + ")" * 10000 + ") }",
            "SELECT * WHERE { ?s ?p " + "[ ?p " * 10000 + "?o" + " ]" * 10000 + " }",
        ):
            r = ask(c, base, q)
            assert r.status_code == 400 and "nests deeper than 64 levels" in r.text, r.text
        assert ask(c, base, LIGHT).json()["boolean"] is True
        assert query_processes(proc.pid) == before and proc.poll() is None


def test_a_query_process_that_crashes_is_replaced_and_the_others_go_on(store):
    """With the nesting check loosened on purpose, the same query crashes the query process that
    parses it: that request gets a 500, a fresh process takes its place, the endpoint goes on."""
    with serving(store, "--workers", "2", "--max-nesting", "100000") as (base, proc), client(2) as c:
        before = query_processes(proc.pid)
        r = ask(c, base, "SELECT * WHERE " + "{" * 10000 + "}" * 10000)
        assert r.status_code == 500 and "query process ended while answering" in r.text, r.text
        wait_for(lambda: len(query_processes(proc.pid)) == 2, what="a replacement query process")
        after = query_processes(proc.pid)
        assert len(after - before) == 1 and len(before - after) == 1
        assert ask(c, base, LIGHT).json()["boolean"] is True
        assert proc.poll() is None


def test_a_query_over_its_memory_limit_ends_its_process_not_the_machine(store):
    """Sorting a 10^8-row cross join of VALUES would take gigabytes: with --max-query-memory 200
    the query process fails its allocation and ends; the request gets a 500 (not a 504 after the
    timeout, not a machine out of memory), a fresh process takes over."""
    vals = " ".join(str(i) for i in range(100))
    q = "SELECT * WHERE { " + " ".join(f"VALUES ?{v} {{ {vals} }}" for v in "abcd") + " } ORDER BY DESC(?a) LIMIT 1"
    args = ("--timeout", "60", "--workers", "2", "--max-query-memory", "200")
    with serving(store, *args) as (base, proc), client(2) as c:
        r = ask(c, base, q)
        assert r.status_code == 500 and "over its memory limit" in r.text, r.text
        wait_for(lambda: len(query_processes(proc.pid)) == 2, what="a replacement query process")
        assert ask(c, base, LIGHT).json()["boolean"] is True


def test_oversize_queries_are_413_and_a_long_in_list_is_answered(store):
    with serving(store, "--max-request-bytes", "60000") as (base, _), client(2) as c:
        values = ", ".join(f'"v{i}"' for i in range(5000))  # ~39 KB, the size that held the old guard 24 s
        q = f'SELECT ?x WHERE {{ VALUES ?x {{ "v4999" "w" }} FILTER(?x IN ({values})) }}'
        assert 30_000 < len(q) < 60_000
        r = c.post(base + "/sparql", content=q.encode(), headers={"Content-Type": "application/sparql-query"})
        assert r.status_code == 200, r.text
        assert [b["x"]["value"] for b in r.json()["results"]["bindings"]] == ["v4999"]
        big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 61_000
        assert ask(c, base, big).status_code == 413
        r = c.get(base + "/sparql", params={"query": big})
        assert r.status_code == 413 and "limit" in r.text


# -- time -----------------------------------------------------------------------------------------
def test_a_pathological_query_is_cut_at_the_timeout_without_stalling_the_rest(store):
    """A cross join runs out of time: 504, and the process running it is killed and replaced (its
    work stops: Oxigraph's own timeout does not stop such a query). While it runs, another client
    is answered, many times over."""
    with serving(store, "--timeout", "4", "--workers", "2") as (base, proc):
        before = query_processes(proc.pid)
        done = threading.Event()
        heavy: dict = {}

        def attack() -> None:
            with client(2) as c:
                t0 = time.monotonic()
                heavy["response"] = ask(c, base, HEAVY)
                heavy["seconds"] = time.monotonic() - t0
            done.set()

        t = threading.Thread(target=attack)
        t.start()
        answered = 0
        with client(3) as c:
            wait_for(lambda: len(query_processes(proc.pid)) == 2, what="the pool")
            while not done.is_set() and answered < 20:
                r = ask(c, base, LIGHT)
                assert r.status_code == 200 and r.json()["boolean"] is True
                answered += 1
            assert not done.is_set(), "the light queries should all be answered while the heavy one runs"
        t.join()
        r = heavy["response"]
        assert r.status_code == 504 and "timed out after 4 s" in r.text, r.text
        wait_for(lambda: len(query_processes(proc.pid)) == 2, what="a replacement query process")
        after = query_processes(proc.pid)
        assert len(before - after) == 1, "the process that ran the heavy query was killed"


# -- concurrency and clients ----------------------------------------------------------------------
def test_one_client_gets_one_running_query_and_a_bounded_queue(store):
    """--client-slots 1 --client-queue 2: a client's second query waits for its first, the third
    is refused with 429 at once; another client is answered meanwhile."""
    with serving(store, "--timeout", "4", "--workers", "3", "--client-queue", "2") as (base, _):
        with ThreadPoolExecutor(3) as pool, client(2) as a:
            futures = [pool.submit(ask, a, base, HEAVY) for _ in range(2)]
            time.sleep(0.5)  # both of them in progress
            third = a.post(
                base + "/sparql",
                data={"query": LIGHT},
                headers={"X-Forwarded-For": "203.0.113.9", "Forwarded": "for=203.0.113.9"},
            )  # a header does not make another client
            assert third.status_code == 429 and third.headers["retry-after"] == "5", third.text
            assert "2 requests in progress" in third.text
            with client(3) as b:
                assert ask(b, base, LIGHT).json()["boolean"] is True
                assert not all(f.done() for f in futures)
            statuses = sorted(f.result().status_code for f in futures)
        # the first ran out of time; the second waited for it (client-slots 1), then had no time left
        assert statuses == [503, 504] or statuses == [504, 504], statuses


def test_when_too_many_wait_the_endpoint_says_it_is_busy(store):
    args = ("--timeout", "4", "--workers", "2", "--max-queue", "1")
    with serving(store, *args) as (base, _), ThreadPoolExecutor(4) as pool:
        clients = [client(n) for n in (2, 3, 4, 5)]
        futures = [pool.submit(ask, c, base, HEAVY) for c in clients[:3]]  # 2 run, 1 waits
        time.sleep(1)
        r = ask(clients[3], base, LIGHT)
        assert r.status_code == 503 and "busy" in r.text and r.headers["retry-after"], r.text
        statuses = sorted(f.result().status_code for f in futures)
        # two ran out of time; the one that waited had (next to) no time left when a process freed
        assert statuses[1:] == [504, 504] and statuses[0] in (503, 504), statuses
        for c in clients:
            c.close()


# -- processes and the network --------------------------------------------------------------------
def _listening_ports_of(pids: set[int]) -> set[int]:
    """TCP ports in LISTEN state whose socket one of ``pids`` holds."""
    inodes = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").glob("*"):
            with contextlib.suppress(OSError):
                link = os.readlink(fd)
                if link.startswith("socket:["):
                    inodes.add(link[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                f = line.split()
                if f[3] == "0A" and f[9] in inodes:
                    ports.add(int(f[1].rsplit(":", 1)[1], 16))
    return ports


@pytest.mark.parametrize("memory", [False, True])
def test_nothing_listens_but_the_endpoint(store, memory):
    """No upstream server: the only listening socket of jixiao serve and all its processes is the
    endpoint's own (with --memory there used to be a writable Oxigraph server on loopback)."""
    with serving(store, *(["--memory"] if memory else [])) as (base, proc):
        port = int(base.rsplit(":", 1)[1])
        tree = {proc.pid} | descendants(proc.pid)
        assert len(tree) >= 3  # the endpoint, the loader, query processes
        assert _listening_ports_of(tree) == {port}


def test_query_processes_have_no_network(store):
    """Even a SERVICE clause that reached a query process (the endpoint refuses them first) could
    not connect anywhere: the processes live in an empty network namespace."""
    from jixiao.serve import Pool, Settings

    if not sys.platform.startswith("linux"):
        pytest.skip("network namespaces are Linux")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    seen: list = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                conn, _ = listener.accept()
                seen.append(conn)

    t = threading.Thread(target=accept)
    t.start()
    request = {
        "query": f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        "base": None,
        "dataset": None,
        "union": True,
        "results": "json",
        "graph": "turtle",
        "max_rows": 10,
    }

    async def go() -> tuple[str, dict]:
        pool = await Pool.start(store, False, Settings(workers=1))
        try:
            head, _ = await pool.run(request, "test", asyncio.get_running_loop().time() + 20)
            return pool.network, head
        finally:
            await pool.close()

    try:
        # in a thread of its own: a browser test's Playwright session (sync API) keeps an event loop
        # running in this thread for the rest of the test session
        with concurrent.futures.ThreadPoolExecutor(1) as ex:
            network, head = ex.submit(asyncio.run, go()).result()
    finally:
        stop.set()
        t.join()
        listener.close()
    assert network == "isolated"
    assert head["status"] != 200 and seen == [], (head, seen)
    # the same query in this process (which has the network) does connect: the listener would see it
    import pyoxigraph as ox

    with socket.socket() as listener2:
        listener2.bind(("127.0.0.1", 0))
        listener2.listen()
        listener2.settimeout(10)
        query = request["query"].replace(str(port), str(listener2.getsockname()[1]))

        def connected_query() -> None:
            with contextlib.suppress(Exception):
                list(ox.Store().query(query))

        threading.Thread(target=connected_query, daemon=True).start()
        conn, _ = listener2.accept()
        conn.close()


def test_port_in_use_is_one_line_and_exit_2(store):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "jixiao", "serve", "--store", str(store), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 2
    assert proc.stderr == f"jixiao serve: error: port {port} on 127.0.0.1 is in use; choose another with --port\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--timeout", "0"], "argument --timeout: must be above 0"),
        (["--workers", "-1"], "argument --workers: must be above 0"),
        (["--max-rows", "x"], "argument --max-rows: not a number"),
        (["--port", "70000"], "--port 70000: not a port"),
        (["--public-url", "not a url"], "--public-url 'not a url': not an absolute IRI"),
        (["--host", "no-such-host.invalid"], "cannot listen on no-such-host.invalid"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(store, args, message):
    proc = subprocess.run(
        [sys.executable, "-m", "jixiao", "serve", "--store", str(store), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_every_process_ends_with_the_endpoint(store, sig):
    with serving(store, "--workers", "2") as (_, proc):
        tree = descendants(proc.pid)
        assert len(tree) == 3
        proc.send_signal(sig)
        proc.wait(30)
        wait_for(lambda: not any(_is_ours(p) for p in tree), what="every process to end")


def _is_ours(pid: int) -> bool:
    """Is ``pid`` a live loader or query process (not a zombie, not a reused pid)?"""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return b"jixiao.serve_worker" in cmdline and state != "Z"


def test_if_the_loader_dies_the_endpoint_stops_with_a_message(store):
    """Without its loader no query process can be replaced: the endpoint says so and exits 2
    instead of answering 503 for ever."""
    port = servers.free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "jixiao", "serve", "--store", str(store), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        servers._wait(f"http://127.0.0.1:{port}/queries.json", proc)
        loader = next(p for p in descendants(proc.pid) if _ppid(p) == proc.pid)
        os.kill(loader, signal.SIGKILL)
        _, err = proc.communicate(timeout=60)
    finally:
        servers._stop(proc)
    assert proc.returncode == 2
    assert "jixiao serve: error: the query-process loader stopped (exit -9); the endpoint stopped" in err, err


def test_a_folder_that_is_not_a_store_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "empty").mkdir()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "jixiao",
            "serve",
            "--store",
            str(tmp_path / "empty"),
            "--port",
            str(servers.free_port()),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith(f"jixiao serve: error: {tmp_path / 'empty'}: cannot serve: "), proc.stderr
