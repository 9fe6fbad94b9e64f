"""The provider-neutral port catalogue: which service a port usually is, and how much its exposure matters.

The data lives in ``data/ports.yaml`` (one entry per port and protocol); this module loads it once
and answers the questions checks, correlation and the probe ask: what is on this port, which
catalogue ports a rule's range covers, which are remote administration or unauthenticated by default.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

import yaml


class Category(StrEnum):
    """What kind of service listens on a port."""

    REMOTE_ADMIN = "remote_admin"
    DATABASE = "database"
    CACHE = "cache"
    SEARCH = "search"
    CONTAINER = "container"
    MESSAGE_QUEUE = "message_queue"
    FILE_SHARING = "file_sharing"
    DIRECTORY = "directory"
    MONITORING = "monitoring"
    WEB = "web"
    NETWORK = "network"
    MAIL = "mail"


DATA_CATEGORIES = frozenset(
    {
        Category.DATABASE,
        Category.CACHE,
        Category.SEARCH,
        Category.CONTAINER,
        Category.MESSAGE_QUEUE,
        Category.FILE_SHARING,
        Category.DIRECTORY,
        Category.MONITORING,
    }
)
"""Services holding or controlling data: never meant to face the Internet."""


@dataclass(frozen=True)
class PortService:
    """One well-known service on one port and protocol."""

    port: int
    protocol: str
    name: str
    category: Category
    unauthenticated: bool
    """Answers without credentials in its default (or most common) deployment."""
    probe: str = ""
    """The active probe's handler for this port, when the configuration does not name one
    (a name of ``exposure.probe.dispatch.HANDLERS``; a test keeps the two in step)."""

    @property
    def remote_admin(self) -> bool:
        """A shell, desktop or management agent."""
        return self.category is Category.REMOTE_ADMIN

    @property
    def sensitive(self) -> bool:
        """Remote administration or a data service: exposure to the Internet is a finding."""
        return self.remote_admin or self.category in DATA_CATEGORIES


class CatalogueError(ValueError):
    """The bundled catalogue is malformed (a packaging bug, caught by the tests)."""


def _entry(raw: object) -> PortService:
    if not isinstance(raw, dict):
        raise CatalogueError(f"catalogue entry is not a mapping: {raw!r}")
    try:
        service = PortService(
            port=int(raw["port"]),
            protocol=str(raw["protocol"]),
            name=str(raw["name"]),
            category=Category(raw["category"]),
            unauthenticated=bool(raw["unauthenticated"]),
            probe=str(raw.get("probe", "")),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise CatalogueError(f"bad catalogue entry {raw!r}: {exc}") from exc
    if not 0 < service.port < 65536 or service.protocol not in ("tcp", "udp"):
        raise CatalogueError(f"bad port or protocol in {raw!r}")
    return service


@cache
def catalogue() -> dict[tuple[int, str], PortService]:
    """Every catalogue entry by (port, protocol), loaded once from the package data."""
    text = resources.files("cloudaudit").joinpath("data/ports.yaml").read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 0.01 s instead of 0.2 s
    entries = [_entry(raw) for raw in (yaml.load(text, Loader=loader) or {}).get("ports", [])]  # noqa: S506 (safe loaders only)
    found: dict[tuple[int, str], PortService] = {}
    for service in entries:
        key = (service.port, service.protocol)
        if key in found:
            raise CatalogueError(f"duplicate catalogue entry for {service.protocol}/{service.port}")
        found[key] = service
    return dict(sorted(found.items()))


def lookup(port: int, protocol: str = "tcp") -> PortService | None:
    """The catalogue entry for ``port``/``protocol``, if any."""
    return catalogue().get((port, protocol.lower()))


def service_name(port: int, protocol: str = "tcp") -> str:
    """A human name for the port (``"port 4711"`` when the catalogue does not know it)."""
    found = lookup(port, protocol)
    return found.name if found else f"port {port}"


def in_range(low: int, high: int, protocols: Iterable[str] = ("tcp",)) -> list[PortService]:
    """Catalogue entries with a port in ``low..high`` (inclusive) for any of ``protocols``, by port."""
    wanted = {p.lower() for p in protocols}
    return [s for (port, proto), s in catalogue().items() if proto in wanted and low <= port <= high]
