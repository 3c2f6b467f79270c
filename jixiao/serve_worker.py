"""The query processes behind ``jixiao serve`` (run as ``python -m jixiao.serve_worker``).

One *zygote* process is started by the endpoint with a private control socket (a socketpair: no
address, nothing else can connect). With ``--memory`` it first loads the data into an in-memory
pyoxigraph store. Then, each time the endpoint asks, it forks a *query process* and hands the
endpoint one end of a new socketpair and the child's pid. A query process answers one query at a
time with pyoxigraph (Oxigraph, in-process) and never writes: it is given no update API, and on
disk the store is opened read-only. Forked from the loaded zygote, every query process shares the
in-memory data copy-on-write, so a new one is ready in milliseconds; on disk each opens the store
read-only itself (RocksDB is never opened before a fork).

Why processes: Oxigraph's query timeout is cooperative and misses long stretches of work (a
``COUNT`` over a cross join of ``VALUES`` ran 40 s past a 1 s timeout; the planner spent 8.6 s on a
chain of 130 ``OPTIONAL``s before the first check), and a query that overflows the parser's stack
kills the whole process. A process can be killed: the endpoint kills the one running a query that
is over its time, the zygote reaps it, and a fresh one takes its place; the others never notice.

Each query process also leaves the network where the operating system allows it (a new, empty
network namespace on Linux: ``unshare(CLONE_NEWNET)``, with a user namespace when not root), so a
``SERVICE`` clause that slipped past the endpoint's check could not reach anything.

Wire format on every socket: frames of a 4-byte big-endian length and a payload; a request is one
JSON frame, an answer a JSON header frame and a body frame.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import errno
import json
import os
import select
import signal
import socket
import struct
import sys
from itertools import islice
from pathlib import Path

MAX_FRAME = 1 << 30
RESULT_FORMATS = {"json": "JSON", "xml": "XML", "csv": "CSV", "tsv": "TSV"}
GRAPH_FORMATS = {"turtle": "TURTLE", "ntriples": "N_TRIPLES", "rdfxml": "RDF_XML", "jsonld": "JSON_LD"}


# -- frames ---------------------------------------------------------------------------------------
def send_frame(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(struct.pack(">I", len(payload)) + payload)


def _recv_exact(sock: socket.socket, n: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(min(n - len(buf), 1 << 20))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


def recv_frame(sock: socket.socket) -> bytes | None:
    head = _recv_exact(sock, 4)
    if head is None:
        return None
    (n,) = struct.unpack(">I", head)
    if n > MAX_FRAME:
        raise ValueError(f"frame of {n} bytes")
    return _recv_exact(sock, n)


# -- process hygiene ------------------------------------------------------------------------------
def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Ask Linux to send ``sig`` to this process when its parent dies, however it dies."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, int(sig))  # PR_SET_PDEATHSIG


CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000


def limit_memory(megabytes: int) -> str:
    """Cap this process's address space at what it maps now plus ``megabytes`` (RLIMIT_AS): a
    query that needs more fails its allocation and the process ends, instead of the machine
    running out of memory. What is already mapped (the in-memory store shared with the loader,
    the libraries) stays allowed. Returns a description or why not."""
    if megabytes <= 0:
        return "no memory limit"
    try:
        import resource

        status = Path("/proc/self/status").read_text()
        size_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmSize:"))
        limit = (size_kb * 1024) + megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (OSError, ValueError, StopIteration, ImportError) as exc:
        return f"no memory limit ({exc})"
    return f"{megabytes} MB a query"


def leave_network() -> str:
    """Move this (single-threaded) process into a new network namespace with no interfaces up:
    every connect fails. Returns "isolated" or why not."""
    if not sys.platform.startswith("linux"):
        return f"not on {sys.platform}"
    libc = ctypes.CDLL(None, use_errno=True)
    for flags in (CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            return "isolated"
    return f"unshare: {os.strerror(ctypes.get_errno())}"


# -- answering ------------------------------------------------------------------------------------
def _term(t) -> str:
    """A term in the SPARQL TSV results syntax (N-Triples; a triple term in <<( … )>>)."""
    import pyoxigraph as ox

    if isinstance(t, ox.Triple):
        return f"<<( {_term(t.subject)} {_term(t.predicate)} {_term(t.object)} )>>"
    return str(t)


def answer(store, req: dict) -> tuple[dict, bytes]:
    """Run one query; (header, body). The header has ``status`` (200, 400 or 500), and either
    ``media`` and ``truncated`` or ``message``."""
    import pyoxigraph as ox

    kw: dict = {"base_iri": req.get("base")}
    dataset = req.get("dataset")  # {"default": [...], "named": [...]} from the protocol parameters
    if dataset is not None:
        kw["default_graph"] = [ox.NamedNode(g) for g in dataset["default"]]
        kw["named_graphs"] = [ox.NamedNode(g) for g in dataset["named"]]
    else:
        kw["use_default_graph_as_union"] = bool(req.get("union"))
    try:
        return encode(store.query(req["query"], **kw), req)
    except (SyntaxError, ValueError) as exc:
        message = str(exc)
        if req.get("base") is None and "IRI parsing failed" in message:
            message += " (a relative IRI needs a base: write BASE <…> in the query; this endpoint has none)"
        return {"status": 400, "message": message}, b""
    except RuntimeError as exc:  # evaluation errors Oxigraph reports while answering
        return {"status": 400, "message": str(exc)}, b""
    except OSError as exc:
        return {"status": 500, "message": f"the store could not be read: {exc}"}, b""


def encode(res, req: dict) -> tuple[dict, bytes]:
    """An answer (QueryBoolean, QuerySolutions, or triples) in the format ``req`` asks for, cut to
    ``req["max_rows"]`` solutions or triples; (header, body). Also used for a remote store's answers
    (``jixiao.serve_upstream``)."""
    import pyoxigraph as ox

    max_rows = int(req["max_rows"])
    if isinstance(res, ox.QueryBoolean):
        fmt = getattr(ox.QueryResultsFormat, RESULT_FORMATS[req["results"]])
        return {"status": 200, "format": req["results"], "truncated": False}, res.serialize(format=fmt)
    if isinstance(res, ox.QuerySolutions):
        names = [v.value for v in res.variables]
        rows = list(islice(res, max_rows + 1))
        lines = ["\t".join("?" + n for n in names)]
        lines += ["\t".join("" if t is None else _term(t) for t in row) for row in rows[:max_rows]]
        tsv = ("\n".join(lines) + "\n").encode("utf-8")
        fmt = getattr(ox.QueryResultsFormat, RESULT_FORMATS[req["results"]])
        body = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV).serialize(format=fmt)
        truncated = len(rows) > max_rows
        if truncated and req["results"] == "json":
            doc = json.loads(body)
            doc["jixiao"] = {"truncated": True, "maxRows": max_rows}
            body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        return {"status": 200, "format": req["results"], "truncated": truncated}, body
    triples = list(islice(res, max_rows + 1))
    fmt = getattr(ox.RdfFormat, GRAPH_FORMATS[req["graph"]])
    body = ox.serialize(triples[:max_rows], format=fmt)
    return {"status": 200, "format": req["graph"], "truncated": len(triples) > max_rows}, body


def named_graphs(store) -> list[str]:
    import pyoxigraph as ox

    return sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))


def serve_requests(sock: socket.socket, store) -> None:
    """A query process's loop: one request in, one answer out, until the endpoint closes."""
    while True:
        frame = recv_frame(sock)
        if frame is None:
            return
        req = json.loads(frame)
        if req.get("op") == "graphs":
            head, body = {"status": 200}, json.dumps(named_graphs(store)).encode("utf-8")
        else:
            head, body = answer(store, req)
        send_frame(sock, json.dumps(head).encode("utf-8"))
        send_frame(sock, body)


# -- the zygote -----------------------------------------------------------------------------------
def _child(sock: socket.socket, control: socket.socket, store, source: Path, memory_mb: int) -> None:
    """In a freshly forked query process: never returns."""
    code = 0
    try:
        control.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        die_with_parent()
        if store is None:  # on disk: open the store read-only in this process
            import pyoxigraph as ox

            store = ox.Store.read_only(str(source))
        network = leave_network()
        memory = limit_memory(memory_mb)
        send_frame(sock, json.dumps({"ready": True, "network": network, "memory": memory}).encode("utf-8"))
        serve_requests(sock, store)
    except BaseException as exc:  # report anything, then leave without cleanup
        with contextlib.suppress(OSError):
            send_frame(sock, json.dumps({"ready": False, "error": f"{type(exc).__name__}: {exc}"}).encode())
        code = 1
    finally:
        os._exit(code)


def zygote(control: socket.socket, source: Path, memory: bool, memory_mb: int = 0, quiet: bool = False) -> int:
    die_with_parent(signal.SIGTERM)
    import pyoxigraph  # noqa: F401 - imported once here, so a forked query process starts at once

    store = None
    try:
        if memory:
            store = _load(source, quiet)
    except Exception as exc:  # any failure to load is reported to the endpoint
        send_frame(control, json.dumps({"ready": False, "error": str(exc)}).encode("utf-8"))
        return 2
    send_frame(control, json.dumps({"ready": True}).encode("utf-8"))
    children: set[int] = set()

    def reap() -> None:
        while children:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                children.clear()
                return
            if pid == 0:
                return
            children.discard(pid)

    while True:
        ready, _, _ = select.select([control], [], [], 1.0)
        reap()
        if not ready:
            continue
        frame = recv_frame(control)
        if frame is None:  # the endpoint is gone
            for pid in children:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            return 0
        msg = json.loads(frame)
        if msg["op"] == "spawn":
            mine, theirs = socket.socketpair()
            pid = os.fork()
            if pid == 0:
                mine.close()
                _child(theirs, control, store, source, memory_mb)
            theirs.close()
            children.add(pid)
            socket.send_fds(control, [struct.pack(">I", pid)], [mine.fileno()])
            mine.close()
        elif msg["op"] == "kill":
            pid = int(msg["pid"])
            if pid in children:  # not reaped yet, so the pid is still that child's
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def _load(source: Path, quiet: bool):
    """The in-memory store the query processes share, with a progress bar on the endpoint's stderr (a
    terminal, unless --quiet): bytes of an .nq/.trig file, or quads copied from a store."""
    from jixiao import progress
    from jixiao.store import GraphStore

    is_file = source.is_file()
    total = source.stat().st_size if is_file else None
    with progress.bar("load", total, quiet=quiet, unit="B" if is_file else "quad", unit_scale=True) as bar:
        return GraphStore.in_memory(source, progress=bar.update).store


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m jixiao.serve_worker")
    ap.add_argument("--control-fd", type=int, required=True)
    ap.add_argument("--source", type=Path, required=True)
    ap.add_argument("--memory", action="store_true")
    ap.add_argument("--max-query-memory", type=int, default=0, help="MB a query process may add (0: no limit)")
    ap.add_argument("--quiet", action="store_true", help="no progress bar while --memory loads")
    args = ap.parse_args(argv)
    control = socket.socket(fileno=args.control_fd)
    try:
        return zygote(control, args.source, args.memory, args.max_query_memory, args.quiet)
    except OSError as exc:
        if exc.errno in (errno.EPIPE, errno.ECONNRESET):
            return 0
        raise


if __name__ == "__main__":
    raise SystemExit(main())
