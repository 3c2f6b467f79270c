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
