"""The core guard with Azure's classifier: every management call of a collector goes through it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable
from typing import Any

from cloudaudit.collect import guard as core
from cloudaudit.collect.guard import ABSENT, Absent, Failed, Raw
from cloudaudit_azure.collect.errors import AZURE_ERRORS, SDK_ERRORS, facts

__all__ = ["ABSENT", "Absent", "Failed", "Guard", "Raw"]


class Guard(core.Guard):
    """Records what one subscription's reads could not get (gaps name the service and the call)."""

    def __init__(self, subscription: str, stop: threading.Event | None = None) -> None:
        super().__init__(subscription, AZURE_ERRORS, stop)

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
        """Every item of a paged listing (an ``ItemPaged``: pages follow ``nextLink``), or Failed.

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

    def _fail(self, exc: Exception, where: dict[str, str]) -> Failed:
        failure = self.failure(exc, (), **where)
        assert isinstance(failure, Failed)  # nothing is "absent" here
        return failure
