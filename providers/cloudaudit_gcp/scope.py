"""Which projects a GCP run audits: ``--project`` values, the projects beneath ``--organization`` and
``--folder`` (listed by :mod:`cloudaudit_gcp.collect.hierarchy`), less ``--exclude-projects``.

Pure: no Google library is imported here, so a bad value is a usage error before any API call.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cloudaudit.errors import CloudauditError, UsageError
from cloudaudit.model.inventory import GapKind
from cloudaudit.plugins import Target
from cloudaudit.terminal import printable

_NUMBER = re.compile(r"\d{1,32}")


def parent_names(organizations: Iterable[str], folders: Iterable[str]) -> list[str]:
    """``organizations/N`` and ``folders/N`` resource names of the values given (a bare number, or the
    resource name itself), in order, without repeats; anything else is a usage error."""
    names = [_name("organizations", "--organization", v) for v in organizations]
    names += [_name("folders", "--folder", v) for v in folders]
    return list(dict.fromkeys(names))


def _name(collection: str, flag: str, value: str) -> str:
    number = value.removeprefix(f"{collection}/")
    if not _NUMBER.fullmatch(number):
        example = "123456789012"
        raise UsageError(
            f"{flag} takes a number ({example} or {collection}/{example}), not {printable(value, limit=80)!r}"
        )
    return f"{collection}/{number}"


@dataclass(frozen=True)
class ListedProject:
    """An active project found beneath an organization or folder: its id and its number."""

    id: str
    number: str


@dataclass(frozen=True)
class Unlisted:
    """An organization or folder whose projects could not be listed, and why."""

    parent: str
    """``organizations/N`` or ``folders/N``."""
    operation: str
    """The listing that failed: ``projects.list`` or ``folders.list``."""
    code: str
    message: str
    kind: GapKind = GapKind.ERROR

    def reason(self) -> str:
        """One line: what could not be listed and why."""
        said = f"{self.code}: {self.message}" if self.message else self.code
        return f"the projects of {self.parent} could not be listed ({self.operation}: {said})"

    def target(self, settings: tuple[tuple[str, str], ...]) -> Target:
        """A ``folder`` target standing for the parent: collecting it fails with this reason, so that
        the run reports the parent as not audited (a coverage gap when other projects were)."""
        why = ((UNLISTED, self.reason()), (UNLISTED_CODE, self.code), (UNLISTED_KIND, self.kind.value))
        return Target("folder", self.parent, (*settings, *why, (UNLISTED_OPERATION, self.operation)))


UNLISTED, UNLISTED_CODE, UNLISTED_KIND, UNLISTED_OPERATION = (
    "unlisted",
    "unlisted_code",
    "unlisted_kind",
    "unlisted_operation",
)
"""The settings of a target standing for a parent that could not be listed."""


def unlisted_reason(target: Target) -> tuple[str, str, str, GapKind] | None:
    """``(reason, code, operation, kind)`` of a target standing for an unlisted parent, else None."""
    reason = target.setting(UNLISTED)
    if not reason:
        return None
    kind = GapKind(target.setting(UNLISTED_KIND) or GapKind.ERROR.value)
    return reason, target.setting(UNLISTED_CODE) or "", target.setting(UNLISTED_OPERATION) or "", kind


def chosen_projects(
    given: Sequence[str], listed: Sequence[ListedProject], excluded: Iterable[str]
) -> list[str]:
    """The projects to audit: those given, then those listed, without repeats, less the excluded
    (an excluded value matches a project's id or number)."""
    skip = frozenset(excluded)
    chosen = [p for p in given if p not in skip]
    chosen += [p.id for p in listed if p.id not in skip and p.number not in skip]
    return list(dict.fromkeys(chosen))


@dataclass
class Listing:
    """What a walk of organizations and folders found: the active projects, in the order met, and the
    parents it could not list."""

    projects: list[ListedProject] = field(default_factory=list)
    unlisted: list[Unlisted] = field(default_factory=list)
    folders: int = 0
    """Active folders walked (beneath the parents given)."""


def nothing_listed(parents: Sequence[str], listing: Listing) -> CloudauditError:
    """The error of a walk that found no project to audit."""
    if listing.unlisted:
        return CloudauditError(
            printable(listing.unlisted[0].reason(), limit=300)
            + ": grant resourcemanager.projects.list and resourcemanager.folders.list on it "
            "(deploy/gcp-org-role.yaml, or roles/browser)"
        )
    return CloudauditError(
        f"no active project beneath {', '.join(parents)}: check the id, or pass --project PROJECT_ID"
    )
