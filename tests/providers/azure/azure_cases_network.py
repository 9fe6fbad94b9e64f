"""Pass/fail tables of the network checks: NSG rules graded by what they reach, NICs and load balancers
exposing sensitive ports, NICs with a public IP and no NSG.

One subscription network (every check sees all of it): VM NICs in subnet ``open`` (no subnet NSG)
each with a Standard public IP in 192.0.2.0/24 and an NSG of their own named after what it allows,
plus NSGs attached to nothing, a locked subnet, NICs without NSGs, and load balancers.
"""

from __future__ import annotations

from azure_build_network import assets_of, named, rule, with_unread, world
from azure_cases import CheckCase, case
from cloudaudit.model.asset import Asset
from cloudaudit.model.enums import Severity
from cloudaudit_azure.assets_network import LoadBalancer, NetworkInterface, NetworkSecurityGroup

C, H, M, L, INFO = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO
NICS_UNREAD = "AuthorizationFailed on network_interfaces.list_all"
PREFIXES = {"open": "10.0.1", "locked": "10.0.2", "apps": "10.0.4", "empty": "10.0.5"}


def _network() -> list[Asset]:
    net = world()
    nsg = net.nsg
    subnet_default = nsg("subnet-default")
    lb_ssh = nsg("lb-ssh", rule("allow-ssh", 100, source="Internet", ports="22"))
    empty = nsg("ssh-empty-subnet", rule("allow-ssh", 100, source="*", ports="22"))
    subnets = net.vnet(
        "vnet",
        "10.0.0.0/16",
        {
            "open": ("10.0.1.0/24", ""),
            "locked": ("10.0.2.0/24", subnet_default),
            "apps": ("10.0.4.0/24", lb_ssh),
            "empty": ("10.0.5.0/24", empty),
        },
    )
    host = iter(range(10, 60))

    def vm(
        name: str, *rules: dict[str, object], subnet: str = "open", public: bool = True, attached: bool = True
    ) -> str:
        n = next(host)
        group = nsg(name, *rules) if rules else ""
        pip = net.public_ip(f"pip-{name}", f"192.0.2.{n}") if public else ""
        private = f"{PREFIXES[subnet]}.{n}"
        return net.nic(
            f"nic-{name}",
            subnets[subnet],
            private,
            public_ip_id=pip,
            nsg_id=group,
            vm=f"vm-{name}" if attached else "",
        )

    vm("all-public", rule("allow-all", 100, source="Internet", protocol="*", ports="*"))  # 192.0.2.10
    vm("ssh-public", rule("allow-ssh", 100, source="Internet", ports="22"))
    shadow = vm(
        "rdp-shadowed",
        rule("deny-rdp", 100, access="Deny", source="*", ports="3389"),
        rule("allow-rdp", 200, source="*", ports="3389"),
    )
    vm("ssh-subnet-blocked", rule("allow-ssh", 100, source="Internet", ports="22"), subnet="locked")
    vm("ssh-private", rule("allow-ssh", 100, source="Internet", ports="22"), public=False)
    vm("ssh-v6-only", rule("allow-ssh", 100, source="::/0", ports="22"))
    redis = vm("redis-public", rule("allow-redis", 100, source="0.0.0.0/0", ports="6379"))
    vm("pg-public", rule("allow-pg", 100, source="Any", ports="5432"))
    web = vm("web-public", rule("allow-web", 100, source="Internet", ports=["80", "443"]))
    vm("app-public", rule("allow-app", 100, source="Internet", ports="8080"))
    stopped = vm("ssh-detached", rule("allow-ssh", 100, source="*", ports="22"), attached=False)
    vm("ssh-office", rule("allow-ssh", 100, source="203.0.113.0/24", ports="22"))
    vm("dns-udp", rule("allow-dns", 100, source="Internet", protocol="Udp", ports="53"))
    vm("ssh-unread", rule("allow-ssh", 100, source="Internet", ports="22"))
    behind = vm("ssh-behind-unread-lb", rule("allow-ssh", 100, source="Internet", ports="22"), public=False)
    nsg("ssh-orphan", rule("allow-ssh", 100, source="*", ports="22"))
    nsg("all-orphan", rule("allow-all", 100, source="*", protocol="*", ports="*"))
    nsg("mongo-orphan", rule("allow-mongo", 100, source="Internet", ports="27017"))
    nsg("app-orphan", rule("allow-app", 100, source="Internet", ports="8080"))
    nsg("outbound-only", rule("allow-out", 100, direction="Outbound", protocol="*", destination="*"))
    nsg("vnet-only", rule("allow-vnet-ssh", 100, source="VirtualNetwork", ports="22"))
    # NICs without an NSG at either level
    for name, sku, attached, address in (
        ("bare-basic", "Basic", True, "192.0.2.100"),
        ("bare-standard", "Standard", True, "192.0.2.101"),
        ("bare-detached", "Basic", False, "192.0.2.102"),
        ("bare-unallocated", "Basic", True, ""),
    ):
        pip = net.public_ip(f"pip-{name}", address, sku=sku)
        net.nic(
            f"nic-{name}", subnets["open"], "10.0.1.9", public_ip_id=pip, vm=f"vm-{name}" if attached else ""
        )
    vm("unread", rule("allow-ssh", 100, source="Internet", ports="22"))  # its NSG is dropped below
    app = net.nic("nic-lb-app", subnets["apps"], "10.0.4.4", vm="vm-lb-app")
    # load balancers
    lb = net.load_balancer
    lb("lb", {"fe": net.public_ip("pip-lb", "192.0.2.60")}, nat=[("ssh", "fe", 50022, 22, app)])
    lb(
        "lb-web",
        {"fe": net.public_ip("pip-lb-web", "192.0.2.61")},
        pools={"web": [web]},
        rules=[("https", "fe", "web", 443, 443)],
    )
    lb(
        "lb-blocked",
        {"fe": net.public_ip("pip-lb-blocked", "192.0.2.62")},
        nat=[("rdp", "fe", 50023, 3389, shadow)],
    )
    lb("lb-internal", {})
    lb(
        "lb-redis",
        {"fe": net.public_ip("pip-lb-redis", "192.0.2.63")},
        nat=[("redis", "fe", 56379, 6379, redis)],
    )
    lb(
        "lb-detached",
        {"fe": net.public_ip("pip-lb-detached", "192.0.2.64")},
        nat=[("ssh", "fe", 50024, 22, stopped)],
    )
    lb(
        "lb-unread",
        {"fe": net.public_ip("pip-lb-unread", "192.0.2.65")},
        nat=[("ssh", "fe", 50025, 22, behind)],
    )
    vmss = "/".join(
        (f"/subscriptions/{net.subscription}/resourceGroups/{net.group}/providers/Microsoft.Compute",
         "virtualMachineScaleSets/vmss-web/virtualMachines/0/networkInterfaces/nic/ipConfigurations/ipconfig1")
    )  # fmt: skip
    pip_vmss = net.public_ip("pip-lb-scale-set", "192.0.2.66")
    lb("lb-scale-set", {"fe": pip_vmss}, pools={"vmss": [vmss]}, rules=[("ssh", "fe", "vmss", 22, 22)])
    lb(
        "lb-nat-pool",
        {"fe": net.public_ip("pip-lb-nat-pool", "192.0.2.67")},
        nat_pools=[("ssh", "fe", 50000, 50099, 22)],
    )
    assets = assets_of(net)
    unread = {
        "ssh-unread": {"exposed_addresses": NICS_UNREAD},
        "nic-unread": {"network_security_groups": "AuthorizationFailed on network_security_groups.list_all"},
        "lb-unread": {"backends": NICS_UNREAD},
    }
    kept = [
        a for a in assets if a.name != "unread"
    ]  # the NSG listing failed: nic-unread names an NSG not read
    return [with_unread(a, unread[a.name]) if a.name in unread else a for a in kept]


NETWORK = _network()


def nsg(name: str) -> str:
    return named(NETWORK, name, NetworkSecurityGroup).id


def nic(name: str) -> str:
    return named(NETWORK, f"nic-{name}", NetworkInterface).id


def lb(name: str) -> str:
    return named(NETWORK, name, LoadBalancer).id


NSGS = [a.id for a in NETWORK if isinstance(a, NetworkSecurityGroup)]
NICS = [a.id for a in NETWORK if isinstance(a, NetworkInterface)]
LBS = [a.id for a in NETWORK if isinstance(a, LoadBalancer)]


def table(
    kind: list[str], failing: dict[str, Severity], unknown: tuple[str, ...] = (), **rest: dict[str, str]
) -> CheckCase:
    """Every asset of the kind not failing nor unknown passes."""
    passing = [i for i in kind if i not in failing and i not in unknown]
    return case(*NETWORK, failing=failing, passing=passing, unknown=unknown, messages=rest.get("messages"))


_ALL = table(
    NSGS,
    {nsg("all-public"): C, nsg("all-orphan"): L},
    messages={
        nsg("all-public"): "exposes 192.0.2.10 (nic-all-public)",
        nsg("all-orphan"): "attached to no subnet and no network interface",
        nsg("ssh-public"): "does not allow all ports from the Internet",
    },
)

_ADMIN = table(
    NSGS,
    {
        nsg("all-public"): H,
        nsg("ssh-public"): H,
        nsg("rdp-shadowed"): M,
        nsg("ssh-subnet-blocked"): M,
        nsg("ssh-private"): M,
        nsg("ssh-empty-subnet"): M,
        nsg("ssh-v6-only"): M,
        nsg("ssh-detached"): M,
        nsg("ssh-orphan"): L,
        nsg("all-orphan"): L,
        nsg("ssh-unread"): H,
        nsg("ssh-behind-unread-lb"): H,
        nsg("lb-ssh"): H,
    },
    messages={
        nsg("ssh-public"): "allow-ssh (Allow Tcp 22 from Internet (priority 100)); exposes 192.0.2.11",
        nsg("rdp-shadowed"): "a higher-priority deny, the other NSG level denies",
        nsg("ssh-private"): "no public address reaches",
        nsg("ssh-empty-subnet"): "no public address reaches",
        nsg("ssh-orphan"): "attached to no subnet",
        nsg("ssh-unread"): "exposes 192.0.2.",  # the NICs were read here, the reason is in the evidence
        nsg("ssh-behind-unread-lb"): "could not be read, so it is graded as if it reached a running VM",
        nsg("lb-ssh"): "exposes 192.0.2.60 (nic-lb-app)",
        nsg("ssh-office"): "does not allow administration ports",
        nsg("vnet-only"): "does not allow administration ports",
        nsg("outbound-only"): "does not allow administration ports",
    },
)

_DATA = table(
    NSGS,
    {
        nsg("all-public"): C,
        nsg("redis-public"): C,
        nsg("pg-public"): H,
        nsg("mongo-orphan"): L,
        nsg("all-orphan"): L,
    },
    messages={
        nsg("redis-public"): "exposes 192.0.2.16, 192.0.2.63 (nic-redis-public)",
        nsg("pg-public"): "allow-pg (Allow Tcp 5432 from Any (priority 100))",
    },
)

_OTHER = table(
    NSGS,
    {nsg("web-public"): INFO, nsg("app-public"): M, nsg("dns-udp"): M, nsg("app-orphan"): INFO},
    messages={
        nsg("web-public"): "exposes 192.0.2.18, 192.0.2.61 (nic-web-public)",
        nsg("dns-udp"): "Allow Udp 53 from Internet",
        nsg("all-public"): "does not allow other ports",
    },
)

_NIC_EXPOSED = table(
    NICS,
    {
        nic("all-public"): C,
        nic("ssh-public"): H,
        nic("redis-public"): C,
        nic("pg-public"): H,
        nic("ssh-detached"): L,
        nic("ssh-unread"): H,
        nic("bare-basic"): C,
        nic("bare-detached"): L,
    },
    unknown=(nic("unread"),),
    messages={
        nic("all-public"): "reachable from the Internet at 192.0.2.10 on all ports",
        nic("redis-public"): "at 192.0.2.16 on 6379 (Redis)",
        nic("ssh-detached"): "attached to no VM: nothing answers now, but its NSGs open 22 (SSH)",
        nic("ssh-private"): "has no public IP",
        nic("rdp-shadowed"): "opens no administration or database port",
        nic("ssh-subnet-blocked"): "opens no administration or database port",
        nic("bare-standard"): "opens no administration or database port",
        nic("bare-unallocated"): "has no address allocated now",
        nic("unread"): "could not be judged: AuthorizationFailed on network_security_groups.list_all",
    },
)

_LB_EXPOSED = table(
    LBS,
    {lb("lb"): H, lb("lb-redis"): C, lb("lb-detached"): L},
    unknown=(lb("lb-unread"), lb("lb-scale-set"), lb("lb-nat-pool")),
    messages={
        lb("lb-scale-set"): "what cannot be judged (backend vmss-web/0/nic/ipconfig1)",
        lb("lb-nat-pool"): "what cannot be judged (inbound NAT pool ssh)",
        lb("lb"): "exposes 22 (SSH) to the Internet: 192.0.2.60:50022 -> nic-lb-app:22 (SSH)",
        lb("lb-redis"): "192.0.2.63:56379 -> nic-redis-public:6379 (Redis)",
        lb("lb-detached"): "to NICs attached to no VM (nic-ssh-detached)",
        lb("lb-web"): "forwards no administration or database port",
        lb("lb-blocked"): "forwards no administration or database port",
        lb("lb-internal"): "forwards no public frontend port",
        lb("lb-unread"): "could not be judged: AuthorizationFailed on network_interfaces.list_all",
    },
)

_NO_NSG = table(
    NICS,
    {nic("bare-basic"): C, nic("bare-detached"): L, nic("bare-unallocated"): L},
    unknown=(nic("unread"),),
    messages={
        nic("bare-basic"): "public IP 192.0.2.100 (Basic SKU) and no NSG on its subnet or itself",
        nic("bare-standard"): "Standard SKU public IP refuses inbound traffic",
        nic("bare-unallocated"): "has no address now",
        nic("ssh-public"): "filtered by an NSG",
        nic("lb-app"): "has no public IP",
    },
)

CASES: dict[str, CheckCase] = {
    "azure.network.nsg_open_all_ports": _ALL,
    "azure.network.nsg_open_admin_ports": _ADMIN,
    "azure.network.nsg_open_database_ports": _DATA,
    "azure.network.nsg_open_other_ports": _OTHER,
    "azure.network.nic_exposed_sensitive_ports": _NIC_EXPOSED,
    "azure.network.lb_exposed_sensitive_ports": _LB_EXPOSED,
    "azure.network.nic_public_ip_without_nsg": _NO_NSG,
}

UNCHECKED: list[Asset] = [a for a in NETWORK if a.kind in ("azure.network.vnet", "azure.network.public_ip")][
    :2
]
"""A virtual network and a public IP: kinds no check reads directly (they join NICs to their NSGs)."""
