"""Pass/fail fixtures for every AWS check, as data (one table, one parametrized test).

Each :class:`CheckCase` is an inventory built with :mod:`aws_builders` and the EXACT verdicts the
check must give: which resources fail (with the graded severity), pass, are UNKNOWN, or yield no
finding at all. Every resource of the check's asset kind is listed in exactly one of those sets.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from aws_builders import (
    ACCOUNT,
    ANYWHERE4,
    ANYWHERE6,
    AUTHENTICATED_USERS,
    PRIVATE_SUBNET,
    PUBLIC_SUBNET,
    WEBSITE,
    account_settings,
    acl_grant,
    all_traffic,
    allow_anyone,
    bucket,
    bucket_arn,
    cors,
    eni_arn,
    full_pab,
    hardened_bucket,
    instance,
    instance_arn,
    interface,
    inventory,
    network,
    owner_grant,
    pab,
    policy,
    public_policy,
    rule,
    security_group,
    settings_arn,
    sg_arn,
    sse_kms_rule,
    tcp,
    tls_deny_statement,
)
from aws_cases import CheckCase, case, service_cases
from cloudaudit.engine.registry import REGISTRY
from cloudaudit.engine.runner import evaluate
from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import Finding
from cloudaudit.model.inventory import Inventory
from cloudaudit_aws.assets import IngressRule
from cloudaudit_aws.plugin import plugin

plugin.load()

CRITICAL, HIGH, MEDIUM, LOW, INFO = (
    Severity.CRITICAL,
    Severity.HIGH,
    Severity.MEDIUM,
    Severity.LOW,
    Severity.INFO,
)

GUARDED = "444455556666"
"""An account with account-level Block Public Access fully on."""
PARTIAL = "777788889999"
"""An account with BlockPublicAcls and BlockPublicPolicy only (nothing neutralises existing grants)."""

S3_ACCOUNTS = (
    account_settings(None),
    account_settings(full_pab(), account=GUARDED),
    account_settings(pab(block_public_acls=True, block_public_policy=True), account=PARTIAL),
)

B = bucket_arn
SG = sg_arn
I = instance_arn  # noqa: E741
ENI = eni_arn

PUBLIC_V4 = "54.210.0.10"
PUBLIC_V6 = "2600:1f18:abc:de00::10"


# ----------------------------------------------------------------------------------------------- S3

_READ_ACL = case(
    *S3_ACCOUNTS,
    bucket("acl-allusers-read", acl_grants=(owner_grant(), acl_grant("READ"))),
    bucket("acl-authusers-read-acp", acl_grants=(owner_grant(), acl_grant("READ_ACP", AUTHENTICATED_USERS))),
    bucket("acl-allusers-full-control", acl_grants=(owner_grant(), acl_grant("FULL_CONTROL"))),
    # IgnorePublicAcls neutralises the grant: still a finding, graded low.
    bucket(
        "acl-ignored-at-bucket",
        acl_grants=(owner_grant(), acl_grant("READ")),
        public_access_block=pab(ignore_public_acls=True),
    ),
    bucket("acl-ignored-at-account", account=GUARDED, acl_grants=(owner_grant(), acl_grant("READ"))),
    # BlockPublicAcls alone does not neutralise an existing grant.
    bucket("acl-partial-account", account=PARTIAL, acl_grants=(owner_grant(), acl_grant("READ"))),
    bucket("acl-private", acl_grants=(owner_grant(),)),
    bucket("acl-public-write-only", acl_grants=(owner_grant(), acl_grant("WRITE"))),
    bucket("acl-other-account-read", acl_grants=(owner_grant(), acl_grant("READ", "0123abcd" * 8))),
    bucket("acl-policy-public", acl_grants=(owner_grant(),), policy=public_policy("acl-policy-public")),
    failing={
        B("acl-allusers-read"): HIGH,
        B("acl-authusers-read-acp"): HIGH,
        B("acl-allusers-full-control"): HIGH,
        B("acl-ignored-at-bucket"): LOW,
        B("acl-ignored-at-account"): LOW,
        B("acl-partial-account"): HIGH,
    },
    passing={
        B("acl-private"),
        B("acl-public-write-only"),
        B("acl-other-account-read"),
        B("acl-policy-public"),
    },
    messages={
        B("acl-ignored-at-bucket"): "bucket-level Block Public Access",
        B("acl-ignored-at-account"): "account-level Block Public Access",
        B("acl-allusers-read"): "AllUsers (anyone) READ",
    },
)

_WRITE = case(
    *S3_ACCOUNTS,
    bucket("write-acl-allusers", acl_grants=(owner_grant(), acl_grant("WRITE"))),
    bucket("write-acp-authusers", acl_grants=(owner_grant(), acl_grant("WRITE_ACP", AUTHENTICATED_USERS))),
    bucket("write-policy-put", policy=public_policy("write-policy-put", "s3:PutObject")),
    bucket("write-policy-s3-star", policy=public_policy("write-policy-s3-star", "s3:*")),
    bucket(
        "write-acl-ignored",
        acl_grants=(owner_grant(), acl_grant("WRITE")),
        public_access_block=pab(ignore_public_acls=True),
    ),
    bucket(
        "write-policy-restricted-account",
        account=GUARDED,
        policy=public_policy("write-policy-restricted-account", "s3:DeleteObject"),
    ),
    # The ACL is neutralised but the policy is not: still critical.
    bucket(
        "write-acl-ignored-policy-live",
        acl_grants=(owner_grant(), acl_grant("WRITE")),
        policy=public_policy("write-acl-ignored-policy-live", "s3:PutObject"),
        public_access_block=pab(ignore_public_acls=True),
    ),
    bucket("write-read-only-policy", policy=public_policy("write-read-only-policy", "s3:GetObject")),
    hardened_bucket("write-private"),
    bucket(
        "write-policy-vpce",
        policy=public_policy(
            "write-policy-vpce", "s3:PutObject", StringEquals={"aws:SourceVpce": "vpce-1a2b3c4d5e6f7a8b9"}
        ),
    ),
    bucket("write-policy-malformed", policy={"Version": "2012-10-17"}),
    failing={
        B("write-acl-allusers"): CRITICAL,
        B("write-acp-authusers"): CRITICAL,
        B("write-policy-put"): CRITICAL,
        B("write-policy-s3-star"): CRITICAL,
        B("write-acl-ignored"): LOW,
        B("write-policy-restricted-account"): LOW,
        B("write-acl-ignored-policy-live"): CRITICAL,
    },
    passing={B("write-read-only-policy"), B("write-private"), B("write-policy-vpce")},
    unknown={B("write-policy-malformed")},
    messages={B("write-acl-ignored"): "neutralised", B("write-policy-malformed"): "no Statement"},
)

_POLICY_PUBLIC = case(
    *S3_ACCOUNTS,
    bucket("pol-public-get", policy=public_policy("pol-public-get"), policy_is_public=True),
    bucket(
        "pol-restricted-at-bucket",
        policy=public_policy("pol-restricted-at-bucket"),
        policy_is_public=True,
        public_access_block=pab(restrict_public_buckets=True),
    ),
    bucket(
        "pol-restricted-at-account",
        account=GUARDED,
        policy=public_policy("pol-restricted-at-account"),
        policy_is_public=True,
    ),
    # BlockPublicPolicy only stops new public policies; the existing one still applies.
    bucket(
        "pol-partial-account",
        account=PARTIAL,
        policy=public_policy("pol-partial-account"),
        policy_is_public=True,
    ),
    bucket(
        "pol-source-vpce",
        policy=public_policy("pol-source-vpce", StringEquals={"aws:SourceVpce": "vpce-1a2b3c4d5e6f7a8b9"}),
        policy_is_public=False,
    ),
    bucket(
        "pol-org-id",
        policy=public_policy("pol-org-id", StringEquals={"aws:PrincipalOrgID": "o-a1b2c3d4e5"}),
        policy_is_public=False,
    ),
    bucket(
        "pol-named-principal",
        policy=policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
                "Action": "s3:GetObject",
                "Resource": f"{B('pol-named-principal')}/*",
            }
        ),
        policy_is_public=False,
    ),
    bucket(
        "pol-deny-unless-vpce",
        policy=policy(
            allow_anyone("pol-deny-unless-vpce"),
            {
                "Sid": "DenyOutsideVpce",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [B("pol-deny-unless-vpce"), f"{B('pol-deny-unless-vpce')}/*"],
                "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d5e6f7a8b9"}},
            },
        ),
        policy_is_public=False,
    ),
    bucket("pol-none"),
    bucket("pol-acl-public-only", acl_grants=(owner_grant(), acl_grant("READ"))),
    # Our analyser sees a restricting condition, AWS's PolicyStatus says public: AWS wins.
    bucket(
        "pol-aws-says-public",
        policy=public_policy("pol-aws-says-public", StringLike={"aws:SourceVpce": "vpce-1a2b3c4d*"}),
        policy_is_public=True,
    ),
    bucket(
        "pol-unparsable",
        policy=None,
        policy_error="bucket policy is not valid JSON: Expecting value: line 1 column 1 (char 0)",
    ),
    bucket("pol-statement-not-list", policy={"Version": "2012-10-17", "Statement": "oops"}),
    failing={
        B("pol-public-get"): HIGH,
        B("pol-restricted-at-bucket"): LOW,
        B("pol-restricted-at-account"): LOW,
        B("pol-partial-account"): HIGH,
        B("pol-aws-says-public"): HIGH,
    },
    passing={
        B("pol-source-vpce"),
        B("pol-org-id"),
        B("pol-named-principal"),
        B("pol-deny-unless-vpce"),
        B("pol-none"),
        B("pol-acl-public-only"),
    },
    unknown={B("pol-unparsable"), B("pol-statement-not-list")},
    messages={
        B("pol-public-get"): "s3:GetObject",
        B("pol-restricted-at-account"): "account-level Block Public Access",
        B("pol-aws-says-public"): "AWS reports",
        B("pol-unparsable"): "not valid JSON",
    },
)

_BUCKET_PAB = case(
    *S3_ACCOUNTS,
    hardened_bucket("pab-full"),
    hardened_bucket("pab-full-public-policy", policy=public_policy("pab-full-public-policy")),
    bucket("pab-none-private"),
    bucket(
        "pab-three-of-four",
        public_access_block=pab(block_public_acls=True, ignore_public_acls=True, block_public_policy=True),
    ),
    # Private bucket, account level fully on: low.
    bucket("pab-none-guarded-account", account=GUARDED),
    bucket("pab-partial-guarded-account", account=GUARDED, public_access_block=pab(block_public_acls=True)),
    # Account level only partly on: it does not cover the bucket.
    bucket("pab-none-partial-account", account=PARTIAL),
    # Public buckets: medium.
    bucket("pab-none-public-acl", acl_grants=(owner_grant(), acl_grant("READ"))),
    bucket("pab-none-public-policy", account=PARTIAL, policy=public_policy("pab-none-public-policy")),
    failing={
        B("pab-none-private"): MEDIUM,
        B("pab-three-of-four"): MEDIUM,
        B("pab-none-guarded-account"): LOW,
        B("pab-partial-guarded-account"): LOW,
        B("pab-none-partial-account"): MEDIUM,
        B("pab-none-public-acl"): MEDIUM,
        B("pab-none-public-policy"): MEDIUM,
    },
    passing={B("pab-full"), B("pab-full-public-policy")},
)

_ACCOUNT_PAB = case(
    *S3_ACCOUNTS,
    account_settings(pab(), account="555566667777"),
    account_settings(
        None, account="888899990000", unread={"public_access_block": "AccessDenied on GetPublicAccessBlock"}
    ),
    hardened_bucket("not-an-account-setting"),
    failing={
        settings_arn(ACCOUNT): MEDIUM,
        settings_arn(PARTIAL): MEDIUM,
        settings_arn("555566667777"): MEDIUM,
    },
    passing={settings_arn(GUARDED)},
    unknown={settings_arn("888899990000")},
    messages={settings_arn("888899990000"): "AccessDenied on GetPublicAccessBlock"},
)

_WEBSITE = case(
    *S3_ACCOUNTS,
    bucket(
        "site-public-policy",
        region="eu-west-1",
        website=WEBSITE,
        policy=public_policy("site-public-policy"),
    ),
    bucket("site-public-acl", website=WEBSITE, acl_grants=(owner_grant(), acl_grant("READ"))),
    bucket("site-private", website=WEBSITE, acl_grants=(owner_grant(),)),
    bucket(
        "site-policy-neutralised",
        account=GUARDED,
        website=WEBSITE,
        policy=public_policy("site-policy-neutralised"),
    ),
    bucket(
        "site-acl-ignored",
        website=WEBSITE,
        acl_grants=(owner_grant(), acl_grant("READ")),
        public_access_block=pab(ignore_public_acls=True),
    ),
    bucket("no-site-public", policy=public_policy("no-site-public")),
    failing={B("site-public-policy"): HIGH, B("site-public-acl"): HIGH},
    passing={B("site-private"), B("site-policy-neutralised"), B("site-acl-ignored"), B("no-site-public")},
    messages={B("site-public-policy"): "site-public-policy.s3-website.eu-west-1.amazonaws.com"},
)

_TLS = case(
    *S3_ACCOUNTS,
    hardened_bucket("tls-enforced"),
    bucket(
        "tls-enforced-public",
        policy=policy(allow_anyone("tls-enforced-public"), tls_deny_statement("tls-enforced-public")),
    ),
    bucket("tls-missing-private"),
    bucket("tls-missing-public-policy", policy=public_policy("tls-missing-public-policy")),
    bucket("tls-missing-public-acl", acl_grants=(owner_grant(), acl_grant("READ"))),
    bucket("tls-missing-neutralised", account=GUARDED, policy=public_policy("tls-missing-neutralised")),
    bucket("tls-deny-wrong-value", policy=policy(tls_deny_statement("tls-deny-wrong-value", "true"))),
    bucket(
        "tls-deny-one-action",
        policy=policy({**tls_deny_statement("tls-deny-one-action"), "Action": "s3:GetObject"}),
    ),
    bucket("tls-unparsable", policy=None, policy_error="bucket policy is not valid JSON: Extra data"),
    failing={
        B("tls-missing-private"): LOW,
        B("tls-missing-public-policy"): MEDIUM,
        B("tls-missing-public-acl"): MEDIUM,
        B("tls-missing-neutralised"): LOW,
        B("tls-deny-wrong-value"): LOW,
        B("tls-deny-one-action"): LOW,
    },
    passing={B("tls-enforced"), B("tls-enforced-public")},
    unknown={B("tls-unparsable")},
    messages={B("tls-unparsable"): "not valid JSON"},
)

_CORS = case(
    *S3_ACCOUNTS,
    bucket("cors-none"),
    bucket("cors-specific", cors_rules=(cors(["https://app.example.com"], ["GET", "PUT"]),)),
    bucket("cors-wild-private", cors_rules=(cors(["*"], ["GET"]),)),
    bucket(
        "cors-wild-public-get",
        cors_rules=(cors(["*"], ["GET", "HEAD"]),),
        policy=public_policy("cors-wild-public-get"),
    ),
    bucket(
        "cors-wild-public-put",
        cors_rules=(cors(["*"], ["GET", "PUT"]),),
        policy=public_policy("cors-wild-public-put"),
    ),
    bucket(
        "cors-wild-neutralised-put",
        account=GUARDED,
        cors_rules=(cors(["*"], ["PUT", "DELETE"]),),
        policy=public_policy("cors-wild-neutralised-put"),
    ),
    # Only the wildcard rule's methods count.
    bucket(
        "cors-mixed-public",
        cors_rules=(cors(["https://app.example.com"], ["PUT"]), cors(["*"], ["GET"])),
        acl_grants=(owner_grant(), acl_grant("READ")),
    ),
    failing={
        B("cors-wild-private"): LOW,
        B("cors-wild-public-get"): MEDIUM,
        B("cors-wild-public-put"): HIGH,
        B("cors-wild-neutralised-put"): LOW,
        B("cors-mixed-public"): MEDIUM,
    },
    passing={B("cors-none"), B("cors-specific")},
    messages={B("cors-wild-public-put"): "with PUT"},
)

_ACLS_ENABLED = case(
    *S3_ACCOUNTS,
    bucket("own-enforced", object_ownership="BucketOwnerEnforced"),
    bucket("own-preferred", object_ownership="BucketOwnerPreferred"),
    bucket("own-writer", object_ownership="ObjectWriter"),
    bucket("own-not-configured", object_ownership=None),
    failing={B("own-preferred"): LOW, B("own-writer"): LOW, B("own-not-configured"): LOW},
    passing={B("own-enforced")},
    messages={B("own-not-configured"): "not configured", B("own-writer"): "ObjectWriter"},
)

_ENCRYPTION = case(
    *S3_ACCOUNTS,
    bucket("enc-kms", encryption=(sse_kms_rule(),)),
    bucket("enc-aes", encryption=({"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}},)),
    bucket("enc-none"),
    failing={B("enc-none"): LOW},
    passing={B("enc-kms"), B("enc-aes")},
)

_VERSIONING = case(
    *S3_ACCOUNTS,
    bucket("ver-enabled", versioning="Enabled"),
    bucket("ver-suspended", versioning="Suspended"),
    bucket("ver-never"),
    failing={B("ver-suspended"): LOW, B("ver-never"): LOW},
    passing={B("ver-enabled")},
    messages={B("ver-suspended"): "versioning: Suspended", B("ver-never"): "versioning: not set"},
)

_LOGGING = case(
    *S3_ACCOUNTS,
    bucket("log-on", logging_target="central-access-logs"),
    bucket("log-off", logging_target=None),
    failing={B("log-off"): LOW},
    passing={B("log-on")},
    messages={B("log-on"): "central-access-logs"},
)

# ---------------------------------------------------------------------------------- security groups

_ALL_PORTS = case(
    security_group("sg-all-public", [all_traffic()], public_ips=[PUBLIC_V4]),
    security_group("sg-all-private", [all_traffic()], attached=["eni-0a1b2c01"]),
    security_group("sg-all-unattached", [all_traffic()]),
    security_group(
        "sg-tcp-full-range-public", [rule("tcp", 0, 65535, ANYWHERE4)], public_ips=["54.210.0.11"]
    ),
    security_group("sg-udp-full-range-v6", [rule("udp", 0, 65535, ANYWHERE6)], public_ips=[PUBLIC_V6]),
    # ::/0 on a group whose public IPs are IPv4 only: not Internet-facing for that rule.
    security_group("sg-all-v6-on-v4", [all_traffic(ANYWHERE6)], public_ips=["54.210.0.12"]),
    # Attachment unknown: graded as public.
    security_group(
        "sg-all-unknown-reach",
        [all_traffic()],
        unread={"public_ips": "AccessDenied on DescribeNetworkInterfaces"},
    ),
    security_group("sg-all-from-vpc", [all_traffic("10.0.0.0/8")], public_ips=["54.210.0.13"]),
    security_group("sg-all-from-group", [all_traffic("sg-all-from-vpc")], public_ips=["54.210.0.14"]),
    security_group("sg-all-from-prefix-list", [all_traffic("pl-0a1b2c3d")], public_ips=["54.210.0.15"]),
    security_group("sg-ssh-only", [tcp(22)], public_ips=["54.210.0.16"]),
    failing={
        SG("sg-all-public"): CRITICAL,
        SG("sg-all-private"): MEDIUM,
        SG("sg-all-unattached"): LOW,
        SG("sg-tcp-full-range-public"): CRITICAL,
        SG("sg-udp-full-range-v6"): CRITICAL,
        SG("sg-all-v6-on-v4"): MEDIUM,
        SG("sg-all-unknown-reach"): CRITICAL,
    },
    passing={
        SG("sg-all-from-vpc"),
        SG("sg-all-from-group"),
        SG("sg-all-from-prefix-list"),
        SG("sg-ssh-only"),
    },
    messages={SG("sg-all-public"): PUBLIC_V4, SG("sg-all-unattached"): "not attached"},
)

_ADMIN_PORTS = case(
    security_group("sg-ssh-public", [tcp(22)], public_ips=[PUBLIC_V4]),
    security_group("sg-rdp-v6-on-v4", [tcp(3389, ANYWHERE6)], public_ips=["54.210.1.2"]),
    security_group("sg-rdp-v6-public", [tcp(3389, ANYWHERE6)], public_ips=["54.210.1.3", PUBLIC_V6]),
    security_group("sg-ssh-private", [tcp(22)], attached=["eni-0a1b2c02"]),
    security_group("sg-ssh-unattached", [tcp(22)]),
    security_group("sg-telnet-winrm-public", [tcp(23), tcp(5986)], public_ips=["54.210.1.4"]),
    security_group("sg-range-20-3400", [rule("tcp", 20, 3400, ANYWHERE4)], public_ips=["54.210.1.5"]),
    # The core catalogue's remote administration: VNC and X11 too; IPMI is UDP, so TCP 623 is not it.
    security_group("sg-vnc-public", [tcp(5900)], public_ips=["54.210.1.11"]),
    security_group("sg-x11-public", [tcp(6000)], public_ips=["54.210.1.12"]),
    security_group("sg-ipmi-udp-public", [rule("udp", 623, 623, ANYWHERE4)], public_ips=["54.210.1.13"]),
    security_group("sg-tcp-623-public", [tcp(623)], public_ips=["54.210.1.14"]),
    security_group(
        "sg-ssh-unknown-reach", [tcp(22)], unread={"public_ips": "AccessDenied on DescribeNetworkInterfaces"}
    ),
    security_group("sg-ssh-from-vpc", [tcp(22, "10.0.0.0/8")], public_ips=["54.210.1.6"]),
    security_group("sg-ssh-from-prefix-list", [tcp(22, "pl-0a1b2c3d")], public_ips=["54.210.1.7"]),
    security_group("sg-ssh-from-office", [tcp(22, "198.51.100.0/24")], public_ips=["54.210.1.8"]),
    security_group("sg-web-public", [tcp(80), tcp(443)], public_ips=["54.210.1.9"]),
    # All traffic opens administration ports too (CIS 5.2 counts protocol ALL).
    security_group("sg-all-public", [all_traffic()], public_ips=["54.210.1.10"]),
    failing={
        SG("sg-ssh-public"): HIGH,
        SG("sg-rdp-v6-on-v4"): MEDIUM,
        SG("sg-rdp-v6-public"): HIGH,
        SG("sg-ssh-private"): MEDIUM,
        SG("sg-ssh-unattached"): LOW,
        SG("sg-telnet-winrm-public"): HIGH,
        SG("sg-range-20-3400"): HIGH,
        SG("sg-vnc-public"): HIGH,
        SG("sg-x11-public"): HIGH,
        SG("sg-ipmi-udp-public"): HIGH,
        SG("sg-ssh-unknown-reach"): HIGH,
        SG("sg-all-public"): HIGH,
    },
    passing={
        SG("sg-ssh-from-vpc"),
        SG("sg-ssh-from-prefix-list"),
        SG("sg-ssh-from-office"),
        SG("sg-web-public"),
        SG("sg-tcp-623-public"),
    },
    messages={
        SG("sg-ssh-public"): PUBLIC_V4,
        SG("sg-rdp-v6-public"): PUBLIC_V6,
        SG("sg-rdp-v6-on-v4"): "without a public IP",
    },
)

_DATABASE_PORTS = case(
    security_group("sg-redis-public", [tcp(6379)], public_ips=[PUBLIC_V4]),
    security_group("sg-postgres-public", [tcp(5432)], public_ips=["54.210.2.2"]),
    security_group("sg-postgres-private", [tcp(5432)], attached=["eni-0a1b2c03"]),
    # No-auth services are critical only when really public.
    security_group("sg-redis-private", [tcp(6379)], attached=["eni-0a1b2c04"]),
    security_group("sg-mongo-unattached", [tcp(27017)]),
    security_group("sg-elastic-v6-public", [tcp(9200, ANYWHERE6)], public_ips=[PUBLIC_V6]),
    security_group("sg-mysql-v6-on-v4", [tcp(3306, ANYWHERE6)], public_ips=["54.210.2.3"]),
    # 20-3400 covers 2375 (Docker API, no authentication).
    security_group("sg-range-20-3400", [rule("tcp", 20, 3400, ANYWHERE4)], public_ips=["54.210.2.4"]),
    # 80-443 covers RPC (135), NetBIOS (139) and LDAP (389), answered without authentication by default.
    security_group("sg-80-to-443-public", [rule("tcp", 80, 443, ANYWHERE4)], public_ips=["54.210.2.9"]),
    security_group("sg-nfs-public", [tcp(2049)], public_ips=["54.210.2.10"]),
    security_group("sg-kubelet-public", [tcp(10250)], public_ips=["54.210.2.11"]),
    security_group("sg-smb-public", [tcp(445)], public_ips=["54.210.2.12"]),
    security_group("sg-kafka-9000-9100", [rule("tcp", 9000, 9100, ANYWHERE4)], public_ips=["54.210.2.13"]),
    security_group("sg-mysql-from-vpc", [tcp(3306, "10.0.0.0/8")], public_ips=["54.210.2.5"]),
    security_group("sg-postgres-from-app", [tcp(5432, "sg-app")], public_ips=["54.210.2.6"]),
    security_group("sg-ssh-public", [tcp(22)], public_ips=["54.210.2.7"]),
    security_group("sg-all-public", [all_traffic()], public_ips=["54.210.2.8"]),
    failing={
        SG("sg-redis-public"): CRITICAL,
        SG("sg-postgres-public"): HIGH,
        SG("sg-postgres-private"): MEDIUM,
        SG("sg-redis-private"): MEDIUM,
        SG("sg-mongo-unattached"): LOW,
        SG("sg-elastic-v6-public"): CRITICAL,
        SG("sg-mysql-v6-on-v4"): MEDIUM,
        SG("sg-range-20-3400"): CRITICAL,
        SG("sg-all-public"): CRITICAL,  # all traffic includes Redis, MongoDB, ... (no auth by default)
        SG("sg-80-to-443-public"): CRITICAL,
        SG("sg-nfs-public"): CRITICAL,
        SG("sg-kubelet-public"): CRITICAL,
        SG("sg-smb-public"): HIGH,
        SG("sg-kafka-9000-9100"): CRITICAL,
    },
    passing={SG("sg-mysql-from-vpc"), SG("sg-postgres-from-app"), SG("sg-ssh-public")},
    messages={SG("sg-redis-public"): "tcp/6379 from 0.0.0.0/0", SG("sg-range-20-3400"): "tcp/20-3400"},
)

_OTHER_PORTS = case(
    security_group("sg-web-public", [tcp(80), tcp(443)], public_ips=[PUBLIC_V4]),
    security_group("sg-https-v6-public", [tcp(443, ANYWHERE6)], public_ips=[PUBLIC_V6]),
    security_group("sg-8080-public", [tcp(8080)], public_ips=["54.210.3.2"]),
    security_group("sg-8080-private", [tcp(8080)], attached=["eni-0a1b2c05"]),
    security_group("sg-8080-unattached", [tcp(8080)]),
    security_group("sg-web-and-8080-public", [tcp(443), tcp(8080)], public_ips=["54.210.3.3"]),
    # 8080-8085 is a range, not "web only".
    security_group("sg-8080-to-8085-public", [rule("tcp", 8080, 8085, ANYWHERE4)], public_ips=["54.210.3.4"]),
    security_group("sg-snmp-udp-public", [rule("udp", 161, 161, ANYWHERE4)], public_ips=["54.210.3.10"]),
    security_group("sg-dns-udp-public", [rule("udp", 53, 53, ANYWHERE4)], public_ips=["54.210.3.5"]),
    security_group("sg-8080-from-vpc", [tcp(8080, "10.0.0.0/8")], public_ips=["54.210.3.6"]),
    security_group("sg-ssh-public", [tcp(22)], public_ips=["54.210.3.7"]),
    security_group("sg-all-public", [all_traffic()], public_ips=["54.210.3.8"]),
    security_group("sg-icmp-public", [rule("icmp", -1, -1, ANYWHERE4)], public_ips=["54.210.3.9"]),
    failing={
        SG("sg-icmp-public"): INFO,
        SG("sg-web-public"): INFO,
        SG("sg-https-v6-public"): INFO,
        SG("sg-8080-public"): MEDIUM,
        SG("sg-8080-private"): LOW,
        SG("sg-8080-unattached"): INFO,
        SG("sg-web-and-8080-public"): MEDIUM,
        SG("sg-8080-to-8085-public"): MEDIUM,
        SG("sg-snmp-udp-public"): MEDIUM,
        SG("sg-dns-udp-public"): MEDIUM,
    },
    passing={SG("sg-8080-from-vpc"), SG("sg-ssh-public"), SG("sg-all-public")},
    messages={SG("sg-8080-public"): "tcp/8080 from 0.0.0.0/0"},
)

_DEFAULT_SG = case(
    security_group(
        "sg-default-attached",
        [all_traffic("sg-default-attached")],
        attached=["eni-0a1b2c06"],
        is_default=True,
        vpc_id="vpc-aaaa0001",
        egress_rule_count=1,
    ),
    security_group("sg-default-egress-only", is_default=True, vpc_id="vpc-aaaa0002", egress_rule_count=1),
    security_group(
        "sg-default-ingress-unattached",
        [all_traffic("sg-default-ingress-unattached")],
        is_default=True,
        vpc_id="vpc-aaaa0003",
    ),
    security_group(
        "sg-default-public", [all_traffic()], public_ips=[PUBLIC_V4], is_default=True, vpc_id="vpc-aaaa0004"
    ),
    security_group("sg-default-empty", is_default=True, vpc_id="vpc-aaaa0005"),
    security_group(
        "sg-default-empty-attached", attached=["eni-0a1b2c07"], is_default=True, vpc_id="vpc-aaaa0006"
    ),
    security_group("sg-custom-open", [all_traffic()], public_ips=["54.210.4.1"], egress_rule_count=1),
    security_group("sg-custom-empty"),
    failing={
        SG("sg-default-attached"): MEDIUM,
        SG("sg-default-egress-only"): LOW,
        SG("sg-default-ingress-unattached"): LOW,
        SG("sg-default-public"): MEDIUM,
    },
    passing={SG("sg-default-empty"), SG("sg-default-empty-attached")},
    silent={SG("sg-custom-open"), SG("sg-custom-empty")},
    messages={SG("sg-default-attached"): "vpc-aaaa0001", SG("sg-default-egress-only"): "1 outbound"},
)

# ------------------------------------------------------------------------------- instances and ENIs

_HOST_GROUPS = (
    security_group("sg-h-ssh", [tcp(22)]),
    security_group("sg-h-mongo", [tcp(27017)]),
    security_group("sg-h-mysql", [tcp(3306)]),
    security_group("sg-h-redis", [tcp(6379)]),
    security_group("sg-h-web", [tcp(80), tcp(443)]),
    security_group("sg-h-8080", [tcp(8080)]),
    security_group("sg-h-ssh-v6", [tcp(22, ANYWHERE6)]),
    security_group("sg-h-ssh-vpc", [tcp(22, "10.0.0.0/8")]),
    security_group("sg-h-all", [all_traffic()]),
)

_INSTANCE = case(
    *_HOST_GROUPS,
    instance("i-ssh", ["54.210.5.1"], ["sg-h-ssh"]),
    instance("i-mongo", ["54.210.5.2"], ["sg-h-mongo"]),
    instance("i-all", ["54.210.5.3"], ["sg-h-all"]),
    instance("i-web-and-ssh", ["54.210.5.4"], ["sg-h-web", "sg-h-ssh"]),
    instance("i-ssh-on-v6", [PUBLIC_V6], ["sg-h-ssh-v6"]),
    instance("i-stopped-ssh", ["54.210.5.5"], ["sg-h-ssh"], state="stopped"),
    instance("i-stopped-mongo", ["54.210.5.6"], ["sg-h-mongo"], state="stopped"),
    instance("i-stopping-all", ["54.210.5.7"], ["sg-h-all"], state="stopping"),
    instance("i-private", [], ["sg-h-ssh", "sg-h-all"]),
    instance("i-web", ["54.210.5.8"], ["sg-h-web"]),
    instance("i-8080", ["54.210.5.9"], ["sg-h-8080"]),
    instance("i-ssh-from-vpc", ["54.210.5.10"], ["sg-h-ssh-vpc"]),
    instance("i-v6-rule-v4-ip", ["54.210.5.11"], ["sg-h-ssh-v6"]),
    *network(),
    instance("i-mongo-public-subnet", ["54.210.5.12"], ["sg-h-mongo"]).model_copy(
        update={"subnet_ids": (PUBLIC_SUBNET,)}
    ),
    instance("i-mongo-private-subnet", ["54.210.5.13"], ["sg-h-mongo"]).model_copy(
        update={"subnet_ids": (PRIVATE_SUBNET,)}
    ),
    failing={
        I("i-mongo-public-subnet"): CRITICAL,
        I("i-mongo-private-subnet"): LOW,
        I("i-ssh"): HIGH,
        I("i-mongo"): CRITICAL,
        I("i-all"): CRITICAL,
        I("i-web-and-ssh"): HIGH,
        I("i-ssh-on-v6"): HIGH,
        I("i-stopped-ssh"): MEDIUM,
        I("i-stopped-mongo"): HIGH,
        I("i-stopping-all"): HIGH,
    },
    passing={I("i-private"), I("i-web"), I("i-8080"), I("i-ssh-from-vpc"), I("i-v6-rule-v4-ip")},
    messages={
        I("i-ssh"): "54.210.5.1",
        I("i-mongo"): "27017 (MongoDB)",
        I("i-ssh-on-v6"): PUBLIC_V6,
        I("i-stopped-ssh"): "stopped",
        I("i-mongo-public-subnet"): "reachable from the Internet at 54.210.5.12",
        I("i-mongo-private-subnet"): f"its subnet ({PRIVATE_SUBNET}) has no route to an Internet gateway",
    },
)

_INTERFACE = case(
    *_HOST_GROUPS,
    interface("eni-of-instance", ["54.210.6.1"], ["sg-h-mysql"], instance_id="i-ssh"),
    interface("eni-mysql-public", ["54.210.6.2"], ["sg-h-mysql"]),
    interface("eni-redis-public", ["54.210.6.3"], ["sg-h-redis"]),
    interface("eni-ssh-and-web-public", ["54.210.6.4"], ["sg-h-web", "sg-h-ssh"]),
    interface("eni-private", [], ["sg-h-mysql"]),
    interface("eni-web-public", ["54.210.6.5"], ["sg-h-web"]),
    interface("eni-ssh-from-vpc", ["54.210.6.6"], ["sg-h-ssh-vpc"]),
    failing={
        ENI("eni-mysql-public"): HIGH,
        ENI("eni-redis-public"): CRITICAL,
        ENI("eni-ssh-and-web-public"): HIGH,
    },
    passing={ENI("eni-private"), ENI("eni-web-public"), ENI("eni-ssh-from-vpc")},
    silent={ENI("eni-of-instance")},
    messages={ENI("eni-mysql-public"): "3306 (MySQL/MariaDB)"},
)

CASES: dict[str, CheckCase] = {
    "aws.s3.bucket_public_read_acl": _READ_ACL,
    "aws.s3.bucket_public_write": _WRITE,
    "aws.s3.bucket_policy_public": _POLICY_PUBLIC,
    "aws.s3.bucket_public_access_block": _BUCKET_PAB,
    "aws.s3.account_public_access_block": _ACCOUNT_PAB,
    "aws.s3.bucket_website_public": _WEBSITE,
    "aws.s3.bucket_tls_not_enforced": _TLS,
    "aws.s3.bucket_cors_any_origin": _CORS,
    "aws.s3.bucket_acls_enabled": _ACLS_ENABLED,
    "aws.s3.bucket_default_encryption": _ENCRYPTION,
    "aws.s3.bucket_versioning": _VERSIONING,
    "aws.s3.bucket_access_logging": _LOGGING,
    "aws.ec2.sg_open_all_ports": _ALL_PORTS,
    "aws.ec2.sg_open_admin_ports": _ADMIN_PORTS,
    "aws.ec2.sg_open_database_ports": _DATABASE_PORTS,
    "aws.ec2.sg_open_other_ports": _OTHER_PORTS,
    "aws.ec2.sg_default_allows_traffic": _DEFAULT_SG,
    "aws.ec2.instance_exposed_sensitive_ports": _INSTANCE,
    "aws.ec2.interface_exposed_sensitive_ports": _INTERFACE,
    **service_cases(),
}


def run_check(check_id: str, inv: Inventory) -> list[Finding]:
    """Findings of one registered check on an inventory."""
    spec = REGISTRY.get(check_id)
    assert spec is not None, f"{check_id} is not registered"
    return evaluate(inv, [spec])


def only_finding(check_id: str, inv: Inventory, resource_id: str) -> Finding:
    """The single finding of a check on one resource."""
    found = [f for f in run_check(check_id, inv) if f.resource_id == resource_id]
    assert len(found) == 1, found
    return found[0]


# --------------------------------------------------------------------------------------------- tests


def test_every_registered_aws_check_has_a_case() -> None:
    registered = {spec.id for spec in REGISTRY if spec.provider == "aws"}
    assert len(registered) >= 19
    assert registered == set(CASES)


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_case_table_is_consistent(check_id: str) -> None:
    """Every resource of the check's kind has exactly one expectation; both verdicts are covered."""
    spec = REGISTRY.get(check_id)
    assert spec is not None
    c = CASES[check_id]
    buckets = [set(c.failing), set(c.passing), set(c.unknown), set(c.silent)]
    listed = [rid for group in buckets for rid in group]
    assert len(listed) == len(set(listed)), "a resource is in two expectation sets"
    of_kind = {a.id for a in c.inventory.of(spec.asset)}
    assert set(listed) == of_kind
    assert c.failing and c.passing
    assert set(c.messages) <= of_kind - c.silent


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_check_verdicts(check_id: str) -> None:
    c = CASES[check_id]
    findings = run_check(check_id, c.inventory)

    by_status: dict[Status, set[str]] = defaultdict(set)
    for f in findings:
        by_status[f.status].add(f.resource_id)
    ids = [f.resource_id for f in findings]
    assert len(ids) == len(set(ids)), "a resource got more than one finding"
    assert not by_status[Status.ERROR], [f.message for f in findings if f.status is Status.ERROR]

    assert by_status[Status.FAIL] == set(c.failing)
    assert by_status[Status.PASS] == c.passing
    assert by_status[Status.UNKNOWN] == c.unknown
    assert not set(ids) & c.silent
    assert {s for s, rids in by_status.items() if rids} <= {Status.FAIL, Status.PASS, Status.UNKNOWN}

    severities = {f.resource_id: f.severity for f in findings if f.status is Status.FAIL}
    assert severities == dict(c.failing)

    messages = {f.resource_id: f.message for f in findings}
    for rid, text in c.messages.items():
        assert text in messages[rid], (rid, messages[rid])


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_findings_carry_check_and_resource_identity(check_id: str) -> None:
    spec = REGISTRY.get(check_id)
    assert spec is not None
    c = CASES[check_id]
    assets = {a.id: a for a in c.inventory.assets}
    for f in run_check(check_id, c.inventory):
        asset = assets[f.resource_id]
        assert (f.check_id, f.title, f.resource_type) == (spec.id, spec.title, spec.asset.kind)
        assert f.service == spec.id.split(".")[1]
        assert (f.account, f.region, f.provider, f.resource_name) == (
            asset.account,
            asset.region,
            "aws",
            asset.name,
        )
        assert f.message.strip()
        if f.status is Status.FAIL:
            assert f.evidence, f"{f.resource_id}: a failure must carry its evidence"


# ---------------------------------------------------------------- exposure edge cases, one resource each


def test_instance_failure_names_the_public_ip_and_the_opening_rule() -> None:
    inv = inventory(*_HOST_GROUPS, instance("i-evidence", ["54.210.7.1"], ["sg-h-ssh", "sg-h-mongo"]))
    f = only_finding("aws.ec2.instance_exposed_sensitive_ports", inv, I("i-evidence"))
    assert f.status is Status.FAIL
    assert f.severity is CRITICAL
    assert f.evidence["public_ips"] == ["54.210.7.1"]
    assert f.evidence["ports"] == {"22": "SSH", "27017": "MongoDB"}
    assert {r["security_group"] for r in f.evidence["opened_by"]} == {"sg-h-ssh", "sg-h-mongo"}


def test_database_grade_ignores_no_auth_rule_that_reaches_no_public_ip() -> None:
    """6379 is open from ::/0 only, on a group whose public IPs are all IPv4.

    The only rule reaching a public address is 5432 (PostgreSQL, authenticated): high, not critical.
    The Redis rule alone would be graded medium (attached, not reachable), so the group is high.
    """
    group = security_group("sg-pg-v4-redis-v6", [tcp(5432), tcp(6379, ANYWHERE6)], public_ips=["54.210.8.1"])
    f = only_finding("aws.ec2.sg_open_database_ports", inventory(group), SG("sg-pg-v4-redis-v6"))
    assert f.status is Status.FAIL
    assert f.severity is HIGH, f"got {f.severity}: the no-auth bump used a rule that reaches no public IP"


@pytest.mark.parametrize(
    ("check_id", "rules"),
    [
        ("aws.ec2.sg_open_all_ports", [all_traffic()]),
        ("aws.ec2.sg_open_admin_ports", [tcp(22)]),
        ("aws.ec2.sg_open_database_ports", [tcp(5432)]),
        ("aws.ec2.sg_open_database_ports", [tcp(6379)]),
        ("aws.ec2.sg_open_other_ports", [tcp(8080)]),
        ("aws.ec2.sg_open_other_ports", [tcp(80), tcp(443)]),
    ],
    ids=["all", "ssh", "postgres", "redis", "8080", "web"],
)
def test_sg_grade_never_rises_when_exposure_falls(check_id: str, rules: list[IngressRule]) -> None:
    """The same rules graded public >= attached privately >= unattached."""
    groups = (
        security_group("sg-mono-public", rules, public_ips=["54.210.9.1"]),
        security_group("sg-mono-private", rules, attached=["eni-0a1b2c08"]),
        security_group("sg-mono-unattached", rules),
    )
    findings = {f.resource_id: f for f in run_check(check_id, inventory(*groups))}
    public, private, unattached = (findings[SG(g.group_id)] for g in groups)
    assert {public.status, private.status, unattached.status} == {Status.FAIL}
    assert public.severity.at_least(private.severity), (public.severity, private.severity)
    assert private.severity.at_least(unattached.severity), (private.severity, unattached.severity)


def test_instance_whose_security_group_was_not_collected_is_unknown() -> None:
    """No rule of sg-not-collected is known: "opens no sensitive port" cannot be claimed."""
    inv = inventory(instance("i-group-missing", ["54.210.10.1"], ["sg-not-collected"]))
    f = only_finding("aws.ec2.instance_exposed_sensitive_ports", inv, I("i-group-missing"))
    assert f.status is Status.UNKNOWN, f"got {f.status}: {f.message}"


def test_group_lookup_is_scoped_to_region_and_account() -> None:
    """A same-id group in another region or account is not the instance's group."""
    inv = inventory(
        security_group("sg-shared-id", [tcp(22)], region="eu-west-1"),
        security_group("sg-shared-id", [tcp(3389)], account="999988887777"),
        security_group("sg-shared-id", [tcp(6379)]),
        instance("i-lookup", ["54.210.11.1"], ["sg-shared-id"]),
    )
    f = only_finding("aws.ec2.instance_exposed_sensitive_ports", inv, I("i-lookup"))
    assert f.status is Status.FAIL
    assert f.evidence["ports"] == {"6379": "Redis"}
    assert f.severity is CRITICAL


def test_builders_use_collector_identifiers() -> None:
    assert bucket("b").id == "arn:aws:s3:::b"
    assert account_settings(None).id == f"arn:aws:s3::{ACCOUNT}:account-settings"
    assert (
        security_group("sg-1", region="eu-west-3").id
        == f"arn:aws:ec2:eu-west-3:{ACCOUNT}:security-group/sg-1"
    )
    assert instance("i-1", [], []).id == f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-1"
    assert interface("eni-1", [], []).id == f"arn:aws:ec2:us-east-1:{ACCOUNT}:network-interface/eni-1"
    kinds = [rule("tcp", 1, 1, s).source_kind for s in ("0.0.0.0/0", "::/0", "pl-1", "sg-1", "10.0.0.0/8")]
    assert kinds == ["cidr4", "cidr6", "prefix_list", "security_group", "cidr4"]
