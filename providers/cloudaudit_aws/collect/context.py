"""What every service collector receives, and how a service declares itself."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass

from cloudaudit.collect.engine import ServiceSpec
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
class ServiceCollector(ServiceSpec[CollectContext]):
    """One AWS service: the core's service spec plus the read-only IAM actions it needs."""

    permissions: tuple[str, ...] = ()
