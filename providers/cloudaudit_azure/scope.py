"""Which subscriptions an Azure run audits: ``--subscription`` values, every enabled subscription
(``--all-subscriptions``, the default when nothing is named) and those beneath ``--management-group``
(listed by :mod:`cloudaudit_azure.collect.estate`), less ``--exclude-subscriptions``.

Pure: no Azure library is imported here, so a bad value is a usage error before any API call.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cloudaudit.errors import CloudauditError, UsageError
from cloudaudit.model.inventory import GapKind
from cloudaudit.plugins import Target
from cloudaudit.terminal import printable

GROUPS_PREFIX = "/providers/microsoft.management/managementgroups/"
_GROUP_ID = re.compile(r"[\w().-]{1,90}")
"""A management group id: letters, digits, ``-_().``, at most 90 (Azure's rule)."""


def group_ids(values: Iterable[str]) -> list[str]:
    """The management group ids given (a bare id, or its resource id), in order, without repeats;
    anything else is a usage error."""
    ids = []
    for value in values:
        group = value[len(GROUPS_PREFIX) :] if value.lower().startswith(GROUPS_PREFIX) else value
        if not _GROUP_ID.fullmatch(group):
            raise UsageError(
                f"--management-group takes a management group id (letters, digits, -_().), "
                f"not {printable(value, limit=100)!r}"
            )
        ids.append(group)
    return list(dict.fromkeys(ids))


@dataclass(frozen=True)
class UnlistedGroup:
    """A management group whose subscriptions could not be listed, and why."""

    group: str
    code: str
    message: str
    kind: GapKind = GapKind.ERROR

    def reason(self) -> str:
        """One line: what could not be listed and why."""
        said = f"{self.code}: {self.message}" if self.message else self.code
        return f"the subscriptions of management group {self.group} could not be listed ({said})"

    def target(self, settings: tuple[tuple[str, str], ...]) -> Target:
        """A ``management group`` target standing for the group: collecting it fails with this reason,
        so that the run reports the group as not audited (a coverage gap when subscriptions were)."""
        why = ((UNLISTED, self.reason()), (UNLISTED_CODE, self.code), (UNLISTED_KIND, self.kind.value))
        return Target("management group", self.group, (*settings, *why))


UNLISTED, UNLISTED_CODE, UNLISTED_KIND = ("unlisted", "unlisted_code", "unlisted_kind")
"""The settings of a target standing for a group that could not be listed."""
DESCENDANTS = "managementGroups.getDescendants"
"""The listing call, as a gap names it."""


def unlisted_reason(target: Target) -> tuple[str, str, GapKind] | None:
    """``(reason, code, kind)`` of a target standing for an unlisted group, else None."""
    reason = target.setting(UNLISTED)
    if not reason:
        return None
    return reason, target.setting(UNLISTED_CODE) or "", GapKind(target.setting(UNLISTED_KIND) or "error")


@dataclass
class SubscriptionListing:
    """What the listing found: the subscriptions to audit, in order, and the groups it could not list."""

    subscriptions: list[str] = field(default_factory=list)
    unlisted: list[UnlistedGroup] = field(default_factory=list)
    skipped: int = 0
    """Subscriptions left out because they are disabled or deleted."""


def chosen_subscriptions(given: Sequence[str], listed: Sequence[str], excluded: Iterable[str]) -> list[str]:
    """The subscriptions to audit: those given, then those listed, without repeats (ids compare
    case-insensitively, as Azure's do), less the excluded."""
    skip = {s.lower() for s in excluded}
    chosen: dict[str, str] = {}
    for subscription in [*given, *listed]:
        if subscription.lower() not in skip:
            chosen.setdefault(subscription.lower(), subscription)
    return list(chosen.values())


def nothing_listed(groups: Sequence[str], listing: SubscriptionListing) -> CloudauditError:
    """The error of a listing that found no subscription to audit."""
    if listing.unlisted:
        return CloudauditError(
            printable(listing.unlisted[0].reason(), limit=300)
            + ": grant Microsoft.Management/managementGroups/descendants/read on it (the role of "
            "'cloudaudit permissions --provider azure' assigned at the management group, or Reader)"
        )
    where = f"beneath management group {', '.join(groups)}" if groups else "that these credentials can list"
    return CloudauditError(
        f"no enabled subscription {where}: grant Reader (or the role of 'cloudaudit permissions "
        "--provider azure') on one, or pass --subscription ID"
    )
