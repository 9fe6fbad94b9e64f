"""S3 checks: who can read or write a bucket, and its hardening settings."""

from __future__ import annotations

from cloudaudit.engine.declarative import expect
from cloudaudit.engine.outcome import Outcome, fail, passed, unknown
from cloudaudit.engine.predicates import equals, is_set, is_true
from cloudaudit.engine.registry import check
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit_aws.assets import S3AccountSettings, S3Bucket
from cloudaudit_aws.checks.s3_exposure import (
    WRITE_PERMISSIONS,
    account_pab,
    exposure,
    grant_evidence,
    policy_evidence,
)
from cloudaudit_aws.policy import S3_WRITE_ACTIONS

_NEUTRALISED = Severity.LOW


def _not_exposed(bucket: S3Bucket, inventory: Inventory) -> Severity:
    """Hardening gaps: medium on a public bucket, low on a private one."""
    return Severity.MEDIUM if exposure(bucket, inventory).is_public else Severity.LOW


@check(
    id="aws.s3.bucket_public_read_acl",
    title="S3 bucket ACL grants read access to everyone",
    severity=Severity.HIGH,
    asset=S3Bucket,
    requires=("acl_grants", "public_access_block"),
    rationale="""An ACL grant to AllUsers or AuthenticatedUsers lets anyone on the Internet (or any AWS
        account) list the bucket or read its ACL; data leaks through public buckets are the most common
        cloud breach.""",
    remediation="""Remove the AllUsers/AuthenticatedUsers grants (aws s3api put-bucket-acl --acl private),
        set Object Ownership to BucketOwnerEnforced, and turn on Block Public Access.""",
)
def bucket_public_read_acl(bucket: S3Bucket, inventory: Inventory) -> Outcome:
    """Public READ/READ_ACP/FULL_CONTROL grants, graded by whether IgnorePublicAcls neutralises them."""
    exp = exposure(bucket, inventory)
    grants = tuple(g for g in exp.acl_grants if g.permission in ("READ", "READ_ACP", "FULL_CONTROL"))
    if not grants:
        return passed(f"Bucket {bucket.name} has no public read grant in its ACL.")
    evidence: dict[str, object] = {"grants": grant_evidence(grants)}
    if exp.acls_ignored_by:
        evidence["neutralised_by"] = f"IgnorePublicAcls ({exp.acls_ignored_by} level)"
        return fail(
            f"Bucket {bucket.name} has public read ACL grants, currently neutralised by "
            f"{exp.acls_ignored_by}-level Block Public Access.",
            evidence,
            _NEUTRALISED,
        )
    return fail(
        f"Bucket {bucket.name} ACL lets everyone read: "
        + ", ".join(f"{g['grantee']} {g['permission']}" for g in grant_evidence(grants)),
        evidence,
    )


@check(
    id="aws.s3.bucket_public_write",
    title="S3 bucket lets anyone write, delete or change permissions",
    severity=Severity.CRITICAL,
    asset=S3Bucket,
    requires=("acl_grants", "policy", "public_access_block"),
    rationale="""Public write access lets anyone upload malware, overwrite or delete data, or take over
        the bucket's permissions.""",
    remediation="""Remove WRITE/WRITE_ACP/FULL_CONTROL grants to AllUsers/AuthenticatedUsers and any policy
        statement allowing Put*/Delete* to Principal "*"; enable Block Public Access.""",
)
def bucket_public_write(bucket: S3Bucket, inventory: Inventory) -> Outcome:
    """ACL write grants or policy write statements reaching anyone."""
    exp = exposure(bucket, inventory)
    if exp.policy.error:
        return unknown(f"Bucket policy could not be analysed: {exp.policy.error}")
    acl = tuple(g for g in exp.acl_grants if g.permission in WRITE_PERMISSIONS)
    policy = exp.policy.write_grants(S3_WRITE_ACTIONS)
    if not acl and not policy:
        return passed(f"No one outside the account can write to bucket {bucket.name}.")
    evidence: dict[str, object] = {
        "acl_grants": grant_evidence(acl),
        "policy_statements": policy_evidence(policy),
    }
    live_acl = acl if not exp.acls_ignored_by else ()
    live_policy = policy if not exp.policy_restricted_by else ()
    if not live_acl and not live_policy:
        evidence["neutralised_by"] = "Block Public Access"
        return fail(
            f"Bucket {bucket.name} grants public write access, currently neutralised by Block Public Access.",
            evidence,
            _NEUTRALISED,
        )
    return fail(f"Anyone can write to or delete from bucket {bucket.name}.", evidence)


@check(
    id="aws.s3.bucket_policy_public",
    title="S3 bucket policy grants access to anyone",
    severity=Severity.HIGH,
    asset=S3Bucket,
    requires=("policy", "public_access_block"),
    rationale="""A bucket policy statement with Principal "*" and no condition that really restricts the
        caller (VPC endpoint, organisation, account, private source IP) makes the bucket public.""",
    remediation="""Name the principals that need access, or add a restricting condition such as
        aws:SourceVpce or aws:PrincipalOrgID; enable Block Public Access (RestrictPublicBuckets).""",
)
def bucket_policy_public(bucket: S3Bucket, inventory: Inventory) -> Outcome:
    """Public policy grants (our analyser), cross-checked with AWS's own PolicyStatus."""
    if bucket.policy_error:
        return unknown(bucket.policy_error)
    exp = exposure(bucket, inventory)
    if exp.policy.error:
        return unknown(f"Bucket policy could not be analysed: {exp.policy.error}")
    grants = exp.policy.grants
    if not grants and bucket.policy_is_public:
        return fail(
            f"AWS reports the policy of bucket {bucket.name} as public.",
            {"policy_status": {"IsPublic": True}, "policy": bucket.policy or {}},
        )
    if not grants:
        return passed(
            f"Bucket {bucket.name} policy grants nothing to anyone.",
            {"restricted": list(exp.policy.restricted)} if exp.policy.restricted else {},
        )
    evidence: dict[str, object] = {"statements": policy_evidence(grants)}
    if exp.policy_restricted_by:
        evidence["neutralised_by"] = f"RestrictPublicBuckets ({exp.policy_restricted_by} level)"
        return fail(
            f"Bucket {bucket.name} policy is public, currently neutralised by "
            f"{exp.policy_restricted_by}-level Block Public Access.",
            evidence,
            _NEUTRALISED,
        )
    actions = sorted({a for g in grants for a in g.actions})
    return fail(f"Bucket {bucket.name} policy grants {', '.join(actions)} to anyone.", evidence)


@check(
    id="aws.s3.bucket_public_access_block",
    title="S3 bucket Block Public Access is not fully enabled",
    severity=Severity.MEDIUM,
    asset=S3Bucket,
    requires=("public_access_block",),
    rationale="""Block Public Access is the guard rail that stops a future ACL or policy change from
        making the bucket public.""",
    remediation="""aws s3api put-public-access-block --bucket NAME --public-access-block-configuration
        BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true""",
)
def bucket_public_access_block(bucket: S3Bucket, inventory: Inventory) -> Outcome:
    """Bucket-level PAB; low when the account level already covers a private bucket."""
    pab = bucket.public_access_block
    if pab is not None and pab.fully_enabled:
        return passed(f"Bucket {bucket.name} has all four Block Public Access settings on.")
    evidence: dict[str, object] = {"public_access_block": pab.model_dump() if pab else None}
    acct, _ = account_pab(bucket, inventory)
    if exposure(bucket, inventory).is_public:
        sev = Severity.MEDIUM
    elif acct is not None and acct.fully_enabled:
        sev = Severity.LOW
        evidence["account_level"] = "fully enabled (covers this bucket)"
    else:
        sev = Severity.MEDIUM
    return fail(f"Bucket {bucket.name} does not have all Block Public Access settings on.", evidence, sev)


@check(
    id="aws.s3.account_public_access_block",
    title="S3 account-level Block Public Access is not fully enabled",
    severity=Severity.MEDIUM,
    asset=S3AccountSettings,
    requires=("public_access_block",),
    rationale="""Account-level Block Public Access protects every bucket, including ones created later,
        from being made public by mistake.""",
    remediation="""aws s3control put-public-access-block --account-id ACCOUNT
        --public-access-block-configuration
        BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true""",
)
def account_public_access_block(settings: S3AccountSettings, inventory: Inventory) -> Outcome:
    """All four switches on at account level."""
    pab = settings.public_access_block
    if pab is not None and pab.fully_enabled:
        return passed(f"Account {settings.account} blocks public access to S3 at account level.")
    return fail(
        f"Account {settings.account} does not block public S3 access at account level.",
        {"public_access_block": pab.model_dump() if pab else None},
    )


@check(
    id="aws.s3.bucket_website_public",
    title="S3 static website hosting serves a public bucket over plain HTTP",
    severity=Severity.HIGH,
    asset=S3Bucket,
    requires=("website", "acl_grants", "policy", "public_access_block"),
    rationale="""S3 website endpoints are HTTP only (no TLS) and serve the bucket's content to anyone;
        a forgotten website bucket often exposes files never meant to be published.""",
    remediation="""Disable website hosting (aws s3api delete-bucket-website) or serve the content through
        CloudFront with HTTPS and Origin Access Control, keeping the bucket private.""",
)
def bucket_website_public(bucket: S3Bucket, inventory: Inventory) -> Outcome:
    """Website hosting on a publicly readable bucket."""
    if bucket.website is None:
        return passed(f"Bucket {bucket.name} has no static website hosting.")
    exp = exposure(bucket, inventory)
    evidence = {"website": bucket.website}
    if exp.policy.error and not exp.publicly_readable:
        return unknown(
            f"Website hosting is on, but the bucket policy could not be analysed: {exp.policy.error}"
        )
    if not exp.publicly_readable:
        return passed(
            f"Bucket {bucket.name} has website hosting on, but nothing is readable by anyone.", evidence
        )
    endpoint = f"{bucket.name}.s3-website.{bucket.region}.amazonaws.com"
    return fail(
        f"Bucket {bucket.name} is served publicly over HTTP at {endpoint}.",
        {**evidence, "endpoint": f"http://{endpoint}"},
    )


@check(
    id="aws.s3.bucket_tls_not_enforced",
    title="S3 bucket policy does not deny requests without TLS",
    severity=Severity.MEDIUM,
    asset=S3Bucket,
    requires=("policy",),
    rationale="""Without a Deny on aws:SecureTransport=false, clients may read and write the bucket over
        plain HTTP (API7: TLS missing).""",
    remediation="""Add a statement: Effect Deny, Principal "*", Action "s3:*", Resource the bucket and
        bucket/*, Condition {"Bool": {"aws:SecureTransport": "false"}}.""",
)
def bucket_tls_not_enforced(bucket: S3Bucket, inventory: Inventory) -> Outcome:
    """Deny aws:SecureTransport=false present."""
    if bucket.policy_error:
        return unknown(bucket.policy_error)
    analysis = exposure(bucket, inventory).policy
    if analysis.error:
        return unknown(f"Bucket policy could not be analysed: {analysis.error}")
    if analysis.secure_transport_enforced:
        return passed(f"Bucket {bucket.name} denies requests that do not use TLS.")
    return fail(
        f"Bucket {bucket.name} accepts requests over plain HTTP.",
        {"policy": bucket.policy},
        _not_exposed(bucket, inventory),
    )


@check(
    id="aws.s3.bucket_cors_any_origin",
    title="S3 bucket CORS rule allows any origin",
    severity=Severity.MEDIUM,
    asset=S3Bucket,
    requires=("cors_rules", "acl_grants", "policy", "public_access_block"),
    rationale="""AllowedOrigins "*" lets any web site make browsers call the bucket; combined with
        public access or write methods it helps data theft and abuse (API7: CORS improperly set).""",
    remediation="""List the exact origins that need cross-origin access in AllowedOrigins, and only the
        methods they use.""",
)
def bucket_cors_any_origin(bucket: S3Bucket, inventory: Inventory) -> Outcome:
    """Wildcard origins, graded by public access and write methods."""
    wild = [r for r in bucket.cors_rules if "*" in r.allowed_origins]
    if not wild:
        return passed(f"Bucket {bucket.name} has no CORS rule for any origin.")
    writes = sorted({m for r in wild for m in r.allowed_methods if m in ("PUT", "POST", "DELETE")})
    public = exposure(bucket, inventory).is_public
    sev = (Severity.HIGH if writes else Severity.MEDIUM) if public else Severity.LOW
    return fail(
        f"Bucket {bucket.name} allows cross-origin requests from any origin"
        + (f" with {', '.join(writes)}" if writes else "")
        + ".",
        {"cors_rules": [r.model_dump() for r in wild], "bucket_public": public},
        sev,
    )


@check(
    id="aws.s3.bucket_acls_enabled",
    title="S3 bucket still uses ACLs (Object Ownership not BucketOwnerEnforced)",
    severity=Severity.LOW,
    asset=S3Bucket,
    requires=("object_ownership",),
    rationale="""With ACLs enabled, objects can be made public one by one, out of sight of the bucket
        policy; BucketOwnerEnforced disables ACLs entirely.""",
    remediation="aws s3api put-bucket-ownership-controls --bucket NAME "
    "--ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerEnforced}]'",
)
def bucket_acls_enabled(bucket: S3Bucket, inventory: Inventory) -> Outcome:
    """Object Ownership is BucketOwnerEnforced."""
    if bucket.object_ownership == "BucketOwnerEnforced":
        return passed(f"Bucket {bucket.name} has ACLs disabled.")
    return fail(
        f"Bucket {bucket.name} has ACLs enabled (Object Ownership: "
        f"{bucket.object_ownership or 'not configured'}).",
        {"object_ownership": bucket.object_ownership},
    )


expect(
    id="aws.s3.bucket_default_encryption",
    title="S3 bucket has no default encryption configuration",
    severity=Severity.LOW,
    asset=S3Bucket,
    attr="encryption",
    ok=is_true,
    pass_msg="Bucket {name} encrypts new objects by default.",
    fail_msg="Bucket {name} has no default encryption configuration.",
    rationale="""Default encryption makes every new object encrypted at rest, with a key you choose
        (SSE-KMS lets you audit and revoke access to the key).""",
    remediation="aws s3api put-bucket-encryption --bucket NAME --server-side-encryption-configuration "
    '\'{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms"}}]}\'',
)

expect(
    id="aws.s3.bucket_versioning",
    title="S3 bucket versioning is not enabled",
    severity=Severity.LOW,
    asset=S3Bucket,
    attr="versioning",
    ok=equals("Enabled", "is Enabled"),
    pass_msg="Bucket {name} keeps object versions.",
    fail_msg="Bucket {name} does not keep object versions (versioning: {value}).",
    rationale="Without versioning, an overwrite or delete (by mistake or by ransomware) cannot be undone.",
    remediation="aws s3api put-bucket-versioning --bucket NAME --versioning-configuration Status=Enabled",
)

expect(
    id="aws.s3.bucket_access_logging",
    title="S3 bucket server access logging is off",
    severity=Severity.LOW,
    asset=S3Bucket,
    attr="logging_target",
    ok=is_set,
    pass_msg="Bucket {name} writes server access logs to {value}.",
    fail_msg="Bucket {name} does not log requests.",
    rationale="Access logs are what tells you who read or changed the data after an incident.",
    remediation="aws s3api put-bucket-logging --bucket NAME --bucket-logging-status "
    '\'{"LoggingEnabled":{"TargetBucket":"LOG-BUCKET","TargetPrefix":"NAME/"}}\'',
)
