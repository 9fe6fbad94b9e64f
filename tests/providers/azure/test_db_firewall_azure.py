"""The pure parts of the Azure database collection: firewall ranges and TLS settings as Azure writes
them (the end-to-end tests run them through the SDKs; these pin the edge cases)."""

from __future__ import annotations

import pytest

from cloudaudit_azure.collect.databases import lowest_tls, tls_version
from cloudaudit_azure.db_firewall import FirewallRule, covers_internet, exposure

ZERO = "0.0.0.0"


def rules(*spans: str) -> list[FirewallRule]:
    """``"a-b"`` spans as rules."""
    return [
        FirewallRule(name=f"r{i}", start=s.split("-")[0], end=s.split("-")[1]) for i, s in enumerate(spans)
    ]


@pytest.mark.parametrize(
    ("spans", "whole"),
    [
        ((f"{ZERO}-255.255.255.255",), True),
        ((f"{ZERO}-127.255.255.255", "128.0.0.0-255.255.255.255"), True),
        (("1.0.0.0-223.255.255.255",), True),  # 0/8 and multicast/reserved are no client's source
        (("1.0.0.0-9.255.255.255", "11.0.0.0-255.255.255.255"), True),  # only 10/8 left out
        (("1.0.0.0-9.255.255.255", "11.0.0.0-172.15.255.255", "172.32.0.0-255.255.255.255"), True),
        ((f"{ZERO}-8.8.8.7", "8.8.8.9-255.255.255.255"), False),  # one public address left out
        ((f"{ZERO}-{ZERO}",), False),  # Allow Azure services
        (("203.0.113.0-203.0.113.255",), False),
        (("255.255.255.255-0.0.0.0",), False),  # an empty range
        (("not-an-address",), False),
        ((), False),
    ],
)
def test_rules_cover_the_internet_only_when_every_public_address_is_admitted(
    spans: tuple[str, ...], whole: bool
) -> None:
    assert covers_internet(rules(*spans)) is whole


def test_broad_is_more_than_a_slash_16_of_public_space() -> None:
    slash16, slash15, private = rules(
        "198.18.0.0-198.18.255.255", "198.18.0.0-198.19.255.255", "10.0.0.0-10.255.255.255"
    )
    assert (slash16.broad, slash15.broad, private.broad) == (False, True, False)
    assert (slash16.size, slash15.size) == (65_536, 131_072)


def test_exposure_levels() -> None:
    assert exposure(False, rules(f"{ZERO}-255.255.255.255")) == "private"
    assert exposure(True, rules(f"{ZERO}-255.255.255.255")) == "internet"
    assert exposure(True, rules("52.0.0.0-52.255.255.255", f"{ZERO}-{ZERO}")) == "broad"
    assert exposure(True, rules(f"{ZERO}-{ZERO}", "203.0.113.0-203.0.113.255")) == "azure"
    assert exposure(True, rules("203.0.113.0-203.0.113.255")) == "restricted"
    assert exposure(True, []) == "closed"


def test_cosmos_ip_rules_become_ranges() -> None:
    assert FirewallRule.from_cidr("203.0.113.0/24") == FirewallRule(
        name="203.0.113.0/24", start="203.0.113.0", end="203.0.113.255"
    )
    azure = FirewallRule.from_cidr(ZERO)
    assert azure is not None and azure.azure_services
    assert FirewallRule.from_cidr("2001:db8::/32") is None


@pytest.mark.parametrize(
    ("setting", "lowest"),
    [
        ("TLSv1.2", "1.2"),  # PostgreSQL ssl_min_protocol_version
        ("TLSv1", "1.0"),
        ("TLSv1.2,TLSv1.3", "1.2"),  # MySQL tls_version
        ("TLSv1,TLSv1.1,TLSv1.2", "1.0"),
        ("TLSv1.3", "1.3"),
        ("Tls", "1.0"),  # Cosmos DB minimalTlsVersion
        ("Tls11", "1.1"),
        ("Tls12", "1.2"),
        ("1.2", "1.2"),  # SQL minimalTlsVersion
        ("SSLv3", None),
    ],
)
def test_tls_settings_as_azure_writes_them(setting: str, lowest: str | None) -> None:
    assert lowest_tls(setting) == lowest
    if "," not in setting:
        assert tls_version(setting) == lowest
