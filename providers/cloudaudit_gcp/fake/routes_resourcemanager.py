"""Cloud Resource Manager v3: the projects and folders directly beneath an organization or a folder.

As the real API: ``parent`` is required (``organizations/N`` or ``folders/N``); a parent the caller
cannot see (here: one no served project or folder names) is 403 ``PERMISSION_DENIED``, as Google does
not say whether it exists; resources in ``DELETE_REQUESTED`` are listed only with ``showDeleted=true``.
"""

from __future__ import annotations

import re

from cloudaudit_gcp.fake.errors import STATUS_NAMES, ApiError, bad_request
from cloudaudit_gcp.fake.model_resourcemanager import ACTIVE, project_resource
from cloudaudit_gcp.fake.routing import Call, Route, with_page
from cloudaudit_gcp.fake.shapes import JSON

PARENT = re.compile(r"(organizations|folders)/\d+")


def _parent(call: Call) -> str:
    parent = call.required("parent")
    if not PARENT.fullmatch(parent):
        raise bad_request(f"Invalid parent: {parent}", reason="badRequest")
    if parent not in call.projects.parents():
        raise permission_denied()
    return parent


def permission_denied() -> ApiError:
    """403 as the v3 (gRPC-transcoded) API words it: a status, no legacy ``errors`` list."""
    body = {
        "error": {"code": 403, "message": "The caller does not have permission", "status": STATUS_NAMES[403]}
    }
    return ApiError(403, body)


def _shown(call: Call, state: str) -> bool:
    return state == ACTIVE or call.query.get("showDeleted") == "true"


def list_projects(call: Call) -> JSON:
    parent = _parent(call)
    children = [p for p in call.projects.all if p.parent == parent and _shown(call, p.state)]
    page, token = call.paged(children, "pageSize", call.projects.listing_page)
    items = [project_resource(p.id, p.number, p.parent, p.state) for p in page]
    return with_page({}, "projects", items, token)


def list_folders(call: Call) -> JSON:
    parent = _parent(call)
    children = [f for f in call.projects.folders if f.parent == parent and _shown(call, f.state)]
    page, token = call.paged(children, "pageSize", call.projects.listing_page)
    return with_page({}, "folders", [f.resource() for f in page], token)


ROUTES = [
    Route("cloudresourcemanager.projects.list", "/v3/projects", list_projects),
    Route("cloudresourcemanager.folders.list", "/v3/folders", list_folders),
]
