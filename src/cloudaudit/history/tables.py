"""The store's tables (SQLAlchemy 2 declarative models). The migrations in ``migrations/versions``
create exactly these; a test keeps them equal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

VERSION_TABLE = "cloudaudit_alembic_version"
"""Alembic's version table, named for cloudaudit: the store may share a database with other tools."""

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The store's models."""

    metadata = MetaData(naming_convention=NAMING)


class RunRow(Base):
    """One recorded run."""

    __tablename__ = "cloudaudit_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope_key: Mapped[str] = mapped_column(String(64), index=True)
    providers: Mapped[list[str]] = mapped_column(JSON)
    accounts: Mapped[list[str]] = mapped_column(JSON)
    regions_asked: Mapped[list[str]] = mapped_column(JSON)
    """``--regions`` as given (sorted), empty for all regions: part of the scope."""
    regions: Mapped[list[str]] = mapped_column(JSON)
    """The regions audited."""
    started: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    finished: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    tool_version: Mapped[str] = mapped_column(String(64))
    checks: Mapped[list[str]] = mapped_column(JSON)
    check_filter: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    exposure_sources: Mapped[list[str]] = mapped_column(JSON)
    incomplete: Mapped[bool] = mapped_column(Boolean)
    interrupted: Mapped[bool] = mapped_column(Boolean)
    findings_total: Mapped[int] = mapped_column(Integer)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    coverage: Mapped[list[dict[str, str]]] = mapped_column(JSON)


class FindingRow(Base):
    """One finding of a recorded run (the fields a diff needs; findings.json keeps the rest)."""

    __tablename__ = "cloudaudit_findings"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("cloudaudit_runs.id", ondelete="CASCADE"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    check_id: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(64))
    account: Mapped[str] = mapped_column(Text)
    region: Mapped[str] = mapped_column(Text)
    resource_id: Mapped[str] = mapped_column(Text)
    resource_name: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(16))
    exposure: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)
