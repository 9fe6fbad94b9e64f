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
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cloudaudit.model.enums import Status
from cloudaudit.model.finding import Finding


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


def load_mutelist(path: Path) -> Mutelist:
    """Read and validate a mutelist file; raise :class:`MutelistError` with a readable reason."""
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MutelistError(f"cannot read mutelist {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise MutelistError(f"mutelist {path} is not valid YAML/JSON{where}: {problem}") from exc
    if raw is None:
        return Mutelist()
    try:
        return Mutelist.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise MutelistError(f"mutelist {path}: {where}: {first['msg']}") from exc
