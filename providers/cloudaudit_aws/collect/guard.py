"""The one place where AWS API errors become recorded coverage gaps.

Every SDK call of the collectors goes through :class:`Guard`. Retries and backoff are
botocore's own (``adaptive`` mode, set in :mod:`.session`); what is still failing after
them (AccessDenied, a disabled region, persistent throttling, an unreachable regional
endpoint) becomes a :class:`CollectionGap`, and the caller gets :class:`Failed` instead of
data. "Not configured" answers (e.g. ``NoSuchBucketPolicy``) are not errors: they
return :data:`ABSENT`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    HTTPClientError,
    NoCredentialsError,
    TokenRetrievalError,
)
from botocore.parsers import ResponseParserError
from botocore.retries.standard import RetryContext, ThrottledRetryableChecker

from cloudaudit.model.inventory import CollectionGap, GapKind
from cloudaudit.terminal import printable
from cloudaudit_aws.assets import PROVIDER

log = logging.getLogger(__name__)

Raw = dict[str, Any]


class Absent:
    """The queried configuration does not exist (e.g. no bucket policy)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = Absent()


@dataclass(frozen=True)
class Failed:
    """The call failed after retries; a gap has been recorded."""

    code: str
    message: str

    def reason(self, operation: str) -> str:
        """Short text for an asset's ``unread`` entry."""
        return f"{self.code} on {operation}"


_DENIED = frozenset(
    {"AuthorizationError", "AuthFailure", "Forbidden", "OptInRequired", "InvalidClientTokenId"}
    | {"UnrecognizedClientException", "SubscriptionRequiredException"}
)
_DENIED_PARTS = ("AccessDenied", "NotAuthorized", "Unauthorized")
_UNSUPPORTED = frozenset({"InvalidAction", "UnknownOperationException", "UnsupportedOperation"})
_SERVER = frozenset(
    {"InternalError", "InternalFailure", "InternalServerError", "InternalServiceError"}
    | {"ServiceUnavailable", "ServiceUnavailableException", "RequestTimeout", "RequestTimeoutException"}
)
_CREDENTIALS = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"})
_THROTTLING = ThrottledRetryableChecker()  # botocore's own list of throttling codes
SDK_ERRORS = (ClientError, BotoCoreError, ResponseParserError)
"""What an SDK call raises when the service, the network or the credentials fail."""


def classify(exc: Exception) -> GapKind:
    """Why a call failed after botocore's retries: the single AWS error -> gap kind mapping."""
    if isinstance(exc, ConnectionError | HTTPClientError):
        return GapKind.CONNECTION
    if isinstance(exc, NoCredentialsError | TokenRetrievalError):
        return GapKind.CREDENTIALS
    if isinstance(exc, ResponseParserError):  # an answer that is not the service's wire format
        return GapKind.SERVER
    if not isinstance(exc, ClientError):
        return GapKind.ERROR
    code = str(exc.response.get("Error", {}).get("Code") or "")
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    if _THROTTLING.is_retryable(RetryContext(attempt_number=1, parsed_response=exc.response)):
        return GapKind.THROTTLED
    if code in _CREDENTIALS:
        return GapKind.CREDENTIALS
    if code in _DENIED or any(part in code for part in _DENIED_PARTS):
        return GapKind.DENIED
    if code in _UNSUPPORTED or code.endswith(("NotSupported", "NotSupportedException")):
        return GapKind.UNSUPPORTED
    if code in _SERVER or status >= 500:
        return GapKind.SERVER
    if status == 429:
        return GapKind.THROTTLED
    return GapKind.DENIED if status == 403 else GapKind.ERROR


def error_code(exc: Exception) -> tuple[str, str]:
    """(code, message) of a botocore exception, without secrets."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        return str(err.get("Code") or "ClientError"), str(err.get("Message") or "")
    return type(exc).__name__, str(exc)


class Guard:
    """Runs SDK calls for one account and records what could not be read.

    Once ``stop`` is set no new call is made: each is recorded as interrupted instead.
    """

    def __init__(self, account: str, stop: threading.Event | None = None) -> None:
        self.account = account
        self.stop = stop or threading.Event()
        self._gaps: list[CollectionGap] = []
        self._closed = False
        self._lock = threading.Lock()

    @property
    def gaps(self) -> tuple[CollectionGap, ...]:
        """Gaps recorded so far."""
        with self._lock:
            return tuple(self._gaps)

    def close(self) -> tuple[CollectionGap, ...]:
        """The final gaps; what abandoned calls record later is dropped (and not logged)."""
        with self._lock:
            self._closed = True
            return tuple(self._gaps)

    def record(
        self,
        *,
        service: str,
        region: str,
        operation: str,
        code: str,
        message: str,
        resource_id: str = "",
        kind: GapKind = GapKind.ERROR,
    ) -> None:
        """Record a gap (also used for failures detected outside :meth:`call`)."""
        gap = CollectionGap(
            provider=PROVIDER,
            account=self.account,
            region=region,
            service=service,
            operation=operation,
            error_code=code,
            message=message[:300],
            resource_id=resource_id,
            kind=kind,
        )
        with self._lock:
            if self._closed:
                return
            self._gaps.append(gap)
        if kind is not GapKind.INTERRUPTED:
            where = f"{service} {operation} in {region}" + (f" for {resource_id}" if resource_id else "")
            log.warning("could not read %s: %s", printable(where), printable(code))  # names, codes: untrusted

    def record_interrupted(
        self, *, service: str, region: str, operation: str, resource_id: str = ""
    ) -> Failed:
        """Record that the run was stopped before ``operation`` was read."""
        failed = Failed("Interrupted", "the run was interrupted before this was read")
        self.record(
            service=service,
            region=region,
            operation=operation,
            code=failed.code,
            message=failed.message,
            resource_id=resource_id,
            kind=GapKind.INTERRUPTED,
        )
        return failed

    def _failure(
        self,
        exc: Exception,
        absent: Collection[str],
        **where: str,
    ) -> Absent | Failed:
        code, message = error_code(exc)
        if code in absent:
            return ABSENT
        self.record(code=code, message=message, kind=classify(exc), **where)
        return Failed(code, message)

    def call(
        self,
        fn: Callable[..., Raw],
        *,
        service: str,
        region: str,
        resource_id: str = "",
        absent: Collection[str] = (),
        **kwargs: Any,
    ) -> Raw | Absent | Failed:
        """Call ``fn(**kwargs)``; map "not configured" codes to ABSENT and errors to a gap."""
        where = {
            "service": service,
            "region": region,
            "operation": _operation_name(fn),
            "resource_id": resource_id,
        }
        if self.stop.is_set():
            return self.record_interrupted(**where)
        try:
            return fn(**kwargs)
        except SDK_ERRORS as exc:
            return self._failure(exc, absent, **where)

    def paginate(
        self,
        client: Any,
        method: str,
        key: str,
        *,
        service: str,
        region: str,
        resource_id: str = "",
        absent: Collection[str] = (),
        **kwargs: Any,
    ) -> list[Raw] | Failed:
        """Every item under ``key`` across all pages, or Failed (partial pages are not kept).

        An error code in ``absent`` (the listed thing does not exist) yields an empty list.
        """
        where = {
            "service": service,
            "region": region,
            "operation": _pascal(method),
            "resource_id": resource_id,
        }
        if self.stop.is_set():
            return self.record_interrupted(**where)
        items: list[Raw] = []
        try:
            for page in client.get_paginator(method).paginate(**kwargs):
                items.extend(page.get(key, []))
                if self.stop.is_set():  # checked between pages: no further page is asked for
                    break
        except SDK_ERRORS as exc:
            failure = self._failure(exc, absent, **where)
            return failure if isinstance(failure, Failed) else []
        if self.stop.is_set():
            return self.record_interrupted(**where)
        return items


def _operation_name(fn: Callable[..., Any]) -> str:
    return _pascal(getattr(fn, "__name__", "call"))


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))
