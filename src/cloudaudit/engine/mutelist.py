"""Mutelist: accepted risks, matched by check, resource, account, region and tags.

Two layouts (YAML or JSON). cloudaudit's own::

    mutes:
      - checks: ["aws.s3.bucket_versioning_disabled"]   # ids or globs
        resources: ["arn:aws:s3:::logs-*"]             # default: all
        accounts: ["123456789012"]                     # default: all
        regions: ["*"]                                 # default: all
        tags: {environment: sandbox}                   # all must match; optional
        reason: "Log buckets are write-once"           # required
        until: 2027-01-31                              # optional expiry date

and Prowler's (``Mutelist: Accounts: ... Checks: ...``, see :mod:`.mutelist_prowler`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cloudaudit.engine.registry import REGISTRY
from cloudaudit.errors import UsageError
from cloudaudit.exposure.rules import all_rules
from cloudaudit.inputs import MESSAGE_LIMIT, MUTELIST, LineMap, load_yaml, validation_line
from cloudaudit.model.enums import Status
from cloudaudit.model.finding import Finding
from cloudaudit.terminal import printable

UNKNOWN_SHOWN = 10
"""How many unknown check names the warning lists before "and N more"."""


class MutelistError(ValueError):
    """The mutelist file is unreadable or malformed."""


class Rule(Protocol):
    """One entry of either layout."""

    @property
    def reason(self) -> str:
        """Why the risk is accepted (kept on the muted finding)."""

    @property
    def until(self) -> date | None:
        """The last day the entry mutes (None: no expiry)."""

    def matches(self, finding: Finding, tags: Mapping[str, str], today: date) -> bool:
        """True when the entry mutes this finding today."""

    def describe(self, number: int) -> str:
        """How messages name the entry (``number``: its position in the file, from 1)."""


class Mute(BaseModel):
    """One accepted risk of cloudaudit's own layout."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)  # built for --mutelist

    checks: tuple[str, ...] = Field(min_length=1)
    resources: tuple[str, ...] = ("*",)
    accounts: tuple[str, ...] = ("*",)
    regions: tuple[str, ...] = ("*",)
    tags: dict[str, str] = Field(default_factory=dict)
    reason: str = Field(min_length=1)
    until: date | None = None

    def matches(self, finding: Finding, tags: Mapping[str, str], today: date) -> bool:
        """True when this mute covers the finding."""
        if self.until is not None and today > self.until:
            return False
        pairs = (
            (self.checks, finding.check_id),
            (self.resources, finding.resource_id),
            (self.accounts, finding.account),
            (self.regions, finding.region),
        )
        if not all(any(fnmatchcase(value, p) for p in patterns) for patterns, value in pairs):
            return False
        return all(tags.get(k) == v for k, v in self.tags.items())

    def describe(self, number: int) -> str:
        """``3 (aws.s3.*: reason)``."""
        return f"{number} ({', '.join(self.checks)}: {self.reason})"


class _OwnLayout(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)  # built for --mutelist

    mutes: tuple[Mute, ...] = ()


@dataclass(frozen=True)
class Mutelist:
    """All accepted risks of a run, and what the file says that mutes nothing."""

    mutes: tuple[Rule, ...] = ()
    warnings: tuple[str, ...] = ()
    """Lines about entries that can never mute (unknown check names, empty lists)."""

    def apply(self, finding: Finding, tags: Mapping[str, str], today: date | None = None) -> Finding:
        """The finding, marked MUTED when a mute covers a failure."""
        if finding.status is not Status.FAIL:
            return finding
        day = today or date.today()
        for mute in self.mutes:
            if mute.matches(finding, tags, day):
                return finding.model_copy(update={"status": Status.MUTED, "muted_reason": mute.reason})
        return finding

    def expired(self, today: date | None = None) -> list[str]:
        """One line per entry whose expiry date has passed: the findings it covered are reported again."""
        day = today or date.today()
        return [
            printable(
                f"mutelist entry {mute.describe(number)} expired on {mute.until}; "
                "its findings are no longer muted",
                MESSAGE_LIMIT,
            )
            for number, mute in enumerate(self.mutes, start=1)
            if mute.until is not None and day > mute.until
        ]

    def notes(self, today: date | None = None) -> list[str]:
        """Everything the run must tell about the mutelist: entries that mute nothing, expired ones."""
        return [*self.warnings, *self.expired(today)]


def known_check_ids() -> frozenset[str]:
    """Every check id a finding can carry: the registered checks and the exposure stage's."""
    return frozenset({c.id for c in REGISTRY} | {r.id for r in all_rules()})


def load_mutelist(path: Path, known: Collection[str] | None = None) -> Mutelist:
    """Read and validate a mutelist file of either layout; raise :class:`MutelistError` with one line.

    ``known``: every check id a finding can carry (:func:`known_check_ids`); check names that match
    none of them (nor, in Prowler's layout, an alias) are listed in ``warnings``. None: not looked for.
    """
    from cloudaudit.engine.mutelist_prowler import is_prowler_layout, prowler_rules

    try:
        raw, lines = load_yaml(path, "mutelist", MUTELIST)
        if raw is None:
            return Mutelist()
        if is_prowler_layout(raw):
            load = prowler_rules(raw, lines, known)
            warnings = [*_unknown_line(load.unknown), *load.empty]
            return Mutelist(
                mutes=tuple(load.rules), warnings=tuple(printable(w, MESSAGE_LIMIT) for w in warnings)
            )
        own = _OwnLayout.model_validate(raw)
        return Mutelist(mutes=own.mutes, warnings=tuple(_unknown_line(_own_unknown(own, lines, known))))
    except UsageError as exc:
        raise MutelistError(exc.message) from None
    except ValidationError as exc:
        raise MutelistError(validation_line(exc, path, "mutelist", lines)) from None


def _own_unknown(
    own: _OwnLayout, lines: LineMap, known: Collection[str] | None
) -> list[tuple[str, int | None]]:
    if known is None:
        return []
    return [
        (pattern, lines.get(("mutes", str(i), "checks", str(j))))
        for i, mute in enumerate(own.mutes)
        for j, pattern in enumerate(mute.checks)
        if not any(fnmatchcase(c, pattern) for c in known)
    ]


def _unknown_line(unknown: list[tuple[str, int | None]]) -> list[str]:
    """One warning naming every unknown check name (a Prowler name in the own layout gets a hint)."""
    if not unknown:
        return []
    from cloudaudit.engine.mutelist_aliases import ALIAS_FILE, alias_ids, aliases

    named = []
    for name, line in unknown[:UNKNOWN_SHOWN]:
        where = f"line {line}" if line else ""
        hint = aliases().get(name)
        if hint:
            where += f"{'; ' if where else ''}a Prowler name: write {', '.join(alias_ids(hint))}"
        named.append(f"{name!r}" + (f" ({where})" if where else ""))
    more = f" and {len(unknown) - UNKNOWN_SHOWN} more" if len(unknown) > UNKNOWN_SHOWN else ""
    text = (
        f"mutelist check names that match no cloudaudit check and no alias (cloudaudit/{ALIAS_FILE}) "
        f"mute nothing: {', '.join(named)}{more}"
    )
    return [printable(text, 4 * MESSAGE_LIMIT)]
