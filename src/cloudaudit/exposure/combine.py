"""One set of exposure options doing what several asked for (``demo --provider all``: every sample
account brings its own snapshot and, with ``--probe``, its own local mappings)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from cloudaudit.exposure.sources import TARGET_BUDGET_TIMEOUTS, ConnectTo, ExposureOptions


def _connect_to(options: Sequence[ExposureOptions]) -> tuple[ConnectTo, ...]:
    """Every mapping once; one endpoint mapped to two places is an error (the first would win)."""
    mappings = tuple(dict.fromkeys(m for o in options for m in o.connect_to))
    for index, mapping in enumerate(mappings):
        for other in mappings[index + 1 :]:
            if (mapping.host.lower(), mapping.port) == (other.host.lower(), other.port):
                where = f"{mapping.host or '*'}:{mapping.port or '*'}"
                raise ValueError(f"connect-to mappings disagree on {where}: two demos map it elsewhere")
    return mappings


V = TypeVar("V", str, Path)


def _one(values: Sequence[V | None], what: str) -> V | None:
    """The single value given (None when none); ValueError when they differ."""
    given = list(dict.fromkeys(v for v in values if v is not None))
    if len(given) > 1:
        raise ValueError(f"exposure options disagree on {what}")
    return given[0] if given else None


def _target_budget(options: Sequence[ExposureOptions]) -> float | None:
    """The longest per-target budget asked (None: each is the default, derived from the timeout)."""
    if all(o.probe_target_timeout_seconds is None for o in options):
        return None
    return max(o.probe_target_timeout_seconds or TARGET_BUDGET_TIMEOUTS * o.timeout_seconds for o in options)


def combine(options: Sequence[ExposureOptions]) -> ExposureOptions:
    """The union of ``options``: every source (several snapshot files become one ``file`` source),
    every connect-to mapping, the probe when any asks for it.

    Safety narrows: only mapped endpoints are probed when any asks so, private addresses only when
    all allow them, at the slowest rate and the freshest cache. Budgets widen to the longest asked.
    Probed ports inside wide ranges are those any lists (the catalogue when none does); a Shodan key
    or CA bundle must be the same wherever given.
    """
    if not options:
        raise ValueError("nothing to combine")
    if len(options) == 1:
        return options[0]
    ports = sorted({p for o in options for p in o.probe_ports or ()})
    return ExposureOptions(
        sources=tuple(dict.fromkeys(s for o in options for s in o.sources)),
        shodan_key=_one([o.shodan_key for o in options], "the Shodan key"),
        probe=any(o.probe for o in options),
        connect_to=_connect_to(options),
        cache_dir=options[0].cache_dir,
        cache_ttl_seconds=min(o.cache_ttl_seconds for o in options),
        probe_only_mapped=any(o.probe_only_mapped for o in options),
        probe_rate_per_second=min(o.probe_rate_per_second for o in options),
        timeout_seconds=max(o.timeout_seconds for o in options),
        probe_private=all(o.probe_private for o in options),
        probe_timeout_seconds=max(o.probe_timeout_seconds for o in options),
        probe_target_timeout_seconds=_target_budget(options),
        probe_ports=tuple(ports) if ports else None,
        ca_bundle=_one([o.ca_bundle for o in options], "the CA bundle"),
    )
