"""The active projects beneath GCP organizations and folders (Cloud Resource Manager v3), recursively.

Each organization or folder is read with ``folders.list`` (its sub-folders, walked in turn) and
``projects.list`` (its projects), both paged; projects and folders being deleted (``DELETE_REQUESTED``)
are left out. These calls need ``resourcemanager.folders.list`` and ``resourcemanager.projects.list``
on the organization or folder (deploy/gcp-org-role.yaml): an organization-level grant, not the
per-project audit role.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from cloudaudit.errors import CredentialsError, EndpointError
from cloudaudit.model.inventory import GapKind
from cloudaudit.plugins import Target
from cloudaudit.terminal import printable
from cloudaudit_gcp.collect.errors import SDK_ERRORS, classify, describe
from cloudaudit_gcp.collect.session import (
    authorized_http,
    credentials_of,
    discovery_client,
    discovery_retries,
)
from cloudaudit_gcp.scope import ListedProject, Listing, Unlisted

log = logging.getLogger(__name__)

LISTING_PERMISSIONS = {
    "folders.list": "resourcemanager.folders.list",
    "projects.list": "resourcemanager.projects.list",
}
"""The IAM permission of each Resource Manager call the listing makes."""
ORG_ROLE_ID = "cloudauditLister"


def organization_role() -> dict[str, Any]:
    """The custom role the listing needs, granted on the organization or folder (deploy/gcp-org-role.yaml):
    ``gcloud iam roles create cloudauditLister --organization ORG_ID --file deploy/gcp-org-role.yaml``.
    The built-in alternative is roles/browser."""
    return {
        "title": "cloudaudit lister",
        "description": "Lists the folders and projects of an organization for cloudaudit (list only).",
        "stage": "GA",
        "includedPermissions": sorted(LISTING_PERMISSIONS.values()),
    }


ACTIVE = "ACTIVE"
PAGE_SIZE = 1000


def list_projects(target: Target, parents: Sequence[str]) -> Listing:
    """The active projects beneath ``parents`` (``organizations/N``, ``folders/N``), with the target's
    connection settings. Credentials or endpoint failures raise (nothing can be listed); a parent that
    denies the listing or fails is recorded in :attr:`Listing.unlisted` and the walk goes on."""
    credentials, _ = credentials_of(target)
    endpoint = (target.setting("endpoint_url") or "").rstrip("/") or None
    client, _ = discovery_client("cloudresourcemanager", "v3", credentials, endpoint)
    walk = _Walk(client, authorized_http(credentials), discovery_retries())
    listing = Listing()
    queue = deque(parents)
    seen: set[str] = set(parents)
    while queue:
        parent = queue.popleft()
        projects = walk.children(parent, "projects", listing)
        folders = walk.children(parent, "folders", listing)
        for folder in folders:
            name = str(folder.get("name") or "")
            if name and name not in seen:
                seen.add(name)
                queue.append(name)
                listing.folders += 1
        for project in projects:
            number = str(project.get("name") or "").removeprefix("projects/")
            listing.projects.append(ListedProject(str(project.get("projectId") or number), number))
    found = len(listing.projects)
    log.info("%d active projects in %d folders beneath %s", found, listing.folders, ", ".join(parents))
    return listing


@dataclass
class _Walk:
    """The Resource Manager client and its connection (one thread)."""

    client: Any
    http: Any
    retries: int

    def children(self, parent: str, kind: str, listing: Listing) -> list[dict[str, Any]]:
        """The active ``folders`` or ``projects`` directly beneath ``parent``, every page; a failure is
        recorded as unlisted (and what was read before it is kept)."""
        found: list[dict[str, Any]] = []
        try:
            for item in self._pages(kind, parent):
                if item.get("state") == ACTIVE:
                    found.append(item)
                else:
                    log.info("%s skipped: %s", printable(item.get("name")), printable(item.get("state")))
        except SDK_ERRORS as exc:
            _raise_if_fatal(exc)
            code, message = describe(exc)
            gap = Unlisted(parent, f"{kind}.list", code, message, classify(exc))
            log.info("%s", printable(gap.reason(), limit=300))
            if all(u.parent != parent for u in listing.unlisted):  # one reason per parent
                listing.unlisted.append(gap)
        return found

    def _pages(self, kind: str, parent: str) -> Iterator[dict[str, Any]]:
        resource = getattr(self.client, kind)()
        request = resource.list(parent=parent, pageSize=PAGE_SIZE)
        while request is not None:
            response = request.execute(http=self.http, num_retries=self.retries)
            yield from response.get(kind) or ()
            request = resource.list_next(request, response)


def _raise_if_fatal(exc: Exception) -> None:
    """Credentials or the endpoint failing stop the listing: nothing else could be read either."""
    kind = classify(exc)
    code, message = describe(exc)
    said = printable(f"{code}: {message}" if message else code, limit=200)
    if kind is GapKind.CREDENTIALS:
        raise CredentialsError(
            f"the GCP credentials were refused while listing projects ({said}): run 'gcloud auth "
            "application-default login', or pass --credentials FILE or --access-token"
        ) from exc
    if kind is GapKind.CONNECTION:
        raise EndpointError(
            f"cannot reach Cloud Resource Manager ({said}): check the network, proxy or --endpoint-url"
        ) from exc
