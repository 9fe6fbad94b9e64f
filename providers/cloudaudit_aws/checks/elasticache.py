"""ElastiCache checks: unauthenticated caches, encryption, network placement and hardening.

Every check exists for replication groups (Redis OSS / Valkey) and for stand-alone cache
clusters (Redis OSS / Valkey without a group, and Memcached). Member clusters of a replication
group are silent: the group is judged. ElastiCache has no client authentication for Memcached
(AUTH tokens, RBAC user groups and IAM authentication are Valkey / Redis OSS only): the
authentication check passes it as not applicable, and its risk is judged where it lies, by the
subnet and security group checks. ElastiCache nodes never get a public address, so the
network grade is "how far the Internet gets": a subnet routing to an Internet gateway plus a
security group open to the Internet on the cache port leave only the missing public address
between the cache and the Internet (one NAT/proxy/peering change away, and reachable from every
host in those subnets).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from cloudaudit.engine.declarative import expect
from cloudaudit.engine.outcome import Outcome, fail, passed, unknown
from cloudaudit.engine.predicates import differs_from, is_true, one_of, positive, predicate
from cloudaudit.engine.registry import check
from cloudaudit.exposure.proofs import CACHE_WITHOUT_AUTH
from cloudaudit.model.asset import Asset
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit.model.network import NetworkExposure, Reachability, ports_of
from cloudaudit_aws.assets_elasticache import CacheCluster, CacheReplicationGroup, CacheStore
from cloudaudit_aws.checks.reachability import PortRules, internet_routes, rules_for_port, typed_path

DEFAULT_PORTS: dict[str, int] = {"redis": 6379, "valkey": 6379, "memcached": 11211}
"""Engine -> its default port."""

Hop = dict[str, str]
Judge = Callable[[CacheStore, Inventory], Iterator[Outcome]]
Network = Literal["internet", "routed", "private", "unknown"]

_REACHABILITY: dict[Network, Reachability] = {
    "internet": "private",
    "routed": "private",
    "private": "private",
    "unknown": "unknown",
}
"""ElastiCache nodes never have a public address: however open their path, the Internet cannot connect."""


def _label(store: CacheStore) -> str:
    kind = "Replication group" if isinstance(store, CacheReplicationGroup) else "Cache cluster"
    return f"{kind} {store.name}"


def _is_member(store: CacheStore) -> bool:
    return isinstance(store, CacheCluster) and bool(store.replication_group_id)


CACHE_STORES: dict[type[Asset], str] = {
    CacheReplicationGroup: "replication group",
    CacheCluster: "cache cluster",
}
"""Both kinds of cache a declaration covers, with their labels (``{kind}`` in ids and titles)."""


@predicate("is judged on its own (not a member cluster of a replication group)")
def judged_alone(store: CacheStore) -> bool:
    """Member clusters are silent: their replication group is judged."""
    return not _is_member(store)


@predicate("runs Redis OSS or Valkey and is judged on its own")
def redis_like_alone(store: CacheStore) -> bool:
    """Backups and at-rest encryption exist for Redis OSS/Valkey only (Memcached keeps nothing on disk)."""
    return store.redis_like and not _is_member(store)


@predicate("is placed in a cache subnet group and judged on its own")
def in_a_subnet_group(store: CacheStore) -> bool:
    """A cache outside any subnet group (EC2-Classic era) has nothing to judge."""
    return bool(store.subnet_group) and not _is_member(store)


# ---------------------------------------------------------------------------------- network


@dataclass(frozen=True)
class Placement:
    """Where a cache sits: its subnets' routes and the security group rules open on its port."""

    network: Network
    route_hops: tuple[Hop, ...]
    open_rules: tuple[Hop, ...]
    not_collected: tuple[str, ...]
    """Subnets, security groups (or the port) the grade could not see."""
    rules_unread: tuple[str, ...] = ()
    """Security groups (or ``port``) whose rules could not be judged."""

    def evidence(self, store: CacheStore) -> dict[str, object]:
        """JSON-ready evidence: subnets, groups, the hops that justify the grade."""
        out: dict[str, object] = {
            "network": self.network,
            "subnets": list(store.subnet_ids),
            "security_groups": list(store.security_group_ids),
            "path": [*self.route_hops, *self.open_rules],
        }
        if self.not_collected:
            out["not_collected"] = list(self.not_collected)
        return out

    def network_facts(self, store: CacheStore) -> NetworkExposure:
        """The placement as a finding's network facts (the cache port, no public address)."""
        return NetworkExposure(
            addresses=store.public_addresses(),
            ports=() if "port" in store.unread else ports_of([store.port]),
            reachability=_REACHABILITY[self.network],
            path=typed_path((*self.route_hops, *self.open_rules)),
        )

    def describe(self, port: int) -> str:
        """One clause for a finding message."""
        if self.network == "unknown":
            missing = ", ".join(self.not_collected) or "its subnets"
            return f"its network placement could not be determined ({missing} not collected)"
        if self.network == "private":
            return "none of its subnets routes to an Internet gateway"
        routed = self.route_hops[0]["detail"]
        if self.network == "internet":
            rules = "; ".join(h["detail"] for h in self.open_rules)
            return f"subnet {routed} and port {port} is open to the Internet ({rules})"
        if self.rules_unread:
            missing = ", ".join(self.rules_unread)
            return f"subnet {routed}; its security group rules could not be judged ({missing} not collected)"
        return f"subnet {routed}; no security group opens port {port} to the Internet"


def placement(store: CacheStore, inventory: Inventory) -> Placement:
    """Grade a cache's subnets (``internet_routes``) and security groups (rules on its port)."""
    if "subnet_ids" in store.unread:
        return Placement("unknown", (), (), ("subnet_ids",))
    routes = internet_routes(
        inventory, account=store.account, region=store.region, subnet_ids=store.subnet_ids
    )
    rules = (
        PortRules((), (), ())
        if "port" in store.unread
        else rules_for_port(inventory, store.account, store.region, store.security_group_ids, store.port)
    )
    hops, unread_groups = rules.open, rules.unread
    rules_unread = (*unread_groups, *(("port",) if "port" in store.unread else ()))
    state = routes.state
    if state == "no":
        network: Network = "private"
    elif state == "unknown":
        network = "unknown"
    else:
        network = "internet" if hops else "routed"
    return Placement(network, routes.hops, tuple(hops), (*routes.unread, *rules_unread), rules_unread)


# ---------------------------------------------------------------------------------- registration


def _register(
    name: str,
    title: str,
    severity: Severity,
    requires: tuple[str, ...],
    rationale: str,
    remediation: str,
    judge: Judge,
    *,
    groups: bool = True,
    clusters: bool = True,
    group_requires: tuple[str, ...] = (),
    also_collect: tuple[str, ...] = (),
    exploited_by: tuple[str, ...] = (),
) -> None:
    """Register the check for replication groups and/or stand-alone cache clusters.

    ``group_requires``: further attributes only replication groups have (their RBAC user groups).
    """

    def run(store: CacheStore, inventory: Inventory) -> Iterator[Outcome]:
        if not _is_member(store):
            yield from judge(store, inventory)

    for kind, label in CACHE_STORES.items():
        if not (groups if kind is CacheReplicationGroup else clusters):
            continue
        check(
            id=f"aws.elasticache.{{kind}}_{name}",
            title=f"ElastiCache {{kind}} {title}",
            severity=severity,
            asset={kind: label},
            requires=(*requires, *(group_requires if kind is CacheReplicationGroup else ())),
            also_collect=also_collect,
            exploited_by=exploited_by,
            rationale=rationale,
            remediation=remediation,
        )(run)


# ---------------------------------------------------------------------------------- authentication


def _rbac_users(store: CacheReplicationGroup, open_only: bool) -> list[dict[str, str]]:
    """The users of its attached user groups (only those that ask no password with ``open_only``),
    the ``default`` user first: group, id, name, authentication type and access string (no secret:
    AWS reports none, and nothing else of a user is kept)."""
    found = [
        {
            "user_group_id": group.user_group_id,
            "user_id": user.user_id,
            "user_name": user.user_name,
            "authentication_type": user.authentication_type,
            "access_string": user.access_string,
        }
        for group in store.user_groups
        for user in group.users
        if user.open_without_password or not open_only
    ]
    return sorted(found, key=lambda u: u["user_name"] != "default")


def _open_user(user: dict[str, str], engine: str) -> str:
    """What a user without a password lets anyone do, naming its group and the user."""
    who = (
        f"RBAC user group {user['user_group_id']} holds user {user['user_name']} (id {user['user_id']}) "
        f"with authentication {user['authentication_type']} and access string '{user['access_string']}'"
    )
    if user["user_name"] == "default":
        return f"accepts unauthenticated {engine} connections: {who}"
    return f"accepts {engine} connections with any password: {who}"


NETWORK_CHECKS = ("aws.elasticache.cache_cluster_internet_routable_subnet", "aws.ec2.sg_open_database_ports")
"""The checks that judge a Memcached cluster's real risk: who can reach its port."""


def _without_auth_feature(store: CacheStore) -> Outcome:
    """Memcached: not applicable (no authentication exists to enable); an unknown engine: UNKNOWN."""
    evidence: dict[str, object] = {"engine": store.engine, "engine_version": store.engine_version}
    if store.engine.lower() != "memcached":
        return unknown(
            f"{_label(store)} runs engine '{store.engine}': "
            "whether it can authenticate clients is not known.",
            evidence,
        )
    evidence |= {"authentication": "not available for Memcached", "judged_by": list(NETWORK_CHECKS)}
    return passed(
        f"{_label(store)} runs Memcached: not applicable, ElastiCache has no client authentication for "
        "Memcached (AUTH tokens, RBAC user groups and IAM authentication exist for Valkey and Redis OSS "
        "only), so there is nothing to enable. The network is its only control: its subnets and "
        f"security groups are judged by {' and '.join(NETWORK_CHECKS)}.",
        evidence,
    )


def _auth(store: CacheStore, inventory: Inventory) -> Iterator[Outcome]:
    """Redis/Valkey without AUTH token, or whose RBAC user groups still let clients in without a
    password (the built-in ``default`` user left enabled), graded by placement; Memcached, which has
    no authentication to enable, is not applicable."""
    if not store.redis_like:
        yield _without_auth_feature(store)
        return
    group = store if isinstance(store, CacheReplicationGroup) else None
    user_groups = group.user_group_ids if group else ()
    if store.auth_token_enabled:
        yield passed(f"{_label(store)} requires authentication (an AUTH token).")
        return
    open_users: list[dict[str, str]] = []
    if group and user_groups:
        read = {g.user_group_id for g in group.user_groups}
        not_read = [g for g in user_groups if g not in read]
        if not_read:
            yield unknown(
                f"{_label(store)}: the users of RBAC user group(s) {', '.join(not_read)} were not collected.",
                {"user_group_ids": list(user_groups)},
            )
            return
        open_users = _rbac_users(group, open_only=True)
        if not open_users:
            yield passed(
                f"{_label(store)} requires authentication (RBAC user group(s) {', '.join(user_groups)}; "
                "no enabled user without a password).",
                {"user_group_ids": list(user_groups), "users": _rbac_users(group, open_only=False)},
            )
            return
    where = placement(store, inventory)
    evidence: dict[str, object] = {
        "engine": store.engine,
        "engine_version": store.engine_version,
        "auth_token_enabled": store.auth_token_enabled,
        "port": store.port,
        **where.evidence(store),
        "user_group_ids": list(user_groups),
    }
    grade = Severity.CRITICAL if where.network == "internet" else Severity.HIGH
    if open_users:
        evidence["users_without_password"] = open_users
        more = len(open_users) - 1
        what = _open_user(open_users[0], store.engine) + (
            f" (and {more} more user(s) without a password)" if more else ""
        )
    else:
        what = f"accepts {store.engine} connections without an AUTH token or RBAC user group"
    yield fail(
        f"{_label(store)} {what}; {where.describe(store.port)}.", evidence, grade, where.network_facts(store)
    )


_register(
    "auth_disabled",
    "accepts unauthenticated connections",
    Severity.HIGH,
    ("engine", "auth_token_enabled"),
    """A cache with authentication disabled answers anyone who can open a TCP connection to it
    (OWASP API7:2019 scenario: a database with authentication disabled): every cached session,
    token and queue item can be read, changed or flushed, and Redis CONFIG/EVAL can be abused.
    An RBAC user group does not help while it holds the built-in default user (no password,
    access string "on ~* +@all"): every connection starts as that user. A subnet routed to an
    Internet gateway with the port open to 0.0.0.0/0 leaves one step to the Internet. Memcached
    clusters pass as not applicable: ElastiCache offers them no authentication to enable, so their
    subnets and security groups are judged instead (internet_routable_subnet, sg_open_database_ports).""",
    """Redis OSS 6+/Valkey: attach an RBAC user group (aws elasticache modify-replication-group
    --user-group-ids-to-add ...) whose default user is replaced by one with access string "off"
    and whose users all have passwords or IAM authentication; earlier Redis: set an AUTH token
    with in-transit encryption (--auth-token --auth-token-update-strategy ROTATE).""",
    _auth,
    group_requires=("user_groups",),
    also_collect=("ec2",),
    exploited_by=CACHE_WITHOUT_AUTH,
)


# ---------------------------------------------------------------------------------- encryption


def _transit(store: CacheStore, inventory: Inventory) -> Iterator[Outcome]:
    evidence = {
        "transit_encryption_enabled": store.transit_encryption_enabled,
        "transit_encryption_mode": store.transit_encryption_mode,
    }
    if not store.transit_encryption_enabled:
        yield fail(f"{_label(store)} has no in-transit encryption: clients talk in plaintext.", evidence)
    elif store.transit_encryption_mode == "preferred":
        yield fail(
            f"{_label(store)} has TLS in mode 'preferred': plaintext connections are still accepted.",
            evidence,
            Severity.LOW,
        )
    else:
        yield passed(f"{_label(store)} requires TLS in transit.", evidence)


_register(
    "transit_encryption",
    "does not require encryption in transit",
    Severity.MEDIUM,
    ("transit_encryption_enabled", "transit_encryption_mode"),
    """Without TLS, AUTH tokens, RBAC passwords and cached data cross the network in plaintext;
    in mode "preferred" TLS is offered but plaintext clients are still accepted.""",
    """Enable in-transit encryption and set the mode to required (aws elasticache
    modify-replication-group --transit-encryption-enabled --transit-encryption-mode required, after
    a migration through "preferred"); Memcached 1.6.12+ supports TLS at creation.""",
    _transit,
)


expect(
    id="aws.elasticache.{kind}_at_rest_encryption",
    title="ElastiCache {kind} is not encrypted at rest",
    severity=Severity.MEDIUM,
    asset=CACHE_STORES,
    attr="at_rest_encryption_enabled",
    ok=is_true,
    when=redis_like_alone,
    requires=("engine",),
    pass_msg="ElastiCache {kind} {name} is encrypted at rest.",
    fail_msg="ElastiCache {kind} {name} is not encrypted at rest (backups and swap are in plaintext).",
    rationale="""Redis OSS/Valkey snapshots, backups exported to S3 and data on node disks are readable by
    anyone who obtains a copy when at-rest encryption is off.""",
    remediation="""At-rest encryption is set at creation: create a replication group with
    --at-rest-encryption-enabled (optionally a KMS key) from a backup and switch clients over.""",
)


# ---------------------------------------------------------------------------------- network placement


def _routable(store: CacheStore, inventory: Inventory) -> Iterator[Outcome]:
    routes = internet_routes(
        inventory, account=store.account, region=store.region, subnet_ids=store.subnet_ids
    )
    evidence: dict[str, object] = {"subnets": list(store.subnet_ids), "path": list(routes.hops)}
    if routes.unread:
        evidence["not_collected"] = list(routes.unread)
    if routes.state == "yes":
        more = len(routes.hops) - 1
        yield fail(
            f"{_label(store)} sits in a public subnet: {routes.hops[0]['detail']}"
            + (f" (and {more} more public subnet(s))." if more else "."),
            evidence,
        )
    elif routes.state == "no":
        yield passed(f"{_label(store)} sits in private subnets only.", evidence)
    else:
        missing = ", ".join(routes.unread) or "no subnet recorded"
        yield unknown(f"{_label(store)}: the routes of its subnets are unknown ({missing}).", evidence)


_register(
    "internet_routable_subnet",
    "is in a subnet routed to an Internet gateway",
    Severity.MEDIUM,
    ("subnet_ids",),
    """Caches belong in private subnets: a subnet with a default route to an Internet gateway is
    one security group or address change away from exposing the cache, and shares its network
    with Internet-facing hosts.""",
    """Move the cache to a cache subnet group whose subnets have no route to an Internet gateway
    (create the group, then migrate or recreate the cache in it).""",
    _routable,
    also_collect=("ec2",),
)


def _default_port(store: CacheStore, inventory: Inventory) -> Iterator[Outcome]:
    expected = DEFAULT_PORTS.get(store.engine.lower())
    if expected is None:
        return
    evidence = {"engine": store.engine, "port": store.port}
    network = NetworkExposure(addresses=store.public_addresses(), ports=ports_of([store.port]))
    if store.port == expected:
        yield fail(
            f"{_label(store)} ({store.engine}) listens on the default port {store.port}.",
            evidence,
            network=network,
        )
    else:
        yield passed(f"{_label(store)} uses non-default port {store.port}.", evidence, network)


_register(
    "default_port",
    "uses its engine's default port",
    Severity.LOW,
    ("engine", "port"),
    """Internet-wide scans for open Redis (6379) and Memcached (11211) try the default ports first;
    a non-default port is a small extra hurdle (defence in depth, not a control on its own).""",
    """Choose a non-default port when creating the cache (--port); the port cannot be changed in
    place.""",
    _default_port,
)


expect(
    id="aws.elasticache.{kind}_default_subnet_group",
    title="ElastiCache {kind} uses the default subnet group",
    severity=Severity.LOW,
    asset=CACHE_STORES,
    attr="subnet_group",
    ok=differs_from("default", "is not the default subnet group"),
    when=in_a_subnet_group,
    pass_msg="ElastiCache {kind} {name} uses cache subnet group {value}.",
    fail_msg="ElastiCache {kind} {name} uses the default cache subnet group.",
    rationale="""The default subnet group spans the default VPC's subnets, which are public (routed to an
    Internet gateway) unless someone changed them.""",
    remediation="""Create a cache subnet group of private subnets and create the cache in it.""",
)


# ---------------------------------------------------------------------------------- resilience


expect(
    id="aws.elasticache.{kind}_backups",
    title="ElastiCache {kind} has automatic backups disabled",
    severity=Severity.LOW,
    asset=CACHE_STORES,
    attr="snapshot_retention_limit",
    ok=positive,
    when=redis_like_alone,
    requires=("engine",),
    pass_msg="ElastiCache {kind} {name} keeps automatic backups for {value} day(s).",
    fail_msg="ElastiCache {kind} {name} has automatic backups disabled (retention 0 days).",
    rationale="""Without automatic backups, data lost to a FLUSHALL by an intruder, a bad deploy or a node
    failure cannot be restored.""",
    remediation="""aws elasticache modify-replication-group --snapshot-retention-limit 7 --apply-immediately
    (modify-cache-cluster for stand-alone clusters).""",
)

expect(
    id="aws.elasticache.{kind}_auto_minor_upgrade",
    title="ElastiCache {kind} does not apply minor engine upgrades automatically",
    severity=Severity.LOW,
    asset=CACHE_STORES,
    attr="auto_minor_version_upgrade",
    ok=is_true,
    when=judged_alone,
    pass_msg="ElastiCache {kind} {name} applies minor engine upgrades automatically.",
    fail_msg="ElastiCache {kind} {name} has automatic minor version upgrade turned off.",
    rationale="""Minor versions carry security fixes; without automatic upgrades known vulnerabilities stay
    open until someone patches by hand.""",
    remediation="""aws elasticache modify-replication-group --auto-minor-version-upgrade --apply-immediately
    (modify-cache-cluster for stand-alone clusters).""",
)

expect(
    id="aws.elasticache.replication_group_automatic_failover",
    title="ElastiCache replication group has automatic failover disabled",
    severity=Severity.LOW,
    asset=CacheReplicationGroup,
    attr="automatic_failover",
    ok=one_of(("enabled", "enabling"), "is enabled or enabling"),
    pass_msg="ElastiCache replication group {name} has automatic failover {value}.",
    fail_msg="ElastiCache replication group {name} has automatic failover {value}.",
    rationale="""Without automatic failover, the loss of the primary node stops writes until someone
    promotes a replica by hand.""",
    remediation="""Add a replica and enable failover: aws elasticache modify-replication-group
    --automatic-failover-enabled --apply-immediately.""",
)
