"""Pack the HTML report's findings in a child process while the exposure stage runs.

Packing the findings (:class:`cloudaudit.report.packed.FindingsPack`) is most of the HTML report's
work. With no exposure source selected, the exposure stage leaves every finding as the engine built
it (a failure carries its configuration's rung already: :mod:`cloudaudit.exposure.configured`); it
adds the attack surface, the run's notes and gaps, and the compliance and history steps follow it. So
the report's findings are known before those steps: a child forked then puts them in report order and
packs them while this process runs the steps, and is then handed what the steps added (a few kB) and
writes the page, while this process writes the other files. What it is handed goes through an
unlinked, owner-only temporary file (its size through a pipe): this process never waits for the child
to read it.

The child's pack is used only when the final document's findings are the very objects it packed;
otherwise (or when anything fails before the hand-over) the child is stopped and the page is written as
without it (:func:`cloudaudit.runflow.write_reports`). Either way the page is the same.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import struct
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from operator import is_
from pathlib import Path
from typing import IO

from cloudaudit.compliance.evaluate import ComplianceResult
from cloudaudit.errors import CloudauditError
from cloudaudit.forking import Forked, can_fork, fork_call
from cloudaudit.history.diff import Changes
from cloudaudit.model.finding import FindingsDocument
from cloudaudit.report.files import write_private
from cloudaudit.report.forked import MIN_FINDINGS, raise_if_failed
from cloudaudit.report.html import Prepared, iter_html, order_findings
from cloudaudit.report.packed import FindingsPack, surface_pieces
from cloudaudit.spool import is_spilled

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Rest:
    """What the steps after evaluation added to the document, and where the page goes."""

    doc: FindingsDocument
    """The final document without its findings (the child has them)."""
    compliance: Sequence[ComplianceResult]
    since: Changes | None
    path: Path


_SIZE = struct.Struct("!Q")
"""The size of what the child is handed, through the pipe."""


class PageAhead:
    """This process's side: the child packing the findings of ``doc``."""

    def __init__(self, doc: FindingsDocument, forked: Forked, outbox: int, handed: IO[bytes]) -> None:
        self._findings = doc.findings
        self._forked: Forked | None = forked
        self._outbox: int | None = outbox
        self._handed = handed

    @classmethod
    def start(cls, doc: FindingsDocument) -> PageAhead | None:
        """The child, forked now; None for a small report, findings on disk, or where a fork is not safe
        (:func:`cloudaudit.forking.can_fork`)."""
        if len(doc.findings) < MIN_FINDINGS or is_spilled(doc.findings) or not can_fork():
            return None
        handed = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop() or wait()
        inbox, outbox = os.pipe()
        forked = fork_call(lambda: _pack_then_write(doc, inbox, outbox, handed.fileno()))
        os.close(inbox)
        if forked is None:
            os.close(outbox)
            handed.close()
            return None
        return cls(doc, forked, outbox, handed)

    def hand_over(
        self,
        doc: FindingsDocument,
        compliance: Sequence[ComplianceResult],
        since: Changes | None,
        path: Path,
    ) -> bool:
        """Have the child write ``doc``'s page to ``path`` (:meth:`wait` for it): True when ``doc`` holds
        the findings it packed; else the child is stopped, False (write the page without it)."""
        findings = doc.findings
        same = len(findings) == len(self._findings) and all(map(is_, findings, self._findings))
        if self._outbox is None or not same:
            log.debug("the findings changed since the HTML report's were packed: packed again")
            self.stop()
            return False
        rest = _Rest(doc.model_copy(update={"findings": []}), compliance, since, path)
        try:
            data = pickle.dumps(rest, pickle.HIGHEST_PROTOCOL)
            self._handed.write(data)
            self._handed.flush()
            os.write(self._outbox, _SIZE.pack(len(data)))  # a few bytes: never waits
            os.close(self._outbox)
            self._outbox = None
        except Exception as exc:  # the child is gone, or something does not pickle: written here
            log.debug("the HTML report's child process is not used: %s", exc)
            self.stop()
            return False
        log.debug("the HTML report is written by the process that packed its findings ahead")
        return True

    def wait(self) -> None:
        """Once the child has written the page; a CloudauditError naming the file when it could not."""
        forked, self._forked = self._forked, None
        if forked is not None:
            self._handed.close()
            raise_if_failed(*forked.result())

    def stop(self) -> None:
        """End the child without a page (at once: its pack is not wanted)."""
        if self._outbox is not None:
            os.close(self._outbox)
            self._outbox = None
        forked, self._forked = self._forked, None
        if forked is not None:
            self._handed.close()
            with suppress(ProcessLookupError):
                os.kill(forked.pid, signal.SIGKILL)
            forked.result()


@contextmanager
def page_ahead(doc: FindingsDocument, wanted: bool) -> Iterator[PageAhead | None]:
    """:meth:`PageAhead.start` when ``wanted`` (an HTML report, no exposure source: the steps to come
    leave the findings as they are); the child is stopped at the end of the block unless it was
    handed the page and waited for."""
    ahead = PageAhead.start(doc) if wanted else None
    try:
        yield ahead
    finally:
        if ahead is not None:
            ahead.stop()


def _pack_then_write(doc: FindingsDocument, inbox: int, outbox: int, handed: int) -> bytes:
    """The child: pack the findings, then read what it is handed (nothing: stopped) and write the page."""
    os.close(outbox)  # this process's copy of the write end: the parent's closing it is the end
    ordered = list(order_findings(doc.findings))
    pack = FindingsPack.of(ordered)
    header = _read_exactly(inbox, _SIZE.size)
    os.close(inbox)
    if not header:
        return b""  # stopped: the page is written by the parent
    (size,) = _SIZE.unpack(header)
    data = os.pread(handed, size, 0)
    if len(data) != size:
        raise CloudauditError("the HTML report's process could not read the end of the run")
    rest: _Rest = pickle.loads(data)  # noqa: S301 - our own parent's, through our own file
    final = rest.doc.model_copy(update={"findings": doc.findings})
    prepared = Prepared(ordered, tuple(surface_pieces(final.surface)), pack)
    write_private(rest.path, iter_html(final, rest.compliance, rest.since, prepared))
    return b""


def _read_exactly(fd: int, size: int) -> bytes:
    """``size`` bytes of ``fd``, or what came before its end (nothing: it was closed)."""
    data = b""
    while len(data) < size and (more := os.read(fd, size - len(data))):
        data += more
    return data
