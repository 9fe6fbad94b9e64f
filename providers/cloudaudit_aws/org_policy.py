"""The policy of the identity that lists an organization's accounts and assumes the audit role in each
(``cloudaudit permissions --provider aws --organization``; deploy/aws-org-caller-policy.json). Pure."""

from __future__ import annotations

from typing import Any

from cloudaudit_aws.scope import DEFAULT_ROLE_NAME

ORGANIZATION_ACTIONS = (
    "organizations:DescribeOrganization",
    "organizations:ListAccounts",
    "organizations:ListAccountsForParent",
    "organizations:ListOrganizationalUnitsForParent",
)
"""Every Organizations call ``--organization`` makes (read-only)."""


def caller_policy(role_name: str = DEFAULT_ROLE_NAME) -> dict[str, Any]:
    """Read the organization; assume ``role_name`` (the audit role) in any account."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CloudauditListOrganization",
                "Effect": "Allow",
                "Action": list(ORGANIZATION_ACTIONS),
                "Resource": "*",
            },
            {
                "Sid": "CloudauditAssumeAuditRole",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": f"arn:aws:iam::*:role/{role_name}",
            },
        ],
    }
