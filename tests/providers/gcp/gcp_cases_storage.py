"""Pass/fail tables of the Cloud Storage checks."""

from __future__ import annotations

from typing import Any

from cloudaudit.model.enums import Severity
from cloudaudit_gcp.assets import IamBinding
from cloudaudit_gcp.assets_storage import AclEntry, CorsEntry, GcsBucket
from cloudaudit_gcp.collect.storage import bucket_id
from gcp_cases import COMMON, CheckCase, case

C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
VIEWER = IamBinding(role="roles/storage.objectViewer", members=("allUsers",))
ADMIN = IamBinding(role="roles/storage.objectAdmin", members=("allAuthenticatedUsers", "user:a@example.com"))
PRIVATE = IamBinding(role="roles/storage.admin", members=("group:ops@example.com",))


def bucket(name: str, **fields: Any) -> GcsBucket:
    """A bucket with uniform access on, prevention inherited, unless ``fields`` say otherwise."""
    settings: dict[str, Any] = {"uniform_access": True, **fields}
    return GcsBucket(**COMMON, region="us", id=bucket_id(name), name=name, **settings)


def bid(name: str) -> str:
    return bucket_id(name)


_IAM = case(
    bucket("iam-read", iam_bindings=(VIEWER, PRIVATE)),
    bucket("iam-write", iam_bindings=(ADMIN,)),
    bucket("iam-custom", iam_bindings=(IamBinding(role="projects/p/roles/custom", members=("allUsers",)),)),
    bucket("iam-read-enforced", iam_bindings=(VIEWER,), public_access_prevention="enforced"),
    bucket("iam-private", iam_bindings=(PRIVATE,)),
    bucket("iam-unread", unread={"iam_bindings": "IAM_PERMISSION_DENIED on storage.buckets.getIamPolicy"}),
    failing={bid("iam-read"): H, bid("iam-write"): C, bid("iam-custom"): C, bid("iam-read-enforced"): L},
    passing=[bid("iam-private")],
    unknown=[bid("iam-unread")],
    messages={bid("iam-write"): "write to or administer", bid("iam-read-enforced"): "neutralised"},
)

_ACL = case(
    bucket("acl-read", uniform_access=False, acl=(AclEntry(entity="allUsers", role="READER"),)),
    bucket("acl-write", uniform_access=False, acl=(AclEntry(entity="allUsers", role="WRITER"),)),
    bucket(
        "acl-default-object",
        uniform_access=False,
        default_object_acl=(AclEntry(entity="allAuthenticatedUsers", role="READER"),),
    ),
    bucket(
        "acl-enforced",
        uniform_access=False,
        public_access_prevention="enforced",
        acl=(AclEntry(entity="allUsers", role="OWNER"),),
    ),
    bucket("acl-private", uniform_access=False, acl=(AclEntry(entity="project-owners-1", role="OWNER"),)),
    bucket("acl-uniform", acl=(AclEntry(entity="allUsers", role="READER"),)),  # ACLs do not apply
    bucket("acl-unread", uniform_access=False, unread={"acl": "HTTP 500 on acl"}),
    failing={bid("acl-read"): H, bid("acl-write"): C, bid("acl-default-object"): H, bid("acl-enforced"): L},
    passing=[bid("acl-private"), bid("acl-uniform")],
    unknown=[bid("acl-unread")],
    messages={bid("acl-default-object"): "default object ACL"},
)

_UNIFORM = case(
    bucket("ubla-on"),
    bucket("ubla-off", uniform_access=False),
    bucket("ubla-off-enforced", uniform_access=False, public_access_prevention="enforced"),
    failing={bid("ubla-off"): M, bid("ubla-off-enforced"): L},
    passing=[bid("ubla-on")],
)

_PREVENTION = case(
    bucket("pap-enforced", public_access_prevention="enforced"),
    bucket("pap-inherited"),
    bucket("pap-inherited-public", iam_bindings=(VIEWER,)),
    bucket("pap-unread", unread={"iam_bindings": "denied"}),
    failing={bid("pap-inherited"): L, bid("pap-inherited-public"): M},
    passing=[bid("pap-enforced")],
    unknown=[bid("pap-unread")],
)

_WEBSITE = case(
    bucket("site-public", website_main_page="index.html", iam_bindings=(VIEWER,)),
    bucket("site-private", website_main_page="index.html"),
    bucket(
        "site-enforced",
        website_main_page="index.html",
        iam_bindings=(VIEWER,),
        public_access_prevention="enforced",
    ),
    bucket("no-site", iam_bindings=(VIEWER,)),
    failing={bid("site-public"): M},
    passing=[bid("site-private"), bid("site-enforced"), bid("no-site")],
)

_ANY = CorsEntry(origins=("*",), methods=("GET",))
_CORS = case(
    bucket("cors-public", cors=(_ANY,), iam_bindings=(VIEWER,)),
    bucket(
        "cors-public-put", cors=(CorsEntry(origins=("*",), methods=("GET", "put")),), iam_bindings=(VIEWER,)
    ),
    bucket("cors-private", cors=(_ANY,)),
    bucket("cors-listed", cors=(CorsEntry(origins=("https://app.example.com",), methods=("GET",)),)),
    failing={bid("cors-public"): M, bid("cors-public-put"): H, bid("cors-private"): L},
    passing=[bid("cors-listed")],
    messages={bid("cors-public-put"): "PUT"},
)

_VERSIONING = case(
    bucket("versioned", versioning=True),
    bucket("unversioned"),
    failing={bid("unversioned"): L},
    passing=[bid("versioned")],
)

_LOGGING = case(
    bucket("logged", logging_bucket="audit-logs"),
    bucket("unlogged"),
    failing={bid("unlogged"): L},
    passing=[bid("logged")],
    messages={bid("logged"): "audit-logs"},
)

CASES: dict[str, CheckCase] = {
    "gcp.storage.bucket_public_iam": _IAM,
    "gcp.storage.bucket_public_acl": _ACL,
    "gcp.storage.bucket_uniform_access_disabled": _UNIFORM,
    "gcp.storage.bucket_public_access_prevention": _PREVENTION,
    "gcp.storage.bucket_website_public": _WEBSITE,
    "gcp.storage.bucket_cors_any_origin": _CORS,
    "gcp.storage.bucket_versioning": _VERSIONING,
    "gcp.storage.bucket_access_logging": _LOGGING,
}
