"""Azure's error classifier: how the azure-core exceptions of the management clients become gap kinds.

An ARM error answer carries an HTTP status and ``{"error": {"code": ..., "message": ...}}``; azure-core
raises ``HttpResponseError`` (``ResourceNotFoundError`` for 404, ``ClientAuthenticationError`` for 401)
after its retry policy has retried 429 (honouring ``Retry-After``) and 5xx. azure-identity raises its
own errors when no credential works.
"""

from __future__ import annotations

from dataclasses import dataclass

from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    HttpResponseError,
    ServiceRequestError,
    ServiceResponseError,
)

from cloudaudit.model.inventory import GapKind
from cloudaudit_azure.assets import PROVIDER

NOT_REGISTERED = frozenset(
    {
        "MissingSubscriptionRegistration",
        "SubscriptionNotRegistered",
        "NoRegisteredProviderFound",
        "ResourceProviderNotRegistered",
    }
)
"""The resource provider is not registered in the subscription: nothing of that service exists there."""
DENIED = frozenset({"AuthorizationFailed", "LinkedAuthorizationFailed", "Forbidden", "AuthorizationFailure"})
THROTTLED = frozenset({"TooManyRequests", "RequestThrottled", "SubscriptionRequestsThrottled"})
CREDENTIALS = frozenset(
    {"InvalidAuthenticationToken", "ExpiredAuthenticationToken", "InvalidAuthenticationTokenTenant"}
)


class ReadOnlyRefused(AzureError):
    """cloudaudit's transport refused a request that is not a GET (see :mod:`.session`)."""


SDK_ERRORS: tuple[type[Exception], ...] = (AzureError, ConnectionError, TimeoutError)
"""What a management client call raises when the service, the network or the credentials fail."""


@dataclass(frozen=True)
class ErrorFacts:
    """What an ARM error says: HTTP status (0: no answer), error code, message."""

    status: int
    code: str
    message: str


def facts(exc: Exception) -> ErrorFacts:
    """The status, ARM error code and message of any error a management client raises."""
    if isinstance(exc, HttpResponseError):
        status = int(exc.status_code or 0)
        error = getattr(exc, "error", None)
        code = str(getattr(error, "code", "") or "")
        message = str(getattr(error, "message", "") or exc.reason or exc.message or "")
        return ErrorFacts(status, code, _first_line(message))
    return ErrorFacts(0, type(exc).__name__, _first_line(str(exc)))


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def classify(exc: Exception) -> GapKind:
    """Why a call failed after the client's retries: the single Azure error -> gap kind mapping."""
    if isinstance(exc, ReadOnlyRefused):
        return GapKind.UNSUPPORTED  # only the SDK's automatic provider registration asks for a write
    if isinstance(exc, ClientAuthenticationError):
        return GapKind.CREDENTIALS
    if isinstance(exc, ServiceRequestError | ServiceResponseError | ConnectionError | TimeoutError):
        return GapKind.CONNECTION
    if not isinstance(exc, HttpResponseError):
        name = type(exc).__name__
        return GapKind.CREDENTIALS if "Credential" in name else GapKind.ERROR
    found = facts(exc)
    if found.code in NOT_REGISTERED:
        return GapKind.UNSUPPORTED
    if found.status == 429 or found.code in THROTTLED:
        return GapKind.THROTTLED
    if found.status == 401 or found.code in CREDENTIALS:
        return GapKind.CREDENTIALS
    if found.status == 403 or found.code in DENIED:
        return GapKind.DENIED
    if found.status >= 500:
        return GapKind.SERVER
    return GapKind.ERROR


def describe(exc: Exception) -> tuple[str, str]:
    """``(code, message)``: the ARM error code (else the HTTP status or exception type) and message."""
    found = facts(exc)
    code = found.code or (f"HTTP {found.status}" if found.status else type(exc).__name__)
    return code, found.message


class AzureErrors:
    """The :class:`~cloudaudit.collect.errors.ErrorClassifier` of the Azure clients' exceptions."""

    provider: str = PROVIDER
    sdk_errors: tuple[type[Exception], ...] = SDK_ERRORS

    def classify(self, exc: Exception) -> GapKind:
        """See :func:`classify`."""
        return classify(exc)

    def describe(self, exc: Exception) -> tuple[str, str]:
        """See :func:`describe`."""
        return describe(exc)

    def status(self, exc: Exception) -> int:
        """The HTTP status of an ARM error (0: no answer)."""
        return facts(exc).status


AZURE_ERRORS = AzureErrors()
