"""Reports as tasks on a Dask cluster: ``jixiao ingest`` and ``jixiao validate`` with ``--scheduler
tcp://HOST:8786`` (a running cluster) or ``--dask N`` (a LocalCluster of N worker processes).

Each report is one task; results come back to the command, which alone writes them (one writer,
in input order, so the output is the local pool's byte for byte). At most a few tasks per worker
are in flight, so the command's memory stays flat in the number of reports. Workers read the input
files (and, for validate, the N-Quads file or store) themselves: on a multi-node cluster they need
the same files at the same paths (a shared filesystem) and the same jixiao installed
(docs/scale.md). Needs the ``dask`` extra (``pip install 'jixiao[dask]'``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from jixiao.errors import JixiaoError, UsageError


@contextlib.contextmanager
def connect(scheduler: str | None = None, workers: int = 0) -> Iterator[Any]:
    """A ``distributed.Client``: of the scheduler at ``scheduler``, else of a LocalCluster of
    ``workers`` processes (one thread each: the work is Python, bound by the GIL), closed after."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - the extra is in dev
        raise UsageError("--scheduler / --dask need Dask: pip install 'jixiao[dask]'") from None
    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise JixiaoError(f"no Dask scheduler at {scheduler}: {exc}") from exc
        try:
            yield client
        finally:
            client.close()
        return
    if workers < 1:
        raise UsageError("--dask needs a number of worker processes (at least 1)")
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address="127.0.0.1:0",  # its status page on a free loopback port, never :8787
            silence_logs=40,  # logging.ERROR: no worker chatter on the command's stderr
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def workers(client) -> int:
    return max(1, len(client.scheduler_info().get("workers", {})))


def ordered_map(client, fn: Callable, items: Iterable, *, per_worker: int = 3) -> Iterator[Any]:
    """``fn(item)`` for each item on the cluster, yielded in input order, with at most
    ``per_worker`` tasks per worker submitted but not yet consumed. A task that raises re-raises
    here; a worker lost mid-task is retried by Dask (then KilledWorker)."""
    from collections import deque

    from distributed import KilledWorker

    window = per_worker * workers(client)
    queue: deque = deque()
    items = iter(items)
    try:
        for item in items:
            queue.append(client.submit(fn, item, pure=False))
            if len(queue) >= window:
                yield queue.popleft().result()
        while queue:
            yield queue.popleft().result()
    except KilledWorker as exc:
        raise JixiaoError(f"a Dask worker died running a report, twice over: {exc}") from exc
    finally:
        for fut in queue:
            fut.cancel()
