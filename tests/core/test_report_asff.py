"""findings.asff.json: AWS Security Finding Format, valid against the schema written from AWS's
documentation (tests/data/asff-schema.json), itself checked against botocore's Security Hub model."""

from __future__ import annotations

import json
from typing import Any

import botocore.loaders
import pytest

from cloudaudit.errors import UsageError
from cloudaudit.model import Severity, Status
from cloudaudit.report.asff import ACCOUNT_VARIABLE, NO_ACCOUNT, RESOURCE_TYPES, render_asff
from cloudaudit.runflow import parse_formats
from format_cases import HOSTILE, asff_errors, asff_schema, golden_doc, hostile_doc
from test_report_html import make_doc, make_finding


def _findings(doc: Any) -> list[dict[str, Any]]:
    findings: list[dict[str, Any]] = json.loads(render_asff(doc))
    return findings


def _model() -> dict[str, Any]:
    shapes: dict[str, Any] = botocore.loaders.Loader().load_service_model("securityhub", "service-2")[
        "shapes"
    ]
    return shapes


def test_the_fixed_set_is_valid_asff() -> None:
    findings = _findings(golden_doc())
    assert len(findings) == len(golden_doc().findings)
    assert asff_errors(findings) == []


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda f: f.pop("ProductArn"), "'ProductArn' is a required property"),
        (lambda f: f.update(AwsAccountId="demo-project"), "does not match"),
        (lambda f: f["Severity"].update(Label="SEVERE"), "is not one of"),
        (lambda f: f.update(Title="x" * 257), "is too long"),
        (lambda f: f.update(Description="two\nlines"), "does not match"),
        (lambda f: f.update(Types=["Cloud/Posture"]), "does not match"),
        (lambda f: f["Compliance"].update(Status="MUTED"), "is not one of"),
        (lambda f: f["Resources"][0].update(Region="a-very-long-region-name"), "is too long"),
        (lambda f: f.update(Resources=[]), "should be non-empty"),
        (lambda f: f.update(CreatedAt="yesterday"), "does not match"),
        (lambda f: f.update(Criticalty=5), "Additional properties"),
    ],
)
def test_the_schema_check_catches_a_broken_finding(change: Any, complaint: str) -> None:
    finding = _findings(golden_doc())[0]
    change(finding)
    assert any(complaint in error for error in asff_errors([finding]))


def test_the_bundled_schema_agrees_with_the_security_hub_api_model() -> None:
    shapes = _model()
    finding = asff_schema()["$defs"]["finding"]
    resource = asff_schema()["$defs"]["resource"]
    assert set(finding["properties"]) == set(shapes["AwsSecurityFinding"]["members"])
    assert set(shapes["AwsSecurityFinding"]["required"]) <= set(finding["required"])
    assert set(resource["properties"]) == set(shapes["Resource"]["members"])
    props = finding["properties"]
    enums = {
        "SeverityLabel": props["Severity"]["properties"]["Label"]["enum"],
        "ComplianceStatus": props["Compliance"]["properties"]["Status"]["enum"],
        "WorkflowStatus": props["Workflow"]["properties"]["Status"]["enum"],
        "RecordState": props["RecordState"]["enum"],
        "Partition": resource["properties"]["Partition"]["enum"],
        "CloudProviderName": resource["properties"]["Provider"]["enum"],
    }
    for shape, values in enums.items():
        assert sorted(values) == sorted(shapes[shape]["enum"]), shape


def test_aws_resources_are_typed_with_security_hub_resource_types() -> None:
    members = set(_model()["ResourceDetails"]["members"])
    assert set(RESOURCE_TYPES.values()) <= members
    types = {
        f["Resources"][0]["Details"]["Other"]["Kind"]: f["Resources"][0]["Type"]
        for f in _findings(golden_doc())
    }
    assert types["aws.s3.bucket"] == "AwsS3Bucket"
    assert types["aws.ec2.security_group"] == "AwsEc2SecurityGroup"
    assert types["aws.ec2.instance"] == "AwsEc2Instance"
    assert types["aws.apigateway.rest_api"] == "AwsApiGatewayRestApi"
    assert types["aws.apigatewayv2.api"] == "AwsApiGatewayV2Api"
    assert types["aws.rds.db_instance"] == "AwsRdsDbInstance"
    assert types["aws.rds.snapshot"] == "AwsRdsDbSnapshot"
    assert types["aws.redshift.cluster"] == "AwsRedshiftCluster"
    assert types["aws.opensearch.domain"] == "AwsOpenSearchServiceDomain"
    assert types["aws.s3.account_settings"] == "AwsS3AccountPublicAccessBlock"
    assert types["aws.elasticache.cache_cluster"] == "Other"  # Security Hub has no ElastiCache type
    for kind, asff_type in types.items():
        if not kind.startswith("aws."):
            assert asff_type == "Other", kind
    cluster = make_finding(
        resource_type="aws.rds.snapshot",
        resource_id="arn:aws:rds:us-east-1:111122223333:cluster-snapshot:rds:analytics-2026",
    )
    assert _findings(make_doc([cluster]))[0]["Resources"][0]["Type"] == "AwsRdsDbClusterSnapshot"


def test_gcp_and_azure_resources_are_other_with_their_provider() -> None:
    by_provider = {f["ProductFields"]["cloudaudit/Provider"]: f for f in _findings(golden_doc())}
    gcp, azure = by_provider["gcp"]["Resources"][0], by_provider["azure"]["Resources"][0]
    assert (gcp["Type"], gcp["Provider"], "Partition" in gcp) == ("Other", "GCP", False)
    assert (azure["Type"], azure["Provider"], azure["Partition"]) == ("Other", "Azure", "AzureCloud")
    assert by_provider["gcp"]["AwsAccountId"] == "123456789012"  # the report's only AWS account


def test_statuses_map_to_compliance_and_workflow() -> None:
    doc = make_doc(
        [
            make_finding(status=Status.FAIL, resource_id="a"),
            make_finding(status=Status.PASS, resource_id="b"),
            make_finding(status=Status.MUTED, resource_id="c", muted_reason="SEC-1"),
            make_finding(status=Status.UNKNOWN, resource_id="d"),
            make_finding(status=Status.ERROR, resource_id="e", severity=Severity.INFO),
        ]
    )
    findings = _findings(doc)
    assert [(f["Compliance"]["Status"], f["Workflow"]["Status"]) for f in findings] == [
        ("FAILED", "NEW"),
        ("PASSED", "RESOLVED"),
        ("FAILED", "SUPPRESSED"),
        ("NOT_AVAILABLE", "NEW"),
        ("NOT_AVAILABLE", "NEW"),
    ]
    assert findings[2]["Note"]["Text"] == "Muted: SEC-1"
    assert findings[4]["Severity"]["Label"] == "INFORMATIONAL"
    assert {f["RecordState"] for f in findings} == {"ACTIVE"}
    assert asff_errors(findings) == []


def test_findings_of_other_clouds_without_an_aws_account_get_the_placeholder() -> None:
    doc = make_doc([make_finding(provider="gcp", account="my-project", region="us-central1")], provider="gcp")
    (finding,) = _findings(doc)
    assert finding["AwsAccountId"] == NO_ACCOUNT
    assert finding["ProductArn"] == f"arn:aws:securityhub:us-east-1:{NO_ACCOUNT}:product/{NO_ACCOUNT}/default"
    assert asff_errors([finding]) == []


def test_findings_of_other_clouds_go_to_the_account_the_environment_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ACCOUNT_VARIABLE, "210987654321")
    doc = make_doc([make_finding(provider="azure", account="sub-1", region="westeurope")], provider="azure")
    (finding,) = _findings(doc)
    assert finding["AwsAccountId"] == "210987654321"
    assert finding["ProductArn"] == "arn:aws:securityhub:us-east-1:210987654321:product/210987654321/default"
    assert asff_errors([finding]) == []


@pytest.mark.parametrize("value", ["12345", "abcdefghijkl", "1234567890123", "\x1b[31m123456789012"])
def test_a_bad_import_account_is_a_usage_error_before_anything_runs(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(ACCOUNT_VARIABLE, value)
    with pytest.raises(UsageError, match=f"^{ACCOUNT_VARIABLE} must be a 12-digit AWS account id") as caught:
        parse_formats("json,asff")
    assert "\x1b" not in caught.value.message
    assert parse_formats("json,html") == ("json", "html")  # only ASFF needs it


def test_hostile_and_oversized_strings_are_cut_to_one_valid_line() -> None:
    text = render_asff(hostile_doc())
    text.encode("utf-8")
    findings = json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
    assert asff_errors(findings) == []
    first = findings[0]
    assert len(first["Remediation"]["Recommendation"]["Text"]) == 512
    assert first["Remediation"]["Recommendation"]["Text"].endswith("…")
    assert "\n" not in first["Description"] and "<script>alert(1)</script>" in first["Description"]
    assert first["Resources"][0]["Details"]["Other"]["Name"].startswith("name nul\x00 esc\x1b[31m")
    assert HOSTILE not in text  # collapsed, never raw
