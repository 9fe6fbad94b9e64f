"""Stores for the history tests, a pytest plugin (``pytest_plugins = ["history_fixtures"]``): SQLite in a
temporary directory always, PostgreSQL on the server ``CLOUDAUDIT_TEST_POSTGRES`` names (``.ci/postgres
start`` starts one on a local socket): each test gets a database of its own, dropped afterwards. Without a
server the PostgreSQL cases skip, unless ``CLOUDAUDIT_REQUIRE_POSTGRES=1`` (CI) makes them fail."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_ENV = "CLOUDAUDIT_TEST_POSTGRES"
REQUIRE_ENV = "CLOUDAUDIT_REQUIRE_POSTGRES"


def postgres_server() -> str:
    """The test server's URL; skips (or fails, when required) without one."""
    url = os.environ.get(POSTGRES_ENV, "")
    if url:
        return url
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but {POSTGRES_ENV} is not set: start a server with .ci/postgres start")
    pytest.skip(
        f'no PostgreSQL server: set {POSTGRES_ENV}=postgresql://... (e.g. eval "$(.ci/postgres start)")'
    )


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database (its URL, as a user gives it to --store)."""
    server = make_url(postgres_server()).set(drivername="postgresql+psycopg")
    name = f"cloudaudit_test_{secrets.token_hex(6)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test on SQLite, then on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'runs.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url
