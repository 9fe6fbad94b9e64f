"""The Azure provider's fixtures for the plugin contract tests (tests/contract/plugin_contract.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from azure_cases import CheckCase, azure_cases, azure_unchecked
from cloudaudit.model.asset import Asset
from cloudaudit_azure.collect.services import required_actions

SHIPPED_PERMISSIONS = Path(__file__).resolve().parents[3] / "deploy" / "azure-audit-role.json"
CLI_NAMES = ("az",)
"""The command-line tools its remediation commands start with."""


def check_cases() -> Mapping[str, CheckCase]:
    """The pass/fail tables of every Azure check (azure_cases_<service>.py)."""
    return azure_cases()


def sample_assets() -> list[Asset]:
    """Every asset of every check table and one of each kind no check reads."""
    seen: dict[str, Asset] = {}
    for case in azure_cases().values():
        seen.update((a.id, a) for a in case.inventory.assets)
    seen.update((a.id, a) for a in azure_unchecked())
    return list(seen.values())


def collector_calls() -> list[str]:
    """The RBAC action of every call the collectors declare."""
    return required_actions()


def permission_names(document: Mapping[str, Any]) -> Iterable[str]:
    """The actions a custom role definition grants."""
    return list(document["Actions"])
