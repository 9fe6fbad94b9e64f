"""Evaluate checks over an inventory: pure, no I/O, one crashing check never stops the run."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any, NamedTuple

from cloudaudit.engine.mutelist import Mutelist
from cloudaudit.engine.outcome import Outcome
from cloudaudit.engine.registry import CheckSpec
from cloudaudit.exposure.configured import configured_exposure
from cloudaudit.model.asset import Asset
from cloudaudit.model.enums import Status
from cloudaudit.model.finding import NOT_EXPOSED, Finding, checked_finding, shared_compliance, updated_finding
from cloudaudit.model.inventory import Inventory
from cloudaudit.model.network import NetworkExposure

log = logging.getLogger(__name__)


class Share(NamedTuple):
    """Which resources of each check to evaluate: positions ``first``, ``first + step``... before
    ``stop`` (None: to the end), as :func:`itertools.islice` takes them; one process's part."""

    first: int = 0
    stop: int | None = None
    step: int = 1


WHOLE = Share()


def evaluate(
    inventory: Inventory, checks: Sequence[CheckSpec], mutelist: Mutelist | None = None
) -> list[Finding]:
    """Run every check on every asset of its kind; return findings in check order."""
    return list(iter_evaluate(inventory, checks, mutelist))


def iter_evaluate(
    inventory: Inventory, checks: Sequence[CheckSpec], mutelist: Mutelist | None = None
) -> Iterator[Finding]:
    """:func:`evaluate`'s findings one at a time, as the checks produce them.

    What the checks derived from the inventory (:meth:`Inventory.derived`) is dropped at the end.
    """
    try:
        for group in share_findings(inventory, checks, mutelist, WHOLE):
            yield from group
    finally:
        inventory.forget_derived()


def share_findings(
    inventory: Inventory, checks: Sequence[CheckSpec], mutelist: Mutelist | None, share: Share
) -> Iterator[list[Finding]]:
    """The findings of each check on each resource of ``share``: one list per check and resource, in
    check order, then inventory order. What the checks derive is kept (the caller forgets it)."""
    for spec in checks:
        compliance = shared_compliance(spec.compliance)
        for resource in islice(inventory.of(spec.asset), *share):
            found = []
            for outcome in _outcomes(spec, resource, inventory):
                finding = _finding(spec, resource, outcome, compliance)
                if mutelist is not None:
                    finding = _muted(mutelist, finding, resource.tags)
                found.append(finding)
            yield found


def _outcomes(spec: CheckSpec, resource: Asset, inventory: Inventory) -> Iterator[Outcome]:
    missing = {attr: resource.unread[attr] for attr in spec.requires if attr in resource.unread}
    if missing:
        reasons = "; ".join(f"{a}: {why}" for a, why in missing.items())
        yield Outcome(Status.UNKNOWN, f"Could not be checked: {reasons}", {"unread": missing})
        return
    try:
        result = spec.func(resource, inventory)
        outcomes: Iterable[Outcome] = [result] if isinstance(result, Outcome) else list(result)
    except Exception as exc:  # one broken check must not stop the audit
        log.warning("check %s crashed on %s: %s: %s", spec.id, resource.id, type(exc).__name__, exc)
        log.debug("check crash details", exc_info=True)
        yield Outcome(Status.ERROR, f"Check failed to run: {type(exc).__name__}: {exc}")
        return
    yield from outcomes


def _finding(spec: CheckSpec, resource: Asset, outcome: Outcome, compliance: dict[str, list[str]]) -> Finding:
    """The finding of one outcome; ``compliance`` is the check's (:func:`shared_compliance`). A failure
    is on the evidence ladder already, at its configuration's rung (:mod:`cloudaudit.exposure.configured`)."""
    evidence = outcome.evidence
    network = _network(spec, outcome)
    fields: dict[str, Any] = {
        "check_id": spec.id,
        "title": spec.title,
        "severity": outcome.severity or spec.severity,
        "status": outcome.status,
        "message": outcome.message,
        "provider": resource.provider,
        "account": resource.account,
        "region": resource.region,
        "service": spec.service,
        "resource_type": resource.kind,
        "resource_id": resource.id,
        "resource_name": resource.name,
        "evidence": evidence if type(evidence) is dict else dict(evidence),  # validation copies it
        "remediation": spec.remediation,
        "network": network,
    }
    if outcome.status is Status.FAIL:
        fields["exposure"] = configured_exposure(network)
    return checked_finding(fields, compliance)


def _muted(mutelist: Mutelist, finding: Finding, tags: Mapping[str, str]) -> Finding:
    """The finding, MUTED when a mute covers it: off the evidence ladder then (as a PASS)."""
    muted = mutelist.apply(finding, tags)
    if muted is finding or muted.exposure is NOT_EXPOSED:
        return muted
    return updated_finding(muted, {"exposure": NOT_EXPOSED})


def _network(spec: CheckSpec, outcome: Outcome) -> NetworkExposure | None:
    """The outcome's network facts with the check's declared exploiting probe checks."""
    if outcome.network is None or not spec.exploited_by:
        return outcome.network
    return outcome.network.model_copy(update={"exploited_by": spec.exploited_by})
