"""A boto3 session whose credentials are a role assumed in another account, refreshed before they
expire (botocore's own :class:`AssumeRoleCredentialFetcher` and deferred refreshable credentials).

The role is assumed on the session's first call, not when the session is made; a role that cannot be
assumed surfaces as that call's ``ClientError`` (operation ``AssumeRole``).
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.session
from botocore.credentials import (
    AssumeRoleCredentialFetcher,
    CredentialProvider,
    CredentialResolver,
    Credentials,
    DeferredRefreshableCredentials,
)
from botocore.exceptions import ProfileNotFound
from botocore.loaders import Loader, create_loader

from cloudaudit.errors import CredentialsError, UsageError
from cloudaudit.plugins import Target

ASSUME_OPERATION = "AssumeRole"


@dataclass(frozen=True)
class RoleToAssume:
    """The role of one account and how to assume it."""

    arn: str
    session_name: str
    """``RoleSessionName``: CloudTrail shows it as the session of every call the audit makes there."""
    external_id: str | None = None
    duration_seconds: int = 3600

    @classmethod
    def of(cls, target: Target) -> RoleToAssume | None:
        """The role an ``account`` target names; None for the caller's own credentials."""
        arn = target.setting("role_arn")
        if not arn:
            return None
        return cls(arn, target.setting("session_name") or "cloudaudit", target.setting("external_id"))

    @property
    def account(self) -> str:
        """The account the role is in."""
        return self.arn.split(":")[4]


_LOADER: Loader | None = None
_LOADER_LOCK = threading.Lock()


def shared_loader() -> Loader:
    """One botocore data loader for every session of the process: each account's session would
    otherwise parse and keep its own copy of every service model (EC2's alone is tens of MB)."""
    global _LOADER
    with _LOADER_LOCK:
        if _LOADER is None:
            _LOADER = create_loader()
        return _LOADER


def open_session(profile: str | None) -> boto3.Session:
    """A boto3 session of ``profile`` (None: the SDK's default chain) sharing the process's model
    loader; UsageError for an unknown profile."""
    core = botocore.session.Session()
    loader = shared_loader()
    core.register_component("data_loader", loader)
    try:
        session = boto3.Session(botocore_session=core, profile_name=profile)
        core.get_scoped_config()  # an unknown profile fails here, not at the first call
    except ProfileNotFound as exc:
        raise UsageError(f"AWS profile {profile!r} not found in ~/.aws/config or ~/.aws/credentials") from exc
    with _LOADER_LOCK:  # each boto3 session appends its data folder: keep each folder once
        loader.search_paths[:] = list(dict.fromkeys(loader.search_paths))
    return session


_SOURCES: dict[tuple[str | None, str], Credentials] = {}
_SOURCES_LOCK = threading.Lock()


def source_credentials(profile: str | None, run: str) -> Credentials:
    """The caller's credentials, resolved once per profile and run (``run``: its session name) and
    shared by every account's session: botocore's refreshable credentials are thread-safe, so an SSO
    or role profile is refreshed once for all of them."""
    key = (profile, run)
    with _SOURCES_LOCK:
        if key not in _SOURCES:
            credentials = open_session(profile).get_credentials()
            if credentials is None:
                raise CredentialsError(
                    "no AWS credentials found to assume the audit role with: set AWS_PROFILE or "
                    "--profile, run 'aws sso login', or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
                )
            _SOURCES[key] = credentials
        return _SOURCES[key]


class _AssumedRoleProvider(CredentialProvider):  # type: ignore[misc]
    """Hands botocore deferred credentials that assume the role on first use and before expiry."""

    METHOD = "cloudaudit-assume-role"
    CANONICAL_NAME = "cloudaudit-assume-role"

    def __init__(self, fetcher: AssumeRoleCredentialFetcher) -> None:
        super().__init__()
        self._fetcher = fetcher

    def load(self) -> DeferredRefreshableCredentials:
        return DeferredRefreshableCredentials(
            refresh_using=self._fetcher.fetch_credentials, method=self.METHOD
        )


def assumed_session(
    profile: str | None, role: RoleToAssume, endpoint_url: str | None = None
) -> boto3.Session:
    """A session of ``profile``'s configuration (region, retries, endpoints) whose credentials are
    ``role`` assumed with ``profile``'s credentials (role chaining when those are a role too);
    ``endpoint_url`` (``--endpoint-url``) is where the role is assumed too."""
    extra: dict[str, Any] = {"RoleSessionName": role.session_name, "DurationSeconds": role.duration_seconds}
    if role.external_id:
        extra["ExternalId"] = role.external_id
    sts_session = open_session(profile)  # its own botocore session: refreshes create their STS client there
    fetcher = AssumeRoleCredentialFetcher(
        client_creator=functools.partial(sts_session._session.create_client, endpoint_url=endpoint_url),
        source_credentials=source_credentials(profile, role.session_name),
        role_arn=role.arn,
        extra_args=extra,
        cache={},
    )
    session = open_session(profile)
    session._session.register_component(
        "credential_provider", CredentialResolver([_AssumedRoleProvider(fetcher)])
    )
    return session
