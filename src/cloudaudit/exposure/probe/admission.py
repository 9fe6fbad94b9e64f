"""Which targets the probe may contact, decided at planning, before any ``--connect-to`` mapping.

Host names and addresses come from the audited account, so an account can name anything: the
cloud metadata service, a database on the auditor's own network, a header injection. Each target
is classified by its literal or resolved address (or its special-use name):

* **invalid** (not a DNS name or an IP literal): always refused, it never reaches a socket or a header;
* **special** (loopback, link-local incl. the metadata addresses 169.254.169.254 and fd00:ec2::254,
  private RFC 1918 / fc00::/7, CGNAT 100.64.0.0/10, multicast, reserved, unspecified, single-label
  and local names): refused unless ``--probe-private`` (audits of private estates);
* **documentation** (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32, 3fff::/20 and the
  ``.test``/``.example``/``.invalid`` names): never a real Internet host, so refused for a direct
  connection but allowed when an explicit ``--connect-to`` mapping covers the endpoint (the demo,
  and test stand-ins);
* **public**: allowed. A resolved name is connected to at the addresses classified here (no
  second lookup that could answer differently).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], Sequence[str]]
"""Host name -> its addresses; raises ``OSError`` when the name does not resolve."""
Kind = Literal["public", "special", "documentation", "invalid", "unresolved"]

_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
_DOCUMENTATION = tuple(
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "3fff::/20")
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_RFC1918 = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_DOCUMENTATION_NAMES = ("test", "example", "invalid")
"""RFC 6761 top-level names that never exist in the public DNS."""
_LOCAL_NAMES = ("localhost", "local", "internal", "home.arpa")
"""Loopback, mDNS, private-use (ICANN) and home-network names."""
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
MAX_NAME = 253

PRIVATE_OPT_IN = "--probe-private to include private estates"


def embedded_ipv4(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one carries (IPv4-mapped, 6to4, NAT64 64:ff9b::/96), else itself."""
    if isinstance(address, ipaddress.IPv4Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def address_category(address: IPAddress) -> tuple[Kind, str]:
    """``(kind, why)`` for one address; ``("public", "")`` for a globally routable one."""
    inner = embedded_ipv4(address)
    if inner != address:
        kind, why = address_category(inner)
        return (kind, f"{why}, embedded in {address}") if kind != "public" else (kind, why)
    checks: tuple[tuple[bool, Kind, str], ...] = (
        (address in _METADATA, "special", "the cloud metadata service address"),
        (any(address in n for n in _DOCUMENTATION), "documentation", "a documentation address"),
        (address.is_unspecified, "special", "an unspecified address"),
        (address.is_loopback, "special", "a loopback address"),
        (address.is_link_local, "special", "a link-local address"),
        (address.is_multicast, "special", "a multicast address"),
        (address in _CGNAT, "special", "a shared (CGNAT, RFC 6598) address"),
        (any(address in n for n in _RFC1918), "special", "a private (RFC 1918) address"),
        (address in _UNIQUE_LOCAL, "special", "a unique local (fc00::/7) address"),
        (address.is_reserved, "special", "a reserved address"),
        (address.is_private or not address.is_global, "special", "a special-purpose, non-global address"),
    )
    return next(((kind, why) for hit, kind, why in checks if hit), ("public", ""))


def is_valid_name(host: str) -> bool:
    """True for a DNS host name: dot-separated labels of 1-63 letters, digits or inner hyphens."""
    name = host[:-1] if host.endswith(".") else host
    return 0 < len(name) <= MAX_NAME and all(_LABEL.match(label) for label in name.split("."))


def name_category(host: str) -> tuple[Kind, str] | None:
    """The kind of a name that must not be looked up (special-use or local), else None."""
    name = host.lower().rstrip(".")
    labels = name.split(".")
    if labels[-1].isdigit():
        return "invalid", "a numeric top-level label (an address in disguise)"
    if any(name == n or name.endswith(f".{n}") for n in _DOCUMENTATION_NAMES):
        return "documentation", "a documentation name (RFC 6761)"
    if any(name == n or name.endswith(f".{n}") for n in _LOCAL_NAMES):
        return "special", "a local network name"
    if len(labels) == 1:
        return "special", "a single-label name (looked up in the local search domains)"
    return None


def system_resolver(host: str) -> list[str]:
    """The addresses the system resolver gives for ``host`` (TCP), in its preference order."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class Verdict:
    """What a target is: its kind, why, and the addresses a direct connection goes to."""

    host: str
    kind: Kind
    why: str = ""
    addresses: tuple[str, ...] = ()

    def refusal(self, mapped: bool, allow_private: bool) -> str:
        """Why the probe must not contact this host ("" if it may); ``mapped``: a ``--connect-to`` applies."""
        if self.kind == "invalid":
            return f"invalid host name: {self.why}"
        if self.kind == "special" and not allow_private:
            return f"{self.why} ({PRIVATE_OPT_IN})"
        if self.kind == "documentation" and not mapped:
            return f"{self.why}: never a real Internet host (probed only through --connect-to)"
        if self.kind == "unresolved" and not mapped:
            return f"cannot resolve: {self.why}"
        return ""


def classify(host: str, resolver: Resolver = system_resolver) -> Verdict:
    """Classify ``host`` by its literal address, its special-use name, or every address it resolves to."""
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        kind, why = address_category(literal)
        return Verdict(host, kind, f"{host} is {why}" if why else "", (str(literal),))
    if not is_valid_name(host):
        return Verdict(host, "invalid", "not a DNS name or an IP address")
    special = name_category(host)
    if special is not None:
        return Verdict(host, special[0], f"{host} is {special[1]}")
    try:
        addresses = tuple(resolver(host))
    except (OSError, UnicodeError) as exc:
        return Verdict(host, "unresolved", f"{host}: {getattr(exc, 'strerror', None) or exc}")
    if not addresses:
        return Verdict(host, "unresolved", f"{host}: no address")
    found = [
        (address, *address_category(ipaddress.ip_address(address.split("%")[0]))) for address in addresses
    ]
    for wanted in ("special", "documentation"):  # the most restrictive answer counts
        for address, kind, why in found:
            if kind == wanted:
                return Verdict(host, kind, f"{host} resolves to {address}, {why}", addresses)
    return Verdict(host, "public", "", addresses)


def ip_version(host: str) -> int | None:
    """4 or 6 for an address literal, None for anything else."""
    try:
        return ipaddress.ip_address(host).version
    except ValueError:
        return None
