"""Bring a store's schema to this version's head with the Alembic migrations shipped in the package.

Every open runs :func:`upgrade`: a new store gets its tables, an older one its missing migrations, a
current one nothing but a version read. A store migrated by a newer cloudaudit is refused (its
tables may have moved on). A new migration is a file in ``migrations/versions`` (``script.py.mako``
is its template); the tests fail until the migrations produce exactly the models of :mod:`.tables`.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from cloudaudit.errors import CloudauditError
from cloudaudit.history.tables import VERSION_TABLE

MIGRATIONS = Path(__file__).with_name("migrations")
PG_LOCK = 0x636C6F75  # pg_advisory_xact_lock key: one cloudaudit migrates a PostgreSQL store at a time


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the shipped migrations (no ini file), bound to ``connection``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest migration's revision."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


def current(connection: Connection) -> tuple[str, ...]:
    """The revisions the store is at (empty: a new store)."""
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return tuple(context.get_current_heads())


def upgrade(connection: Connection, shown: str) -> None:
    """Apply the missing migrations in the connection's transaction (see the module's documentation)."""
    latest = head()
    if current(connection) == (latest,):
        return
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK})
        if current(connection) == (latest,):
            return  # another cloudaudit migrated it meanwhile
    script = ScriptDirectory.from_config(alembic_config())
    known = {r.revision for r in script.walk_revisions()}
    unknown = [r for r in current(connection) if r not in known]
    if unknown:
        raise CloudauditError(
            f"store {shown} was migrated by a newer cloudaudit (schema {', '.join(unknown)}; this version "
            f"knows up to {latest}): upgrade cloudaudit to use it"
        )
    command.upgrade(alembic_config(connection), "head")
