"""The AWS provider's fixtures for the plugin contract tests (tests/contract/plugin_contract.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from aws_builders import ACCOUNT, REGION, ec2_arn
from aws_cases import CheckCase
from cloudaudit.model.asset import Asset
from cloudaudit_aws.assets import ElasticIp, Route, RouteTable
from cloudaudit_aws.collect.services import required_permissions
from test_checks_aws import CASES

SHIPPED_PERMISSIONS = Path(__file__).resolve().parents[3] / "deploy" / "iam-readonly-policy.json"
CLI_NAMES = ("aws",)
"""The command-line tools its remediation commands start with."""


def _unchecked_kinds() -> list[Asset]:
    """Kinds no check reads directly (they feed reachability and the exposure stage)."""
    common: dict[str, Any] = {"provider": "aws", "account": ACCOUNT, "region": REGION}
    return [
        ElasticIp(
            **common,
            id=ec2_arn("elastic-ip", "eipalloc-1"),
            name="spare",
            public_ip="203.0.113.7",
            allocation_id="eipalloc-1",
        ),
        RouteTable(
            **common,
            id=ec2_arn("route-table", "rtb-1"),
            name="public",
            route_table_id="rtb-1",
            main=True,
            subnet_ids=("subnet-1",),
            routes=(Route(destination="0.0.0.0/0", target="igw-1"),),
        ),
    ]


def check_cases() -> Mapping[str, CheckCase]:
    """The pass/fail tables of every AWS check (test_checks_aws.py and aws_cases_<service>.py)."""
    return CASES


def sample_assets() -> list[Asset]:
    """Every asset of every check table, and one of each kind no check reads."""
    seen: dict[str, Asset] = {}
    for case in CASES.values():
        seen.update((a.id, a) for a in case.inventory.assets)
    return [*seen.values(), *_unchecked_kinds()]


def collector_calls() -> list[str]:
    """The IAM action of every call the collectors declare, and the session's own calls."""
    return required_permissions()


def permission_names(document: Mapping[str, Any]) -> Iterable[str]:
    """The actions an IAM policy document allows."""
    for statement in document["Statement"]:
        if statement["Effect"] == "Allow":
            yield from statement["Action"]
