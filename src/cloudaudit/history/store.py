"""The run store: runs and their findings in SQLite or PostgreSQL (SQLAlchemy 2, Alembic migrations
applied on open). See :mod:`.location` for the URLs and :mod:`.diff` for what a comparison says."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, create_engine, delete, func, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from cloudaudit.errors import CloudauditError, UsageError
from cloudaudit.exposure.model import ExposureLevel
from cloudaudit.history import migrate
from cloudaudit.history.diff import Changes, Side, compare
from cloudaudit.history.location import StoreLocation
from cloudaudit.history.model import Counts, FindingRef, Scope, StoredRun
from cloudaudit.history.tables import FindingRow, RunRow
from cloudaudit.logs import redact
from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import FindingsDocument
from cloudaudit.terminal import printable

BATCH = 5_000
"""Findings inserted (and run ids deleted) per statement."""


class StoreError(CloudauditError):
    """The store could not be opened, read or written (exit 3)."""


def _reason(exc: BaseException, location: StoreLocation) -> str:
    """The first line of a database error, without SQLAlchemy's statement and link, nor a password."""
    origin = getattr(exc, "orig", None) or exc
    first = (str(origin).strip().splitlines() or [type(origin).__name__])[0]
    return printable(redact(first, location.secrets), limit=300)


def _utc(value: datetime) -> datetime:
    """SQLite gives back naive datetimes: they were written in UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _check_sqlite_file(location: StoreLocation, create: bool) -> None:
    """An SQLite store is a file of ours, not a symlink, in a directory only we can write (SQLite
    creates its journal next to it); a new one is created 0600 in a 0700 directory."""
    path = location.sqlite_path
    assert path is not None
    shown = location.shown
    parent = path.parent
    if not parent.exists():
        if not create:
            raise UsageError(f"no store at {shown}: nothing was recorded there (give the path runs used)")
        try:
            parent.mkdir(parents=True, mode=0o700)
        except OSError as exc:
            raise StoreError(f"cannot create the store's directory for {shown}: {exc.strerror}") from exc
    info = parent.stat()
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise StoreError(
            f"store {shown}: its directory is writable by group or others (mode "
            f"{stat.S_IMODE(info.st_mode):04o}); keep the store in a directory of your own"
        )
    try:
        file = path.lstat()
    except FileNotFoundError:
        if not create:
            raise UsageError(
                f"no store at {shown}: nothing was recorded there (give the path runs used)"
            ) from None
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
        except OSError as exc:
            raise StoreError(f"cannot create store {shown}: {exc.strerror}") from exc
        return
    if stat.S_ISLNK(file.st_mode):
        raise StoreError(f"store {shown} is a symbolic link: give the path of the file itself")
    if not stat.S_ISREG(file.st_mode):
        raise UsageError(f"store {shown} is not a regular file")
    if hasattr(os, "geteuid") and file.st_uid != os.geteuid():
        raise StoreError(f"store {shown} belongs to another user (uid {file.st_uid})")


class Store:
    """An open store. Every method raises :class:`StoreError` (one line) when the database fails."""

    def __init__(self, engine: Engine, location: StoreLocation) -> None:
        self._engine = engine
        self.location = location

    @classmethod
    def open(cls, location: StoreLocation, *, create: bool = True) -> Store:
        """Open (with ``create``, make) the store and bring its schema to this version's head."""
        if location.sqlite_path is not None:
            _check_sqlite_file(location, create)
        args: dict[str, Any] = (
            {"timeout": 30} if location.sqlite_path is not None else {"connect_timeout": 15}
        )
        try:
            engine = create_engine(location.url, poolclass=NullPool, connect_args=args)
        except (SQLAlchemyError, ImportError) as exc:
            raise StoreError(f"cannot open store {location.shown}: {_reason(exc, location)}") from exc
        store = cls(engine, location)
        with store._failing("open"), engine.begin() as connection:
            migrate.upgrade(connection, location.shown)
        return store

    def close(self) -> None:
        """Release the connections."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _failing(self, action: str) -> Iterator[None]:
        try:
            yield
        except SQLAlchemyError as exc:
            raise StoreError(
                f"cannot {action} store {self.location.shown}: {_reason(exc, self.location)}"
            ) from exc

    def record(
        self,
        doc: FindingsDocument,
        checks: Iterable[str],
        check_filter: dict[str, list[str]] | None = None,
        *,
        regions: Sequence[str] | None = None,
        now: datetime | None = None,
    ) -> StoredRun:
        """Store the run of ``doc`` with its findings (``checks``: the provider checks that ran;
        ``regions``: the regions asked, None for all)."""
        run = doc.run
        scope = Scope.of(doc, regions)
        refs = [FindingRef.of(f) for f in doc.findings]
        counts = Counts.of(refs)
        row = RunRow(
            scope_key=scope.key,
            providers=list(scope.providers),
            accounts=list(scope.accounts),
            regions_asked=list(scope.regions),
            regions=sorted(set(run.regions)),
            started=_utc(run.started),
            finished=_utc(run.finished),
            recorded=now or datetime.now(UTC),
            tool_version=run.tool_version,
            checks=sorted(set(checks)),
            check_filter=check_filter or {"include": [], "exclude": []},
            exposure_sources=list(run.exposure_sources),
            incomplete=run.incomplete,
            interrupted=run.interrupted,
            findings_total=len(refs),
            counts=counts.as_json(),
            coverage=[g.model_dump(mode="json") for g in doc.coverage],
        )
        with self._failing("write to"), Session(self._engine) as session, session.begin():
            session.add(row)
            session.flush()
            rows = [_finding_row(row.id, f) for f in refs]
            for start in range(0, len(rows), BATCH):
                session.execute(insert(FindingRow), rows[start : start + BATCH])
            stored = _stored(row)
        return stored

    def runs(self, scope_key: str | None = None) -> list[StoredRun]:
        """Every run (of one scope), newest first."""
        query = select(RunRow).order_by(RunRow.started.desc(), RunRow.id.desc())
        if scope_key is not None:
            query = query.where(RunRow.scope_key == scope_key)
        with self._failing("read"), Session(self._engine) as session:
            return [_stored(r) for r in session.scalars(query)]

    def run(self, run_id: int) -> StoredRun:
        """One run; an id the store does not hold is a usage error."""
        with self._failing("read"), Session(self._engine) as session:
            row = session.get(RunRow, run_id)
            if row is None:
                raise UsageError(f"no run {run_id} in store {self.location.shown} (see 'cloudaudit runs')")
            return _stored(row)

    def latest(self, scope_key: str | None = None) -> StoredRun | None:
        """The newest run (of one scope)."""
        query = select(RunRow).order_by(RunRow.started.desc(), RunRow.id.desc()).limit(1)
        if scope_key is not None:
            query = query.where(RunRow.scope_key == scope_key)
        with self._failing("read"), Session(self._engine) as session:
            row = session.scalars(query).first()
            return _stored(row) if row is not None else None

    def previous(self, run: StoredRun) -> StoredRun | None:
        """The run of the same scope just before ``run``."""
        earlier = (RunRow.started < run.started) | ((RunRow.started == run.started) & (RunRow.id < run.id))
        query = (
            select(RunRow)
            .where(RunRow.scope_key == run.scope.key, earlier)
            .order_by(RunRow.started.desc(), RunRow.id.desc())
            .limit(1)
        )
        with self._failing("read"), Session(self._engine) as session:
            row = session.scalars(query).first()
            return _stored(row) if row is not None else None

    def findings(self, run_id: int) -> list[FindingRef]:
        """The findings of one run (read as plain rows: a run may hold 100,000)."""
        query = select(*_FINDING_COLUMNS).where(FindingRow.run_id == run_id).order_by(FindingRow.id)
        with self._failing("read"), self._engine.connect() as connection:
            return [_ref(*row) for row in connection.execute(query)]

    def changes_since_last(
        self, doc: FindingsDocument, checks: Iterable[str], regions: Sequence[str] | None = None
    ) -> Changes:
        """What changed from the newest stored run of ``doc``'s scope to ``doc`` (not stored yet):
        ``checks`` are the provider checks that ran, ``regions`` the regions asked (None: all). With
        no earlier run of the scope, ``before`` is None and nothing is new."""
        previous = self.latest(Scope.of(doc, regions).key)
        if previous is None:
            return Changes(new=(), resolved=(), changed=(), unchanged=0)
        current = Side(
            [FindingRef.of(f) for f in doc.findings], frozenset(checks), bool(doc.run.exposure_sources)
        )
        return compare(self.side(previous), current, previous)

    def diff(self, before: StoredRun, after: StoredRun) -> Changes:
        """What changed from ``before`` to ``after``."""
        return compare(self.side(before), self.side(after), before, after)

    def side(self, run: StoredRun) -> Side:
        """A stored run's side of a comparison."""
        return Side(self.findings(run.id), run.checks, bool(run.exposure_sources))

    def prune(
        self, keep: int | None = None, older_than: timedelta | None = None, *, now: datetime | None = None
    ) -> list[int]:
        """Delete runs (and their findings): those beyond the ``keep`` newest of their scope, and/or
        those started more than ``older_than`` ago; with both, runs that match both. Returns their ids."""
        cutoff = (now or datetime.now(UTC)) - older_than if older_than is not None else None
        seen: dict[str, int] = {}
        doomed: list[int] = []
        for run in self.runs():
            rank = seen.get(run.scope.key, 0)
            seen[run.scope.key] = rank + 1
            beyond = keep is None or rank >= keep
            old = cutoff is None or run.started < cutoff
            if beyond and old:
                doomed.append(run.id)
        with self._failing("prune"), Session(self._engine) as session, session.begin():
            for start in range(0, len(doomed), BATCH):
                ids = doomed[start : start + BATCH]
                session.execute(delete(FindingRow).where(FindingRow.run_id.in_(ids)))
                session.execute(delete(RunRow).where(RunRow.id.in_(ids)))
        return doomed

    def count(self) -> int:
        """How many runs the store holds."""
        with self._failing("read"), Session(self._engine) as session:
            return int(session.scalar(select(func.count()).select_from(RunRow)) or 0)


def _finding_row(run_id: int, f: FindingRef) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "fingerprint": f.fingerprint,
        "check_id": f.check_id,
        "provider": f.provider,
        "account": f.account,
        "region": f.region,
        "resource_id": f.resource_id,
        "resource_name": f.resource_name,
        "status": f.status.value,
        "severity": f.severity.value,
        "exposure": f.exposure.value,
        "title": f.title,
        "message": f.message,
    }


_FINDING_COLUMNS = (
    FindingRow.fingerprint,
    FindingRow.check_id,
    FindingRow.title,
    FindingRow.status,
    FindingRow.severity,
    FindingRow.exposure,
    FindingRow.provider,
    FindingRow.account,
    FindingRow.region,
    FindingRow.resource_id,
    FindingRow.resource_name,
    FindingRow.message,
)
"""A stored finding's columns, in :class:`FindingRef`'s order."""


def _ref(*values: str) -> FindingRef:
    fp, check, title, status, severity, exposure, provider, account, region, rid, name, message = values
    return FindingRef(
        fingerprint=fp,
        check_id=check,
        title=title,
        status=Status(status),
        severity=Severity(severity),
        exposure=ExposureLevel(exposure),
        provider=provider,
        account=account,
        region=region,
        resource_id=rid,
        resource_name=name,
        message=message,
    )


def _stored(row: RunRow) -> StoredRun:
    return StoredRun(
        id=row.id,
        started=_utc(row.started),
        finished=_utc(row.finished),
        recorded=_utc(row.recorded),
        tool_version=row.tool_version,
        scope=Scope(tuple(row.providers), tuple(row.accounts), tuple(row.regions_asked)),
        regions=tuple(row.regions),
        checks=frozenset(row.checks),
        check_filter={str(k): [str(x) for x in v] for k, v in dict(row.check_filter).items()},
        exposure_sources=tuple(row.exposure_sources),
        incomplete=row.incomplete,
        interrupted=row.interrupted,
        counts=Counts.from_json(row.counts),
        coverage=tuple(dict(g) for g in row.coverage),
    )
