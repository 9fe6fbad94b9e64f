"""The one place where a provider's API errors become recorded coverage gaps.

Every SDK call of a provider's collectors goes through a :class:`Guard`: what still fails after
the SDK's retries becomes a :class:`CollectionGap` of the kind its :class:`ErrorClassifier`
says, and the caller gets :class:`Failed` instead of data. "Not configured" answers (a code in
``absent``) are not errors: they return :data:`ABSENT`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from cloudaudit.collect.errors import ErrorClassifier
from cloudaudit.model.inventory import CollectionGap, GapKind
from cloudaudit.terminal import printable

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


class Guard:
    """Runs SDK calls for one target (account, project) and records what could not be read.

    Once ``stop`` is set no new call is made: each is recorded as interrupted instead.
    """

    def __init__(
        self, account: str, classifier: ErrorClassifier, stop: threading.Event | None = None
    ) -> None:
        self.account = account
        self.classifier = classifier
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
            provider=self.classifier.provider,
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

    def failure(self, exc: Exception, absent: Collection[str], **where: str) -> Absent | Failed:
        """ABSENT when the error code means "not configured", else a recorded gap."""
        code, message = self.classifier.describe(exc)
        if code in absent:
            return ABSENT
        self.record(code=code, message=message, kind=self.classifier.classify(exc), **where)
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
            "operation": operation_name(fn),
            "resource_id": resource_id,
        }
        if self.stop.is_set():
            return self.record_interrupted(**where)
        try:
            return fn(**kwargs)
        except self.classifier.sdk_errors as exc:
            return self.failure(exc, absent, **where)

    def items(
        self,
        listing: Callable[[], Iterable[Any]],
        *,
        service: str,
        region: str,
        operation: str,
        resource_id: str = "",
        absent_status: Collection[int] = (),
    ) -> list[Any] | Failed:
        """Every item of a paged listing (the SDK's pager, which fetches the pages), or Failed.

        Partial pages are not kept. An HTTP status in ``absent_status`` yields an empty list.
        """
        where = {"service": service, "region": region, "operation": operation, "resource_id": resource_id}
        if self.stop.is_set():
            return self.record_interrupted(**where)
        out: list[Any] = []
        try:
            for item in listing():
                out.append(item)
                if self.stop.is_set():
                    return self.record_interrupted(**where)
        except self.classifier.sdk_errors as exc:
            if self.classifier.status(exc) in absent_status:
                return []
            return self.failed(exc, where)
        return out

    def fetch(
        self,
        call: Callable[[], Any],
        *,
        service: str,
        region: str,
        operation: str,
        resource_id: str = "",
        absent_status: Collection[int] = (),
    ) -> Any:
        """``call()``'s result; ABSENT for a status in ``absent_status``, Failed (gap recorded) on error."""
        where = {"service": service, "region": region, "operation": operation, "resource_id": resource_id}
        if self.stop.is_set():
            return self.record_interrupted(**where)
        try:
            return call()
        except self.classifier.sdk_errors as exc:
            if self.classifier.status(exc) in absent_status:
                return ABSENT
            return self.failed(exc, where)

    def failed(self, exc: Exception, where: dict[str, str]) -> Failed:
        """Record ``exc`` as a gap at ``where`` (nothing is "absent" here)."""
        failure = self.failure(exc, (), **where)
        assert isinstance(failure, Failed)
        return failure


def operation_name(fn: Callable[..., Any]) -> str:
    """``get_bucket_policy`` -> ``GetBucketPolicy`` (the API's own operation name)."""
    return pascal(getattr(fn, "__name__", "call"))


def pascal(name: str) -> str:
    """``snake_case`` -> ``PascalCase``."""
    return "".join(part.capitalize() for part in name.split("_"))
