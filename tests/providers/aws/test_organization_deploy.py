"""The deploy files of a whole-organization audit: the caller's policy and the member accounts' role
template, held equal to what the code calls and assumes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from cfnlint.api import lint_file

from cloudaudit.cli.app import main
from cloudaudit_aws.collect.services import required_permissions
from cloudaudit_aws.org_policy import ORGANIZATION_ACTIONS, caller_policy
from cloudaudit_aws.scope import DEFAULT_ROLE_NAME, SESSION_SECONDS

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
CALLER_POLICY = DEPLOY / "aws-org-caller-policy.json"
MEMBER_ROLE = DEPLOY / "aws-org-member-role.yaml"


def _role() -> dict[str, Any]:
    template: dict[str, Any] = yaml.safe_load(MEMBER_ROLE.read_text())
    role: dict[str, Any] = template["Resources"]["AuditRole"]["Properties"]
    return role


def test_caller_policy_file_is_the_one_the_code_documents() -> None:
    assert json.loads(CALLER_POLICY.read_text()) == caller_policy()
    listing, assume = caller_policy()["Statement"]
    assert listing["Action"] == list(ORGANIZATION_ACTIONS)
    assert all(a.split(":")[1].startswith(("List", "Describe")) for a in listing["Action"])
    assert (assume["Action"], assume["Resource"]) == (
        "sts:AssumeRole",
        f"arn:aws:iam::*:role/{DEFAULT_ROLE_NAME}",
    )


def test_permissions_organization_prints_the_caller_policy(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["permissions", "-p", "aws", "--organization"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(CALLER_POLICY.read_text())
    assert main(["permissions", "-p", "aws", "--organization", "-f", "text"]) == 0
    assert capsys.readouterr().out.split() == sorted([*ORGANIZATION_ACTIONS, "sts:AssumeRole"])


def test_member_role_grants_exactly_the_audit_policy() -> None:
    (policy,) = _role()["Policies"]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow" and statement["Resource"] == "*"
    assert statement["Action"] == required_permissions()


def test_member_role_defaults_match_the_command() -> None:
    template = yaml.safe_load(MEMBER_ROLE.read_text())
    assert template["Parameters"]["RoleName"]["Default"] == DEFAULT_ROLE_NAME
    assert _role()["MaxSessionDuration"] >= SESSION_SECONDS


def test_member_role_template_is_valid_cloudformation() -> None:
    assert [str(m) for m in lint_file(MEMBER_ROLE)] == []
