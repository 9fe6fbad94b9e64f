"""Write a report set on two cores: some files in a forked child process, the others here, meanwhile.

Serialising tens of thousands of findings is CPU work that one Python process does on one core. The
findings are already in memory: a forked child sees them without a copy (copy-on-write), writes its
files (atomically, as every file is written) and exits, while this process writes the others. Used only
where a fork is safe and pays: a POSIX system, no other thread in this process (one holding a lock at
the fork would leave the child stuck on it), and a report set large enough. Otherwise every file is
written here, in turn. Either way the files and their content are the same.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cloudaudit.errors import CloudauditError
from cloudaudit.forking import can_fork
from cloudaudit.report.files import write_private

__all__ = ["MIN_FINDINGS", "Job", "can_fork", "write_jobs"]

MIN_FINDINGS = 5_000
"""Below this many findings a report set is written in well under a second: one process does it."""


@dataclass(frozen=True)
class Job:
    """One file to write: where, and its text (pieces produced when the file is written)."""

    path: Path
    text: Callable[[], str | Iterable[str]]
    aside: bool = False
    """Worth a core of its own: written by the child when there is one."""

    def write(self) -> Path:
        """Write the file (owner-only, atomic)."""
        return write_private(self.path, self.text())


def write_jobs(jobs: Sequence[Job], *, fork: bool) -> list[Path]:
    """Write every job; with ``fork`` (and :func:`can_fork`), the ``aside`` ones in a child process.

    Returns the paths in the order of ``jobs``. Raises CloudauditError naming the first file that could
    not be written (by either process), after both processes are done.
    """
    aside = [j for j in jobs if j.aside]
    if not (fork and aside and len(aside) < len(jobs) and can_fork()):
        return [job.write() for job in jobs]
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: write, report a failure through the pipe, and leave without cleanup
        os.close(read_end)
        _child(aside, write_end)
    os.close(write_end)
    try:
        for job in jobs:
            if not job.aside:
                job.write()
    finally:
        failure = _wait(pid, read_end)
    if failure:
        raise CloudauditError(failure)
    return [job.path for job in jobs]


def _child(jobs: Sequence[Job], report: int) -> None:
    """Write ``jobs``, then end the process: status 0, or 1 with the error's one line on ``report``.

    ``os._exit``: no exception, exit handler or buffered output of the parent runs twice."""
    status = 1
    try:
        for job in jobs:
            job.write()
        status = 0
    except CloudauditError as exc:
        _say(report, str(exc))
    except BaseException as exc:  # whatever it is, the parent must hear of it
        _say(report, f"cannot write {jobs[0].path.name}: {type(exc).__name__}: {exc}")
    finally:
        os._exit(status)


def _say(fd: int, message: str) -> None:
    with contextlib.suppress(OSError):
        os.write(fd, message.encode("utf-8", "replace")[:4096])


def _wait(pid: int, read_end: int) -> str:
    """The child's failure message ("" when it wrote its files), once it has ended."""
    chunks: list[bytes] = []
    with os.fdopen(read_end, "rb") as pipe:
        while chunk := pipe.read(4096):
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    message = b"".join(chunks).decode("utf-8", "replace").strip()
    if os.waitstatus_to_exitcode(status) == 0:
        return ""
    return message or f"the report writer process ended abnormally (status {status})"
