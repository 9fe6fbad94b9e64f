"""Every AWS service the provider collects. Adding a service: one module, one line here."""

from __future__ import annotations

from typing import Any

from cloudaudit_aws.collect import apigateway, apigatewayv2, ec2, elasticache, opensearch, rds, redshift, s3
from cloudaudit_aws.collect.context import ServiceCollector

COLLECTORS: tuple[ServiceCollector, ...] = (
    s3.COLLECTOR,
    ec2.COLLECTOR,
    rds.COLLECTOR,
    opensearch.COLLECTOR,
    elasticache.COLLECTOR,
    redshift.COLLECTOR,
    apigatewayv2.COLLECTOR,
    apigateway.COLLECTOR,
)

SESSION_PERMISSIONS = ("sts:GetCallerIdentity", "ec2:DescribeRegions")


def required_permissions() -> list[str]:
    """Sorted IAM actions used by the collection (all read-only)."""
    return sorted({*SESSION_PERMISSIONS, *(p for c in COLLECTORS for p in c.permissions)})


def readonly_policy() -> dict[str, Any]:
    """The IAM policy document the audit needs (``cloudaudit permissions --provider aws``)."""
    statement = {
        "Sid": "CloudauditReadOnly",
        "Effect": "Allow",
        "Action": required_permissions(),
        "Resource": "*",
    }
    return {"Version": "2012-10-17", "Statement": [statement]}
