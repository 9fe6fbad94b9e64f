"""Targets: the public addresses of an inventory, with the assets that own them and their open ports."""

from __future__ import annotations

from collections import defaultdict

from cloudaudit.exposure.model import Target, TargetPort
from cloudaudit.model.inventory import Inventory

MAX_EXPANDED_RANGE = 32
"""Port ranges up to this size become individual target ports; wider ones (all traffic) do not."""


def targets_from_inventory(inventory: Inventory) -> list[Target]:
    """One :class:`Target` per public address, sorted by host.

    An address is public because the provider says so (an Elastic IP, an instance's public IP,
    a publicly accessible database endpoint), never because of its numeric range. Its ``asset_ids``
    are the assets that own it and those that decide who reaches it (:meth:`Asset.network_controls`:
    the security groups of a database's hostname), so evidence on the address reaches them all.
    """
    known = {a.id for a in inventory.assets}
    owners: dict[str, list[str]] = defaultdict(list)
    ports: dict[str, dict[tuple[int, str], TargetPort]] = defaultdict(dict)
    for asset in inventory.assets:
        controls = [c for c in asset.network_controls() if c in known]
        for host in asset.public_addresses():
            owners[host].extend((asset.id, *controls))
        for endpoint in asset.endpoints:
            if endpoint.protocol not in ("tcp", "udp"):
                continue
            if endpoint.to_port - endpoint.from_port + 1 > MAX_EXPANDED_RANGE:
                continue
            for port in range(endpoint.from_port, endpoint.to_port + 1):
                key = (port, endpoint.protocol)
                ports[endpoint.host].setdefault(
                    key,
                    TargetPort(
                        port=port,
                        transport=endpoint.protocol,
                        application=endpoint.application,
                        via=endpoint.via,
                    ),
                )
    return [
        Target(
            host=host,
            asset_ids=tuple(dict.fromkeys(ids)),
            ports=tuple(sorted(ports.get(host, {}).values(), key=lambda p: (p.port, p.transport))),
        )
        for host, ids in sorted(owners.items())
    ]
