"""Errors the user sees: each names the file, column and line it is about."""

from __future__ import annotations


class LifecycleError(Exception):
    """A problem with a clear message for the user; the CLI prints it and exits non-zero."""


class LoadError(LifecycleError):
    """A file-level problem that stops a load before anything is written."""

    def __init__(
        self, file: str, reason: str, *, column: str | None = None, line: int | None = None
    ) -> None:
        self.file, self.reason, self.column, self.line = file, reason, column, line
        where = [file]
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column}")
        super().__init__(f"{', '.join(where)}: {reason}")
