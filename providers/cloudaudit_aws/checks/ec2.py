"""Security group and Internet-facing host checks, graded by real reachability."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from cloudaudit.engine.outcome import Outcome, fail, passed, unknown
from cloudaudit.engine.registry import check
from cloudaudit.exposure.proofs import ANY_MISCONFIGURATION, UNAUTHENTICATED_SERVICE, WEB_MISCONFIGURATION
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit.model.network import NetworkExposure, Reachability
from cloudaudit_aws.assets import IngressRule, Instance, NetworkInterface, SecurityGroup
from cloudaudit_aws.checks.ec2_exposure import (
    Category,
    HostExposure,
    Reach,
    exposed_ips,
    host_exposure,
    is_benign,
    open_rules,
    reach,
    rule_ports,
    unauthenticated_by_default,
)
from cloudaudit_aws.checks.reachability import RouteVerdict, internet_routes, typed_path

# Failing severity by (category, reachability). "unknown" reachability is graded as public.
_GRADES: dict[Category, dict[Reach, Severity]] = {
    "all": {"public": Severity.CRITICAL, "private": Severity.MEDIUM, "unattached": Severity.LOW},
    "admin": {"public": Severity.HIGH, "private": Severity.MEDIUM, "unattached": Severity.LOW},
    "data": {"public": Severity.HIGH, "private": Severity.MEDIUM, "unattached": Severity.LOW},
    "other": {"public": Severity.MEDIUM, "private": Severity.LOW, "unattached": Severity.INFO},
}

_REACHABILITY: dict[Reach, Reachability | None] = {
    "public": None,  # the group faces public addresses; routes are judged on the hosts
    "private": "private",
    "unattached": "private",
    "unknown": "unknown",
}
"""A group's attachment in the contract's vocabulary."""

_ROUTES: dict[str, Reachability] = {"yes": "reachable", "no": "blocked", "unknown": "unknown"}

_WHERE = {
    "public": "attached to Internet-facing interfaces",
    "private": "attached only to interfaces without a public IP",
    "unattached": "not attached to any interface",
    "unknown": "attachment unknown (network interfaces could not be read)",
}


def _grade(category: Category, group: SecurityGroup, rules: list[IngressRule]) -> tuple[Severity, Reach]:
    where = reach(group, rules)
    sev = _GRADES[category]["public" if where == "unknown" else where]
    if category == "other" and all(is_benign(r) for r in rules):
        return Severity.INFO, where
    # Only rules that actually reach a public address (all of them when that is unknown) count.
    live = rules if where == "unknown" else [r for r in rules if exposed_ips(group, r)]
    if category == "data" and any(unauthenticated_by_default(r) for r in live):
        sev = Severity.CRITICAL
    return sev, where


def _open_ingress(category: Category, label: str) -> Callable[[SecurityGroup, Inventory], Outcome]:
    """A check function for one category of Internet-open rules."""

    def run(group: SecurityGroup, inventory: Inventory) -> Outcome:
        rules = [r for _, r in open_rules([group], category)]
        if not rules:
            return passed(f"Security group {group.group_id} opens no {label} to the Internet.")
        sev, where = _grade(category, group, rules)
        ips = sorted({ip for r in rules for ip in exposed_ips(group, r)})
        fronted = inventory.fronted_by(group.id)
        network = NetworkExposure(
            addresses=(*ips, *fronted),
            ports=tuple(dict.fromkeys(p for r in rules for p in rule_ports(r))),
            reachability=None if fronted else _REACHABILITY[where],
        )
        evidence: dict[str, object] = {
            "rules": [r.model_dump() for r in rules],
            "reachability": _WHERE[where],
            "exposed_public_ips": ips,
            "attached_interfaces": list(group.attached_interfaces),
        }
        exposed = f"; exposes {', '.join(ips)}" if ips else f"; {_WHERE[where]}"
        return fail(
            f"Security group {group.group_id} ({group.name}) opens {label} to the Internet: "
            + ", ".join(r.label() for r in rules)
            + exposed,
            evidence,
            sev,
            network,
        )

    return run


_SG_REMEDIATION = """Restrict the rule's source to known address ranges, a prefix list or another
    security group; reach administration ports through SSM Session Manager, a VPN or a bastion."""

FRONTED = ("rds", "redshift", "elasticache", "opensearch")
"""The services whose resources a security group stands in front of (``Inventory.fronted_by``: their
public addresses are the group's too); the open-ingress checks read them."""

check(
    id="aws.ec2.sg_open_all_ports",
    title="Security group allows all traffic from the Internet",
    severity=Severity.CRITICAL,
    asset=SecurityGroup,
    rationale="""A rule allowing every port and protocol from 0.0.0.0/0 or ::/0 exposes every service on
        the attached hosts, including ones never meant to be public.""",
    remediation=_SG_REMEDIATION,
    exploited_by=ANY_MISCONFIGURATION,
    also_collect=FRONTED,
)(_open_ingress("all", "all ports"))

check(
    id="aws.ec2.sg_open_admin_ports",
    title="Security group allows remote administration ports from the Internet",
    severity=Severity.HIGH,
    asset=SecurityGroup,
    rationale="""SSH, RDP, VNC, X11, Telnet, WinRM and other remote-administration services (the core port
        catalogue's remote_admin category) open to the world are brute-forced within minutes of
        exposure and are the usual entry point of server compromise.""",
    remediation=_SG_REMEDIATION,
    exploited_by=UNAUTHENTICATED_SERVICE,
    also_collect=FRONTED,
)(_open_ingress("admin", "administration ports"))

check(
    id="aws.ec2.sg_open_database_ports",
    title="Security group allows database, cache or other data-service ports from the Internet",
    severity=Severity.HIGH,
    asset=SecurityGroup,
    rationale="""Databases, caches, search engines, message brokers, file sharing, container APIs and
        monitoring consoles (the core port catalogue's data categories) on their default ports are found
        by Internet scanners within hours; many (Redis, MongoDB, Memcached, Elasticsearch, Docker, etcd,
        kubelet, Kafka, NFS, rsync...) answer without authentication by default (API7 scenario 2).""",
    remediation=_SG_REMEDIATION,
    exploited_by=UNAUTHENTICATED_SERVICE,
    also_collect=FRONTED,
)(_open_ingress("data", "database, cache or other data-service ports"))

check(
    id="aws.ec2.sg_open_other_ports",
    title="Security group allows other ports from the Internet",
    severity=Severity.MEDIUM,
    asset=SecurityGroup,
    rationale="""Every port open to the Internet is attack surface; web ports (80/443) on a front end
        are expected and reported as informational.""",
    remediation=_SG_REMEDIATION,
    exploited_by=(*UNAUTHENTICATED_SERVICE, *WEB_MISCONFIGURATION),
    also_collect=FRONTED,
)(_open_ingress("other", "other ports"))


@check(
    id="aws.ec2.sg_default_allows_traffic",
    title="Default security group allows traffic",
    severity=Severity.MEDIUM,
    asset=SecurityGroup,
    rationale="""Resources launched without an explicit group land in the VPC's default group; if it allows
        traffic they are exposed without anyone deciding so.""",
    remediation="Remove every inbound and outbound rule from the default security group and use "
    "purpose-made groups instead.",
)
def sg_default_allows_traffic(group: SecurityGroup, inventory: Inventory) -> Iterator[Outcome]:
    """Default groups must have no rules; graded by whether anything uses the group."""
    if not group.is_default:
        return
    if not group.ingress and not group.egress_rule_count:
        yield passed(f"Default security group {group.group_id} of {group.vpc_id} allows no traffic.")
        return
    sev = Severity.MEDIUM if group.attached_interfaces else Severity.LOW
    yield fail(
        f"Default security group {group.group_id} of {group.vpc_id} has "
        f"{len(group.ingress)} inbound and {group.egress_rule_count} outbound rule(s).",
        {
            "ingress": [r.label() for r in group.ingress],
            "egress_rule_count": group.egress_rule_count,
            "attached_interfaces": list(group.attached_interfaces),
        },
        sev,
    )


def _host_outcome(
    kind: str,
    ident: str,
    public_ips: tuple[str, ...],
    exp: HostExposure,
    routes: RouteVerdict,
    stopped: bool = False,
) -> Outcome:
    if not public_ips:
        return passed(f"{kind} {ident} has no public IP address.")
    network = NetworkExposure(
        addresses=public_ips,
        ports=exp.ranges,
        reachability=_ROUTES[routes.state],
        path=typed_path(routes.hops),
    )
    if not exp.exposed and exp.unread_groups:
        return unknown(
            f"{kind} {ident} has public IP {', '.join(public_ips)}, but its security group(s) "
            f"{', '.join(exp.unread_groups)} could not be read.",
            {"public_ips": list(public_ips), "unread_security_groups": list(exp.unread_groups)},
            network,
        )
    if not exp.exposed:
        return passed(
            f"{kind} {ident} ({', '.join(public_ips)}) opens no administration or database port "
            "to the Internet.",
            {"public_ips": list(public_ips)},
            network,
        )
    sev = Severity.CRITICAL if exp.no_auth or exp.all_traffic else Severity.HIGH
    if stopped:
        sev = sev.lowered()
    what = "all ports" if exp.all_traffic else ", ".join(f"{p} ({n})" for p, n in exp.ports.items())
    evidence: dict[str, object] = {
        "public_ips": list(public_ips),
        "ports": {} if exp.all_traffic else {str(p): n for p, n in exp.ports.items()},  # all: every one
        "all_traffic": exp.all_traffic,
        "opened_by": exp.rules,
        "reachability": {"yes": "reachable", "no": "blocked", "unknown": "unknown"}[routes.state],
    }
    if routes.hops:
        evidence["path"] = list(routes.hops)
    if exp.unread_groups:
        evidence["unread_security_groups"] = list(exp.unread_groups)
    if routes.state == "no":
        return fail(
            f"{kind} {ident} has public IP {', '.join(public_ips)} and rules open on {what}, but its "
            f"subnet ({', '.join(routes.checked)}) has no route to an Internet gateway.",
            evidence,
            Severity.LOW,
            network,
        )
    return fail(
        f"{kind} {ident} is reachable from the Internet at {', '.join(public_ips)} on {what}"
        + (" (stopped: exposed again when started)" if stopped else "")
        + ".",
        evidence,
        sev,
        network,
    )


_HOST_REMEDIATION = """Remove the public IP (or Elastic IP) if the host needs no inbound Internet traffic,
    or restrict the security group rules listed in the evidence; put administration behind SSM Session
    Manager or a VPN and databases in private subnets."""


@check(
    id="aws.ec2.instance_exposed_sensitive_ports",
    title="Instance with a public IP exposes administration, database or all ports",
    severity=Severity.HIGH,
    asset=Instance,
    rationale="""An instance with a public address and security group rules open to the Internet on
        administration or data ports is directly attackable; this is the resource to fix or shut down.""",
    remediation=_HOST_REMEDIATION,
    exploited_by=UNAUTHENTICATED_SERVICE,
)
def instance_exposed_sensitive_ports(instance: Instance, inventory: Inventory) -> Outcome:
    """Public IPs x Internet-open sensitive rules of the instance's groups."""
    exp = host_exposure(
        instance.public_ips, instance.security_group_ids, instance.region, instance.account, inventory
    )
    routes = internet_routes(
        inventory, account=instance.account, region=instance.region, subnet_ids=instance.subnet_ids
    )
    return _host_outcome(
        "Instance",
        instance.instance_id,
        instance.public_ips,
        exp,
        routes,
        stopped=instance.state in ("stopped", "stopping"),
    )


@check(
    id="aws.ec2.interface_exposed_sensitive_ports",
    title="Network interface with a public IP exposes administration, database or all ports",
    severity=Severity.HIGH,
    asset=NetworkInterface,
    rationale="""Interfaces not attached to an instance (e.g. created for appliances or services) can
        still carry a public IP and open rules; instance interfaces are reported on the instance.""",
    remediation=_HOST_REMEDIATION,
    exploited_by=UNAUTHENTICATED_SERVICE,
)
def interface_exposed_sensitive_ports(eni: NetworkInterface, inventory: Inventory) -> Iterator[Outcome]:
    """Same as the instance check, for interfaces that belong to no instance."""
    if eni.instance_id:
        return
    exp = host_exposure(eni.public_ips, eni.security_group_ids, eni.region, eni.account, inventory)
    subnets = [eni.subnet_id] if eni.subnet_id else []
    routes = internet_routes(inventory, account=eni.account, region=eni.region, subnet_ids=subnets)
    yield _host_outcome("Network interface", eni.interface_id, eni.public_ips, exp, routes)
