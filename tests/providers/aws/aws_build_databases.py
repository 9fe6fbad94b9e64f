"""Build ElastiCache and Redshift assets for check tests, without any cloud or emulator.

Identifiers follow the collectors: ElastiCache ARNs as AWS reports them
(``arn:aws:elasticache:{region}:{account}:replicationgroup|cluster:{id}``) and Redshift cluster
ARNs ``arn:aws:redshift:{region}:{account}:cluster:{id}``. Every builder returns a resource that
passes every check of its kind; keyword arguments override any field.

:func:`query_proxy` serves, on a local pytest-httpserver, the one Query-protocol call the emulator
lacks (in AWS's real XML wire format) and forwards every other call to moto's server unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs

import requests
from werkzeug import Request, Response

from aws_builders import ACCOUNT, PRIVATE_SUBNET, REGION
from cloudaudit_aws.assets_elasticache import CacheCluster, CacheReplicationGroup, CacheUser, CacheUserGroup
from cloudaudit_aws.assets_redshift import RedshiftCluster

PROVIDER = "aws"


def ec_arn(kind: str, ident: str) -> str:
    """ElastiCache ARN: ``kind`` is ``replicationgroup`` or ``cluster``."""
    return f"arn:aws:elasticache:{REGION}:{ACCOUNT}:{kind}:{ident}"


def rg_arn(ident: str) -> str:
    """Replication group id."""
    return ec_arn("replicationgroup", ident)


def cc_arn(ident: str) -> str:
    """Cache cluster id."""
    return ec_arn("cluster", ident)


def rs_arn(ident: str) -> str:
    """Redshift cluster id."""
    return f"arn:aws:redshift:{REGION}:{ACCOUNT}:cluster:{ident}"


def _hardened_cache(ident: str) -> dict[str, Any]:
    return {
        "provider": PROVIDER,
        "account": ACCOUNT,
        "region": REGION,
        "name": ident,
        "engine": "redis",
        "engine_version": "7.1",
        "port": 6380,
        "endpoint_address": f"{ident}.abc123.use1.cache.amazonaws.com",
        "transit_encryption_enabled": True,
        "transit_encryption_mode": "required",
        "at_rest_encryption_enabled": True,
        "auth_token_enabled": True,
        "snapshot_retention_limit": 7,
        "auto_minor_version_upgrade": True,
        "subnet_group": "cache-private",
        "subnet_ids": (PRIVATE_SUBNET,),
        "security_group_ids": ("sg-cache-app",),
    }


def cache_group(ident: str, **attrs: Any) -> CacheReplicationGroup:
    """A Redis OSS replication group that passes every check."""
    fields: dict[str, Any] = {
        **_hardened_cache(ident),
        "id": rg_arn(ident),
        "replication_group_id": ident,
        "automatic_failover": "enabled",
        "member_clusters": (f"{ident}-001", f"{ident}-002"),
    }
    fields.update(attrs)
    return CacheReplicationGroup(**fields)


def cache_user(
    user_id: str, name: str = "", auth: str = "password", access: str = "on ~* +@all"
) -> CacheUser:
    """An RBAC user (named after its id unless ``name``); a password user by default."""
    return CacheUser(
        user_id=user_id, user_name=name or user_id, authentication_type=auth, access_string=access
    )


BUILT_IN_DEFAULT = cache_user("default", auth="no-password")
"""The user every region starts with: ``default``, no password, ``on ~* +@all``."""
DEFAULT_OFF = cache_user("default-off", "default", auth="no-password", access="off -@all")
"""Its replacement as AWS documents it: named ``default``, switched off."""


def user_group(ident: str, *users: CacheUser) -> CacheUserGroup:
    """An active RBAC user group holding ``users``."""
    return CacheUserGroup(user_group_id=ident, status="active", users=users)


def cache_cluster(ident: str, **attrs: Any) -> CacheCluster:
    """A stand-alone Redis OSS cache cluster that passes every check."""
    fields: dict[str, Any] = {
        **_hardened_cache(ident),
        "id": cc_arn(ident),
        "cache_cluster_id": ident,
        "num_cache_nodes": 1,
    }
    fields.update(attrs)
    return CacheCluster(**fields)


def memcached(ident: str, **attrs: Any) -> CacheCluster:
    """A Memcached cluster (no AUTH, no backups, no at-rest encryption by design)."""
    fields: dict[str, Any] = {
        "engine": "memcached",
        "engine_version": "1.6.22",
        "port": 11212,
        "auth_token_enabled": False,
        "at_rest_encryption_enabled": False,
        "snapshot_retention_limit": 0,
        "num_cache_nodes": 2,
    }
    fields.update(attrs)
    return cache_cluster(ident, **fields)


def redshift(ident: str, **attrs: Any) -> RedshiftCluster:
    """A Redshift cluster that passes every check."""
    fields: dict[str, Any] = {
        "provider": PROVIDER,
        "account": ACCOUNT,
        "region": REGION,
        "id": rs_arn(ident),
        "name": ident,
        "identifier": ident,
        "node_type": "ra3.xlplus",
        "endpoint_address": f"{ident}.c1a2b3.{REGION}.redshift.amazonaws.com",
        "port": 5440,
        "master_username": "warehouse_owner",
        "db_name": "analytics",
        "encrypted": True,
        "enhanced_vpc_routing": True,
        "vpc_id": "vpc-0a1b2c3d4e5f60718",
        "vpc_security_group_ids": ("sg-rs-app",),
        "subnet_group": "warehouse-private",
        "subnet_ids": (PRIVATE_SUBNET,),
        "parameter_groups": ("require-ssl",),
        "require_ssl": True,
        "automated_snapshot_retention_period": 7,
        "allow_version_upgrade": True,
        "audit_logging": True,
        "log_destination": "cloudwatch",
    }
    fields.update(attrs)
    return RedshiftCluster(**fields)


# ----------------------------------------------------------------------------------- local wire server


def access_denied(action: str, service: str, namespace: str) -> tuple[int, str]:
    """AWS's Query-protocol AccessDenied answer (HTTP 403) for ``service:action``."""
    return 403, (
        f'<ErrorResponse xmlns="{namespace}"><Error><Type>Sender</Type><Code>AccessDenied</Code>'
        f"<Message>User: arn:aws:iam::{ACCOUNT}:user/auditor is not authorized to perform: "
        f"{service}:{action}</Message></Error><RequestId>req-denied-1</RequestId></ErrorResponse>"
    )


def query_proxy(
    moto: str, answers: Mapping[str, tuple[int, str]], calls: list[dict[str, str]]
) -> Callable[[Request], Response]:
    """A pytest-httpserver handler: ``answers`` (action -> (status, XML)) are served locally, every
    other action is forwarded to moto's server as sent (moto reads the service from the signature).
    Each request's form parameters are appended to ``calls``."""

    def handle(request: Request) -> Response:
        body = request.get_data()
        params = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        calls.append(params)
        action = params.get("Action", "")
        if action in answers:
            status, xml = answers[action]
            return Response(xml, status=status, content_type="text/xml")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        upstream = requests.post(moto, data=body, headers=headers, timeout=30)
        return Response(
            upstream.content,
            status=upstream.status_code,
            content_type=upstream.headers.get("Content-Type", "text/xml"),
        )

    return handle
