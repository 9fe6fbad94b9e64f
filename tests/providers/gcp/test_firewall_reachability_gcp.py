"""GCP firewall reachability verdicts (priorities, denies, targets, families) and annotate()."""

from __future__ import annotations

import random

import pytest

from cloudaudit.engine.registry import REGISTRY
from cloudaudit.engine.runner import evaluate
from cloudaudit.model.enums import Severity, Status
from cloudaudit.plugins import load_plugin
from cloudaudit_gcp.assets_compute import FirewallRule, NetworkInterface, PortSpec, VmInstance
from cloudaudit_gcp.reachability import FirewallIndex, annotate, verdict
from gcp_build_compute import SA, deny, net_url, rule, vm
from gcp_cases import inventory

load_plugin("gcp")
IP, IP6 = "192.0.2.10", "2001:db8::10"
WEB = vm("web", IP, IP6, network_tags=("web",), service_accounts=(SA,))


def level(rules: list[FirewallRule], port: int = 22, instance: VmInstance = WEB, address: str = IP) -> str:
    return verdict(instance, rules, address, port).level


def test_lowest_priority_number_decides() -> None:
    allow = rule("allow-ssh", "tcp:22", priority=1000)
    assert level([allow, deny("deny-ssh", "tcp:22", priority=900)]) == "blocked"
    assert level([allow, deny("deny-ssh", "tcp:22", priority=1100)]) == "reachable"
    found = verdict(WEB, [allow, deny("deny-ssh", "tcp:22", priority=900)], IP, 22)
    assert found.rule is not None and found.rule.name == "deny-ssh"
    assert [h.hop for h in found.path] == ["resource", "interface", "firewall_rule"]
    assert "deny-ssh" in found.path[-1].detail and IP in found.path[0].detail


def test_deny_wins_at_equal_priority() -> None:
    rules = [rule("allow-ssh", "tcp:22", priority=500), deny("deny-ssh", "tcp:22", priority=500)]
    assert level(rules) == "blocked"
    assert level(list(reversed(rules))) == "blocked"


def test_a_deny_shadows_only_the_sources_it_covers() -> None:
    allow = rule("allow-ssh", "tcp:22")
    full = deny("deny-all-ssh", "tcp:22", priority=10)
    narrow = deny("deny-office", "tcp:22", priority=10, sources=("203.0.113.0/24",))
    assert level([allow, full]) == "blocked"
    found = verdict(WEB, [allow, narrow], IP, 22)
    assert found.level == "reachable"
    assert found.rule is not None and found.rule.name == "allow-ssh"
    assert "deny-office" in found.reason
    # a deny from the whole Internet below the allow changes nothing
    assert level([allow, deny("late-deny", "tcp:22", priority=2000)]) == "reachable"
    # a deny of another port does not shadow
    assert level([allow, deny("deny-rdp", "tcp:3389", priority=10)]) == "reachable"


def test_restricted_when_only_narrower_sources_are_allowed() -> None:
    office = rule("office-ssh", "tcp:22", sources=("203.0.113.0/24",))
    tagged = rule("from-bastion", "tcp:22", sources=(), source_tags=("bastion",))
    assert level([office]) == "restricted"
    assert level([tagged]) == "restricted"
    # narrow allow above a full deny: still allowed from those sources
    found = verdict(WEB, [office, deny("deny-ssh", "tcp:22", priority=2000)], IP, 22)
    assert found.level == "restricted" and "then denied by deny-ssh" in found.reason
    # narrow allow under a full deny: shadowed
    assert level([office, deny("deny-ssh", "tcp:22", priority=10)]) == "blocked"
    # nothing at all: the implied deny
    implied = verdict(WEB, [], IP, 22)
    assert implied.level == "blocked" and implied.path[-1].id == "implied-deny-ingress"


def test_targets_tags_service_accounts_and_all() -> None:
    other = vm("other", "192.0.2.20", network_tags=("db",), service_accounts=("x@p.iam.gserviceaccount.com",))
    by_tag = rule("web-ssh", "tcp:22", target_tags=("web",))
    by_sa = rule("sa-ssh", "tcp:22", target_service_accounts=(SA,))
    everyone = rule("all-ssh", "tcp:22")
    for r in (by_tag, by_sa):
        assert level([r]) == "reachable"
        assert level([r], instance=other, address="192.0.2.20") == "blocked"
    assert level([everyone], instance=other, address="192.0.2.20") == "reachable"


def test_rules_of_another_network_are_ignored() -> None:
    assert level([rule("prod-ssh", "tcp:22", net="prod-vpc")]) == "blocked"
    # a URL through another API root names the same network
    same = rule("alt-root", "tcp:22").model_copy(
        update={
            "network": net_url("default").replace(
                "https://compute.googleapis.com", "https://private.googleapis.com"
            )
        }
    )
    assert level([same]) == "reachable"


def test_ipv6_addresses_are_judged_against_ipv6_ranges() -> None:
    v4_only = rule("ssh-v4", "tcp:22")
    v6_only = rule("ssh-v6", "tcp:22", sources=("::/0",))
    assert level([v4_only], address=IP6) == "blocked"
    assert level([v6_only], address=IP6) == "reachable"
    assert level([v6_only], address=IP) == "blocked"
    # a v4 deny does not shadow the v6 allow
    assert level([v6_only, deny("deny-v4", "tcp:22", priority=1)], address=IP6) == "reachable"
    # ranges that only together cover the family count as the Internet
    halves = rule("halves", "tcp:22", sources=("0.0.0.0/1", "128.0.0.0/1"))
    assert level([halves]) == "reachable"


def test_disabled_and_egress_rules_let_nothing_in() -> None:
    assert level([rule("off", "tcp:22", disabled=True)]) == "blocked"
    assert level([rule("out", "tcp:22", direction="EGRESS")]) == "blocked"
    # a disabled deny does not shadow
    assert (
        level([rule("ssh", "tcp:22"), deny("off-deny", "tcp:22", priority=1, disabled=True)]) == "reachable"
    )


def test_protocols_and_port_ranges() -> None:
    assert level([rule("numbered", "6:20-25")]) == "reachable"
    assert level([rule("udp", "udp:22")]) == "blocked"
    assert verdict(WEB, [rule("udp", "udp:53")], IP, 53, "udp").level == "reachable"
    assert level([rule("tcp-every", "tcp")], port=65000) == "reachable"
    assert level([rule("icmp", "icmp")]) == "blocked"


def test_destination_ranges_limit_the_addresses_a_rule_applies_to() -> None:
    assert level([rule("to-web", "tcp:22", destination_ranges=(f"{IP}/32",))]) == "reachable"
    assert level([rule("to-internal", "tcp:22", destination_ranges=("10.128.0.0/20",))]) == "reachable"
    assert level([rule("elsewhere", "tcp:22", destination_ranges=("198.51.100.0/24",))]) == "blocked"


def test_stopped_instance_does_not_answer() -> None:
    stopped = vm("stopped", IP, status="TERMINATED")
    found = verdict(stopped, [rule("ssh", "tcp:22")], IP, 22)
    assert found.level == "blocked" and found.firewall == "reachable"
    assert "TERMINATED" in found.reason and "until it starts" in found.reason


def test_unread_firewalls_and_missing_addresses() -> None:
    unread = vm("unread", IP, unread={"firewalls": "HTTP 403 on compute.firewalls.list"})
    found = verdict(unread, [rule("ssh", "tcp:22")], IP, 22)
    assert found.level == "unknown" and "HTTP 403" in found.reason
    assert level([rule("ssh", "tcp:22")], instance=vm("internal-only")) == "private"
    marked, rules = annotate([WEB, vm("internal-only")], None, "denied")
    assert marked[0].unread == {"firewalls": "denied"} and not marked[1].unread and rules == []


def test_shared_vpc_network_of_another_project() -> None:
    nic = NetworkInterface(name="nic0", network=net_url("shared", "host-project"), external_ips=(IP,))
    guest = vm("guest", nics=(nic,))
    assert level([rule("ssh", "tcp:22")], instance=guest) == "unknown"
    host_rule = rule("host-ssh", "tcp:22").model_copy(
        update={"network": net_url("shared", "host-project"), "account": "host-project"}
    )
    assert level([host_rule], instance=guest) == "reachable"


# ---------------------------------------------------------------------------------- annotate


def test_annotate_splits_endpoints_around_higher_priority_denies() -> None:
    rules = [
        rule("allow-all", "all", priority=1000),
        deny("deny-ssh", "tcp:22", priority=100),
        deny("deny-redis", "tcp:6379-6380", priority=100),
        deny("deny-office", "tcp:80", priority=100, sources=("203.0.113.0/24",)),
        rule("web", "tcp:80,443", priority=500, target_tags=("web",)),
    ]
    stopped = vm("stopped", "192.0.2.30", status="TERMINATED")
    instances, annotated = annotate([WEB, stopped], rules)
    web = instances[0]
    spans = {(e.protocol, e.from_port, e.to_port, e.via.split(":")[0]) for e in web.endpoints if e.host == IP}
    assert spans == {
        ("tcp", 0, 21, "firewall rule allow-all"),
        ("tcp", 23, 79, "firewall rule allow-all"),
        ("tcp", 80, 80, "firewall rule web"),
        ("tcp", 81, 442, "firewall rule allow-all"),
        ("tcp", 443, 443, "firewall rule web"),
        ("tcp", 444, 6378, "firewall rule allow-all"),
        ("tcp", 6381, 65535, "firewall rule allow-all"),
        ("udp", 0, 65535, "firewall rule allow-all"),
        ("icmp", 0, 65535, "firewall rule allow-all"),
    }
    assert not any(e.covers(22) and e.protocol == "tcp" for e in web.endpoints)
    assert not [e for e in web.endpoints if e.host == IP6]  # the rules open nothing to ::/0
    assert instances[1].endpoints == ()
    exposed = {r.name: r.exposed_addresses for r in annotated}
    assert exposed == {
        "allow-all": (IP,),
        "deny-ssh": (),
        "deny-redis": (),
        "deny-office": (),
        "web": (IP,),
    }


def test_annotate_one_endpoint_for_an_unshadowed_all_protocols_rule() -> None:
    instances, rules = annotate([WEB], [rule("any", "all", sources=("0.0.0.0/0", "::/0"))])
    assert {(e.host, e.protocol, e.from_port, e.to_port) for e in instances[0].endpoints} == {
        (IP, "all", 0, 65535),
        (IP6, "all", 0, 65535),
    }
    assert rules[0].exposed_addresses == (IP, IP6)
    assert rules[0].public_addresses() == (IP, IP6)


def test_annotate_marks_rules_when_instances_are_unread() -> None:
    _, rules = annotate([], [rule("ssh", "tcp:22")], instances_unread="HTTP 403 on instances")
    assert rules[0].unread == {"exposed_addresses": "HTTP 403 on instances"}
    spec = REGISTRY.get("gcp.compute.firewall_open_admin_ports")
    assert spec is not None
    finding = evaluate(inventory(*rules), [spec])[0]
    assert finding.status is Status.FAIL and finding.severity is Severity.HIGH
    assert finding.network is not None and finding.network.reachability == "unknown"


@pytest.mark.parametrize("seed", range(20))
def test_openings_agree_with_the_one_port_verdict(seed: int) -> None:
    """Random rule sets: a port is in an opening exactly when the verdict says reachable."""
    rnd = random.Random(seed)
    specs = ["tcp:22", "tcp:20-25", "tcp:80,443", "tcp", "udp:53", "all", "tcp:6379", "udp", "icmp"]
    sources = [("0.0.0.0/0",), ("203.0.113.0/24",), ("0.0.0.0/0", "::/0"), ("::/0",)]
    rules = [
        rule(
            f"r{i}",
            *rnd.sample(specs, rnd.randint(1, 2)),
            sources=rnd.choice(sources),
            priority=rnd.choice([100, 500, 1000]),
            action=rnd.choice(["allow", "deny"]),
            target_tags=rnd.choice([(), ("web",), ("db",)]),
        )
        for i in range(rnd.randint(1, 8))
    ]
    index = FirewallIndex(rules)
    nic = WEB.interfaces[0]
    for address in (IP, IP6):
        opened = index.openings(WEB, nic, address)
        for transport, port in [("tcp", p) for p in (0, 21, 22, 25, 26, 80, 443, 6379, 65535)] + [
            ("udp", 53)
        ]:
            found = index.verdict(WEB, address, port, transport)
            assert (found.level == "reachable") == any(o.covers(port, transport) for o in opened), (
                address,
                transport,
                port,
                found.reason,
            )
            if found.level == "reachable":
                assert any(o.covers(port, transport) and o.rule == found.rule for o in opened)


# ---------------------------------------------------------------------------------- scale


def test_scale_thousand_rules_by_thousand_instances() -> None:
    """1000 rules x 1000 instances in memory: annotate and every compute check run (no timing)."""
    rnd = random.Random(7)
    tags = [f"t{i}" for i in range(50)]
    rules = [
        rule(
            f"rule-{i}",
            rnd.choice(["tcp:22", "tcp:1000-2000", "tcp:6379", "all", "udp:53", "tcp:80,443"]),
            priority=rnd.randint(100, 2000),
            action="deny" if i % 7 == 0 else "allow",
            target_tags=() if i % 10 == 0 else (rnd.choice(tags),),
            sources=("0.0.0.0/0",) if i % 3 else ("203.0.113.0/24",),
        )
        for i in range(1000)
    ]
    instances = [
        vm(
            f"vm-{i}",
            *([f"198.18.{i // 250}.{i % 250}"] if i % 2 else []),
            network_tags=tuple(rnd.sample(tags, 3)),
            status="RUNNING" if i % 5 else "TERMINATED",
        )
        for i in range(1000)
    ]
    annotated, exposed_rules = annotate(instances, rules)
    assert sum(1 for i in annotated if i.endpoints) > 100
    assert sum(1 for r in exposed_rules if r.exposed_addresses) > 10
    specs = [s for s in REGISTRY if s.id.startswith("gcp.compute.")]
    findings = evaluate(inventory(*annotated, *exposed_rules), specs)
    by_check = {s.id: [f for f in findings if f.check_id == s.id] for s in specs}
    assert len(by_check["gcp.compute.instance_exposed_sensitive_ports"]) == 1000
    assert len(by_check["gcp.compute.firewall_open_all_ports"]) == 1000
    assert not [f for f in findings if f.status is Status.ERROR]
    assert any(
        f.severity is Severity.CRITICAL for f in by_check["gcp.compute.instance_exposed_sensitive_ports"]
    )


def test_a_protocol_given_by_number_is_judged_as_its_name() -> None:
    """``6`` with no ports is every TCP port, for the checks' categories as for the verdicts."""
    assert PortSpec(protocol="6").name == "tcp" and PortSpec(protocol="6").every_port()
    assert PortSpec(protocol="17", ports=("53",)).name == "udp"
    assert not PortSpec(protocol="6", ports=("22",)).every_port()
    assert not PortSpec(protocol="1").every_port()  # ICMP has no ports
