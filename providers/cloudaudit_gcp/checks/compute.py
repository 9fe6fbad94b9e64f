"""Compute Engine checks: Internet-open VPC firewall rules graded by what they really reach, instances
exposing sensitive ports, the default network, firewall rule logging.

Reachability is judged from the inventory (:mod:`.compute_exposure` over
:mod:`cloudaudit_gcp.reachability`): a rule open to ``0.0.0.0/0`` or ``::/0`` is high (critical for
every port, and for data services that answer without authentication by default) only when it opens
ports of a running instance's external address that no deny from the whole Internet with a higher or
equal priority closes; medium when it targets instances but reaches none of their external addresses
now; low when it targets nothing. Hierarchical and network firewall policies are not read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from cloudaudit.engine.outcome import Outcome, fail, passed, unknown
from cloudaudit.engine.registry import check
from cloudaudit.exposure.proofs import ANY_MISCONFIGURATION, UNAUTHENTICATED_SERVICE, WEB_MISCONFIGURATION
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit.model.network import NetworkExposure, Reachability
from cloudaudit_gcp.assets_compute import FirewallRule, VmInstance, VpcNetwork
from cloudaudit_gcp.checks.compute_exposure import (
    Category,
    Reach,
    host_exposure,
    is_benign,
    opening_ports,
    path_of,
    rule_ports,
    rule_reach,
    view,
)
from cloudaudit_gcp.reachability import FIREWALLS, NO_POLICIES, internet_families, network_key

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
    "public": "it opens the external address of running instances (no higher-priority deny closes it)",
    "dormant": "it targets instances with external addresses but reaches none of them now (stopped, "
    "another address family, or a higher-priority deny from the whole Internet)",
    "private": "it targets only instances without an external address",
    "none": "it targets no instance of the audited projects and regions",
    "unknown": "the instances could not be read, so it is graded as if it reached them",
}


def _not_open(rule: FirewallRule) -> str | None:
    """Why the rule lets nothing in from the whole Internet (None when it does)."""
    if rule.direction != "INGRESS":
        return f"Firewall rule {rule.name} is an {rule.direction.lower()} rule: it lets nothing in."
    if rule.disabled:
        return f"Firewall rule {rule.name} is disabled: it lets nothing in."
    if rule.action != "allow":
        return f"Firewall rule {rule.name} denies traffic ({rule.label()}): it opens nothing."
    if not internet_families(rule):
        return f"Firewall rule {rule.name} does not allow the whole Internet ({rule.label()})."
    return None


def _network_name(rule: FirewallRule) -> str:
    return rule.network_name or network_key(rule.network).rsplit("/", 1)[-1]


def _grade(rule: FirewallRule, category: Category, reach: Reach, inventory: Inventory) -> Severity:
    severity = _GRADES[category]["public" if reach == "unknown" else reach]
    if category == "other" and is_benign(rule):
        return INFO
    if category == "data" and reach in ("public", "unknown"):
        wanted = view(inventory).ports(rule).wanted["data"]
        if reach == "public":
            opened = rule_reach(rule, inventory, "data").openings
            wanted = [s for s in wanted if any(o.covers(s.port, s.protocol) for o in opened)]
        if any(s.unauthenticated for s in wanted):
            return C
    return severity


def _open_ingress(category: Category, label: str) -> Callable[[FirewallRule, Inventory], Outcome]:
    """A check function for one category of Internet-open allow rules."""

    def run(rule: FirewallRule, inventory: Inventory) -> Outcome:
        why = _not_open(rule)
        if why is not None:
            return passed(why)
        ports = view(inventory).ports(rule)
        if category not in ports.categories:
            return passed(f"Firewall rule {rule.name} opens no {label} to the Internet ({rule.label()}).")
        reach = rule_reach(rule, inventory, category)
        wanted = ports.wanted[category]
        addresses = reach.addresses
        network = NetworkExposure(
            addresses=addresses,
            ports=opening_ports(reach.openings) if reach.live else rule_ports(rule),
            reachability=_REACHABILITY[reach.where],
            path=path_of(reach.live[0], inventory, wanted) if reach.live else (),
        )
        targets = (
            "every instance of the network"
            if rule.targets_all
            else ", ".join((*rule.target_tags, *rule.target_service_accounts))
        )
        evidence: dict[str, object] = {
            "rule": rule.label(),
            "network": _network_name(rule),
            "source_ranges": list(rule.source_ranges),
            "targets": targets,
            "reachability": _WHERE[reach.where],
            "exposed_addresses": list(addresses),
            "instances": reach.instance_names(),
            "not_evaluated": NO_POLICIES,
        }
        if reach.unread:
            evidence["instances_unread"] = reach.unread
        if reach.live:
            evidence["path"] = [h.model_dump() for h in network.path]
        exposed = (
            f"; exposes {', '.join(addresses)} ({', '.join(reach.instance_names(5))})"
            if addresses
            else f"; {_WHERE[reach.where]}"
        )
        return fail(
            f"Firewall rule {rule.name} (network {_network_name(rule)}) opens {label} to the Internet: "
            f"{rule.label()}{exposed}.",
            evidence,
            _grade(rule, category, reach.where, inventory),
            network,
        )

    return run


_RULE_REMEDIATION = """Restrict the rule's sources to the addresses that need access (gcloud compute
    firewall-rules update RULE --source-ranges=203.0.113.0/24) and its targets to the instances that
    serve them (--target-tags=TAG), or delete it (gcloud compute firewall-rules delete RULE). Reach SSH
    and RDP through Identity-Aware Proxy TCP forwarding (source range 35.235.240.0/20) and databases
    over private IP instead of the Internet."""

check(
    id="gcp.compute.firewall_open_all_ports",
    title="VPC firewall rule allows all ports from the Internet",
    severity=C,
    asset=FirewallRule,
    rationale="""An allow rule for every protocol (or every TCP/UDP port) from 0.0.0.0/0 or ::/0 exposes
        every service of the instances it targets, including ones never meant to be public. Graded by
        what it reaches: critical on the external address of a running instance, medium when it targets
        instances without one (or is shadowed by a higher-priority deny), low when it targets nothing.""",
    remediation=_RULE_REMEDIATION,
    exploited_by=ANY_MISCONFIGURATION,
)(_open_ingress("all", "all ports"))

check(
    id="gcp.compute.firewall_open_admin_ports",
    title="VPC firewall rule allows remote administration ports from the Internet",
    severity=H,
    asset=FirewallRule,
    rationale="""SSH (22), RDP (3389), WinRM (5985/5986), VNC, Telnet and the other remote-administration
        services of the core port catalogue open to the world are brute-forced within minutes; GCP's
        default network ships such a rule (default-allow-ssh, default-allow-rdp). High only when the
        rule reaches the external address of a running instance.""",
    remediation=_RULE_REMEDIATION,
    exploited_by=UNAUTHENTICATED_SERVICE,
)(_open_ingress("admin", "administration ports"))

check(
    id="gcp.compute.firewall_open_database_ports",
    title="VPC firewall rule allows database, cache or other data-service ports from the Internet",
    severity=H,
    asset=FirewallRule,
    rationale="""Databases, caches, search engines, message brokers, container APIs and monitoring consoles
        (the core port catalogue's data categories: 3306, 5432, 1433, 1521, 27017, 6379, 11211, 9200,
        9042, 5984, 2375/2376...) are found by scanners within hours; Redis, Memcached, MongoDB,
        Elasticsearch, Docker and others answer without authentication by default (critical when such a
        port reaches a running instance's external address).""",
    remediation=_RULE_REMEDIATION,
    exploited_by=UNAUTHENTICATED_SERVICE,
)(_open_ingress("data", "database, cache or other data-service ports"))

check(
    id="gcp.compute.firewall_open_other_ports",
    title="VPC firewall rule allows other ports from the Internet",
    severity=M,
    asset=FirewallRule,
    rationale="""Every port open to the Internet is attack surface; web ports (80/443) and ICMP on a front
        end are expected and reported as informational.""",
    remediation=_RULE_REMEDIATION,
    exploited_by=(*UNAUTHENTICATED_SERVICE, *WEB_MISCONFIGURATION),
)(_open_ingress("other", "other ports"))


@check(
    id="gcp.compute.firewall_logging_disabled",
    title="Internet-open VPC firewall rule does not log connections",
    severity=L,
    asset=FirewallRule,
    rationale="""Firewall Rules Logging records each connection an allow rule lets in; without it, who
        reached the instances from the Internet cannot be told after an incident.""",
    remediation="""gcloud compute firewall-rules update RULE --enable-logging --logging-metadata=exclude-all
        (include-all adds VPC and instance details).""",
)
def firewall_logging_disabled(rule: FirewallRule, inventory: Inventory) -> Outcome:
    """Enabled ingress allow rules from the whole Internet must log."""
    why = _not_open(rule)
    if why is not None:
        return passed(why)
    if rule.logging:
        return passed(f"Firewall rule {rule.name} logs the connections it allows from the Internet.")
    return fail(
        f"Firewall rule {rule.name} ({rule.label()}) admits the Internet without logging.",
        {"rule": rule.label(), "logging": False},
    )


# ---------------------------------------------------------------------------------- instances


@check(
    id="gcp.compute.instance_exposed_sensitive_ports",
    title="VM instance with an external address exposes administration, database or all ports",
    severity=H,
    asset=VmInstance,
    rationale="""An instance whose external address the firewall rules open to the Internet on
        administration or data ports is directly attackable; this is the resource to fix or shut down.
        Critical for every port or a data service without authentication by default; low for a stopped
        instance (nothing answers until it starts).""",
    remediation="""Remove the external address if the instance needs no inbound Internet traffic
        (gcloud compute instances delete-access-config INSTANCE --zone=ZONE --access-config-name=NAME, the
        access config's name as gcloud compute instances describe shows it), or restrict the firewall rules
        named in the evidence (gcloud compute firewall-rules update RULE --source-ranges=203.0.113.0/24);
        reach administration through IAP TCP forwarding and databases over private IP.""",
    exploited_by=UNAUTHENTICATED_SERVICE,
)
def instance_exposed_sensitive_ports(instance: VmInstance, inventory: Inventory) -> Outcome:
    """External addresses x the rules' openings to the Internet, on admin/data ports or every port."""
    ips = instance.external_ips()
    if not ips:
        return passed(f"Instance {instance.name} has no external address.")
    exp = host_exposure(instance, inventory)
    if not exp.exposed and exp.unknown:
        why = instance.unread.get(FIREWALLS) or "its network's rules belong to a project not audited"
        return unknown(
            f"Instance {instance.name} has external address {', '.join(ips)}, but its firewall rules "
            f"could not be judged: {why}.",
            {"external_ips": list(ips), "unread": why},
            NetworkExposure(addresses=ips, reachability="unknown"),
        )
    if not exp.exposed:
        return passed(
            f"Instance {instance.name} ({', '.join(ips)}) opens no administration or database port to the "
            "Internet.",
            {"external_ips": list(ips)},
        )
    address, first = exp.opened[0]
    port = next(iter(exp.ports), first.first)
    transport = first.protocol if first.protocol in ("tcp", "udp") else "tcp"
    verdict = view(inventory).index.verdict(instance, address, port, transport)
    exposed = tuple(dict.fromkeys(a for a, _ in exp.opened))
    network = NetworkExposure(
        addresses=exposed, ports=exp.ranges, reachability=verdict.level, path=verdict.path
    )
    what = "all ports" if exp.all_traffic else ", ".join(f"{p} ({n})" for p, n in exp.ports.items())
    evidence: dict[str, object] = {
        "external_ips": list(ips),
        "ports": {} if exp.all_traffic else {str(p): n for p, n in exp.ports.items()},  # all: every one
        "all_traffic": exp.all_traffic,
        "opened_by": [
            {"address": a, "rule": o.rule.name, "opens": f"{o.protocol}:{o.first}-{o.last}"}
            for a, o in exp.opened
        ],
        **verdict.evidence(),
    }
    if exp.unknown:
        evidence["not_judged"] = list(exp.unknown)
    if not instance.running:
        return fail(
            f"Instance {instance.name} is {instance.status or 'not running'}: nothing answers now, but its "
            f"firewall rules open {what} on {', '.join(exposed)} once it starts.",
            evidence,
            L,
            network,
        )
    return fail(
        f"Instance {instance.name} is reachable from the Internet at {', '.join(exposed)} on {what}.",
        evidence,
        C if exp.no_auth or exp.all_traffic else H,
        network,
    )


# ---------------------------------------------------------------------------------- networks


@check(
    id="gcp.compute.default_network",
    title="The project has the auto-created default network",
    severity=M,
    asset=VpcNetwork,
    rationale="""Every new project gets the default auto-mode network with pre-populated rules that allow
        SSH, RDP and ICMP from the Internet and all traffic inside it; instances created without an
        explicit network land there. Build purpose-made networks and delete it.""",
    remediation="""Create a custom-mode network (gcloud compute networks create NAME --subnet-mode=custom)
        with only the rules the workloads need, move them, then delete the default network's firewall
        rules and the network (gcloud compute firewall-rules delete RULE; gcloud compute networks delete
        default). The organisation policy constraint compute.skipDefaultNetworkCreation keeps new
        projects from getting one.""",
)
def default_network(network: VpcNetwork, inventory: Inventory) -> Iterator[Outcome]:
    """The network named ``default`` exists (with the instances that use it as evidence)."""
    if not network.is_default:
        yield passed(f"Network {network.name} is not the auto-created default network.")
        return
    key = network_key(network.self_link) if network.self_link else ""
    users = [
        i.name
        for i in view(inventory).instances
        if i.account == network.account
        and any(
            (network_key(n.network) == key) if key else n.network.endswith("/default") for n in i.interfaces
        )
    ]
    used = f", used by {len(users)} instance(s)" if users else ""
    yield fail(
        f"Project {network.account} has the auto-created default network{used}.",
        {
            "network": network.name,
            "auto_create_subnetworks": network.auto_create_subnetworks,
            "instances": users[:20],
        },
    )
