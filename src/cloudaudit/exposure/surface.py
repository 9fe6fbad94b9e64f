"""The attack surface: every Internet-facing endpoint with its level on the evidence ladder (pure, no I/O).

An endpoint's level does not depend on whether its findings pass: an address a rule opens is
``configured``; ``reachable`` when a finding on its resources shows a complete in-account path;
``observed`` when an Internet index lists it; ``confirmed`` when the probe connected;
``exploitable`` when the probe saw a misconfiguration. A source that could not check an endpoint
leaves the configuration's level in place and is named in ``gaps``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial

from cloudaudit.exposure.model import ExposureGap, ExposureLevel, Observation, SourceResult, Target
from cloudaudit.exposure.rules import probe_rule
from cloudaudit.model.asset import Asset, Endpoint, strongest_owner
from cloudaudit.model.finding import Finding
from cloudaudit.model.inventory import Inventory
from cloudaudit.model.surface import (
    OpenPort,
    ProbeView,
    Reachability,
    SeenPort,
    SourceView,
    SurfaceEntry,
    SurfaceOwner,
)
from cloudaudit.ports import service_name

PROBE = "probe"

VERDICTS: tuple[Reachability, ...] = ("reachable", "restricted", "blocked", "private", "unknown")
"""In-account reachability verdicts, the most open first: the endpoint takes the most open one."""


def reachability_of(finding: Finding) -> str:
    """The finding's in-account reachability: its typed ``network`` facts when present, else its evidence."""
    verdict = finding.network.reachability if finding.network else None
    if verdict is None:
        verdict = finding.evidence.get("reachability")
    return str(verdict) if verdict is not None else ""


def _verdict(said: set[str]) -> Reachability:
    """The most open of the verdicts ``said`` (not_assessed when none is one)."""
    return next((v for v in VERDICTS if v in said), "not_assessed")


def _owner(asset_ids: Sequence[str], assets: Mapping[str, Asset]) -> SurfaceOwner | None:
    """An instance or database before the interface, address or group in front of it."""
    best = strongest_owner(assets[a] for a in asset_ids if a in assets)
    if best is None:
        return None
    return SurfaceOwner(id=best.id, name=best.name, kind=best.kind, account=best.account)


def _open_port(endpoint: Endpoint) -> OpenPort:
    single = endpoint.from_port == endpoint.to_port and endpoint.protocol in ("tcp", "udp")
    named = service_name(endpoint.from_port, endpoint.protocol) if single else ""
    return OpenPort(
        protocol=endpoint.protocol,
        from_port=endpoint.from_port,
        to_port=endpoint.to_port,
        via=endpoint.via,
        service=endpoint.application or ("" if named.startswith("port ") else named),
    )


def _port_order(port: OpenPort) -> tuple[int, int, str, str]:
    return (port.from_port, port.to_port, port.protocol, port.via)


def _seen(observations: Iterable[Observation]) -> tuple[SeenPort, ...]:
    ports: dict[tuple[int, str], SeenPort] = {}
    for obs in observations:
        if obs.kind == "open_port" and obs.port is not None:
            ports.setdefault(
                (obs.port, obs.transport),
                SeenPort(port=obs.port, transport=obs.transport, service=obs.service),
            )
    return tuple(sorted(ports.values(), key=lambda p: (p.port, p.transport)))


def _index_view(source: str, observations: Sequence[Observation]) -> SourceView:
    return SourceView(
        source=source,
        listed=any(o.level is not ExposureLevel.NONE for o in observations),
        ports=_seen(observations),
        cves=len({cve for o in observations for cve in o.cves}),
    )


def _probe_view(observations: Sequence[Observation]) -> ProbeView:
    return ProbeView(
        answered=_seen(o for o in observations if o.level.rank >= ExposureLevel.CONFIRMED.rank),
        checks=tuple(dict.fromkeys(o.check for o in observations if o.check)),
    )


def _strongest(observations: Sequence[Observation]) -> Observation | None:
    """The observation proving the highest rung; among misconfigurations, the most severe one."""
    positive = [o for o in observations if o.level is not ExposureLevel.NONE]
    if not positive:
        return None

    def weight(obs: Observation) -> tuple[int, int, int]:
        severity = probe_rule(obs.check, obs.summary).severity.rank if obs.check else -1
        return (obs.level.rank, severity, len(obs.cves))

    return max(positive, key=weight)


def _config_evidence(ports: Sequence[OpenPort], findings: Sequence[Finding], verdict: str) -> str:
    if verdict == "reachable":
        for finding in findings:
            hops = finding.evidence.get("path")
            if reachability_of(finding) == "reachable" and isinstance(hops, list):
                path = " -> ".join(str(h.get("detail", "")) for h in hops if isinstance(h, Mapping))
                if path:
                    return f"config: reachable: {path}"
    if ports:
        first = ports[0]
        more = f" (+{len(ports) - 1} more)" if len(ports) > 1 else ""
        return f"config: {first.via or 'open'}{more}"
    return "config: public address; no rule opens a port"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _entry(
    target: Target,
    resource_ids: tuple[str, ...],
    assets: Mapping[str, Asset],
    endpoints: Iterable[Endpoint],
    said: set[str],
    findings: Callable[[], Sequence[Finding]],
    observations: Sequence[Observation],
    gaps: Sequence[ExposureGap],
) -> SurfaceEntry:
    ports = tuple(sorted(dict.fromkeys(_open_port(e) for e in endpoints), key=_port_order))
    verdict = _verdict(said)
    level = ExposureLevel.CONFIGURED if ports else ExposureLevel.NONE
    if verdict == "reachable":
        level = ExposureLevel.REACHABLE
    strongest = _strongest(observations)
    if strongest is not None and strongest.level.rank >= level.rank:
        level, evidence = strongest.level, f"{strongest.source}: {strongest.summary}"
    else:
        evidence = _config_evidence(ports, findings() if verdict == "reachable" else (), verdict)
    by_source: dict[str, list[Observation]] = defaultdict(list)
    for obs in observations:
        by_source[obs.source].append(obs)
    return SurfaceEntry(
        endpoint=target.host,
        kind="address" if target.is_ip else "hostname",
        owner=_owner(resource_ids, assets),
        resource_ids=resource_ids,
        ports=ports,
        reachability=verdict,
        sources=tuple(_index_view(s, obs) for s, obs in by_source.items() if s != PROBE),
        probe=_probe_view(by_source[PROBE]) if PROBE in by_source else None,
        level=level,
        evidence=_one_line(evidence),
        gaps=tuple(dict.fromkeys(_one_line(f"{g.source}: {g.reason}") for g in gaps)),
    )


def _findings_of(owners: Sequence[str], by_resource: Mapping[str, list[Finding]]) -> list[Finding]:
    return [f for rid in owners for f in by_resource.get(rid, ())]


def build_surface(
    targets: Sequence[Target],
    inventory: Inventory,
    findings: Sequence[Finding],
    results: Sequence[SourceResult],
) -> list[SurfaceEntry]:
    """One entry per target, strongest evidence first (then by endpoint)."""
    assets = {a.id: a for a in inventory.assets}
    exposers: dict[str, list[tuple[str, Endpoint]]] = defaultdict(list)
    for asset in inventory.assets:
        for endpoint in asset.endpoints:
            exposers[endpoint.host].append((asset.id, endpoint))
    owned = {aid for t in targets for aid in (*t.asset_ids, *(aid for aid, _ in exposers[t.host]))}
    by_resource: dict[str, list[Finding]] = defaultdict(list)
    """The "reachable" findings of the endpoints' owners (whose paths the entries quote)."""
    said_of: dict[str, set[str]] = defaultdict(set)
    """The in-account verdicts of each resource's findings (an endpoint takes its owners')."""
    for finding in findings:
        if finding.resource_id not in owned:  # no endpoint takes its verdict
            continue
        said = reachability_of(finding)
        said_of[finding.resource_id].add(said)
        if said == "reachable":
            by_resource[finding.resource_id].append(finding)
    observations: dict[str, list[Observation]] = defaultdict(list)
    gaps: dict[str, list[ExposureGap]] = defaultdict(list)
    for result in results:
        for obs in result.observations:
            observations[obs.host].append(obs)
        for gap in result.gaps:
            gaps[gap.host].append(gap)
    entries = []
    for target in targets:
        exposing = exposers[target.host]
        owners = tuple(dict.fromkeys((*target.asset_ids, *(aid for aid, _ in exposing))))
        entries.append(
            _entry(
                target,
                owners,
                assets,
                (e for _, e in exposing),
                set().union(*(said_of.get(rid, ()) for rid in owners)),
                partial(_findings_of, owners, by_resource),
                observations[target.host],
                gaps[target.host],
            )
        )
    return sorted(entries, key=lambda e: (-e.level.rank, e.endpoint))
