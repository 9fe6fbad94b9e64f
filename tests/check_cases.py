"""The pass/fail fixture shape of a provider's check tables, and discovery of per-service tables.

A provider keeps one table per service in ``tests/providers/<p>/<p>_cases_<service>.py`` exporting
``CASES: dict[str, CheckCase]`` (check id -> the exact verdicts on one inventory) and, optionally,
``UNCHECKED: list[Asset]`` (one asset of each kind no check reads, for the contract tests).
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from cloudaudit.engine.registry import REGISTRY
from cloudaudit.engine.runner import evaluate
from cloudaudit.model.asset import Asset
from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import Finding
from cloudaudit.model.inventory import Inventory, ScanScope

STARTED = datetime(2026, 1, 1, tzinfo=UTC)


def inventory_of(provider: str, default_account: str, default_region: str, *assets: Asset) -> Inventory:
    """An inventory of ``assets`` with a fixed scan scope of ``provider``."""
    accounts = tuple(dict.fromkeys(a.account for a in assets)) or (default_account,)
    regions = tuple(dict.fromkeys(a.region for a in assets)) or (default_region,)
    scope = ScanScope(
        provider=provider, accounts=accounts, regions=regions, started=STARTED, finished=STARTED
    )
    return Inventory(scope=scope, assets=assets)


@dataclass(frozen=True)
class CheckCase:
    """The exact verdicts one check must give on one inventory."""

    inventory: Inventory
    failing: Mapping[str, Severity]
    """Resource id -> severity of its FAIL finding."""
    passing: frozenset[str]
    unknown: frozenset[str] = frozenset()
    silent: frozenset[str] = frozenset()
    """Resources of the check's kind on which the check must say nothing."""
    messages: Mapping[str, str] = field(default_factory=dict)
    """Resource id -> text its finding's message must contain."""


def check_case(
    inventory: Inventory,
    *,
    failing: Mapping[str, Severity],
    passing: Iterable[str],
    unknown: Iterable[str] = (),
    silent: Iterable[str] = (),
    messages: Mapping[str, str] | None = None,
) -> CheckCase:
    """A :class:`CheckCase` from an inventory and the expected verdicts."""
    return CheckCase(
        inventory=inventory,
        failing=dict(failing),
        passing=frozenset(passing),
        unknown=frozenset(unknown),
        silent=frozenset(silent),
        messages=dict(messages or {}),
    )


def _service_modules(directory: Path, prefix: str) -> list[ModuleType]:
    return [importlib.import_module(p.stem) for p in sorted(directory.glob(f"{prefix}_cases_*.py"))]


def service_cases(directory: Path, prefix: str) -> dict[str, CheckCase]:
    """The CASES of every ``<prefix>_cases_<service>`` module (a check id may appear only once)."""
    merged: dict[str, CheckCase] = {}
    for module in _service_modules(directory, prefix):
        cases: dict[str, CheckCase] = module.CASES
        assert not set(cases) & set(merged), f"{module.__name__} repeats a check id"
        merged.update(cases)
    return merged


def unchecked_assets(directory: Path, prefix: str) -> list[Asset]:
    """The UNCHECKED samples of every ``<prefix>_cases_<service>`` module."""
    return [a for module in _service_modules(directory, prefix) for a in getattr(module, "UNCHECKED", ())]


# ------------------------------------------------------- what every provider's table test asserts


def findings_of(check_id: str, inventory: Inventory) -> list[Finding]:
    """Findings of one registered check on an inventory."""
    spec = REGISTRY.get(check_id)
    assert spec is not None, check_id
    return list(evaluate(inventory, [spec]))


def assert_every_check_has_a_case(provider: str, cases: Mapping[str, CheckCase]) -> None:
    """The provider's registered checks are exactly the checks of its tables."""
    registered = {spec.id for spec in REGISTRY if spec.provider == provider}
    assert registered
    assert registered == set(cases)


def assert_case_consistent(check_id: str, case: CheckCase) -> None:
    """Every resource of the check's kind has exactly one expectation; both verdicts are covered."""
    spec = REGISTRY.get(check_id)
    assert spec is not None
    groups = [set(case.failing), set(case.passing), set(case.unknown), set(case.silent)]
    listed = [rid for group in groups for rid in group]
    assert len(listed) == len(set(listed)), "a resource is in two expectation sets"
    assert set(listed) == {a.id for a in case.inventory.of(spec.asset)}
    assert case.failing and case.passing


def assert_verdicts(check_id: str, case: CheckCase) -> None:
    """The check gives exactly the table's verdicts, severities and message fragments."""
    findings = findings_of(check_id, case.inventory)
    by_status: dict[Status, set[str]] = defaultdict(set)
    for f in findings:
        by_status[f.status].add(f.resource_id)
    ids = [f.resource_id for f in findings]
    assert len(ids) == len(set(ids)), "a resource got more than one finding"
    assert not by_status[Status.ERROR], [f.message for f in findings if f.status is Status.ERROR]
    assert by_status[Status.FAIL] == set(case.failing)
    assert by_status[Status.PASS] == case.passing
    assert by_status[Status.UNKNOWN] == case.unknown
    assert not set(ids) & case.silent
    assert {f.resource_id: f.severity for f in findings if f.status is Status.FAIL} == dict(case.failing)
    messages = {f.resource_id: f.message for f in findings}
    for rid, text in case.messages.items():
        assert text in messages[rid], (rid, messages[rid])


def assert_declared(provider: str, check_id: str) -> None:
    """A ``provider.service.what`` id, a remediation and at least one framework control."""
    spec = REGISTRY.get(check_id)
    assert spec is not None
    assert spec.id.startswith(f"{provider}.") and len(spec.id.split(".")) == 3
    assert spec.remediation.strip()
    assert spec.compliance, f"{check_id} maps to no framework control"
