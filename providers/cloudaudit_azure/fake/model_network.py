"""ARM JSON of Microsoft.Network resources, as the REST API writes them: NSGs (with the default rules
Azure adds to every one), NICs, virtual networks and subnets, public IP addresses, load balancers.

:class:`NetworkBuilder` keeps the back-references Azure maintains itself consistent: an NSG's
``subnets`` and ``networkInterfaces``, a public IP's ``ipConfiguration``, a backend pool's
``backendIPConfigurations`` and an IP configuration's pools and NAT rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cloudaudit_azure.fake.state import JSON, arm_id

NETWORK = "Microsoft.Network"


def _ref(resource_id: str) -> JSON:
    return {"id": resource_id}


def security_rule(
    nsg_id: str,
    name: str,
    priority: int,
    *,
    access: str = "Allow",
    direction: str = "Inbound",
    protocol: str = "Tcp",
    source: str | Sequence[str] = "*",
    ports: str | Sequence[str] = "*",
    destination: str | Sequence[str] = "*",
    source_ports: str = "*",
    default: bool = False,
    description: str = "",
) -> JSON:
    """One security rule; a list of sources or ports goes to the plural field, as the API does."""
    kind = "defaultSecurityRules" if default else "securityRules"
    props: JSON = {
        "provisioningState": "Succeeded",
        "protocol": protocol,
        "sourcePortRange": source_ports,
        "access": access,
        "priority": priority,
        "direction": direction,
    }
    for single, plural, value in (
        ("sourceAddressPrefix", "sourceAddressPrefixes", source),
        ("destinationPortRange", "destinationPortRanges", ports),
        ("destinationAddressPrefix", "destinationAddressPrefixes", destination),
    ):
        if isinstance(value, str):
            props[single] = value
            props[plural] = []
        else:
            props[plural] = list(value)
    if description:
        props["description"] = description
    return {
        "id": f"{nsg_id}/{kind}/{name}",
        "name": name,
        "type": f"{NETWORK}/networkSecurityGroups/{kind}",
        "properties": props,
    }


def default_rules(nsg_id: str) -> list[JSON]:
    """The six rules Azure adds to every NSG."""
    inbound = (
        ("AllowVnetInBound", 65000, "Allow", "VirtualNetwork", "VirtualNetwork", "all VMs in VNET"),
        ("AllowAzureLoadBalancerInBound", 65001, "Allow", "AzureLoadBalancer", "*", "azure load balancer"),
        ("DenyAllInBound", 65500, "Deny", "*", "*", ""),
    )
    outbound = (
        (
            "AllowVnetOutBound",
            65000,
            "Allow",
            "VirtualNetwork",
            "VirtualNetwork",
            "all VMs to all VMs in VNET",
        ),
        ("AllowInternetOutBound", 65001, "Allow", "*", "Internet", "all VMs to Internet"),
        ("DenyAllOutBound", 65500, "Deny", "*", "*", ""),
    )
    out = []
    for direction, rules in (("Inbound", inbound), ("Outbound", outbound)):
        for name, priority, access, source, destination, what in rules:
            said = f"{access} {direction.lower()} traffic" + (f" from {what}" if what else "")
            if not what:
                said = f"Deny all {direction.lower()} traffic"
            out.append(
                security_rule(
                    nsg_id,
                    name,
                    priority,
                    access=access,
                    direction=direction,
                    protocol="*",
                    source=source,
                    destination=destination,
                    default=True,
                    description=said,
                )
            )
    return out


def nsg(
    nsg_id: str,
    location: str,
    rules: Iterable[JSON] = (),
    *,
    subnets: Iterable[str] = (),
    nics: Iterable[str] = (),
    tags: dict[str, str] | None = None,
) -> JSON:
    """An NSG with its custom rules, the default rules, and where it is attached."""
    props: JSON = {
        "provisioningState": "Succeeded",
        "resourceGuid": "00000000-0000-0000-0000-000000000001",
        "securityRules": list(rules),
        "defaultSecurityRules": default_rules(nsg_id),
    }
    if subnets:
        props["subnets"] = [_ref(s) for s in subnets]
    if nics:
        props["networkInterfaces"] = [_ref(n) for n in nics]
    return _resource(nsg_id, "networkSecurityGroups", location, props, tags)


def subnet(subnet_id: str, prefix: str, nsg_id: str = "") -> JSON:
    """A subnet (embedded in its virtual network)."""
    props: JSON = {"provisioningState": "Succeeded", "addressPrefix": prefix}
    if nsg_id:
        props["networkSecurityGroup"] = _ref(nsg_id)
    return {
        "id": subnet_id,
        "name": subnet_id.rsplit("/", 1)[-1],
        "type": f"{NETWORK}/virtualNetworks/subnets",
        "properties": props,
    }


def vnet(vnet_id: str, location: str, space: Sequence[str], subnets: Iterable[JSON] = ()) -> JSON:
    """A virtual network with its subnets."""
    props = {
        "provisioningState": "Succeeded",
        "addressSpace": {"addressPrefixes": list(space)},
        "subnets": list(subnets),
    }
    return _resource(vnet_id, "virtualNetworks", location, props)


def ip_configuration(
    config_id: str,
    private_ip: str,
    subnet_id: str,
    *,
    public_ip: str = "",
    pools: Iterable[str] = (),
    nat_rules: Iterable[str] = (),
    asgs: Iterable[str] = (),
    primary: bool = True,
) -> JSON:
    """An IP configuration of a NIC (references only, as a NIC listing returns them)."""
    props: JSON = {
        "provisioningState": "Succeeded",
        "privateIPAddress": private_ip,
        "privateIPAllocationMethod": "Dynamic",
        "privateIPAddressVersion": "IPv6" if ":" in private_ip else "IPv4",
        "subnet": _ref(subnet_id),
        "primary": primary,
    }
    if public_ip:
        props["publicIPAddress"] = _ref(public_ip)
    for name, values in (
        ("loadBalancerBackendAddressPools", pools),
        ("loadBalancerInboundNatRules", nat_rules),
        ("applicationSecurityGroups", asgs),
    ):
        if refs := [_ref(v) for v in values]:
            props[name] = refs
    return {
        "id": config_id,
        "name": config_id.rsplit("/", 1)[-1],
        "type": f"{NETWORK}/networkInterfaces/ipConfigurations",
        "properties": props,
    }


def nic(nic_id: str, location: str, configs: Iterable[JSON], *, nsg_id: str = "", vm_id: str = "") -> JSON:
    """A network interface."""
    props: JSON = {
        "provisioningState": "Succeeded",
        "ipConfigurations": list(configs),
        "enableAcceleratedNetworking": False,
        "enableIPForwarding": False,
        "nicType": "Standard",
    }
    if nsg_id:
        props["networkSecurityGroup"] = _ref(nsg_id)
    if vm_id:
        props["virtualMachine"] = _ref(vm_id)
    return _resource(nic_id, "networkInterfaces", location, props)


def public_ip(
    pip_id: str,
    location: str,
    address: str,
    *,
    sku: str = "Standard",
    ip_configuration: str = "",
    fqdn: str = "",
) -> JSON:
    """A public IP address (Standard SKU addresses are static)."""
    props: JSON = {
        "provisioningState": "Succeeded",
        "publicIPAddressVersion": "IPv6" if ":" in address else "IPv4",
        "publicIPAllocationMethod": "Static" if sku == "Standard" else "Dynamic",
        "idleTimeoutInMinutes": 4,
    }
    if address:
        props["ipAddress"] = address
    if ip_configuration:
        props["ipConfiguration"] = _ref(ip_configuration)
    if fqdn:
        label = fqdn.split(".", 1)[0]
        props["dnsSettings"] = {"domainNameLabel": label, "fqdn": fqdn}
    body = _resource(pip_id, "publicIPAddresses", location, props)
    body["sku"] = {"name": sku, "tier": "Regional"}
    return body


def frontend(fe_id: str, public_ip_id: str) -> JSON:
    """A public frontend IP configuration of a load balancer."""
    props = {"provisioningState": "Succeeded", "publicIPAddress": _ref(public_ip_id)}
    return {"id": fe_id, "name": fe_id.rsplit("/", 1)[-1], "properties": props}


def backend_pool(pool_id: str, configs: Iterable[str]) -> JSON:
    """A backend address pool and the NIC IP configurations in it."""
    props = {"provisioningState": "Succeeded", "backendIPConfigurations": [_ref(c) for c in configs]}
    return {"id": pool_id, "name": pool_id.rsplit("/", 1)[-1], "properties": props}


def nat_rule(
    rule_id: str, frontend_id: str, frontend_port: int, backend_port: int, target: str, protocol: str = "Tcp"
) -> JSON:
    """A single-VM inbound NAT rule: ``frontend_port`` -> ``backend_port`` of ``target`` (an IP
    configuration)."""
    props = {
        "provisioningState": "Succeeded",
        "frontendIPConfiguration": _ref(frontend_id),
        "backendIPConfiguration": _ref(target),
        "protocol": protocol,
        "frontendPort": frontend_port,
        "backendPort": backend_port,
        "enableFloatingIP": False,
        "idleTimeoutInMinutes": 4,
    }
    return {"id": rule_id, "name": rule_id.rsplit("/", 1)[-1], "properties": props}


def nat_pool(
    pool_id: str, frontend_id: str, first: int, last: int, backend_port: int, protocol: str = "Tcp"
) -> JSON:
    """An inbound NAT pool: frontend ports ``first..last`` to ``backend_port`` of a scale set's instances."""
    props = {
        "provisioningState": "Succeeded",
        "frontendIPConfiguration": _ref(frontend_id),
        "protocol": protocol,
        "frontendPortRangeStart": first,
        "frontendPortRangeEnd": last,
        "backendPort": backend_port,
    }
    return {"id": pool_id, "name": pool_id.rsplit("/", 1)[-1], "properties": props}


def balancing_rule(
    rule_id: str, frontend_id: str, pool_id: str, frontend_port: int, backend_port: int, protocol: str = "Tcp"
) -> JSON:
    """A load-balancing rule from a frontend port to a backend pool."""
    props = {
        "provisioningState": "Succeeded",
        "frontendIPConfiguration": _ref(frontend_id),
        "backendAddressPool": _ref(pool_id),
        "backendAddressPools": [_ref(pool_id)],
        "protocol": protocol,
        "frontendPort": frontend_port,
        "backendPort": backend_port,
        "enableFloatingIP": False,
        "loadDistribution": "Default",
    }
    return {"id": rule_id, "name": rule_id.rsplit("/", 1)[-1], "properties": props}


def load_balancer(
    lb_id: str,
    location: str,
    *,
    frontends: Iterable[JSON] = (),
    pools: Iterable[JSON] = (),
    nat_rules: Iterable[JSON] = (),
    rules: Iterable[JSON] = (),
    nat_pools: Iterable[JSON] = (),
    sku: str = "Standard",
) -> JSON:
    """A load balancer with its frontends, pools and rules."""
    props = {
        "provisioningState": "Succeeded",
        "frontendIPConfigurations": list(frontends),
        "backendAddressPools": list(pools),
        "inboundNatRules": list(nat_rules),
        "loadBalancingRules": list(rules),
        "probes": [],
        "outboundRules": [],
        "inboundNatPools": list(nat_pools),
    }
    body = _resource(lb_id, "loadBalancers", location, props)
    body["sku"] = {"name": sku, "tier": "Regional"}
    return body


def _resource(rid: str, kind: str, location: str, props: JSON, tags: dict[str, str] | None = None) -> JSON:
    body: JSON = {
        "id": rid,
        "name": rid.rsplit("/", 1)[-1],
        "type": f"{NETWORK}/{kind}",
        "location": location,
        "etag": 'W/"00000000-0000-0000-0000-000000000000"',
        "properties": props,
    }
    if tags:
        body["tags"] = dict(tags)
    return body


# ---------------------------------------------------------------------------------- a linked network


@dataclass
class NetworkBuilder:
    """Network resources of one resource group and location, with Azure's back-references kept."""

    subscription: str
    group: str
    location: str = "eastus"
    _nsgs: dict[str, JSON] = field(default_factory=dict)
    _vnets: list[JSON] = field(default_factory=list)
    _nics: list[JSON] = field(default_factory=list)
    _pips: dict[str, JSON] = field(default_factory=dict)
    _lbs: list[JSON] = field(default_factory=list)

    def id(self, kind: str, name: str, *more: str) -> str:
        """``/subscriptions/S/resourceGroups/G/providers/Microsoft.Network/kind/name[/...]``."""
        return arm_id(self.subscription, self.group, NETWORK, kind, name, *more)

    def nsg(self, name: str, *rules: dict[str, Any]) -> str:
        """An NSG with custom rules given as :func:`security_rule` keyword arguments plus ``name`` and
        ``priority``; returns its id."""
        rid = self.id("networkSecurityGroups", name)
        built = [security_rule(rid, r.pop("name"), r.pop("priority"), **r) for r in map(dict, rules)]
        self._nsgs[rid] = nsg(rid, self.location, built)
        return rid

    def vnet(self, name: str, space: str, subnets: dict[str, tuple[str, str]]) -> dict[str, str]:
        """A virtual network; ``subnets``: name -> (prefix, NSG id or ""); returns subnet ids by name."""
        rid = self.id("virtualNetworks", name)
        ids = {s: f"{rid}/subnets/{s}" for s in subnets}
        built = [subnet(ids[s], prefix, nsg_id) for s, (prefix, nsg_id) in subnets.items()]
        for s, (_, nsg_id) in subnets.items():
            if nsg_id:
                self._nsgs[nsg_id]["properties"].setdefault("subnets", []).append(_ref(ids[s]))
        self._vnets.append(vnet(rid, self.location, [space], built))
        return ids

    def public_ip(self, name: str, address: str, sku: str = "Standard", fqdn: str = "") -> str:
        """A public IP address (associated when a NIC or frontend takes it); returns its id."""
        rid = self.id("publicIPAddresses", name)
        self._pips[rid] = public_ip(rid, self.location, address, sku=sku, fqdn=fqdn)
        return rid

    def nic(
        self,
        name: str,
        subnet_id: str,
        private_ip: str,
        *,
        public_ip_id: str = "",
        nsg_id: str = "",
        vm: str = "",
    ) -> str:
        """A NIC with one IP configuration (``ipconfig1``) and, when ``vm`` is named, a VM; returns the
        configuration's id."""
        rid = self.id("networkInterfaces", name)
        config_id = f"{rid}/ipConfigurations/ipconfig1"
        vm_id = (
            arm_id(self.subscription, self.group, "Microsoft.Compute", "virtualMachines", vm) if vm else ""
        )
        config = ip_configuration(config_id, private_ip, subnet_id, public_ip=public_ip_id)
        self._nics.append(nic(rid, self.location, [config], nsg_id=nsg_id, vm_id=vm_id))
        if public_ip_id:
            self._pips[public_ip_id]["properties"]["ipConfiguration"] = _ref(config_id)
        if nsg_id:
            self._nsgs[nsg_id]["properties"].setdefault("networkInterfaces", []).append(_ref(rid))
        return config_id

    def load_balancer(
        self,
        name: str,
        frontend_ips: dict[str, str],
        pools: dict[str, Sequence[str]] | None = None,
        nat: Iterable[tuple[str, str, int, int, str]] = (),
        rules: Iterable[tuple[str, str, str, int, int]] = (),
        nat_pools: Iterable[tuple[str, str, int, int, int]] = (),
        sku: str = "Standard",
    ) -> str:
        """A load balancer: ``frontend_ips`` frontend name -> public IP id; ``pools`` pool name -> IP
        configuration ids; ``nat`` (rule, frontend, frontend port, backend port, configuration id);
        ``rules`` (rule, frontend, pool, frontend port, backend port); ``nat_pools`` (pool, frontend,
        first and last frontend port, backend port). Pool members that are not NICs built here (a scale
        set instance's configuration) are listed as given. Returns its id."""
        rid = self.id("loadBalancers", name)
        fe = {f: f"{rid}/frontendIPConfigurations/{f}" for f in frontend_ips}
        pool_ids = {p: f"{rid}/backendAddressPools/{p}" for p in pools or {}}
        for f, pip in frontend_ips.items():
            self._pips[pip]["properties"]["ipConfiguration"] = _ref(fe[f])
        nat_rules = []
        for rule, f, front, back, target in nat:
            nat_rules.append(nat_rule(f"{rid}/inboundNatRules/{rule}", fe[f], front, back, target))
            self._config(target).setdefault("loadBalancerInboundNatRules", []).append(
                _ref(nat_rules[-1]["id"])
            )
        for p, members in (pools or {}).items():
            for member in members:
                self._config(member).setdefault("loadBalancerBackendAddressPools", []).append(
                    _ref(pool_ids[p])
                )
        self._lbs.append(
            load_balancer(
                rid,
                self.location,
                frontends=[frontend(fe[f], pip) for f, pip in frontend_ips.items()],
                pools=[backend_pool(pool_ids[p], members) for p, members in (pools or {}).items()],
                nat_rules=nat_rules,
                rules=[
                    balancing_rule(f"{rid}/loadBalancingRules/{r}", fe[f], pool_ids[p], front, back)
                    for r, f, p, front, back in rules
                ],
                nat_pools=[
                    nat_pool(f"{rid}/inboundNatPools/{n}", fe[f], first, last, back)
                    for n, f, first, last, back in nat_pools
                ],
                sku=sku,
            )
        )
        return rid

    def _config(self, config_id: str) -> JSON:
        """The properties of a NIC's IP configuration built here (a detached copy for any other)."""
        for built in self._nics:
            for config in built["properties"]["ipConfigurations"]:
                if config["id"] == config_id:
                    props: JSON = config["properties"]
                    return props
        return {}

    def resources(self) -> list[JSON]:
        """Every resource built, for :meth:`FakeSubscription.add`."""
        return [*self._nsgs.values(), *self._vnets, *self._nics, *self._pips.values(), *self._lbs]
