"""Which ports of each target the probe plans, and why.

A target's probe plan is, in this order of reasons:

1. the ports its configuration opens (a rule, a setting);
2. every port an exposure source (shodan, internetdb, file) reported on it in this run, even when
   no rule opens it (a stale rule elsewhere, a load balancer, a shadow service);
3. inside a range too wide to list (all traffic, 9200-9300): the catalogue's well-known service
   ports (or the ``--probe-ports`` list instead), and any port a ``--connect-to`` names there.

The plan never adds a host: only the targets discovered in the account are planned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from cloudaudit.errors import UsageError
from cloudaudit.exposure.model import PortRange, SourceResult, Target, TargetPort
from cloudaudit.exposure.sources import ExposureOptions
from cloudaudit.ports import in_range

MAX_PROBE_PORTS = 1024
"""At most this many ports in ``--probe-ports`` (each is probed on every wide range of every target)."""
PROBE_SOURCE = "probe"


def parse_probe_ports(text: str) -> tuple[int, ...]:
    """``--probe-ports 80,443,8000-8010`` -> sorted distinct ports; a usage error when malformed."""
    ports: set[int] = set()
    for item in (i.strip() for i in text.split(",")):
        if not item:
            continue
        low, dash, high = item.partition("-")
        if not low.strip().isdigit() or (dash and not high.strip().isdigit()):
            raise UsageError(f"--probe-ports: {item!r} is not a port or a range such as 8000-8010")
        first, last = int(low), int(high) if dash else int(low)
        if not 0 < first <= last < 65536:
            raise UsageError(f"--probe-ports: {item!r} is not within 1-65535 (low-high, low first)")
        ports.update(range(first, last + 1))
        if len(ports) > MAX_PROBE_PORTS:
            raise UsageError(f"--probe-ports: more than {MAX_PROBE_PORTS} ports; list fewer")
    if not ports:
        raise UsageError("--probe-ports: no port given (e.g. --probe-ports 80,443,8000-8010)")
    return tuple(sorted(ports))


def configured_reason(port: TargetPort) -> str:
    """The plan reason of a port the configuration opens."""
    return f"configured ({port.via})" if port.via else "configured"


def observed_ports(results: Sequence[SourceResult]) -> dict[str, dict[int, list[str]]]:
    """host -> TCP port -> the sources (other than the probe) that saw it open in this run."""
    seen: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for result in results:
        for obs in result.observations:
            if (
                obs.source != PROBE_SOURCE
                and obs.kind == "open_port"
                and obs.port is not None
                and obs.transport == "tcp"
                and obs.source not in seen[obs.host][obs.port]
            ):
                seen[obs.host][obs.port].append(obs.source)
    return seen


def _range_ports(wide: PortRange, options: ExposureOptions, host: str) -> list[tuple[int, str]]:
    """(port, reason) for the ports planned inside one wide range."""
    where = f"inside {wide.label}" + (f" from {wide.via}" if wide.via else "")
    if options.probe_ports is not None:
        listed = [(p, f"--probe-ports port {where}") for p in options.probe_ports if wide.covers(p)]
    else:
        listed = [(s.port, f"catalogue port {where}") for s in in_range(wide.from_port, wide.to_port)]
    named = [
        (m.port, f"--connect-to port {where}")
        for m in options.connect_to
        if m.port is not None and m.matches(host, m.port) and wide.covers(m.port)
    ]
    return [*listed, *named]


def plan_target(target: Target, observed: dict[int, list[str]], options: ExposureOptions) -> Target:
    """``target`` with the ports the probe plans, each with its reason (the first reason wins)."""
    planned: dict[tuple[int, str], TargetPort] = {
        (p.port, p.transport): p.model_copy(update={"reason": p.reason or configured_reason(p)})
        for p in target.ports
    }
    tcp_ranges = [r for r in target.ranges if r.transport == "tcp"]
    for port, sources in sorted(observed.items()):
        via = next((r.via for r in tcp_ranges if r.covers(port)), "")
        reason = f"observed by {' and '.join(sources)}"
        planned.setdefault((port, "tcp"), TargetPort(port=port, via=via, origin="observed", reason=reason))
    for wide in tcp_ranges:
        for port, reason in _range_ports(wide, options, target.host):
            planned.setdefault(
                (port, "tcp"), TargetPort(port=port, via=wide.via, origin="range", reason=reason)
            )
    ports = tuple(sorted(planned.values(), key=lambda p: (p.port, p.transport)))
    return target.model_copy(update={"ports": ports})


def plan_ports(
    targets: Sequence[Target], results: Sequence[SourceResult], options: ExposureOptions
) -> list[Target]:
    """Every target with its planned ports (configured, observed in this run, inside wide ranges)."""
    observed = observed_ports(results)
    return [plan_target(t, observed.get(t.host, {}), options) for t in targets]
