"""What every GCP service collector receives, and how a service declares itself."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass

from cloudaudit.collect.engine import ServiceSpec
from cloudaudit.plugins import Progress
from cloudaudit_gcp.collect.guard import Guard
from cloudaudit_gcp.collect.session import GcpSession


@dataclass(frozen=True)
class CollectContext:
    """Shared state of one project's collection."""

    gcp: GcpSession
    guard: Guard
    regions: tuple[str, ...] | None
    """Regions to keep regional resources of; None: every region."""
    detail_pool: Executor
    """Bounded pool for per-resource detail calls (never the pool running the units)."""
    progress: Progress

    @property
    def project(self) -> str:
        """The audited project id."""
        return self.gcp.project

    def wanted(self, region: str) -> bool:
        """True when a regional resource of ``region`` is in scope (``global`` always is)."""
        return self.regions is None or region in ("", "global") or region in self.regions


@dataclass(frozen=True)
class ServiceCollector(ServiceSpec[CollectContext]):
    """One GCP service: the core's service spec plus the IAM permissions its calls need."""

    permissions: tuple[str, ...] = ()
    api: str = ""
    """The API to enable for it (``sqladmin.googleapis.com``), named in messages."""
