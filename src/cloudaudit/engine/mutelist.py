"""Mutelist: accepted risks, matched by check, resource, account, region and tags.

File format (YAML or JSON)::

    mutes:
      - checks: ["aws.s3.bucket_versioning_disabled"]   # ids or globs
        resources: ["arn:aws:s3:::logs-*"]             # default: all
        accounts: ["123456789012"]                     # default: all
        regions: ["*"]                                 # default: all
        tags: {environment: sandbox}                   # all must match; optional
        reason: "Log buckets are write-once"           # required
        until: 2027-01-31                              # optional expiry date
"""

from __future__ import annotations

from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cloudaudit.errors import UsageError
from cloudaudit.inputs import MESSAGE_LIMIT, MUTELIST, load_yaml, validation_line
from cloudaudit.model.enums import Status
from cloudaudit.model.finding import Finding
from cloudaudit.terminal import printable


class MutelistError(ValueError):
    """The mutelist file is unreadable or malformed."""


class Mute(BaseModel):
    """One accepted risk."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    checks: tuple[str, ...] = Field(min_length=1)
    resources: tuple[str, ...] = ("*",)
    accounts: tuple[str, ...] = ("*",)
    regions: tuple[str, ...] = ("*",)
    tags: dict[str, str] = Field(default_factory=dict)
    reason: str = Field(min_length=1)
    until: date | None = None

    def matches(self, finding: Finding, tags: dict[str, str], today: date) -> bool:
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


class Mutelist(BaseModel):
    """All accepted risks of a run."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mutes: tuple[Mute, ...] = ()

    def apply(self, finding: Finding, tags: dict[str, str], today: date | None = None) -> Finding:
        """The finding, marked MUTED when a mute covers a failure."""
        if finding.status is not Status.FAIL:
            return finding
        day = today or date.today()
        for mute in self.mutes:
            if mute.matches(finding, tags, day):
                return finding.model_copy(update={"status": Status.MUTED, "muted_reason": mute.reason})
        return finding

    def expired(self, today: date | None = None) -> list[str]:
        """One line per entry whose ``until`` has passed: the findings it covered are reported again."""
        day = today or date.today()
        return [
            printable(
                f"mutelist entry {number} ({', '.join(mute.checks)}: {mute.reason}) expired on "
                f"{mute.until}; its findings are no longer muted",
                MESSAGE_LIMIT,
            )
            for number, mute in enumerate(self.mutes, start=1)
            if mute.until is not None and day > mute.until
        ]


def load_mutelist(path: Path) -> Mutelist:
    """Read and validate a mutelist file; raise :class:`MutelistError` with a one-line reason."""
    try:
        raw, lines = load_yaml(path, "mutelist", MUTELIST)
        return Mutelist() if raw is None else Mutelist.model_validate(raw)
    except UsageError as exc:
        raise MutelistError(exc.message) from None
    except ValidationError as exc:
        raise MutelistError(validation_line(exc, path, "mutelist", lines)) from None
