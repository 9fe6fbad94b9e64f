"""Declarative checks: "this attribute must satisfy that predicate", as data.

Most hardening checks have one shape: read one attribute, compare, say PASS or FAIL with
the attribute as evidence. :func:`expect` registers such a check from a declaration, so
the shape is written once (not a 30-line file per check).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from cloudaudit.engine.outcome import Outcome, fail, passed
from cloudaudit.engine.registry import REGISTRY, CheckRegistry, check
from cloudaudit.model.asset import Asset
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit.model.network import NetworkExposure

AssetT = TypeVar("AssetT", bound=Asset)
Grader = Callable[[Any, Inventory], Severity]
Network = Callable[[Any], NetworkExposure | None]


def expect(
    *,
    id: str,
    title: str,
    severity: Severity,
    asset: type[AssetT],
    attr: str,
    ok: Callable[[Any], bool],
    pass_msg: str,
    fail_msg: str,
    rationale: str,
    remediation: str,
    grade: Grader | None = None,
    compliance: Mapping[str, Iterable[str]] | None = None,
    references: Iterable[str] = (),
    network: Network | None = None,
    exploited_by: Iterable[str] = (),
    registry: CheckRegistry = REGISTRY,
) -> None:
    """Register a check that passes when ``ok(asset.<attr>)`` is true.

    Messages are formatted with ``{name}`` (the resource name) and ``{value}``.
    ``grade`` may set the failing severity from context (e.g. lower it when the resource
    is not exposed); otherwise ``severity`` applies. ``network`` gives the addresses and ports the
    verdict is about (see :class:`~cloudaudit.model.network.NetworkExposure`); ``exploited_by`` the
    probe checks that prove a failure from outside.
    """

    def run(resource: AssetT, inventory: Inventory) -> Outcome:
        value = getattr(resource, attr)
        evidence = {attr: value}
        text = {"name": resource.name, "value": value if value not in ("", None) else "not set"}
        facts = network(resource) if network else None
        if ok(value):
            return passed(pass_msg.format(**text), evidence, facts)
        sev = grade(resource, inventory) if grade else None
        return fail(fail_msg.format(**text), evidence, sev, facts)

    check(
        id=id,
        title=title,
        severity=severity,
        asset=asset,
        rationale=rationale,
        remediation=remediation,
        requires=(attr,),
        compliance=compliance,
        references=references,
        exploited_by=exploited_by,
        registry=registry,
    )(run)
