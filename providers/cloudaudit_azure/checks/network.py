"""Network checks: NSG rules open to the Internet graded by what they really reach, NICs and load
balancer frontends exposing sensitive ports, NICs with a Basic public IP and no NSG.

Reachability is judged from the inventory (:mod:`.network_exposure` over :mod:`cloudaudit_azure.paths`
and :mod:`cloudaudit_azure.reachability`): an NSG rule allowing ``*``, ``Internet``, ``Any``,
``0.0.0.0/0`` or ``::/0`` is high (critical for every port, and for data services that answer without
authentication by default) only when it opens a public address of a NIC attached to a VM through both
NSG levels (subnet, then NIC); medium when it is attached but reaches no such address now; low when it
is attached to nothing. Their compliance controls (CIS Azure 3.0.0 section 7 and the others) are listed
in the framework files (``cloudaudit/data/frameworks``); NSG flow logs and Network Watcher are out of
scope.
"""

from __future__ import annotations

from collections.abc import Callable

from cloudaudit.engine.outcome import Outcome, fail, passed, unknown
from cloudaudit.engine.registry import check
from cloudaudit.exposure.proofs import ANY_MISCONFIGURATION, UNAUTHENTICATED_SERVICE, WEB_MISCONFIGURATION
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit.model.network import NetworkExposure, PortRange, Reachability
from cloudaudit_azure.assets_network import LoadBalancer, NetworkInterface, NetworkSecurityGroup, NsgRule
from cloudaudit_azure.checks.network_exposure import (
    Category,
    HostExposure,
    NsgReach,
    Reach,
    category_services,
    exposed_ports,
    first_verdict,
    host_exposure,
    is_benign,
    nsg_reach,
    open_rules,
    path_of,
    relevant,
    rule_ports,
    view,
)
from cloudaudit_azure.paths import UNREAD_PUBLIC_IPS, key, name_of
from cloudaudit_azure.reachability import NOT_EVALUATED

C, H, M, L, INFO = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO

_GRADES: dict[Category, dict[Reach, Severity]] = {
    "all": {"public": C, "dormant": M, "private": M, "none": L},
    "admin": {"public": H, "dormant": M, "private": M, "none": L},
    "data": {"public": H, "dormant": M, "private": M, "none": L},
    "other": {"public": M, "dormant": L, "private": L, "none": INFO},
}
"""Failing severity by (category, reach); ``unknown`` is graded as ``public``."""

_REACHABILITY: dict[Reach, Reachability] = {
    "public": "reachable",
    "dormant": "blocked",
    "private": "private",
    "none": "private",
    "unknown": "unknown",
}

_WHERE: dict[Reach, str] = {
    "public": "it opens the public address of NICs attached to a VM, through both NSG levels",
    "dormant": "public addresses lead to what it filters, but it reaches none of them now (a "
    "higher-priority deny, the other NSG level denies, the NIC is attached to no VM, or another "
    "address family)",
    "private": "it filters only subnets and NICs that no public address reaches",
    "none": "it is attached to no subnet and no network interface",
    "unknown": "what it exposes could not be read, so it is graded as if it reached a running VM",
}


def _grade(rules: list[NsgRule], category: Category, reach: NsgReach) -> Severity:
    if category == "other" and all(is_benign(r) for r in rules):
        return INFO
    severity = _GRADES[category]["public" if reach.where == "unknown" else reach.where]
    if category == "data" and reach.where in ("public", "unknown"):
        wanted = [s for r in rules for s in category_services(r, "data")]
        if reach.where == "public":
            wanted = [s for s in wanted if any(relevant(o.exposure, [s]) for o in reach.live)]
        if any(s.unauthenticated for s in wanted):
            return C
    return severity


def _attachments(nsg: NetworkSecurityGroup) -> dict[str, list[str]]:
    return {
        "subnets": [name_of(s) for s in nsg.subnets],
        "network_interfaces": [name_of(n) for n in nsg.network_interfaces],
    }


def _open_ingress(category: Category, label: str) -> Callable[[NetworkSecurityGroup, Inventory], Outcome]:
    """A check function for one category of Internet-open allow rules of an NSG."""

    def run(nsg: NetworkSecurityGroup, inventory: Inventory) -> Outcome:
        rules = open_rules(nsg, category)
        if not rules:
            return passed(f"NSG {nsg.name} does not allow {label} from the Internet.")
        reach = nsg_reach(nsg, inventory, category)
        addresses = reach.addresses
        first = reach.live[0] if reach.live else None
        network = NetworkExposure(
            addresses=addresses,
            ports=(
                exposed_ports(o.exposure for o in reach.live)
                if reach.live
                else tuple(dict.fromkeys(p for r in rules for p in rule_ports(r)))
            ),
            reachability=_REACHABILITY[reach.where],
            path=path_of(first, inventory, category_services(first.rule, category)) if first else (),
        )
        evidence: dict[str, object] = {
            "rules": {r.name: r.label() for r in rules},
            "attached_to": _attachments(nsg),
            "reachability": _WHERE[reach.where],
            "exposed_addresses": list(addresses),
            "network_interfaces": reach.nic_names(),
            "not_evaluated": NOT_EVALUATED,
        }
        if reach.unread:
            evidence["unread"] = reach.unread
        if first:
            evidence["path"] = [h.model_dump() for h in network.path]
        shown = "; ".join(f"{r.name} ({r.label()})" for r in rules)
        exposed = (
            f"; exposes {', '.join(addresses)} ({', '.join(reach.nic_names(5))})"
            if addresses
            else f"; {_WHERE[reach.where]}"
        )
        return fail(
            f"NSG {nsg.name} allows {label} from the Internet: {shown}{exposed}.",
            evidence,
            _grade(rules, category, reach),
            network,
        )

    return run


_RULE_REMEDIATION = """Restrict the rule's sources to the addresses that need access (az network nsg rule
    update -g GROUP --nsg-name NSG -n RULE --source-address-prefixes 203.0.113.0/24) or delete it (az
    network nsg rule delete -g GROUP --nsg-name NSG -n RULE). Reach SSH and RDP through Azure Bastion or
    just-in-time VM access, and databases over private endpoints instead of the Internet."""

check(
    id="azure.network.nsg_open_all_ports",
    title="NSG allows all ports from the Internet",
    severity=C,
    asset=NetworkSecurityGroup,
    rationale="""An inbound allow rule for every port from *, Internet, Any, 0.0.0.0/0 or ::/0 exposes
        every service of the VMs behind the NSG, including ones never meant to be public. Graded by what
        it reaches: critical on the public IP (or load balancer frontend) of a NIC attached to a VM when
        the other NSG level allows it too, medium when it reaches no such address now, low when the NSG
        is attached to nothing.""",
    remediation=_RULE_REMEDIATION,
    exploited_by=ANY_MISCONFIGURATION,
)(_open_ingress("all", "all ports"))

check(
    id="azure.network.nsg_open_admin_ports",
    title="NSG allows remote administration ports from the Internet",
    severity=H,
    asset=NetworkSecurityGroup,
    rationale="""SSH (22), RDP (3389), WinRM (5985/5986), VNC, Telnet and the other remote-administration
        services of the core port catalogue open to the world are brute-forced within minutes. High only
        when the rule reaches the public address of a VM through both NSG levels.""",
    remediation=_RULE_REMEDIATION,
    exploited_by=UNAUTHENTICATED_SERVICE,
)(_open_ingress("admin", "administration ports"))

check(
    id="azure.network.nsg_open_database_ports",
    title="NSG allows database, cache or other data-service ports from the Internet",
    severity=H,
    asset=NetworkSecurityGroup,
    rationale="""Databases, caches, search engines, message brokers, container APIs and monitoring consoles
        (the core port catalogue's data categories: 1433, 3306, 5432, 27017, 6379, 9200, 2375...) are
        found by scanners within hours; Redis, Memcached, MongoDB, Elasticsearch, Docker and others
        answer without authentication by default (critical when such a port reaches a VM's public
        address).""",
    remediation=_RULE_REMEDIATION,
    exploited_by=UNAUTHENTICATED_SERVICE,
)(_open_ingress("data", "database, cache or other data-service ports"))

check(
    id="azure.network.nsg_open_other_ports",
    title="NSG allows other ports from the Internet",
    severity=M,
    asset=NetworkSecurityGroup,
    rationale="""Every port open to the Internet is attack surface; HTTP and HTTPS (80/443) on a front end
        are expected and reported as informational.""",
    remediation=_RULE_REMEDIATION,
    exploited_by=(*UNAUTHENTICATED_SERVICE, *WEB_MISCONFIGURATION),
)(_open_ingress("other", "other ports"))


# ---------------------------------------------------------------------------------- NICs and load balancers


def _exposure_evidence(exp: HostExposure, inventory: Inventory) -> tuple[dict[str, object], NetworkExposure]:
    verdict = first_verdict(exp, inventory)
    network = NetworkExposure(
        addresses=exp.addresses, ports=exp.ranges(), reachability=verdict.level, path=verdict.path
    )
    evidence: dict[str, object] = {
        "ports": {} if exp.all_traffic else {str(p): n for p, n in exp.ports.items()},  # all: every one
        "all_traffic": exp.all_traffic,
        "opened_by": [
            {
                "address": e.route.address,
                "via": e.route.via,
                "ports": f"{e.transport}:{e.first}-{e.last}",
                "nsg_rules": [r.name for r in e.opening.rules()] or ["no NSG"],
                "network_interface": e.route.place.nic.name,
            }
            for e in exp.exposures
        ],
        **verdict.evidence(),
    }
    if exp.unknown:
        evidence["not_judged"] = list(exp.unknown)
    return evidence, network


def _what(exp: HostExposure) -> str:
    return "all ports" if exp.all_traffic else ", ".join(f"{p} ({n})" for p, n in exp.ports.items())


def _not_read(exp: HostExposure, addresses: tuple[str, ...], what: str) -> Outcome:
    return unknown(
        f"{what} has public address {', '.join(addresses)}, but its NSGs could not be judged: "
        f"{'; '.join(exp.unknown)}.",
        {"public_addresses": list(addresses), "unread": list(exp.unknown)},
        NetworkExposure(addresses=addresses, reachability="unknown"),
    )


_EXPOSED_REMEDIATION = """Remove the public IP if the VM needs no inbound Internet traffic (az network nic
    ip-config update -g GROUP --nic-name NIC -n IPCONFIG --public-ip-address null), delete the load
    balancer rule that forwards the port, or restrict the NSG rules named in the evidence to the addresses
    that need access; reach administration through Azure Bastion and databases over private endpoints."""


@check(
    id="azure.network.nic_exposed_sensitive_ports",
    title="Network interface with a public IP exposes administration, database or all ports",
    severity=H,
    asset=NetworkInterface,
    rationale="""A VM whose public IP the NSGs of its subnet and its NIC both open to the Internet on
        administration or data ports is directly attackable; this is the resource to fix. Critical for
        every port or a data service without authentication by default; low for a NIC attached to no VM
        (nothing answers until one is).""",
    remediation=_EXPOSED_REMEDIATION,
    exploited_by=UNAUTHENTICATED_SERVICE,
)
def nic_exposed_sensitive_ports(nic: NetworkInterface, inventory: Inventory) -> Outcome:
    """Public IPs x what both NSG levels open to the Internet, on admin/data ports or every port."""
    if not any(c.public_ip for c in nic.ip_configurations):
        return passed(f"NIC {nic.name} has no public IP.")
    routes = view(inventory).owned(nic.id)
    if not routes:
        return _no_address(nic, inventory, "NIC")
    addresses = tuple(dict.fromkeys(r.address for r in routes))
    exp = host_exposure(routes, inventory)
    if not exp.exposed and exp.unknown:
        return _not_read(exp, addresses, f"NIC {nic.name}")
    if not exp.exposed:
        return passed(
            f"NIC {nic.name} ({', '.join(addresses)}) opens no administration or database port to the "
            "Internet.",
            {"public_addresses": list(addresses)},
        )
    evidence, network = _exposure_evidence(exp, inventory)
    where = ", ".join(exp.addresses)
    if not nic.attached:
        return fail(
            f"NIC {nic.name} is attached to no VM: nothing answers now, but its NSGs open {_what(exp)} on "
            f"{where} to the Internet once it is.",
            evidence,
            L,
            network,
        )
    return fail(
        f"NIC {nic.name} is reachable from the Internet at {where} on {_what(exp)}.",
        evidence,
        C if exp.no_auth or exp.all_traffic else H,
        network,
    )


def _no_address(nic: NetworkInterface, inventory: Inventory, what: str) -> Outcome:
    """A NIC whose public IPs give no address: unread, or not allocated (a stopped VM's dynamic IP)."""
    index = view(inventory).index
    missing = [
        c.public_ip for c in nic.ip_configurations if c.public_ip and key(c.public_ip) not in index.public_ips
    ]
    if missing:
        why = nic.unread.get(UNREAD_PUBLIC_IPS) or f"public IP {name_of(missing[0])} was not read"
        return unknown(
            f"NIC {nic.name} has a public IP whose address could not be read: {why}.", {"unread": why}
        )
    return passed(
        f"NIC {nic.name}'s public IP has no address allocated now (a dynamic address of a stopped VM)."
    )


@check(
    id="azure.network.lb_exposed_sensitive_ports",
    title="Load balancer frontend exposes administration, database or all ports",
    severity=H,
    asset=LoadBalancer,
    rationale="""An inbound NAT rule or load-balancing rule that forwards a public frontend port to SSH,
        RDP or a database of a backend VM, with both NSG levels of the backend allowing it from the
        Internet, exposes that service as if the VM had a public IP (often on an unusual port such as
        50022, which scanners find all the same). Critical for every port or a data service without
        authentication by default; low when no backend is attached to a VM.""",
    remediation=_EXPOSED_REMEDIATION,
    exploited_by=UNAUTHENTICATED_SERVICE,
)
def lb_exposed_sensitive_ports(lb: LoadBalancer, inventory: Inventory) -> Outcome:
    """Public frontends x rules x what the backends' NSGs open, on admin/data ports or every port."""
    routes = view(inventory).owned(lb.id)
    unjudged = view(inventory).index.unjudged(lb)
    if not routes:
        if lb.unread and any(f.public_ip for f in lb.frontends):
            why = "; ".join(lb.unread.values())
            return unknown(
                f"Load balancer {lb.name}'s public frontends could not be judged: {why}.", {"unread": why}
            )
        if unjudged:
            return unknown(_unjudged(lb, unjudged), {"not_judged": list(unjudged)})
        return passed(f"Load balancer {lb.name} forwards no public frontend port to a NIC of the inventory.")
    addresses = tuple(dict.fromkeys(r.address for r in routes))
    exp = host_exposure(routes, inventory)
    if not exp.exposed and exp.unknown:
        return _not_read(exp, addresses, f"Load balancer {lb.name}")
    if not exp.exposed and unjudged:
        said = {"public_addresses": list(addresses), "not_judged": list(unjudged)}
        return unknown(_unjudged(lb, unjudged), said)
    if not exp.exposed:
        return passed(
            f"Load balancer {lb.name} ({', '.join(addresses)}) forwards no administration or database port "
            "that the backends' NSGs open to the Internet.",
            {"public_addresses": list(addresses)},
        )
    evidence, network = _exposure_evidence(exp, inventory)
    where = ", ".join(exp.addresses)
    backends = sorted({e.route.place.nic.name for e in exp.exposures})
    if not any(e.route.place.nic.attached for e in exp.exposures):
        return fail(
            f"Load balancer {lb.name} forwards {_what(exp)} on {where} to NICs attached to no VM "
            f"({', '.join(backends)}): nothing answers now.",
            evidence,
            L,
            network,
        )
    return fail(
        f"Load balancer {lb.name} exposes {_what(exp)} to the Internet: {'; '.join(exp.forwards())}.",
        evidence,
        C if exp.no_auth or exp.all_traffic else H,
        network,
    )


def _unjudged(lb: LoadBalancer, unjudged: tuple[str, ...]) -> str:
    shown = ", ".join(unjudged[:5]) + (f" and {len(unjudged) - 5} more" if len(unjudged) > 5 else "")
    return (
        f"Load balancer {lb.name} forwards public frontend ports to what cannot be judged ({shown}): scale "
        "set instances and NICs of other subscriptions are not read."
    )


@check(
    id="azure.network.nic_public_ip_without_nsg",
    title="Network interface with a Basic SKU public IP and no NSG",
    severity=C,
    asset=NetworkInterface,
    rationale="""With no NSG on its subnet or on the NIC, nothing filters inbound traffic: a Basic SKU
        public IP is then open on every port and protocol (a Standard SKU one refuses inbound traffic
        unless an NSG allows it, so it passes). Critical when a VM answers; low when the NIC is attached
        to no VM or its address is not allocated now.""",
    remediation="""Attach an NSG that allows only the ports the VM serves, to its subnet (az network vnet
        subnet update -g GROUP --vnet-name VNET -n SUBNET --network-security-group NSG) or its NIC (az
        network nic update -g GROUP -n NIC --network-security-group NSG), and upgrade Basic public IPs to
        Standard (retired since September 2025).""",
    exploited_by=ANY_MISCONFIGURATION,
)
def nic_public_ip_without_nsg(nic: NetworkInterface, inventory: Inventory) -> Outcome:
    """Configurations with a public IP and no NSG at either level."""
    configs = [c for c in nic.ip_configurations if c.public_ip]
    if not configs:
        return passed(f"NIC {nic.name} has no public IP.")
    index = view(inventory).index
    bare, why = [], []
    for config in configs:
        place = index.places[key(config.id)]
        if reason := index.unknown(place):
            why.append(reason)
        elif index.levels(place) == (None, None):
            bare.append(config)
    if not bare and why:
        return unknown(f"NIC {nic.name}'s NSGs could not be read: {'; '.join(why)}.", {"unread": why})
    if not bare:
        return passed(f"NIC {nic.name}'s public IP is filtered by an NSG (on its subnet or the NIC).")
    routes = [
        r for r in view(inventory).owned(nic.id) if any(key(r.place.config.id) == key(c.id) for c in bare)
    ]
    open_ = [r for r in routes if not r.public_ip.secure_by_default]
    if routes and not open_:
        return passed(
            f"NIC {nic.name} has no NSG, but its Standard SKU public IP refuses inbound traffic unless an "
            "NSG allows it."
        )
    names = ", ".join(name_of(c.public_ip) for c in bare)
    evidence: dict[str, object] = {
        "public_ips": names,
        "subnets": sorted({name_of(c.subnet) for c in bare}),
        "virtual_machine": name_of(nic.virtual_machine) if nic.attached else "",
    }
    if not open_:
        unread = nic.unread.get(UNREAD_PUBLIC_IPS)
        if unread:
            return unknown(
                f"NIC {nic.name} has no NSG, and its public IP could not be read: {unread}.",
                {"unread": unread},
            )
        return fail(
            f"NIC {nic.name} has no NSG on its subnet or itself; its public IP {names} has no address now, "
            "and every port will be open once one is allocated.",
            evidence,
            L,
        )
    verdict = index.verdict(open_[0], 0)
    addresses = tuple(dict.fromkeys(r.address for r in open_))
    network = NetworkExposure(
        addresses=addresses, ports=(PortRange.every(),), reachability=verdict.level, path=verdict.path
    )
    evidence.update(verdict.evidence())
    if not nic.attached:
        return fail(
            f"NIC {nic.name} is attached to no VM, but has public IP {', '.join(addresses)} (Basic SKU) "
            "and no NSG: every port will be open to the Internet once a VM uses it.",
            evidence,
            L,
            network,
        )
    return fail(
        f"NIC {nic.name} has public IP {', '.join(addresses)} (Basic SKU) and no NSG on its subnet or "
        "itself: every port is open to the Internet.",
        evidence,
        C,
        network,
    )
