"""Evaluate a large inventory on two cores: a forked child takes every other resource of each check.

Evaluation is CPU work that one Python process does on one core, while after collection the other
core is idle. This process then has a single thread and the inventory in memory. It evaluates the
first resource of each check itself, so that what the checks derive from the whole inventory (the
join of firewall rules and instances...) is built once, then forks: the child sees the inventory
and those joins without a copy (copy-on-write), evaluates every check on the resources at even
positions and sends its findings back pickled through a pipe, while this process evaluates the odd
positions. The shares are merged into the order one process gives (check order, then inventory
order), so findings and reports are the same either way.

Used only where a fork is safe and pays (:func:`worth_forking`). Whatever goes wrong in the child
(killed, out of memory, a finding that cannot be pickled) its share is evaluated here: the run loses
time, never findings. Ctrl-C reaches both processes and neither stops evaluating (the run reports
what was collected); a second Ctrl-C ends both at once.
"""

from __future__ import annotations

import logging
import pickle
from collections import deque
from collections.abc import Iterable, Iterator, Sequence

from cloudaudit.engine.mutelist import Mutelist
from cloudaudit.engine.registry import CheckSpec
from cloudaudit.engine.runner import Share, iter_evaluate, share_findings
from cloudaudit.forking import can_fork, fork_call
from cloudaudit.model.finding import Finding
from cloudaudit.model.inventory import Inventory

log = logging.getLogger(__name__)

MIN_ASSETS = 1_000
"""Below this many assets an evaluation takes a small fraction of a second: one process does it."""
MAX_ASSETS = 10_000
"""Above this, one process evaluates and streams to the spool: both shares' findings are held until
they are merged (some 60,000 findings at this size), which a larger unit should not cost."""

FIRST, EVEN, ODD = Share(0, 1), Share(2, None, 2), Share(1, None, 2)
"""The first resource of each check (here, before the fork), the even positions after it (the child,
which also pickles them) and the odd ones (here)."""

Groups = deque[list[Finding]]
"""One list of findings per check and resource of a share, in evaluation order."""


def worth_forking(inventory: Inventory) -> bool:
    """The inventory is large enough for two processes to pay, small enough to hold its findings,
    and this process may fork (:func:`cloudaudit.forking.can_fork`)."""
    return MIN_ASSETS <= len(inventory.assets) <= MAX_ASSETS and can_fork()


def evaluate(
    inventory: Inventory, checks: Sequence[CheckSpec], mutelist: Mutelist | None = None
) -> Iterator[Finding]:
    """:func:`cloudaudit.engine.runner.iter_evaluate`'s findings, in its order; computed on two cores
    when :func:`worth_forking`."""
    if not worth_forking(inventory):
        yield from iter_evaluate(inventory, checks, mutelist)
        return
    try:
        shares = _shares(inventory, checks, mutelist)
    finally:
        inventory.forget_derived()
    yield from _merge(inventory, checks, shares)


def _shares(
    inventory: Inventory, checks: Sequence[CheckSpec], mutelist: Mutelist | None
) -> tuple[Groups, Groups, Groups]:
    """The first, even and odd shares' findings (the even ones from the child when it delivers)."""
    first: Groups = deque(share_findings(inventory, checks, mutelist, FIRST))
    child = fork_call(lambda: _pickled(share_findings(inventory, checks, mutelist, EVEN)))
    even: Groups | None = None
    try:
        odd: Groups = deque(share_findings(inventory, checks, mutelist, ODD))
    finally:
        if child is not None:
            even = _received(*child.result(), expected=_expected(inventory, checks))
    if even is None:
        even = deque(share_findings(inventory, checks, mutelist, EVEN))
    return first, even, odd


def _pickled(groups: Iterable[list[Finding]]) -> bytes:
    """A share's findings as the child sends them: the size of each group, then every finding."""
    found = list(groups)
    return pickle.dumps(([len(g) for g in found], [f for g in found for f in g]), pickle.HIGHEST_PROTOCOL)


def _received(code: int, data: bytes, expected: int) -> Groups | None:
    """The child's share; None when it did not send one whole (then it is evaluated here)."""
    if code != 0:
        log.debug("the evaluating child process failed (exit code %s): %s", code, data[:200])
        return None
    try:
        counts, flat = pickle.loads(data)  # noqa: S301 - our own child's, through our own pipe
    except Exception as exc:  # a broken payload
        log.debug("unreadable findings from the evaluating child: %s", exc)
        return None
    if len(counts) != expected or sum(counts) != len(flat):
        log.debug("the evaluating child sent %d groups, not %d", len(counts), expected)
        return None
    groups: Groups = deque()
    start = 0
    for count in counts:
        groups.append(flat[start : start + count])
        start += count
    return groups


def _expected(inventory: Inventory, checks: Sequence[CheckSpec]) -> int:
    """How many (check, resource) groups the even share holds (positions 2, 4...)."""
    return sum(max(0, inventory.count(spec.asset) - 1) // 2 for spec in checks)


def _merge(
    inventory: Inventory, checks: Iterable[CheckSpec], shares: tuple[Groups, Groups, Groups]
) -> Iterator[Finding]:
    """The shares (first, even, odd) in one process's order; each group is let go once handed on."""
    first, even, odd = shares
    for spec in checks:
        for position in range(inventory.count(spec.asset)):
            yield from (odd if position % 2 else even if position else first).popleft()
