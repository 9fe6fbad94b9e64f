"""Pass/fail table of every OpenSearch check (merged into tests/providers/aws/test_checks_aws.py)."""

from __future__ import annotations

from collections.abc import Callable

from aws_build_opensearch import (
    OFFICE_POLICY,
    OPEN_POLICY,
    ROLE_POLICY,
    access_policy,
    domain,
    domain_arn,
    hardened_domain,
    public_hardened,
    statement,
    worst_domain,
)
from aws_cases import CheckCase, case
from cloudaudit.model.asset import Asset
from cloudaudit.model.enums import Severity
from cloudaudit_aws.assets_opensearch import OpenSearchDomain

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
D = domain_arn
DENIED = "AccessDeniedException on DescribeDomains"


def _unread(name: str, *attrs: str) -> OpenSearchDomain:
    return domain(name, unread=dict.fromkeys(attrs, DENIED))


CASES: dict[str, CheckCase] = {
    "aws.opensearch.domain_access_policy_public": case(
        domain("open-public", access_policy=OPEN_POLICY),
        domain("open-public-star", access_policy=access_policy(statement("*"))),
        domain(
            "open-anonymous", access_policy=OPEN_POLICY, fine_grained_access_control=True, anonymous_auth=True
        ),
        public_hardened("open-fgac", access_policy=OPEN_POLICY),
        hardened_domain("open-vpc", access_policy=OPEN_POLICY, fine_grained_access_control=False),
        hardened_domain("open-vpc-fgac", access_policy=OPEN_POLICY),
        domain(
            "open-any-ip",
            access_policy=access_policy(statement("*", IpAddress={"aws:SourceIp": "0.0.0.0/0"})),
        ),
        domain("office-only", access_policy=OFFICE_POLICY),
        domain("role-only", access_policy=ROLE_POLICY),
        domain(
            "org-only",
            access_policy=access_policy(statement("*", StringEquals={"aws:PrincipalOrgID": "o-a1b2c3d4e5"})),
        ),
        domain("no-policy"),
        domain("bad-json", access_policy_error="access policy is not valid JSON: Expecting value"),
        domain("no-statement", access_policy={"Version": "2012-10-17"}),
        _unread("policy-unread", "access_policy"),
        failing={
            D("open-public"): CRITICAL,
            D("open-public-star"): CRITICAL,
            D("open-anonymous"): HIGH,
            D("open-fgac"): MEDIUM,
            D("open-vpc"): MEDIUM,
            D("open-vpc-fgac"): LOW,
            D("open-any-ip"): CRITICAL,
        },
        passing=[D("office-only"), D("role-only"), D("org-only"), D("no-policy")],
        unknown=[D("bad-json"), D("no-statement"), D("policy-unread")],
        messages={
            D("open-public"): "lets anyone on the Internet call es:*",
            D("open-vpc"): "anyone who can reach the VPC",
            D("open-fgac"): "only fine-grained access control",
            D("bad-json"): "not valid JSON",
            D("policy-unread"): DENIED,
        },
    ),
    "aws.opensearch.domain_public_endpoint": case(
        domain("pub"),
        hardened_domain("in-vpc"),
        _unread("placement-unread", "in_vpc"),
        failing={D("pub"): MEDIUM},
        passing=[D("in-vpc")],
        unknown=[D("placement-unread")],
        messages={
            D("pub"): "aws.opensearch.domain_access_policy_public",
            D("in-vpc"): "vpc-0a1b2c3d4e5f60718",
        },
    ),
    "aws.opensearch.domain_https_not_enforced": case(
        domain("http-public"),
        hardened_domain("http-vpc", enforce_https=False),
        hardened_domain("https"),
        _unread("https-unread", "enforce_https"),
        failing={D("http-public"): HIGH, D("http-vpc"): MEDIUM},
        passing=[D("https")],
        unknown=[D("https-unread")],
        messages={D("http-public"): "EnforceHTTPS is off"},
    ),
    "aws.opensearch.domain_tls_outdated": case(
        domain("tls10"),
        hardened_domain("tls12", tls_security_policy="Policy-Min-TLS-1-2-2019-07"),
        hardened_domain("tls12-pfs"),
        _unread("tls-unread", "tls_security_policy"),
        failing={D("tls10"): MEDIUM},
        passing=[D("tls12"), D("tls12-pfs")],
        unknown=[D("tls-unread")],
        messages={D("tls10"): "Policy-Min-TLS-1-0-2019-07"},
    ),
    "aws.opensearch.domain_fine_grained_access_control": case(
        domain("no-fgac"),
        hardened_domain("fgac"),
        _unread("fgac-unread", "fine_grained_access_control"),
        failing={D("no-fgac"): MEDIUM},
        passing=[D("fgac")],
        unknown=[D("fgac-unread")],
    ),
    "aws.opensearch.domain_anonymous_auth": case(
        public_hardened("anon-public", anonymous_auth=True),
        hardened_domain("anon-vpc", anonymous_auth=True),
        hardened_domain("authenticated"),
        _unread("anon-unread", "anonymous_auth"),
        failing={D("anon-public"): HIGH, D("anon-vpc"): MEDIUM},
        passing=[D("authenticated")],
        unknown=[D("anon-unread")],
        messages={D("anon-public"): "without credentials"},
    ),
    "aws.opensearch.domain_node_to_node_encryption": case(
        domain("n2n-off"),
        hardened_domain("n2n-on"),
        _unread("n2n-unread", "node_to_node_encryption"),
        failing={D("n2n-off"): MEDIUM},
        passing=[D("n2n-on")],
        unknown=[D("n2n-unread")],
    ),
    "aws.opensearch.domain_encryption_at_rest": case(
        domain("plain-disk"),
        hardened_domain("kms-disk"),
        _unread("disk-unread", "encryption_at_rest"),
        failing={D("plain-disk"): MEDIUM},
        passing=[D("kms-disk")],
        unknown=[D("disk-unread")],
    ),
    "aws.opensearch.domain_software_update": case(
        domain(
            "update-pending",
            update_available=True,
            service_software_version="R1",
            new_service_software_version="R2",
        ),
        hardened_domain("up-to-date"),
        _unread("software-unread", "update_available"),
        failing={D("update-pending"): LOW},
        passing=[D("up-to-date")],
        unknown=[D("software-unread")],
        messages={D("update-pending"): "R1 -> R2"},
    ),
    "aws.opensearch.domain_engine_version": case(
        domain("es-74", engine_version="Elasticsearch_7.4"),
        domain("es-710", engine_version="Elasticsearch_7.10"),
        domain("os-12", engine_version="OpenSearch_1.2"),
        domain("os-13", engine_version="OpenSearch_1.3"),
        domain("os-213", engine_version="OpenSearch_2.13"),
        domain("no-version", engine_version=""),
        domain("odd-version", engine_version="Solr_9.0"),
        _unread("version-unread", "engine_version"),
        failing={D("es-74"): LOW, D("os-12"): LOW},
        passing=[D("es-710"), D("os-13"), D("os-213")],
        unknown=[D("no-version"), D("odd-version"), D("version-unread")],
        messages={D("es-74"): "older than Elasticsearch 7.10", D("os-12"): "older than OpenSearch 1.3"},
    ),
    "aws.opensearch.domain_audit_logs": case(
        domain("no-logs"),
        domain("errors-only", published_logs=("ES_APPLICATION_LOGS",)),
        hardened_domain("audited"),
        _unread("logs-unread", "published_logs"),
        failing={D("no-logs"): LOW, D("errors-only"): LOW},
        passing=[D("audited")],
        unknown=[D("logs-unread")],
    ),
    "aws.opensearch.domain_error_logs": case(
        domain("no-logs"),
        domain("audit-only", published_logs=("AUDIT_LOGS",)),
        hardened_domain("erroring"),
        _unread("logs-unread", "published_logs"),
        failing={D("no-logs"): LOW, D("audit-only"): LOW},
        passing=[D("erroring")],
        unknown=[D("logs-unread")],
    ),
    "aws.opensearch.domain_fault_tolerance": case(
        domain("single-node"),
        hardened_domain("three-nodes-one-zone", zone_awareness=False),
        hardened_domain("two-zones-two-nodes", instance_count=2),
        hardened_domain("resilient"),
        _unread("cluster-unread", "instance_count"),
        failing={D("single-node"): LOW, D("three-nodes-one-zone"): LOW, D("two-zones-two-nodes"): LOW},
        passing=[D("resilient")],
        unknown=[D("cluster-unread")],
        messages={D("single-node"): "1 data node(s), zone awareness off"},
    ),
}

FAILING_ASSETS: dict[type[Asset], Callable[[], Asset]] = {OpenSearchDomain: worst_domain}
