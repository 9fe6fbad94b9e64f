"""``findings.asff.json``: findings in the AWS Security Finding Format (ASFF, schema 2018-10-08), a JSON
array ready for Security Hub's ``BatchImportFindings`` (at most 100 findings a call).

Every status is written, as Security Hub's own controls do, so a re-import updates each finding by its
stable ``Id``: FAIL is ``Compliance.Status`` FAILED (``Workflow`` NEW), PASS is PASSED (RESOLVED: a fixed
resource closes its finding), MUTED is FAILED with ``Workflow`` SUPPRESSED and the mute reason as the
``Note``, UNKNOWN and ERROR are NOT_AVAILABLE (NEW). ``RecordState`` is ACTIVE.

AWS resources get their ASFF type (``AwsS3Bucket``, ``AwsEc2SecurityGroup``...; a kind with no ASFF
type, such as an ElastiCache cluster, is ``Other``), their partition and region. GCP and Azure
resources are ``Other`` with ``Provider`` GCP or Azure and their kind, name and region under
``Details.Other``. Every string Security Hub bounds is cut to its limit (Title 256, Description
1024...) and kept on one line.

``ProductArn`` is the importing account's default product (``product/ACCOUNT/default``) in the
finding's region. ``AwsAccountId`` must be an AWS account (12 digits): a GCP or Azure finding gets the
account named by ``CLOUDAUDIT_ASFF_ACCOUNT`` (the Security Hub account that imports them), else the
report's AWS account when it has exactly one, else ``000000000000`` (a placeholder Security Hub
refuses: set the variable).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any

from cloudaudit.errors import UsageError
from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import Finding, FindingsDocument, RunInfo
from cloudaudit.remediation import steps_for
from cloudaudit.report.machine import (
    PRODUCT,
    aws_partition,
    finding_types,
    finding_uids,
    iso_ms,
    iter_json_array,
    one_line,
    requirements,
)
from cloudaudit.report.stream import Chunks, joined
from cloudaudit.terminal import printable

SCHEMA_VERSION = "2018-10-08"
NO_ACCOUNT = "000000000000"
"""``AwsAccountId`` of a non-AWS finding when the report names no single AWS account."""
ACCOUNT_VARIABLE = "CLOUDAUDIT_ASFF_ACCOUNT"
"""The AWS account GCP and Azure findings are filed under (the account whose Security Hub imports them)."""
DEFAULT_REGION = "us-east-1"

LABELS = {
    Severity.CRITICAL: "CRITICAL",
    Severity.HIGH: "HIGH",
    Severity.MEDIUM: "MEDIUM",
    Severity.LOW: "LOW",
    Severity.INFO: "INFORMATIONAL",
}
OUTCOMES = {
    Status.FAIL: ("FAILED", "NEW"),
    Status.PASS: ("PASSED", "RESOLVED"),
    Status.MUTED: ("FAILED", "SUPPRESSED"),
    Status.UNKNOWN: ("NOT_AVAILABLE", "NEW"),
    Status.ERROR: ("NOT_AVAILABLE", "NEW"),
}
"""Our status -> (``Compliance.Status``, ``Workflow.Status``)."""

RESOURCE_TYPES = {
    "aws.s3.bucket": "AwsS3Bucket",
    "aws.s3.account_settings": "AwsS3AccountPublicAccessBlock",
    "aws.ec2.security_group": "AwsEc2SecurityGroup",
    "aws.ec2.network_interface": "AwsEc2NetworkInterface",
    "aws.ec2.instance": "AwsEc2Instance",
    "aws.ec2.elastic_ip": "AwsEc2Eip",
    "aws.ec2.route_table": "AwsEc2RouteTable",
    "aws.ec2.subnet": "AwsEc2Subnet",
    "aws.apigateway.rest_api": "AwsApiGatewayRestApi",
    "aws.apigateway.stage": "AwsApiGatewayStage",
    "aws.apigatewayv2.api": "AwsApiGatewayV2Api",
    "aws.apigatewayv2.stage": "AwsApiGatewayV2Stage",
    "aws.opensearch.domain": "AwsOpenSearchServiceDomain",
    "aws.rds.db_instance": "AwsRdsDbInstance",
    "aws.rds.db_cluster": "AwsRdsDbCluster",
    "aws.redshift.cluster": "AwsRedshiftCluster",
}
"""Our AWS resource kinds -> ASFF resource types (the ``ResourceDetails`` members of the Security Hub
API); kinds not listed (API Gateway domain names, ElastiCache) are ``Other``."""

PROVIDERS = {"aws": "AWS", "gcp": "GCP", "azure": "Azure"}

_AWS_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
_ACCOUNT = re.compile(r"\d{12}")

TITLE, DESCRIPTION, TEXT, NOTE, ORIGINAL = 256, 1024, 512, 512, 64
ID, REGION, FIELD_KEY, FIELD_VALUE, OTHER_VALUE, REQUIREMENTS = 512, 16, 128, 2048, 1024, 32


def _resource_type(f: Finding) -> str:
    if f.resource_type == "aws.rds.snapshot":
        return "AwsRdsDbClusterSnapshot" if ":cluster-snapshot:" in f.resource_id else "AwsRdsDbSnapshot"
    return RESOURCE_TYPES.get(f.resource_type, "Other") if f.provider == "aws" else "Other"


def _fields(pairs: Iterable[tuple[str, str]], limit: int) -> dict[str, str]:
    """A string map Security Hub accepts: no empty value, keys and values within their limits."""
    return {key[:FIELD_KEY]: one_line(value, limit) for key, value in pairs if value.strip()}


def _resource(f: Finding) -> dict[str, Any]:
    rid = f.resource_id if f.resource_id.strip() else "-"
    resource: dict[str, Any] = {"Type": _resource_type(f), "Id": rid}
    if f.provider == "aws":
        resource["Partition"] = aws_partition(f.resource_id)
        if _AWS_REGION.fullmatch(f.region):
            resource["Region"] = f.region
    else:
        if f.provider in PROVIDERS:
            resource["Provider"] = PROVIDERS[f.provider]
        if f.provider == "azure":
            resource["Partition"] = "AzureCloud"
        if 0 < len(f.region) <= REGION and f.region.strip():
            resource["Region"] = f.region
    other = _fields(
        (
            ("Name", f.resource_name),
            ("Kind", f.resource_type),
            ("Provider", f.provider),
            ("Account", f.account),
            ("Region", f.region),
        ),
        OTHER_VALUE,
    )
    resource["Details"] = {"Other": other}
    return resource


def import_account() -> str | None:
    """``CLOUDAUDIT_ASFF_ACCOUNT``, if set; a UsageError when it is not a 12-digit AWS account id."""
    value = os.environ.get(ACCOUNT_VARIABLE, "").strip()
    if not value:
        return None
    if not _ACCOUNT.fullmatch(value):
        raise UsageError(
            f"{ACCOUNT_VARIABLE} must be a 12-digit AWS account id, not {printable(value, limit=40)}"
        )
    return value


class _Accounts:
    """Which AWS account and region a finding is filed under in Security Hub."""

    def __init__(self, doc: FindingsDocument) -> None:
        accounts = {f.account for f in doc.findings if f.provider == "aws" and _ACCOUNT.fullmatch(f.account)}
        self.home = import_account() or (accounts.pop() if len(accounts) == 1 else NO_ACCOUNT)
        self.region = next((r for r in doc.run.regions if _AWS_REGION.fullmatch(r)), DEFAULT_REGION)

    def account(self, f: Finding) -> str:
        if f.provider == "aws" and _ACCOUNT.fullmatch(f.account):
            return f.account
        return self.home

    def product_arn(self, f: Finding, account: str) -> str:
        region = f.region if f.provider == "aws" and _AWS_REGION.fullmatch(f.region) else self.region
        partition = aws_partition(f.resource_id) if f.provider == "aws" else "aws"
        return f"arn:{partition}:securityhub:{region}:{account}:product/{account}/default"


def asff_finding(f: Finding, uid: str, run: RunInfo, accounts: _Accounts) -> dict[str, Any]:
    """One finding as an ASFF finding (a JSON-ready dict)."""
    account = accounts.account(f)
    compliance_status, workflow = OUTCOMES[f.status]
    updated = iso_ms(run.finished)
    compliance: dict[str, Any] = {"Status": compliance_status}
    if related := requirements(f)[:REQUIREMENTS]:
        compliance["RelatedRequirements"] = [one_line(r, TITLE) for r in related]
    finding: dict[str, Any] = {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": uid[:ID],
        "ProductArn": accounts.product_arn(f, account),
        "ProductName": PRODUCT,
        "CompanyName": PRODUCT,
        "GeneratorId": one_line(f"{PRODUCT}/{f.check_id}", ID),
        "AwsAccountId": account,
        "Types": finding_types(f),
        "CreatedAt": updated,
        "UpdatedAt": updated,
        "LastObservedAt": updated,
        "Severity": {"Label": LABELS[f.severity], "Original": one_line(f.severity.value, ORIGINAL)},
        "Title": one_line(f.title or f.check_id, TITLE),
        "Description": one_line(f.message or f.title or f.check_id, DESCRIPTION),
        "ProductFields": _fields(
            (
                ("ProviderName", PRODUCT),
                ("ProviderVersion", run.tool_version),
                (f"{PRODUCT}/CheckId", f.check_id),
                (f"{PRODUCT}/Status", f.status.value),
                (f"{PRODUCT}/Provider", f.provider),
                (f"{PRODUCT}/Account", f.account),
                (f"{PRODUCT}/Service", f.service),
                (f"{PRODUCT}/Exposure", f.exposure.level.value),
            ),
            FIELD_VALUE,
        ),
        "Resources": [_resource(f)],
        "Compliance": compliance,
        "Workflow": {"Status": workflow},
        "RecordState": "ACTIVE",
    }
    if f.remediation.strip():
        finding["Remediation"] = {"Recommendation": {"Text": one_line(f.remediation, TEXT)}}
        steps = steps_for(f.check_id)
        if steps is not None and steps.docs:
            finding["Remediation"]["Recommendation"]["Url"] = steps.docs[0]
    if f.status is Status.MUTED:
        reason = f.muted_reason.strip() or "muted by the mutelist"
        finding["Note"] = {
            "Text": one_line(f"Muted: {reason}", NOTE),
            "UpdatedBy": f"{PRODUCT} mutelist",
            "UpdatedAt": updated,
        }
    return finding


def iter_asff(doc: FindingsDocument) -> Chunks:
    """Every finding of ``doc`` in ASFF: a JSON array, one finding at a time."""
    accounts = _Accounts(doc)
    uids = finding_uids(doc.findings)
    yield from iter_json_array(
        asff_finding(f, uid, doc.run, accounts) for f, uid in zip(doc.findings, uids, strict=True)
    )


def render_asff(doc: FindingsDocument) -> str:
    """``findings.asff.json`` text."""
    return joined(iter_asff(doc))
