"""The sample subscription's network (resource group ``rg-network``, East US): a good and a bad example
of what the network checks judge.

- ``vm-web``: NIC ``nic-web``, public IP 192.0.2.150, NSG ``nsg-web`` allowing HTTPS (443) only;
- ``vm-db``: NIC ``nic-db``, public IP 192.0.2.151 in subnet ``data``, whose NSG ``nsg-data`` allows RDP
  (3389) and Redis (6379) from the Internet, as does the NIC's NSG ``nsg-db``: both levels allow;
- ``nsg-ssh-orphan``: allows SSH from the Internet, attached to nothing;
- ``vm-legacy``: NIC ``nic-legacy``, a Basic SKU public IP 192.0.2.152 and no NSG at either level;
- ``lb-edge``: public frontend 192.0.2.160 NATting 50022 to SSH (22) of ``vm-app`` (NIC ``nic-app``, no
  public IP of its own, subnet ``apps`` whose NSG ``nsg-apps`` allows 22 and 443 from the Internet),
  and balancing 443 to the same VM.
"""

from __future__ import annotations

from cloudaudit_azure.fake.model_network import NetworkBuilder
from cloudaudit_azure.fake.state import FakeSubscription

GROUP = "rg-network"


def add_network(sub: FakeSubscription) -> None:
    """Add the sample network resources to ``sub``."""
    net = NetworkBuilder(sub.id, GROUP)
    web = net.nsg("nsg-web", {"name": "allow-https", "priority": 100, "source": "Internet", "ports": "443"})
    data = net.nsg(
        "nsg-data",
        {"name": "allow-rdp", "priority": 100, "source": "*", "ports": "3389"},
        {"name": "allow-redis", "priority": 110, "source": "0.0.0.0/0", "ports": "6379"},
    )
    db = net.nsg(
        "nsg-db",
        {"name": "allow-admin-and-cache", "priority": 200, "source": "Internet", "ports": ["3389", "6379"]},
    )
    net.nsg("nsg-ssh-orphan", {"name": "allow-ssh", "priority": 100, "source": "*", "ports": "22"})
    apps = net.nsg(
        "nsg-apps",
        {"name": "allow-ssh", "priority": 100, "source": "Internet", "ports": "22"},
        {"name": "allow-https", "priority": 110, "source": "Internet", "ports": "443"},
    )
    subnets = net.vnet(
        "vnet-demo",
        "10.0.0.0/16",
        {
            "web": ("10.0.1.0/24", ""),
            "data": ("10.0.2.0/24", data),
            "mgmt": ("10.0.3.0/24", ""),
            "apps": ("10.0.4.0/24", apps),
        },
    )
    net.nic(
        "nic-web",
        subnets["web"],
        "10.0.1.4",
        public_ip_id=net.public_ip("pip-web", "192.0.2.150", fqdn="web-demo.eastus.cloudapp.azure.com"),
        nsg_id=web,
        vm="vm-web",
    )
    net.nic(
        "nic-db",
        subnets["data"],
        "10.0.2.4",
        public_ip_id=net.public_ip("pip-db", "192.0.2.151"),
        nsg_id=db,
        vm="vm-db",
    )
    net.nic(
        "nic-legacy",
        subnets["mgmt"],
        "10.0.3.4",
        public_ip_id=net.public_ip("pip-legacy", "192.0.2.152", sku="Basic"),
        vm="vm-legacy",
    )
    app = net.nic("nic-app", subnets["apps"], "10.0.4.4", vm="vm-app")
    net.load_balancer(
        "lb-edge",
        {"fe-public": net.public_ip("pip-lb", "192.0.2.160")},
        pools={"app-pool": [app]},
        nat=[("ssh-vm-app", "fe-public", 50022, 22, app)],
        rules=[("https", "fe-public", "app-pool", 443, 443)],
    )
    sub.add(*net.resources())
