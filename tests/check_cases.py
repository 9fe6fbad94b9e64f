"""The pass/fail fixture shape of a provider's check tables, and discovery of per-service tables.

A provider keeps one table per service in ``tests/providers/<p>/<p>_cases_<service>.py`` exporting
``CASES: dict[str, CheckCase]`` (check id -> the exact verdicts on one inventory) and, optionally,
``UNCHECKED: list[Asset]`` (one asset of each kind no check reads, for the contract tests).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from cloudaudit.model.asset import Asset
from cloudaudit.model.enums import Severity
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
