"""Assets: what a provider collected, typed per kind.

Every asset kind is a frozen pydantic model subclassing :class:`Asset` and registered
with :func:`asset_kind`, so an inventory file can be read back into the same types.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import Field

from cloudaudit.compact import Frozen
from cloudaudit.model.network import AddressRole, NetworkExposure, PortRange
from cloudaudit.terminal import printable

_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _escape(match: re.Match[str]) -> str:
    """A non-ASCII character as JSON ``\\uXXXX`` escapes (a surrogate pair above the BMP)."""
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


class Endpoint(Frozen):
    """An address an asset exposes to the Internet, according to its configuration."""

    host: str
    """A public IP address or DNS name."""
    protocol: Literal["tcp", "udp", "icmp", "all"] = "tcp"
    from_port: int = 0
    to_port: int = 65535
    via: str = ""
    """Why it is reachable (e.g. the security group rule that opens it)."""
    application: str = ""
    """Protocol expected on the port when the configuration says (https, postgres, redis...)."""
    methods: tuple[str, ...] | None = None
    """HTTP methods the configuration declares there (an API's methods, ``ANY`` for all); None: unknown."""

    def covers(self, port: int) -> bool:
        """True when ``port`` lies in this endpoint's port range."""
        return self.from_port <= port <= self.to_port


class Asset(Frozen):
    """Common identity of every collected resource."""

    kind: ClassVar[str] = ""
    service: ClassVar[str] = ""
    address_role: ClassVar[AddressRole] = AddressRole.WORKLOAD
    """How strongly this kind owns its public addresses (an instance before its interface or group)."""

    provider: str
    account: str
    region: str
    id: str
    """Globally unique: ARN, GCP full resource name, Azure resource id."""
    name: str
    tags: dict[str, str] = Field(default_factory=dict)
    endpoints: tuple[Endpoint, ...] = ()
    unread: dict[str, str] = Field(default_factory=dict)
    """Attribute name -> why it could not be read. Checks needing it say UNKNOWN."""

    def public_addresses(self) -> tuple[str, ...]:
        """Public IPs and DNS names the provider says this asset answers on (endpoint hosts by default).

        Kinds that hold a public address without an open endpoint (an Elastic IP, an instance whose
        rules open nothing) override this, so exposure lookups still cover them.
        """
        return tuple(dict.fromkeys(e.host for e in self.endpoints))

    def endpoint_network(self, *also: str) -> NetworkExposure:
        """Network facts of a finding about this asset's public endpoints: its addresses (plus ``also``,
        e.g. custom domain names that serve it) and the ports its endpoints open."""
        ranges = (
            PortRange(from_port=e.from_port, to_port=e.to_port, transport=e.protocol)
            for e in self.endpoints
            if e.protocol != "icmp"
        )
        return NetworkExposure(
            addresses=tuple(dict.fromkeys((*self.public_addresses(), *also))),
            ports=tuple(dict.fromkeys(ranges)),
        )

    def network_controls(self) -> tuple[str, ...]:
        """Ids of the assets (security groups, firewalls) that decide who reaches this asset's addresses.

        They share its exposure: an observation on the asset's address concerns them too.
        """
        return ()

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict that carries the kind, for round-tripping."""
        return {"kind": self.kind, **self.model_dump(mode="json")}

    def to_json_text(self) -> str:
        """:meth:`to_json` as indented JSON text, serialised by pydantic's compiled serialiser."""
        body = _NON_ASCII.sub(_escape, self.model_dump_json(indent=2))  # as json.dumps: ASCII only
        kind = json.dumps(self.kind)
        return f'{{\n  "kind": {kind},{body[1:]}' if body != "{}" else f'{{\n  "kind": {kind}\n}}'


A = TypeVar("A", bound=type[Asset])

_KINDS: dict[str, type[Asset]] = {}


def asset_kind(kind: str, service: str) -> Callable[[A], A]:
    """Class decorator: register an asset model under its kind (``aws.s3.bucket``)."""

    def register(cls: A) -> A:
        existing = _KINDS.get(kind)
        if existing is not None and existing is not cls:
            raise ValueError(f"asset kind {kind!r} registered twice ({existing.__name__}, {cls.__name__})")
        cls.kind = kind
        cls.service = service
        _KINDS[kind] = cls
        return cls

    return register


_ROLE = attrgetter("address_role")


def strongest_owner(owners: Iterable[Asset]) -> Asset | None:
    """The asset that owns a public address most directly (lowest :class:`AddressRole`), if any."""
    return min(owners, key=_ROLE, default=None)


def model_for(kind: str) -> type[Asset] | None:
    """The registered model class for ``kind``, if its provider is loaded."""
    return _KINDS.get(kind)


def registered_kinds() -> dict[str, type[Asset]]:
    """Every registered asset kind and its model class (the loaded providers')."""
    return dict(_KINDS)


def asset_from_json(data: Any) -> Asset:
    """Rebuild an asset from :meth:`Asset.to_json` output (fields this version does not know are ignored)."""
    if not isinstance(data, dict):
        raise ValueError(f"an asset is a JSON {type(data).__name__}, not an object")
    fields = dict(data)
    kind = str(fields.pop("kind", ""))
    cls = model_for(kind)
    if cls is None:
        raise ValueError(
            f"unknown asset kind {printable(repr(kind), 80)} (is its provider plugin installed?)"
        )
    return cls.model_validate(fields, extra="ignore")
