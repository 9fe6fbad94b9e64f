"""OpenSearch Service: domains (OpenSearch and legacy Elasticsearch engines) of one region.

``fetch_*`` do the SDK calls; ``to_*`` translate the answers without any I/O.

ListDomainNames gives the names; DescribeDomains reads them in batches of five (its API limit)
in the shared detail pool, then ListTags reads each domain's tags. A failed DescribeDomains batch
leaves its domains with every described attribute in ``unread`` (checks say UNKNOWN; their tags
are still read, by the ARN AWS gives every domain); a failed ListTags leaves ``tags`` unread.
Fields AWS always returns but an answer lacks (ServiceSoftwareOptions, the TLS security policy)
are recorded as unread too, never guessed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from typing import Any

from cloudaudit.model.asset import Asset, Endpoint
from cloudaudit_aws.assets import PROVIDER
from cloudaudit_aws.assets_opensearch import DESCRIBED_FIELDS, OpenSearchDomain
from cloudaudit_aws.collect.context import CollectContext, ServiceCollector
from cloudaudit_aws.collect.guard import Absent, Failed, Guard, Raw
from cloudaudit_aws.collect.session import AwsSession

SERVICE = "opensearch"
PERMISSIONS = ("es:ListDomainNames", "es:DescribeDomains", "es:ListTags")
"""IAM actions of the calls below (documented in deploy/iam-readonly-policy.json)."""

BATCH = 5
"""DescribeDomains accepts at most five domain names per call."""

NOT_REPORTED = "not reported by DescribeDomains"

Described = list[Raw] | Failed
Tags = Raw | Failed


# ---------------------------------------------------------------- fetch (SDK I/O)


def fetch_domain_names(aws: AwsSession, guard: Guard, region: str) -> list[str] | Failed:
    """Names of every domain of the region (both engines; the call is not paginated)."""
    resp = guard.call(aws.client(SERVICE, region).list_domain_names, service=SERVICE, region=region)
    if isinstance(resp, Failed):
        return resp
    if isinstance(resp, Absent):
        return []
    return [str(d["DomainName"]) for d in resp.get("DomainNames", []) or [] if d.get("DomainName")]


def fetch_domains(aws: AwsSession, guard: Guard, region: str, names: Sequence[str]) -> Described:
    """DescribeDomains for one batch of at most five names."""
    resp = guard.call(
        aws.client(SERVICE, region).describe_domains,
        service=SERVICE,
        region=region,
        resource_id=",".join(domain_arn(region, guard.account, n) for n in names),
        DomainNames=list(names),
    )
    if isinstance(resp, Failed):
        return resp
    return [] if isinstance(resp, Absent) else list(resp.get("DomainStatusList", []) or [])


def fetch_tags(aws: AwsSession, guard: Guard, region: str, arn: str) -> Tags:
    """ListTags of one domain."""
    resp = guard.call(
        aws.client(SERVICE, region).list_tags, service=SERVICE, region=region, resource_id=arn, ARN=arn
    )
    return {} if isinstance(resp, Absent) else resp


def collect_opensearch(ctx: CollectContext, region: str) -> list[Asset]:
    """Fetch one region; describe batches and tag reads run concurrently in the detail pool."""
    aws, guard = ctx.aws, ctx.guard
    names = fetch_domain_names(aws, guard, region)
    if isinstance(names, Failed):
        return []
    ctx.progress.add_total(len(names))
    batches = [names[i : i + BATCH] for i in range(0, len(names), BATCH)]
    described = [
        (batch, ctx.detail_pool.submit(fetch_domains, aws, guard, region, batch)) for batch in batches
    ]
    found: list[tuple[str, Raw | Failed]] = []
    for batch, future in described:
        found.extend(batch_results(batch, future.result()))
    tags: list[Future[Tags]] = [
        ctx.detail_pool.submit(fetch_tags, aws, guard, region, _arn(raw, region, guard.account, name))
        for name, raw in found
    ]
    assets: list[Asset] = []
    for (name, raw), tag_future in zip(found, tags, strict=True):
        if isinstance(raw, Failed):
            assets.append(to_unread_domain(guard.account, region, name, raw, tag_future.result()))
        else:
            assets.append(to_domain(guard.account, region, raw, tag_future.result()))
        ctx.progress.advance(f"opensearch {name}")
    for name in sorted(set(names) - {n for n, _ in found}):  # deleted since it was listed
        ctx.progress.advance(f"opensearch {name}")
    return assets


# ---------------------------------------------------------------- translate (pure)


def domain_arn(region: str, account: str, name: str) -> str:
    """The ARN AWS gives a domain (used when DescribeDomains could not be read)."""
    return f"arn:aws:es:{region}:{account}:domain/{name}"


def _arn(raw: Raw | Failed, region: str, account: str, name: str) -> str:
    """The domain's ARN as AWS reports it, else as AWS spells it."""
    reported = "" if isinstance(raw, Failed) else str(raw.get("ARN", ""))
    return reported or domain_arn(region, account, name)


def batch_results(names: Sequence[str], described: Described) -> list[tuple[str, Raw | Failed]]:
    """(name, status or failure) per listed name; names no longer described (deleted) are dropped."""
    if isinstance(described, Failed):
        return [(name, described) for name in names]
    by_name = {str(d.get("DomainName", "")): d for d in described}
    return [(name, by_name[name]) for name in names if name in by_name]


def _tags(raw: Tags) -> tuple[dict[str, str], dict[str, str]]:
    """(tags, unread) from a ListTags answer."""
    if isinstance(raw, Failed):
        return {}, {"tags": raw.reason("ListTags")}
    return {str(t["Key"]): str(t.get("Value", "")) for t in raw.get("TagList", []) or []}, {}


def parse_policy(text: object) -> dict[str, Any]:
    """``access_policy`` and ``access_policy_error`` from the AccessPolicies string."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return {"access_policy": None, "access_policy_error": ""}
    if isinstance(text, Mapping):
        return {"access_policy": dict(text), "access_policy_error": ""}
    try:
        doc = json.loads(str(text))
    except ValueError as exc:
        return {"access_policy": None, "access_policy_error": f"access policy is not valid JSON: {exc}"}
    if not isinstance(doc, dict):
        return {"access_policy": None, "access_policy_error": "access policy is not a JSON object"}
    return {"access_policy": doc, "access_policy_error": ""}


def _hosts(raw: Mapping[str, Any]) -> dict[str, Any]:
    options = raw.get("DomainEndpointOptions") or {}
    vpc = raw.get("VPCOptions") or {}
    private = raw.get("Endpoints") or {}
    in_vpc = bool(vpc.get("VPCId") or vpc.get("SubnetIds") or private)
    custom = str(options.get("CustomEndpoint", "")) if options.get("CustomEndpointEnabled") else ""
    return {
        "endpoint": "" if in_vpc else str(raw.get("Endpoint", "")),
        "endpoint_v2": "" if in_vpc else str(raw.get("EndpointV2", "")),
        "vpc_endpoint": str(private.get("vpc") or private.get("vpcv2") or ""),
        "custom_endpoint": custom,
        "in_vpc": in_vpc,
        "vpc_id": str(vpc.get("VPCId", "")),
        "subnet_ids": tuple(str(s) for s in vpc.get("SubnetIds", []) or []),
        "security_group_ids": tuple(str(g) for g in vpc.get("SecurityGroupIds", []) or []),
    }


def public_endpoints(fields: Mapping[str, Any]) -> tuple[Endpoint, ...]:
    """Public hosts of a non-VPC domain: HTTPS on 443, and HTTP on 80 unless HTTPS is enforced."""
    if fields["in_vpc"]:
        return ()
    hosts = [h for h in (fields["endpoint"], fields["endpoint_v2"], fields["custom_endpoint"]) if h]
    result = [
        Endpoint(host=h, from_port=443, to_port=443, via="OpenSearch public endpoint (HTTPS)") for h in hosts
    ]
    if not fields["enforce_https"]:
        result.extend(
            Endpoint(
                host=h, from_port=80, to_port=80, via="OpenSearch public endpoint (HTTP, EnforceHTTPS off)"
            )
            for h in hosts
        )
    return tuple(result)


def _described(raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Model fields from one DomainStatus, and the fields it does not report."""
    unread: dict[str, str] = {}
    endpoint_options = raw.get("DomainEndpointOptions")
    if endpoint_options is None:
        unread.update(enforce_https=NOT_REPORTED, tls_security_policy=NOT_REPORTED)
    elif not endpoint_options.get("TLSSecurityPolicy"):
        unread["tls_security_policy"] = NOT_REPORTED
    software = raw.get("ServiceSoftwareOptions")
    if software is None:
        unread["update_available"] = NOT_REPORTED
    software = software or {}
    security = raw.get("AdvancedSecurityOptions") or {}
    at_rest = raw.get("EncryptionAtRestOptions") or {}
    cluster = raw.get("ClusterConfig") or {}
    logs = raw.get("LogPublishingOptions") or {}
    fields: dict[str, Any] = {
        "engine_version": str(raw.get("EngineVersion", "")),
        **_hosts(raw),
        **parse_policy(raw.get("AccessPolicies")),
        "enforce_https": bool((endpoint_options or {}).get("EnforceHTTPS")),
        "tls_security_policy": str((endpoint_options or {}).get("TLSSecurityPolicy", "")),
        "node_to_node_encryption": bool((raw.get("NodeToNodeEncryptionOptions") or {}).get("Enabled")),
        "encryption_at_rest": bool(at_rest.get("Enabled")),
        "kms_key_id": str(at_rest.get("KmsKeyId", "")),
        "fine_grained_access_control": bool(security.get("Enabled")),
        "internal_user_database": bool(security.get("InternalUserDatabaseEnabled")),
        "anonymous_auth": bool(security.get("AnonymousAuthEnabled")),
        "cognito_enabled": bool((raw.get("CognitoOptions") or {}).get("Enabled")),
        "update_available": bool(software.get("UpdateAvailable")),
        "service_software_version": str(software.get("CurrentVersion", "")),
        "new_service_software_version": str(software.get("NewVersion", "")),
        "published_logs": tuple(sorted(str(k) for k, v in logs.items() if (v or {}).get("Enabled"))),
        "instance_count": int(cluster.get("InstanceCount") or 0),
        "zone_awareness": bool(cluster.get("ZoneAwarenessEnabled")),
        "dedicated_master": bool(cluster.get("DedicatedMasterEnabled")),
    }
    return fields, unread


def to_domain(account: str, region: str, raw: Mapping[str, Any], tags: Tags) -> OpenSearchDomain:
    """An :class:`OpenSearchDomain` from one DomainStatus and its ListTags answer."""
    name = str(raw["DomainName"])
    fields, unread = _described(raw)
    tag_map, tag_unread = _tags(tags)
    return OpenSearchDomain(
        provider=PROVIDER,
        account=account,
        region=region,
        id=_arn(dict(raw), region, account, name),
        name=name,
        tags=tag_map,
        endpoints=public_endpoints(fields),
        unread={**unread, **tag_unread},
        domain_name=name,
        **fields,
    )


def to_unread_domain(account: str, region: str, name: str, failed: Failed, tags: Tags) -> OpenSearchDomain:
    """A listed domain whose DescribeDomains batch failed: every described attribute is unread."""
    tag_map, tag_unread = _tags(tags)
    return OpenSearchDomain(
        provider=PROVIDER,
        account=account,
        region=region,
        id=domain_arn(region, account, name),
        name=name,
        tags=tag_map,
        unread={**dict.fromkeys(DESCRIBED_FIELDS, failed.reason("DescribeDomains")), **tag_unread},
        domain_name=name,
    )


COLLECTOR = ServiceCollector(
    service=SERVICE, regional=True, collect=collect_opensearch, permissions=PERMISSIONS
)
