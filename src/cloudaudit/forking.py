"""CPU work in a forked child process, where that is safe (copy-on-write: the child sees the data as is).

:func:`fork_call` runs a function in a child and hands its bytes back through a pipe; the report
writer and the two-core evaluation both use it. The child leaves with ``os._exit``: no exception,
exit handler or buffered output of the parent runs twice.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

FAILURE_LIMIT = 4096
"""Bytes of a failed child's one-line message kept."""


def can_fork() -> bool:
    """A fork is possible and safe here: a POSIX system, and this is the process's only thread (a
    thread holding a lock at the fork would leave the child stuck on it)."""
    return hasattr(os, "fork") and threading.active_count() == 1


@dataclass(frozen=True)
class Forked:
    """A child running a :func:`fork_call`."""

    pid: int
    read_end: int

    def result(self) -> tuple[int, bytes]:
        """Once the child has ended: its exit code (0: its function returned), and the bytes it sent
        (what the function returned, else its failure's one line; nothing when it was killed)."""
        try:
            with os.fdopen(self.read_end, "rb") as pipe:
                data = pipe.read()
        finally:
            _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status), data


def fork_call(work: Callable[[], bytes]) -> Forked | None:
    """``work()`` in a forked child that sends what it returns (status 0), or the line ``str(exc)`` of
    what it raised (status 1). None when no child could be forked (the caller does the work itself).

    The objects existing now are frozen for the child's garbage collector, which then never walks
    (so never copies) the pages it shares with this process."""
    read_end, write_end = os.pipe()
    gc.freeze()
    try:
        pid = os.fork()
    except OSError as exc:
        gc.unfreeze()
        log.debug("cannot fork a worker process: %s", exc)
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:
        os.close(read_end)
        _child(work, write_end)
    gc.unfreeze()
    os.close(write_end)
    return Forked(pid, read_end)


def _child(work: Callable[[], bytes], report: int) -> None:
    gc.disable()  # a short life: what reference counting does not free goes with the process
    status, data = 1, b""
    try:
        data = work()
        status = 0
    except BaseException as exc:  # whatever it is, the parent must hear of it
        data = (str(exc) or type(exc).__name__).encode("utf-8", "replace")[:FAILURE_LIMIT]
    finally:
        with contextlib.suppress(OSError), os.fdopen(report, "wb") as pipe:
            pipe.write(data)
        os._exit(status)
