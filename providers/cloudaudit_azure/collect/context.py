"""What every Azure service collector receives, and how a service declares itself."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass

from cloudaudit.collect.engine import ServiceSpec
from cloudaudit.plugins import Progress
from cloudaudit_azure.assets import normal_location
from cloudaudit_azure.collect.guard import Guard
from cloudaudit_azure.collect.session import AzureSession


@dataclass(frozen=True)
class CollectContext:
    """Shared state of one subscription's collection."""

    azure: AzureSession
    subscription: str
    guard: Guard
    regions: tuple[str, ...] | None
    """Locations to keep resources of (``eastus``); None: every location."""
    detail_pool: Executor
    """Bounded pool for per-resource detail calls (never the pool running the units)."""
    progress: Progress

    def wanted(self, location: str) -> bool:
        """True when a resource of ``location`` is in scope (``global`` and location-less always are)."""
        if self.regions is None or not location:
            return True
        where = normal_location(location)
        return where == "global" or where in {normal_location(r) for r in self.regions}


@dataclass(frozen=True)
class ServiceCollector(ServiceSpec[CollectContext]):
    """One Azure service: the core's service spec plus the ``*/read`` actions its calls need."""

    actions: tuple[str, ...] = ()
    """Azure RBAC actions (``Microsoft.Storage/storageAccounts/read``) of every call it makes."""
    namespace: str = ""
    """Its resource provider (``Microsoft.Storage``), named in messages."""
