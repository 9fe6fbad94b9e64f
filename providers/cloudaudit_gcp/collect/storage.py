"""Cloud Storage: fetch buckets with their IAM policy (SDK), then map them to assets (pure).

One ``buckets.list`` with ``projection=full`` returns every bucket's settings and, where uniform
bucket-level access is off, its legacy ACLs; then one ``getIamPolicy`` per bucket, in the detail pool.
When the listing leaves out the ACLs of a bucket that uses them, they are read with the ACL calls; on
a bucket with uniform access those answer 400 by design, which is not an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudaudit.collect.guard import Absent, Failed, Raw
from cloudaudit.model.asset import Asset
from cloudaudit_gcp.assets import PROVIDER, IamBinding, full_name
from cloudaudit_gcp.assets_storage import AclEntry, CorsEntry, GcsBucket
from cloudaudit_gcp.collect.context import CollectContext, ServiceCollector

SERVICE = "storage"
GLOBAL = "global"
PERMISSIONS = ("storage.buckets.list", "storage.buckets.getIamPolicy")

# ---------------------------------------------------------------- fetch (SDK I/O)


def fetch_buckets(ctx: CollectContext) -> list[Raw] | Failed:
    """Every bucket of the project as its JSON resource (``projection=full``)."""
    client = ctx.gcp.storage()
    listed = ctx.guard.items(
        lambda: client.list_buckets(project=ctx.project, projection="full", retry=ctx.gcp.retry),
        service=SERVICE,
        region=GLOBAL,
        operation="storage.buckets.list",
    )
    if isinstance(listed, Failed):
        return listed
    return [dict(bucket._properties) for bucket in listed]  # the resource as the API sent it


def fetch_details(ctx: CollectContext, raw: Raw) -> dict[str, Any]:
    """The IAM policy of one bucket, and its ACLs when the listing left them out."""
    client = ctx.gcp.storage()
    bucket = client.bucket(raw["name"])
    where: dict[str, Any] = {"service": SERVICE, "region": GLOBAL, "resource_id": bucket_id(raw["name"])}
    details: dict[str, Any] = {
        "iam": ctx.guard.fetch(
            lambda: bucket.get_iam_policy(requested_policy_version=3, retry=ctx.gcp.retry).to_api_repr(),
            operation="storage.buckets.getIamPolicy",
            **where,
        )
    }
    if not _uniform(raw) and "acl" not in raw:
        details["acl"] = ctx.guard.items(
            lambda: _entries(bucket.acl),
            operation="storage.bucketAccessControls.list",
            absent_status=(400,),
            **where,
        )
        details["default_object_acl"] = ctx.guard.items(
            lambda: _entries(bucket.default_object_acl),
            operation="storage.defaultObjectAccessControls.list",
            absent_status=(400,),
            **where,
        )
    return details


def _entries(acl: Any) -> list[Raw]:
    """An ACL's entries, read now (``reload`` is the ACL's own list call)."""
    acl.reload()  # the default retry (429, 5xx) of the storage client
    return [dict(entry) for entry in acl]


def collect(ctx: CollectContext, region: str) -> list[Asset]:
    """Every bucket of the project (buckets are global: ``--regions`` does not filter them)."""
    listed = fetch_buckets(ctx)
    if isinstance(listed, Failed):
        return []
    details = list(ctx.detail_pool.map(lambda raw: fetch_details(ctx, raw), listed))
    return [to_bucket(ctx.project, raw, extra) for raw, extra in zip(listed, details, strict=True)]


# ---------------------------------------------------------------- translate (pure)


def bucket_id(name: str) -> str:
    """A bucket's full resource name."""
    return full_name("storage", f"projects/_/buckets/{name}")


def to_bucket(project: str, raw: Raw, details: Mapping[str, Any]) -> GcsBucket:
    """A :class:`GcsBucket` from its JSON resource and detail reads (Failed reads become ``unread``)."""
    unread: dict[str, str] = {}
    iam = details.get("iam")
    bindings: tuple[IamBinding, ...] = ()
    if isinstance(iam, Failed):
        unread["iam_bindings"] = iam.reason("storage.buckets.getIamPolicy")
    elif isinstance(iam, dict):
        bindings = tuple(_binding(b) for b in iam.get("bindings", ()))
    uniform = _uniform(raw)
    acl = _acl_entries(raw.get("acl"), details.get("acl"), "acl", unread, uniform)
    default_acl = _acl_entries(
        raw.get("defaultObjectAcl"), details.get("default_object_acl"), "default_object_acl", unread, uniform
    )
    iam_config = raw.get("iamConfiguration") or {}
    retention = raw.get("retentionPolicy") or {}
    website = raw.get("website") or {}
    return GcsBucket(
        provider=PROVIDER,
        account=project,
        region=str(raw.get("location", "")).lower() or GLOBAL,
        id=bucket_id(raw["name"]),
        name=raw["name"],
        tags={str(k): str(v) for k, v in (raw.get("labels") or {}).items()},
        location_type=str(raw.get("locationType", "")),
        iam_bindings=bindings,
        acl=acl,
        default_object_acl=default_acl,
        uniform_access=uniform,
        public_access_prevention=str(iam_config.get("publicAccessPrevention") or "inherited").lower(),
        retention_seconds=int(retention["retentionPeriod"]) if "retentionPeriod" in retention else None,
        retention_locked=bool(retention.get("isLocked", False)),
        versioning=bool((raw.get("versioning") or {}).get("enabled", False)),
        logging_bucket=(raw.get("logging") or {}).get("logBucket") or None,
        cors=tuple(
            CorsEntry(origins=tuple(c.get("origin", ())), methods=tuple(c.get("method", ())))
            for c in raw.get("cors") or ()
        ),
        website_main_page=website.get("mainPageSuffix") or None,
        website_not_found_page=website.get("notFoundPage") or None,
        unread=unread,
    )


def _uniform(raw: Raw) -> bool:
    config = raw.get("iamConfiguration") or {}
    return bool(
        (config.get("uniformBucketLevelAccess") or config.get("bucketPolicyOnly") or {}).get("enabled")
    )


def _binding(raw: Mapping[str, Any]) -> IamBinding:
    condition = raw.get("condition") or {}
    return IamBinding(
        role=str(raw.get("role", "")),
        members=tuple(sorted(str(m) for m in raw.get("members", ()))),
        condition=str(condition.get("title") or condition.get("expression") or ""),
    )


def _acl_entries(
    listed: Any, read: Any, field: str, unread: dict[str, str], uniform: bool
) -> tuple[AclEntry, ...]:
    """The ACL from the listing, else from its own call; none applies under uniform access."""
    if uniform:
        return ()
    if isinstance(read, Failed):
        unread[field] = read.reason(field)
        return ()
    entries = listed if listed is not None else read
    if entries is None or isinstance(entries, Absent):
        return ()
    return tuple(AclEntry(entity=str(e.get("entity", "")), role=str(e.get("role", ""))) for e in entries)


COLLECTOR = ServiceCollector(
    service=SERVICE, regional=False, collect=collect, permissions=PERMISSIONS, api="storage.googleapis.com"
)
