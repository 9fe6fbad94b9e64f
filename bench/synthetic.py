"""Synthetic findings documents of any size: a real findings.json (the demo's) repeated, each copy's
resources renamed.

In copy ``k`` of a finding, its resource id, the id's last segment, its resource name, its account and
every IPv4 address change everywhere in the finding (message, evidence, network facts, exposure
evidence): the copies differ where the findings of different resources of a real account differ, and
share what one check writes for every resource (the wording, the evidence's keys, the rule text). The
attack surface is repeated the same way, one copy of it per copy of the findings.
"""

from __future__ import annotations

import json
import re
from typing import Any

from cloudaudit.exposure.model import ExposureLevel
from cloudaudit.model.finding import FindingsDocument

_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
_CLOUD_IDS = re.compile(r"\b(?:i|eni|sg|subnet|vpc|igw|rtb|acl|eipalloc|nat|vol|snap)-[0-9a-f]{8,17}\b")
"""Other resources' ids a finding names (an instance's interfaces, a route's gateway...)."""
_KEEP_IPS = frozenset({"0.0.0.0", "127.0.0.1", "255.255.255.255"})
_SEPARATORS = re.compile(r"[/:]")


def _tail(resource_id: str) -> str:
    """The id's last segment (after its last ``/`` or ``:``)."""
    return _SEPARATORS.split(resource_id)[-1]


def swap(text: str, pairs: list[tuple[str, str]]) -> str:
    """``text`` with each old value of ``pairs`` (longest first, 3 characters or more) replaced by its
    new value, in one pass (a new value is never replaced again)."""
    pairs = sorted((p for p in pairs if len(p[0]) >= 3 and p[0] != p[1]), key=lambda p: -len(p[0]))
    for i, (old, _) in enumerate(pairs):
        text = text.replace(old, f"\x00{i}\x00")
    for i, (_, new) in enumerate(pairs):
        text = text.replace(f"\x00{i}\x00", new)
    return text


class _Renamer:
    """Maps the values of one copy ``k``: stable, distinct across copies, and the same everywhere."""

    def __init__(self, k: int, accounts: int) -> None:
        self.k = k
        self.accounts = accounts
        self.ips: dict[str, str] = {}

    def account(self, account: str) -> str:
        if self.k == 0:
            return account
        n = self.k % self.accounts
        if n == 0:
            return account
        return account[:-1] + str(n) if account[-1:].isdigit() else f"{account}-{n}"

    def ip(self, match: re.Match[str]) -> str:
        ip = match.group(0)
        if self.k == 0 or ip in _KEEP_IPS or ip.endswith(".0"):
            return ip
        if ip not in self.ips:
            n = self.k * 256 + (sum(map(int, ip.split("."))) % 256)
            self.ips[ip] = f"198.{18 + n // 65536 % 2}.{n // 256 % 256}.{n % 256}"
        return self.ips[ip]

    def text(self, text: str, pairs: list[tuple[str, str]]) -> str:
        """``text`` with each old value of ``pairs`` replaced by its new value, then other resources'
        ids and the addresses renamed."""
        text = swap(text, pairs)
        text = _CLOUD_IDS.sub(lambda m: f"{m.group(0)}{self.k:04x}", text)
        return _IPV4.sub(self.ip, text)


def _finding(item: dict[str, Any], renamer: _Renamer) -> dict[str, Any]:
    if renamer.k == 0:
        return item
    rid, name, account = item["resource_id"], item["resource_name"], item["account"]
    tail, suffix = _tail(rid), f"-{renamer.k:04d}"
    pairs = [(account, renamer.account(account)), (tail, tail + suffix), (name, name + suffix)]
    pairs.append((rid, swap(rid, pairs) if len(tail) >= 3 else rid + suffix))
    out: dict[str, Any] = json.loads(renamer.text(json.dumps(item), pairs))
    return out


def _entry(item: dict[str, Any], renamer: _Renamer, accounts: list[str]) -> dict[str, Any]:
    if renamer.k == 0:
        return item
    pairs = [(a, renamer.account(a)) for a in accounts]
    endpoint = item["endpoint"]
    if not _IPV4.fullmatch(endpoint):
        pairs.append((endpoint, f"c{renamer.k:04d}.{endpoint}"))
    owner = item.get("owner") or {}
    if owner.get("name"):
        pairs.append((owner["name"], f"{owner['name']}-{renamer.k:04d}"))
    out: dict[str, Any] = json.loads(renamer.text(json.dumps(item), pairs))
    return out


def scaled(doc: FindingsDocument, n: int, accounts: int = 8) -> FindingsDocument:
    """A document of ``n`` findings: ``doc``'s repeated (renamed per copy), cut at ``n``."""
    data = doc.model_dump(mode="json")
    base, surface = data["findings"], data["surface"]
    if not base:
        raise ValueError("the document has no finding to repeat")
    copies = -(-n // len(base))
    findings: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    names: set[str] = set()
    for k in range(copies):
        renamer = _Renamer(k, accounts)
        findings.extend(_finding(item, renamer) for item in base[: n - len(findings)])
        entries.extend(_entry(item, renamer, data["run"]["accounts"]) for item in surface)
        names.update(renamer.account(a) for a in data["run"]["accounts"])
    entries.sort(key=lambda e: -ExposureLevel(e["level"]).rank)  # strongest first, as findings.json
    data["findings"], data["surface"] = findings, entries
    data["run"]["accounts"] = sorted(names)
    return FindingsDocument.model_validate(data)
