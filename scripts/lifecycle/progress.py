"""Progress of a long step for the people watching it: a rich bar when the output is a terminal; in a log
(output piped or redirected) plain lines without colour codes, one when the step starts, one every PERIOD
seconds and one when it ends, so that a log shows the command is alive and how far it got."""

from __future__ import annotations

import threading
import time
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

console = Console()  # what the command reports (tables, summaries)
err_console = Console(stderr=True)  # progress and errors: a log of stdout keeps the results only
PERIOD = 10.0  # seconds between two plain progress lines


class Steps:
    """`with Steps("load", total=15, unit="files") as steps: ... steps.update(done=3, note="crm_leads.csv")`.
    Thread-safe (dbt reports its nodes from its worker threads). `total` None: a count without a bar."""

    def __init__(self, what: str, total: int | None = None, unit: str = "", out: Console | None = None) -> None:
        self.what, self.total, self.unit = what, total, unit
        self.out = out or err_console
        self.done, self.note = 0, ""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._bar: Progress | None = None
        self._started = time.monotonic()

    def __enter__(self) -> Steps:
        if self.out.is_terminal:
            self._bar = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn(self.unit), TimeElapsedColumn(), TextColumn("{task.fields[note]}"),
                console=self.out, transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(self.what, total=self.total, note="")
        else:
            self._say()
            threading.Thread(target=self._tick, daemon=True).start()
        return self

    def update(self, done: int | None = None, total: int | None = None, note: str | None = None,
               advance: int = 0) -> None:
        with self._lock:
            self.done = (self.done if done is None else done) + advance
            self.total = self.total if total is None else total
            self.note = self.note if note is None else note
            if self._bar is not None:
                self._bar.update(self._task, completed=self.done, total=self.total, note=self.note)

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        if self._bar is not None:
            self._bar.stop()
        elif kind is None:
            self._say(final=True)

    def _tick(self) -> None:
        while not self._stop.wait(PERIOD):
            self._say()

    def _say(self, final: bool = False) -> None:
        with self._lock:
            count = f"{self.done:,}" + (f"/{self.total:,}" if self.total is not None else "")
            elapsed = time.monotonic() - self._started
            note = "" if final or not self.note else f": {self.note}"
            line = f"{self.what}: {count} {self.unit} ({elapsed:.0f} s){note}"
        self.out.print(line, highlight=False, markup=False, soft_wrap=True)
