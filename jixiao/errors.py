"""Errors that name the file, the place and the problem (exit code 2 at the CLI)."""

from __future__ import annotations

from pathlib import Path


class JixiaoError(Exception):
    """A user-facing error: bad input, bad usage, unreachable store. Exit code 2."""

    exit_code = 2

    def __init__(self, problem: str, *, file: str | Path | None = None, where: str | None = None):
        self.problem = problem
        self.file = str(file) if file is not None else None
        self.where = where
        super().__init__(self.__str__())

    def __str__(self) -> str:
        parts = [p for p in (self.file, self.where) if p]
        prefix = ":".join(parts)
        return f"{prefix}: {self.problem}" if prefix else self.problem


class InputError(JixiaoError):
    """The input file cannot be read as a report (empty, binary, undecodable, not a report)."""


class UsageError(JixiaoError):
    """The command line or a parameter is wrong."""


def os_problem(exc: OSError) -> str:
    """An OSError as one line without the file name (the caller names the file): "permission
    denied", "no space left on device (disk full)" …"""
    import errno

    words = (exc.strerror or str(exc) or type(exc).__name__).strip()
    if words[:1].isupper() and words[1:2].islower():  # "Permission denied" → "permission denied", not "iO error"
        words = words[:1].lower() + words[1:]
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        words += " (disk full)"
    elif exc.errno == errno.EFBIG:
        words += " (a file size limit)"
    return words


def from_os_error(exc: OSError, file: str | Path | None = None, doing: str = "") -> JixiaoError:
    """A JixiaoError naming the file and what failed, for an OSError (exit 2, one line). The file is
    the one given, else the one the OSError names."""
    name = file if file is not None else (exc.filename if exc.filename is not None else None)
    problem = f"{doing}: {os_problem(exc)}" if doing else os_problem(exc)
    if exc.filename2 is not None and file is None:
        problem += f" (→ {exc.filename2})"
    return JixiaoError(problem, file=name)
