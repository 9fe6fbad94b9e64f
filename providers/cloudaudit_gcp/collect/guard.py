"""The core guard with GCP's classifier, plus the paging styles of the Google clients.

Compute Engine's aggregated lists answer one map per page, scope (``zones/us-central1-a``,
``regions/europe-west1``, ``global``) -> that scope's items, or a ``warning``. They are asked with
``returnPartialSuccess=true``: a zone or region that cannot answer then comes back as an
``UNREACHABLE`` warning in its scope (and in the page's ``unreachables``) instead of failing the whole
listing, and becomes a gap of that scope alone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from cloudaudit.collect import guard as core
from cloudaudit.collect.guard import ABSENT, Absent, Failed, Raw
from cloudaudit.model.inventory import GapKind
from cloudaudit_gcp.collect.errors import GCP_ERRORS, SDK_ERRORS
from cloudaudit_gcp.collect.session import GcpSession

__all__ = ["ABSENT", "Absent", "Failed", "Guard", "Raw", "Scoped", "scope_of"]

UNREACHABLE = "UNREACHABLE"
"""The warning code of a scope an aggregated list could not read."""
GLOBAL = "global"

Scoped = tuple[str, Raw]
"""An item of an aggregated list with its scope: ``("zones/us-central1-a", {...instance...})``."""
NextPage = Callable[[Any, Raw], Any]
"""A discovery ``<method>_next``: the request of the following page, or None after the last one."""


class Guard(core.Guard):
    """Records what one project's reads could not get (gaps name the API, the project and the call)."""

    def __init__(self, project: str, stop: threading.Event | None = None) -> None:
        super().__init__(project, GCP_ERRORS, stop)

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
        failed = self._pages(gcp, collection.list(**kwargs), collection.list_next, where, out.extend, key)
        return failed or out

    def aggregated_list(
        self,
        gcp: GcpSession,
        collection: Any,
        key: str,
        *,
        service: str,
        operation: str,
        keep: Callable[[str], bool],
        **kwargs: Any,
    ) -> list[Scoped] | Failed:
        """Every item under ``key`` of the scopes ``keep`` accepts, across the pages of a discovery
        ``aggregatedList`` asked with ``returnPartialSuccess``; Failed when the listing itself fails.

        Each unreachable scope that ``keep`` accepts is recorded once as a ``server`` gap named after
        its zone or region (``us-central1-a``); the items of the other scopes are returned.
        """
        where = {"service": service, "region": GLOBAL, "operation": operation, "resource_id": ""}
        out: list[Scoped] = []
        unreachable: dict[str, str] = {}

        def consume(page: Raw) -> None:
            for scope, scoped in (page.get("items") or {}).items():
                if not keep(scope) or not isinstance(scoped, dict):
                    continue
                warning = scoped.get("warning") or {}
                if warning.get("code") == UNREACHABLE:
                    unreachable.setdefault(scope, str(warning.get("message") or f"{scope} is unreachable"))
                out.extend((scope, item) for item in scoped.get(key) or ())
            for name in page.get("unreachables") or ():
                scope = scope_of(str(name))
                if keep(scope):
                    unreachable.setdefault(scope, f"{name} is unreachable")

        first = with_query(collection.aggregatedList(**kwargs), returnPartialSuccess="true")
        failed = self._pages(gcp, first, collection.aggregatedList_next, where, consume)
        if failed:
            return failed
        for scope, message in unreachable.items():
            self.record(
                service=service,
                region=scope.rsplit("/", 1)[-1],
                operation=operation,
                code=UNREACHABLE,
                message=message,
                kind=GapKind.SERVER,
            )
        return out

    def _pages(
        self,
        gcp: GcpSession,
        request: Any,
        next_page: NextPage,
        where: dict[str, str],
        consume: Callable[[Any], None],
        key: str | None = None,
    ) -> Failed | None:
        """Execute ``request`` and its following pages, handing each page (or its ``key``) to ``consume``."""
        while request is not None:
            if self.stop.is_set():
                return self.record_interrupted(**where)
            try:
                page = gcp.execute(request)
            except SDK_ERRORS as exc:
                return self.failed(exc, where)
            consume(page.get(key, []) if key is not None else page)
            request = next_page(request, page)
        return None


def scope_of(name: str) -> str:
    """The scope an ``unreachables`` entry names: ``projects/p/zones/z`` or ``zones/z`` -> ``zones/z``."""
    parts = name.strip("/").split("/")
    for index, part in enumerate(parts[:-1]):
        if part in ("zones", "regions"):
            return f"{part}/{parts[index + 1]}"
    return GLOBAL if not name or parts[-1] == GLOBAL else name


def with_query(request: Any, **params: str) -> Any:
    """``request`` with query parameters set in its URI (kept by its ``_next`` requests).

    For parameters the bundled discovery document does not declare though the API takes them:
    ``returnPartialSuccess`` of Compute Engine's v1 aggregated lists (documented by the API, declared
    only in the beta document), which the discovery client would otherwise refuse.
    """
    parts = urlsplit(request.uri)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    request.uri = urlunsplit(parts._replace(query=urlencode([*query, *params.items()])))
    return request
