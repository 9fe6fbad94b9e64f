"""S3: fetch buckets and their configuration (SDK), then map them to assets (pure).

The per-bucket detail calls are data (:data:`BUCKET_DETAILS`); they run concurrently in
the shared detail pool.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cloudaudit.model.asset import Asset
from cloudaudit_aws.assets import (
    PROVIDER,
    AclGrant,
    CorsRule,
    PublicAccessBlock,
    S3AccountSettings,
    S3Bucket,
)
from cloudaudit_aws.collect.context import CollectContext, ServiceCollector
from cloudaudit_aws.collect.guard import Absent, Failed, Guard, Raw
from cloudaudit_aws.collect.session import AwsSession

SERVICE = "s3"
LISTING_PERMISSIONS = ("s3:ListAllMyBuckets", "s3:GetBucketLocation", "s3:GetAccountPublicAccessBlock")


@dataclass(frozen=True)
class Detail:
    """One per-bucket read: the SDK method, what "not configured" looks like, what it fills."""

    key: str
    method: str
    permission: str
    """The IAM action the call needs (documented in deploy/iam-readonly-policy.json)."""
    fills: tuple[str, ...]
    absent: frozenset[str] = frozenset()


BUCKET_DETAILS: tuple[Detail, ...] = (
    Detail("acl", "get_bucket_acl", "s3:GetBucketAcl", ("acl_grants", "owner_id")),
    Detail(
        "policy",
        "get_bucket_policy",
        "s3:GetBucketPolicy",
        ("policy", "policy_error"),
        frozenset({"NoSuchBucketPolicy"}),
    ),
    Detail(
        "policy_status",
        "get_bucket_policy_status",
        "s3:GetBucketPolicyStatus",
        ("policy_is_public",),
        frozenset({"NoSuchBucketPolicy"}),
    ),
    Detail(
        "public_access_block",
        "get_public_access_block",
        "s3:GetBucketPublicAccessBlock",
        ("public_access_block",),
        frozenset({"NoSuchPublicAccessBlockConfiguration"}),
    ),
    Detail(
        "ownership",
        "get_bucket_ownership_controls",
        "s3:GetBucketOwnershipControls",
        ("object_ownership",),
        frozenset({"OwnershipControlsNotFoundError"}),
    ),
    Detail(
        "website",
        "get_bucket_website",
        "s3:GetBucketWebsite",
        ("website",),
        frozenset({"NoSuchWebsiteConfiguration"}),
    ),
    Detail(
        "encryption",
        "get_bucket_encryption",
        "s3:GetEncryptionConfiguration",
        ("encryption",),
        frozenset({"ServerSideEncryptionConfigurationNotFoundError"}),
    ),
    Detail("versioning", "get_bucket_versioning", "s3:GetBucketVersioning", ("versioning", "mfa_delete")),
    Detail("logging", "get_bucket_logging", "s3:GetBucketLogging", ("logging_target",)),
    Detail(
        "cors", "get_bucket_cors", "s3:GetBucketCORS", ("cors_rules",), frozenset({"NoSuchCORSConfiguration"})
    ),
    Detail("tagging", "get_bucket_tagging", "s3:GetBucketTagging", ("tags",), frozenset({"NoSuchTagSet"})),
)

BucketRaw = dict[str, Raw | Absent | Failed]


# ---------------------------------------------------------------- fetch (SDK I/O)


def fetch_buckets(aws: AwsSession, guard: Guard, regions: Iterable[str]) -> list[Raw] | Failed:
    """Buckets in the audited regions, each with a ``Region`` key."""
    client = aws.client("s3")
    listed = guard.paginate(client, "list_buckets", "Buckets", service=SERVICE, region="global")
    if isinstance(listed, Failed):
        return listed
    wanted = set(regions)
    out = []
    for bucket in listed:
        region = bucket.get("BucketRegion") or _bucket_region(client, guard, bucket["Name"])
        if region in wanted:
            out.append({**bucket, "Region": region})
    return out


def _bucket_region(client: Any, guard: Guard, name: str) -> str:
    resp = guard.call(
        client.get_bucket_location, service=SERVICE, region="global", resource_id=_arn(name), Bucket=name
    )
    if not isinstance(resp, dict):
        return "us-east-1"
    # Legacy answers: None means us-east-1, "EU" means eu-west-1.
    return {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(
        resp.get("LocationConstraint"), str(resp.get("LocationConstraint"))
    )


def fetch_bucket_details(aws: AwsSession, guard: Guard, bucket: Raw) -> BucketRaw:
    """Every :data:`BUCKET_DETAILS` read of one bucket, sequentially (callers parallelise buckets)."""
    client = aws.client("s3", bucket["Region"])
    return {
        d.key: guard.call(
            getattr(client, d.method),
            service=SERVICE,
            region=bucket["Region"],
            resource_id=_arn(bucket["Name"]),
            absent=d.absent,
            Bucket=bucket["Name"],
        )
        for d in BUCKET_DETAILS
    }


def fetch_account_public_access_block(aws: AwsSession, guard: Guard) -> Raw | Absent | Failed:
    """The account-level Block Public Access configuration."""
    client = aws.client("s3control")
    return guard.call(
        client.get_public_access_block,
        service=SERVICE,
        region="global",
        absent={"NoSuchPublicAccessBlockConfiguration"},
        AccountId=guard.account,
    )


def collect_s3(ctx: CollectContext, region: str) -> list[Asset]:
    """Buckets of the audited regions (details fetched concurrently) and the account settings."""
    aws, guard = ctx.aws, ctx.guard
    account_pab = fetch_account_public_access_block(aws, guard)
    assets: list[Asset] = [to_account_settings(guard.account, aws.home_region, account_pab)]
    buckets = fetch_buckets(aws, guard, ctx.regions)
    if isinstance(buckets, Failed):
        return assets
    ctx.progress.add_total(len(buckets))
    futures = [(b, ctx.detail_pool.submit(fetch_bucket_details, aws, guard, b)) for b in buckets]
    for bucket, future in futures:
        assets.append(to_bucket(guard.account, bucket, future.result()))
        ctx.progress.advance(f"s3 {bucket['Name']}")
    return assets


# ---------------------------------------------------------------- translate (pure)


def _arn(name: str) -> str:
    return f"arn:aws:s3:::{name}"


def to_public_access_block(raw: Raw | Absent) -> PublicAccessBlock | None:
    """The PAB model from a GetPublicAccessBlock answer (None when not configured)."""
    if isinstance(raw, Absent):
        return None
    cfg = raw.get("PublicAccessBlockConfiguration", {})
    return PublicAccessBlock(
        block_public_acls=bool(cfg.get("BlockPublicAcls")),
        ignore_public_acls=bool(cfg.get("IgnorePublicAcls")),
        block_public_policy=bool(cfg.get("BlockPublicPolicy")),
        restrict_public_buckets=bool(cfg.get("RestrictPublicBuckets")),
    )


def to_account_settings(account: str, region: str, raw: Raw | Absent | Failed) -> S3AccountSettings:
    """Account-level S3 settings asset."""
    unread = {"public_access_block": raw.reason("GetPublicAccessBlock")} if isinstance(raw, Failed) else {}
    return S3AccountSettings(
        provider=PROVIDER,
        account=account,
        region=region,
        id=f"arn:aws:s3::{account}:account-settings",
        name=f"S3 account settings ({account})",
        public_access_block=None if isinstance(raw, Failed) else to_public_access_block(raw),
        unread=unread,
    )


def to_bucket(account: str, bucket: Raw, details: Mapping[str, Raw | Absent | Failed]) -> S3Bucket:
    """An :class:`S3Bucket` from ListBuckets + detail answers; failed reads go to ``unread``."""
    fields: dict[str, Any] = {}
    unread: dict[str, str] = {}
    for detail in BUCKET_DETAILS:
        raw = details.get(detail.key, Failed("NotCollected", "not collected"))
        if isinstance(raw, Failed):
            unread.update({attr: raw.reason(_op(detail.method)) for attr in detail.fills})
            continue
        fields.update(_TRANSLATORS[detail.key](raw))
    tags = fields.pop("tags", {})
    created = bucket.get("CreationDate")
    return S3Bucket(
        provider=PROVIDER,
        account=account,
        region=bucket["Region"],
        id=_arn(bucket["Name"]),
        name=bucket["Name"],
        tags=tags,
        creation_date=created.isoformat() if created else "",
        unread=unread,
        **fields,
    )


def _op(method: str) -> str:
    return "".join(p.capitalize() for p in method.split("_"))


def _acl(raw: Raw | Absent) -> dict[str, Any]:
    if isinstance(raw, Absent):
        return {}
    grants = []
    for g in raw.get("Grants", []):
        grantee = g.get("Grantee", {})
        who = grantee.get("URI") or grantee.get("ID") or grantee.get("EmailAddress") or ""
        grants.append(
            AclGrant(
                grantee_type=str(grantee.get("Type", "")),
                grantee=str(who),
                permission=str(g.get("Permission", "")),
            )
        )
    return {"acl_grants": tuple(grants), "owner_id": str(raw.get("Owner", {}).get("ID", ""))}


def _policy(raw: Raw | Absent) -> dict[str, Any]:
    if isinstance(raw, Absent):
        return {"policy": None}
    text = raw.get("Policy", "")
    try:
        doc = json.loads(text)
    except (TypeError, ValueError) as exc:
        return {"policy": None, "policy_error": f"bucket policy is not valid JSON: {exc}"}
    if not isinstance(doc, dict):
        return {"policy": None, "policy_error": "bucket policy is not a JSON object"}
    return {"policy": doc}


def _policy_status(raw: Raw | Absent) -> dict[str, Any]:
    if isinstance(raw, Absent):
        return {"policy_is_public": None}
    return {"policy_is_public": bool(raw.get("PolicyStatus", {}).get("IsPublic"))}


def _ownership(raw: Raw | Absent) -> dict[str, Any]:
    if isinstance(raw, Absent):
        return {"object_ownership": None}
    rules = raw.get("OwnershipControls", {}).get("Rules", [])
    return {"object_ownership": rules[0].get("ObjectOwnership") if rules else None}


def _website(raw: Raw | Absent) -> dict[str, Any]:
    if isinstance(raw, Absent):
        return {"website": None}
    return {"website": {k: v for k, v in raw.items() if k != "ResponseMetadata"}}


def _encryption(raw: Raw | Absent) -> dict[str, Any]:
    if isinstance(raw, Absent):
        return {"encryption": ()}
    rules = raw.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
    return {"encryption": tuple(rules)}


def _versioning(raw: Raw | Absent) -> dict[str, Any]:
    if isinstance(raw, Absent):
        return {}
    return {"versioning": str(raw.get("Status", "")), "mfa_delete": str(raw.get("MFADelete", ""))}


def _logging(raw: Raw | Absent) -> dict[str, Any]:
    if isinstance(raw, Absent):
        return {"logging_target": None}
    enabled = raw.get("LoggingEnabled")
    return {"logging_target": enabled.get("TargetBucket", "") if enabled else None}


def _cors(raw: Raw | Absent) -> dict[str, Any]:
    if isinstance(raw, Absent):
        return {"cors_rules": ()}
    return {
        "cors_rules": tuple(
            CorsRule(
                allowed_origins=tuple(r.get("AllowedOrigins", [])),
                allowed_methods=tuple(r.get("AllowedMethods", [])),
                allowed_headers=tuple(r.get("AllowedHeaders", [])),
            )
            for r in raw.get("CORSRules", [])
        )
    }


def _tagging(raw: Raw | Absent) -> dict[str, Any]:
    if isinstance(raw, Absent):
        return {"tags": {}}
    return {"tags": {str(t["Key"]): str(t.get("Value", "")) for t in raw.get("TagSet", [])}}


def _pab(raw: Raw | Absent) -> dict[str, Any]:
    return {"public_access_block": to_public_access_block(raw)}


_TRANSLATORS: dict[str, Callable[[Raw | Absent], dict[str, Any]]] = {
    "acl": _acl,
    "policy": _policy,
    "policy_status": _policy_status,
    "public_access_block": _pab,
    "ownership": _ownership,
    "website": _website,
    "encryption": _encryption,
    "versioning": _versioning,
    "logging": _logging,
    "cors": _cors,
    "tagging": _tagging,
}


COLLECTOR = ServiceCollector(
    service=SERVICE,
    regional=False,
    collect=collect_s3,
    permissions=LISTING_PERMISSIONS + tuple(d.permission for d in BUCKET_DETAILS),
)
