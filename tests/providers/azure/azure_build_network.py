"""Network assets for the tests, built as Azure writes them: ARM JSON from the fake's builders
(:class:`~cloudaudit_azure.fake.model_network.NetworkBuilder`, which keeps the back-references
consistent) through the collector's pure translation, so each asset is what a collection yields."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from azure_cases import GROUP, SUBSCRIPTION
from cloudaudit.collect.guard import Failed
from cloudaudit.model.asset import Asset
from cloudaudit_azure.assets_network import NsgRule
from cloudaudit_azure.collect.network import (
    LOAD_BALANCERS,
    NICS,
    NSGS,
    PUBLIC_IPS,
    VNETS,
    Listing,
    translate,
)
from cloudaudit_azure.fake.model_network import NetworkBuilder
from cloudaudit_azure.fake.state import JSON

A = TypeVar("A", bound=Asset)

LISTING_OF = {
    "Microsoft.Network/networkSecurityGroups": NSGS,
    "Microsoft.Network/networkInterfaces": NICS,
    "Microsoft.Network/virtualNetworks": VNETS,
    "Microsoft.Network/publicIPAddresses": PUBLIC_IPS,
    "Microsoft.Network/loadBalancers": LOAD_BALANCERS,
}
DENIED = Failed("AuthorizationFailed", "The client does not have authorization")


def world(group: str = GROUP) -> NetworkBuilder:
    """An empty network of the test subscription, in East US."""
    return NetworkBuilder(SUBSCRIPTION, group)


def rule(name: str, priority: int, **fields: Any) -> dict[str, Any]:
    """A custom rule for :meth:`NetworkBuilder.nsg` (``security_rule`` keyword arguments)."""
    return {"name": name, "priority": priority, **fields}


def assets_of(resources: NetworkBuilder | Iterable[JSON], failed: Iterable[Listing] = ()) -> list[Asset]:
    """The assets a collection of ``resources`` yields, with the ``failed`` listings denied."""
    built = resources.resources() if isinstance(resources, NetworkBuilder) else list(resources)
    read: dict[Listing, list[JSON] | Failed] = {listing: [] for listing in LISTING_OF.values()}
    for resource in built:
        listed = read[LISTING_OF[resource["type"]]]
        assert isinstance(listed, list)
        listed.append(resource)
    for listing in failed:
        read[listing] = DENIED
    return translate(SUBSCRIPTION, read)


def named(assets: Iterable[Asset], name: str, kind: type[A]) -> A:
    """The asset of ``kind`` called ``name``."""
    found = [a for a in assets if isinstance(a, kind) and a.name == name]
    assert len(found) == 1, (name, kind.__name__, len(found))
    return found[0]


def with_unread(asset: A, unread: Mapping[str, str]) -> A:
    """``asset`` with ``unread`` entries added."""
    return asset.model_copy(update={"unread": {**asset.unread, **unread}})


def nsg_rule(name: str = "r", priority: int = 100, **fields: Any) -> NsgRule:
    """An inbound allow rule for TCP 22 from the Internet unless ``fields`` say otherwise."""
    values: dict[str, Any] = {"sources": ("Internet",), "ports": ("22",), "protocol": "Tcp", **fields}
    return NsgRule(name=name, priority=priority, **values)
