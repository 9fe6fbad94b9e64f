"""What every service collector receives, and how a service declares itself."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

from cloudaudit.model.asset import Asset
from cloudaudit.plugins import Progress
from cloudaudit_aws.collect.guard import Guard
from cloudaudit_aws.collect.session import AwsSession


@dataclass(frozen=True)
class CollectContext:
    """Shared state of one account's collection."""

    aws: AwsSession
    guard: Guard
    regions: tuple[str, ...]
    detail_pool: Executor
    """Bounded pool for per-resource detail calls (never the pool running the units)."""
    progress: Progress


@dataclass(frozen=True)
class ServiceCollector:
    """One AWS service: how to collect it and the read-only IAM actions that needs."""

    service: str
    regional: bool
    """True: one unit per audited region; False: one global unit (region "global")."""
    collect: Callable[[CollectContext, str], list[Asset]]
    """``collect(context, region)`` -> assets; failures are recorded by ``context.guard``."""
    permissions: tuple[str, ...]
