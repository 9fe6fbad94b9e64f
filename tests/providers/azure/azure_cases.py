"""Azure's check tables: each service's in ``azure_cases_<service>.py`` (see tests/check_cases.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from check_cases import CheckCase, check_case, inventory_of, service_cases, unchecked_assets
from cloudaudit.model.asset import Asset
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory

HERE = Path(__file__).resolve().parent
SUBSCRIPTION = "00000000-0000-0000-0000-0000000000a1"
GROUP = "rg-audit"
REGION = "eastus"
COMMON: dict[str, Any] = {"provider": "azure", "account": SUBSCRIPTION}

__all__ = ["COMMON", "GROUP", "REGION", "SUBSCRIPTION", "CheckCase", "azure_cases", "case", "inventory"]


def inventory(*assets: Asset) -> Inventory:
    """An inventory of ``assets`` with a fixed Azure scan scope."""
    return inventory_of("azure", SUBSCRIPTION, REGION, *assets)


def case(
    *assets: Asset,
    failing: Mapping[str, Severity],
    passing: Iterable[str],
    unknown: Iterable[str] = (),
    silent: Iterable[str] = (),
    messages: Mapping[str, str] | None = None,
) -> CheckCase:
    """A :class:`CheckCase` of ``assets`` and the expected verdicts."""
    return check_case(
        inventory(*assets),
        failing=failing,
        passing=passing,
        unknown=unknown,
        silent=silent,
        messages=messages,
    )


def azure_cases() -> dict[str, CheckCase]:
    """Every ``azure_cases_<service>`` table."""
    return service_cases(HERE, "azure")


def azure_unchecked() -> list[Asset]:
    """Every ``azure_cases_<service>`` module's UNCHECKED samples."""
    return unchecked_assets(HERE, "azure")
