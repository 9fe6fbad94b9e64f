"""A run's findings, kept in memory up to a limit and spilled to disk beyond it.

Findings arrive one evaluation unit at a time (an account, or the accounts a provider says must be
judged together) and are read back in that order as often as the reports need. Below
:data:`SPILL_AT` findings they stay in memory (a small run pays nothing); past it every unit is
written as one JSON-lines file in a private folder (``0700``, files ``0600``, created exclusively,
never through a symlink) and read back one line at a time, so the run's memory no longer grows with
its findings. The folder is removed by :meth:`FindingSpool.close` (the end of the run) or, failing
that, when the process exits normally.

``CLOUDAUDIT_SPILL_FINDINGS`` sets the limit (0: spill every finding).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import IO, Any, overload

from cloudaudit.errors import UsageError
from cloudaudit.model.finding import Finding, LazyFindings
from cloudaudit.terminal import printable

SPILL_AT = 50_000
"""Findings held in memory before the spool spills them to disk (~1 KB each in memory)."""
SPILL_ENV = "CLOUDAUDIT_SPILL_FINDINGS"
_SPILLED: weakref.WeakSet[FindingSpool] = weakref.WeakSet()
"""The spools with files on disk (:func:`close_all` removes them)."""


def spill_limit() -> int:
    """The limit :data:`SPILL_ENV` sets, else :data:`SPILL_AT`."""
    text = os.environ.get(SPILL_ENV, "").strip()
    if not text:
        return SPILL_AT
    if not text.isdigit():
        shown = printable(repr(text), 30)
        raise UsageError(f"{SPILL_ENV} must be a whole number of findings (0: always spill), not {shown}")
    return int(text)


@dataclass
class _Unit:
    """One evaluation unit's findings: in memory (``items``) or in a file (``path``, line offsets)."""

    accounts: Counter[str]
    items: list[Finding] | None = None
    path: Path | None = None
    offsets: array[int] = field(default_factory=lambda: array("Q"))

    def __len__(self) -> int:
        return sum(self.accounts.values())

    def read(self) -> Iterator[Finding]:
        if self.items is not None:
            yield from self.items
            return
        assert self.path is not None
        with _open_read(self.path) as handle:
            for line in handle:
                yield Finding.model_validate_json(line)


class FindingSpool(LazyFindings):
    """Findings in evaluation-unit order (see the module doc): a sequence cheap to iterate and to
    count; ``spool[i]`` reads one line of a file (an account's view scans its units)."""

    def __init__(self, limit: int | None = None) -> None:
        self._limit = spill_limit() if limit is None else limit
        self._units: list[_Unit] = []
        self._folder: Path | None = None
        self._cleanup: weakref.finalize[Any, FindingSpool] | None = None
        self._account: str | None = None
        self._files = 0
        self._parent: FindingSpool | None = None

    # ------------------------------------------------------------------ writing

    def extend(self, findings: Iterable[Finding]) -> None:
        """Add one evaluation unit's findings (after those already added), consumed as they come:
        past the limit, what is held goes to disk and the rest of the unit is written as it arrives."""
        unit = _Unit(Counter(), items=[])
        self._units.append(unit)
        rest = iter(findings)
        if self.spilled:
            self._write(unit, rest)
            return
        held = len(self)
        items = unit.items
        assert items is not None
        for finding in rest:
            items.append(finding)
            unit.accounts[finding.account] += 1
            held += 1
            if held > self._limit:
                break
        else:
            return
        for earlier in self._units[:-1]:
            self._write(earlier, earlier.items or ())
        self._write(unit, chain(items, rest))

    def map(self, change: Callable[[Finding], Finding]) -> FindingSpool:
        """A spool of ``change(f)`` for every finding, unit by unit (spilled as this one is)."""
        out = FindingSpool(self._limit)
        if self.spilled:
            out._spill_folder()
        for unit in self._units:
            out.extend(change(f) for f in unit.read())
        return out

    @property
    def spilled(self) -> bool:
        """Its findings are on disk."""
        return self._folder is not None

    def _spill_folder(self) -> Path:
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="cloudaudit-findings-"))  # 0700
            self._cleanup = weakref.finalize(self, shutil.rmtree, self._folder, True)
            _SPILLED.add(self)
        return self._folder

    def _write(self, unit: _Unit, findings: Iterable[Finding]) -> None:
        folder = self._spill_folder()
        path = folder / f"unit-{self._files:06d}.jsonl"
        self._files += 1
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        counts: Counter[str] = Counter()
        offsets: array[int] = array("Q")
        with os.fdopen(fd, "wb") as handle:
            for finding in findings:
                offsets.append(handle.tell())
                handle.write(finding.model_dump_json().encode())
                handle.write(b"\n")
                counts[finding.account] += 1
        unit.accounts, unit.items, unit.path, unit.offsets = counts, None, path, offsets

    def close(self) -> None:
        """Remove the spilled files (the spool and its views are empty afterwards)."""
        if self._cleanup is not None:
            self._cleanup()
        self._units = []

    # ------------------------------------------------------------------ reading

    def of_account(self, account: str) -> FindingSpool:
        """A view of the findings of one account (reads only the units that hold some)."""
        view = FindingSpool(self._limit)
        view._units = [u for u in self._units if u.accounts[account]]
        view._folder = self._folder  # shared: only the spool that made the folder removes it
        view._parent = self  # which lives as long as its views
        view._account = account
        return view

    def __len__(self) -> int:
        if self._account is not None:
            return sum(u.accounts[self._account] for u in self._units)
        return sum(len(u) for u in self._units)

    def __iter__(self) -> Iterator[Finding]:
        for unit in self._units:
            for finding in unit.read():
                if self._account is None or finding.account == self._account:
                    yield finding

    @overload
    def __getitem__(self, index: int) -> Finding: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Finding]: ...
    def __getitem__(self, index: int | slice) -> Finding | Sequence[Finding]:
        if isinstance(index, slice):
            return list(self)[index]
        size = len(self)
        position = index + size if index < 0 else index
        if not 0 <= position < size:
            raise IndexError("spool index out of range")
        if self._account is not None:  # a view: its findings' places are not indexed
            return next(f for i, f in enumerate(self) if i == position)
        for unit in self._units:
            if position < len(unit):
                if unit.items is not None:
                    return unit.items[position]
                assert unit.path is not None
                with _open_read(unit.path) as handle:
                    handle.seek(unit.offsets[position])
                    return Finding.model_validate_json(handle.readline())
            position -= len(unit)
        raise IndexError("spool index out of range")

    def sorted_by(self, key: Callable[[Finding], Any]) -> Iterator[Finding]:
        """Every finding in ``key`` order (stable), holding only the keys and locations in memory
        when the findings are on disk."""
        if not self.spilled:
            yield from sorted(self, key=key)
            return
        places: list[tuple[Any, int, int]] = []
        for u, unit in enumerate(self._units):
            for line, finding in enumerate(unit.read()):
                if self._account is None or finding.account == self._account:
                    places.append((key(finding), u, line))
        places.sort(key=lambda place: place[0])
        handles: dict[int, IO[bytes]] = {}
        try:
            for _, u, line in places:
                unit = self._units[u]
                handle = handles.get(u)
                if handle is None:
                    assert unit.path is not None
                    handle = handles[u] = _open_read(unit.path)
                handle.seek(unit.offsets[line])
                yield Finding.model_validate_json(handle.readline())
        finally:
            for handle in handles.values():
                handle.close()


def close_all() -> None:
    """Remove every spool's files (the command's end: it leaves without running exit handlers)."""
    for spool in list(_SPILLED):
        spool.close()


def _open_read(path: Path) -> IO[bytes]:
    """A spilled file opened for reading, never through a symlink."""
    return os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC), "rb")


def sort_findings(findings: Sequence[Finding], key: Callable[[Finding], Any]) -> Iterator[Finding]:
    """``findings`` in ``key`` order; a spilled spool is sorted without loading its findings."""
    if isinstance(findings, FindingSpool):
        return findings.sorted_by(key)
    return iter(sorted(findings, key=key))


def is_spilled(findings: Sequence[Finding]) -> bool:
    """``findings`` are (partly) on disk."""
    return isinstance(findings, FindingSpool) and findings.spilled


def of_account(findings: Sequence[Finding], account: str) -> Sequence[Finding]:
    """The findings of one account (a view of a spool, else a new list)."""
    if isinstance(findings, FindingSpool):
        return findings.of_account(account)
    return [f for f in findings if f.account == account]


def map_findings(findings: Sequence[Finding], change: Callable[[Finding], Finding]) -> Sequence[Finding]:
    """``change(f)`` for every finding, spooled as ``findings`` are."""
    if isinstance(findings, FindingSpool):
        return findings.map(change)
    return [change(f) for f in findings]


def with_more(findings: Sequence[Finding], more: Sequence[Finding]) -> Sequence[Finding]:
    """``findings`` followed by ``more``: a spool gets them as one more unit (the spool itself, not a
    copy), a list is copied."""
    if isinstance(findings, FindingSpool):
        if more:
            findings.extend(more)
        return findings
    return [*findings, *more]
