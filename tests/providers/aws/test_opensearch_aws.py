"""OpenSearch: collector translation (pure), collection and `cloudaudit run` over real wire formats.

moto's server serves ListDomainNames, DescribeDomains and ListTags, but its DomainStatus lacks
ServiceSoftwareOptions, EndpointV2 and VPCOptions.VPCId, and it accepts any number of names per
DescribeDomains. Those are exercised against a local server on 127.0.0.1 speaking OpenSearch's
REST-JSON wire format (reached through AWS_ENDPOINT_URL_OPENSEARCH; STS and EC2 stay on moto).
The pass/fail table of every check is in tests/providers/aws/aws_cases_opensearch.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from cloudaudit.cli.app import main
from cloudaudit.plugins import CollectOptions
from cloudaudit.progress import PlainProgress
from cloudaudit_aws.assets_opensearch import DESCRIBED_FIELDS, OpenSearchDomain
from cloudaudit_aws.collect.guard import Failed
from cloudaudit_aws.collect.opensearch import (
    PERMISSIONS,
    batch_results,
    parse_policy,
    to_domain,
    to_unread_domain,
)
from cloudaudit_aws.collect.runner import collect
from cloudaudit_aws.collect.services import required_permissions
from cloudaudit_aws.demo_opensearch import seed
from cloudaudit_aws.plugin import plugin

plugin.load()

ACCOUNT = "123456789012"
REGION = "us-east-1"
DENIED = Failed("AccessDeniedException", "not authorized to perform: es:DescribeDomains")


def _arn(name: str) -> str:
    return f"arn:aws:es:{REGION}:{ACCOUNT}:domain/{name}"


def _status(name: str, **overrides: Any) -> dict[str, Any]:
    """A DomainStatus as DescribeDomains returns it for a public OpenSearch domain."""
    status: dict[str, Any] = {
        "DomainId": f"{ACCOUNT}/{name}",
        "DomainName": name,
        "ARN": _arn(name),
        "Created": True,
        "Deleted": False,
        "Endpoint": f"search-{name}-4x2bq7ntl5xjmaxqsdc4z5a7pu.{REGION}.es.amazonaws.com",
        "Processing": False,
        "UpgradeProcessing": False,
        "EngineVersion": "OpenSearch_2.13",
        "ClusterConfig": {
            "InstanceType": "r6g.large.search",
            "InstanceCount": 3,
            "DedicatedMasterEnabled": True,
            "ZoneAwarenessEnabled": True,
            "ZoneAwarenessConfig": {"AvailabilityZoneCount": 3},
            "WarmEnabled": False,
        },
        "EBSOptions": {"EBSEnabled": True, "VolumeType": "gp3", "VolumeSize": 100},
        "AccessPolicies": json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/search-api"},
                        "Action": "es:ESHttp*",
                        "Resource": f"{_arn(name)}/*",
                    }
                ],
            }
        ),
        "IPAddressType": "ipv4",
        "SnapshotOptions": {},
        "CognitoOptions": {"Enabled": False},
        "EncryptionAtRestOptions": {
            "Enabled": True,
            "KmsKeyId": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1a2a3a4a-1a2a-3a4a-5a6a-1a2a3a4a5a6a",
        },
        "NodeToNodeEncryptionOptions": {"Enabled": True},
        "AdvancedOptions": {"rest.action.multi.allow_explicit_index": "true"},
        "LogPublishingOptions": {
            "AUDIT_LOGS": {"CloudWatchLogsLogGroupArn": "arn:aws:logs:...:audit", "Enabled": True},
            "ES_APPLICATION_LOGS": {"CloudWatchLogsLogGroupArn": "arn:aws:logs:...:err", "Enabled": False},
        },
        "ServiceSoftwareOptions": {
            "CurrentVersion": "OpenSearch_2_13_R20240520-P2",
            "NewVersion": "",
            "UpdateAvailable": False,
            "Cancellable": False,
            "UpdateStatus": "COMPLETED",
            "Description": "There is no software update available for this domain.",
            "AutomatedUpdateDate": 0.0,
            "OptionalDeployment": True,
        },
        "DomainEndpointOptions": {
            "EnforceHTTPS": True,
            "TLSSecurityPolicy": "Policy-Min-TLS-1-2-PFS-2023-10",
            "CustomEndpointEnabled": False,
        },
        "AdvancedSecurityOptions": {
            "Enabled": True,
            "InternalUserDatabaseEnabled": False,
            "AnonymousAuthEnabled": False,
        },
        "SoftwareUpdateOptions": {"AutoSoftwareUpdateEnabled": False},
    }
    status.update(overrides)
    return status


def _vpc_status(name: str, **overrides: Any) -> dict[str, Any]:
    status = _status(name, **overrides)
    del status["Endpoint"]
    status["Endpoints"] = {"vpc": f"vpc-{name}-h2dsd34efgyghrtguk5gt6j2foh4.{REGION}.es.amazonaws.com"}
    status["VPCOptions"] = {
        "VPCId": "vpc-0a1b2c3d",
        "SubnetIds": ["subnet-1", "subnet-2"],
        "AvailabilityZones": ["us-east-1a", "us-east-1b"],
        "SecurityGroupIds": ["sg-search"],
    }
    return status


# ------------------------------------------------------------------------------ translation (pure)


def test_public_domain_publishes_every_public_host_on_443_and_80_when_http_is_allowed() -> None:
    raw = _status(
        "logs",
        EngineVersion="Elasticsearch_7.10",
        EndpointV2=f"search-logs-4x2b.{REGION}.on.aws",
        DomainEndpointOptions={
            "EnforceHTTPS": False,
            "TLSSecurityPolicy": "Policy-Min-TLS-1-0-2019-07",
            "CustomEndpointEnabled": True,
            "CustomEndpoint": "logs.example.com",
        },
    )
    d = to_domain(ACCOUNT, REGION, raw, {"TagList": [{"Key": "team", "Value": "obs"}]})
    assert (d.id, d.name, d.engine_version, d.tags) == (
        _arn("logs"),
        "logs",
        "Elasticsearch_7.10",
        {"team": "obs"},
    )
    assert (d.in_vpc, d.enforce_https, d.tls_security_policy) == (False, False, "Policy-Min-TLS-1-0-2019-07")
    hosts = [raw["Endpoint"], f"search-logs-4x2b.{REGION}.on.aws", "logs.example.com"]
    assert sorted((e.host, e.from_port, e.to_port) for e in d.endpoints) == sorted(
        [(h, 443, 443) for h in hosts] + [(h, 80, 80) for h in hosts]
    )
    assert d.published_logs == ("AUDIT_LOGS",)  # ES_APPLICATION_LOGS is configured but disabled
    assert (d.instance_count, d.zone_awareness, d.dedicated_master) == (3, True, True)
    assert d.access_policy is not None and d.access_policy["Statement"][0]["Action"] == "es:ESHttp*"
    assert d.encryption_at_rest and d.kms_key_id.endswith("1a2a3a4a5a6a") and d.node_to_node_encryption
    assert d.unread == {}
    https_only = to_domain(ACCOUNT, REGION, _status("strict"), {})
    assert {e.from_port for e in https_only.endpoints} == {443}


def test_vpc_domain_has_no_public_endpoint() -> None:
    d = to_domain(ACCOUNT, REGION, _vpc_status("search"), {})
    assert (d.in_vpc, d.vpc_id, d.subnet_ids, d.security_group_ids) == (
        True,
        "vpc-0a1b2c3d",
        ("subnet-1", "subnet-2"),
        ("sg-search",),
    )
    assert d.vpc_endpoint.startswith("vpc-search-") and d.endpoint == "" and d.endpoints == ()


def test_security_and_software_options_are_read() -> None:
    raw = _status(
        "anon",
        AdvancedSecurityOptions={
            "Enabled": True,
            "InternalUserDatabaseEnabled": True,
            "AnonymousAuthEnabled": True,
        },
        CognitoOptions={
            "Enabled": True,
            "UserPoolId": "us-east-1_abc",
            "IdentityPoolId": "x",
            "RoleArn": "r",
        },
        ServiceSoftwareOptions={
            "CurrentVersion": "R20230101",
            "NewVersion": "R20240601",
            "UpdateAvailable": True,
            "UpdateStatus": "ELIGIBLE",
        },
    )
    d = to_domain(ACCOUNT, REGION, raw, {})
    assert (d.fine_grained_access_control, d.internal_user_database, d.anonymous_auth, d.cognito_enabled) == (
        True,
        True,
        True,
        True,
    )
    assert (d.update_available, d.service_software_version, d.new_service_software_version) == (
        True,
        "R20230101",
        "R20240601",
    )


def test_fields_missing_from_the_answer_are_unread_not_guessed() -> None:
    raw = _status("sparse")
    for key in ("ServiceSoftwareOptions", "DomainEndpointOptions", "LogPublishingOptions"):
        del raw[key]
    d = to_domain(ACCOUNT, REGION, raw, {})
    assert d.unread == {
        "update_available": "not reported by DescribeDomains",
        "enforce_https": "not reported by DescribeDomains",
        "tls_security_policy": "not reported by DescribeDomains",
    }
    assert d.published_logs == ()  # no log publishing configured is an answer, not a gap


@pytest.mark.parametrize(
    ("text", "policy", "error"),
    [
        ("", None, ""),
        (None, None, ""),
        ('{"Statement": []}', {"Statement": []}, ""),
        ("{not json", None, "access policy is not valid JSON"),
        ('["a"]', None, "access policy is not a JSON object"),
    ],
)
def test_access_policy_text_is_parsed(text: str | None, policy: dict[str, Any] | None, error: str) -> None:
    parsed = parse_policy(text)
    assert parsed["access_policy"] == policy
    assert parsed["access_policy_error"].startswith(error) and bool(parsed["access_policy_error"]) == bool(
        error
    )


def test_failed_describe_leaves_every_described_attribute_unread() -> None:
    assert batch_results(["a1", "a2"], DENIED) == [("a1", DENIED), ("a2", DENIED)]
    assert batch_results(["a1", "gone"], [_status("a1")]) == [("a1", _status("a1"))]
    d = to_unread_domain(ACCOUNT, REGION, "a1", DENIED, {"TagList": [{"Key": "env", "Value": "prod"}]})
    assert (d.id, d.tags, d.endpoints) == (_arn("a1"), {"env": "prod"}, ())
    assert set(d.unread) == set(DESCRIBED_FIELDS)
    assert {"access_policy", "in_vpc", "enforce_https", "update_available"} <= set(d.unread)
    assert set(d.unread.values()) == {"AccessDeniedException on DescribeDomains"}


def test_failed_list_tags_leaves_tags_unread() -> None:
    d = to_domain(ACCOUNT, REGION, _status("t"), Failed("AccessDeniedException", "denied"))
    assert d.unread == {"tags": "AccessDeniedException on ListTags"} and d.tags == {}


def test_opensearch_permissions_are_required_and_read_only() -> None:
    assert set(PERMISSIONS) <= set(required_permissions())
    assert all(p.startswith(("es:List", "es:Describe")) for p in PERMISSIONS)
    policy = json.loads(
        (Path(__file__).resolve().parents[3] / "deploy" / "iam-readonly-policy.json").read_text()
    )
    assert set(PERMISSIONS) <= set(policy["Statement"][0]["Action"])


# ------------------------------------------------------------------------------ moto server


def test_demo_seed_is_collected(aws: str) -> None:
    seed(aws, REGION)
    boto3.client("opensearch", endpoint_url=aws, region_name=REGION).create_domain(
        DomainName="legacy-es", EngineVersion="Elasticsearch_6.8"
    )

    inv = collect(CollectOptions(regions=(REGION,), services=frozenset({"opensearch"})), PlainProgress())

    assert inv.gaps == ()
    domains = {d.name: d for d in inv.of(OpenSearchDomain)}
    assert set(domains) == {"logs-public", "search-private", "reports-office-only", "legacy-es"}
    public, private, office = (
        domains["logs-public"],
        domains["search-private"],
        domains["reports-office-only"],
    )
    assert public.id == _arn("logs-public") and public.tags == {"team": "platform", "env": "prod"}
    assert (public.in_vpc, public.enforce_https, public.tls_security_policy) == (
        False,
        False,
        "Policy-Min-TLS-1-0-2019-07",
    )
    assert {(e.host, e.from_port) for e in public.endpoints} == {
        (public.endpoint, 443),
        (public.endpoint, 80),
    }
    assert (
        public.fine_grained_access_control,
        public.encryption_at_rest,
        public.node_to_node_encryption,
    ) == (
        False,
        False,
        False,
    )
    assert public.access_policy is not None and public.access_policy["Statement"][0]["Principal"] == {
        "AWS": "*"
    }
    assert (private.in_vpc, private.endpoints, len(private.subnet_ids), len(private.security_group_ids)) == (
        True,
        (),
        3,
        1,
    )
    assert (private.fine_grained_access_control, private.published_logs, private.instance_count) == (
        True,
        ("AUDIT_LOGS", "ES_APPLICATION_LOGS"),
        3,
    )
    assert {e.from_port for e in office.endpoints} == {443}
    assert domains["legacy-es"].engine_version == "Elasticsearch_6.8"
    # moto omits ServiceSoftwareOptions: the update check must say UNKNOWN, not PASS.
    assert all(d.unread == {"update_available": "not reported by DescribeDomains"} for d in domains.values())


def _findings(out: Path) -> dict[str, Any]:
    return dict(json.loads((out / "findings.json").read_text()))


def _run(out: Path) -> dict[str, Any]:
    assert (
        main(
            ["run", "--provider", "aws", "--regions", REGION, "--checks", "aws.opensearch.*", "-o", str(out)]
        )
        == 0
    )
    return _findings(out)


def _verdicts(doc: dict[str, Any], status: str) -> dict[str, dict[str, str]]:
    got: dict[str, dict[str, str]] = {}
    for f in doc["findings"]:
        if f["status"] == status:
            got.setdefault(f["check_id"], {})[f["resource_id"].rsplit("/", 1)[1]] = f["severity"]
    return got


def test_run_opensearch_checks_on_the_demo_domains(aws: str, out_dir: Path) -> None:
    seed(aws, REGION)

    doc = _run(out_dir)

    assert {f["check_id"].split(".")[1] for f in doc["findings"]} == {"opensearch"}
    assert _verdicts(doc, "FAIL") == {
        "aws.opensearch.domain_access_policy_public": {"logs-public": "critical"},
        "aws.opensearch.domain_public_endpoint": {"logs-public": "medium", "reports-office-only": "medium"},
        "aws.opensearch.domain_https_not_enforced": {"logs-public": "high"},
        "aws.opensearch.domain_tls_outdated": {"logs-public": "medium"},
        "aws.opensearch.domain_fine_grained_access_control": {
            "logs-public": "medium",
            "reports-office-only": "medium",
        },
        "aws.opensearch.domain_node_to_node_encryption": {"logs-public": "medium"},
        "aws.opensearch.domain_encryption_at_rest": {"logs-public": "medium"},
        "aws.opensearch.domain_engine_version": {"logs-public": "low"},
        "aws.opensearch.domain_audit_logs": {"logs-public": "low", "reports-office-only": "low"},
        "aws.opensearch.domain_error_logs": {"logs-public": "low", "reports-office-only": "low"},
        "aws.opensearch.domain_fault_tolerance": {"logs-public": "low", "reports-office-only": "low"},
    }
    unknown = _verdicts(doc, "UNKNOWN")
    assert unknown == {
        "aws.opensearch.domain_software_update": dict.fromkeys(
            ("logs-public", "search-private", "reports-office-only"), "low"
        )
    }
    (policy,) = [
        f
        for f in doc["findings"]
        if f["check_id"] == "aws.opensearch.domain_access_policy_public"
        and f["resource_name"] == "logs-public"
    ]
    assert "anyone on the Internet" in policy["message"]
    assert policy["evidence"]["statements"][0]["Principal"] == {"AWS": "*"}
    assert policy["compliance"]["OWASP-API-Top10-2023"] == ["API8"]
    (office,) = [
        f
        for f in doc["findings"]
        if f["check_id"] == "aws.opensearch.domain_access_policy_public"
        and f["resource_name"] == "reports-office-only"
    ]
    assert office["status"] == "PASS" and "aws:SourceIp" in office["evidence"]["restricted"][0]
    assert doc["coverage"] == []


# ------------------------------------------------------------------------------ local wire-format server

SERVED = {
    "orders-search": _status(
        "orders-search",
        EndpointV2=f"search-orders-search-4x2b.{REGION}.on.aws",
        ServiceSoftwareOptions={
            "CurrentVersion": "OpenSearch_2_13_R20240520",
            "NewVersion": "OpenSearch_2_13_R20241003",
            "UpdateAvailable": True,
            "Cancellable": False,
            "UpdateStatus": "ELIGIBLE",
            "Description": "A newer release OpenSearch_2_13_R20241003 is available.",
            "AutomatedUpdateDate": 1735689600.0,
            "OptionalDeployment": True,
        },
    ),
    "catalog": _vpc_status("catalog"),
    "metrics": _vpc_status("metrics", EngineVersion="OpenSearch_1.2"),
    "audit-trail": _vpc_status("audit-trail"),
    "clicks": _vpc_status("clicks"),
    "legacy-kibana": _status("legacy-kibana", EngineVersion="Elasticsearch_5.6"),
    "sandbox": _status("sandbox"),
}
DENIED_NAMES = {"legacy-kibana", "sandbox"}
UNTAGGABLE = "clicks"


def _json(body: object, status: int = 200, error: str = "") -> Response:
    headers = {"x-amzn-RequestId": "5a1b2c3d-0000-4000-8000-000000000000"}
    if error:
        headers["x-amzn-ErrorType"] = error
    return Response(json.dumps(body), status=status, headers=headers, content_type="application/json")


def _denied(action: str, resource: str) -> Response:
    user = f"arn:aws:iam::{ACCOUNT}:user/auditor"
    message = f"User: {user} is not authorized to perform: {action} on resource: {resource}"
    return _json({"message": message}, 403, "AccessDeniedException")


@pytest.fixture
def opensearch_wire(aws: str, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """OpenSearch's REST-JSON API for seven domains; one DescribeDomains batch and one ListTags denied."""
    batches: list[list[str]] = []

    def handle(request: Request) -> Response:
        if request.method == "GET" and request.path == "/2021-01-01/domain":
            names = [
                {"DomainName": n, "EngineType": s["EngineVersion"].split("_")[0]} for n, s in SERVED.items()
            ]
            return _json({"DomainNames": names})
        if request.method == "POST" and request.path == "/2021-01-01/opensearch/domain-info":
            names = list(json.loads(request.get_data())["DomainNames"])
            batches.append(names)
            if len(names) > 5:
                return _json(
                    {"message": "Please provide a maximum of 5 domain names"}, 400, "ValidationException"
                )
            if DENIED_NAMES & set(names):
                return _denied("es:DescribeDomains", _arn(sorted(DENIED_NAMES & set(names))[0]))
            return _json({"DomainStatusList": [SERVED[n] for n in names if n in SERVED]})
        if request.method == "GET" and request.path == "/2021-01-01/tags/":
            arn = request.args["arn"]
            if arn == _arn(UNTAGGABLE):
                return _denied("es:ListTags", arn)
            return _json({"TagList": [{"Key": "domain", "Value": arn.rsplit("/", 1)[1]}]})
        return _json(
            {"message": f"unexpected {request.method} {request.path}"}, 404, "ResourceNotFoundException"
        )

    httpserver.expect_request("/2021-01-01/domain").respond_with_handler(handle)
    httpserver.expect_request("/2021-01-01/opensearch/domain-info").respond_with_handler(handle)
    httpserver.expect_request("/2021-01-01/tags/").respond_with_handler(handle)
    monkeypatch.setenv("AWS_ENDPOINT_URL_OPENSEARCH", httpserver.url_for("/"))
    return batches


def test_domains_are_described_five_at_a_time(opensearch_wire: list[list[str]]) -> None:
    inv = collect(CollectOptions(regions=(REGION,), services=frozenset({"opensearch"})), PlainProgress())

    assert sorted(len(b) for b in opensearch_wire) == [2, 5]
    assert sorted(n for b in opensearch_wire for n in b) == sorted(SERVED)
    domains = {d.name: d for d in inv.of(OpenSearchDomain)}
    assert set(domains) == set(SERVED)
    orders = domains["orders-search"]
    assert (orders.update_available, orders.new_service_software_version) == (
        True,
        "OpenSearch_2_13_R20241003",
    )
    assert {e.host for e in orders.endpoints} == {
        SERVED["orders-search"]["Endpoint"],
        SERVED["orders-search"]["EndpointV2"],
    }
    assert domains["catalog"].vpc_id == "vpc-0a1b2c3d" and domains["catalog"].tags == {"domain": "catalog"}
    assert domains["clicks"].unread == {"tags": "AccessDeniedException on ListTags"}
    for name in DENIED_NAMES:
        assert domains[name].unread["access_policy"] == "AccessDeniedException on DescribeDomains"
        assert domains[name].tags == {"domain": name}
    gaps = {(g.operation, g.error_code, g.resource_id) for g in inv.gaps}
    assert ("ListTags", "AccessDeniedException", _arn(UNTAGGABLE)) in gaps
    (describe_gap,) = [g for g in inv.gaps if g.operation == "DescribeDomains"]
    assert describe_gap.error_code == "AccessDeniedException" and describe_gap.service == "opensearch"
    assert set(describe_gap.resource_id.split(",")) == {_arn(n) for n in DENIED_NAMES}


def test_run_reports_denied_domains_as_unknown_and_the_gap(
    opensearch_wire: list[list[str]], out_dir: Path
) -> None:
    doc = _run(out_dir)

    by_domain: dict[str, set[str]] = {}
    for f in doc["findings"]:
        by_domain.setdefault(f["resource_name"], set()).add(f["status"])
    for name in DENIED_NAMES:
        assert by_domain[name] == {"UNKNOWN"}, name
    denied = [f for f in doc["findings"] if f["resource_name"] == "sandbox"]
    assert len(denied) == 13
    assert all("AccessDeniedException on DescribeDomains" in f["message"] for f in denied)
    assert "UNKNOWN" not in by_domain["orders-search"]
    assert _verdicts(doc, "FAIL")["aws.opensearch.domain_software_update"] == {"orders-search": "low"}
    assert _verdicts(doc, "FAIL")["aws.opensearch.domain_engine_version"] == {"metrics": "low"}
    gaps = {(g["service"], g["operation"], g["error_code"]) for g in doc["coverage"]}
    assert ("opensearch", "DescribeDomains", "AccessDeniedException") in gaps
    assert "DescribeDomains" in (out_dir / "report.html").read_text()
