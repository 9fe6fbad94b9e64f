"""The run store on SQLite and on a real PostgreSQL server: runs and findings kept and read back,
scopes, pruning, the schema made by the shipped migrations, and the SQLite file's safety."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from cloudaudit.errors import CloudauditError, UsageError
from cloudaudit.history import migrate
from cloudaudit.history.location import parse_store
from cloudaudit.history.model import FindingRef, Scope
from cloudaudit.history.store import Store, StoreError
from cloudaudit.history.tables import VERSION_TABLE, Base
from cloudaudit.model.enums import Severity
from history_support import STARTED, document, finding

pytest_plugins = ["history_fixtures"]  # the store_url fixture: SQLite, then PostgreSQL
DAY = timedelta(days=1)


def _open(url: str) -> Store:
    return Store.open(parse_store(url))


def test_a_run_and_its_findings_are_read_back(store_url: str) -> None:
    doc = document(
        finding("aws.s3.bucket_policy_public", "b1", "FAIL", "critical"),
        finding("aws.s3.bucket_versioning", "b1", "PASS", "low"),
        finding("aws.s3.bucket_public_write", "b2", "MUTED", "high", muted_reason="approved"),
    )
    with _open(store_url) as store:
        stored = store.record(
            doc,
            ["aws.s3.bucket_policy_public", "aws.s3.bucket_versioning"],
            {"include": ["aws.s3.*"], "exclude": []},
        )
        runs = store.runs()
        assert [r.id for r in runs] == [stored.id]
        run = runs[0]
        assert run.scope == Scope(("aws",), ("111122223333",))  # all regions asked
        assert run.regions == ("us-east-1",)
        assert run.started == STARTED and run.started.tzinfo is not None
        assert run.checks == {"aws.s3.bucket_policy_public", "aws.s3.bucket_versioning"}
        assert run.check_filter == {"include": ["aws.s3.*"], "exclude": []}
        assert run.counts.by_status["FAIL"] == 1 and run.counts.by_status["MUTED"] == 1
        assert run.counts.failing_by_severity == {"critical": 1, "high": 0, "medium": 0, "low": 0, "info": 0}
        assert store.findings(stored.id) == [FindingRef.of(f) for f in doc.findings]
        assert store.run(stored.id) == run


def test_unicode_and_hostile_text_survive(store_url: str) -> None:
    name = "bücket\x1b[2J\u202e名前"
    doc = document(finding(resource=name, message=f"policy of {name} is public"))
    with _open(store_url) as store:
        stored = store.record(doc, [])
        (ref,) = store.findings(stored.id)
    assert ref.resource_name == name and ref.message == f"policy of {name} is public"


def test_previous_run_is_of_the_same_scope(store_url: str) -> None:
    with _open(store_url) as store:
        a1 = store.record(document(finding(), started=STARTED), [])
        b = store.record(document(finding(), started=STARTED + DAY, accounts=("444455556666",)), [])
        a2 = store.record(document(finding(), started=STARTED + 2 * DAY), [])
        assert store.previous(a2) == a1
        assert store.previous(a1) is None and store.previous(b) is None
        assert store.latest() == a2
        assert store.latest(b.scope.key) == b
        assert [r.id for r in store.runs(a1.scope.key)] == [a2.id, a1.id]


def test_the_regions_asked_are_part_of_the_scope(store_url: str) -> None:
    """A run over every region finds the regions it finds; a run asked for some is another audit."""
    with _open(store_url) as store:
        everywhere = store.record(document(finding(), regions=("us-east-1",)), [])
        found_more = store.record(
            document(finding(), started=STARTED + DAY, regions=("eu-west-1", "us-east-1")), []
        )
        one = store.record(document(finding(), started=STARTED + 2 * DAY), [], regions=["us-east-1"])
        assert store.previous(found_more) == everywhere
        assert store.previous(one) is None
        assert one.scope.text() == "aws 111122223333 us-east-1"
        assert found_more.scope.text() == "aws 111122223333 all regions"
        assert found_more.regions == ("eu-west-1", "us-east-1")


def test_unknown_run_id_is_a_usage_error(store_url: str) -> None:
    with _open(store_url) as store, pytest.raises(UsageError, match="no run 42 in store"):
        store.run(42)


def test_diff_of_two_stored_runs(store_url: str) -> None:
    first = document(
        finding("aws.s3.bucket_policy_public", "fixed"),
        finding("aws.s3.bucket_policy_public", "kept"),
        finding("aws.s3.bucket_policy_public", "graded", severity="medium"),
    )
    second = document(
        finding("aws.s3.bucket_policy_public", "kept"),
        finding("aws.s3.bucket_policy_public", "graded", severity="critical"),
        finding("aws.s3.bucket_policy_public", "appeared"),
        started=STARTED + DAY,
    )
    with _open(store_url) as store:
        before = store.record(first, ["aws.s3.bucket_policy_public"])
        after = store.record(second, ["aws.s3.bucket_policy_public"])
        changes = store.diff(before, after)
    assert [f.resource_name for f in changes.new] == ["appeared"]
    assert [f.resource_name for f in changes.resolved] == ["fixed"]
    assert [(c.after.resource_name, c.moved) for c in changes.changed] == [("graded", ("severity",))]
    assert changes.unchanged == 1
    assert (changes.before, changes.after) == (before, after)


def test_prune_keeps_the_newest_runs_of_each_scope(store_url: str) -> None:
    with _open(store_url) as store:
        ours = [store.record(document(finding(), started=STARTED + i * DAY), []) for i in range(4)]
        other = store.record(document(finding(), started=STARTED, accounts=("444455556666",)), [])
        deleted = store.prune(keep=2)
        assert sorted(deleted) == [ours[0].id, ours[1].id]
        assert {r.id for r in store.runs()} == {ours[2].id, ours[3].id, other.id}
        assert store.findings(ours[0].id) == []
        assert len(store.findings(ours[3].id)) == 1


def test_prune_by_age_and_by_both(store_url: str) -> None:
    now = STARTED + 10 * DAY
    with _open(store_url) as store:
        runs = [store.record(document(finding(), started=STARTED + i * DAY), []) for i in range(4)]
        assert store.prune(older_than=timedelta(days=9.5), now=now) == [runs[0].id]
        # older than 5 days: runs 1 and 2; but --keep 3 keeps the three newest (1, 2, 3): nothing goes
        assert store.prune(keep=3, older_than=timedelta(days=5), now=now) == []
        assert sorted(store.prune(keep=1, older_than=timedelta(days=5), now=now)) == [runs[1].id, runs[2].id]
        assert [r.id for r in store.runs()] == [runs[3].id]


def test_migrations_make_exactly_the_models(store_url: str) -> None:
    """The head of the shipped migrations is the schema the models declare (nothing to autogenerate)."""
    _open(store_url).close()
    engine = create_engine(parse_store(store_url).url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
            assert compare_metadata(context, Base.metadata) == []
            assert migrate.current(connection) == (migrate.head(),)
    finally:
        engine.dispose()
    _open(store_url).close()  # opening a current store again changes nothing


def test_a_store_of_a_newer_version_is_refused(store_url: str) -> None:
    _open(store_url).close()
    engine = create_engine(parse_store(store_url).url)
    with engine.begin() as connection:
        connection.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = 'ffff9999'"))
    engine.dispose()
    with pytest.raises(CloudauditError, match=r"migrated by a newer cloudaudit \(schema ffff9999; .*upgrade"):
        _open(store_url)


# ------------------------------------------------------------------------------------ SQLite's file


def test_a_new_sqlite_store_is_private(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "runs.db"
    with Store.open(parse_store(f"sqlite:///{path}")) as store:
        store.record(document(finding()), [])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_reading_a_missing_sqlite_store_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    with pytest.raises(UsageError, match=r"no store at .*runs\.db"):
        Store.open(parse_store(f"sqlite:///{path}"), create=False)
    assert not path.exists()


def test_a_symlinked_sqlite_store_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.db"
    target.write_bytes(b"")
    (tmp_path / "runs.db").symlink_to(target)
    with pytest.raises(StoreError, match="is a symbolic link"):
        Store.open(parse_store(f"sqlite:///{tmp_path / 'runs.db'}"))
    assert target.read_bytes() == b""


def test_a_sqlite_store_in_a_shared_directory_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    with pytest.raises(StoreError, match=r"writable by group or others \(mode 0777\)"):
        Store.open(parse_store(f"sqlite:///{shared / 'runs.db'}"))
    assert not (shared / "runs.db").exists()


def test_recorded_time_is_utc(tmp_path: Path) -> None:
    with Store.open(parse_store(f"sqlite:///{tmp_path / 'runs.db'}")) as store:
        run = store.record(document(finding()), [], now=datetime(2026, 5, 2, 3, 4, tzinfo=UTC))
        assert store.run(run.id).recorded == datetime(2026, 5, 2, 3, 4, tzinfo=UTC)


# ----------------------------------------------------------------------------------------- --store


def test_default_store_is_in_the_users_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    location = parse_store("default")
    assert location.sqlite_path == tmp_path / "data" / "cloudaudit" / "runs.db"
    with Store.open(location) as store:
        store.record(document(finding()), [])
    assert stat.S_IMODE((tmp_path / "data" / "cloudaudit" / "runs.db").stat().st_mode) == 0o600


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+psycopg"])
def test_postgres_urls_use_psycopg_and_hide_passwords(scheme: str) -> None:
    location = parse_store(
        f"{scheme}://audit:pa55-w0rd@db.internal:5433/runs?sslmode=require&password=other-secret"
    )
    assert location.url.startswith("postgresql+psycopg://audit:pa55-w0rd@db.internal:5433/runs?")
    assert location.shown.startswith("postgresql+psycopg://audit:***@db.internal:5433/runs?")
    assert "pa55" not in location.shown and "other-secret" not in location.shown
    assert location.secrets == ("pa55-w0rd", "other-secret")


def test_other_databases_are_refused() -> None:
    with pytest.raises(UsageError, match="unsupported store 'mysql'"):
        parse_store("mysql://u@h/db")
    with pytest.raises(UsageError, match="unsupported store 'postgresql\\+psycopg2'"):
        parse_store("postgresql+psycopg2://u@h/db")


def test_changes_since_last_for_a_run_not_stored_yet(store_url: str) -> None:
    """What the notifications read: the first run of a scope has nothing new; the next one has."""
    checks = ["aws.s3.bucket_policy_public"]
    first = document(finding(resource="old"))
    second = document(
        finding(resource="old"), finding(resource="new", severity="critical"), started=STARTED + DAY
    )
    with _open(store_url) as store:
        baseline = store.changes_since_last(first, checks)
        assert baseline.before is None and baseline.counts() == dict.fromkeys(baseline.counts(), 0)
        stored = store.record(first, checks)
        changes = store.changes_since_last(second, checks)
        assert changes.before == stored and changes.after is None
        assert [f.resource_name for f in changes.new_at_least(Severity.HIGH)] == ["new"]
        assert store.changes_since_last(second, checks, regions=["us-east-1"]).before is None  # another scope
