"""Boto3 session, identity, regions and thread-safe clients, honouring the SDK's own config.

Profiles, ``AWS_REGION`` and ``AWS_ENDPOINT_URL`` (and per-service endpoint settings) are
read by botocore itself; nothing here re-implements them.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    TokenRetrievalError,
)

from cloudaudit import __version__
from cloudaudit.collect.errors import TargetUnavailable
from cloudaudit.errors import CloudauditError, CredentialsError, EndpointError, UsageError
from cloudaudit.model.inventory import GapKind
from cloudaudit.plugins import Target
from cloudaudit_aws.collect.assume import ASSUME_OPERATION, RoleToAssume, assumed_session, open_session
from cloudaudit_aws.collect.guard import classify, error_code

DEFAULT_REGION = "us-east-1"

_EXPIRED = "the AWS session token has expired: refresh your credentials (e.g. 'aws sso login')"
_CREDENTIAL_CODES = {
    "InvalidClientTokenId": "AWS rejected the access key (InvalidClientTokenId): check the key id or profile",
    "SignatureDoesNotMatch": "AWS rejected the secret key (SignatureDoesNotMatch): check the credentials",
    "ExpiredToken": _EXPIRED,
    "ExpiredTokenException": _EXPIRED,
    "RequestExpired": "the request expired: check the system clock",
    "AccessDenied": (
        "sts:GetCallerIdentity was denied; the audit needs a read-only role: "
        "'cloudaudit permissions --provider aws' prints its policy"
    ),
}


class AwsSession:
    """A boto3 session plus a cache of clients, safe to use from many threads.

    With ``role``, the credentials are that role assumed with ``profile``'s (see :mod:`.assume`).
    """

    def __init__(
        self,
        profile: str | None,
        max_workers: int,
        endpoint_url: str | None = None,
        role: RoleToAssume | None = None,
    ) -> None:
        self.endpoint_url = endpoint_url or None
        """One endpoint for every client (``--endpoint-url``); None: botocore's own configuration."""
        self.role = role
        self.session: boto3.Session = (
            assumed_session(profile, role, self.endpoint_url) if role else open_session(profile)
        )
        self.home_region = self.session.region_name or DEFAULT_REGION
        self.config = Config(
            retries=_retries(self.session),
            max_pool_connections=max(10, max_workers * 2),
            connect_timeout=5,
            read_timeout=30,
            user_agent_extra=f"cloudaudit/{__version__}",
        )
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self.account_id = ""
        self.arn = ""
        """The identity's ARN, once :meth:`identify` has run."""

    @classmethod
    def of(cls, target: Target, max_workers: int) -> AwsSession:
        """The session of a ``profile`` target, or of an ``account`` target (its role, if any)."""
        endpoint = target.setting("endpoint_url")
        if target.kind == "account":
            return cls(target.setting("profile"), max_workers, endpoint, RoleToAssume.of(target))
        return cls(target.id, max_workers, endpoint)

    @property
    def partition(self) -> str:
        """``aws``, ``aws-cn``, ``aws-us-gov``...: from the identity's ARN."""
        parts = self.arn.split(":")
        return parts[1] if len(parts) > 1 and parts[1] else "aws"

    def client(self, service: str, region: str | None = None) -> Any:
        """A cached client for ``service`` in ``region`` (the home region by default)."""
        key = (service, region or self.home_region)
        with self._lock:  # boto3 sessions are not thread-safe; clients are
            if key not in self._clients:
                client = self.session.client(
                    service, region_name=key[1], config=self.config, endpoint_url=self.endpoint_url
                )
                if service == "s3control":
                    _route_s3control(client)
                self._clients[key] = client
            return self._clients[key]

    def identify(self) -> str:
        """The account id of the credentials; a clear CloudauditError when they don't work."""
        try:
            ident = self.client("sts").get_caller_identity()
        except (NoCredentialsError, PartialCredentialsError) as exc:
            raise CredentialsError(
                "no AWS credentials found: set AWS_PROFILE or --profile, run 'aws configure' or "
                "'aws sso login', or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
            ) from exc
        except TokenRetrievalError as exc:
            raise CredentialsError(
                f"AWS SSO token could not be refreshed: run 'aws sso login' ({exc})"
            ) from exc
        except EndpointConnectionError as exc:
            raise EndpointError(
                f"cannot reach the AWS STS endpoint ({exc.kwargs.get('endpoint_url', '?')}): "
                "check the network, proxy settings or AWS_ENDPOINT_URL"
            ) from exc
        except NoRegionError as exc:
            raise UsageError("no AWS region configured: set AWS_REGION or --regions") from exc
        except ClientError as exc:
            if self.role is not None:
                raise _unassumable(self.role, exc) from exc
            raise _identity_error(exc) from exc
        except BotoCoreError as exc:
            raise EndpointError(f"AWS STS call failed: {exc}") from exc
        self.account_id = str(ident["Account"])
        self.arn = str(ident.get("Arn") or "")
        return self.account_id


def _unassumable(role: RoleToAssume, exc: ClientError) -> TargetUnavailable:
    """Why the account of ``role`` cannot be audited: the role could not be assumed (missing, its
    trust policy or the external id refuses the caller), or the assumed role may not identify itself."""
    code, message = error_code(exc)
    operation = exc.operation_name or ASSUME_OPERATION
    if operation == ASSUME_OPERATION:
        text = f"cannot assume {role.arn} ({code}): {message}"
    else:
        text = f"the role {role.arn} was assumed but {operation} failed ({code}): {message}"
    return TargetUnavailable(text, code=code, operation=operation, kind=classify(exc))


def _identity_error(exc: ClientError) -> CloudauditError:
    """Why GetCallerIdentity failed: throttling and server errors are not the credentials' fault."""
    code = str(exc.response.get("Error", {}).get("Code", ""))
    kind = classify(exc)
    if kind is GapKind.THROTTLED:
        return EndpointError(f"AWS STS throttled the request ({code}): retry later or lower --workers")
    if kind is GapKind.SERVER:
        return EndpointError(f"the AWS STS endpoint failed ({code}): retry later")
    return CredentialsError(_CREDENTIAL_CODES.get(code, f"AWS refused the credentials ({code})"))


def _retries(session: boto3.Session) -> dict[str, Any]:
    """Botocore's adaptive retries with 8 attempts, unless the user configured retries.

    ``AWS_RETRY_MODE`` / ``AWS_MAX_ATTEMPTS`` and the profile's ``retry_mode`` / ``max_attempts``
    win over these defaults (a Config object would otherwise override them).
    """
    core = session._session  # botocore session: the documented way to read resolved config
    mode = core.get_config_variable("retry_mode") if _configured(core, "retry_mode") else "adaptive"
    attempts = core.get_config_variable("max_attempts") if _configured(core, "max_attempts") else 8
    return {"mode": mode, "total_max_attempts": int(attempts)}


def _configured(core: Any, name: str) -> bool:
    env = {"retry_mode": "AWS_RETRY_MODE", "max_attempts": "AWS_MAX_ATTEMPTS"}[name]
    return bool(os.environ.get(env)) or name in core.get_scoped_config()


def _route_s3control(client: Any) -> None:
    """Keep s3control on a custom endpoint (emulators, proxies).

    S3 Control's endpoint rules prefix the host with ``{AccountId}.``, which a custom
    endpoint (``AWS_ENDPOINT_URL``) does not serve. Only when such an endpoint is set,
    strip that prefix before signing.
    """
    if not client.meta.endpoint_url or "amazonaws.com" in client.meta.endpoint_url:
        return

    def strip_account(request: Any, **_: Any) -> None:
        scheme, _, rest = request.url.partition("://")
        first, dot, remainder = rest.partition(".")
        if first.isdigit() and len(first) == 12 and dot:
            request.url = f"{scheme}://{remainder}"

    client.meta.events.register("before-sign.s3-control.*", strip_account)
