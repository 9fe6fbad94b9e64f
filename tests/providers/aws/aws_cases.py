"""The pass/fail fixture shape shared by every AWS check table, and discovery of per-service tables.

The S3 and EC2 tables live in test_checks_aws.py. Every other service keeps its own table
in a module ``tests/providers/aws/aws_cases_<service>.py`` exporting:

- ``CASES: dict[str, CheckCase]``: check id -> the exact verdicts on one inventory;
- ``FAILING_ASSETS: dict[type[Asset], Callable[[], Asset]]``: per asset kind of the service, a
  resource that every check of that kind fails (used by the UNKNOWN/ERROR meta-tests).

Both are merged into the shared tables, so the meta-tests (every registered check has a case,
every required attribute can be made unread) cover new services without editing shared files.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from aws_builders import inventory
from cloudaudit.model.asset import Asset
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory

HERE = Path(__file__).resolve().parent


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
    return [importlib.import_module(p.stem) for p in sorted(HERE.glob("aws_cases_*.py"))]


def service_cases() -> dict[str, CheckCase]:
    """The CASES of every ``aws_cases_<service>`` module (a check id may appear only once)."""
    merged: dict[str, CheckCase] = {}
    for module in _service_modules():
        cases: dict[str, CheckCase] = module.CASES
        assert not set(cases) & set(merged), f"{module.__name__} repeats a check id"
        merged.update(cases)
    return merged


def service_failing_assets() -> dict[type[Asset], Callable[[], Asset]]:
    """The FAILING_ASSETS of every ``aws_cases_<service>`` module."""
    merged: dict[type[Asset], Callable[[], Asset]] = {}
    for module in _service_modules():
        merged.update(module.FAILING_ASSETS)
    return merged
