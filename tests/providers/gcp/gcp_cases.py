"""The pass/fail fixture shape of every GCP check table, and discovery of per-service tables.

Each service keeps its table in ``tests/providers/gcp/gcp_cases_<service>.py`` exporting
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
from typing import Any

from cloudaudit.model.asset import Asset
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory, ScanScope

HERE = Path(__file__).resolve().parent
PROJECT = "audit-project"
REGION = "us-central1"
STARTED = datetime(2026, 1, 1, tzinfo=UTC)
COMMON: dict[str, Any] = {"provider": "gcp", "account": PROJECT}


def inventory(*assets: Asset) -> Inventory:
    """An inventory of ``assets`` with a fixed GCP scan scope."""
    accounts = tuple(dict.fromkeys(a.account for a in assets)) or (PROJECT,)
    regions = tuple(dict.fromkeys(a.region for a in assets)) or (REGION,)
    scope = ScanScope(provider="gcp", accounts=accounts, regions=regions, started=STARTED, finished=STARTED)
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


def case(
    *assets: Asset,
    failing: Mapping[str, Severity],
    passing: Iterable[str],
    unknown: Iterable[str] = (),
    silent: Iterable[str] = (),
    messages: Mapping[str, str] | None = None,
) -> CheckCase:
    """A :class:`CheckCase` from the assets and the expected verdicts."""
    return CheckCase(
        inventory=inventory(*assets),
        failing=dict(failing),
        passing=frozenset(passing),
        unknown=frozenset(unknown),
        silent=frozenset(silent),
        messages=dict(messages or {}),
    )


def _service_modules() -> list[ModuleType]:
    return [importlib.import_module(p.stem) for p in sorted(HERE.glob("gcp_cases_*.py"))]


def service_cases() -> dict[str, CheckCase]:
    """The CASES of every ``gcp_cases_<service>`` module (a check id may appear only once)."""
    merged: dict[str, CheckCase] = {}
    for module in _service_modules():
        cases: dict[str, CheckCase] = module.CASES
        assert not set(cases) & set(merged), f"{module.__name__} repeats a check id"
        merged.update(cases)
    return merged


def unchecked_assets() -> list[Asset]:
    """The UNCHECKED samples of every ``gcp_cases_<service>`` module."""
    return [a for module in _service_modules() for a in getattr(module, "UNCHECKED", ())]
