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

AssetT = TypeVar("AssetT", bound=Asset)
Grader = Callable[[Any, Inventory], Severity]


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
    registry: CheckRegistry = REGISTRY,
) -> None:
    """Register a check that passes when ``ok(asset.<attr>)`` is true.

    Messages are formatted with ``{name}`` (the resource name) and ``{value}``.
    ``grade`` may set the failing severity from context (e.g. lower it when the resource
    is not exposed); otherwise ``severity`` applies.
    """

    def run(resource: AssetT, inventory: Inventory) -> Outcome:
        value = getattr(resource, attr)
        evidence = {attr: value}
        text = {"name": resource.name, "value": value if value not in ("", None) else "not set"}
        if ok(value):
            return passed(pass_msg.format(**text), evidence)
        sev = grade(resource, inventory) if grade else None
        return fail(fail_msg.format(**text), evidence, sev)

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
        registry=registry,
    )(run)
