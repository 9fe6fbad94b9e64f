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

from botocore.exceptions import BotoCoreError, ClientError

from cloudaudit.model.inventory import CollectionGap
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


def error_code(exc: Exception) -> tuple[str, str]:
    """(code, message) of a botocore exception, without secrets."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        return str(err.get("Code") or "ClientError"), str(err.get("Message") or "")
    return type(exc).__name__, str(exc)


class Guard:
    """Runs SDK calls for one account and records what could not be read."""

    def __init__(self, account: str) -> None:
        self.account = account
        self._gaps: list[CollectionGap] = []
        self._lock = threading.Lock()

    @property
    def gaps(self) -> tuple[CollectionGap, ...]:
        """Gaps recorded so far."""
        with self._lock:
            return tuple(self._gaps)

    def record(
        self, *, service: str, region: str, operation: str, code: str, message: str, resource_id: str = ""
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
        )
        log.warning(
            "could not read %s %s in %s%s: %s",
            service,
            operation,
            region,
            f" for {resource_id}" if resource_id else "",
            code,
        )
        with self._lock:
            self._gaps.append(gap)

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
        operation = _operation_name(fn)
        try:
            return fn(**kwargs)
        except (ClientError, BotoCoreError) as exc:
            code, message = error_code(exc)
            if code in absent:
                return ABSENT
            self.record(
                service=service,
                region=region,
                operation=operation,
                code=code,
                message=message,
                resource_id=resource_id,
            )
            return Failed(code, message)

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
        items: list[Raw] = []
        try:
            for page in client.get_paginator(method).paginate(**kwargs):
                items.extend(page.get(key, []))
        except (ClientError, BotoCoreError) as exc:
            code, message = error_code(exc)
            if code in absent:
                return []
            self.record(
                service=service,
                region=region,
                operation=_pascal(method),
                code=code,
                message=message,
                resource_id=resource_id,
            )
            return Failed(code, message)
        return items


def _operation_name(fn: Callable[..., Any]) -> str:
    return _pascal(getattr(fn, "__name__", "call"))


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))
