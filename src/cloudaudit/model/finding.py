"""Findings: the result of one check on one resource, and the findings document."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidatorFunctionWrapHandler,
    WrapSerializer,
    WrapValidator,
    model_validator,
)

from cloudaudit.compact import Frozen, shared
from cloudaudit.exposure.model import Exposure
from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.inventory import CollectionGap
from cloudaudit.model.network import NetworkExposure
from cloudaudit.model.providers import fill_providers
from cloudaudit.model.surface import SurfaceEntry

FINDINGS_SCHEMA_VERSION = "1.3"
"""1.1: the attack ``surface``; 1.2: ``run.providers`` (a run may cover several providers); 1.3: the
``account`` of a surface entry's owner."""


NOT_EXPOSED = Exposure()
"""The exposure of a finding off the evidence ladder (a PASS, a muted failure...): one shared instance."""


class Finding(Frozen):
    """One check's verdict on one resource."""

    check_id: str
    title: str
    severity: Severity
    status: Status
    message: str
    provider: str
    account: str
    region: str
    service: str
    resource_type: str
    resource_id: str
    resource_name: str
    evidence: dict[str, Any] = Field(default_factory=dict)
    """The exact configuration fragment (or observation) that proves the verdict."""
    remediation: str = ""
    compliance: dict[str, list[str]] = Field(default_factory=dict)
    """Framework -> control ids, e.g. {"OWASP-API-2023": ["API8"]}."""
    muted_reason: str = ""
    exposure: Exposure = NOT_EXPOSED
    """Where the finding stands on the evidence ladder (configured ... exploitable), and why. The default
    is one shared instance (frozen, hence hashable: pydantic does not copy it), not one per finding."""
    network: NetworkExposure | None = None
    """The addresses, ports and in-account path the finding is about (None: not about what answers
    where, so observations never grade it). Absent from files written before it existed."""

    def model_post_init(self, context: Any, /) -> None:
        """Share the set of given fields (16 names: ~0.7 KB) and the check's compliance mapping (its
        dict and lists: ~0.4 KB) with the other findings instead of holding a copy of each."""
        super().model_post_init(context)
        compliance = self.compliance
        if id(compliance) not in _SHARED_MAPPINGS:  # a copy holds the shared mapping already
            self.__dict__["compliance"] = _shared_mapping(compliance)


def _compliance_key(compliance: Mapping[str, Sequence[str]]) -> Hashable:
    return ("compliance", *((framework, *ids) for framework, ids in compliance.items()))


_SHARED_MAPPINGS: set[int] = set()
"""The ids of the shared compliance mappings (:func:`cloudaudit.compact.shared` keeps each for the
process's life, so an id is never another object's)."""


def _shared_mapping(compliance: dict[str, list[str]]) -> dict[str, list[str]]:
    kept = shared(_compliance_key(compliance), compliance)
    _SHARED_MAPPINGS.add(id(kept))
    return kept


class LazyFindings(Sequence[Finding]):
    """Findings read when iterated (:class:`cloudaudit.spool.FindingSpool`): a document holds them
    as they are, and serializes them one at a time."""


def _keep_lazy(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    return value if isinstance(value, LazyFindings) else handler(value)


def _dump_lazy(value: Any, handler: SerializerFunctionWrapHandler) -> Any:
    return handler(list(value) if isinstance(value, LazyFindings) else value)


Findings = Annotated[Sequence[Finding], WrapValidator(_keep_lazy), WrapSerializer(_dump_lazy)]
"""A document's findings: a list, or findings spilled to disk (read as they are iterated)."""


def shared_compliance(compliance: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """A check's compliance mapping as a finding holds it: the one instance its findings share."""
    return _shared_mapping({k: list(v) for k, v in compliance.items()})


def checked_finding(fields: dict[str, Any], compliance: dict[str, list[str]]) -> Finding:
    """``Finding(**fields, compliance=compliance)`` for the engine's many findings, without a second
    validation: the runner builds ``fields`` from validated assets, typed outcomes and the check's
    declaration (every field without a default, of its type: tests/core hold it to that), and
    ``compliance`` comes from :func:`shared_compliance`. About a fifth of the cost of validating."""
    values = dict(_DEFAULTS)
    values.update(fields)
    values["compliance"] = compliance
    return _built(values, _given(tuple(fields)))


def updated_finding(finding: Finding, update: Mapping[str, Any]) -> Finding:
    """``finding.model_copy(update=update)`` where every value is already of its field's type and needs
    no sharing (the exposure stage's grade: a severity and an exposure per failing finding): the fields
    copied once, the set of given names shared. A tenth of the cost of ``model_copy``."""
    values = dict(finding.__dict__)
    values.update(update)
    return _built(values, _given_also(frozenset(finding.__pydantic_fields_set__), tuple(update)))


def _built(values: dict[str, Any], given: set[str]) -> Finding:
    """A finding holding ``values`` (every field, checked by the caller) and the shared set ``given``."""
    finding = _new(Finding)
    _set(finding, "__dict__", values)
    _set(finding, "__pydantic_fields_set__", given)
    _set(finding, "__pydantic_extra__", None)
    _set(finding, "__pydantic_private__", None)
    return finding


_new = object.__new__
_set = object.__setattr__
_DEFAULTS: dict[str, Any] = {
    name: None if info.is_required() else info.get_default(call_default_factory=True)
    for name, info in Finding.model_fields.items()
}
"""Every field in declaration order (the order findings serialize in), with its default."""


@cache
def _given(names: tuple[str, ...]) -> set[str]:
    """The shared set of given field names (a set, as pydantic keeps it: a copy updates its own)."""
    given = {*names, "compliance"}
    return shared(frozenset(given), given)


@cache
def _given_also(given: frozenset[str], names: tuple[str, ...]) -> set[str]:
    """The shared set of ``given`` and ``names``."""
    both = {*given, *names}
    return shared(frozenset(both), both)


class RunInfo(BaseModel):
    """Metadata about the run that produced the findings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tool: str = "cloudaudit"
    tool_version: str
    provider: str = ""
    """The provider's name; with several, their names joined with commas (``aws,gcp``)."""
    providers: list[str] = Field(default_factory=list)
    """Every provider audited (since 1.2; read as ``[provider]`` from older files)."""
    accounts: list[str]
    regions: list[str]
    started: datetime
    finished: datetime
    checks_run: int = 0
    exposure_sources: list[str] = Field(default_factory=list)
    """Exposure sources consulted (shodan, internetdb, file, probe); empty when none was asked."""
    exposure_notes: list[str] = Field(default_factory=list)
    """What the sources report about the run (lookups, cache hits, credits used)."""
    incomplete: bool = False
    """Something could not be read because of the run (errors, throttling, interruption), not the account."""
    interrupted: bool = False
    """The user stopped the run: the results cover only what was read until then."""
    not_read: list[str] = Field(default_factory=list)
    """What could not be read, one human line per service and region (set when ``incomplete``)."""
    notes: list[str] = Field(default_factory=list)
    """What the reader must know about the run itself (e.g. a mutelist entry that has expired)."""

    @model_validator(mode="before")
    @classmethod
    def _name_providers(cls, data: Any) -> Any:
        return fill_providers(data)


class FindingsDocument(BaseModel):
    """The native ``findings.json`` document (versioned schema, see README)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: str = FINDINGS_SCHEMA_VERSION
    run: RunInfo
    findings: Findings
    coverage: list[CollectionGap]
    """What could not be collected, and why."""
    surface: list[SurfaceEntry] = Field(default_factory=list)
    """The Internet-facing endpoints, strongest evidence first (1.1; absent from 1.0 files)."""
