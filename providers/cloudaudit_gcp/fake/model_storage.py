"""Cloud Storage resources of the fake: buckets, their IAM policy and legacy ACLs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cloudaudit_gcp.fake.shapes import CREATED_UTC, JSON, compact

if TYPE_CHECKING:
    from cloudaudit_gcp.fake.state import FakeProject


@dataclass
class AclEntry:
    """One legacy ACL grant (bucket ACL or default object ACL)."""

    entity: str  # allUsers, allAuthenticatedUsers, user-a@example.com, project-owners-123...
    role: str  # READER, WRITER, OWNER


@dataclass
class Binding:
    """One IAM binding: a role and its members."""

    role: str
    members: list[str]


@dataclass
class Bucket:
    """A Cloud Storage bucket and the settings cloudaudit reads."""

    name: str
    location: str = "US"
    labels: dict[str, str] = field(default_factory=dict)
    iam: list[Binding] = field(default_factory=list)
    acl: list[AclEntry] = field(default_factory=list)
    default_object_acl: list[AclEntry] = field(default_factory=list)
    uniform_access: bool = True
    public_access_prevention: str = "inherited"  # or "enforced"
    retention_seconds: int | None = None
    versioning: bool = False
    log_bucket: str | None = None
    cors_origins: list[str] = field(default_factory=list)
    website_main_page: str | None = None
    website_not_found_page: str | None = None

    def acl_resource(self, entry: AclEntry, kind: str) -> JSON:
        """A ``BucketAccessControl`` (kind ``storage#bucketAccessControl``) or ``ObjectAccessControl``."""
        return {
            "kind": kind,
            "id": f"{self.name}/{entry.entity}",
            "bucket": self.name,
            "entity": entry.entity,
            "role": entry.role,
            "etag": "CAE=",
        }

    def acl_list(self, default_object: bool) -> JSON:
        """``BucketAccessControls`` / ``ObjectAccessControls``."""
        if default_object:
            items = [self.acl_resource(e, "storage#objectAccessControl") for e in self.default_object_acl]
            return {"kind": "storage#objectAccessControls", "items": items}
        items = [self.acl_resource(e, "storage#bucketAccessControl") for e in self.acl]
        return {"kind": "storage#bucketAccessControls", "items": items}

    def policy(self) -> JSON:
        """``Policy`` as ``buckets.getIamPolicy`` returns it."""
        bindings = [{"role": b.role, "members": list(b.members)} for b in self.iam]
        return {
            "kind": "storage#policy",
            "resourceId": f"projects/_/buckets/{self.name}",
            "version": 1,
            "etag": "CAE=",
            "bindings": bindings,
        }

    def resource(self, project: FakeProject, full: bool) -> JSON:
        """``Bucket``; ``full`` (projection=full) adds the ACLs when uniform access is off, as GCS does."""
        ubla: JSON = {"enabled": self.uniform_access}
        if self.uniform_access:
            ubla["lockedTime"] = "2026-04-15T18:00:00.000Z"
        body: JSON = {
            "kind": "storage#bucket",
            "id": self.name,
            "selfLink": f"https://www.googleapis.com/storage/v1/b/{self.name}",
            "projectNumber": project.number,
            "name": self.name,
            "timeCreated": CREATED_UTC,
            "updated": CREATED_UTC,
            "metageneration": "1",
            "location": self.location,
            "locationType": "multi-region" if self.location in {"US", "EU", "ASIA"} else "region",
            "storageClass": "STANDARD",
            "etag": "CAE=",
            "labels": dict(self.labels),
            "iamConfiguration": {
                "bucketPolicyOnly": dict(ubla),
                "uniformBucketLevelAccess": ubla,
                "publicAccessPrevention": self.public_access_prevention,
            },
            "versioning": {"enabled": self.versioning},
            "rpo": "DEFAULT",
        }
        if self.retention_seconds is not None:
            body["retentionPolicy"] = {
                "retentionPeriod": str(self.retention_seconds),
                "effectiveTime": CREATED_UTC,
            }
        if self.log_bucket:
            body["logging"] = {"logBucket": self.log_bucket, "logObjectPrefix": self.name}
        if self.cors_origins:
            body["cors"] = [
                {
                    "origin": list(self.cors_origins),
                    "method": ["GET"],
                    "responseHeader": ["Content-Type"],
                    "maxAgeSeconds": 3600,
                }
            ]
        if self.website_main_page or self.website_not_found_page:
            body["website"] = compact(
                {"mainPageSuffix": self.website_main_page, "notFoundPage": self.website_not_found_page}
            )
        if full and not self.uniform_access:
            body["acl"] = self.acl_list(default_object=False)["items"]
            body["defaultObjectAcl"] = self.acl_list(default_object=True)["items"]
        body["owner"] = {"entity": f"project-owners-{project.number}"}
        return compact(body)
