"""RDS checks: publicly reachable databases and snapshots, and hardening of DB instances.

Covers RDS, Aurora, DocumentDB and Neptune (all read through the RDS API). Public access is
graded by the network path (:mod:`.reachability`): publicly accessible, a subnet of the DB subnet
group routing to an Internet gateway, and a security group allowing the port from the Internet.
Instances that belong to a cluster inherit deletion protection from it and are judged on the
cluster. Their port and IAM database authentication are the cluster's too (Aurora, Neptune and
Multi-AZ DB clusters set them on the cluster; a member's own ``IAMDatabaseAuthenticationEnabled``
stays false): those checks judge a member by its cluster's setting, and say UNKNOWN when the cluster
was not collected.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cloudaudit.engine.declarative import expect
from cloudaudit.engine.outcome import Outcome, fail, passed, unknown
from cloudaudit.engine.predicates import is_false, is_true, none_of, positive, predicate
from cloudaudit.engine.registry import check
from cloudaudit.exposure.proofs import UNAUTHENTICATED_SERVICE
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit.model.network import NetworkExposure
from cloudaudit_aws.assets_rds import RdsCluster, RdsInstance, RdsSnapshot
from cloudaudit_aws.checks.reachability import public_access_outcome

DEFAULT_PORTS: dict[str, int] = {
    "aurora-mysql": 3306,
    "aurora-postgresql": 5432,
    "aurora": 3306,
    "mysql": 3306,
    "mariadb": 3306,
    "postgres": 5432,
    "sqlserver": 1433,
    "custom-sqlserver": 1433,
    "oracle": 1521,
    "custom-oracle": 1521,
    "docdb": 27017,
    "neptune": 8182,
}
"""Engine (or engine family before the edition, e.g. ``sqlserver-se``) -> its default port."""

DEFAULT_USERNAMES: frozenset[str] = frozenset(
    {"admin", "postgres", "root", "sa", "master", "administrator", "user", "test", "dbadmin"}
)

IAM_AUTH_ENGINES: frozenset[str] = frozenset(
    {"mysql", "mariadb", "postgres", "aurora", "aurora-mysql", "aurora-postgresql", "neptune"}
)
"""Engines that support IAM database authentication."""


@predicate("runs an engine that supports IAM database authentication")
def supports_iam_auth(db: RdsInstance) -> bool:
    """MySQL, MariaDB, PostgreSQL, Aurora and Neptune (not SQL Server, Oracle, Db2, DocumentDB)."""
    return db.engine.lower() in IAM_AUTH_ENGINES


@predicate("is a stand-alone DB instance (not a cluster member)")
def stand_alone(db: RdsInstance) -> bool:
    """Cluster members take deletion protection from their cluster, which is judged instead."""
    return not db.cluster_identifier


ClusterKey = tuple[str, str, str]
"""(account, region, DB cluster identifier)."""


@dataclass(frozen=True)
class ClusterIndex:
    """The inventory's DB clusters by (account, region, identifier), and why a region's were not read."""

    clusters: dict[ClusterKey, RdsCluster]
    unread: dict[tuple[str, str], str]
    """(account, region) -> the failed DescribeDBClusters listing (or collection) of that region;
    region "" for a whole account."""

    @classmethod
    def build(cls, inventory: Inventory) -> ClusterIndex:
        """Index the clusters and the gaps that may hide one (built once per evaluation)."""
        clusters = {(c.account, c.region, c.identifier): c for c in inventory.of(RdsCluster)}
        unread = {
            (g.account, g.region): f"{g.operation}: {g.error_code or g.message}"
            for g in inventory.gaps
            if g.provider == "aws"
            and g.service in ("rds", "")
            and not g.resource_id
            and g.operation.lower() in ("describedbclusters", "collect")
        }
        return cls(clusters, unread)

    def cluster_of(self, db: RdsInstance, attr: str) -> RdsCluster | str:
        """The member's DB cluster, or why its ``attr`` cannot be read from it."""
        found = self.clusters.get((db.account, db.region, db.cluster_identifier))
        name = f"DB cluster {db.cluster_identifier}"
        if found is None:
            why = self.unread.get((db.account, db.region)) or self.unread.get((db.account, ""))
            return f"{name} was not collected ({why})" if why else f"{name} is not in the inventory"
        if attr in found.unread:
            return f"{attr} of {name} was not read ({found.unread[attr]})"
        return found


def member_cluster(db: RdsInstance, inventory: Inventory, attr: str) -> RdsCluster | str:
    """The DB cluster ``db`` belongs to (it holds the member's ``attr``), or why it cannot be read."""
    return inventory.derived("aws.rds.cluster_index", ClusterIndex.build).cluster_of(db, attr)


def cluster_unread(db: RdsInstance, takes: str, why: str, network: NetworkExposure | None = None) -> Outcome:
    """UNKNOWN for a cluster member whose setting (``takes``: what it takes from its cluster) is its
    cluster's, when the cluster could not be read (``why``)."""
    return unknown(
        f"DB instance {db.identifier} {takes}, which could not be read: {why}.",
        {"db_cluster": db.cluster_identifier},
        network,
    )


def default_port(engine: str) -> int | None:
    """The engine's default port; None for an engine we do not know."""
    engine = engine.lower()
    if engine in DEFAULT_PORTS:
        return DEFAULT_PORTS[engine]
    family = engine.rsplit("-", 1)[0]
    return DEFAULT_PORTS.get(family)


# ---------------------------------------------------------------------------------- public access


def _noun(db: RdsInstance | RdsCluster) -> str:
    return "DB cluster" if isinstance(db, RdsCluster) else "DB instance"


_PUBLIC_REMEDIATION = """Set PubliclyAccessible to false (aws rds modify-db-instance
    --no-publicly-accessible; a Multi-AZ DB cluster cannot be changed in place: restore a snapshot of it
    with --no-publicly-accessible), keep databases in private subnets, and allow the port only from the
    application's security group."""

_PUBLIC_RATIONALE = """A publicly accessible database gets a public DNS name and address; with a security
    group open to the Internet on its port it is found by scanners and brute-forced."""


@check(
    id="aws.rds.{kind}_publicly_accessible",
    title="RDS DB {kind} is publicly accessible",
    severity=Severity.CRITICAL,
    asset={RdsInstance: "instance", RdsCluster: "cluster"},
    requires=("publicly_accessible", "vpc_security_group_ids", "subnet_ids"),
    also_collect=("ec2",),
    rationale=_PUBLIC_RATIONALE,
    remediation=_PUBLIC_REMEDIATION,
    exploited_by=UNAUTHENTICATED_SERVICE,
)
def publicly_accessible(db: RdsInstance | RdsCluster, inventory: Inventory) -> Outcome:
    """PubliclyAccessible (instances and Multi-AZ DB clusters), graded by the network path (subnet
    route + security group rule on the port)."""
    return public_access_outcome(
        inventory,
        subject=f"{_noun(db)} {db.identifier}",
        resource=db,
        public=db.publicly_accessible,
        host=db.endpoint_address,
        port=db.port,
        subnet_ids=db.subnet_ids,
        security_group_ids=db.vpc_security_group_ids,
    )


expect(
    id="aws.rds.snapshot_public",
    title="RDS snapshot can be restored by any AWS account",
    severity=Severity.CRITICAL,
    asset=RdsSnapshot,
    attr="public",
    ok=is_false,
    pass_msg="Snapshot {name} is not public.",
    fail_msg="Snapshot {name} is public: any AWS account can restore it and read its data.",
    rationale="""A snapshot whose restore attribute contains "all" can be copied and restored by anyone
        with an AWS account: the whole database leaks.""",
    remediation="""aws rds modify-db-snapshot-attribute --attribute-name restore --values-to-remove all
        (modify-db-cluster-snapshot-attribute for cluster snapshots); share with named accounts only.""",
)


# ---------------------------------------------------------------------------------- hardening


@check(
    id="aws.rds.instance_default_port",
    title="RDS DB instance uses its engine's default port",
    severity=Severity.LOW,
    asset=RdsInstance,
    requires=("engine", "port"),
    rationale="""Automated scans try the default port of each engine first; a non-default port is a
        small extra hurdle (defence in depth, not a control on its own).""",
    remediation="Move the database to a non-default port (aws rds modify-db-instance --db-port-number).",
)
def instance_default_port(db: RdsInstance, inventory: Inventory) -> Iterator[Outcome]:
    """Port equal to the engine's default; silent for engines without a known default. A cluster
    member listens on its cluster's port: it is judged by the cluster's."""
    expected = default_port(db.engine)
    if expected is None:
        return
    network = db.endpoint_network()
    if db.cluster_identifier:
        cluster = member_cluster(db, inventory, "port")
        if isinstance(cluster, str):
            yield cluster_unread(db, "listens on its cluster's port", cluster, network)
            return
        evidence = {"engine": db.engine, "port": cluster.port, "db_cluster": cluster.id}
        if not cluster.port:
            yield unknown(
                f"DB instance {db.identifier} listens on the port of DB cluster {cluster.identifier}, "
                "which reports none.",
                evidence,
                network,
            )
        elif cluster.port == expected:
            yield fail(
                f"DB instance {db.identifier} ({db.engine}) listens on the default port {cluster.port} of "
                f"its DB cluster {cluster.identifier} (the port is set on the cluster).",
                evidence,
                network=network,
            )
        else:
            yield passed(
                f"DB instance {db.identifier} uses non-default port {cluster.port} of its DB cluster "
                f"{cluster.identifier}.",
                evidence,
                network,
            )
        return
    if db.port == expected:
        yield fail(
            f"DB instance {db.identifier} ({db.engine}) listens on the default port {db.port}.",
            {"engine": db.engine, "port": db.port},
            network=network,
        )
    else:
        yield passed(
            f"DB instance {db.identifier} uses non-default port {db.port}.", {"port": db.port}, network
        )


expect(
    id="aws.rds.instance_default_master_username",
    title="RDS DB instance uses a default master username",
    severity=Severity.LOW,
    asset=RdsInstance,
    attr="master_username",
    ok=none_of(DEFAULT_USERNAMES, "is not a well-known administrator name"),
    pass_msg="DB instance {name} uses a non-default master username.",
    fail_msg="DB instance {name} uses the default master username {value}.",
    grade=lambda db, _: Severity.MEDIUM if db.publicly_accessible else Severity.LOW,
    rationale="""Brute-force attempts target well-known administrator names (admin, postgres, sa, root);
        a default name leaves only the password to guess.""",
    remediation="""Create a new instance with a unique master username and move the data to it (dump and
        restore, or AWS DMS); the master username cannot be changed, and a restored snapshot keeps it.""",
)

expect(
    id="aws.rds.instance_storage_encrypted",
    title="RDS DB instance storage is not encrypted",
    severity=Severity.MEDIUM,
    asset=RdsInstance,
    attr="storage_encrypted",
    ok=is_true,
    pass_msg="DB instance {name} storage is encrypted.",
    fail_msg="DB instance {name} storage is not encrypted at rest.",
    rationale="""Unencrypted storage, its snapshots and replicas expose the data to anyone who obtains a
        copy of the volume or snapshot.""",
    remediation="""Copy a snapshot with encryption (aws rds copy-db-snapshot --kms-key-id) and restore the
        instance from it; encryption cannot be enabled in place.""",
)


@check(
    id="aws.rds.instance_iam_auth",
    title="RDS DB instance does not use IAM database authentication",
    severity=Severity.LOW,
    asset=RdsInstance,
    requires=("engine", "iam_auth_enabled"),
    rationale="""IAM authentication replaces long-lived database passwords with short-lived tokens tied to
        IAM identities and CloudTrail.""",
    remediation="""aws rds modify-db-instance --enable-iam-database-authentication --apply-immediately
        (for a cluster member: aws rds modify-db-cluster on its cluster).""",
)
def instance_iam_auth(db: RdsInstance, inventory: Inventory) -> Iterator[Outcome]:
    """IAMDatabaseAuthenticationEnabled, for engines that support it; a cluster member (Aurora,
    Neptune, Multi-AZ DB cluster) is judged by its cluster's setting, which is where it is made."""
    if not supports_iam_auth(db):
        return
    if not db.cluster_identifier:
        if db.iam_auth_enabled:
            yield passed(
                f"DB instance {db.identifier} has IAM database authentication enabled.",
                {"iam_auth_enabled": True},
            )
        else:
            yield fail(
                f"DB instance {db.identifier} does not use IAM database authentication.",
                {"iam_auth_enabled": False, "expected": "iam_auth_enabled is enabled"},
            )
        return
    cluster = member_cluster(db, inventory, "iam_auth_enabled")
    if isinstance(cluster, str):
        yield cluster_unread(db, "takes IAM database authentication from its cluster", cluster)
        return
    evidence: dict[str, object] = {"iam_auth_enabled": cluster.iam_auth_enabled, "db_cluster": cluster.id}
    if cluster.iam_auth_enabled:
        yield passed(
            f"DB instance {db.identifier} has IAM database authentication enabled on its DB cluster "
            f"{cluster.identifier}.",
            evidence,
        )
    else:
        evidence["expected"] = "iam_auth_enabled of the DB cluster is enabled"
        yield fail(
            f"DB instance {db.identifier} does not use IAM database authentication: its DB cluster "
            f"{cluster.identifier}, where the setting is made, has it off (aws rds modify-db-cluster "
            f"--db-cluster-identifier {cluster.identifier} --enable-iam-database-authentication).",
            evidence,
        )


expect(
    id="aws.rds.instance_deletion_protection",
    title="RDS DB instance has no deletion protection",
    severity=Severity.LOW,
    asset=RdsInstance,
    attr="deletion_protection",
    ok=is_true,
    when=stand_alone,
    pass_msg="DB instance {name} has deletion protection.",
    fail_msg="DB instance {name} has no deletion protection.",
    rationale="""Without deletion protection a mistaken or malicious API call deletes the database.""",
    remediation="aws rds modify-db-instance --deletion-protection --apply-immediately",
)

expect(
    id="aws.rds.cluster_deletion_protection",
    title="RDS DB cluster has no deletion protection",
    severity=Severity.LOW,
    asset=RdsCluster,
    attr="deletion_protection",
    ok=is_true,
    pass_msg="DB cluster {name} has deletion protection.",
    fail_msg="DB cluster {name} has no deletion protection.",
    rationale="""Without deletion protection a mistaken or malicious API call deletes the cluster.""",
    remediation="aws rds modify-db-cluster --deletion-protection --apply-immediately",
)

expect(
    id="aws.rds.instance_backups_enabled",
    title="RDS DB instance has automated backups disabled",
    severity=Severity.MEDIUM,
    asset=RdsInstance,
    attr="backup_retention_period",
    ok=positive,
    pass_msg="DB instance {name} keeps automated backups for {value} day(s).",
    fail_msg="DB instance {name} has automated backups disabled (retention 0 days).",
    rationale="""Without automated backups there is no point-in-time recovery after corruption,
        ransomware or an accidental delete.""",
    remediation="aws rds modify-db-instance --backup-retention-period 7 --apply-immediately",
)

expect(
    id="aws.rds.instance_auto_minor_upgrade",
    title="RDS DB instance does not apply minor engine upgrades automatically",
    severity=Severity.LOW,
    asset=RdsInstance,
    attr="auto_minor_version_upgrade",
    ok=is_true,
    pass_msg="DB instance {name} applies minor engine upgrades automatically.",
    fail_msg="DB instance {name} has automatic minor version upgrade turned off.",
    rationale="""Minor versions carry security fixes; without automatic upgrades known vulnerabilities
        stay open until someone patches by hand.""",
    remediation="aws rds modify-db-instance --auto-minor-version-upgrade --apply-immediately",
)


# ---------------------------------------------------------------------------------- TLS enforcement

_ON = frozenset({"1", "on", "true"})
POSTGRES_FORCE_SSL_DEFAULT_FROM = 15
"""RDS for PostgreSQL sets ``rds.force_ssl`` to 1 by default from major version 15."""


def _major(version: str) -> int:
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else 0


def tls_enforcement(engine: str, version: str, params: dict[str, str]) -> tuple[bool | None, str]:
    """(enforced, how we know) for an engine and the TLS parameters set in its group.

    None when the engine enforces TLS elsewhere (Oracle and Db2 option groups; Neptune always
    requires TLS) so the check has nothing to say.
    """
    engine = engine.lower()
    if engine.startswith(("postgres", "aurora-postgresql", "sqlserver")):
        name = "rds.force_ssl"
        if name not in params:
            default = engine == "postgres" and _major(version) >= POSTGRES_FORCE_SSL_DEFAULT_FROM
            return default, f"{name} not set: engine default {int(default)}"
        return params[name].lower() in _ON, f"{name} = {params[name]}"
    if engine in ("mysql", "mariadb", "aurora", "aurora-mysql"):
        name = "require_secure_transport"
        if name not in params:
            return False, f"{name} not set: engine default OFF"
        return params[name].lower() in _ON, f"{name} = {params[name]}"
    if engine == "docdb":
        if "tls" not in params:
            return True, "tls not set: engine default enabled"
        return params["tls"].lower() != "disabled", f"tls = {params['tls']}"
    return None, ""


_TLS_RATIONALE = """Without TLS enforced, clients may connect in plaintext: credentials and data cross the
    network readable by anyone on the path (OWASP API7: transport security missing)."""

_TLS_REMEDIATION = """Set rds.force_ssl = 1 (PostgreSQL, SQL Server) or require_secure_transport = ON
    (MySQL, MariaDB, Aurora MySQL) in a custom parameter group (the cluster parameter group for Aurora),
    or keep DocumentDB's tls enabled; attach it and reboot."""


@check(
    id="aws.rds.{kind}_tls_not_enforced",
    title="RDS DB {kind} does not enforce TLS connections",
    severity=Severity.MEDIUM,
    asset={RdsInstance: "instance", RdsCluster: "cluster"},
    requires=("tls_parameters",),
    rationale=_TLS_RATIONALE,
    remediation=_TLS_REMEDIATION,
)
def tls_not_enforced(db: RdsInstance | RdsCluster, inventory: Inventory) -> Iterator[Outcome]:
    """TLS enforcement set by the parameter group: of stand-alone instances and of clusters (Aurora,
    DocumentDB); cluster members follow their cluster's group."""
    if isinstance(db, RdsInstance) and db.cluster_identifier:
        return
    enforced, how = tls_enforcement(db.engine, db.engine_version, db.tls_parameters)
    if enforced is None:
        return
    evidence = {"engine": db.engine, "engine_version": db.engine_version, "setting": how}
    if enforced:
        yield passed(f"{_noun(db)} {db.identifier} refuses unencrypted connections ({how}).", evidence)
    else:
        yield fail(
            f"{_noun(db)} {db.identifier} accepts unencrypted connections ({how}).",
            evidence,
            Severity.HIGH if db.publicly_accessible else Severity.MEDIUM,
        )


# ---------------------------------------------------------------------------------- lifecycle

EXPIRED_CA_CERTIFICATES: dict[str, str] = {"rds-ca-2015": "2020-03-05", "rds-ca-2019": "2024-08-22"}
"""RDS certificate authorities past their expiry (clients validating the server certificate fail)."""

END_OF_STANDARD_SUPPORT: dict[str, tuple[tuple[str, str], ...]] = {
    "mysql": (("5.7", "2024-02-29"), ("8.0", "2026-07-31"), ("8.4", "2029-07-31")),
    "postgres": (
        ("11", "2024-02-29"),
        ("12", "2025-02-28"),
        ("13", "2026-02-28"),
        ("14", "2027-02-28"),
        ("15", "2028-02-29"),
        ("16", "2029-02-28"),
        ("17", "2030-02-28"),
    ),
    "mariadb": (
        ("10.6", "2026-08-31"),
        ("10.11", "2028-02-29"),
        ("11.4", "2029-05-31"),
        ("11.8", "2030-06-30"),
    ),
    "aurora-mysql": (("5.7", "2024-10-31"),),
    "aurora-postgresql": (("11", "2024-02-29"), ("12", "2025-02-28"), ("13", "2026-02-28")),
}
"""End of RDS/Aurora standard support per engine major version, as published by AWS (table of
2026-11; ``aws rds describe-db-major-engine-versions`` has the live dates). An unlisted major older
than a listed one is taken to end no later than it. After the date AWS bills RDS Extended Support
and patches critical CVEs only; past Extended Support the database is force-upgraded."""


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())


def support_end(engine: str, version: str) -> str | None:
    """ISO date standard support of ``version`` ends (or ended); None when unknown or not listed."""
    table = END_OF_STANDARD_SUPPORT.get(engine.lower())
    if not table or not version:
        return None
    depth = 1 if engine.lower().endswith("postgresql") or engine.lower() == "postgres" else 2
    key = _version_key(version)[:depth]
    for major, end in table:
        if key <= _version_key(major):
            return end
    return None


def _lifecycle(kind: str, db: RdsInstance | RdsCluster, today: str, engine: bool = True) -> Iterator[Outcome]:
    """Engine lifecycle (unless ``engine`` is False: judged on the cluster) and CA certificate."""
    end = support_end(db.engine, db.engine_version) if engine else None
    ca = getattr(db, "ca_certificate_identifier", "")
    problems: list[str] = []
    evidence: dict[str, object] = {"engine": db.engine, "engine_version": db.engine_version}
    if end is not None:
        evidence["end_of_standard_support"] = end
        if end < today:
            problems.append(f"{db.engine} {db.engine_version} left RDS standard support on {end}")
    if ca:
        evidence["ca_certificate"] = ca
        if ca in EXPIRED_CA_CERTIFICATES:
            problems.append(f"its certificate authority {ca} expired on {EXPIRED_CA_CERTIFICATES[ca]}")
    if problems:
        yield fail(f"{kind} {db.identifier}: {'; '.join(problems)}.", evidence)
    elif end is not None or ca:
        yield passed(f"{kind} {db.identifier} runs a supported engine version and certificate.", evidence)


_LIFECYCLE_RATIONALE = """Engine versions past standard support receive only critical fixes (at extra
    cost) and are then force-upgraded; an expired CA certificate breaks clients that verify TLS, which
    pushes teams to turn verification off."""


@check(
    id="aws.rds.instance_deprecated_engine_or_ca",
    title="RDS DB instance runs an engine version past standard support or an expired CA",
    severity=Severity.MEDIUM,
    asset=RdsInstance,
    requires=("engine_version", "ca_certificate_identifier"),
    rationale=_LIFECYCLE_RATIONALE,
    remediation="""Upgrade the major engine version (aws rds modify-db-instance --engine-version
        --allow-major-version-upgrade) and rotate to rds-ca-rsa2048-g1 (--ca-certificate-identifier).""",
)
def instance_deprecated_engine_or_ca(db: RdsInstance, inventory: Inventory) -> Iterator[Outcome]:
    """Engine major past RDS standard support at scan time (stand-alone instances; a cluster
    member's engine is judged on its cluster), or an expired CA certificate (every instance)."""
    today = inventory.scope.started.date().isoformat()
    yield from _lifecycle("DB instance", db, today, engine=not db.cluster_identifier)


@check(
    id="aws.rds.cluster_deprecated_engine",
    title="RDS DB cluster runs an engine version past standard support",
    severity=Severity.MEDIUM,
    asset=RdsCluster,
    requires=("engine_version",),
    rationale=_LIFECYCLE_RATIONALE,
    remediation="Upgrade the cluster's major engine version (aws rds modify-db-cluster --engine-version).",
)
def cluster_deprecated_engine(db: RdsCluster, inventory: Inventory) -> Iterator[Outcome]:
    """Aurora major past standard support at scan time."""
    yield from _lifecycle("DB cluster", db, inventory.scope.started.date().isoformat())
