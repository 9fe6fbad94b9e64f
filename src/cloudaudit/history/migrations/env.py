"""Alembic's environment for the run store: migrations run on the connection cloudaudit opened
(:func:`cloudaudit.history.migrate.upgrade`), never from a configuration file."""

from __future__ import annotations

from alembic import context

from cloudaudit.history.tables import VERSION_TABLE, Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("the run store's migrations are applied by cloudaudit when it opens a store")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=VERSION_TABLE,
    render_as_batch=True,  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
