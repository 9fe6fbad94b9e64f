"""The AWS scope options (``--profile``, ``--organization``, ``--accounts``...) and what they select.

Pure: validating the options imports no SDK. Listing an organization's accounts is
:mod:`cloudaudit_aws.collect.organization`'s work.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from cloudaudit.errors import UsageError
from cloudaudit.plugins import Scope, ScopeOption, Target
from cloudaudit.terminal import printable

DEFAULT_ROLE_NAME = "CloudAuditReadOnly"
"""The role assumed in each member account unless ``--role-name`` says otherwise (deploy/)."""
SESSION_SECONDS = 3600
"""Each assumed-role session's length: the most role chaining allows; botocore refreshes it before
it expires, so a longer run keeps working."""

PROFILE = ScopeOption(
    "profile",
    help="AWS profile to audit; repeat (or comma-separate) to audit several accounts in one run "
    "(default: the SDK's own: AWS_PROFILE, else the default credentials). With --organization or "
    "--accounts: the credentials that list the accounts and assume the role in each.",
    metavar="PROFILE",
)
ENDPOINT_URL = ScopeOption(
    "endpoint_url",
    help="AWS endpoint for every client of the run (an emulator, a proxy); it travels with the target to "
    "Dask workers (default: the SDK's own, e.g. AWS_ENDPOINT_URL).",
    multiple=False,
    metavar="URL",
)
ORGANIZATION = ScopeOption(
    "organization",
    help="Audit every ACTIVE account of the AWS Organization (run from the management account or a "
    "delegated administrator): the role --role-name is assumed in each; the caller's own account is "
    "audited with the caller's credentials.",
    multiple=False,
    takes_value=False,
)
ACCOUNTS = ScopeOption(
    "accounts",
    help="Audit these account ids (comma-separated) by assuming --role-name in each; without "
    "--organization no Organizations access is needed, with it only these members are audited.",
    metavar="ID,...",
)
EXCLUDE = ScopeOption(
    "exclude_accounts", help="Leave these account ids out (comma-separated).", metavar="ID,..."
)
OUS = ScopeOption(
    "ous",
    help="With --organization: only the accounts under these organizational units (or roots), "
    "nested units included.",
    metavar="OU,...",
)
ROLE_NAME = ScopeOption(
    "role_name",
    help=f"The role assumed in each account (default {DEFAULT_ROLE_NAME}; a path is allowed: audit/NAME).",
    multiple=False,
    envvar="CLOUDAUDIT_AWS_ROLE_NAME",
)
EXTERNAL_ID = ScopeOption(
    "external_id",
    help="The sts:ExternalId the role's trust policy requires.",
    multiple=False,
    envvar="CLOUDAUDIT_AWS_EXTERNAL_ID",
    metavar="ID",
)
OPTIONS = (PROFILE, ENDPOINT_URL, ORGANIZATION, ACCOUNTS, EXCLUDE, OUS, ROLE_NAME, EXTERNAL_ID)

_ACCOUNT_ID = re.compile(r"\d{12}")
_PARENT_ID = re.compile(r"ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32}")
_ROLE_NAME = re.compile(r"(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}")
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}")


@dataclass(frozen=True)
class AccountsScope:
    """Many accounts reached through one identity: listed by Organizations or given by id."""

    profile: str | None
    """Whose credentials list the accounts and assume the roles (None: the SDK's default)."""
    organization: bool
    accounts: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    ous: tuple[str, ...] = ()
    role_name: str = DEFAULT_ROLE_NAME
    external_id: str | None = None
    session_name: str = ""
    """The RoleSessionName of every assumed role: ``cloudaudit-<run id>``, shown by CloudTrail."""
    endpoint_url: str | None = None
    """``--endpoint-url``: where the accounts are listed, the roles assumed and the audit's calls go."""


def session_name() -> str:
    """``cloudaudit-20260105T101500Z-3f9a1c``: one per run, so CloudTrail ties its calls together."""
    return f"cloudaudit-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def profile_targets(scope: Scope) -> list[Target]:
    """One target per ``--profile`` (none given: the SDK's default credentials), with ``--endpoint-url``."""
    settings = _endpoint_setting(endpoint_url(scope))
    profiles = scope.get(PROFILE.name, ()) or (None,)
    return [Target("profile", p, settings) for p in profiles]


def endpoint_url(scope: Scope) -> str | None:
    """``--endpoint-url``, if given."""
    return (scope.get(ENDPOINT_URL.name) or (None,))[0]


def _endpoint_setting(url: str | None) -> tuple[tuple[str, str], ...]:
    return ((ENDPOINT_URL.name, url),) if url else ()


def accounts_scope(scope: Scope) -> AccountsScope | None:
    """The many-accounts options, validated; None when none is given (profiles only)."""
    organization = bool(scope.get(ORGANIZATION.name))
    accounts = _ids(scope, ACCOUNTS, _ACCOUNT_ID, "a 12-digit AWS account id")
    wanted = organization or bool(accounts)
    for option in (EXCLUDE, OUS, ROLE_NAME, EXTERNAL_ID):
        if scope.get(option.name) and not wanted:
            raise UsageError(f"{option.flag} applies to --organization or --accounts")
    if not wanted:
        return None
    if scope.get(OUS.name) and not organization:
        raise UsageError("--ous needs --organization (the units are read from AWS Organizations)")
    profiles = scope.get(PROFILE.name, ())
    if len(profiles) > 1:
        raise UsageError(
            "give one --profile with --organization or --accounts: the credentials that assume the roles"
        )
    role = (scope.get(ROLE_NAME.name) or (DEFAULT_ROLE_NAME,))[0]
    if not _ROLE_NAME.fullmatch(role):
        raise UsageError(
            f"--role-name {printable(repr(role), 80)} is not an IAM role name "
            "(letters, digits, +=,.@_- and /)"
        )
    external = (scope.get(EXTERNAL_ID.name) or (None,))[0]
    if external is not None and not _EXTERNAL_ID.fullmatch(external):
        raise UsageError("--external-id must be 2 to 1224 characters of letters, digits and +=,.@:/_-")
    return AccountsScope(
        profile=profiles[0] if profiles else None,
        organization=organization,
        accounts=accounts,
        exclude=_ids(scope, EXCLUDE, _ACCOUNT_ID, "a 12-digit AWS account id"),
        ous=_ids(scope, OUS, _PARENT_ID, "an organizational unit (ou-...) or root (r-...) id"),
        role_name=role.strip("/"),
        external_id=external,
        session_name=session_name(),
        endpoint_url=endpoint_url(scope),
    )


def _ids(scope: Scope, option: ScopeOption, pattern: re.Pattern[str], what: str) -> tuple[str, ...]:
    values = scope.get(option.name, ())
    for value in values:
        if not pattern.fullmatch(value):
            raise UsageError(f"{option.flag}: {printable(repr(value), 48)} is not {what}")
    return values


def role_arn(partition: str, account: str, role_name: str) -> str:
    """``arn:aws:iam::111111111111:role/CloudAuditReadOnly``."""
    return f"arn:{partition}:iam::{account}:role/{role_name}"


def account_target(account: str, scope: AccountsScope, partition: str, caller: str) -> Target:
    """The target of one account: the caller's own account with the caller's credentials (no
    self-assume), any other through its role."""
    settings: list[tuple[str, str]] = [("profile", scope.profile)] if scope.profile else []
    settings += _endpoint_setting(scope.endpoint_url)
    if account != caller:
        settings += [
            ("role_arn", role_arn(partition, account, scope.role_name)),
            ("session_name", scope.session_name),
        ]
        if scope.external_id:
            settings.append(("external_id", scope.external_id))
    return Target("account", account, tuple(settings))
