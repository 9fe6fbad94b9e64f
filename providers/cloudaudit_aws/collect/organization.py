"""The accounts of a many-accounts run: listed by AWS Organizations (``--organization``, under
``--ous``) or named (``--accounts``), each an audit target reached through the audit role."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from cloudaudit.errors import CloudauditError, CredentialsError, EndpointError, UsageError
from cloudaudit.model.inventory import GapKind
from cloudaudit.plugins import Target
from cloudaudit.terminal import printable
from cloudaudit_aws.collect.guard import classify, error_code
from cloudaudit_aws.collect.session import AwsSession
from cloudaudit_aws.scope import AccountsScope, account_target

log = logging.getLogger(__name__)

ACTIVE = "ACTIVE"
_NOT_IN_USE = "AWSOrganizationsNotInUseException"
_NO_PARENT = frozenset({"ParentNotFoundException", "InvalidInputException"})


def account_targets(scope: AccountsScope) -> list[Target]:
    """One target per account selected, sorted by id (the order the user gave with ``--accounts``
    alone); the caller's own account is audited with the caller's credentials."""
    caller = AwsSession(scope.profile, max_workers=4, endpoint_url=scope.endpoint_url)
    caller.identify()
    if scope.organization:
        members = _members(caller, scope.ous)
        if scope.accounts:
            unknown = [a for a in scope.accounts if a not in members]
            if unknown:
                raise UsageError(f"--accounts: not ACTIVE accounts of the organization: {', '.join(unknown)}")
            members = [a for a in members if a in scope.accounts]
    else:
        members = list(scope.accounts)
    excluded = set(scope.exclude)
    chosen = [a for a in members if a not in excluded]
    if not chosen:
        raise UsageError("no account left to audit: --exclude-accounts leaves out every account selected")
    log.info(
        "auditing %d account(s) through role %s, session name %s",
        len(chosen),
        printable(scope.role_name),
        scope.session_name,
    )
    return [account_target(a, scope, caller.partition, caller.account_id) for a in chosen]


def _members(caller: AwsSession, ous: tuple[str, ...]) -> list[str]:
    """The ACTIVE accounts of the organization, or of the units ``ous`` and the units beneath."""
    org = caller.client("organizations")
    described = _call(caller, "DescribeOrganization", org.describe_organization)["Organization"]
    if ous:
        accounts = [a for parent in ous for a in _under(caller, org, parent)]
    else:
        accounts = list(_pages(caller, org, "list_accounts", "ListAccounts", "Accounts"))
    active = sorted({a["Id"] for a in accounts if _state(a) == ACTIVE})
    skipped = len({a["Id"] for a in accounts}) - len(active)
    log.info(
        "organization %s (management account %s): %d ACTIVE account(s)%s",
        printable(described.get("Id", "?")),
        printable(described.get("MasterAccountId", "?")),
        len(active),
        f", {skipped} not ACTIVE skipped" if skipped else "",
    )
    return active


def _state(account: dict[str, Any]) -> str:
    """``State`` (the current field), else the older ``Status``."""
    return str(account.get("State") or account.get("Status") or "")


def _under(caller: AwsSession, org: Any, parent: str) -> Iterator[dict[str, Any]]:
    """Every account under ``parent`` (a unit or a root), nested units included, breadth first."""
    queue, seen = [parent], {parent}
    while queue:
        unit = queue.pop(0)
        try:
            yield from _pages(
                caller, org, "list_accounts_for_parent", "ListAccountsForParent", "Accounts", unit
            )
            children = _pages(
                caller,
                org,
                "list_organizational_units_for_parent",
                "ListOrganizationalUnitsForParent",
                "OrganizationalUnits",
                unit,
            )
            for child in [c["Id"] for c in children]:
                if child not in seen:
                    seen.add(child)
                    queue.append(child)
        except _NoParent:
            raise UsageError(f"--ous: {printable(unit)} is not a unit or root of this organization") from None


class _NoParent(Exception):
    """The organization has no such unit or root."""


def _pages(
    caller: AwsSession, org: Any, method: str, operation: str, key: str, parent: str | None = None
) -> Iterator[dict[str, Any]]:
    args = {"ParentId": parent} if parent else {}
    pages = org.get_paginator(method).paginate(**args)
    for page in _call(caller, operation, lambda: list(pages)):
        yield from page.get(key, [])


def _call(caller: AwsSession, operation: str, fn: Any) -> Any:
    """``fn()``; an Organizations error becomes a one-line error naming what to do."""
    try:
        return fn()
    except ClientError as exc:
        code, _ = error_code(exc)
        if code in _NO_PARENT:
            raise _NoParent(code) from exc
        raise _organizations_error(caller, operation, exc) from exc
    except BotoCoreError as exc:
        raise EndpointError(f"AWS Organizations {operation} failed: {exc}") from exc


def _organizations_error(caller: AwsSession, operation: str, exc: ClientError) -> CloudauditError:
    code, message = error_code(exc)
    if code == _NOT_IN_USE:
        return UsageError(
            f"account {caller.account_id} is not in an AWS Organization: name the accounts with "
            "--accounts (and --role-name) instead of --organization"
        )
    kind = classify(exc)
    if kind is GapKind.DENIED:
        return CredentialsError(
            f"AWS Organizations denied {operation} to {printable(caller.arn)} ({code}): run from the "
            "management account or a delegated administrator with the policy 'cloudaudit permissions "
            "--provider aws --organization' prints, or name the accounts with --accounts"
        )
    if kind in (GapKind.THROTTLED, GapKind.SERVER, GapKind.CONNECTION):
        return EndpointError(f"AWS Organizations {operation} failed ({code}): retry later")
    return CredentialsError(f"AWS Organizations {operation} failed ({code}): {printable(message, 200)}")
