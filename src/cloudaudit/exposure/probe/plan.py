"""The probe plan: which endpoints will be contacted, and which are refused and why (see admission)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from cloudaudit.exposure.model import ExposureGap, Target, TargetPort
from cloudaudit.exposure.probe.admission import Verdict, ip_version
from cloudaudit.exposure.probe.connect import Connector, Endpoint
from cloudaudit.exposure.probe.results import SOURCE
from cloudaudit.exposure.probe_ports import configured_reason
from cloudaudit.exposure.sources import ExposureOptions
from cloudaudit.terminal import printable

REFUSED_PORTS_SHOWN = 10
ORIGIN_ORDER = ("configured", "observed", "range")
"""The printed plan lists configured ports first, then observed ones, then those inside wide ranges."""


def port_list(ports: Sequence[int], limit: int = REFUSED_PORTS_SHOWN) -> str:
    """``21, 22, 80`` (``... and 97 more`` past ``limit``)."""
    shown = ", ".join(map(str, ports[:limit]))
    return shown + (f" and {len(ports) - limit} more" if len(ports) > limit else "")


@dataclass(frozen=True)
class Job:
    """One admitted port and where its socket goes."""

    target: Target
    port: TargetPort
    endpoint: Endpoint


@dataclass(frozen=True)
class Refusal:
    """Ports of one host the probe will not contact, with the reason."""

    host: str
    ports: tuple[int, ...]
    reason: str

    @property
    def label(self) -> str:
        """``host:port``, or ``host (ports 80, 443)``."""
        head = f"[{self.host}]" if ip_version(self.host) == 6 else self.host
        if len(self.ports) == 1:
            return f"{head}:{self.ports[0]}"
        return f"{self.host} (ports {port_list(self.ports)})"

    def line(self) -> str:
        """The plan line (account-controlled text made printable)."""
        return f"probe: not contacting {printable(self.label)}: {printable(self.reason)}"

    def gap(self) -> ExposureGap:
        """The coverage entry: the host was not checked, and why."""
        ports = port_list(self.ports)
        return ExposureGap(
            source=SOURCE, host=self.host, reason=f"not contacted (port {ports}): {self.reason}"
        )


@dataclass(frozen=True)
class ProbePlan:
    """Admitted jobs and refused endpoints."""

    jobs: tuple[Job, ...]
    refused: tuple[Refusal, ...]

    def reason_lines(self, limit: int) -> list[str]:
        """One line per reason (configured, observed, inside a wide range) with its endpoints.

        Ports of one host reached the same way share it (``203.0.113.10:21, 22, 80``); after
        ``limit`` ports a line ends with "and N more".
        """
        groups: dict[str, list[Job]] = defaultdict(list)
        rank: dict[str, int] = {}
        for job in self.jobs:
            reason = job.port.reason or configured_reason(job.port)
            groups[reason].append(job)
            rank.setdefault(reason, ORIGIN_ORDER.index(job.port.origin))
        ordered = sorted(groups.items(), key=lambda item: rank[item[0]])
        return [
            f"probe:   {printable(reason, limit=0)}: {_endpoints(jobs, limit)}" for reason, jobs in ordered
        ]


def _endpoints(jobs: Sequence[Job], limit: int) -> str:
    """Ports grouped by host and route: ``host:21, 22 (via 127.0.0.1:9); host:80 (via 127.0.0.1:80)``."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for job in jobs[:limit]:
        ep = job.endpoint
        groups[(ep.host, ep.connect_label if ep.redirected else "")].append(str(ep.port))
    parts = [
        f"{printable(f'[{host}]' if ip_version(host) == 6 else host)}:{', '.join(ports)}"
        + (f" (via {printable(via)})" if via else "")
        for (host, via), ports in groups.items()
    ]
    text = "; ".join(parts)
    return text + (f" and {len(jobs) - limit} more" if len(jobs) > limit else "")


def tcp_ports(targets: Sequence[Target]) -> list[tuple[Target, TargetPort]]:
    """Every TCP port of every target (UDP is never probed)."""
    return [(t, p) for t in targets for p in t.ports if p.transport == "tcp"]


def make_plan(
    targets: Sequence[Target],
    connector: Connector,
    options: ExposureOptions,
    verdicts: Mapping[str, Verdict],
) -> ProbePlan:
    """Admit or refuse each TCP port (with ``probe_only_mapped``, unmapped ports are left out silently)."""
    jobs: list[Job] = []
    refused: dict[tuple[str, str], list[int]] = defaultdict(list)
    for target, port in tcp_ports(targets):
        endpoint = connector.endpoint(target.host, port.port)
        if options.probe_only_mapped and not endpoint.mapped:
            continue
        verdict = verdicts[target.host]
        reason = verdict.refusal(endpoint.mapped, options.probe_private)
        if reason:
            refused[(target.host, reason)].append(port.port)
        else:
            jobs.append(Job(target, port, replace(endpoint, addresses=verdict.addresses)))
    return ProbePlan(
        jobs=tuple(jobs),
        refused=tuple(Refusal(host, tuple(ports), reason) for (host, reason), ports in refused.items()),
    )
