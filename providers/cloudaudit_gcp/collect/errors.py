"""GCP's error classifier: how the Google clients' failures become gap kinds.

Three families of clients raise three families of errors: google-cloud-storage raises
``google.api_core`` exceptions, the discovery clients (Compute Engine, Cloud SQL Admin, API Gateway)
raise ``googleapiclient.errors.HttpError``, and google-auth raises its own for tokens.
Both HTTP families carry the same JSON error body, read here once: the HTTP status, the machine
reason (``SERVICE_DISABLED``, ``accessNotConfigured``, ``rateLimitExceeded``...) and the message.
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from typing import Any

import httplib2
import requests
from google.api_core import exceptions as api_core
from google.auth import exceptions as auth
from googleapiclient.errors import HttpError

from cloudaudit.model.inventory import GapKind
from cloudaudit_gcp.assets import PROVIDER

NOT_ENABLED = frozenset({"SERVICE_DISABLED", "accessNotConfigured", "API_DISABLED"})
"""The API is not enabled in the project: nothing of that service can exist there."""
_THROTTLED = frozenset(
    {
        "rateLimitExceeded",
        "userRateLimitExceeded",
        "RATE_LIMIT_EXCEEDED",
        "quotaExceeded",
        "RESOURCE_EXHAUSTED",
    }
)
_CREDENTIALS = frozenset(
    {"authError", "ACCESS_TOKEN_EXPIRED", "CREDENTIALS_MISSING", "ACCESS_TOKEN_TYPE_UNSUPPORTED"}
)

SDK_ERRORS: tuple[type[Exception], ...] = (
    api_core.GoogleAPIError,
    HttpError,
    auth.GoogleAuthError,
    requests.exceptions.RequestException,
    httplib2.HttpLib2Error,
    socket.timeout,
    ConnectionError,
    TimeoutError,
)
"""What a Google client call raises when the service, the network or the credentials fail."""


@dataclass(frozen=True)
class ErrorFacts:
    """What a Google API error says: HTTP status (0: no answer), machine reason, message."""

    status: int
    reason: str
    message: str


def facts(exc: Exception) -> ErrorFacts:
    """The status, reason and message of any error a Google client raises."""
    if isinstance(exc, api_core.RetryError) and isinstance(exc.cause, Exception):
        return facts(exc.cause)
    if isinstance(exc, HttpError):
        return _from_body(int(exc.status_code or 0), exc.content, str(exc.reason or ""))
    if isinstance(exc, api_core.GoogleAPICallError):
        status = int(exc.code or 0)
        reason = str(exc.reason or "") or _first_reason(exc.errors)
        return ErrorFacts(status, reason, str(exc.message or ""))
    return ErrorFacts(0, type(exc).__name__, str(exc))


def _from_body(status: int, content: bytes | str | None, fallback: str) -> ErrorFacts:
    """The reason of a JSON error body: ErrorInfo's reason first, else the legacy ``errors[].reason``."""
    try:
        error = json.loads(content or b"{}").get("error", {})
    except (ValueError, AttributeError):
        return ErrorFacts(status, "", fallback)
    if not isinstance(error, dict):
        return ErrorFacts(status, "", fallback)
    infos = [d.get("reason") for d in error.get("details") or () if isinstance(d, dict) and d.get("reason")]
    reason = str(infos[0]) if infos else _first_reason(error.get("errors"))
    return ErrorFacts(status, reason or str(error.get("status") or ""), str(error.get("message") or fallback))


def _first_reason(errors: Any) -> str:
    for item in errors or ():
        if isinstance(item, dict) and item.get("reason"):
            return str(item["reason"])
    return ""


def classify(exc: Exception) -> GapKind:
    """Why a call failed after the client's retries: the single GCP error -> gap kind mapping."""
    if isinstance(exc, api_core.RetryError) and isinstance(exc.cause, Exception):
        return classify(exc.cause)
    if isinstance(exc, auth.RefreshError | auth.DefaultCredentialsError):
        return GapKind.CREDENTIALS
    if isinstance(exc, auth.TransportError | requests.exceptions.RequestException | httplib2.HttpLib2Error):
        return GapKind.CONNECTION
    if isinstance(exc, socket.timeout | ConnectionError | TimeoutError):
        return GapKind.CONNECTION
    if not isinstance(exc, HttpError | api_core.GoogleAPICallError):
        return GapKind.ERROR
    found = facts(exc)
    if found.reason in NOT_ENABLED:
        return GapKind.UNSUPPORTED
    if found.status == 429 or found.reason in _THROTTLED:
        return GapKind.THROTTLED
    if found.status == 401 or found.reason in _CREDENTIALS:
        return GapKind.CREDENTIALS
    if found.status == 403:
        return GapKind.DENIED
    if found.status >= 500:
        return GapKind.SERVER
    return GapKind.ERROR


def describe(exc: Exception) -> tuple[str, str]:
    """``(code, message)`` of a Google error: the reason (else the HTTP status) and the message."""
    found = facts(exc)
    code = found.reason or (f"HTTP {found.status}" if found.status else type(exc).__name__)
    return code, found.message


class GcpErrors:
    """The :class:`~cloudaudit.collect.errors.ErrorClassifier` of the Google clients' exceptions."""

    provider: str = PROVIDER
    sdk_errors: tuple[type[Exception], ...] = SDK_ERRORS

    def classify(self, exc: Exception) -> GapKind:
        """See :func:`classify`."""
        return classify(exc)

    def describe(self, exc: Exception) -> tuple[str, str]:
        """See :func:`describe`."""
        return describe(exc)

    def status(self, exc: Exception) -> int:
        """The HTTP status of a Google API error (0: no answer)."""
        return facts(exc).status


GCP_ERRORS = GcpErrors()
