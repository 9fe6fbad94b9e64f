"""Prowler's mutelist layout, matched the way Prowler matches it (our own implementation).

::

    Mutelist:                        # also "Allowlist" (Prowler 3) or "Mute List"
      Accounts:
        "123456789012":              # account / project / subscription id, or "*"
          Checks:
            "s3_bucket_public_access":   # Prowler name (alias table), cloudaudit id, or pattern
              Regions: ["us-east-1"]     # required
              Resources: ["bucket-.*"]   # required
              Tags: ["env=dev"]          # optional
              Exceptions: {Accounts: [], Regions: [], Resources: [], Tags: []}
              Reason: "..."              # or Prowler's Description; default: names the entry
              Expires: 2027-01-01        # optional: mutes through that day

- An account key is the finding's account exactly, or ``*``.
- Check keys and every list item are regular expressions searched anywhere in the value
  (``re.search``), each ``*`` first becoming ``.*``; a list matches when any item does.
- Resources are searched in the resource id and in its name.
- Tags: every item must be found in the resource's tags written ``k1=v1 | k2=v2`` (AND); ``|``
  inside one item is regex alternation (OR).
- Exceptions: the entry does not mute a finding when every non-empty exception list matches it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from cloudaudit.engine.mutelist_aliases import AliasTarget, aliases
from cloudaudit.inputs import LineMap
from cloudaudit.model.finding import Finding

ROOTS = ("Mutelist", "Allowlist", "Mute List")
"""Top-level keys of the layout: Prowler 4 and 5, Prowler 3, and an interim name."""

Tags = Mapping[str, str]


def prowler_pattern(text: str) -> re.Pattern[str]:
    """A mutelist item as Prowler reads it: ``*`` means ``.*``, the rest is a regular expression."""
    return re.compile(text.replace("*", ".*"))


def _text(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(f"{value} must be quoted: unquoted, YAML reads it as a number")
    return value


def _regex(value: str) -> str:
    try:
        prowler_pattern(value)
    except re.error as exc:
        raise ValueError(f"{value!r} is not a valid regular expression ({exc})") from None
    return value


Regex = Annotated[str, BeforeValidator(_text), AfterValidator(_regex)]


def _keys(value: Any, regex: bool = False) -> Any:
    """A mapping's keys must be text (and, for check keys, valid patterns)."""
    for key in value if isinstance(value, dict) else ():
        _text(key)
        if regex:
            _regex(key)
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ProwlerExceptions(_Strict):
    """Where an entry does not mute."""

    accounts: tuple[Regex, ...] = Field((), alias="Accounts")
    regions: tuple[Regex, ...] = Field((), alias="Regions")
    resources: tuple[Regex, ...] = Field((), alias="Resources")
    tags: tuple[Regex, ...] = Field((), alias="Tags")


class ProwlerCheck(_Strict):
    """One entry under ``Checks``."""

    regions: tuple[Regex, ...] = Field(alias="Regions")
    resources: tuple[Regex, ...] = Field(alias="Resources")
    tags: tuple[Regex, ...] = Field((), alias="Tags")
    exceptions: ProwlerExceptions | None = Field(None, alias="Exceptions")
    reason: str = Field("", alias="Reason")
    description: str = Field("", alias="Description")
    expires: date | None = Field(None, alias="Expires")


class ProwlerAccount(_Strict):
    """The checks muted in one account (or ``*``)."""

    checks: dict[str, ProwlerCheck] = Field(alias="Checks")

    @field_validator("checks", mode="before")
    @classmethod
    def _check_keys(cls, value: Any) -> Any:
        return _keys(value, regex=True)


class ProwlerMutelist(_Strict):
    """``Accounts`` and what is muted in each."""

    accounts: dict[str, ProwlerAccount] = Field(alias="Accounts")

    @field_validator("accounts", mode="before")
    @classmethod
    def _account_keys(cls, value: Any) -> Any:
        return _keys(value)


class ProwlerFile(_Strict):
    """The whole file: exactly one of the root keys."""

    mutelist: ProwlerMutelist | None = Field(None, alias="Mutelist")
    allowlist: ProwlerMutelist | None = Field(None, alias="Allowlist")
    mute_list: ProwlerMutelist | None = Field(None, alias="Mute List")

    @model_validator(mode="after")
    def _one_root(self) -> ProwlerFile:
        if sum(x is not None for x in (self.mutelist, self.allowlist, self.mute_list)) != 1:
            raise ValueError(f"give exactly one of {', '.join(ROOTS)} (not empty)")
        return self

    @property
    def root(self) -> tuple[str, ProwlerMutelist]:
        """The root key used and its content."""
        found = [
            (n, m) for n, m in zip(ROOTS, (self.mutelist, self.allowlist, self.mute_list), strict=True) if m
        ]
        return found[0]


def is_prowler_layout(raw: object) -> bool:
    """True when the document uses Prowler's layout (a root key of :data:`ROOTS`)."""
    return isinstance(raw, dict) and any(key in raw for key in ROOTS)


def _any(patterns: Iterable[re.Pattern[str]], *values: str) -> bool:
    return any(p.search(v) for p in patterns for v in values)


def tag_text(tags: Tags) -> str:
    """The tags as Prowler searches them: ``k1=v1 | k2=v2``."""
    return " | ".join(f"{k}={v}" for k, v in tags.items())


@dataclass(frozen=True)
class _Except:
    accounts: tuple[re.Pattern[str], ...]
    regions: tuple[re.Pattern[str], ...]
    resources: tuple[re.Pattern[str], ...]
    tags: tuple[re.Pattern[str], ...]

    def excepts(self, finding: Finding, tags: str) -> bool:
        """True when every non-empty list matches (Prowler: unspecified fields match anything)."""
        if not (self.accounts or self.regions or self.resources or self.tags):
            return False
        return (
            (not self.accounts or _any(self.accounts, finding.account))
            and (not self.regions or _any(self.regions, finding.region))
            and (not self.resources or _any(self.resources, finding.resource_id, finding.resource_name))
            and all(p.search(tags) for p in self.tags)
        )


@dataclass(frozen=True)
class ProwlerRule:
    """One ``Accounts -> Checks`` entry, ready to match findings."""

    account: str
    check: re.Pattern[str]
    targets: tuple[AliasTarget, ...]
    regions: tuple[re.Pattern[str], ...]
    resources: tuple[re.Pattern[str], ...]
    tags: tuple[re.Pattern[str], ...]
    exceptions: _Except | None
    reason: str
    until: date | None
    where: str
    reason_given: bool = True

    def matches(self, finding: Finding, tags: Tags, today: date) -> bool:
        """True when this entry mutes the finding."""
        if self.until is not None and today > self.until:
            return False
        if self.account not in ("*", finding.account) or not self._check_matches(finding):
            return False
        if not _any(self.regions, finding.region):
            return False
        if not _any(self.resources, finding.resource_id, finding.resource_name):
            return False
        text = tag_text(tags)
        if not all(p.search(text) for p in self.tags):
            return False
        return self.exceptions is None or not self.exceptions.excepts(finding, text)

    def _check_matches(self, finding: Finding) -> bool:
        if self.check.search(finding.check_id):
            return True
        mine = [t for t in self.targets if t.check_id == finding.check_id]
        if not mine:
            return False
        if any(t.ports is None for t in mine):
            return True
        # several port-limited aliases (mysql|redis) accept the union of their ports
        ports = frozenset[int]().union(*(t.ports or () for t in mine))
        return AliasTarget(finding.check_id, ports).covers(finding)

    def describe(self, number: int) -> str:
        """How messages name this entry."""
        return f"{self.where} ({self.reason})" if self.reason_given else self.where


def _patterns(items: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(prowler_pattern(i) for i in items)


def _targets(pattern: re.Pattern[str], key: str) -> tuple[AliasTarget, ...]:
    return tuple(t for name, ts in aliases().items() if name == key or pattern.search(name) for t in ts)


@dataclass
class ProwlerLoad:
    """The rules of a Prowler-layout file, and what in it mutes nothing."""

    rules: list[ProwlerRule]
    unknown: list[tuple[str, int | None]]
    """Check keys that name no cloudaudit check and no alias, with their line."""
    empty: list[str]
    """Entries whose ``Regions`` or ``Resources`` list is empty (they never match)."""


def prowler_rules(raw: object, lines: LineMap, known: Collection[str] | None) -> ProwlerLoad:
    """Validate a Prowler-layout document (raises pydantic's ``ValidationError``) into rules.

    ``known``: every check id a finding can carry (None: do not look for unknown names).
    """
    root, mutelist = ProwlerFile.model_validate(raw).root
    load = ProwlerLoad([], [], [])
    for account, entry in mutelist.accounts.items():
        for key, spec in entry.checks.items():
            loc = (root, "Accounts", account, "Checks", key)
            line = lines.get(loc)
            where = f'Accounts "{account}" Checks "{key}"' + (f" (line {line})" if line else "")
            pattern = prowler_pattern(key)
            targets = _targets(pattern, key)
            if known is not None and key != "*" and not targets and not any(pattern.search(c) for c in known):
                load.unknown.append((key, line))
            load.empty.extend(
                f"mutelist entry {where} mutes nothing: its {name} list is empty"
                for name, items in (("Regions", spec.regions), ("Resources", spec.resources))
                if not items
            )
            load.rules.append(
                ProwlerRule(
                    account=account,
                    check=pattern,
                    targets=targets,
                    regions=_patterns(spec.regions),
                    resources=_patterns(spec.resources),
                    tags=_patterns(spec.tags),
                    exceptions=_exceptions(spec.exceptions),
                    reason=spec.reason or spec.description or f"mutelist entry {where} (no Reason given)",
                    until=spec.expires,
                    where=where,
                    reason_given=bool(spec.reason or spec.description),
                )
            )
    return load


def _exceptions(spec: ProwlerExceptions | None) -> _Except | None:
    if spec is None:
        return None
    return _Except(
        _patterns(spec.accounts), _patterns(spec.regions), _patterns(spec.resources), _patterns(spec.tags)
    )
