"""Typed ElastiCache asset models: Redis OSS / Valkey replication groups and cache clusters.

ElastiCache nodes only have private addresses (no public IP can be attached), so these assets
publish no ``endpoints``; how far the Internet gets towards them is judged from their subnets'
routes and their security groups.
"""

from __future__ import annotations

from cloudaudit.compact import Frozen
from cloudaudit.model.asset import Asset, asset_kind
from cloudaudit_aws.assets import security_group_arns

REDIS_ENGINES: frozenset[str] = frozenset({"redis", "valkey"})
"""Engines with AUTH / RBAC, backups and replication groups (Memcached has none of them)."""

NO_PASSWORD = "no-password"
"""DescribeUsers' authentication type of a user that accepts any password (Redis ACL ``nopass``)."""


class CacheUser(Frozen):
    """One RBAC user as DescribeUsers reports it (AWS never returns passwords, only their count,
    which is not kept either)."""

    user_id: str
    user_name: str
    """What clients send in AUTH; ``default`` is the user every connection starts as."""
    authentication_type: str = ""
    """``password``, ``no-password`` or ``iam``; empty when the answer has none."""
    access_string: str = ""
    """Redis ACL rules (``on ~* +@all``, ``off -@all``...)."""

    @property
    def enabled(self) -> bool:
        """Not switched ``off`` (the last ``on``/``off`` rule wins; neither counts as enabled)."""
        toggles = [t for t in self.access_string.lower().split() if t in ("on", "off")]
        return not toggles or toggles[-1] == "on"

    @property
    def grants_commands(self) -> bool:
        """Some command is allowed (``+cmd``, ``+@category``, ``allcommands``): ACL users start with none."""
        return any(t.startswith("+") or t == "allcommands" for t in self.access_string.lower().split())

    @property
    def open_without_password(self) -> bool:
        """Enabled, granted commands, and no password asked: AUTH succeeds with anything.

        For the ``default`` user no AUTH is even needed: every new connection is that user.
        """
        return self.authentication_type == NO_PASSWORD and self.enabled and self.grants_commands


class CacheUserGroup(Frozen):
    """An RBAC user group attached to a cache, with its users resolved."""

    user_group_id: str
    status: str = ""
    users: tuple[CacheUser, ...] = ()


class CacheStore(Asset):
    """What replication groups and cache clusters share (not an asset kind itself)."""

    engine: str = ""
    """redis, valkey or memcached."""
    engine_version: str = ""
    port: int = 0
    endpoint_address: str = ""
    """Private DNS name: configuration or primary endpoint (group), node or config endpoint (cluster)."""
    transit_encryption_enabled: bool = False
    transit_encryption_mode: str = ""
    """``required`` or ``preferred`` (plaintext still accepted); empty without transit encryption."""
    at_rest_encryption_enabled: bool = False
    auth_token_enabled: bool = False
    snapshot_retention_limit: int = 0
    """Days of automatic backups; 0 = off."""
    auto_minor_version_upgrade: bool = False
    subnet_group: str = ""
    subnet_ids: tuple[str, ...] = ()
    """Subnets of the cache subnet group."""
    security_group_ids: tuple[str, ...] = ()

    @property
    def redis_like(self) -> bool:
        """Redis OSS or Valkey (not Memcached)."""
        return self.engine.lower() in REDIS_ENGINES

    def network_controls(self) -> tuple[str, ...]:
        """Its security groups: they decide who reaches its endpoint."""
        return security_group_arns(self, self.security_group_ids)


@asset_kind("aws.elasticache.replication_group", service="elasticache")
class CacheReplicationGroup(CacheStore):
    """A Redis OSS / Valkey replication group (cluster mode enabled or disabled).

    The API reports subnets, security groups and engine version per member cluster only: they
    are joined here from the group's member clusters.
    """

    replication_group_id: str
    user_group_ids: tuple[str, ...] = ()
    """RBAC user groups (Redis OSS 6+ / Valkey)."""
    user_groups: tuple[CacheUserGroup, ...] = ()
    """The attached user groups with their users (DescribeUserGroups, DescribeUsers); ``user_groups``
    in ``unread`` when they could not all be read."""
    cluster_enabled: bool = False
    automatic_failover: str = ""
    """enabled, disabled, enabling or disabling."""
    member_clusters: tuple[str, ...] = ()


@asset_kind("aws.elasticache.cache_cluster", service="elasticache")
class CacheCluster(CacheStore):
    """A cache cluster: stand-alone Redis OSS / Valkey, Memcached, or a replication group member.

    Members (``replication_group_id`` set) are judged on their replication group.
    """

    cache_cluster_id: str
    replication_group_id: str = ""
    num_cache_nodes: int = 0
    node_addresses: tuple[str, ...] = ()


ALL_ELASTICACHE_ASSETS: tuple[type[Asset], ...] = (CacheReplicationGroup, CacheCluster)
