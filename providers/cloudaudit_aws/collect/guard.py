"""AWS's error classifier, and the guard its collectors call the SDK through.

Retries and backoff are botocore's own (``adaptive`` mode, set in :mod:`.session`); what still
fails after them is classified here (:func:`classify`: denied, throttled, unsupported, server,
connection, credentials) and recorded as a gap by the core :class:`cloudaudit.collect.guard.Guard`.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
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

from cloudaudit.collect import guard as core
from cloudaudit.collect.guard import ABSENT, Absent, Failed, Raw, pascal
from cloudaudit.model.inventory import GapKind
from cloudaudit_aws.assets import PROVIDER

__all__ = ["ABSENT", "AWS_ERRORS", "Absent", "Failed", "Guard", "Raw", "classify", "error_code"]

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


class AwsErrors:
    """The :class:`~cloudaudit.collect.errors.ErrorClassifier` of botocore's exceptions."""

    provider: str = PROVIDER
    sdk_errors: tuple[type[Exception], ...] = SDK_ERRORS

    def classify(self, exc: Exception) -> GapKind:
        """See :func:`classify`."""
        return classify(exc)

    def describe(self, exc: Exception) -> tuple[str, str]:
        """See :func:`error_code`."""
        return error_code(exc)

    def status(self, exc: Exception) -> int:
        """The HTTP status of a botocore ClientError (0: no answer)."""
        if isinstance(exc, ClientError):
            return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        return 0


AWS_ERRORS = AwsErrors()


class Guard(core.Guard):
    """The core guard with AWS's classifier, plus botocore pagination."""

    def __init__(self, account: str, stop: threading.Event | None = None) -> None:
        super().__init__(account, AWS_ERRORS, stop)

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
            "operation": pascal(method),
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
            failure = self.failure(exc, absent, **where)
            return failure if isinstance(failure, Failed) else []
        if self.stop.is_set():
            return self.record_interrupted(**where)
        return items
