"""Every IAM action the AWS collection needs: all read-only, all listed in deploy/."""

from __future__ import annotations

from cloudaudit_aws.collect import ec2, s3

SESSION_PERMISSIONS = ("sts:GetCallerIdentity", "ec2:DescribeRegions")


def required_permissions() -> list[str]:
    """Sorted IAM actions used by the collectors."""
    actions = {*SESSION_PERMISSIONS, *s3.PERMISSIONS, *ec2.PERMISSIONS}
    actions.update(d.permission for d in s3.BUCKET_DETAILS)
    return sorted(actions)
