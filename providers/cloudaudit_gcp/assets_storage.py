"""Cloud Storage assets: buckets with their IAM policy, ACLs and hardening settings."""

from __future__ import annotations

from cloudaudit.model.asset import Asset, asset_kind
from cloudaudit_gcp.assets import Frozen, IamBinding


class AclEntry(Frozen):
    """One entry of a legacy bucket or default-object ACL."""

    entity: str
    """``allUsers``, ``allAuthenticatedUsers``, ``project-owners-123``, ``user-a@example.com``..."""
    role: str
    """READER, WRITER or OWNER."""


class CorsEntry(Frozen):
    """One CORS configuration of a bucket."""

    origins: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()


@asset_kind("gcp.storage.bucket", service="storage")
class GcsBucket(Asset):
    """A Cloud Storage bucket (``region`` is its location, lower case: ``us``, ``europe-west1``)."""

    location_type: str = ""
    iam_bindings: tuple[IamBinding, ...] = ()
    acl: tuple[AclEntry, ...] = ()
    """The legacy bucket ACL (empty with uniform bucket-level access: it does not apply)."""
    default_object_acl: tuple[AclEntry, ...] = ()
    """ACL new objects get (empty with uniform bucket-level access)."""
    uniform_access: bool = False
    public_access_prevention: str = "inherited"
    """``enforced``, or ``inherited`` (the organisation policy decides; unset means inherited)."""
    retention_seconds: int | None = None
    retention_locked: bool = False
    versioning: bool = False
    logging_bucket: str | None = None
    cors: tuple[CorsEntry, ...] = ()
    website_main_page: str | None = None
    website_not_found_page: str | None = None

    @property
    def public_access_enforced(self) -> bool:
        """Public access prevention is enforced: no public binding or ACL takes effect."""
        return self.public_access_prevention == "enforced"

    @property
    def website(self) -> bool:
        """The bucket is configured as a static website."""
        return bool(self.website_main_page or self.website_not_found_page)
