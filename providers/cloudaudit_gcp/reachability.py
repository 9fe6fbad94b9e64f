"""In-project reachability on GCP: which ports of which external address the firewall rules open.

(Stub: the signature the compute collector calls; the implementation lands with the firewall checks.)
"""

from __future__ import annotations

from collections.abc import Sequence

from cloudaudit_gcp.assets_compute import FirewallRule, VmInstance


def annotate(
    instances: Sequence[VmInstance], firewalls: Sequence[FirewallRule] | None, unread_reason: str = ""
) -> tuple[list[VmInstance], list[FirewallRule]]:
    """Instances with ``endpoints`` (ports the rules open to the Internet on their external IPs) and
    firewall rules with ``exposed_addresses``; with ``firewalls`` None (not read) every instance with an
    external IP gets ``unread["firewalls"] = unread_reason`` and no endpoints."""
    if firewalls is None:
        gap = {"firewalls": unread_reason}
        marked = [
            i.model_copy(update={"unread": {**i.unread, **gap}}) if i.external_ips() else i for i in instances
        ]
        return marked, []
    return list(instances), list(firewalls)
