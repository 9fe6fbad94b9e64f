"""Which subscriptions a target audits: the one asked for (checked to exist), else every enabled one
the credential can list. The first call of a run: a credential or endpoint problem stops it here with
one actionable line."""

from __future__ import annotations

from typing import Any

from azure.mgmt.resource.subscriptions import SubscriptionClient

from cloudaudit.collect.errors import TargetUnavailable
from cloudaudit.errors import CloudauditError, CredentialsError, EndpointError
from cloudaudit.model.inventory import GapKind
from cloudaudit.terminal import printable
from cloudaudit_azure.assets import text
from cloudaudit_azure.collect.errors import SDK_ERRORS, classify, describe
from cloudaudit_azure.collect.session import AzureSession

ENABLED = frozenset({"enabled", "pastdue", "warned"})
"""Subscription states whose resources can be read (disabled and deleted ones answer nothing)."""


def subscriptions(azure: AzureSession) -> list[str]:
    """The ids of the subscriptions to audit; raise CloudauditError when none can be."""
    client = azure.client(SubscriptionClient)
    wanted = azure.target.id
    try:
        if wanted:
            found = client.subscriptions.get(wanted)
            return [str(found.subscription_id or wanted)]
        listed = [s for s in client.subscriptions.list() if _state(s) in ENABLED]
    except SDK_ERRORS as exc:
        raise stopping(exc, wanted) from exc
    if not listed:
        raise CloudauditError(
            "these Azure credentials see no enabled subscription: grant them Reader (or the role of "
            "'cloudaudit permissions --provider azure') on one, or pass --subscription ID"
        )
    return sorted(str(s.subscription_id) for s in listed if s.subscription_id)


def _state(subscription: Any) -> str:
    return text(getattr(subscription, "state", None)).lower()


def stopping(exc: Exception, wanted: str | None) -> CloudauditError:
    """The error that ends the run when the subscriptions cannot be read (``wanted``: the one asked for)."""
    kind = classify(exc)
    code, message = describe(exc)
    said = printable(f"{code}: {message}" if message else code, limit=200)
    if kind is GapKind.CREDENTIALS:
        return CredentialsError(
            f"the Azure credentials were refused or are missing ({said}): run 'az login', set "
            "AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, or pass --access-token"
        )
    if kind is GapKind.CONNECTION:
        return EndpointError(
            f"cannot reach Azure Resource Manager ({said}): check the network, proxy or --endpoint-url"
        )
    if wanted:
        return TargetUnavailable(
            f"cannot read subscription {printable(wanted)} ({said}): check its id and the role",
            code=code,
            operation="subscriptions.get",
            kind=kind,
        )
    return CloudauditError(f"cannot list the subscriptions ({said}): pass --subscription ID")
