"""The ``probe`` source: connects to the audited account's own endpoints, and to nothing else."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime

from cloudaudit import interrupt
from cloudaudit.exposure.model import ExposureGap, Observation, SourceResult, Target
from cloudaudit.exposure.probe.admission import Resolver, Verdict, classify, system_resolver
from cloudaudit.exposure.probe.budget import Budgets, Timings
from cloudaudit.exposure.probe.connect import Connector
from cloudaudit.exposure.probe.dispatch import probe_port
from cloudaudit.exposure.probe.plan import Job, ProbePlan, make_plan, tcp_ports
from cloudaudit.exposure.probe.results import SOURCE, Contexts, PortProbe
from cloudaudit.exposure.probe.tls import build_contexts
from cloudaudit.exposure.ratelimit import RateLimiter
from cloudaudit.exposure.sources import ExposureOptions
from cloudaudit.plugins import Progress
from cloudaudit.terminal import printable

PLAN_LIST_LIMIT = 20
DEFAULT_WORKERS = 8


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _quiet_note(closed: int) -> str:
    if not closed:
        return ""
    return (
        f"probe: {closed} port(s) planned inside wide open ranges were closed (nothing listening; "
        "not listed one by one)"
    )


class ProbeSource:
    """Active, opt-in checks of each configured-open TCP port of each admitted target."""

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
        resolver: Resolver = system_resolver,
    ) -> None:
        self.options = options
        self.limiter = limiter or RateLimiter(options.probe_rate_per_second)
        self.connector = Connector(options.connect_to, self.limiter, options.timeout_seconds)
        bundle = cafile or (str(options.ca_bundle) if options.ca_bundle else None)
        self.contexts = contexts or build_contexts(bundle)
        self.now = now
        self.workers = max(1, workers)
        self.resolver = resolver
        self._verdicts: dict[str, Verdict] = {}
        self._planned: tuple[Sequence[Target], ProbePlan] | None = None

    def _plan(self, targets: Sequence[Target]) -> ProbePlan:
        """Classify each host once (names are resolved here, in parallel), then admit or refuse its ports.

        The plan printed by :meth:`plan` is the one :meth:`observe` runs (made once for the same targets).
        """
        if self._planned is not None and self._planned[0] is targets:
            return self._planned[1]
        hosts = [h for h in dict.fromkeys(t.host for t, _ in tcp_ports(targets)) if h not in self._verdicts]
        if hosts:
            with ThreadPoolExecutor(max_workers=min(self.workers, len(hosts))) as pool:
                verdicts = pool.map(lambda host: classify(host, self.resolver), hosts)
                self._verdicts.update(zip(hosts, verdicts, strict=True))
        plan = make_plan(targets, self.connector, self.options, self._verdicts)
        self._planned = (targets, plan)
        return plan

    def _pace(self) -> str:
        o = self.options
        return (
            f"(rate limit {o.probe_rate_per_second:g}/s, timeout {o.timeout_seconds:g} s, "
            f"budget {o.target_budget_seconds:g} s per target and {o.probe_timeout_seconds:g} s in all)"
        )

    def plan(self, targets: Sequence[Target]) -> str:
        """The endpoints that will be contacted by reason, the pace and budgets, and what is refused."""
        plan = self._plan(targets)
        count = len(plan.jobs)
        if not count:
            why = "every endpoint refused" if plan.refused else "no TCP port open in the configuration"
            head = [f"probe: no endpoint to connect to ({why}) {self._pace()}"]
        else:
            noun = "endpoint" if count == 1 else "endpoints"
            head = [
                f"probe: will connect to {count} {noun} of the audited account {self._pace()}:",
                *plan.reason_lines(PLAN_LIST_LIMIT),
            ]
        lines = [*head, *(r.line() for r in plan.refused[:PLAN_LIST_LIMIT])]
        if len(plan.refused) > PLAN_LIST_LIMIT:
            lines.append(
                f"probe: and {len(plan.refused) - PLAN_LIST_LIMIT} more host(s) not contacted (see coverage)"
            )
        return "\n".join(lines)

    def observe(self, targets: Sequence[Target], progress: Progress) -> SourceResult:
        """Probe every admitted TCP port within the budgets; refusals and cuts become gaps."""
        plan = self._plan(targets)
        progress.add_total(len(plan.jobs))
        budgets = Budgets(self.options.probe_timeout_seconds, self.options.target_budget_seconds)
        timings = Timings()

        def run(job: Job) -> PortProbe:
            start = time.monotonic()
            try:
                if interrupt.requested():  # Ctrl-C: the ports not yet started are not contacted
                    return PortProbe.not_probed(
                        self.connector, self.contexts, job.endpoint, self.now(), "the run was interrupted"
                    )
                endpoint = replace(job.endpoint, budget=budgets.for_target(job.target.host))
                return probe_port(self.connector, self.contexts, endpoint, job.port, self.now())
            finally:
                timings.record(job.target.host, start, time.monotonic())
                progress.advance(f"probe {printable(job.endpoint.label)}")

        observations: list[Observation] = []
        gaps: list[ExposureGap] = [r.gap() for r in plan.refused]
        tls_checked = False
        quiet = 0
        if plan.jobs:
            with ThreadPoolExecutor(
                max_workers=min(self.workers, len(plan.jobs)), thread_name_prefix="probe"
            ) as pool:
                for job, probe in zip(plan.jobs, pool.map(run, plan.jobs), strict=True):
                    if job.port.origin == "range" and probe.closed_reason:
                        quiet += 1  # nothing listening is the norm there: counted, not listed
                        continue
                    observations.extend(probe.observations())
                    gaps.extend(probe.gaps)
                    tls_checked = tls_checked or probe.tls_checked
        return SourceResult(
            source=SOURCE,
            observations=tuple(observations),
            gaps=tuple(gaps),
            notes=tuple(
                n
                for n in (
                    *self._notes(targets, plan, tls_checked, budgets),
                    _quiet_note(quiet),
                    timings.note(len(plan.jobs)),
                )
                if n
            ),
        )

    def _notes(
        self, targets: Sequence[Target], plan: ProbePlan, tls_checked: bool, budgets: Budgets
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
        if plan.refused:
            hosts = len({r.host for r in plan.refused})
            notes.append(f"probe: {hosts} host(s) not contacted (refused at planning, see coverage)")
        if budgets.total.remaining() <= 0:
            notes.append(f"probe: {budgets.total.what} ran out; what it cut short is listed in coverage")
        if plan.jobs and self.limiter.waited > 0:
            notes.append(
                f"probe: {len(plan.jobs)} port(s) probed; waited {self.limiter.waited:.1f} s in total "
                f"for the {self.options.probe_rate_per_second:g}/s rate limit"
            )
        return notes
