"""The core guard with GCP's classifier, plus the two paging styles of the Google clients."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable
from typing import Any

from cloudaudit.collect import guard as core
from cloudaudit.collect.guard import ABSENT, Absent, Failed, Raw
from cloudaudit_gcp.collect.errors import GCP_ERRORS, SDK_ERRORS, facts
from cloudaudit_gcp.collect.session import GcpSession

__all__ = ["ABSENT", "Absent", "Failed", "Guard", "Raw"]


class Guard(core.Guard):
    """Records what one project's reads could not get (gaps name the API, the project and the call)."""

    def __init__(self, project: str, stop: threading.Event | None = None) -> None:
        super().__init__(project, GCP_ERRORS, stop)

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
        """Every item of a paged listing (a google-cloud pager or iterator), or Failed.

        Partial pages are not kept. An HTTP status in ``absent_status`` (e.g. 400 for the ACL of a
        bucket with uniform access) yields an empty list.
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
        except SDK_ERRORS as exc:
            if facts(exc).status in absent_status:
                return []
            return self._fail(exc, where)
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
        except SDK_ERRORS as exc:
            if facts(exc).status in absent_status:
                return ABSENT
            return self._fail(exc, where)

    def discovery_list(
        self,
        gcp: GcpSession,
        collection: Any,
        key: str,
        *,
        service: str,
        region: str,
        operation: str,
        resource_id: str = "",
        **kwargs: Any,
    ) -> list[Raw] | Failed:
        """Every item under ``key`` of a discovery-client ``list`` across its pages, or Failed."""
        where = {"service": service, "region": region, "operation": operation, "resource_id": resource_id}
        out: list[Raw] = []
        request = collection.list(**kwargs)
        while request is not None:
            if self.stop.is_set():
                return self.record_interrupted(**where)
            try:
                page = gcp.execute(request)
            except SDK_ERRORS as exc:
                return self._fail(exc, where)
            out.extend(page.get(key, []))
            request = collection.list_next(request, page)
        return out

    def _fail(self, exc: Exception, where: dict[str, str]) -> Failed:
        failure = self.failure(exc, (), **where)
        assert isinstance(failure, Failed)  # nothing is "absent" here
        return failure
