"""Errors the fake answers instead of data, for the paths a test or the demo chooses."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from cloudaudit_azure.fake.state import JSON


@dataclass(frozen=True)
class Fault:
    """An ARM error answer: status, error code, message, headers; ``times`` answers (0: always)."""

    status: int
    code: str
    message: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    times: int = 0

    def body(self) -> JSON:
        """ARM's error body."""
        return {"error": {"code": self.code, "message": self.message or self.code}}

    def answer(self) -> tuple[int, JSON, dict[str, str]]:
        """Status, body and headers of the answer."""
        return self.status, self.body(), dict(self.headers)


def denied(
    action: str = "Microsoft.Storage/storageAccounts/read", scope: str = "/subscriptions/..."
) -> Fault:
    """403 AuthorizationFailed, as ARM answers a role without ``action``."""
    return Fault(
        403,
        "AuthorizationFailed",
        f"The client 'cloudaudit' does not have authorization to perform action '{action}' over scope "
        f"'{scope}' or the scope is invalid.",
    )


def not_registered(namespace: str) -> Fault:
    """409 MissingSubscriptionRegistration: the resource provider is not registered."""
    return Fault(
        409,
        "MissingSubscriptionRegistration",
        f"The subscription is not registered to use namespace '{namespace}'.",
    )


def throttled(retry_after: int = 0, times: int = 1) -> Fault:
    """429 with ``Retry-After``, ``times`` answers, then the data."""
    return Fault(
        429,
        "TooManyRequests",
        "Too many requests; retry later.",
        (("Retry-After", str(retry_after)),),
        times,
    )


@dataclass
class FaultTable:
    """Faults by fnmatch pattern over lower-cased request paths, first match wins."""

    _faults: list[tuple[str, Fault, list[int]]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, pattern: str, fault: Fault) -> None:
        """Answer paths matching ``pattern`` (``*/providers/microsoft.sql/servers*``) with ``fault``."""
        with self._lock:
            self._faults.append((pattern.lower(), fault, [0]))

    def find(self, path: str) -> Fault | None:
        """The fault to answer for ``path``, counting its use (None: answer normally)."""
        lowered = path.lower()
        with self._lock:
            for pattern, fault, used in self._faults:
                if fnmatchcase(lowered, pattern) and (fault.times == 0 or used[0] < fault.times):
                    used[0] += 1
                    return fault
        return None
