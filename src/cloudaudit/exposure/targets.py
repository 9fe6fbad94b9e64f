"""Targets: the public addresses of an inventory, with the assets that own them and their open ports."""

from __future__ import annotations

from collections import defaultdict
from typing import Literal

from cloudaudit.exposure.model import PortRange, Target, TargetPort
from cloudaudit.model.asset import Endpoint
from cloudaudit.model.inventory import Inventory

MAX_EXPANDED_RANGE = 32
"""Port ranges up to this size become individual target ports; wider ones are kept as ranges."""

Transport = Literal["tcp", "udp"]


def _transports(endpoint: Endpoint) -> tuple[Transport, ...]:
    if endpoint.protocol == "all":  # all traffic: every TCP and UDP port
        return ("tcp", "udp")
    if endpoint.protocol in ("tcp", "udp"):
        return (endpoint.protocol,)
    return ()


def _merge_methods(a: tuple[str, ...] | None, b: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """Methods declared by either endpoint on one port (unknown when either is unknown)."""
    if a is None or b is None:
        return None
    return tuple(sorted({*a, *b}))


def _port(endpoint: Endpoint, port: int, transport: Transport) -> TargetPort:
    return TargetPort(
        port=port,
        transport=transport,
        application=endpoint.application,
        via=endpoint.via,
        methods=endpoint.methods,
    )


def targets_from_inventory(inventory: Inventory) -> list[Target]:
    """One :class:`Target` per public address, sorted by host.

    An address is public because the provider says so (an Elastic IP, an instance's public IP,
    a publicly accessible database endpoint), never because of its numeric range. Its ``asset_ids``
    are the assets that own it and those that decide who reaches it (:meth:`Asset.network_controls`:
    the security groups of a database's hostname), so evidence on the address reaches them all.
    Narrow port ranges are listed port by port; wider ones (all traffic, 9200-9300) are kept as ranges.
    """
    collected = {a.id for a in inventory.assets}
    owners: dict[str, list[str]] = defaultdict(list)
    ports: dict[str, dict[tuple[int, str], TargetPort]] = defaultdict(dict)
    ranges: dict[str, dict[PortRange, None]] = defaultdict(dict)
    for asset in inventory.assets:
        controls = [c for c in asset.network_controls() if c in collected]
        for host in asset.public_addresses():
            owners[host].extend((asset.id, *controls))
        for endpoint in asset.endpoints:
            for transport in _transports(endpoint):
                if endpoint.to_port - endpoint.from_port + 1 > MAX_EXPANDED_RANGE:
                    wide = PortRange(
                        from_port=endpoint.from_port,
                        to_port=endpoint.to_port,
                        transport=transport,
                        via=endpoint.via,
                    )
                    ranges[endpoint.host][wide] = None
                    continue
                for port in range(endpoint.from_port, endpoint.to_port + 1):
                    known = ports[endpoint.host].get((port, transport))
                    if known is None:
                        ports[endpoint.host][(port, transport)] = _port(endpoint, port, transport)
                    else:
                        methods = _merge_methods(known.methods, endpoint.methods)
                        ports[endpoint.host][(port, transport)] = known.model_copy(
                            update={"methods": methods}
                        )
    return [
        Target(
            host=host,
            asset_ids=tuple(dict.fromkeys(ids)),
            ports=tuple(sorted(ports.get(host, {}).values(), key=lambda p: (p.port, p.transport))),
            ranges=tuple(ranges.get(host, {})),
        )
        for host, ids in sorted(owners.items())
    ]
