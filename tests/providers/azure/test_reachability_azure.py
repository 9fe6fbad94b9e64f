"""Azure reachability, pure: how one NSG judges Internet traffic (sources, destinations, protocols,
ports, priority, default rules, address families), and how the two levels (subnet NSG, then NIC NSG)
and the public routes (public IPs, load balancer NAT and load-balancing rules) combine into a verdict
with its path."""

from __future__ import annotations

import pytest

from azure_build_network import assets_of, named, nsg_rule, rule, with_unread, world
from cloudaudit.model.asset import Asset, Endpoint
from cloudaudit.model.network import PortRange
from cloudaudit_azure.assets_network import (
    IpConfiguration,
    LoadBalancer,
    NetworkInterface,
    NetworkSecurityGroup,
    NsgRule,
    PublicIpAddress,
    VirtualNetwork,
)
from cloudaudit_azure.collect.network import LOAD_BALANCERS, NICS, NSGS, PUBLIC_IPS, VNETS, to_rule
from cloudaudit_azure.fake.model_network import NetworkBuilder, default_rules
from cloudaudit_azure.paths import NetworkIndex, Route
from cloudaudit_azure.reachability import (
    Destination,
    applies,
    decide,
    internet_families,
    match,
    sources,
    walk,
)

DEST = Destination("10.0.1.4", frozenset())
DEFAULTS = tuple(r for r in (to_rule(j, default=True) for j in default_rules("/nsg/n")) if r.inbound)
"""AllowVnetInBound, AllowAzureLoadBalancerInBound and DenyAllInBound, as Azure adds them."""


def nsg_of(*rules: NsgRule) -> NetworkSecurityGroup:
    return NetworkSecurityGroup(
        provider="azure",
        account="s",
        region="eastus",
        id="/nsg/n",
        name="n",
        rules=rules,
        default_rules=DEFAULTS,
    )


def judge(*rules: NsgRule, port: int = 22, transport: str = "tcp", version: int = 4) -> tuple[str, str]:
    """(level, deciding rule) of one NSG with the default rules on one port."""
    nsg = nsg_of(*rules)
    found = decide(nsg, nsg.inbound_rules(), version, port, transport, "nic_nsg")
    return found.level, found.rule.name if found.rule else ""


# ---------------------------------------------------------------------------------- sources


@pytest.mark.parametrize(
    ("prefixes", "v4", "v6"),
    [
        (("*",), "internet", "internet"),
        (("Any",), "internet", "internet"),
        (("Internet",), "internet", "internet"),
        (("0.0.0.0/0",), "internet", "none"),
        (("::/0",), "none", "internet"),
        (("0.0.0.0/1", "128.0.0.0/1"), "internet", "none"),
        (("0.0.0.0/1",), "some", "none"),
        (("203.0.113.0/24",), "some", "none"),
        (("10.0.0.0/8",), "some", "none"),
        (("2001:db8::/32",), "none", "some"),
        (("VirtualNetwork",), "none", "none"),
        (("AzureLoadBalancer",), "none", "none"),
        (("AzureCloud",), "some", "some"),
        (("Storage.WestEurope",), "some", "some"),
        ((), "none", "none"),
    ],
)
def test_sources_are_judged_per_address_family(prefixes: tuple[str, ...], v4: str, v6: str) -> None:
    r = nsg_rule(sources=prefixes)
    assert (sources(r, 4), sources(r, 6)) == (v4, v6)


def test_application_security_groups_admit_no_internet_client() -> None:
    r = nsg_rule(sources=(), source_asgs=("/asg/web",))
    assert sources(r, 4) == "none"
    assert internet_families(r) == ()


def test_a_deny_limited_to_some_source_ports_denies_only_some_clients() -> None:
    deny = nsg_rule(access="Deny", sources=("*",), source_ports=("1024-65535",))
    allow = nsg_rule(sources=("*",), source_ports=("1024-65535",))
    assert match(deny, 4) == "some"
    assert match(allow, 4) == "internet"  # a client chooses its source port


# ---------------------------------------------------------------------------------- destinations


@pytest.mark.parametrize(
    ("destinations", "asgs", "expected"),
    [
        (("*",), (), True),
        (("Any",), (), True),
        (("VirtualNetwork",), (), True),
        (("10.0.1.0/24",), (), True),
        (("10.0.1.4",), (), True),
        (("10.0.2.0/24",), (), False),
        (("Internet",), (), False),
        (("192.0.2.50",), (), False),  # the public address: the NSGs see the private one
        ((), ("/ASG/Web",), True),
        ((), ("/asg/db",), False),
    ],
)
def test_a_rule_applies_when_its_destination_covers_the_private_address(
    destinations: tuple[str, ...], asgs: tuple[str, ...], expected: bool
) -> None:
    dest = Destination("10.0.1.4", frozenset({"/asg/web"}))
    assert applies(nsg_rule(destinations=destinations, destination_asgs=asgs), dest) is expected


# ---------------------------------------------------------------------------------- one NSG


def test_the_default_rules_alone_deny_the_internet() -> None:
    assert judge() == ("blocked", "DenyAllInBound")


def test_allow_vnet_and_load_balancer_default_rules_do_not_admit_the_internet() -> None:
    assert judge(port=3389)[1] == "DenyAllInBound"


def test_the_lowest_priority_number_decides() -> None:
    allow, deny = nsg_rule("allow-ssh", 100), nsg_rule("deny-ssh", 200, access="Deny", sources=("*",))
    assert judge(allow, deny) == ("reachable", "allow-ssh")
    assert judge(nsg_rule("allow-ssh", 300), deny) == ("blocked", "deny-ssh")


def test_a_deny_of_narrower_sources_above_does_not_close_the_port_to_the_internet() -> None:
    office = nsg_rule("deny-office", 100, access="Deny", sources=("203.0.113.0/24",))
    found = decide(
        nsg_of(office, nsg_rule("allow-ssh", 200)), (office, nsg_rule("allow-ssh", 200)), 4, 22, "tcp", "x"
    )
    assert found.level == "reachable"
    assert "deny-office" in found.reason


def test_an_allow_of_narrower_sources_is_restricted() -> None:
    assert judge(nsg_rule("office-ssh", 100, sources=("203.0.113.0/24",))) == ("restricted", "office-ssh")


@pytest.mark.parametrize(
    ("fields", "port", "transport", "level"),
    [
        ({"ports": ("1000-2000",)}, 1500, "tcp", "reachable"),
        ({"ports": ("1000-2000",)}, 2001, "tcp", "blocked"),
        ({"ports": ("80", "443", "8000-8080")}, 8080, "tcp", "reachable"),
        ({"ports": ("*",)}, 65535, "tcp", "reachable"),
        ({"protocol": "Udp"}, 22, "tcp", "blocked"),
        ({"protocol": "Udp"}, 22, "udp", "reachable"),
        ({"protocol": "*"}, 22, "udp", "reachable"),
        ({"protocol": "Icmp", "ports": ("*",)}, 22, "tcp", "blocked"),
        ({"direction": "Outbound"}, 22, "tcp", "blocked"),
    ],
)
def test_protocol_ports_and_direction_must_match(
    fields: dict[str, object], port: int, transport: str, level: str
) -> None:
    assert judge(nsg_rule("r", 100, **fields), port=port, transport=transport)[0] == level


def test_ipv6_clients_are_judged_against_ipv6_sources() -> None:
    v4_only = nsg_rule("v4", 100, sources=("0.0.0.0/0",))
    assert judge(v4_only, version=6) == ("blocked", "DenyAllInBound")
    assert judge(nsg_rule("v6", 100, sources=("::/0",)), version=6) == ("reachable", "v6")
    assert judge(nsg_rule("tag", 100, sources=("Internet",)), version=6) == ("reachable", "tag")


def test_walk_gives_each_port_once_to_its_deciding_rule() -> None:
    rules = (
        nsg_rule("deny-rdp", 100, access="Deny", sources=("*",), ports=("3389",)),
        nsg_rule("allow-range", 200, ports=("3000-4000",)),
        nsg_rule("allow-more", 300, ports=("3500-3600",)),
        *DEFAULTS,
    )
    first = [(p.first, p.last, p.rule.name) for p in walk(rules, 4, "tcp")]
    assert first == [(3000, 3388, "allow-range"), (3390, 4000, "allow-range")]
    each = {(p.first, p.last, p.rule.name) for p in walk(rules, 4, "tcp", first_decides=False)}
    assert (3500, 3600, "allow-more") in each  # removing allow-range would not close these


# ---------------------------------------------------------------------------------- both levels and routes


def two_levels(
    subnet_rules: list[dict[str, object]] | None, nic_rules: list[dict[str, object]] | None, **nic: str
) -> NetworkBuilder:
    """One VM NIC with a Standard public IP 192.0.2.10, its subnet's NSG and its own (None: no NSG)."""
    net = world()
    subnet_nsg = net.nsg("nsg-subnet", *subnet_rules) if subnet_rules is not None else ""
    nic_nsg = net.nsg("nsg-nic", *nic_rules) if nic_rules is not None else ""
    subnets = net.vnet("vnet", "10.0.0.0/16", {"web": ("10.0.1.0/24", subnet_nsg)})
    pip = net.public_ip("pip", nic.pop("address", "192.0.2.10"), sku=nic.pop("sku", "Standard"))
    net.nic(
        "nic",
        subnets["web"],
        nic.pop("private", "10.0.1.4"),
        public_ip_id=pip,
        nsg_id=nic_nsg,
        vm=nic.pop("vm", "vm"),
    )
    return net


def index_of(assets: list[Asset]) -> NetworkIndex:
    return NetworkIndex(
        [a for a in assets if isinstance(a, NetworkSecurityGroup)],
        [a for a in assets if isinstance(a, NetworkInterface)],
        [a for a in assets if isinstance(a, VirtualNetwork)],
        [a for a in assets if isinstance(a, PublicIpAddress)],
        [a for a in assets if isinstance(a, LoadBalancer)],
    )


def only_route(index: NetworkIndex) -> Route:
    (route,) = index.routes()
    return route


SSH = rule("allow-ssh", 100, source="Internet", ports="22")


def test_both_levels_allowing_is_reachable_with_the_whole_path() -> None:
    index = index_of(assets_of(two_levels([SSH], [SSH])))
    found = index.verdict(only_route(index), 22)
    assert found.level == "reachable"
    assert [h.hop for h in found.path] == ["public_ip", "interface", "subnet_nsg", "nic_nsg"]
    assert found.path[0].detail == "public IP pip 192.0.2.10 (Standard SKU)"
    assert "nic/ipconfig1 (10.0.1.4)" in found.path[1].detail and "VM vm" in found.path[1].detail
    assert found.path[2].detail == "NSG nsg-subnet rule allow-ssh: Allow Tcp 22 from Internet (priority 100)"
    assert found.path[3].id.endswith("/networkSecurityGroups/nsg-nic/securityRules/allow-ssh")


def test_a_subnet_nsg_deny_blocks_what_the_nic_nsg_allows() -> None:
    index = index_of(assets_of(two_levels([], [SSH])))
    found = index.verdict(only_route(index), 22)
    assert found.level == "blocked"
    assert "NSG nsg-subnet denies tcp/22 from the Internet by DenyAllInBound" in found.reason
    assert [h.detail.split(":")[0] for h in found.path[2:]] == [
        "NSG nsg-subnet default rule DenyAllInBound",
        "NSG nsg-nic rule allow-ssh",
    ]
    assert index.exposures(only_route(index)) == ()


def test_a_nic_nsg_deny_blocks_what_the_subnet_nsg_allows() -> None:
    deny = rule("deny-ssh", 100, access="Deny", source="*", ports="22")
    index = index_of(assets_of(two_levels([SSH], [deny])))
    assert index.verdict(only_route(index), 22).level == "blocked"


def test_a_level_without_an_nsg_allows_everything() -> None:
    index = index_of(assets_of(two_levels(None, [SSH])))
    found = index.verdict(only_route(index), 22)
    assert found.level == "reachable"
    assert found.path[2].detail == "subnet web has no NSG: this level allows everything"
    assert index.verdict(only_route(index), 23).level == "blocked"


@pytest.mark.parametrize(
    ("sku", "level", "opened"), [("Basic", "reachable", True), ("Standard", "blocked", False)]
)
def test_no_nsg_at_either_level_opens_a_basic_public_ip_only(sku: str, level: str, opened: bool) -> None:
    assets = assets_of(two_levels(None, None, sku=sku))
    index = index_of(assets)
    found = index.verdict(only_route(index), 6379)
    assert found.level == level
    assert found.path[-1].detail == "no NSG on the subnet or the NIC of nic/ipconfig1 (10.0.1.4)"
    endpoints = named(assets, "nic", NetworkInterface).endpoints
    assert endpoints == (
        (
            Endpoint(
                host="192.0.2.10",
                protocol="all",
                from_port=0,
                to_port=65535,
                via="public IP pip; NSG rules: no NSG",
            ),
        )
        if opened
        else ()
    )


def test_a_nic_attached_to_no_vm_is_blocked_but_says_what_the_nsgs_would_do() -> None:
    assets = assets_of(two_levels([SSH], None, vm=""))
    index = index_of(assets)
    found = index.verdict(only_route(index), 22)
    assert found.level == "blocked"
    assert "attached to no VM" in found.reason and "the NSGs say reachable" in found.reason
    assert named(assets, "nic", NetworkInterface).endpoints == ()
    assert len(index.exposures(only_route(index))) == 1  # what the NSGs open, were a VM attached


def test_an_ipv6_public_address_is_judged_against_ipv6_sources() -> None:
    v4 = rule("allow-ssh", 100, source="0.0.0.0/0", ports="22")
    index = index_of(assets_of(two_levels(None, [v4], address="2001:db8::10", private="fd00::4")))
    assert index.verdict(only_route(index), 22).level == "blocked"
    v6 = rule("allow-ssh", 100, source="::/0", ports="22")
    index = index_of(assets_of(two_levels(None, [v6], address="2001:db8::10", private="fd00::4")))
    assert index.verdict(only_route(index), 22).level == "reachable"


def test_an_nsg_that_was_not_read_makes_the_verdict_unknown() -> None:
    assets = [a for a in assets_of(two_levels([SSH], [SSH])) if a.name != "nsg-subnet"]
    index = index_of(assets)
    found = index.verdict(only_route(index), 22)
    assert (found.level, found.reason) == (
        "unknown",
        "the NSGs of nic/ipconfig1 (10.0.1.4) could not be judged: NSG nsg-subnet was not read",
    )


@pytest.mark.parametrize(
    ("failed", "field", "reason"),
    [
        (NSGS, "network_security_groups", "AuthorizationFailed on network_security_groups.list_all"),
        (VNETS, "subnets", "AuthorizationFailed on virtual_networks.list_all"),
    ],
)
def test_a_failed_listing_marks_the_nics_unread_and_the_verdict_unknown(
    failed: object, field: str, reason: str
) -> None:
    assets = assets_of(two_levels([SSH], [SSH]), failed=[failed])  # type: ignore[list-item]
    nic = named(assets, "nic", NetworkInterface)
    assert nic.unread[field] == reason
    index = index_of(assets)
    found = index.verdict(only_route(index), 22)
    assert (found.level, found.reason) == (
        "unknown",
        f"the NSGs of nic/ipconfig1 (10.0.1.4) could not be judged: {reason}",
    )


def test_a_nic_and_subnet_that_name_no_nsg_need_no_nsg_listing() -> None:
    assets = assets_of(two_levels(None, None, sku="Basic"), failed=[NSGS])
    index = index_of(assets)
    assert index.verdict(only_route(index), 22).level == "reachable"


def test_nsgs_say_what_they_expose_unless_a_listing_they_depend_on_failed() -> None:
    assets = assets_of(two_levels([SSH], [SSH]))
    assert named(assets, "nsg-nic", NetworkSecurityGroup).exposed_addresses == ("192.0.2.10",)
    for failed in (NICS, VNETS, PUBLIC_IPS, LOAD_BALANCERS):
        nsg = named(assets_of(two_levels([SSH], [SSH]), failed=[failed]), "nsg-nic", NetworkSecurityGroup)
        assert nsg.unread["exposed_addresses"].startswith("AuthorizationFailed on ")


def test_endpoints_name_the_ports_both_levels_open_and_their_rules() -> None:
    web = rule("allow-web", 100, source="Internet", ports=["80", "443", "3389"])
    rdp_deny = rule("deny-rdp", 90, access="Deny", source="*", ports="3389")
    assets = assets_of(
        two_levels([web], [rdp_deny, rule("allow-all", 200, source="*", protocol="*", ports="*")])
    )
    assert named(assets, "nic", NetworkInterface).endpoints == (
        Endpoint(
            host="192.0.2.10",
            protocol="tcp",
            from_port=80,
            to_port=80,
            via="public IP pip; NSG rules: allow-web, allow-all",
        ),
        Endpoint(
            host="192.0.2.10",
            protocol="tcp",
            from_port=443,
            to_port=443,
            via="public IP pip; NSG rules: allow-web, allow-all",
        ),
    )


# ---------------------------------------------------------------------------------- load balancers


def balanced(nsg_rules: list[dict[str, object]], *, pooled: bool = True, vm: str = "vm-app") -> list[Asset]:
    """A NIC without public IP behind load balancer lb (frontend 192.0.2.60): NAT 50022 -> 22 and,
    when ``pooled``, 443 -> 443 over a pool holding it."""
    net = world()
    nsg = net.nsg("nsg-app", *nsg_rules)
    subnets = net.vnet("vnet", "10.0.0.0/16", {"app": ("10.0.4.0/24", nsg)})
    app = net.nic("nic-app", subnets["app"], "10.0.4.4", vm=vm)
    net.load_balancer(
        "lb",
        {"fe": net.public_ip("pip-lb", "192.0.2.60")},
        pools={"pool": [app]} if pooled else {},
        nat=[("ssh", "fe", 50022, 22, app)],
        rules=[("https", "fe", "pool", 443, 443)] if pooled else [],
    )
    return assets_of(net)


def test_a_load_balancer_nat_rule_reaches_the_backend_port_through_its_nsgs() -> None:
    assets = balanced([SSH])
    index = index_of(assets)
    nat = next(r for r in index.routes() if "NAT rule ssh" in r.via)
    found = index.verdict(nat, 50022)
    assert found.level == "reachable"
    assert [h.hop for h in found.path] == [
        "load_balancer",
        "load_balancer_rule",
        "interface",
        "subnet_nsg",
        "nic_nsg",
    ]
    assert (
        found.path[0].detail == "frontend fe of load balancer lb: public IP pip-lb 192.0.2.60 (Standard SKU)"
    )
    assert found.path[1].detail == "NAT rule ssh (Tcp 50022 -> 22) to nic-app/ipconfig1 (10.0.4.4)"
    assert index.verdict(nat, 22).level == "blocked"  # the frontend forwards 50022 only
    lb = named(assets, "lb", LoadBalancer)
    assert lb.public_ips == ("192.0.2.60",)
    assert [(e.host, e.from_port) for e in lb.endpoints] == [("192.0.2.60", 50022)]
    assert named(assets, "nsg-app", NetworkSecurityGroup).exposed_addresses == ("192.0.2.60",)


def test_a_load_balancing_rule_reaches_every_member_of_its_backend_pool() -> None:
    assets = balanced([rule("allow-https", 100, source="Internet", ports="443")])
    index = index_of(assets)
    https = next(r for r in index.routes() if "load-balancing rule https" in r.via)
    assert index.verdict(https, 443).level == "reachable"
    assert [(e.host, e.from_port) for e in named(assets, "lb", LoadBalancer).endpoints] == [
        ("192.0.2.60", 443)
    ]


def test_pool_membership_is_read_from_the_nic_side_too() -> None:
    assets = balanced([rule("allow-https", 100, source="Internet", ports="443")])
    lb = named(assets, "lb", LoadBalancer)
    emptied = lb.model_copy(
        update={
            "backend_pools": tuple(p.model_copy(update={"ip_configurations": ()}) for p in lb.backend_pools)
        }
    )
    index = index_of([emptied if a is lb else a for a in assets])
    assert any("load-balancing rule https" in r.via for r in index.routes())


def test_load_balancer_backends_on_no_vm_expose_nothing() -> None:
    assets = balanced([SSH], vm="")
    assert named(assets, "lb", LoadBalancer).endpoints == ()
    assert named(assets, "nsg-app", NetworkSecurityGroup).exposed_addresses == ()


def test_a_load_balancer_whose_backends_were_not_read_is_unknown() -> None:
    assets = balanced([SSH])
    lb = with_unread(
        named(assets, "lb", LoadBalancer), {"backends": "AuthorizationFailed on network_interfaces.list_all"}
    )
    index = index_of([lb if isinstance(a, LoadBalancer) else a for a in assets])
    nat = next(r for r in index.routes() if "NAT rule ssh" in r.via)
    assert index.verdict(nat, 50022).level == "unknown"
    assert index.exposures(nat) == ()


def test_ha_ports_forward_every_port_as_is() -> None:
    assets = balanced([rule("allow-redis", 100, source="*", ports="6379")])
    lb = named(assets, "lb", LoadBalancer)
    pool = lb.backend_pools[0].id
    ha = lb.rules[0].model_copy(
        update={"protocol": "All", "frontend_port": 0, "backend_port": 0, "backend_pools": (pool,)}
    )
    index = index_of(
        [lb.model_copy(update={"rules": (ha,), "nat_rules": ()}) if a is lb else a for a in assets]
    )
    (route,) = index.routes()
    assert index.verdict(route, 6379).level == "reachable"
    assert [e.port_range() for e in index.exposures(route)] == [PortRange(from_port=6379, to_port=6379)]


def test_an_ip_configuration_is_a_place_of_each_nsg_that_filters_it() -> None:
    index = index_of(assets_of(two_levels([SSH], [SSH])))
    assert {key.rsplit("/", 1)[-1] for key in index.by_nsg} == {"nsg-subnet", "nsg-nic"}
    config = IpConfiguration(id="x")
    assert index.subnet_nsg(config) == ""
