"""The subscriptions of an estate: every enabled one the credential can list, and those beneath
management groups (``descendants``, at any depth, paged with ``nextLink``). Disabled and deleted
subscriptions are left out; one that a group holds but the credential cannot see is kept, so that the
audit reports it as a subscription it could not read rather than forgetting it.

The descendants need ``Microsoft.Management/managementGroups/descendants/read`` on the group: the audit
role (``cloudaudit permissions --provider azure``) assigned at the management group grants it, and is
inherited by every subscription beneath.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from azure.mgmt.managementgroups import ManagementGroupsMgmtClient
from azure.mgmt.resource.subscriptions import SubscriptionClient

from cloudaudit.errors import CredentialsError, EndpointError
from cloudaudit.model.inventory import GapKind
from cloudaudit.plugins import Target
from cloudaudit.terminal import printable
from cloudaudit_azure.assets import text
from cloudaudit_azure.collect.errors import SDK_ERRORS, classify, describe
from cloudaudit_azure.collect.identity import ENABLED, stopping
from cloudaudit_azure.collect.session import AzureSession
from cloudaudit_azure.scope import SubscriptionListing, UnlistedGroup

log = logging.getLogger(__name__)

SUBSCRIPTION_TYPE = "/subscriptions"
"""How ``descendants`` types a subscription (a group: ``Microsoft.Management/managementGroups``)."""


def list_subscriptions(target: Target, groups: Sequence[str], every: bool) -> SubscriptionListing:
    """The subscriptions to audit: every enabled one the credential lists when ``every``, then those
    beneath ``groups`` that are not disabled or deleted. Credentials or endpoint failures raise; a
    group that denies the listing (or fails) is recorded in ``unlisted`` and the others go on."""
    azure = AzureSession(target, max_workers=2)
    try:
        states = _states(azure)
        listing = SubscriptionListing()
        if every:
            enabled = sorted(sid for sid, (_, state) in states.items() if state in ENABLED)
            listing.subscriptions += [states[sid][0] for sid in enabled]
            listing.skipped += len(states) - len(enabled)
        for group in groups:
            _add_group(azure, group, states, listing)
    finally:
        azure.close()
    log.info(
        "%d subscriptions to audit (%d disabled or deleted left out)",
        len(listing.subscriptions),
        listing.skipped,
    )
    return listing


def _states(azure: AzureSession) -> dict[str, tuple[str, str]]:
    """Every subscription the credential can list: lower-cased id -> (id, lower-cased state)."""
    try:
        listed = list(azure.client(SubscriptionClient).subscriptions.list())
    except SDK_ERRORS as exc:
        raise stopping(exc, None) from exc
    return {
        str(s.subscription_id).lower(): (str(s.subscription_id), text(getattr(s, "state", None)).lower())
        for s in listed
        if s.subscription_id
    }


def _add_group(
    azure: AzureSession, group: str, states: dict[str, tuple[str, str]], listing: SubscriptionListing
) -> None:
    """Add the subscriptions beneath ``group`` that may be audited to ``listing``."""
    client = azure.client(ManagementGroupsMgmtClient)
    try:
        found = [_subscription_of(d) for d in client.management_groups.get_descendants(group)]
    except SDK_ERRORS as exc:
        _raise_if_fatal(exc)
        code, message = describe(exc)
        listing.unlisted.append(UnlistedGroup(group, code, message, classify(exc)))
        log.info("%s", printable(listing.unlisted[-1].reason(), limit=300))
        return
    for subscription in filter(None, found):
        state = states.get(subscription.lower(), (subscription, ""))[1]
        if state and state not in ENABLED:
            log.info("subscription %s left out: %s", printable(subscription), printable(state))
            listing.skipped += 1
            continue
        listing.subscriptions.append(subscription)


def _subscription_of(descendant: Any) -> str | None:
    """The subscription id of a ``DescendantInfo`` (None: a management group)."""
    kind = text(getattr(descendant, "type", None)).lower()
    name = text(getattr(descendant, "name", None))
    return name if kind.endswith(SUBSCRIPTION_TYPE) and name else None


def _raise_if_fatal(exc: Exception) -> None:
    """Credentials or the endpoint failing stop the listing: nothing else could be read either."""
    kind = classify(exc)
    if kind is GapKind.CREDENTIALS or kind is GapKind.CONNECTION:
        error = stopping(exc, None)
        if isinstance(error, CredentialsError | EndpointError):
            raise error from exc
