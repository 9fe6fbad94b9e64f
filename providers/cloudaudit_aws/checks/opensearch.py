"""OpenSearch Service checks: who can reach and use a domain, transport and storage encryption, logs.

Exposure is graded by where the endpoint lives: a public (non-VPC) domain is reachable from the
whole Internet, so only its access policy and fine-grained access control (FGAC) stand between
anyone and the data; a VPC domain is reachable from inside the VPC (and what is peered or routed
to it) only. The access-policy check owns the "anyone can use it" verdict; the public-endpoint
check reports the network placement alone, so one open domain is not counted twice at the top.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cloudaudit.engine.declarative import expect
from cloudaudit.engine.outcome import Outcome, fail, passed, unknown
from cloudaudit.engine.predicates import includes, is_true
from cloudaudit.engine.registry import check
from cloudaudit.exposure.proofs import LEGACY_TLS, SEARCH_WITHOUT_AUTH, TLS
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit.model.network import NetworkExposure
from cloudaudit_aws.assets_opensearch import OpenSearchDomain
from cloudaudit_aws.policy import analyse_policy

POLICY_CHECK = "aws.opensearch.domain_access_policy_public"

OPEN_POLICY_SEVERITY: dict[tuple[bool, str], Severity] = {
    (False, "none"): Severity.CRITICAL,
    (False, "anonymous"): Severity.HIGH,
    (False, "fgac"): Severity.MEDIUM,
    (True, "none"): Severity.MEDIUM,
    (True, "anonymous"): Severity.MEDIUM,
    (True, "fgac"): Severity.LOW,
}
"""(in a VPC, what stands behind the open policy) -> severity of an access policy open to anyone.

"none": FGAC off, every request the policy admits is served; "anonymous": FGAC on but admitting
unauthenticated requests; "fgac": FGAC authenticates every request (the AWS-documented pattern of
an open domain policy plus FGAC, still a single control between the callers and the data).
"""

WEAK_TLS = re.compile(r"TLS-1-[01]-", re.IGNORECASE)
"""TLS security policies that still accept TLS 1.0/1.1 (``Policy-Min-TLS-1-0-2019-07``)."""

MIN_SUPPORTED_ENGINE: dict[str, tuple[int, int]] = {
    "Elasticsearch": (7, 10),
    "OpenSearch": (1, 3),
}
"""Oldest engine version per engine that this audit does not flag as outdated.

Elasticsearch 7.10 is the last (and only still-maintained) Elasticsearch OSS line on the
service; OpenSearch 1.0-1.2 were superseded by 1.3, the 1.x line AWS keeps patching. AWS moved
older versions (Elasticsearch 1.5-7.x below 7.10 in stages, OpenSearch 1.0-1.2) out of Standard
Support into paid Extended Support from November 2025. Review this table when AWS announces
new end-of-support dates.
"""

_ENGINE = re.compile(r"(OpenSearch|Elasticsearch)_(\d+)\.(\d+)")


def parse_engine(version: str) -> tuple[str, tuple[int, int]] | None:
    """("OpenSearch", (2, 13)) from ``OpenSearch_2.13``; None when the format is unknown."""
    m = _ENGINE.fullmatch(version.strip())
    if m is None:
        return None
    return m.group(1), (int(m.group(2)), int(m.group(3)))


def _where(d: OpenSearchDomain) -> str:
    if d.in_vpc:
        return f"in VPC {d.vpc_id}" if d.vpc_id else "in a VPC"
    return f"public at {d.endpoint or 'its public endpoint'}"


def _placement(d: OpenSearchDomain) -> dict[str, object]:
    if d.in_vpc:
        return {"in_vpc": True, "vpc_id": d.vpc_id, "vpc_endpoint": d.vpc_endpoint}
    return {"in_vpc": False, "endpoint": d.endpoint}


def _network(d: OpenSearchDomain) -> NetworkExposure:
    """A public domain's endpoints (HTTPS, and HTTP unless enforced); a VPC domain has no public address."""
    if d.in_vpc:
        return NetworkExposure(reachability="private")
    return d.endpoint_network()


# ---------------------------------------------------------------------------------- who can use it


@check(
    id=POLICY_CHECK,
    title="OpenSearch domain access policy allows anyone",
    severity=Severity.CRITICAL,
    asset=OpenSearchDomain,
    requires=("access_policy", "in_vpc", "fine_grained_access_control", "anonymous_auth"),
    rationale="""A domain access policy with Principal "*" and no condition that restricts the caller
        (source IP, VPC endpoint, organisation, account) lets anyone who reaches the endpoint search,
        index and delete documents; public Elasticsearch/OpenSearch clusters are a classic source of
        large data leaks and ransom wipes.""",
    remediation="""Name the IAM principals that need access in the domain access policy, or restrict it
        with aws:SourceIp; move the domain into a VPC and enable fine-grained access control
        (aws opensearch update-domain-config --access-policies file://policy.json).""",
    exploited_by=SEARCH_WITHOUT_AUTH,
)
def domain_access_policy_public(d: OpenSearchDomain, inventory: Inventory) -> Outcome:
    """Open grants (shared policy analyser), graded by network placement and FGAC."""
    if d.access_policy_error:
        return unknown(
            f"Access policy of domain {d.domain_name} could not be analysed: {d.access_policy_error}"
        )
    analysis = analyse_policy(d.access_policy)
    if analysis.error:
        return unknown(f"Access policy of domain {d.domain_name} could not be analysed: {analysis.error}")
    if not analysis.is_public:
        return passed(
            f"The access policy of domain {d.domain_name} grants nothing to anyone.",
            {"restricted": list(analysis.restricted)} if analysis.restricted else {},
        )
    guard = "none"
    if d.fine_grained_access_control:
        guard = "anonymous" if d.anonymous_auth else "fgac"
    actions = sorted({a for g in analysis.grants for a in g.actions})
    evidence: dict[str, object] = {
        **_placement(d),
        "statements": [dict(g.statement) for g in analysis.grants],
        "fine_grained_access_control": d.fine_grained_access_control,
        "anonymous_auth": d.anonymous_auth,
    }
    who = "anyone on the Internet" if not d.in_vpc else "anyone who can reach the VPC"
    behind = {
        "none": "and fine-grained access control is off: every such request is served",
        "anonymous": "and fine-grained access control admits anonymous requests",
        "fgac": "only fine-grained access control authenticates the callers",
    }[guard]
    return fail(
        f"Domain {d.domain_name} ({_where(d)}) lets {who} call {', '.join(actions)}; {behind}.",
        evidence,
        OPEN_POLICY_SEVERITY[d.in_vpc, guard],
        _network(d),
    )


@check(
    id="aws.opensearch.domain_public_endpoint",
    title="OpenSearch domain has a public endpoint instead of a VPC endpoint",
    severity=Severity.MEDIUM,
    asset=OpenSearchDomain,
    requires=("in_vpc",),
    rationale="""A domain outside a VPC has an Internet-facing endpoint: only its access policy (and
        fine-grained access control) decides who can use it, with no security group or network
        boundary in front; one policy mistake makes the data public.""",
    remediation="""Create the domain in a VPC (VPC placement cannot be changed in place: snapshot,
        restore into a new VPC domain, then switch clients) and allow port 443 only from the
        application's security groups.""",
    exploited_by=SEARCH_WITHOUT_AUTH,
)
def domain_public_endpoint(d: OpenSearchDomain, inventory: Inventory) -> Outcome:
    """Network placement only; whether anyone may use the endpoint is judged by the policy check."""
    if d.in_vpc:
        return passed(f"Domain {d.domain_name} is {_where(d)}.", _placement(d), _network(d))
    return fail(
        f"Domain {d.domain_name} is reachable from the Internet at {d.endpoint or 'its public endpoint'}; "
        f"who may use it is judged by {POLICY_CHECK}.",
        {**_placement(d), "endpoints": [f"{e.host}:{e.from_port}" for e in d.endpoints]},
        network=_network(d),
    )


expect(
    id="aws.opensearch.domain_fine_grained_access_control",
    title="OpenSearch domain has fine-grained access control disabled",
    severity=Severity.MEDIUM,
    asset=OpenSearchDomain,
    attr="fine_grained_access_control",
    ok=is_true,
    pass_msg="Domain {name} has fine-grained access control enabled.",
    fail_msg="Domain {name} has fine-grained access control disabled: whoever the access policy admits "
    "gets full access to every index.",
    rationale="""Fine-grained access control authenticates users (IAM, internal users, SAML, Cognito)
        and limits them to indices, documents and fields by role; without it the access policy is
        all-or-nothing.""",
    remediation="""aws opensearch update-domain-config --domain-name NAME --advanced-security-options
        Enabled=true,... (requires HTTPS enforced, node-to-node encryption and encryption at rest).""",
)


@check(
    id="aws.opensearch.domain_anonymous_auth",
    title="OpenSearch domain admits anonymous requests",
    severity=Severity.HIGH,
    asset=OpenSearchDomain,
    requires=("anonymous_auth", "in_vpc"),
    rationale="""With anonymous authentication on (the migration period when fine-grained access
        control is added to an existing domain), requests without credentials are served with the
        anonymous role's permissions.""",
    remediation="""Map users to roles, then turn anonymous access off:
        aws opensearch update-domain-config --domain-name NAME
        --advanced-security-options AnonymousAuthEnabled=false""",
    exploited_by=SEARCH_WITHOUT_AUTH,
)
def domain_anonymous_auth(d: OpenSearchDomain, inventory: Inventory) -> Outcome:
    """AnonymousAuthEnabled, high on a public domain."""
    if not d.anonymous_auth:
        return passed(f"Domain {d.domain_name} does not admit anonymous requests.")
    return fail(
        f"Domain {d.domain_name} ({_where(d)}) serves requests without credentials (anonymous auth on).",
        {**_placement(d), "anonymous_auth": True},
        Severity.MEDIUM if d.in_vpc else Severity.HIGH,
        _network(d),
    )


# ---------------------------------------------------------------------------------- transport


@check(
    id="aws.opensearch.domain_https_not_enforced",
    title="OpenSearch domain accepts plain HTTP",
    severity=Severity.HIGH,
    asset=OpenSearchDomain,
    requires=("enforce_https", "in_vpc"),
    rationale="""Without EnforceHTTPS the endpoint also answers on HTTP port 80, so data and basic-auth
        credentials can be read or altered in transit (API7: TLS missing).""",
    remediation="""aws opensearch update-domain-config --domain-name NAME --domain-endpoint-options
        EnforceHTTPS=true,TLSSecurityPolicy=Policy-Min-TLS-1-2-PFS-2023-10""",
    exploited_by=TLS,
)
def domain_https_not_enforced(d: OpenSearchDomain, inventory: Inventory) -> Outcome:
    """EnforceHTTPS; high on a public domain, medium in a VPC."""
    if d.enforce_https:
        return passed(f"Domain {d.domain_name} accepts HTTPS only.")
    return fail(
        f"Domain {d.domain_name} ({_where(d)}) accepts plain HTTP (EnforceHTTPS is off): queries, "
        "documents and credentials can cross the network unencrypted.",
        {**_placement(d), "enforce_https": False},
        Severity.MEDIUM if d.in_vpc else Severity.HIGH,
        _network(d),
    )


@check(
    id="aws.opensearch.domain_tls_outdated",
    title="OpenSearch domain TLS security policy allows TLS older than 1.2",
    severity=Severity.MEDIUM,
    asset=OpenSearchDomain,
    requires=("tls_security_policy",),
    rationale="""TLS 1.0 and 1.1 are deprecated (RFC 8996) and have known weaknesses; the default
        Policy-Min-TLS-1-0-2019-07 still accepts them.""",
    remediation="""aws opensearch update-domain-config --domain-name NAME --domain-endpoint-options
        TLSSecurityPolicy=Policy-Min-TLS-1-2-PFS-2023-10""",
    exploited_by=LEGACY_TLS,
)
def domain_tls_outdated(d: OpenSearchDomain, inventory: Inventory) -> Outcome:
    """A TLS policy whose minimum version is 1.0 or 1.1."""
    evidence = {"tls_security_policy": d.tls_security_policy}
    if WEAK_TLS.search(d.tls_security_policy):
        return fail(
            f"Domain {d.domain_name} accepts TLS 1.0 and 1.1 (TLS security policy {d.tls_security_policy}).",
            evidence,
            network=_network(d),
        )
    return passed(f"Domain {d.domain_name} requires TLS 1.2 or later ({d.tls_security_policy}).", evidence)


# ---------------------------------------------------------------------------------- encryption

expect(
    id="aws.opensearch.domain_node_to_node_encryption",
    title="OpenSearch domain does not encrypt traffic between nodes",
    severity=Severity.MEDIUM,
    asset=OpenSearchDomain,
    attr="node_to_node_encryption",
    ok=is_true,
    pass_msg="Domain {name} encrypts traffic between its nodes.",
    fail_msg="Domain {name} sends data between its nodes unencrypted (node-to-node encryption off).",
    rationale="""Without node-to-node encryption, documents and queries travel between the cluster's
        nodes in clear text; it is also a prerequisite for fine-grained access control.""",
    remediation="""aws opensearch update-domain-config --domain-name NAME
        --node-to-node-encryption-options Enabled=true (Elasticsearch 6.7 or later).""",
)

expect(
    id="aws.opensearch.domain_encryption_at_rest",
    title="OpenSearch domain does not encrypt data at rest",
    severity=Severity.MEDIUM,
    asset=OpenSearchDomain,
    attr="encryption_at_rest",
    ok=is_true,
    pass_msg="Domain {name} encrypts its data at rest.",
    fail_msg="Domain {name} stores indices, logs and automated snapshots unencrypted.",
    rationale="""Encryption at rest (KMS) protects indices, swap files, logs and automated snapshots
        if the underlying storage is accessed outside the service.""",
    remediation="""aws opensearch update-domain-config --domain-name NAME
        --encryption-at-rest-options Enabled=true,KmsKeyId=KEY (Elasticsearch 6.7 or later).""",
)


# ---------------------------------------------------------------------------------- patching


@check(
    id="aws.opensearch.domain_software_update",
    title="OpenSearch domain has a service software update available",
    severity=Severity.LOW,
    asset=OpenSearchDomain,
    requires=("update_available",),
    rationale="""Service software updates carry security fixes for the engine and the managed
        platform; a pending update leaves known issues open until it is installed.""",
    remediation="aws opensearch start-service-software-update --domain-name NAME (off-peak window).",
)
def domain_software_update(d: OpenSearchDomain, inventory: Inventory) -> Outcome:
    """ServiceSoftwareOptions.UpdateAvailable."""
    evidence = {
        "update_available": d.update_available,
        "current_version": d.service_software_version,
        "new_version": d.new_service_software_version,
    }
    if not d.update_available:
        return passed(f"Domain {d.domain_name} runs the latest service software.", evidence)
    new = (
        f" ({d.service_software_version} -> {d.new_service_software_version})"
        if d.new_service_software_version
        else ""
    )
    return fail(f"Domain {d.domain_name} has a service software update available{new}.", evidence)


@check(
    id="aws.opensearch.domain_engine_version",
    title="OpenSearch domain runs an outdated engine version",
    severity=Severity.LOW,
    asset=OpenSearchDomain,
    requires=("engine_version",),
    rationale="""Old Elasticsearch and OpenSearch versions no longer get fixes in AWS Standard Support
        and miss security features (fine-grained access control, node-to-node encryption).""",
    remediation="""Upgrade in place to a current OpenSearch version
        (aws opensearch upgrade-domain --domain-name NAME --target-version OpenSearch_X.Y).""",
)
def domain_engine_version(d: OpenSearchDomain, inventory: Inventory) -> Iterator[Outcome]:
    """Engine version against :data:`MIN_SUPPORTED_ENGINE`."""
    parsed = parse_engine(d.engine_version)
    if parsed is None:
        yield unknown(
            f"Domain {d.domain_name} reports an engine version we cannot read: {d.engine_version!r}."
        )
        return
    engine, version = parsed
    floor = MIN_SUPPORTED_ENGINE[engine]
    evidence = {"engine_version": d.engine_version, "oldest_current": f"{engine}_{floor[0]}.{floor[1]}"}
    if version < floor:
        yield fail(
            f"Domain {d.domain_name} runs {d.engine_version}, older than {engine} {floor[0]}.{floor[1]}.",
            evidence,
        )
    else:
        yield passed(f"Domain {d.domain_name} runs {d.engine_version}.", evidence)


# ---------------------------------------------------------------------------------- logging and resilience

expect(
    id="aws.opensearch.domain_audit_logs",
    title="OpenSearch domain does not publish audit logs",
    severity=Severity.LOW,
    asset=OpenSearchDomain,
    attr="published_logs",
    ok=includes("AUDIT_LOGS", "includes AUDIT_LOGS"),
    pass_msg="Domain {name} publishes audit logs to CloudWatch Logs.",
    fail_msg="Domain {name} does not publish audit logs to CloudWatch Logs.",
    rationale="""Audit logs record who authenticated and which indices they read or changed; without
        them a data leak or deletion cannot be investigated. They require fine-grained access control.""",
    remediation="""Enable fine-grained access control, then aws opensearch update-domain-config
        --domain-name NAME --log-publishing-options 'AUDIT_LOGS={CloudWatchLogsLogGroupArn=ARN,Enabled=true}'
        and turn audit logging on in OpenSearch Dashboards.""",
)

expect(
    id="aws.opensearch.domain_error_logs",
    title="OpenSearch domain does not publish error logs",
    severity=Severity.LOW,
    asset=OpenSearchDomain,
    attr="published_logs",
    ok=includes("ES_APPLICATION_LOGS", "includes ES_APPLICATION_LOGS"),
    pass_msg="Domain {name} publishes error (application) logs to CloudWatch Logs.",
    fail_msg="Domain {name} does not publish error logs to CloudWatch Logs.",
    rationale="""Error logs show failed requests, script errors and cluster problems, the first signal
        of abuse or misconfiguration.""",
    remediation="""aws opensearch update-domain-config --domain-name NAME --log-publishing-options
        'ES_APPLICATION_LOGS={CloudWatchLogsLogGroupArn=ARN,Enabled=true}'""",
)


@check(
    id="aws.opensearch.domain_fault_tolerance",
    title="OpenSearch domain has fewer than three data nodes or no zone awareness",
    severity=Severity.LOW,
    asset=OpenSearchDomain,
    requires=("instance_count", "zone_awareness"),
    rationale="""With fewer than three data nodes or all of them in one Availability Zone, one node or
        zone failure makes the domain unavailable or loses unreplicated shards.""",
    remediation="""aws opensearch update-domain-config --domain-name NAME --cluster-config
        InstanceCount=3,ZoneAwarenessEnabled=true,ZoneAwarenessConfig={AvailabilityZoneCount=3}""",
)
def domain_fault_tolerance(d: OpenSearchDomain, inventory: Inventory) -> Outcome:
    """At least three data nodes spread over Availability Zones."""
    evidence = {"instance_count": d.instance_count, "zone_awareness": d.zone_awareness}
    if d.instance_count >= 3 and d.zone_awareness:
        return passed(f"Domain {d.domain_name} has {d.instance_count} data nodes across zones.", evidence)
    problems = []
    if d.instance_count < 3:
        problems.append(f"{d.instance_count} data node(s)")
    if not d.zone_awareness:
        problems.append("zone awareness off")
    return fail(f"Domain {d.domain_name} is not fault tolerant: {', '.join(problems)}.", evidence)
