"""The ``probe`` source: connects to the audited account's own endpoints, and to nothing else."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from cloudaudit import interrupt
from cloudaudit.exposure.model import ExposureGap, Observation, SourceResult, Target, TargetPort
from cloudaudit.exposure.probe.connect import Connector
from cloudaudit.exposure.probe.dispatch import probe_port
from cloudaudit.exposure.probe.results import SOURCE, Contexts, PortProbe
from cloudaudit.exposure.probe.tls import build_contexts
from cloudaudit.exposure.ratelimit import RateLimiter
from cloudaudit.exposure.sources import ExposureOptions
from cloudaudit.plugins import Progress

PLAN_LIST_LIMIT = 20
DEFAULT_WORKERS = 8


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ProbeSource:
    """Active, opt-in checks of each configured-open TCP port of each target."""

    name = SOURCE

    def __init__(
        self,
        options: ExposureOptions,
        *,
        limiter: RateLimiter | None = None,
        now: Callable[[], datetime] = _utcnow,
        cafile: str | None = None,
        workers: int = DEFAULT_WORKERS,
        contexts: Contexts | None = None,
    ) -> None:
        self.options = options
        self.limiter = limiter or RateLimiter(options.probe_rate_per_second)
        self.connector = Connector(options.connect_to, self.limiter, options.timeout_seconds)
        self.contexts = contexts or build_contexts(cafile)
        self.now = now
        self.workers = max(1, workers)

    def _jobs(self, targets: Sequence[Target]) -> list[tuple[Target, TargetPort]]:
        """TCP ports to probe (with ``probe_only_mapped``: only those a mapping redirects)."""
        jobs = [(t, p) for t in targets for p in t.ports if p.transport == "tcp"]
        if self.options.probe_only_mapped:
            jobs = [(t, p) for t, p in jobs if self.connector.endpoint(t.host, p.port).mapped]
        return jobs

    def plan(self, targets: Sequence[Target]) -> str:
        """The exact list of endpoints that will be contacted, with the pace and timeout."""
        endpoints = [self.connector.endpoint(t.host, p.port) for t, p in self._jobs(targets)]
        rate, timeout = self.options.probe_rate_per_second, self.options.timeout_seconds
        pace = f"(rate limit {rate:g}/s, timeout {timeout:g} s)"
        if not endpoints:
            return f"probe: no endpoint to connect to (no TCP port open in the configuration) {pace}"
        shown = [ep.label + (f" (via {ep.connect_label})" if ep.redirected else "") for ep in endpoints]
        listed = ", ".join(shown[:PLAN_LIST_LIMIT])
        if len(shown) > PLAN_LIST_LIMIT:
            listed += f" and {len(shown) - PLAN_LIST_LIMIT} more"
        noun = "endpoint" if len(endpoints) == 1 else "endpoints"
        return f"probe: will connect to {len(endpoints)} {noun} of the audited account: {listed} {pace}"

    def observe(self, targets: Sequence[Target], progress: Progress) -> SourceResult:
        """Probe every TCP target port; errors become gaps, refused ports ``closed`` observations."""
        jobs = self._jobs(targets)
        progress.add_total(len(jobs))

        def run(job: tuple[Target, TargetPort]) -> PortProbe:
            target, port = job
            try:
                if interrupt.requested():  # Ctrl-C: the ports not yet started are not contacted
                    return PortProbe.not_probed(
                        self.connector,
                        self.contexts,
                        target.host,
                        port.port,
                        self.now(),
                        "the run was interrupted",
                    )
                return probe_port(self.connector, self.contexts, target.host, port, self.now())
            finally:
                progress.advance(f"probe {target.host}:{port.port}")

        observations: list[Observation] = []
        gaps: list[ExposureGap] = []
        tls_checked = False
        if jobs:
            with ThreadPoolExecutor(
                max_workers=min(self.workers, len(jobs)), thread_name_prefix="probe"
            ) as pool:
                for probe in pool.map(run, jobs):
                    observations.extend(probe.observations())
                    gaps.extend(probe.gaps)
                    tls_checked = tls_checked or probe.tls_checked
        return SourceResult(
            source=SOURCE,
            observations=tuple(observations),
            gaps=tuple(gaps),
            notes=tuple(self._notes(targets, jobs, tls_checked)),
        )

    def _notes(
        self, targets: Sequence[Target], jobs: list[tuple[Target, TargetPort]], tls_checked: bool
    ) -> list[str]:
        notes: list[str] = []
        udp = sum(1 for t in targets for p in t.ports if p.transport != "tcp")
        if udp:
            notes.append(f"probe: {udp} UDP port(s) not probed (TCP only)")
        silent = sum(1 for t in targets if not any(p.transport == "tcp" for p in t.ports))
        if silent:
            notes.append(
                f"probe: {silent} address(es) without an open TCP port in the configuration not contacted"
            )
        if tls_checked:
            for name, label in (("TLSv1", "TLS 1.0"), ("TLSv1.1", "TLS 1.1")):
                if name not in self.contexts.pinned:
                    notes.append(
                        f"probe: this machine's OpenSSL cannot offer {label} (security level or build), "
                        f"so whether servers accept {label} was not tested"
                    )
        if jobs and self.limiter.waited > 0:
            notes.append(
                f"probe: {len(jobs)} port(s) probed; waited {self.limiter.waited:.1f} s in total "
                f"for the {self.options.probe_rate_per_second:g}/s rate limit"
            )
        return notes
