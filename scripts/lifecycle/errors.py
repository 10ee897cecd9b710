"""Errors the user sees: each names the file, column and line it is about.

Besides the data's own problems (LoadError), a command can fail because of the machine: a full
disk, a folder it may not write, Ctrl-C or SIGTERM, a write-ahead log DuckDB cannot replay.
`user_error` turns those into one-line LifecycleErrors and `explain` gives the CLI the line to
print and the exit status; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
from collections.abc import Iterator, Sequence
from pathlib import Path

UNCHANGED = "published warehouse unchanged"
INTERRUPTS = (signal.SIGINT, signal.SIGTERM)


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


# ---------------------------------------------------------------- interrupts (Ctrl-C, SIGTERM)

class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM; `note` says what became of the published warehouse."""

    def __init__(self, signum: int = signal.SIGINT, note: str | None = None) -> None:
        super().__init__(f"interrupted ({signal.Signals(signum).name})")
        self.signum, self.note = signum, note


_received: list[int] = []


def interrupt_signal() -> int | None:
    """The signal that interrupted the current command, if one did (even when something swallowed
    the exception: DuckDB turns it into "Query interrupted", dbt into a failed run)."""
    return _received[0] if _received else None


def stop_if_interrupted() -> None:
    if _received:
        raise Interrupted(_received[0])


def _raise_interrupted(signum: int, frame) -> None:
    _received.append(signum)
    raise Interrupted(signum)


@contextlib.contextmanager
def interrupts_raised() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise Interrupted (a KeyboardInterrupt: dbt cancels its
    queries and every `finally` runs) and are remembered for `interrupt_signal`."""
    _received.clear()
    try:
        with _handlers(_raise_interrupted):
            yield
    finally:
        _received.clear()


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block has ended: for a step that must not stop halfway."""
    held: list[int] = []
    try:
        with _handlers(lambda signum, frame: held.append(signum)):
            yield
    finally:
        if held:
            signal.raise_signal(held[0])  # now handled by the handler the block started with


@contextlib.contextmanager
def _handlers(handler) -> Iterator[None]:
    try:
        previous = {s: signal.signal(s, handler) for s in INTERRUPTS}
    except ValueError:  # not the main thread: signals are not ours to handle
        previous = {}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


# ---------------------------------------------------------------- failures of the machine

_FIX_SPACE = "free space in {folder} and run again"
_FIX_ACCESS = "give this user access to {folder} (or use another folder) and run again"
_OS_MESSAGES = {
    errno.ENOSPC: "disk full: no space left on device writing {path}; " + _FIX_SPACE,
    errno.EDQUOT: "disk quota exceeded writing {path}; " + _FIX_SPACE,
    errno.EFBIG: "file too large: {path} reached the maximum file size (ulimit -f or the file "
                 "system's); raise the limit and run again",
    errno.EROFS: "cannot write {path}: {folder} is on a read-only file system; use another folder "
                 "(or remount it read-write) and run again",
    errno.EACCES: "cannot access {path}: permission denied; " + _FIX_ACCESS,
    errno.EPERM: "cannot access {path}: operation not permitted; " + _FIX_ACCESS,
}
# DuckDB, dbt and PostgreSQL report OS errors as text: `... file "<path>": No space left on device`
_OS_TEXT = re.compile(r'(?:"([^"]+)": )?(' + "|".join(map(re.escape, map(os.strerror, _OS_MESSAGES))) + ")")
_WAL_TEXT = re.compile(r'Failure while replaying WAL file "([^"]+)": ([^\n]+)')
_LOCKED_TEXT = re.compile(r'Could not set lock on file "([^"]+)": Conflicting lock is held in .*?\(PID (\d+)\)')


def os_error_message(code: int, path: str | os.PathLike | None) -> str:
    """The message for OS error `code` (one of _OS_MESSAGES) on `path` (None: not known)."""
    if path is None:
        return _OS_MESSAGES[code].format(path="a file", folder="its folder")
    folder = Path(path).parent if Path(path).is_absolute() else "its folder"
    return _OS_MESSAGES[code].format(path=path, folder=folder)


def stale_wal_message(wal: str | os.PathLike, reason: str) -> str:
    return (f"DuckDB cannot replay the write-ahead log {wal} ({reason.strip().rstrip('.')}); if no other "
            f"program has the warehouse open, move that file away (its unsaved changes are lost) and "
            f"run again")


def user_error(exc: BaseException) -> LifecycleError | None:
    """`exc`, or the first exception it was raised from or while handling, as a one-line
    LifecycleError when it is a failure of the machine the user can fix (disk full, no write
    access, a write-ahead log DuckDB cannot replay, a database open in another program);
    None when it is something else."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, LifecycleError):
            return current
        if isinstance(current, OSError) and current.errno in _OS_MESSAGES:
            # a copy names its source and its destination (filename2), the file it was writing
            return LifecycleError(os_error_message(current.errno, current.filename2 or current.filename))
        text = str(current)
        if match := _WAL_TEXT.search(text):
            return LifecycleError(stale_wal_message(match[1], match[2]))
        if match := _LOCKED_TEXT.search(text):
            return LifecycleError(f"{match[1]} is open for writing in another program (PID {match[2]}); "
                                  "close it and run again")
        if match := _OS_TEXT.search(text):
            code = next(c for c in _OS_MESSAGES if os.strerror(c) == match[2])
            return LifecycleError(os_error_message(code, match[1]))
        current = current.__cause__ or current.__context__
    return None


def explain(exc: BaseException, published: Sequence[str] = ()) -> tuple[str, int] | None:
    """The line the CLI prints for `exc` and its exit status: 128 + the signal for an interrupt,
    1 for a LifecycleError or a failure of the machine; None for a bug (the traceback stays).
    `published`: what the command published before it was interrupted."""
    signum = interrupt_signal() or (signal.SIGINT if isinstance(exc, KeyboardInterrupt) else None)
    if signum is not None:
        if isinstance(exc, Interrupted) and exc.note:
            what = exc.note
        elif published:
            what = f"after publishing {', '.join(published)}"
        else:
            what = UNCHANGED
        return f"interrupted: {what}", 128 + signum
    known = user_error(exc)
    return (f"error: {known}", 1) if known is not None else None
