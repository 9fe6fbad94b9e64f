"""Ctrl-C during a run: the first SIGINT asks the run to stop, the second ends the process.

After the first SIGINT, :data:`STOP` is set: collectors make no new call and stop waiting for the
ones in flight, the exposure stage contacts nobody new, and the partial reports are written and
marked interrupted. A second SIGINT exits at once (status 130). A signal is process-wide, so is
this flag; only the CLI's main thread installs the handler.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from cloudaudit.errors import ExitCode

STOP = threading.Event()
"""Set by the first SIGINT: stop reading, report what was read."""


def requested() -> bool:
    """True once the user asked the run to stop."""
    return STOP.is_set()


@contextmanager
def sigint_stops_run() -> Iterator[None]:
    """Install the two-step SIGINT handler for the duration of a command (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    STOP.clear()
    presses = 0

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        nonlocal presses
        presses += 1
        STOP.set()
        if presses > 1:
            os.write(2, b"interrupted again: exiting now, reports may be missing\n")
            os._exit(ExitCode.INTERRUPTED)

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
