"""A test-only provider plugin: no SDK, no cloud, registered through a dist-info in a test's tmp dir.

It exercises the core's seams the way a real provider does: scope options resolving to targets,
the collection engine with its own error classifier, secret patterns, ids compared
case-insensitively, a demo (with its own exposure snapshot and, with ``--probe``, a local Redis
mapped onto its public box). Project names steer it: ``throttled-*`` answers with a throttling error,
``crash-*`` has a collector bug, ``dup-*`` is the same account as the project without the prefix,
``denied-*`` denies the audit's identity (the whole project is unavailable),
``public-*`` has its box answering on :data:`PUBLIC_BOX` port 6379.
"""

from __future__ import annotations

import importlib
import json
import logging
import re
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cloudaudit.collect import engine, executor
from cloudaudit.collect.errors import TargetUnavailable
from cloudaudit.collect.guard import Failed, Guard
from cloudaudit.collect.units import Survey
from cloudaudit.errors import UsageError
from cloudaudit.exposure.demo_services import demo_services
from cloudaudit.exposure.sources import ConnectTo, ExposureOptions, SourceSpec
from cloudaudit.logs import Redaction, SecretRules
from cloudaudit.model.asset import Asset, Endpoint
from cloudaudit.model.inventory import GapKind, Inventory
from cloudaudit.plugins import CollectOptions, DemoAccount, Progress, Scope, ScopeOption, Target

log = logging.getLogger("fake_provider")

PROJECT = ScopeOption("project", help="Fake project to audit.", envvar="FAKE_PROJECT", metavar="PROJECT")
TOKEN_RE = re.compile(r"\b(fake-token-)[0-9a-f]+")
PUBLIC_BOX = "192.0.2.44"
"""Where a ``public-*`` project's box answers (a documentation address: probed only when mapped)."""
SNAPSHOT_HOST = {
    "ip_str": PUBLIC_BOX,
    "hostnames": [],
    "ports": [6379],
    "data": [
        {
            "ip_str": PUBLIC_BOX,
            "port": 6379,
            "transport": "tcp",
            "product": "Redis key-value store",
            "timestamp": "2026-01-01T00:00:00.000000",
            "data": "redis_version:7.0.0",
        }
    ],
}


class FakeApiError(Exception):
    """What the fake SDK raises: a code."""

    def __init__(self, code: str) -> None:
        super().__init__(f"{code}: the fake API refused")
        self.code = code


class FakeErrors:
    """The fake provider's error classifier."""

    provider = "fake"
    sdk_errors: tuple[type[Exception], ...] = (FakeApiError,)

    def classify(self, exc: Exception) -> GapKind:
        code = exc.code if isinstance(exc, FakeApiError) else ""
        return {"RateLimited": GapKind.THROTTLED, "PermissionDenied": GapKind.DENIED}.get(code, GapKind.ERROR)

    def describe(self, exc: Exception) -> tuple[str, str]:
        return (exc.code if isinstance(exc, FakeApiError) else type(exc).__name__), str(exc)

    def status(self, exc: Exception) -> int:
        return 403 if isinstance(exc, FakeApiError) and exc.code == "PermissionDenied" else 0


def list_boxes(project: str) -> dict[str, Any]:
    """The fake SDK's one call."""
    if project.startswith("throttled-"):
        raise FakeApiError("RateLimited")
    return {"boxes": [f"box-{project}"]}


@contextmanager
def _sample(probe: bool) -> Iterator[DemoAccount]:
    """The ``public-demo`` project, its snapshot and, with ``probe``, a local Redis mapped onto its box."""
    with tempfile.TemporaryDirectory(prefix="fake-demo-") as tmp, ExitStack() as stack:
        snapshot = Path(tmp) / "fake-snapshot.json"
        snapshot.write_text(json.dumps(SNAPSHOT_HOST))
        exposure = ExposureOptions(sources=(SourceSpec("file", str(snapshot)),))
        if probe:
            services = stack.enter_context(demo_services())
            mapping = ConnectTo(PUBLIC_BOX, 6379, services.host, services.redis_port)
            exposure = replace(exposure, probe=True, probe_only_mapped=True, connect_to=(mapping,))
        target = Target("project", "public-demo")
        yield DemoAccount(options=CollectOptions(target=target), exposure=exposure)


class FakePlugin:
    """The plugin object of the ``fake`` entry point."""

    name = "fake"
    install_hint = "pip install fake"
    scope_options = (PROJECT,)
    secrets = SecretRules(env_vars=("FAKE_SECRET",), patterns=(Redaction(TOKEN_RE, r"\1****"),))
    case_insensitive_ids = True
    account_noun = "account"
    steps_file = Path(__file__).parent / "data" / "fake_remediation.yaml"
    sdk_loggers = ()

    def check_scope(self, scope: Scope) -> None:
        if not scope.get(PROJECT.name, ()):
            raise UsageError("no fake project: give --project or set FAKE_PROJECT")

    def targets(self, scope: Scope) -> list[Target]:
        self.check_scope(scope)
        return [Target("project", p) for p in scope.get(PROJECT.name, ())]

    def load(self) -> None:
        importlib.import_module("fake_provider_checks")

    def permissions(self) -> dict[str, Any]:
        return {"permissions": ["fake.boxes.list"]}

    def permission_names(self) -> list[str]:
        return ["fake.boxes.list"]

    def collect(self, options: CollectOptions, progress: Progress) -> Inventory:
        log.warning("using token fake-token-0123abcd for %s", options.target.id)
        return executor.collect(FakeUnits(), options, progress)

    def demo(self, probe: bool = False) -> AbstractContextManager[DemoAccount]:
        return _sample(probe)


@dataclass(frozen=True)
class FakeContext:
    """What the fake collector receives."""

    project: str
    guard: Guard


class FakeUnits:
    """The fake provider's collection as units, for the core's executors (local or Dask)."""

    provider = "fake"
    noun = "fake project"

    def specs(self) -> list[engine.ServiceSpec[FakeContext]]:
        return [engine.ServiceSpec[FakeContext]("store", regional=True, collect=collect_store)]

    def session(self, options: CollectOptions) -> str:
        return options.target.id or ""

    def survey(self, session: str, options: CollectOptions, stop: threading.Event) -> Survey:
        if session.startswith("denied-"):
            raise TargetUnavailable(
                f"project {session}: the fake API denied the audit's identity",
                code="PermissionDenied",
                operation="GetProject",
            )
        return Survey((session.removeprefix("dup-"),), ("r1",))

    def guard(self, account: str, stop: threading.Event) -> Guard:
        return Guard(account, FakeErrors(), stop)

    def context(
        self,
        session: str,
        account: str,
        guard: Guard,
        survey: Survey,
        options: CollectOptions,
        details: Executor,
        progress: Progress,
    ) -> FakeContext:
        return FakeContext(session, guard)

    def close(self, session: str) -> None:
        pass


def collect_store(ctx: FakeContext, region: str) -> list[Asset]:
    """The fake service's collector: one box per project (``crash-*``: a collector bug)."""
    from fake_provider_checks import Box

    project = ctx.project
    if project.startswith("crash-"):
        raise RuntimeError("collector bug")
    listed = ctx.guard.call(list_boxes, service="store", region=region, project=project)
    if isinstance(listed, Failed) or not isinstance(listed, dict):
        return []
    account = project.removeprefix("dup-")
    public = project.startswith("public-")
    endpoints = (Endpoint(host=PUBLIC_BOX, from_port=6379, to_port=6379, via="open box"),)
    return [
        Box(
            provider="fake",
            account=account,
            region=region,
            id=f"fake://{account}/{b}",
            name=b,
            endpoints=endpoints if public else (),
        )
        for b in listed["boxes"]
    ]


plugin = FakePlugin()
