"""The GCP provider's fixtures for the plugin contract tests (tests/contract/plugin_contract.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cloudaudit.model.asset import Asset
from cloudaudit_gcp.collect.services import required_permissions
from gcp_cases import CheckCase, service_cases, unchecked_assets
from gcp_samples_compute import compute_samples

SHIPPED_PERMISSIONS = Path(__file__).resolve().parents[3] / "deploy" / "gcp-audit-role.yaml"
CLI_NAMES = ("gcloud",)
"""The command-line tools its remediation commands start with."""


def check_cases() -> Mapping[str, CheckCase]:
    """The pass/fail tables of every GCP check (gcp_cases_<service>.py)."""
    return service_cases()


def sample_assets() -> list[Asset]:
    """Every asset of every check table, one of each kind no check reads, and the collected sample's
    Compute Engine assets."""
    seen: dict[str, Asset] = {}
    for case in service_cases().values():
        seen.update((a.id, a) for a in case.inventory.assets)
    seen.update((a.id, a) for a in unchecked_assets())
    seen.update((a.id, a) for a in compute_samples() if a.id not in seen)
    return list(seen.values())


def collector_calls() -> list[str]:
    """The IAM permission of every call the collectors declare."""
    return required_permissions()


def permission_names(document: Mapping[str, Any]) -> Iterable[str]:
    """The permissions a custom role grants."""
    return list(document["includedPermissions"])
