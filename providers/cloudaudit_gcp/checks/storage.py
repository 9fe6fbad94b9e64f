"""Cloud Storage checks: public buckets (IAM and legacy ACLs) and their guard rails."""

from __future__ import annotations

from collections.abc import Callable

from cloudaudit.engine.declarative import expect
from cloudaudit.engine.outcome import Outcome, fail, passed
from cloudaudit.engine.predicates import is_set, is_true
from cloudaudit.engine.registry import check
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit_gcp.assets_storage import GcsBucket
from cloudaudit_gcp.checks.storage_access import (
    PublicGrant,
    acl_grants,
    effectively_public,
    iam_grants,
    public_grants,
)

_NEUTRALISED = Severity.LOW
_PREVENTION = "public access prevention (enforced)"


def _public_check(
    read: Callable[[GcsBucket], tuple[PublicGrant, ...]], what: str
) -> Callable[[GcsBucket, Inventory], Outcome]:
    """A check function failing on the grants ``read`` finds: critical for write/admin, high for read,
    low when enforced public access prevention neutralises them."""

    def run(bucket: GcsBucket, inventory: Inventory) -> Outcome:
        grants = read(bucket)
        if not grants:
            return passed(f"Bucket {bucket.name} grants nothing to allUsers or allAuthenticatedUsers {what}.")
        evidence: dict[str, object] = {"grants": [g.evidence() for g in grants]}
        labels = ", ".join(g.label() for g in grants)
        if bucket.public_access_enforced:
            evidence["neutralised_by"] = _PREVENTION
            return fail(
                f"Bucket {bucket.name} grants access to the public {what} ({labels}), currently neutralised "
                "by enforced public access prevention.",
                evidence,
                _NEUTRALISED,
            )
        writes = any(g.writes for g in grants)
        verb = "write to or administer" if writes else "read"
        return fail(
            f"Anyone can {verb} bucket {bucket.name} {what}: {labels}.",
            evidence,
            Severity.CRITICAL if writes else Severity.HIGH,
        )

    return run


_PUBLIC_REMEDIATION = """Remove the allUsers/allAuthenticatedUsers members (gcloud storage buckets
    remove-iam-policy-binding gs://BUCKET --member=allUsers --role=ROLE), then enforce public access
    prevention: gcloud storage buckets update gs://BUCKET --public-access-prevention."""

check(
    id="gcp.storage.bucket_public_iam",
    title="Cloud Storage bucket IAM policy grants access to anyone",
    severity=Severity.HIGH,
    asset=GcsBucket,
    requires=("iam_bindings",),
    rationale="""A binding for allUsers or allAuthenticatedUsers makes the bucket readable (or writable)
        by anyone on the Internet or with any Google account; public buckets are the most common cloud
        data leak. Write or admin roles let anyone plant malware or delete data (critical).""",
    remediation=_PUBLIC_REMEDIATION,
)(_public_check(iam_grants, "through its IAM policy"))

check(
    id="gcp.storage.bucket_public_acl",
    title="Cloud Storage bucket legacy ACL grants access to anyone",
    severity=Severity.HIGH,
    asset=GcsBucket,
    requires=("acl", "default_object_acl"),
    rationale="""Where uniform bucket-level access is off, legacy ACL entries for allUsers or
        allAuthenticatedUsers on the bucket, or in the default object ACL every new object gets, make
        data public outside the IAM policy that reviewers look at.""",
    remediation="""Remove the public ACL entries (gcloud storage buckets update gs://BUCKET
        --remove-acl-grant=allUsers, and --remove-default-object-acl-grant=allUsers for the default object
        ACL; likewise allAuthenticatedUsers), then turn on uniform bucket-level access
        (--uniform-bucket-level-access) and public access prevention.""",
)(_public_check(acl_grants, "through a legacy ACL"))


expect(
    id="gcp.storage.bucket_uniform_access_disabled",
    title="Cloud Storage bucket does not use uniform bucket-level access",
    severity=Severity.MEDIUM,
    asset=GcsBucket,
    attr="uniform_access",
    ok=is_true,
    pass_msg="Bucket {name} uses uniform bucket-level access: only IAM decides who gets in.",
    fail_msg="Bucket {name} still honours legacy ACLs (uniform bucket-level access is off).",
    rationale="""With ACLs in force, every object can carry its own grants, so a bucket's IAM policy no
        longer says who can read its data; public objects hide among private ones.""",
    remediation="gcloud storage buckets update gs://BUCKET --uniform-bucket-level-access",
    requires=("public_access_prevention",),
    grade=lambda b, inv: Severity.LOW if b.public_access_enforced else Severity.MEDIUM,
)


@check(
    id="gcp.storage.bucket_public_access_prevention",
    title="Cloud Storage bucket does not enforce public access prevention",
    severity=Severity.LOW,
    asset=GcsBucket,
    requires=("public_access_prevention", "iam_bindings", "acl", "default_object_acl"),
    rationale="""Public access prevention is the guard rail that stops a future binding or ACL from
        making the bucket public; "inherited" leaves it to an organisation policy that may not be set.""",
    remediation="gcloud storage buckets update gs://BUCKET --public-access-prevention",
)
def bucket_public_access_prevention(bucket: GcsBucket, inventory: Inventory) -> Outcome:
    """Low on its own; medium when the bucket is public right now (nothing stops it)."""
    if bucket.public_access_enforced:
        return passed(f"Bucket {bucket.name} enforces public access prevention.")
    public = bool(public_grants(bucket))
    return fail(
        f"Bucket {bucket.name} does not enforce public access prevention"
        + (" and grants access to the public." if public else "."),
        {"public_access_prevention": bucket.public_access_prevention},
        Severity.MEDIUM if public else Severity.LOW,
    )


@check(
    id="gcp.storage.bucket_website_public",
    title="Cloud Storage bucket serves a public static website",
    severity=Severity.MEDIUM,
    asset=GcsBucket,
    requires=("iam_bindings", "acl", "default_object_acl", "public_access_prevention"),
    rationale="""A bucket configured as a website and readable by everyone publishes every object it
        holds; forgotten website buckets often expose files never meant to be published.""",
    remediation="""If the site is intended, keep only the site's files in the bucket and serve it through
        an HTTPS load balancer; otherwise remove the website configuration (gcloud storage buckets update
        gs://BUCKET --clear-web-main-page-suffix --clear-web-error-page) and the public grants.""",
)
def bucket_website_public(bucket: GcsBucket, inventory: Inventory) -> Outcome:
    """Website configuration on a bucket anyone can read."""
    if not bucket.website:
        return passed(f"Bucket {bucket.name} is not configured as a website.")
    if not effectively_public(bucket):
        return passed(f"Bucket {bucket.name} has a website configuration, but nothing is readable by anyone.")
    return fail(
        f"Bucket {bucket.name} is a public website (main page {bucket.website_main_page or 'not set'}).",
        {"main_page": bucket.website_main_page, "not_found_page": bucket.website_not_found_page},
    )


@check(
    id="gcp.storage.bucket_cors_any_origin",
    title="Cloud Storage bucket CORS configuration allows any origin",
    severity=Severity.MEDIUM,
    asset=GcsBucket,
    requires=("cors", "iam_bindings", "acl", "default_object_acl", "public_access_prevention"),
    rationale="""Origin "*" lets any web site make browsers call the bucket; combined with public access
        or write methods it helps data theft and abuse (API7: CORS improperly set).""",
    remediation="""List the exact origins that need cross-origin access (gcloud storage buckets update
        gs://BUCKET --cors-file=cors.json) and only the methods they use.""",
)
def bucket_cors_any_origin(bucket: GcsBucket, inventory: Inventory) -> Outcome:
    """Wildcard origins: medium on a public bucket (high with write methods), low on a private one."""
    wild = [c for c in bucket.cors if "*" in c.origins]
    if not wild:
        return passed(f"Bucket {bucket.name} allows no CORS request from any origin.")
    writes = sorted({m.upper() for c in wild for m in c.methods} & {"PUT", "POST", "DELETE", "PATCH", "*"})
    sev = (Severity.HIGH if writes else Severity.MEDIUM) if effectively_public(bucket) else Severity.LOW
    return fail(
        f"Bucket {bucket.name} accepts cross-origin requests from any origin"
        + (f" with {', '.join(writes)}." if writes else "."),
        {"cors": [c.model_dump() for c in wild]},
        sev,
    )


expect(
    id="gcp.storage.bucket_versioning",
    title="Cloud Storage bucket versioning is off",
    severity=Severity.LOW,
    asset=GcsBucket,
    attr="versioning",
    ok=is_true,
    pass_msg="Bucket {name} keeps earlier versions of its objects.",
    fail_msg="Bucket {name} does not keep object versions: an overwrite or delete is final.",
    rationale="""Without versioning (or a retention policy) a mistaken or malicious overwrite or delete,
        including by ransomware with stolen credentials, cannot be undone.""",
    remediation="gcloud storage buckets update gs://BUCKET --versioning",
)

expect(
    id="gcp.storage.bucket_access_logging",
    title="Cloud Storage bucket usage logging is off",
    severity=Severity.LOW,
    asset=GcsBucket,
    attr="logging_bucket",
    ok=is_set,
    pass_msg="Bucket {name} writes usage logs to {value}.",
    fail_msg="Bucket {name} writes no usage logs.",
    rationale="""Usage logs (or Data Access audit logs) are how a leak is investigated: who read which
        object, from where.""",
    remediation="gcloud storage buckets update gs://BUCKET --log-bucket=gs://LOG_BUCKET",
)
