"""A slow but steady server cannot hold the probe: each target and the whole probe have a time budget.

The stand-in answers a header line every 50 ms, forever: every read succeeds well inside the read
timeout, so only the budgets end it. The assertions are on what the coverage says was cut short;
the elapsed-time bound only proves nothing hung (it is far above the budgets).
"""

from __future__ import annotations

import time
from dataclasses import replace

from cloudaudit.exposure.model import SourceResult, Target
from cloudaudit.exposure.probe import ProbeSource
from cloudaudit.exposure.sources import ConnectTo, ExposureOptions
from cloudaudit.progress import PlainProgress
from probe_servers import LOCAL, BadApi, Server, Trickle, checks, options, running, target

TIMEOUT = 0.5
"""Read timeout: a connection on its own would live 4 x 0.5 = 2 s."""


def _probe(server: Server, targets: list[Target], **limits: float) -> tuple[SourceResult, float, str]:
    opts: ExposureOptions = replace(
        options(ConnectTo("", None, LOCAL, server.port), timeout=TIMEOUT, private=False), **limits
    )
    source = ProbeSource(opts, workers=1)
    started = time.monotonic()
    plan = source.plan(targets)
    result = source.observe(targets, PlainProgress())
    return result, time.monotonic() - started, plan


def test_a_target_budget_cuts_a_slow_target_and_says_so_in_coverage() -> None:
    with running(Server(Trickle)) as server:
        result, elapsed, plan = _probe(
            server,
            [target("slow.example.test", (80, "http"), (8080, "http"))],
            probe_target_timeout_seconds=1.0,
        )

    assert "budget 1 s per target and 900 s in all" in plan
    reasons = sorted(g.reason for g in result.gaps)
    assert "slow.example.test:80: http checks cut short: the per-target budget (1 s) ran out" in reasons
    assert "slow.example.test:8080: not probed: the per-target budget (1 s) ran out" in reasons
    assert server.connections == 2  # the open check and GET /; nothing once the budget ran out
    assert elapsed < 30


def test_the_whole_probe_budget_cuts_what_is_running_and_skips_the_rest() -> None:
    with running(Server(Trickle)) as server:
        result, elapsed, plan = _probe(
            server,
            [target("a.example.test", (80, "http")), target("b.example.test", (80, "http"))],
            probe_timeout_seconds=1.0,
        )

    assert "budget 1 s per target and 1 s in all" in plan
    reasons = sorted(g.reason for g in result.gaps)
    assert "a.example.test:80: http checks cut short: the probe's overall budget (1 s) ran out" in reasons
    assert "b.example.test:80: not probed: the probe's overall budget (1 s) ran out" in reasons
    assert "probe: the probe's overall budget (1 s) ran out; what it cut short is listed in coverage" in (
        result.notes
    )
    assert server.connections == 2
    assert elapsed < 30


def test_a_target_answering_in_time_is_not_reported_as_cut() -> None:
    with running(Server(BadApi)) as server:
        result, _, _ = _probe(server, [target("quick.example.test", (80, "http"))], probe_timeout_seconds=120)

    assert "probe.http.trace_enabled" in checks(result)
    assert not [g for g in result.gaps if "ran out" in g.reason]
