"""Write a report set on two cores: some files in a forked child process, the others here, meanwhile.

Serialising tens of thousands of findings is CPU work that one Python process does on one core. The
findings are already in memory: a forked child sees them without a copy (copy-on-write), writes its
files (atomically, as every file is written) and exits, while this process writes the others. Used only
where a fork is safe and pays: a POSIX system, no other thread in this process (one holding a lock at
the fork would leave the child stuck on it), and a report set large enough. Otherwise every file is
written here, in turn. Either way the files and their content are the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from cloudaudit.errors import CloudauditError
from cloudaudit.forking import can_fork, fork_call
from cloudaudit.report.files import write_private
from cloudaudit.report.stream import Chunks

__all__ = ["MIN_FINDINGS", "Job", "can_fork", "raise_if_failed", "write_jobs"]

MIN_FINDINGS = 5_000
"""Below this many findings a report set is written in well under a second: one process does it."""


@dataclass(frozen=True)
class Job:
    """One file to write: where, and its text (pieces produced when the file is written)."""

    path: Path
    text: Callable[[], str | Chunks]
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
    child = fork_call(partial(_write_aside, aside))
    if child is None:
        return [job.write() for job in jobs]
    try:
        for job in jobs:
            if not job.aside:
                job.write()
    finally:
        code, said = child.result()
    raise_if_failed(code, said)
    return [job.path for job in jobs]


def raise_if_failed(code: int, said: bytes) -> None:
    """A CloudauditError with what a report writer process said when it failed (exit code not 0)."""
    if code != 0:
        message = said.decode("utf-8", "replace").strip()
        raise CloudauditError(message or f"the report writer process ended abnormally (exit code {code})")


def _write_aside(jobs: Sequence[Job]) -> bytes:
    """Write ``jobs`` (in the child); any failure becomes a CloudauditError naming the first file."""
    try:
        for job in jobs:
            job.write()
    except CloudauditError:
        raise
    except BaseException as exc:  # whatever it is, the parent must hear of it
        raise CloudauditError(f"cannot write {jobs[0].path.name}: {type(exc).__name__}: {exc}") from exc
    return b""
