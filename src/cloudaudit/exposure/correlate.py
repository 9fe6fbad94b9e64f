"""Grade findings on the evidence ladder and add findings for what was observed (pure, no I/O).

Correlation reads only the typed contract (:class:`~cloudaudit.model.network.NetworkExposure` on a
finding, :attr:`~cloudaudit.model.asset.Asset.address_role` on assets): it holds no provider
knowledge. Every finding gets an :class:`~cloudaudit.exposure.model.Exposure`:

* a PASS (or MUTED, UNKNOWN, ERROR) finding stays at ``none``;
* a FAIL is ``configured``, or ``reachable`` when its network facts say the in-account path is complete;
* observations on the finding's addresses (those it names, else every public address of its
  resource) and on a port it concerns raise it: ``observed`` (an index lists the port), ``confirmed``
  (the probe connected), ``exploitable`` (the probe saw a misconfiguration the check declared as
  proof, ``exploited_by``: no auth on a database port, TLS, CORS). Each evidence item names the
  probe check that fired.

Severity follows the rung: observed or confirmed raise it one step, exploitable makes it critical.
A ``configured`` finding whose own path is ``blocked`` or ``private`` and whose addresses the sources
checked and found closed or not indexed is lowered one step (it stays visible, with that evidence).
Without path evidence nothing is lowered: an index not listing a managed endpoint (API Gateway,
OpenSearch) proves little. Observations with no matching configuration finding become findings of
their own (:mod:`.rules`), named after the address's strongest owner. Findings without network facts
(hardening: encryption, backups...) are not graded by observations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cloudaudit.exposure.configured import config_evidence, is_configured_rung
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
    KNOWN_VULNERABILITY,
    NOT_CHECKED,
    UNEXPECTED_PORT,
    ExposureRule,
    probe_rule,
)
from cloudaudit.model.asset import Asset, strongest_owner
from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import Finding, updated_finding
from cloudaudit.model.inventory import Inventory
from cloudaudit.model.network import NetworkExposure
from cloudaudit.spool import map_findings

STEP_UP = {ExposureLevel.OBSERVED, ExposureLevel.CONFIRMED}
BARE = {level: Exposure(level=level) for level in ExposureLevel}
"""A level without evidence (most graded findings): one shared instance each, not one per finding."""
NO_NETWORK = NetworkExposure()
"""The network facts of a finding that has none (frozen: one instance, not one per graded finding)."""


@dataclass(frozen=True)
class Correlation:
    """The graded findings plus the stage's own findings."""

    graded: Sequence[Finding]
    """The findings given, graded (spooled as they were)."""
    added: list[Finding]
    """The stage's own findings (what the sources saw, what they could not check)."""

    @property
    def findings(self) -> list[Finding]:
        """Graded then added, in one list."""
        return [*self.graded, *self.added]


def _endpoint(obs: Observation) -> str:
    return f"{obs.host}:{obs.port}" if obs.port is not None else obs.host


def _evidence(obs: Observation) -> ExposureEvidence:
    # model_construct: the values come from validated Observations (validation would dominate large runs)
    return ExposureEvidence.model_construct(
        source=obs.source, endpoint=_endpoint(obs), seen=obs.summary, seen_at=obs.seen_at, check=obs.check
    )


def _grade(finding: Finding, observations: Sequence[Observation], checked: bool) -> Finding:
    """One finding's exposure and severity, from its network facts and the observations on its addresses."""
    if finding.status is not Status.FAIL:
        return finding
    network = finding.network or NO_NETWORK
    if finding.network is None:
        observations = ()  # a hardening finding (encryption, backups...): not about what answers where
    if not observations and is_configured_rung(finding.exposure, finding.network):
        return finding  # graded by the engine already (see cloudaudit.exposure.configured)
    reach = network.reachability
    level = ExposureLevel.REACHABLE if reach == "reachable" else ExposureLevel.CONFIGURED
    evidence: list[ExposureEvidence] = []
    if reach == "reachable":
        evidence.append(config_evidence(network))
    negative = False
    for obs in observations:
        if not network.concerns(obs.port, obs.transport):
            continue
        if obs.level is ExposureLevel.NONE:
            negative = True
            evidence.append(_evidence(obs))
            continue
        if obs.level is ExposureLevel.EXPLOITABLE and not network.exploited(obs.check):
            continue
        evidence.append(_evidence(obs))
        if obs.level.rank > level.rank:
            level = obs.level
    severity = finding.severity
    if level is ExposureLevel.EXPLOITABLE:
        severity = Severity.CRITICAL
    elif level in STEP_UP:
        severity = severity.raised()
    elif level is ExposureLevel.CONFIGURED and checked and negative and reach in ("blocked", "private"):
        severity = severity.lowered()
    exposure = Exposure.model_construct(level=level, evidence=tuple(evidence)) if evidence else BARE[level]
    return updated_finding(finding, {"severity": severity, "exposure": exposure})


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
        compliance={k: list(v) for k, v in rule.compliance.items()},
        exposure=exposure,
    )


def _owner(target: Target, assets: Mapping[str, Asset]) -> Asset | None:
    """The asset a stage finding names: an instance or database before its interface, IP or group."""
    return strongest_owner(assets[a] for a in target.asset_ids if a in assets)


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
                        "but no rule in the account's configuration opens it to the Internet.",
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


def _hosts(finding: Finding, hosts_of: Mapping[str, Sequence[str]]) -> Sequence[str]:
    """The addresses a finding names, else every public address of its resource."""
    if finding.network is None:
        return ()
    return tuple(dict.fromkeys(finding.network.addresses)) or hosts_of.get(finding.resource_id, ())


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
    hosts_of: dict[str, list[str]] = defaultdict(list)
    for target in targets:
        for aid in target.asset_ids:
            hosts_of[aid].append(target.host)

    def grade(finding: Finding) -> Finding:
        seen = [obs for host in _hosts(finding, hosts_of) for obs in by_host.get(host, ())]
        return _grade(finding, seen, checked=bool(seen))

    def configured(finding: Finding) -> Finding:  # nothing observed: the configuration's rung
        return _grade(finding, (), checked=False)

    graded = map_findings(findings, grade if by_host else configured)
    gaps = [g for r in results for g in r.gaps]
    added = _stage_findings(targets, by_host, assets) + _gap_findings(
        gaps, {t.host: t for t in targets}, assets
    )
    return Correlation(graded, added)
