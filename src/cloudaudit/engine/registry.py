"""The check registry, filled by the :func:`check` decorator.

A check is a pure function ``(asset, context) -> Outcome | Iterable[Outcome]`` with its
metadata beside it. Checks make no cloud calls: everything they read is in the inventory.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, TypeVar

from cloudaudit.compliance import controls_for
from cloudaudit.engine.outcome import Outcome
from cloudaudit.model.asset import Asset
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory

AssetT = TypeVar("AssetT", bound=Asset)
AssetTypes = type[AssetT] | Mapping[type[Asset], str]
"""One asset type, or several with the label each is called by (``{RdsInstance: "instance", ...}``)."""
CheckResult = Outcome | Iterable[Outcome]
CheckFn = Callable[[Any, Inventory], CheckResult]

_ID_RE = re.compile(r"^[a-z0-9]+(\.[a-z0-9_]+){2,}$")
_PROBE_RE = re.compile(r"^probe\.([a-z0-9_]+(\.[a-z0-9_]*)*)?$")


@dataclass(frozen=True)
class CheckSpec:
    """A registered check: metadata plus the function that decides."""

    id: str
    title: str
    severity: Severity
    asset: type[Asset]
    rationale: str
    remediation: str
    func: CheckFn
    requires: tuple[str, ...] = ()
    """Asset attributes the check reads; if one was not collected the verdict is UNKNOWN."""
    references: tuple[str, ...] = ()
    also_collect: tuple[str, ...] = ()
    """Other services whose assets the check reads (e.g. EC2 security groups for RDS exposure)."""
    exploited_by: tuple[str, ...] = ()
    """Probe check ids or prefixes (``probe.redis.``) whose result makes a failure exploitable."""

    @property
    def compliance(self) -> Mapping[str, tuple[str, ...]]:
        """Framework id -> the controls this check evaluates, from the framework files (the only source)."""
        return controls_for(self.id)

    @property
    def provider(self) -> str:
        """The provider prefix of the id (``aws``)."""
        return self.id.split(".", 1)[0]

    @property
    def service(self) -> str:
        """The service the check belongs to (``s3``)."""
        return self.asset.service

    @property
    def services(self) -> frozenset[str]:
        """Every service that must be collected for this check to decide."""
        return frozenset({self.service, *self.also_collect})


class RegistryError(ValueError):
    """A check was declared with invalid or duplicate metadata."""


class CheckRegistry:
    """Checks by id, in registration order."""

    def __init__(self) -> None:
        self._checks: dict[str, CheckSpec] = {}

    def add(self, spec: CheckSpec) -> None:
        """Validate and register one check."""
        problems = validate(spec)
        if spec.id in self._checks:
            problems.append("duplicate id")
        if problems:
            raise RegistryError(f"check {spec.id!r}: {'; '.join(problems)}")
        self._checks[spec.id] = spec

    def __iter__(self) -> Iterator[CheckSpec]:
        return iter(self._checks.values())

    def __len__(self) -> int:
        return len(self._checks)

    def get(self, check_id: str) -> CheckSpec | None:
        """The check with this id."""
        return self._checks.get(check_id)

    def select(self, include: Iterable[str] = (), exclude: Iterable[str] = ()) -> list[CheckSpec]:
        """Checks matching any ``include`` pattern (all when empty) and no ``exclude`` pattern.

        Patterns are ids or shell globs (``aws.s3.*``). An include pattern that matches
        nothing raises, so a typo does not silently audit nothing.
        """
        inc, exc = list(include), list(exclude)
        for pattern in inc + exc:
            if not any(fnmatchcase(c, pattern) for c in self._checks):
                raise RegistryError(f"no check matches {pattern!r} (see 'cloudaudit checks')")
        return [
            spec
            for spec in self
            if (not inc or any(fnmatchcase(spec.id, p) for p in inc))
            and not any(fnmatchcase(spec.id, p) for p in exc)
        ]


def validate(spec: CheckSpec) -> list[str]:
    """Metadata problems of one check (empty when valid)."""
    problems = []
    if not _ID_RE.match(spec.id):
        problems.append("id must look like provider.service.name (lowercase, dots, underscores)")
    problems.extend(
        f"{n} is empty" for n in ("title", "rationale", "remediation") if not getattr(spec, n).strip()
    )
    if not spec.asset.kind:
        problems.append(f"asset class {spec.asset.__name__} is not a registered asset kind")
    unknown_fields = [r for r in spec.requires if r not in spec.asset.model_fields]
    if unknown_fields:
        problems.append(f"requires unknown attributes {unknown_fields}")
    not_probe = [p for p in spec.exploited_by if not _PROBE_RE.match(p)]
    if not_probe:
        problems.append(f"exploited_by names no probe check: {not_probe}")
    return problems


REGISTRY = CheckRegistry()


def variants(asset: AssetTypes[AssetT], id: str, title: str) -> list[tuple[type[Asset], str, str, str]]:
    """(type, label, id, title) for each asset type a declaration covers.

    With several types, ``{kind}`` in ``title`` becomes the type's label and in ``id`` the label in
    snake case (``"replication group"`` -> ``replication_group``), so each type gets its own check id.
    """
    if not isinstance(asset, Mapping):
        return [(asset, "", id, title)]
    if "{kind}" not in id:
        raise RegistryError(
            f"check {id!r}: covers several asset types, so its id needs a {{kind}} placeholder"
        )
    return [
        (kind, label, id.replace("{kind}", "_".join(label.lower().split())), title.replace("{kind}", label))
        for kind, label in asset.items()
    ]


def check(
    *,
    id: str,
    title: str,
    severity: Severity,
    asset: AssetTypes[AssetT],
    rationale: str,
    remediation: str,
    requires: Iterable[str] = (),
    references: Iterable[str] = (),
    also_collect: Iterable[str] = (),
    exploited_by: Iterable[str] = (),
    registry: CheckRegistry = REGISTRY,
) -> Callable[[Callable[[AssetT, Inventory], CheckResult]], Callable[[AssetT, Inventory], CheckResult]]:
    """Decorator: register a check function with its metadata.

    ``asset`` may map several asset types to labels: the function is then registered once per type,
    with ``{kind}`` in ``id`` and ``title`` filled in (see :func:`variants`).

    ``exploited_by`` names the probe checks (ids or prefixes) that prove the check's failure from
    outside; it reaches the findings whose outcome carries network facts.
    """

    def register(
        func: Callable[[AssetT, Inventory], CheckResult],
    ) -> Callable[[AssetT, Inventory], CheckResult]:
        for kind, _, kind_id, kind_title in variants(asset, id, title):
            registry.add(
                CheckSpec(
                    id=kind_id,
                    title=kind_title,
                    severity=severity,
                    asset=kind,
                    rationale=" ".join(rationale.split()),
                    remediation=" ".join(remediation.split()),
                    func=func,
                    requires=tuple(requires),
                    references=tuple(references),
                    also_collect=tuple(also_collect),
                    exploited_by=tuple(exploited_by),
                )
            )
        return func

    return register
