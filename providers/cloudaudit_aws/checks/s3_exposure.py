"""How public a bucket really is: ACLs and policy, after Block Public Access (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from cloudaudit.model.inventory import Inventory
from cloudaudit_aws.assets import AclGrant, PublicAccessBlock, S3AccountSettings, S3Bucket
from cloudaudit_aws.policy import PolicyAnalysis, PublicGrant, analyse_policy

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
PUBLIC_GROUPS = {ALL_USERS: "AllUsers (anyone)", AUTHENTICATED_USERS: "AuthenticatedUsers (any AWS account)"}
READ_PERMISSIONS = frozenset({"READ", "READ_ACP", "FULL_CONTROL"})
WRITE_PERMISSIONS = frozenset({"WRITE", "WRITE_ACP", "FULL_CONTROL"})


@dataclass(frozen=True)
class BucketExposure:
    """A bucket's public grants and whether Block Public Access neutralises them."""

    acl_grants: tuple[AclGrant, ...]
    policy: PolicyAnalysis
    acls_ignored_by: str
    """"bucket" or "account" when IgnorePublicAcls is on there, else empty."""
    policy_restricted_by: str
    """"bucket" or "account" when RestrictPublicBuckets is on there, else empty."""
    account_settings_unread: bool

    @property
    def effective_acl_grants(self) -> tuple[AclGrant, ...]:
        """Public ACL grants that AWS actually honours."""
        return () if self.acls_ignored_by else self.acl_grants

    @property
    def effective_policy_grants(self) -> tuple[PublicGrant, ...]:
        """Public policy grants that AWS actually honours."""
        return () if self.policy_restricted_by else self.policy.grants

    @property
    def publicly_readable(self) -> bool:
        """Anyone can read something (objects or configuration) in the bucket."""
        return bool(
            any(g.permission in READ_PERMISSIONS for g in self.effective_acl_grants)
            or self.effective_policy_grants
        )

    @property
    def is_public(self) -> bool:
        """Anything at all is granted to anyone and not neutralised."""
        return bool(self.effective_acl_grants or self.effective_policy_grants)


def account_settings(bucket: S3Bucket, inventory: Inventory) -> S3AccountSettings | None:
    """The account-level S3 settings of the bucket's account, if collected."""
    return next((s for s in inventory.of(S3AccountSettings) if s.account == bucket.account), None)


def account_pab(bucket: S3Bucket, inventory: Inventory) -> tuple[PublicAccessBlock | None, bool]:
    """(account-level PAB, whether it could not be read)."""
    settings = account_settings(bucket, inventory)
    if settings is None or "public_access_block" in settings.unread:
        return None, True
    return settings.public_access_block, False


def exposure(bucket: S3Bucket, inventory: Inventory) -> BucketExposure:
    """Everything that makes the bucket public, after Block Public Access at both levels."""
    acct, acct_unread = account_pab(bucket, inventory)
    own = bucket.public_access_block

    def switched_on(attr: str) -> str:
        if own is not None and getattr(own, attr):
            return "bucket"
        if acct is not None and getattr(acct, attr):
            return "account"
        return ""

    return BucketExposure(
        acl_grants=tuple(g for g in bucket.acl_grants if g.grantee in PUBLIC_GROUPS),
        policy=PolicyAnalysis(error=bucket.policy_error)
        if bucket.policy_error
        else analyse_policy(bucket.policy),
        acls_ignored_by=switched_on("ignore_public_acls"),
        policy_restricted_by=switched_on("restrict_public_buckets"),
        account_settings_unread=acct_unread,
    )


def grant_evidence(grants: tuple[AclGrant, ...]) -> list[dict[str, str]]:
    """ACL grants as report evidence."""
    return [{"grantee": PUBLIC_GROUPS.get(g.grantee, g.grantee), "permission": g.permission} for g in grants]


def policy_evidence(grants: tuple[PublicGrant, ...]) -> list[dict[str, object]]:
    """Policy statements as report evidence (the statements themselves)."""
    return [dict(g.statement) for g in grants]
