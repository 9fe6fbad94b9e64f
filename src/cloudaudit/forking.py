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
import struct
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
        """Once the child is done: its exit code (0: its function returned), and the bytes it sent (what
        the function returned, else its failure's one line; nothing when it was killed).

        A child that said it is done is reaped later (:func:`reap`): its exit (unmapping a process the
        size of this one) takes milliseconds that nothing here needs to wait for."""
        try:
            with os.fdopen(self.read_end, "rb") as pipe:
                data = pipe.read()
        except BaseException:
            _wait(self.pid)
            raise
        if len(data) >= _HEADER.size:
            said, size = _HEADER.unpack_from(data)
            if said in (_RETURNED, _RAISED) and len(data) == _HEADER.size + size:
                _PENDING.add(self.pid)
                reap()
                return (0 if said == _RETURNED else 1), data[_HEADER.size :]
        return _wait(self.pid), b""  # killed before it said all


_HEADER = struct.Struct("!cQ")
"""What a child sends first: whether its function returned or raised, and the size of what follows
(what it returned, or its failure's line)."""
_RETURNED, _RAISED = b"\x00", b"\x01"

_PENDING: set[int] = set()
"""Children that said they are done and are not reaped yet."""


def reap() -> None:
    """Reap the children of :func:`fork_call` that have exited (none is waited for)."""
    for pid in list(_PENDING):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # reaped already (by whoever waits for every child)
            done = pid
        if done:
            _PENDING.discard(pid)


def _wait(pid: int) -> int:
    """The exit code of child ``pid``, once it has ended."""
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def fork_call(work: Callable[[], bytes]) -> Forked | None:
    """``work()`` in a forked child that sends what it returns (status 0), or the line ``str(exc)`` of
    what it raised (status 1). None when no child could be forked (the caller does the work itself).

    The objects existing now are frozen for the child's garbage collector, which then never walks
    (so never copies) the pages it shares with this process."""
    reap()
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
    status, said, data = 1, _RAISED, b""
    try:
        data = work()
        status, said = 0, _RETURNED
    except BaseException as exc:  # whatever it is, the parent must hear of it
        data = (str(exc) or type(exc).__name__).encode("utf-8", "replace")[:FAILURE_LIMIT]
    finally:
        with contextlib.suppress(OSError), os.fdopen(report, "wb") as pipe:
            pipe.write(_HEADER.pack(said, len(data)))
            pipe.write(data)
        os._exit(status)
