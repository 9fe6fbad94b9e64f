"""Redshift checks: publicly reachable clusters, plaintext connections, defaults and hardening.

Public access is graded by the network path (:mod:`.reachability`): PubliclyAccessible, a subnet
of the cluster subnet group routing to an Internet gateway, and a security group allowing the
cluster port from the Internet.
"""

from __future__ import annotations

from cloudaudit.engine.declarative import expect
from cloudaudit.engine.outcome import Outcome, fail, passed, unknown
from cloudaudit.engine.predicates import differs_from, is_true, none_of, positive
from cloudaudit.engine.registry import check
from cloudaudit.exposure.proofs import UNAUTHENTICATED_SERVICE
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit_aws.assets_redshift import RedshiftCluster
from cloudaudit_aws.checks.rds import DEFAULT_USERNAMES
from cloudaudit_aws.checks.reachability import public_access_outcome

DEFAULT_PORT = 5439
DEFAULT_DATABASE = "dev"
DEFAULT_MASTER_USERNAMES: frozenset[str] = DEFAULT_USERNAMES | {"awsuser"}
"""``awsuser`` is the console's default Redshift admin user; the rest are the usual RDS suspects."""


def _exposed(cluster: RedshiftCluster, _: Inventory) -> Severity:
    return Severity.MEDIUM if cluster.publicly_accessible else Severity.LOW


@check(
    id="aws.redshift.cluster_publicly_accessible",
    title="Redshift cluster is publicly accessible",
    severity=Severity.CRITICAL,
    asset=RedshiftCluster,
    requires=("publicly_accessible", "vpc_security_group_ids", "subnet_ids"),
    also_collect=("ec2",),
    rationale="""A publicly accessible cluster gets a public address; with a subnet routed to an
        Internet gateway and a security group open on its port, the whole warehouse is one leaked or
        guessed password away from anyone on the Internet.""",
    remediation="""aws redshift modify-cluster --cluster-identifier NAME --no-publicly-accessible;
        keep the cluster in private subnets and allow its port only from the clients' security groups.""",
    exploited_by=UNAUTHENTICATED_SERVICE,
)
def cluster_publicly_accessible(cluster: RedshiftCluster, inventory: Inventory) -> Outcome:
    """PubliclyAccessible, graded by the subnets' routes and the security group rules on the port."""
    return public_access_outcome(
        inventory,
        subject=f"Redshift cluster {cluster.identifier}",
        resource=cluster,
        public=cluster.publicly_accessible,
        host=cluster.endpoint_address,
        port=cluster.port,
        subnet_ids=cluster.subnet_ids,
        security_group_ids=cluster.vpc_security_group_ids,
    )


@check(
    id="aws.redshift.cluster_ssl_not_required",
    title="Redshift cluster accepts connections without SSL",
    severity=Severity.MEDIUM,
    asset=RedshiftCluster,
    requires=("require_ssl",),
    rationale="""Without require_ssl, clients may connect in plaintext: credentials and query results
        cross the network readable and alterable by anyone on the path.""",
    remediation="""Use a custom parameter group with require_ssl=true (aws redshift
        modify-cluster-parameter-group --parameters ParameterName=require_ssl,ParameterValue=true),
        attach it to the cluster and reboot; default parameter groups cannot be changed.""",
)
def cluster_ssl_not_required(cluster: RedshiftCluster, inventory: Inventory) -> Outcome:
    """require_ssl of the cluster's parameter group; HIGH when the cluster is publicly accessible."""
    evidence = {"require_ssl": cluster.require_ssl, "parameter_groups": list(cluster.parameter_groups)}
    if cluster.require_ssl is None:
        return unknown(f"Redshift cluster {cluster.identifier}: require_ssl was not read.", evidence)
    if cluster.require_ssl:
        return passed(f"Redshift cluster {cluster.identifier} requires SSL connections.", evidence)
    groups = ", ".join(cluster.parameter_groups) or "none"
    public = " and is publicly accessible" if cluster.publicly_accessible else ""
    return fail(
        f"Redshift cluster {cluster.identifier} accepts plaintext connections (require_ssl is false in "
        f"parameter group {groups}){public}.",
        {**evidence, "publicly_accessible": cluster.publicly_accessible},
        Severity.HIGH if cluster.publicly_accessible else Severity.MEDIUM,
    )


expect(
    id="aws.redshift.cluster_default_master_username",
    title="Redshift cluster uses a default admin username",
    severity=Severity.LOW,
    asset=RedshiftCluster,
    attr="master_username",
    ok=none_of(DEFAULT_MASTER_USERNAMES, "is not a well-known administrator name"),
    pass_msg="Redshift cluster {name} uses a non-default admin username.",
    fail_msg="Redshift cluster {name} uses the default admin username {value}.",
    grade=_exposed,
    rationale="""Brute-force attempts target well-known administrator names (awsuser, admin, root);
        a default name leaves only the password to guess.""",
    remediation="""Create a new cluster with a unique --master-username and move the data to it (UNLOAD and
        COPY, or data sharing); the admin username cannot be changed, and a restored snapshot keeps it.""",
)

expect(
    id="aws.redshift.cluster_default_database_name",
    title="Redshift cluster uses the default database name",
    severity=Severity.LOW,
    asset=RedshiftCluster,
    attr="db_name",
    ok=differs_from(DEFAULT_DATABASE, "is not the default database name"),
    pass_msg="Redshift cluster {name} uses a non-default database name ({value}).",
    fail_msg="Redshift cluster {name} uses the default database name {value}.",
    grade=_exposed,
    rationale="""With the default database name "dev" an attacker who reaches the endpoint needs to
        guess nothing but the credentials.""",
    remediation="""Create a new cluster with a unique --db-name and move the data to it (UNLOAD and COPY,
        or data sharing); the dev database cannot be renamed, and a restored snapshot keeps it.""",
)

expect(
    id="aws.redshift.cluster_encrypted",
    title="Redshift cluster is not encrypted at rest",
    severity=Severity.MEDIUM,
    asset=RedshiftCluster,
    attr="encrypted",
    ok=is_true,
    pass_msg="Redshift cluster {name} is encrypted at rest.",
    fail_msg="Redshift cluster {name} is not encrypted at rest.",
    rationale="""Unencrypted clusters keep data blocks and snapshots in plaintext: anyone who obtains a
        snapshot or the storage reads the warehouse.""",
    remediation="""aws redshift modify-cluster --cluster-identifier NAME --encrypted (optionally
        --kms-key-id KEY_ID); Redshift migrates the data in place, the cluster is read-only meanwhile.""",
)

expect(
    id="aws.redshift.cluster_enhanced_vpc_routing",
    title="Redshift cluster does not use enhanced VPC routing",
    severity=Severity.LOW,
    asset=RedshiftCluster,
    attr="enhanced_vpc_routing",
    ok=is_true,
    pass_msg="Redshift cluster {name} uses enhanced VPC routing.",
    fail_msg="Redshift cluster {name} sends COPY/UNLOAD traffic outside the VPC (enhanced VPC routing off).",
    rationale="""Without enhanced VPC routing, COPY and UNLOAD traffic bypasses the VPC's security
        groups, endpoint policies, NACLs and flow logs.""",
    remediation="aws redshift modify-cluster --cluster-identifier NAME --enhanced-vpc-routing",
)

expect(
    id="aws.redshift.cluster_automated_snapshots",
    title="Redshift cluster has automated snapshots disabled",
    severity=Severity.LOW,
    asset=RedshiftCluster,
    attr="automated_snapshot_retention_period",
    ok=positive,
    pass_msg="Redshift cluster {name} keeps automated snapshots for {value} day(s).",
    fail_msg="Redshift cluster {name} has automated snapshots disabled (retention 0 days).",
    rationale="""Without automated snapshots, data destroyed by an intruder, ransomware or a bad
        change cannot be restored.""",
    remediation="""aws redshift modify-cluster --cluster-identifier NAME
        --automated-snapshot-retention-period 7""",
)

expect(
    id="aws.redshift.cluster_version_upgrade",
    title="Redshift cluster does not allow version upgrades",
    severity=Severity.LOW,
    asset=RedshiftCluster,
    attr="allow_version_upgrade",
    ok=is_true,
    pass_msg="Redshift cluster {name} receives engine version upgrades.",
    fail_msg="Redshift cluster {name} has version upgrades turned off.",
    rationale="""Engine upgrades carry security fixes; with AllowVersionUpgrade off the cluster keeps
        running versions with known vulnerabilities.""",
    remediation="aws redshift modify-cluster --cluster-identifier NAME --allow-version-upgrade",
)

expect(
    id="aws.redshift.cluster_audit_logging",
    title="Redshift cluster has audit logging disabled",
    severity=Severity.LOW,
    asset=RedshiftCluster,
    attr="audit_logging",
    ok=is_true,
    pass_msg="Redshift cluster {name} has audit logging enabled.",
    fail_msg="Redshift cluster {name} has audit logging disabled: connections and queries leave no trace.",
    rationale="""Audit logs (connection, user and user activity logs) are how a data theft through the
        warehouse is detected and investigated.""",
    remediation="""aws redshift enable-logging --cluster-identifier NAME --log-destination-type cloudwatch
        --log-exports connectionlog userlog useractivitylog (or to an S3 bucket).""",
)

expect(
    id="aws.redshift.cluster_default_port",
    title="Redshift cluster uses the default port",
    severity=Severity.LOW,
    asset=RedshiftCluster,
    attr="port",
    ok=differs_from(DEFAULT_PORT, "is not the default port"),
    pass_msg="Redshift cluster {name} uses non-default port {value}.",
    fail_msg="Redshift cluster {name} listens on the default port {value}.",
    rationale="""Scans for exposed warehouses try 5439 first; a non-default port is a small extra
        hurdle (defence in depth, not a control on its own).""",
    remediation="aws redshift modify-cluster --cluster-identifier NAME --port NEW_PORT",
    network=RedshiftCluster.endpoint_network,
)
