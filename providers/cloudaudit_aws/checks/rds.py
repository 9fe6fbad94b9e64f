"""RDS checks: publicly reachable databases and snapshots, and hardening of DB instances.

Covers RDS, Aurora, DocumentDB and Neptune (all read through the RDS API). Public access is
graded by the network path (:mod:`.reachability`): publicly accessible, a subnet of the DB subnet
group routing to an Internet gateway, and a security group allowing the port from the Internet.
Instances that belong to a cluster inherit deletion protection from it and are judged on the
cluster.
"""

from __future__ import annotations

from collections.abc import Iterator

from cloudaudit.compliance import with_controls
from cloudaudit.engine.declarative import expect
from cloudaudit.engine.outcome import Outcome, fail, passed, unknown
from cloudaudit.engine.registry import check
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit_aws.assets_rds import RdsCluster, RdsInstance, RdsSnapshot
from cloudaudit_aws.checks.frameworks import AWS_FSBP
from cloudaudit_aws.checks.reachability import network_reachability

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


def default_port(engine: str) -> int | None:
    """The engine's default port; None for an engine we do not know."""
    engine = engine.lower()
    if engine in DEFAULT_PORTS:
        return DEFAULT_PORTS[engine]
    family = engine.rsplit("-", 1)[0]
    return DEFAULT_PORTS.get(family)


# ---------------------------------------------------------------------------------- public access


REACHABILITY_GRADES: dict[str, Severity] = {
    "reachable": Severity.CRITICAL,
    "restricted": Severity.MEDIUM,
    "blocked": Severity.LOW,
}
"""Severity of a publicly accessible database by its network path (see :mod:`.reachability`)."""


def _public_access(kind: str, db: RdsInstance | RdsCluster, inventory: Inventory) -> Outcome:
    """Publicly accessible DB graded by its subnets' routes and its security group rules."""
    if not db.publicly_accessible:
        return passed(f"{kind} {db.identifier} is not publicly accessible.")
    endpoint = f"{db.endpoint_address}:{db.port}"
    reach = network_reachability(
        inventory,
        account=db.account,
        region=db.region,
        resource_id=db.id,
        public=True,
        subnet_ids=db.subnet_ids,
        security_group_ids=db.vpc_security_group_ids,
        port=db.port,
        endpoint=endpoint,
    )
    evidence: dict[str, object] = {
        "publicly_accessible": True,
        "endpoint": endpoint,
        "security_groups": list(db.vpc_security_group_ids),
        "subnets": list(db.subnet_ids),
        **reach.evidence(),
    }
    message = f"{kind} {db.identifier} is publicly accessible at {endpoint}: {reach.reason}."
    if reach.level == "unknown":
        return unknown(message, evidence)
    return fail(message, evidence, REACHABILITY_GRADES[reach.level])


_PUBLIC_REMEDIATION = """Set PubliclyAccessible to false (aws rds modify-db-instance
    --no-publicly-accessible),
    keep databases in private subnets, and allow the port only from the application's security group."""

_PUBLIC_RATIONALE = """A publicly accessible database gets a public DNS name and address; with a security
    group open to the Internet on its port it is found by scanners and brute-forced."""


@check(
    id="aws.rds.instance_publicly_accessible",
    title="RDS DB instance is publicly accessible",
    severity=Severity.CRITICAL,
    asset=RdsInstance,
    requires=("publicly_accessible", "vpc_security_group_ids", "subnet_ids"),
    also_collect=("ec2",),
    rationale=_PUBLIC_RATIONALE,
    remediation=_PUBLIC_REMEDIATION,
    compliance=with_controls(**{AWS_FSBP: ("RDS.2",)}),
)
def instance_publicly_accessible(db: RdsInstance, inventory: Inventory) -> Outcome:
    """PubliclyAccessible, graded by the security group rules on the instance's port."""
    return _public_access("DB instance", db, inventory)


@check(
    id="aws.rds.cluster_publicly_accessible",
    title="RDS DB cluster is publicly accessible",
    severity=Severity.CRITICAL,
    asset=RdsCluster,
    requires=("publicly_accessible", "vpc_security_group_ids", "subnet_ids"),
    also_collect=("ec2",),
    rationale=_PUBLIC_RATIONALE,
    remediation=_PUBLIC_REMEDIATION,
    compliance=with_controls(**{AWS_FSBP: ("RDS.2",)}),
)
def cluster_publicly_accessible(db: RdsCluster, inventory: Inventory) -> Outcome:
    """PubliclyAccessible (Multi-AZ DB clusters), graded like instances."""
    return _public_access("DB cluster", db, inventory)


expect(
    id="aws.rds.snapshot_public",
    title="RDS snapshot can be restored by any AWS account",
    severity=Severity.CRITICAL,
    asset=RdsSnapshot,
    attr="public",
    ok=lambda public: not public,
    pass_msg="Snapshot {name} is not public.",
    fail_msg="Snapshot {name} is public: any AWS account can restore it and read its data.",
    rationale="""A snapshot whose restore attribute contains "all" can be copied and restored by anyone
        with an AWS account: the whole database leaks.""",
    remediation="""aws rds modify-db-snapshot-attribute --attribute-name restore --values-to-remove all
        (modify-db-cluster-snapshot-attribute for cluster snapshots); share with named accounts only.""",
    compliance=with_controls(**{AWS_FSBP: ("RDS.1",)}),
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
    compliance=with_controls(**{AWS_FSBP: ("RDS.23",)}),
)
def instance_default_port(db: RdsInstance, inventory: Inventory) -> Iterator[Outcome]:
    """Port equal to the engine's default; silent for engines without a known default."""
    expected = default_port(db.engine)
    if expected is None:
        return
    if db.port == expected:
        yield fail(
            f"DB instance {db.identifier} ({db.engine}) listens on the default port {db.port}.",
            {"engine": db.engine, "port": db.port},
        )
    else:
        yield passed(f"DB instance {db.identifier} uses non-default port {db.port}.", {"port": db.port})


expect(
    id="aws.rds.instance_default_master_username",
    title="RDS DB instance uses a default master username",
    severity=Severity.LOW,
    asset=RdsInstance,
    attr="master_username",
    ok=lambda name: str(name).lower() not in DEFAULT_USERNAMES,
    pass_msg="DB instance {name} uses a non-default master username.",
    fail_msg="DB instance {name} uses the default master username {value}.",
    grade=lambda db, _: Severity.MEDIUM if db.publicly_accessible else Severity.LOW,
    rationale="""Brute-force attempts target well-known administrator names (admin, postgres, sa, root);
        a default name leaves only the password to guess.""",
    remediation="""Create the instance (from a snapshot) with a unique master username; the master
        username cannot be changed in place.""",
    compliance=with_controls(**{AWS_FSBP: ("RDS.25",)}),
)

expect(
    id="aws.rds.instance_storage_encrypted",
    title="RDS DB instance storage is not encrypted",
    severity=Severity.MEDIUM,
    asset=RdsInstance,
    attr="storage_encrypted",
    ok=bool,
    pass_msg="DB instance {name} storage is encrypted.",
    fail_msg="DB instance {name} storage is not encrypted at rest.",
    rationale="""Unencrypted storage, its snapshots and replicas expose the data to anyone who obtains a
        copy of the volume or snapshot.""",
    remediation="""Copy a snapshot with encryption (aws rds copy-db-snapshot --kms-key-id) and restore the
        instance from it; encryption cannot be enabled in place.""",
    compliance=with_controls(**{AWS_FSBP: ("RDS.3",)}),
)


@check(
    id="aws.rds.instance_iam_auth",
    title="RDS DB instance does not use IAM database authentication",
    severity=Severity.LOW,
    asset=RdsInstance,
    requires=("engine", "iam_auth_enabled"),
    rationale="""IAM authentication replaces long-lived database passwords with short-lived tokens tied to
        IAM identities and CloudTrail.""",
    remediation="aws rds modify-db-instance --enable-iam-database-authentication --apply-immediately",
    compliance=with_controls(**{AWS_FSBP: ("RDS.10",)}),
)
def instance_iam_auth(db: RdsInstance, inventory: Inventory) -> Iterator[Outcome]:
    """IAM authentication, for engines that support it (MySQL, MariaDB, PostgreSQL, Aurora, Neptune)."""
    if db.engine.lower() not in IAM_AUTH_ENGINES:
        return
    if db.iam_auth_enabled:
        yield passed(f"DB instance {db.identifier} has IAM database authentication enabled.")
    else:
        yield fail(
            f"DB instance {db.identifier} ({db.engine}) does not use IAM database authentication.",
            {"iam_auth_enabled": False, "engine": db.engine},
        )


@check(
    id="aws.rds.instance_deletion_protection",
    title="RDS DB instance has no deletion protection",
    severity=Severity.LOW,
    asset=RdsInstance,
    requires=("deletion_protection",),
    rationale="""Without deletion protection a mistaken or malicious API call deletes the database.""",
    remediation="aws rds modify-db-instance --deletion-protection --apply-immediately",
    compliance=with_controls(**{AWS_FSBP: ("RDS.8",)}),
)
def instance_deletion_protection(db: RdsInstance, inventory: Inventory) -> Iterator[Outcome]:
    """Deletion protection of stand-alone instances (cluster members are protected by their cluster)."""
    if db.cluster_identifier:
        return
    if db.deletion_protection:
        yield passed(f"DB instance {db.identifier} has deletion protection.")
    else:
        yield fail(f"DB instance {db.identifier} has no deletion protection.", {"deletion_protection": False})


expect(
    id="aws.rds.cluster_deletion_protection",
    title="RDS DB cluster has no deletion protection",
    severity=Severity.LOW,
    asset=RdsCluster,
    attr="deletion_protection",
    ok=bool,
    pass_msg="DB cluster {name} has deletion protection.",
    fail_msg="DB cluster {name} has no deletion protection.",
    rationale="""Without deletion protection a mistaken or malicious API call deletes the cluster.""",
    remediation="aws rds modify-db-cluster --deletion-protection --apply-immediately",
    compliance=with_controls(**{AWS_FSBP: ("RDS.7",)}),
)

expect(
    id="aws.rds.instance_backups_enabled",
    title="RDS DB instance has automated backups disabled",
    severity=Severity.MEDIUM,
    asset=RdsInstance,
    attr="backup_retention_period",
    ok=lambda days: int(days) > 0,
    pass_msg="DB instance {name} keeps automated backups for {value} day(s).",
    fail_msg="DB instance {name} has automated backups disabled (retention 0 days).",
    rationale="""Without automated backups there is no point-in-time recovery after corruption,
        ransomware or an accidental delete.""",
    remediation="aws rds modify-db-instance --backup-retention-period 7 --apply-immediately",
    compliance=with_controls(**{AWS_FSBP: ("RDS.11",)}),
)

expect(
    id="aws.rds.instance_auto_minor_upgrade",
    title="RDS DB instance does not apply minor engine upgrades automatically",
    severity=Severity.LOW,
    asset=RdsInstance,
    attr="auto_minor_version_upgrade",
    ok=bool,
    pass_msg="DB instance {name} applies minor engine upgrades automatically.",
    fail_msg="DB instance {name} has automatic minor version upgrade turned off.",
    rationale="""Minor versions carry security fixes; without automatic upgrades known vulnerabilities
        stay open until someone patches by hand.""",
    remediation="aws rds modify-db-instance --auto-minor-version-upgrade --apply-immediately",
    compliance=with_controls(**{AWS_FSBP: ("RDS.13",)}),
)
