"""CPython's cyclic garbage collector, paused where a run builds many objects that form no cycles.

Evaluation, the reports and the transfers between processes create hundreds of thousands of findings,
dicts and strings that live until the run ends. Each pass of the collector's young generation walks
every one of them once more, to free nothing: about a tenth of a second per large run. Reference
counting still frees what is dropped meanwhile; a cycle made in a paused block waits for the next pass.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

AUDIT_THRESHOLDS = (500_000, 20, 50)
"""The collector's thresholds in the ``cloudaudit`` command. With CPython's defaults (a young-generation
pass every 700 new container objects) importing the command takes 170 passes and an audit rescans its
hundreds of thousands of long-lived objects (assets, the API's answers, findings) over and over: a third
of an offline evaluation of 10,000 assets. A pass every 500,000 costs what walking those objects once
costs, and holds at most that many objects of cyclic garbage (the SDKs leave a few per request) until it
runs. At 50,000, four passes during the GCP benchmark's collection took 0.06-0.08 s of the one core its
threads share (:mod:`cloudaudit.cli` applies them before importing anything else)."""


def tune_for_audits() -> None:
    """Apply :data:`AUDIT_THRESHOLDS` to this process."""
    gc.set_threshold(*AUDIT_THRESHOLDS)


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block, then as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
