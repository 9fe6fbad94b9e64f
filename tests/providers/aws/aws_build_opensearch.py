"""Build OpenSearch domain assets for check tests (ids as the collector gives them)."""

from __future__ import annotations

from typing import Any

from aws_builders import ACCOUNT, PROVIDER, REGION
from cloudaudit.model.asset import Endpoint
from cloudaudit_aws.assets_opensearch import OpenSearchDomain

VPC_ID = "vpc-0a1b2c3d4e5f60718"


def domain_arn(name: str, region: str = REGION, account: str = ACCOUNT) -> str:
    """The id the OpenSearch collector gives a domain."""
    return f"arn:aws:es:{region}:{account}:domain/{name}"


def statement(principal: object = "*", **condition: Any) -> dict[str, Any]:
    """An Allow es:* statement for ``principal`` on every domain of the account."""
    stmt: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "es:*",
        "Resource": f"arn:aws:es:{REGION}:{ACCOUNT}:domain/*",
    }
    if condition:
        stmt["Condition"] = condition
    return stmt


def access_policy(*statements: dict[str, Any]) -> dict[str, Any]:
    """A domain access policy document."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


OPEN_POLICY = access_policy(statement({"AWS": "*"}))
ROLE_POLICY = access_policy(statement({"AWS": f"arn:aws:iam::{ACCOUNT}:role/search-api"}))
OFFICE_POLICY = access_policy(statement("*", IpAddress={"aws:SourceIp": ["203.0.113.0/24"]}))


def public_endpoints(host: str, https_only: bool) -> tuple[Endpoint, ...]:
    """What the collector publishes for a public domain."""
    ports = (443,) if https_only else (443, 80)
    return tuple(Endpoint(host=host, from_port=p, to_port=p, via="OpenSearch public endpoint") for p in ports)


def domain(name: str, **attrs: Any) -> OpenSearchDomain:
    """A public domain with the model's defaults (nothing enabled); ``attrs`` override any field."""
    host = f"search-{name}-abc123.{REGION}.es.amazonaws.com"
    fields: dict[str, Any] = {
        "provider": PROVIDER,
        "account": ACCOUNT,
        "region": REGION,
        "id": domain_arn(name),
        "name": name,
        "domain_name": name,
        "engine_version": "OpenSearch_2.13",
        "endpoint": host,
        "tls_security_policy": "Policy-Min-TLS-1-0-2019-07",
        "instance_count": 1,
    }
    fields.update(attrs)
    if not fields.get("in_vpc") and "endpoints" not in attrs:
        fields["endpoints"] = public_endpoints(fields["endpoint"], bool(fields.get("enforce_https")))
    return OpenSearchDomain(**fields)


def hardened_domain(name: str, **attrs: Any) -> OpenSearchDomain:
    """A VPC domain that passes every OpenSearch check; ``attrs`` override any field."""
    fields: dict[str, Any] = {
        "in_vpc": True,
        "endpoint": "",
        "endpoints": (),
        "vpc_id": VPC_ID,
        "vpc_endpoint": f"vpc-{name}-xyz789.{REGION}.es.amazonaws.com",
        "subnet_ids": ("subnet-a", "subnet-b", "subnet-c"),
        "security_group_ids": ("sg-search",),
        "access_policy": ROLE_POLICY,
        "enforce_https": True,
        "tls_security_policy": "Policy-Min-TLS-1-2-PFS-2023-10",
        "node_to_node_encryption": True,
        "encryption_at_rest": True,
        "fine_grained_access_control": True,
        "published_logs": ("AUDIT_LOGS", "ES_APPLICATION_LOGS"),
        "instance_count": 3,
        "zone_awareness": True,
        "dedicated_master": True,
    }
    fields.update(attrs)
    return domain(name, **fields)


def public_hardened(name: str, **attrs: Any) -> OpenSearchDomain:
    """A hardened domain with a public endpoint instead of a VPC one."""
    host = f"search-{name}-abc123.{REGION}.es.amazonaws.com"
    fields: dict[str, Any] = {
        "in_vpc": False,
        "vpc_id": "",
        "vpc_endpoint": "",
        "subnet_ids": (),
        "security_group_ids": (),
        "endpoint": host,
        "endpoints": public_endpoints(host, https_only=True),
    }
    fields.update(attrs)
    return hardened_domain(name, **fields)


def worst_domain() -> OpenSearchDomain:
    """A public domain that fails every OpenSearch check."""
    return domain(
        "os-worst",
        engine_version="Elasticsearch_6.8",
        access_policy=OPEN_POLICY,
        anonymous_auth=True,
        update_available=True,
        service_software_version="R20230101",
        new_service_software_version="R20240601",
    )
