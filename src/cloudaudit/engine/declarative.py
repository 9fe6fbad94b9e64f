"""Declarative checks: "this attribute must satisfy that predicate", as data.

Most hardening checks have one shape: read one attribute, compare, say PASS or FAIL with
the attribute as evidence. :func:`expect` registers such a check from a declaration, so
the shape is written once (not a 30-line file per check). One declaration may cover several
asset types (``asset={RdsInstance: "instance", RdsCluster: "cluster"}``: one check id per type),
and :func:`expect_each` judges every item of a child collection ("for each stage of the API,
expect ...") in one verdict per resource. Predicates may be named
(:class:`~cloudaudit.engine.predicates.Predicate`): the name is the ``expected`` evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from cloudaudit.engine.outcome import Outcome, fail, passed
from cloudaudit.engine.predicates import Predicate, name_of
from cloudaudit.engine.registry import REGISTRY, AssetTypes, CheckRegistry, check, variants
from cloudaudit.model.asset import Asset
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit.model.network import NetworkExposure

AssetT = TypeVar("AssetT", bound=Asset)
Grader = Callable[[Any, Inventory], Severity]
Network = Callable[[Any], NetworkExposure | None]
Test = Predicate[Any] | Callable[[Any], bool]


def expect(
    *,
    id: str,
    title: str,
    severity: Severity,
    asset: AssetTypes[AssetT],
    attr: str,
    ok: Test,
    pass_msg: str,
    fail_msg: str,
    rationale: str,
    remediation: str,
    when: Test | None = None,
    requires: Iterable[str] = (),
    grade: Grader | None = None,
    references: Iterable[str] = (),
    network: Network | None = None,
    exploited_by: Iterable[str] = (),
    registry: CheckRegistry = REGISTRY,
) -> None:
    """Register a check that passes when ``ok(asset.<attr>)`` is true.

    Messages are formatted with ``{name}`` (the resource name), ``{value}`` and ``{kind}`` (the
    label of the asset type, when ``asset`` maps several types to labels). ``when`` (a test of the
    resource) limits the check to the resources it applies to; the others get no finding.
    ``requires`` names the other attributes ``when`` or ``grade`` read, so that they too turn an
    unread input into UNKNOWN rather than a silence.
    ``grade`` may set the failing severity from context (e.g. lower it when the resource
    is not exposed); otherwise ``severity`` applies. ``network`` gives the addresses and ports the
    verdict is about (see :class:`~cloudaudit.model.network.NetworkExposure`); ``exploited_by`` the
    probe checks that prove a failure from outside.
    """
    expected = name_of(ok)

    def judge(label: str) -> Callable[[Any, Inventory], Iterator[Outcome]]:
        def run(resource: Any, inventory: Inventory) -> Iterator[Outcome]:
            if when is not None and not when(resource):
                return
            value = getattr(resource, attr)
            evidence: dict[str, object] = {attr: value}
            shown = value if value not in ("", None) else "not set"
            text = {"name": resource.name, "value": shown, "kind": label}
            facts = network(resource) if network else None
            if ok(value):
                yield passed(pass_msg.format(**text), evidence, facts)
                return
            if expected:
                evidence["expected"] = f"{attr} {expected}"
            sev = grade(resource, inventory) if grade else None
            yield fail(fail_msg.format(**text), evidence, sev, facts)

        return run

    for kind, label, kind_id, kind_title in variants(asset, id, title):
        check(
            id=kind_id,
            title=kind_title,
            severity=severity,
            asset=kind,
            rationale=rationale,
            remediation=remediation,
            requires=(*requires, attr),
            references=references,
            exploited_by=exploited_by,
            registry=registry,
        )(judge(label))


def expect_each(
    *,
    id: str,
    title: str,
    severity: Severity,
    asset: AssetTypes[AssetT],
    items: str,
    ok: Test,
    pass_msg: str,
    fail_msg: str,
    rationale: str,
    remediation: str,
    attr: str | None = None,
    key: str = "name",
    exempt: Callable[[Any], str | None] | None = None,
    grade: Grader | None = None,
    references: Iterable[str] = (),
    exploited_by: Iterable[str] = (),
    registry: CheckRegistry = REGISTRY,
) -> None:
    """Register a check that passes when every item of ``asset.<items>`` satisfies ``ok``.

    ``ok`` tests the item (or its ``attr``); one verdict per resource names each failing item by its
    ``key`` attribute, with ``ok.why(item)`` as that item's evidence when ``ok`` is a
    :class:`~cloudaudit.engine.predicates.Predicate`. Messages are formatted with ``{name}``,
    ``{kind}``, ``{failing}`` (the failing items' keys) and ``{details}`` ("key: why; ...").
    A resource without items gets no finding; one whose collection was not read is UNKNOWN. ``exempt``
    returns a pass message (formatted like the others) for resources the requirement does not
    concern, e.g. a private API and a web firewall.
    """
    expected = name_of(ok)

    def why(item: Any) -> object:
        value = getattr(item, attr) if attr else item
        return ok.why(value) if isinstance(ok, Predicate) else f"{attr or key} = {value}"

    def judge(label: str) -> Callable[[Any, Inventory], Iterator[Outcome]]:
        def run(resource: Any, inventory: Inventory) -> Iterator[Outcome]:
            children = list(getattr(resource, items))
            if not children:
                return
            text = {"name": resource.name, "kind": label}
            reason = exempt(resource) if exempt else None
            if reason:
                yield passed(reason.format(**text))
                return
            bad = {str(getattr(c, key)): why(c) for c in children if not ok(getattr(c, attr) if attr else c)}
            if not bad:
                yield passed(pass_msg.format(**text), {items: [str(getattr(c, key)) for c in children]})
                return
            details = "; ".join(f"{k}: {_text(v)}" for k, v in bad.items())
            evidence: dict[str, object] = {items: bad}
            if expected:
                evidence["expected"] = f"each of {items} {expected}"
            message = fail_msg.format(failing=", ".join(bad), details=details, **text)
            yield fail(message, evidence, grade(resource, inventory) if grade else None)

        return run

    for kind, label, kind_id, kind_title in variants(asset, id, title):
        check(
            id=kind_id,
            title=kind_title,
            severity=severity,
            asset=kind,
            rationale=rationale,
            remediation=remediation,
            requires=(items,),
            references=references,
            exploited_by=exploited_by,
            registry=registry,
        )(judge(label))


def _text(problem: object) -> str:
    """An item's problem for a message: lists joined with commas."""
    if isinstance(problem, list | tuple):
        return ", ".join(str(p) for p in problem)
    return str(problem)
