"""What the fake serves: subscriptions holding ARM resources as the REST API writes them (JSON).

The store is generic: every resource is its ARM JSON with its ``id``; a collection URL lists the
resources whose id is that URL plus one name, and a subscription-wide URL
(``/subscriptions/S/providers/Microsoft.Storage/storageAccounts``) the top-level resources of that type
in every resource group. Ids compare case-insensitively, as ARM's do. A service's builders
(``model_<service>.py``) only need to produce the right JSON under the right ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


def arm_id(subscription: str, group: str, namespace: str, *types_and_names: str) -> str:
    """``/subscriptions/S/resourceGroups/G/providers/NS/type/name[/type/name...]``."""
    path = "/".join(types_and_names)
    return f"/subscriptions/{subscription}/resourceGroups/{group}/providers/{namespace}/{path}"


@dataclass
class FakeSubscription:
    """One subscription: its identity and its resources (ARM JSON, each with its ``id``)."""

    id: str
    display_name: str = "cloudaudit sample subscription"
    state: str = "Enabled"
    tenant: str = "00000000-0000-0000-0000-00000000c0de"
    resources: list[JSON] = field(default_factory=list)
    management_group: str = ""
    """The management group it sits in (listed among that group's descendants); empty: none served."""

    def add(self, *resources: JSON) -> None:
        """Add resources (their ``id`` decides where they are listed)."""
        self.resources.extend(resources)

    def as_json(self) -> JSON:
        """The subscription as ``GET /subscriptions/{id}`` answers it."""
        return {
            "id": f"/subscriptions/{self.id}",
            "subscriptionId": self.id,
            "tenantId": self.tenant,
            "displayName": self.display_name,
            "state": self.state,
            "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "spendingLimit": "Off"},
            "authorizationSource": "RoleBased",
        }


class Store:
    """The resources of every served subscription, by lower-cased id and by collection."""

    def __init__(self, subscriptions: Iterable[FakeSubscription]) -> None:
        self.subscriptions = {s.id.lower(): s for s in subscriptions}
        self._by_id: dict[str, JSON] = {}
        self._by_collection: dict[str, list[JSON]] = {}
        self._by_type: dict[tuple[str, str], list[JSON]] = {}
        for subscription in self.subscriptions.values():
            for resource in subscription.resources:
                self._index(subscription.id.lower(), resource)

    def _index(self, subscription: str, resource: JSON) -> None:
        rid = str(resource["id"]).rstrip("/")
        lowered = rid.lower()
        self._by_id[lowered] = resource
        self._by_collection.setdefault(lowered.rsplit("/", 1)[0], []).append(resource)
        parts = lowered.strip("/").split("/")
        # /subscriptions/S/resourceGroups/G/providers/NS/type/name: a top-level resource of its type
        if len(parts) == 8 and parts[2] == "resourcegroups" and parts[4] == "providers":
            self._by_type.setdefault((subscription, f"{parts[5]}/{parts[6]}"), []).append(resource)

    def get(self, path: str) -> JSON | None:
        """The resource at ``path`` (an id), if any."""
        return self._by_id.get(path.rstrip("/").lower())

    def listing(self, path: str) -> list[JSON] | None:
        """The resources of the collection at ``path``; None when ``path`` is no collection served."""
        lowered = path.rstrip("/").lower()
        parts = lowered.strip("/").split("/")
        if len(parts) == 5 and parts[0] == "subscriptions" and parts[2] == "providers":
            return list(self._by_type.get((parts[1], f"{parts[3]}/{parts[4]}"), []))
        found = self._by_collection.get(lowered)
        if found is not None:
            return list(found)
        return [] if self._collection_of_known_parent(parts) else None

    def _collection_of_known_parent(self, parts: list[str]) -> bool:
        """``.../providers/NS/type`` under an existing group, or ``.../type/name/child`` under a resource."""
        if len(parts) >= 6 and parts[0] == "subscriptions" and parts[2] == "resourcegroups":
            if len(parts) == 6 and parts[4] == "providers":  # the provider namespace alone: not a collection
                return False
            if len(parts) == 7 and parts[4] == "providers":
                return True
            return "/" + "/".join(parts[:-1]) in self._by_id
        return False
