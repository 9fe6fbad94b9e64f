"""Cloud Storage JSON API v1: buckets list/get, IAM policy, bucket ACL and default object ACL."""

from __future__ import annotations

from cloudaudit_gcp.fake.errors import ApiError, error_body
from cloudaudit_gcp.fake.routing import Call, Route, with_page
from cloudaudit_gcp.fake.shapes import JSON

ROOT = "/storage/v1/b"
UBLA_ACL_MESSAGE = (
    "Cannot get legacy ACL for a bucket that has uniform bucket-level access. "
    "Read more at https://cloud.google.com/storage/docs/uniform-bucket-level-access"
)


def list_buckets(call: Call) -> JSON:
    project = call.projects.get(call.required("project"))
    full = call.query.get("projection") == "full"
    page, token = call.paged(sorted(project.buckets, key=lambda b: b.name), "maxResults", 1000)
    items = [bucket.resource(project, full) for bucket in page]
    return with_page({"kind": "storage#buckets"}, "items", items, token)


def get_bucket(call: Call) -> JSON:
    project, bucket = call.projects.bucket(call.args["bucket"])
    return bucket.resource(project, call.query.get("projection") == "full")


def get_iam_policy(call: Call) -> JSON:
    return call.projects.bucket(call.args["bucket"])[1].policy()


def _acl(call: Call, default_object: bool) -> JSON:
    bucket = call.projects.bucket(call.args["bucket"])[1]
    if bucket.uniform_access:
        raise ApiError(400, error_body(400, UBLA_ACL_MESSAGE, "invalid"))
    return bucket.acl_list(default_object)


def list_acl(call: Call) -> JSON:
    return _acl(call, default_object=False)


def list_default_object_acl(call: Call) -> JSON:
    return _acl(call, default_object=True)


ROUTES = [
    Route("storage.buckets.list", ROOT, list_buckets),
    Route("storage.buckets.get", f"{ROOT}/<bucket>", get_bucket),
    Route("storage.buckets.getIamPolicy", f"{ROOT}/<bucket>/iam", get_iam_policy),
    Route("storage.bucketAccessControls.list", f"{ROOT}/<bucket>/acl", list_acl),
    Route(
        "storage.defaultObjectAccessControls.list",
        f"{ROOT}/<bucket>/defaultObjectAcl",
        list_default_object_acl,
    ),
]
