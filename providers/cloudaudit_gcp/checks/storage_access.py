"""Who a Cloud Storage bucket lets in: public IAM members and legacy ACL entities, as data (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from cloudaudit_gcp.assets import PUBLIC_MEMBERS
from cloudaudit_gcp.assets_storage import AclEntry, GcsBucket

READ_ROLES = frozenset(
    {
        "roles/storage.objectViewer",
        "roles/storage.legacyObjectReader",
        "roles/storage.legacyBucketReader",
        "roles/storage.bucketViewer",
        "roles/storage.insightsCollectorService",
        "roles/viewer",
        "roles/browser",
    }
)
"""Predefined roles that only read; any other role given to the public (including a custom role,
whose permissions the audit does not read) may write, delete or change permissions."""


@dataclass(frozen=True)
class PublicGrant:
    """One grant to anyone: who (``allUsers``...), what (a role or an ACL role) and where it comes from."""

    member: str
    role: str
    source: str
    """``iam``, ``acl`` (the bucket ACL) or ``default_object_acl`` (what new objects get)."""
    condition: str = ""

    @property
    def writes(self) -> bool:
        """True when the grant can write, delete or administer (not only read)."""
        if self.source == "iam":
            return self.role not in READ_ROLES
        return self.role in ("WRITER", "OWNER")

    def label(self) -> str:
        """``allUsers roles/storage.objectViewer (IAM)``."""
        where = {"iam": "IAM", "acl": "bucket ACL", "default_object_acl": "default object ACL"}[self.source]
        cond = f" if {self.condition}" if self.condition else ""
        return f"{self.member} {self.role} ({where}){cond}"

    def evidence(self) -> dict[str, str]:
        """The grant for a finding's evidence."""
        out = {"member": self.member, "role": self.role, "source": self.source}
        return {**out, "condition": self.condition} if self.condition else out


def iam_grants(bucket: GcsBucket) -> tuple[PublicGrant, ...]:
    """Roles the bucket's IAM policy gives to ``allUsers`` / ``allAuthenticatedUsers``."""
    return tuple(
        PublicGrant(member, b.role, "iam", b.condition)
        for b in bucket.iam_bindings
        for member in b.public_members
    )


def acl_grants(bucket: GcsBucket) -> tuple[PublicGrant, ...]:
    """Public entries of the legacy ACLs; none applies when uniform bucket-level access is on."""
    if bucket.uniform_access:
        return ()
    return (*_public(bucket.acl, "acl"), *_public(bucket.default_object_acl, "default_object_acl"))


def _public(entries: tuple[AclEntry, ...], source: str) -> tuple[PublicGrant, ...]:
    return tuple(PublicGrant(e.entity, e.role, source) for e in entries if e.entity in PUBLIC_MEMBERS)


def public_grants(bucket: GcsBucket) -> tuple[PublicGrant, ...]:
    """Every grant to the public, IAM and ACL."""
    return (*iam_grants(bucket), *acl_grants(bucket))


def effectively_public(bucket: GcsBucket) -> bool:
    """Anyone can reach the bucket: a public grant that public access prevention does not neutralise."""
    return bool(public_grants(bucket)) and not bucket.public_access_enforced
