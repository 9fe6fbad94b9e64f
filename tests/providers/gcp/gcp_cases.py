"""GCP's check tables: each service's in ``gcp_cases_<service>.py`` (see tests/check_cases.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import check_cases
from check_cases import CheckCase, check_case, inventory_of
from cloudaudit.model.asset import Asset
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory

HERE = Path(__file__).resolve().parent
PROJECT = "audit-project"
REGION = "us-central1"
COMMON: dict[str, Any] = {"provider": "gcp", "account": PROJECT}

__all__ = [
    "COMMON",
    "PROJECT",
    "REGION",
    "CheckCase",
    "case",
    "inventory",
    "service_cases",
    "unchecked_assets",
]


def inventory(*assets: Asset) -> Inventory:
    """An inventory of ``assets`` with a fixed GCP scan scope."""
    return inventory_of("gcp", PROJECT, REGION, *assets)


def case(
    *assets: Asset,
    failing: Mapping[str, Severity],
    passing: Iterable[str],
    unknown: Iterable[str] = (),
    silent: Iterable[str] = (),
    messages: Mapping[str, str] | None = None,
) -> CheckCase:
    """A :class:`CheckCase` of ``assets`` and the expected verdicts."""
    expected = {"passing": passing, "unknown": unknown, "silent": silent, "messages": messages}
    return check_case(inventory(*assets), failing=failing, **expected)


def service_cases() -> dict[str, CheckCase]:
    """Every ``gcp_cases_<service>`` table."""
    return check_cases.service_cases(HERE, "gcp")


def unchecked_assets() -> list[Asset]:
    """Every ``gcp_cases_<service>`` module's UNCHECKED samples."""
    return check_cases.unchecked_assets(HERE, "gcp")
