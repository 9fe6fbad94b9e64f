"""The audit is read-only, and the shipped IAM policy covers exactly what it calls."""

from __future__ import annotations

import json
from pathlib import Path

from cloudaudit_aws.collect.services import required_permissions

POLICY = Path(__file__).resolve().parents[1] / "deploy" / "iam-readonly-policy.json"
READ_PREFIXES = ("Get", "List", "Describe")
HTTP_VERB_READS = {"apigateway:GET"}
"""API Gateway's IAM actions are HTTP verbs; GET is its only read."""


def test_every_permission_is_read_only() -> None:
    actions = required_permissions()
    assert len(actions) >= 20
    writes = [
        a for a in actions if not a.split(":", 1)[1].startswith(READ_PREFIXES) and a not in HTTP_VERB_READS
    ]
    assert writes == []


def test_deploy_policy_matches_the_collectors() -> None:
    doc = json.loads(POLICY.read_text())
    (statement,) = doc["Statement"]
    assert statement["Effect"] == "Allow"
    assert sorted(statement["Action"]) == required_permissions()
