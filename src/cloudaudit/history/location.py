"""Where the run store is: ``--store URL`` (or ``CLOUDAUDIT_STORE``) read and checked.

- ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db``: an SQLite file;
- ``default``: ``runs.db`` in the user's data directory (platformdirs: ``~/.local/share/cloudaudit``
  on Linux, ``~/Library/Application Support/cloudaudit`` on macOS, ``%LOCALAPPDATA%\\cloudaudit`` on
  Windows);
- ``postgresql://user:password@host:port/database`` (also ``postgres://`` and
  ``postgresql+psycopg://``): a PostgreSQL database, through psycopg 3. ``?host=/run/postgresql``
  reaches a local Unix socket.

A password in the URL is a secret: it is registered for redaction and never shown (``***``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cloudaudit.errors import MissingDependencyError, UsageError
from cloudaudit.logs import register_secret
from cloudaudit.terminal import printable

DEFAULT = "default"
DEFAULT_FILE = "runs.db"
STORE_ENV = "CLOUDAUDIT_STORE"
STORE_EXTRA = "pip install 'cloudaudit[store]'"
POSTGRES_EXTRA = "pip install 'cloudaudit[postgres]'"
_POSTGRES_SCHEMES = {"postgresql", "postgres", "postgresql+psycopg"}


@dataclass(frozen=True, slots=True)
class StoreLocation:
    """A store's address: the URL SQLAlchemy opens (never shown) and how messages name it."""

    url: str
    shown: str
    sqlite_path: Path | None = None
    """The SQLite file, for an SQLite store."""
    secrets: tuple[str, ...] = ()
    """The passwords in the URL: masked in every message about the store."""


def default_path() -> Path:
    """``runs.db`` in the user's data directory."""
    try:
        from platformdirs import user_data_path
    except ImportError:  # platformdirs is in the store extra; without it, the XDG default
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
        return base / "cloudaudit" / DEFAULT_FILE
    return user_data_path("cloudaudit", appauthor=False) / DEFAULT_FILE


def parse_store(text: str) -> StoreLocation:
    """Read ``--store``; a malformed or unsupported URL is a usage error (exit 2), before any audit."""
    value = text.strip()
    if not value:
        raise UsageError("--store is empty: give sqlite:///PATH, postgresql://... or 'default'")
    try:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError
    except ImportError as exc:
        raise MissingDependencyError(f"the run store needs SQLAlchemy and Alembic: {STORE_EXTRA}") from exc
    if value == DEFAULT:
        path = default_path()
        return StoreLocation(f"sqlite:///{path}", printable(path, limit=300), path)
    try:
        url = make_url(value)
    except ArgumentError:
        raise UsageError(
            "--store: not a store URL (give sqlite:///PATH, postgresql://USER@HOST/DATABASE or 'default')"
        ) from None
    found = [url.password, *(url.query.get(k) for k in ("password", "sslpassword"))]
    secrets = tuple(s for s in found if isinstance(s, str) and s)
    for secret in secrets:
        register_secret(secret)
    if url.drivername == "sqlite":
        if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
            raise UsageError("--store: an SQLite store needs a file: sqlite:///PATH (e.g. sqlite:///runs.db)")
        path = Path(url.database)
        return StoreLocation(f"sqlite:///{path}", printable(path, limit=300), path)
    if url.drivername in _POSTGRES_SCHEMES:
        try:
            import psycopg  # noqa: F401
        except ImportError as exc:
            raise MissingDependencyError(f"a PostgreSQL store needs psycopg 3: {POSTGRES_EXTRA}") from exc
        url = url.set(drivername="postgresql+psycopg")
        return StoreLocation(
            url.render_as_string(hide_password=False),
            printable(_hidden(url.render_as_string(hide_password=True)), limit=300),
            secrets=secrets,
        )
    raise UsageError(
        f"--store: unsupported store {printable(url.drivername, limit=40)!r}: "
        "use sqlite:///PATH, postgresql://... (psycopg 3) or 'default'"
    )


def _hidden(shown: str) -> str:
    """The URL as shown, with query-string passwords hidden too."""
    from sqlalchemy.engine import make_url

    url = make_url(shown)
    query = {k: ("***" if k in ("password", "sslpassword") else v) for k, v in url.query.items()}
    return url.set(query=query).render_as_string(hide_password=True)
