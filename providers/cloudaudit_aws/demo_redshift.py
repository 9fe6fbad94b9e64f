"""Demo seed: Redshift clusters in a VPC with one public and one private subnet.

Bad: "analytics-public" (publicly accessible in the public subnet with 5439 open to the Internet,
admin user awsuser, database dev, unencrypted, default parameter group: require_ssl false, no
snapshots, no upgrades, no audit logging). Good: "finance-warehouse" (private subnet, encrypted,
custom port and names, enhanced VPC routing, audit logs) with one honest flaw: the emulator has no
ModifyClusterParameterGroup, so its "finance-require-ssl" group still holds the default
require_ssl=false and the demo reports it, as it would on a real account where the change was never
applied.
"""

from __future__ import annotations

import boto3

from cloudaudit_aws.demo import group, tcp, vpc_with_subnets

DEMO_PASSWORD = "DemoOnly-Passw0rd"
"""The emulator needs a master password; this one protects nothing."""


def seed(endpoint: str, region: str) -> None:
    """Create the demo clusters (and their network) in ``region`` of the emulator at ``endpoint``."""
    ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name=region)
    rs = boto3.client("redshift", endpoint_url=endpoint, region_name=region)
    vpc, public, private = vpc_with_subnets(ec2, "10.30", "warehouse-vpc")
    open_5439 = group(ec2, "analytics-public-open-5439", vpc, [tcp(5439, "0.0.0.0/0")])
    vpc_only = group(ec2, "finance-warehouse-from-vpc", vpc, [tcp(5440, "10.30.0.0/16")])
    for name, subnet in (("warehouse-public", public), ("warehouse-private", private)):
        rs.create_cluster_subnet_group(ClusterSubnetGroupName=name, Description=name, SubnetIds=[subnet])
    # A real account sets require_ssl=true on this group (modify-cluster-parameter-group); the
    # emulator has no such call and reports the engine default for every group.
    rs.create_cluster_parameter_group(
        ParameterGroupName="finance-require-ssl",
        ParameterGroupFamily="redshift-1.0",
        Description="require_ssl=true",
    )

    rs.create_cluster(
        ClusterIdentifier="analytics-public",
        ClusterType="single-node",
        NodeType="dc2.large",
        MasterUsername="awsuser",
        MasterUserPassword=DEMO_PASSWORD,
        DBName="dev",
        Port=5439,
        PubliclyAccessible=True,
        Encrypted=False,
        ClusterSubnetGroupName="warehouse-public",
        VpcSecurityGroupIds=[open_5439],
        AutomatedSnapshotRetentionPeriod=0,
        AllowVersionUpgrade=False,
        EnhancedVpcRouting=False,
    )
    rs.create_cluster(
        ClusterIdentifier="finance-warehouse",
        ClusterType="multi-node",
        NumberOfNodes=2,
        NodeType="ra3.xlplus",
        MasterUsername="finance_owner",
        MasterUserPassword=DEMO_PASSWORD,
        DBName="finance",
        Port=5440,
        PubliclyAccessible=False,
        Encrypted=True,
        ClusterSubnetGroupName="warehouse-private",
        ClusterParameterGroupName="finance-require-ssl",
        VpcSecurityGroupIds=[vpc_only],
        AutomatedSnapshotRetentionPeriod=7,
        AllowVersionUpgrade=True,
        EnhancedVpcRouting=True,
    )
    rs.enable_logging(
        ClusterIdentifier="finance-warehouse",
        LogDestinationType="cloudwatch",
        LogExports=["connectionlog", "userlog", "useractivitylog"],
    )
