"""Grade findings on the evidence ladder and add findings for what was observed (pure, no I/O).

Every finding gets an :class:`~cloudaudit.exposure.model.Exposure`:

* a PASS (or MUTED, UNKNOWN, ERROR) finding stays at ``none``;
* a FAIL is ``configured``, or ``reachable`` when its evidence shows a complete in-account path;
* observations about the finding's resource (through the addresses it owns) on a port the finding
  concerns raise it: ``observed`` (an index lists the port), ``confirmed`` (the probe connected),
  ``exploitable`` (the probe saw a misconfiguration of the same family: no auth on a database
  port, TLS, CORS).

Severity follows the rung: observed or confirmed raise it one step, exploitable makes it critical.
A ``configured`` finding whose own evidence shows no in-account path (reachability ``blocked``
or ``private``) and whose addresses the sources checked and found closed or not indexed is lowered
one step (it stays visible, with that evidence). Without path evidence nothing is lowered: an
index not listing a managed endpoint (API Gateway, OpenSearch) proves little. Observations with
no matching configuration finding become findings of their own (:mod:`.rules`). Hardening
findings (their evidence names no port, address or path) are not graded by observations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cloudaudit.exposure.model import (
    Exposure,
    ExposureEvidence,
    ExposureGap,
    ExposureLevel,
    Observation,
    SourceResult,
    Target,
)
from cloudaudit.exposure.rules import (
    EXPOSURE_COMPLIANCE,
    KNOWN_VULNERABILITY,
    NOT_CHECKED,
    UNEXPECTED_PORT,
    ExposureRule,
    probe_rule,
)
from cloudaudit.model.asset import Asset
from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import Finding
from cloudaudit.model.inventory import Inventory

EXPLOIT_FAMILIES: dict[str, tuple[str, ...]] = {
    "probe.redis.": ("port", "exposed", "open", "public", "auth", "routable"),
    "probe.memcached.": ("port", "exposed", "open", "public", "auth", "routable"),
    "probe.mongodb.": ("port", "exposed", "open", "public"),
    "probe.elasticsearch.": ("port", "exposed", "open", "public", "access", "anonymous"),
    "probe.tls.": ("tls", "ssl", "https"),
    "probe.http.cors": ("cors",),
}
"""Probe check prefix -> words of the configuration check ids its evidence makes exploitable."""

STEP_UP = {ExposureLevel.OBSERVED, ExposureLevel.CONFIRMED}

NETWORK_EVIDENCE = frozenset(
    {"public_ips", "exposed_public_ips", "reachability", "endpoint", "port", "ports", "opened_by", "rules"}
)
"""Evidence keys that make a finding about what answers on an address (so observations grade it)."""

OWNER_PREFERENCE = ("network_interface", "elastic_ip", "security_group")
"""Asset kinds named by a stage finding only when the address has no better owner (an instance)."""


@dataclass(frozen=True)
class Correlation:
    """The graded findings plus the stage's own findings."""

    findings: list[Finding]
    added: int
    """How many findings the stage added."""


def _endpoint(obs: Observation) -> str:
    return f"{obs.host}:{obs.port}" if obs.port is not None else obs.host


def _evidence(obs: Observation) -> ExposureEvidence:
    # model_construct: the values come from validated Observations (validation would dominate large runs)
    return ExposureEvidence.model_construct(
        source=obs.source, endpoint=_endpoint(obs), seen=obs.summary, seen_at=obs.seen_at
    )


PortRange = tuple[int, int]


def finding_ports(evidence: Mapping[str, Any]) -> list[PortRange] | None:
    """Port ranges a finding is about, read from its evidence; None when it names none (any port counts).

    Understands ``port``, ``ports`` (a list or a port -> name mapping), ``endpoint`` (``host:port``)
    and security group ``rules`` (``from_port``/``to_port``; protocol ``all`` covers every port).
    """
    ranges: list[PortRange] = []
    port = evidence.get("port")
    if isinstance(port, int):
        ranges.append((port, port))
    named = evidence.get("ports")
    if isinstance(named, Mapping | list):
        ranges.extend((int(p), int(p)) for p in named if str(p).isdigit())
    endpoint = evidence.get("endpoint")
    if isinstance(endpoint, str) and endpoint.rpartition(":")[2].isdigit():
        ranges.append((int(endpoint.rpartition(":")[2]),) * 2)
    rules = evidence.get("rules")
    for rule in rules if isinstance(rules, list) else []:
        if not isinstance(rule, Mapping):
            continue
        if rule.get("protocol") == "all":
            ranges.append((0, 65535))
        elif isinstance(rule.get("from_port"), int) and isinstance(rule.get("to_port"), int):
            ranges.append((max(rule["from_port"], 0), rule["to_port"] if rule["to_port"] >= 0 else 65535))
    return ranges or None


def _relevant(obs: Observation, ports: list[PortRange] | None) -> bool:
    return obs.port is None or ports is None or any(lo <= obs.port <= hi for lo, hi in ports)


def _exploits(obs: Observation, check_id: str) -> bool:
    words = next((w for prefix, w in EXPLOIT_FAMILIES.items() if obs.check.startswith(prefix)), ())
    return any(word in check_id for word in words)


def _grade(finding: Finding, observations: Sequence[Observation], checked: bool) -> Finding:
    """One finding's exposure and severity."""
    if finding.status is not Status.FAIL:
        return finding
    reachable = finding.evidence.get("reachability") == "reachable"
    no_path = finding.evidence.get("reachability") in ("blocked", "private")
    level = ExposureLevel.REACHABLE if reachable else ExposureLevel.CONFIGURED
    evidence: list[ExposureEvidence] = []
    if reachable:
        hops = finding.evidence.get("path") or []
        seen = " -> ".join(str(h.get("detail", "")) for h in hops if isinstance(h, Mapping))
        evidence.append(
            ExposureEvidence(source="config", endpoint=str(finding.evidence.get("endpoint", "")), seen=seen)
        )
    ports = finding_ports(finding.evidence)
    if ports is None and not NETWORK_EVIDENCE & set(finding.evidence):
        observations = ()  # a hardening finding (encryption, backups...): not about what answers where
    negative = False
    for obs in observations:
        if not _relevant(obs, ports):
            continue
        if obs.level is ExposureLevel.NONE:
            negative = True
            evidence.append(_evidence(obs))
            continue
        if obs.level is ExposureLevel.EXPLOITABLE and not _exploits(obs, finding.check_id):
            continue
        evidence.append(_evidence(obs))
        if obs.level.rank > level.rank:
            level = obs.level
    severity = finding.severity
    if level is ExposureLevel.EXPLOITABLE:
        severity = Severity.CRITICAL
    elif level in STEP_UP:
        severity = severity.raised()
    elif level is ExposureLevel.CONFIGURED and checked and negative and no_path:
        severity = severity.lowered()
    return finding.model_copy(
        update={
            "severity": severity,
            "exposure": Exposure.model_construct(level=level, evidence=tuple(evidence)),
        }
    )


def _new_finding(
    rule: ExposureRule,
    asset: Asset,
    message: str,
    evidence: dict[str, Any],
    exposure: Exposure,
    status: Status = Status.FAIL,
    severity: Severity | None = None,
) -> Finding:
    return Finding(
        check_id=rule.id,
        title=rule.title,
        severity=severity or rule.severity,
        status=status,
        message=message,
        provider=asset.provider,
        account=asset.account,
        region=asset.region,
        service="exposure",
        resource_type=asset.kind,
        resource_id=asset.id,
        resource_name=asset.name,
        evidence=evidence,
        remediation=" ".join(rule.remediation.split()),
        compliance={k: list(v) for k, v in EXPOSURE_COMPLIANCE.items()},
        exposure=exposure,
    )


def _owner(target: Target, assets: Mapping[str, Asset]) -> Asset | None:
    """The asset a stage finding names: an instance or database before its interface, IP or group."""
    owners = [assets[a] for a in target.asset_ids if a in assets]

    def rank(asset: Asset) -> int:
        return next((i + 1 for i, k in enumerate(OWNER_PREFERENCE) if asset.kind.endswith(k)), 0)

    return min(owners, key=rank) if owners else None


def _configured_open(asset_ids: Iterable[str], assets: Mapping[str, Asset], host: str, port: int) -> bool:
    return any(
        e.host == host and e.covers(port)
        for aid in asset_ids
        if aid in assets
        for e in assets[aid].endpoints
        if e.protocol in ("tcp", "udp", "all")
    )


def _stage_findings(
    targets: Sequence[Target], by_host: Mapping[str, list[Observation]], assets: Mapping[str, Asset]
) -> list[Finding]:
    added: list[Finding] = []
    for target in targets:
        owner = _owner(target, assets)
        if owner is None:
            continue
        for obs in by_host.get(target.host, []):
            exposure = Exposure(level=obs.level, evidence=(_evidence(obs),))
            facts: dict[str, Any] = {"source": obs.source, "endpoint": _endpoint(obs), **obs.details}
            if obs.kind == "vulnerability" and obs.cves:
                added.append(
                    _new_finding(
                        KNOWN_VULNERABILITY,
                        owner,
                        f"{obs.source} reports {len(obs.cves)} known vulnerabilit"
                        f"{'y' if len(obs.cves) == 1 else 'ies'} on {_endpoint(obs)}: "
                        f"{', '.join(obs.cves[:5])}{'...' if len(obs.cves) > 5 else ''}.",
                        {**facts, "cves": list(obs.cves)},
                        exposure,
                    )
                )
            elif obs.level is ExposureLevel.EXPLOITABLE and obs.check:
                rule = probe_rule(obs.check, obs.summary)
                where = "" if _endpoint(obs) in obs.summary else f" ({_endpoint(obs)})"
                message = f"{obs.summary.rstrip('.')}{where}."
                added.append(_new_finding(rule, owner, message, facts, exposure))
            elif (
                obs.kind == "open_port"
                and obs.port is not None
                and obs.level.rank >= ExposureLevel.OBSERVED.rank
                and not _configured_open(target.asset_ids, assets, target.host, obs.port)
            ):
                added.append(
                    _new_finding(
                        UNEXPECTED_PORT,
                        owner,
                        f"{obs.source} sees {obs.transport}/{obs.port}"
                        f"{' (' + obs.service + ')' if obs.service else ''} open on {target.host}, "
                        "but no security group rule of the account opens it to the Internet.",
                        facts,
                        exposure,
                    )
                )
    return added


def _gap_findings(
    gaps: Sequence[ExposureGap], targets: Mapping[str, Target], assets: Mapping[str, Asset]
) -> list[Finding]:
    out: list[Finding] = []
    for gap in gaps:
        target = targets.get(gap.host)
        owner = _owner(target, assets) if target else None
        if owner is None:
            continue
        out.append(
            _new_finding(
                NOT_CHECKED,
                owner,
                f"{gap.source} could not check {gap.host}: {gap.reason}.",
                {"source": gap.source, "host": gap.host, "reason": gap.reason},
                Exposure(),
                status=Status.UNKNOWN,
            )
        )
    return out


def correlate(
    findings: Sequence[Finding],
    inventory: Inventory,
    targets: Sequence[Target],
    results: Sequence[SourceResult],
) -> Correlation:
    """Grade ``findings`` with the sources' observations and add the stage's own findings."""
    assets = {a.id: a for a in inventory.assets}
    by_host: dict[str, list[Observation]] = defaultdict(list)
    for result in results:
        for obs in result.observations:
            by_host[obs.host].append(obs)
    by_asset: dict[str, list[Observation]] = defaultdict(list)
    checked: set[str] = set()
    for target in targets:
        for aid in target.asset_ids:
            by_asset[aid].extend(by_host.get(target.host, []))
            if by_host.get(target.host):
                checked.add(aid)
    graded = [_grade(f, by_asset.get(f.resource_id, []), f.resource_id in checked) for f in findings]
    gaps = [g for r in results for g in r.gaps]
    added = _stage_findings(targets, by_host, assets) + _gap_findings(
        gaps, {t.host: t for t in targets}, assets
    )
    return Correlation(graded + added, len(added))
