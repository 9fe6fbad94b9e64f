"""Management groups of the fake and their ``descendants`` listing, as ARM answers
``GET /providers/Microsoft.Management/managementGroups/{id}/descendants``: every management group and
subscription beneath the group, at any depth, flattened (a subscription's ``type`` is ``/subscriptions``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cloudaudit_azure.fake.state import JSON, FakeSubscription

GROUPS = "/providers/Microsoft.Management/managementGroups"
GROUP_TYPE = "Microsoft.Management/managementGroups"


@dataclass(frozen=True)
class FakeManagementGroup:
    """A management group: its id (a name), its parent group (None: under the tenant root) and name."""

    id: str
    parent: str | None = None
    display_name: str = ""

    def descendant(self) -> JSON:
        """``DescendantInfo`` of the group."""
        return _info(f"{GROUPS}/{self.id}", GROUP_TYPE, self.id, self.display_name or self.id, self.parent)


def descendants(
    group: str, groups: Sequence[FakeManagementGroup], subscriptions: Iterable[FakeSubscription]
) -> list[JSON] | None:
    """Every group and subscription beneath ``group`` (ids compare case-insensitively), groups first
    level by level as ARM lists them; None when no such group is served."""
    known = {g.id.lower(): g for g in groups}
    if group.lower() not in known:
        return None
    below: list[FakeManagementGroup] = []
    level = [known[group.lower()]]
    while level:
        level = [g for g in groups if g.parent and g.parent.lower() in {x.id.lower() for x in level}]
        below += level
    within = {group.lower(), *(g.id.lower() for g in below)}
    items = [g.descendant() for g in below]
    for subscription in subscriptions:
        parent = subscription.management_group
        if parent and parent.lower() in within:
            name = subscription.display_name
            items.append(
                _info(f"/subscriptions/{subscription.id}", "/subscriptions", subscription.id, name, parent)
            )
    return items


def _info(rid: str, kind: str, name: str, display: str, parent: str | None) -> JSON:
    properties: JSON = {"displayName": display}
    if parent:
        properties["parent"] = {"id": f"{GROUPS}/{parent}"}
    return {"id": rid, "type": kind, "name": name, "properties": properties}
