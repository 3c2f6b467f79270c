"""Files the command line writes (``--out``): checked before any work, written whole or not at all.

``atomic_output(path)`` writes to a temporary file beside ``path`` (same file system, so the rename
is atomic), then checks that every byte reached the file, fsyncs it, renames it over ``path`` and
fsyncs the folder. Any failure (a full disk, a quota, a size limit, an interruption) removes the
temporary file and leaves ``path`` as it was: a reader never sees half a file, and a truncated file
is never renamed into place as if complete. An OSError becomes a ``JixiaoError`` naming the file and
the reason (exit 2 at the command line).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from jixiao.errors import JixiaoError, UsageError, from_os_error


def check_output_path(path: Path, option: str = "--out") -> None:
    """Refuse, before any work, an output path that names a folder or lies under something that is not
    one; create missing parent folders. (Permissions and free space are found out by writing.)"""
    if path.is_dir():
        raise UsageError(f"{option} {path} is a folder: name a file")
    parent = path.parent
    for folder in (parent, *parent.parents):
        if folder.exists():
            if not folder.is_dir():
                raise UsageError(f"{option} {path}: {folder} is not a folder")
            break
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise from_os_error(exc, parent, f"cannot create the folder for {option}") from exc
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {path}: cannot write in {parent} (permission denied)")


class _Counted:
    """A binary file that counts the bytes given to it, to compare with the size on disk;
    ``cancel()`` ends the block without writing ``path`` (no error)."""

    def __init__(self, fh: BinaryIO):
        self.fh = fh
        self.written = 0
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def write(self, data: bytes) -> int:
        self.written += len(data)
        return self.fh.write(data)


class _Cancelled(Exception):
    pass


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[_Counted]:
    """A binary file to write ``path`` with; in place only when the block ends without an error."""
    path = Path(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise from_os_error(exc, path, "cannot create a temporary file beside it") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            out = _Counted(fh)
            yield out
            if out.cancelled:
                raise _Cancelled
            fh.flush()
            size = os.fstat(fh.fileno()).st_size
            if size != out.written:  # short write: never rename a truncated file into place
                raise JixiaoError(f"only {size} of {out.written} bytes reached the disk; nothing written", file=path)
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except _Cancelled:
        tmp.unlink(missing_ok=True)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise from_os_error(exc, path, "cannot write; nothing written") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes) -> None:
    with atomic_output(path) as fh:
        fh.write(data)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a folder; the rename itself is still atomic
    finally:
        os.close(fd)
