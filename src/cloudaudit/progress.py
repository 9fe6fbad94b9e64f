"""Progress display: a bar on a terminal, periodic plain lines otherwise.

Labels name the account's resources: they are shown through :func:`printable`, never as markup.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from types import TracebackType
from typing import TYPE_CHECKING

from cloudaudit.terminal import printable

if TYPE_CHECKING:  # rich is imported by the bar itself: a run without a terminal never needs it
    from rich.console import Console

log = logging.getLogger("cloudaudit.progress")


class PlainProgress:
    """Logs a line at most every few seconds (cron, CI, Lambda logs)."""

    def __init__(self, interval: float = 5.0, verb: str = "collected") -> None:
        self.verb = verb
        self.total = 0
        self.done = 0
        self._interval = interval
        self._last = 0.0
        self._lock = threading.Lock()

    def add_total(self, count: int) -> None:
        """Announce more work."""
        with self._lock:
            self.total += count

    def advance(self, label: str) -> None:
        """One unit done."""
        with self._lock:
            self.done += 1
            now = time.monotonic()
            if now - self._last >= self._interval:
                self._last = now
                print(
                    f"{self.verb} {self.done}/{self.total}: {printable(label)}", file=sys.stderr, flush=True
                )


class BarProgress:
    """A rich progress bar on stderr; use as a context manager."""

    def __init__(self, description: str, console: Console | None = None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("{task.description}", markup=False, style="bold"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[label]}", markup=False),
            TimeElapsedColumn(),
            console=console or Console(stderr=True),
            transient=True,
        )
        self._task = self._progress.add_task(description, total=0, label="")
        self._lock = threading.Lock()

    def __enter__(self) -> BarProgress:
        self._progress.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._progress.stop()

    def add_total(self, count: int) -> None:
        """Announce more work."""
        with self._lock:
            total = self._progress.tasks[0].total or 0
            self._progress.update(self._task, total=total + count)

    def advance(self, label: str) -> None:
        """One unit done."""
        with self._lock:
            self._progress.update(self._task, advance=1, label=printable(label, limit=40))
