"""A journal that makes bulk loads into an existing store recoverable.

Oxigraph's bulk loader is 2-2.5x faster than its transactions but not atomic: interrupted, it leaves
part of the data written. ``jixiao ingest`` therefore bulk-loads only graphs the store does not hold
yet, and names them first in a journal file inside the store directory (RocksDB ignores files it
did not write). The journal is removed once the load is flushed. While it exists the load did not
finish: opening the store for writing removes the named graphs (the store is back to what it was,
since they were new), and a read-only open refuses the store instead of serving half a load.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyoxigraph as ox

from jixiao.errors import JixiaoError

JOURNAL = "jixiao-pending-load.json"


def journal_path(store_dir: Path) -> Path:
    return Path(store_dir) / JOURNAL


def pending(store_dir: Path | None) -> list[str]:
    """The graphs of an unfinished bulk load ([] when there is none)."""
    if store_dir is None:
        return []
    path = journal_path(store_dir)
    if not path.exists():
        return []
    try:
        return list(json.loads(path.read_text(encoding="utf-8"))["graphs"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise OSError(f"unreadable bulk-load journal {path}: {exc}") from exc


def refuse_if_pending(store_dir: Path) -> None:
    """For read-only users (queries, validation, the endpoint): never read half a bulk load."""
    if pending(store_dir):
        raise JixiaoError(
            "the store has an unfinished bulk load: open it for writing once (any `jixiao ingest`) to roll it back",
            file=store_dir,
        )


def begin(store_dir: Path, graphs: list[str]) -> None:
    """Name the graphs about to be bulk-loaded, durably (written aside, fsynced, renamed in)."""
    path = journal_path(store_dir)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump({"graphs": sorted(graphs)}, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)


def end(store_dir: Path) -> None:
    """The load is flushed: forget it."""
    journal_path(store_dir).unlink(missing_ok=True)


def roll_back(store: ox.Store, store_dir: Path) -> list[str]:
    """Remove the graphs of an unfinished bulk load (each in its own transaction), then the journal.
    Returns the graphs removed."""
    graphs = pending(store_dir)
    remove_graphs(store, graphs)
    store.flush()
    end(store_dir)
    return graphs


def remove_graphs(store: ox.Store, graphs: list[str]) -> None:
    for iri in graphs:
        g = ox.NamedNode(iri)
        if store.contains_named_graph(g):
            store.remove_graph(g)
