"""The short summary a notification carries, and its three renderings: plain text (SNS, e-mail),
Slack mrkdwn and JSON.

What it says: failing findings counted by severity, the coverage gaps, where the report is, and the
findings at or above the threshold: the new and changed ones when the caller knows them (``changes``,
from the run history), else every failing one. Never a finding's message or evidence (they can quote
configuration), never a credential: only check ids, titles, resource ids and names, accounts, regions.

Resource names and ids come from the audited account: plain text escapes control characters, Slack
text escapes ``&``, ``<`` and ``>`` (no link, mention or markup can be injected) and shows them as code,
JSON is serialised by :mod:`json`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from cloudaudit import __version__
from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import FindingsDocument
from cloudaudit.terminal import printable

TOP = 10
"""At most this many findings are listed; the rest are counted."""
_FIELD_LIMIT = 200
"""Longest resource id, name or title shown in text (the report keeps them whole)."""
_JSON_LIMIT = 2000
"""Longest value in the JSON notice (an SNS message holds at most 256 KB)."""


class FindingLike(Protocol):
    """What a notice lists of a finding: a :class:`Finding`, or the run history's stored form of one."""

    @property
    def check_id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def status(self) -> Status: ...
    @property
    def severity(self) -> Severity: ...
    @property
    def account(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def resource_id(self) -> str: ...
    @property
    def resource_name(self) -> str: ...


@dataclass(frozen=True)
class Change:
    """A finding that is new since the last run, or whose status, severity or exposure moved."""

    kind: Literal["new", "changed"]
    finding: FindingLike
    detail: str = ""
    """What moved, in words (``severity high -> critical``); empty for a new finding."""


class _Moved(Protocol):
    @property
    def before(self) -> Any: ...
    @property
    def after(self) -> FindingLike: ...
    @property
    def moved(self) -> tuple[str, ...]: ...


class HistoryChanges(Protocol):
    """The run history's comparison with the previous run (``cloudaudit.history.diff.Changes``)."""

    @property
    def new(self) -> Sequence[FindingLike]: ...
    @property
    def changed(self) -> Sequence[_Moved]: ...
    @property
    def before(self) -> object | None: ...


def changes_from_history(changes: HistoryChanges | None) -> list[Change] | None:
    """The notice's changes from the history's comparison; None when there is no earlier run to compare
    with (the first run of a scope: the notice then lists the failing findings)."""
    if changes is None or changes.before is None:
        return None
    listed = [Change("new", ref) for ref in changes.new]
    for change in changes.changed:
        moved = ", ".join(
            f"{name} {_word(getattr(change.before, name))} -> {_word(getattr(change.after, name))}"
            for name in change.moved
        )
        listed.append(Change("changed", change.after, moved))
    return listed


def _word(value: object) -> str:
    return str(getattr(value, "value", value))


@dataclass(frozen=True)
class Item:
    """One listed finding."""

    change: Literal["new", "changed", "failing"]
    severity: Severity
    check_id: str
    title: str
    resource_id: str
    resource_name: str
    account: str
    region: str
    detail: str = ""


@dataclass(frozen=True)
class Notice:
    """What one run's notification says."""

    providers: tuple[str, ...]
    accounts: tuple[str, ...]
    finished: datetime
    failing: dict[Severity, int]
    coverage_gaps: int
    incomplete: bool
    threshold: Severity
    location: str
    basis: Literal["changes", "failing"]
    """``changes``: the items are what is new or changed since the last run; ``failing``: every
    failing finding at or above the threshold (no history to compare with)."""
    items: tuple[Item, ...]
    more: int
    """How many more findings qualified than are listed."""

    @property
    def qualifying(self) -> int:
        """How many findings qualified for the list."""
        return len(self.items) + self.more


def build_notice(
    doc: FindingsDocument, location: str, threshold: Severity, changes: Sequence[Change] | None = None
) -> Notice:
    """The notice of ``doc``; ``location`` is where the report is (an upload URI or a local path)."""
    failing = Counter(f.severity for f in doc.findings if f.status is Status.FAIL)
    if changes is None:
        chosen = [
            _item("failing", f)
            for f in doc.findings
            if f.status is Status.FAIL and f.severity.at_least(threshold)
        ]
    else:
        chosen = [
            _item(c.kind, c.finding, c.detail)
            for c in changes
            if c.finding.status is Status.FAIL and c.finding.severity.at_least(threshold)
        ]
    chosen.sort(key=lambda i: (-i.severity.rank, i.change != "new", i.check_id, i.resource_id))
    return Notice(
        providers=tuple(doc.run.providers),
        accounts=tuple(doc.run.accounts),
        finished=doc.run.finished,
        failing={s: failing[s] for s in Severity},
        coverage_gaps=len(doc.coverage),
        incomplete=doc.run.incomplete,
        threshold=threshold,
        location=location,
        basis="failing" if changes is None else "changes",
        items=tuple(chosen[:TOP]),
        more=max(0, len(chosen) - TOP),
    )


def _item(change: Literal["new", "changed", "failing"], f: FindingLike, detail: str = "") -> Item:
    return Item(
        change, f.severity, f.check_id, f.title, f.resource_id, f.resource_name, f.account, f.region, detail
    )


# ------------------------------------------------------------------ plain text


def _plain(value: str) -> str:
    return printable(value, limit=_FIELD_LIMIT)


def subject(notice: Notice) -> str:
    """A one-line title (SNS e-mail subject: ASCII, at most 100 characters)."""
    worst = [f"{notice.failing[s]} {s.value}" for s in Severity if notice.failing[s]][:2]
    scope = f"{'/'.join(notice.providers)} {notice.accounts[0] if len(notice.accounts) == 1 else 'accounts'}"
    text = f"cloudaudit {scope}: {', '.join(worst) or 'no'} failing"
    if notice.incomplete:
        text += " (incomplete)"
    return "".join(c if 32 <= ord(c) < 127 else "?" for c in text)[:100]


def _headline(notice: Notice) -> str:
    what = ", ".join(notice.providers) or "cloud"
    accounts = ", ".join(notice.accounts) or "(none)"
    return f"cloudaudit audit of {what} {accounts}, finished {notice.finished:%Y-%m-%d %H:%M} UTC"


def _counts(notice: Notice) -> str:
    return ", ".join(f"{s.value} {notice.failing[s]}" for s in Severity)


def _gaps(notice: Notice) -> str:
    state = " (INCOMPLETE audit: see coverage in the report)" if notice.incomplete else ""
    return f"{notice.coverage_gaps}{state}"


def _list_title(notice: Notice) -> str:
    what = "New or changed since the last run" if notice.basis == "changes" else "Failing findings"
    return f"{what}, {notice.threshold.value} or worse: {notice.qualifying}"


def as_text(notice: Notice) -> str:
    """The plain-text notice (SNS default and e-mail; untrusted text escaped by :func:`printable`)."""
    lines = [
        _plain(_headline(notice)),
        f"Failing findings by severity: {_counts(notice)}",
        f"Coverage gaps: {_gaps(notice)}",
        f"Report: {_plain(notice.location)}",
        "",
        _list_title(notice),
    ]
    for item in notice.items:
        tag = item.severity.value + (f", {item.change}" if item.change != "failing" else "")
        detail = f" ({_plain(item.detail)})" if item.detail else ""
        lines.append(
            f"- [{tag}] {_plain(item.check_id)} {_plain(item.resource_id)}: {_plain(item.title)}{detail}"
        )
    if notice.more:
        lines.append(f"- and {notice.more} more (see the report)")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ Slack


def slack_escape(value: str) -> str:
    """``value`` safe in Slack mrkdwn: one line, ``&``, ``<`` and ``>`` escaped as Slack requires (no
    ``<link|label>``, ``<!channel>`` or ``<@user>`` can be formed)."""
    return (
        printable(value, limit=_FIELD_LIMIT).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    )


def _code(value: str) -> str:
    """Untrusted text as inline code: shown literally, never linked or formatted (a backtick becomes ')."""
    return "`" + slack_escape(value.replace("`", "'")) + "`"


def as_slack(notice: Notice) -> dict[str, Any]:
    """A Slack incoming-webhook message (``text`` in mrkdwn; link unfurling off)."""
    lines = [
        f"*{slack_escape(_headline(notice))}*",
        f"Failing findings by severity: {_counts(notice)}",
        f"Coverage gaps: {slack_escape(_gaps(notice))}",
        f"Report: {_code(notice.location)}",
        "",
        f"*{slack_escape(_list_title(notice))}*",
    ]
    for item in notice.items:
        tag = item.severity.value + (f", {item.change}" if item.change != "failing" else "")
        detail = f" ({slack_escape(item.detail)})" if item.detail else ""
        lines.append(
            f"• [{tag}] {_code(item.check_id)} {_code(item.resource_id)}: {slack_escape(item.title)}{detail}"
        )
    if notice.more:
        lines.append(f"• and {notice.more} more (see the report)")
    return {"text": "\n".join(lines), "mrkdwn": True, "unfurl_links": False, "unfurl_media": False}


# ------------------------------------------------------------------ JSON


def as_json(notice: Notice) -> dict[str, Any]:
    """The notice as data (generic webhooks, SNS to SQS, Lambda and HTTP subscribers)."""
    return {
        "tool": "cloudaudit",
        "tool_version": __version__,
        "providers": list(notice.providers),
        "accounts": list(notice.accounts),
        "finished": notice.finished.isoformat(),
        "failing": {s.value: notice.failing[s] for s in Severity},
        "coverage_gaps": notice.coverage_gaps,
        "incomplete": notice.incomplete,
        "report": notice.location,
        "threshold": notice.threshold.value,
        "basis": notice.basis,
        "findings": [
            {
                "change": i.change,
                "severity": i.severity.value,
                "check_id": _cut(i.check_id),
                "title": _cut(i.title),
                "resource_id": _cut(i.resource_id),
                "resource_name": _cut(i.resource_name),
                "account": _cut(i.account),
                "region": _cut(i.region),
                **({"detail": _cut(i.detail)} if i.detail else {}),
            }
            for i in notice.items
        ],
        "more": notice.more,
        "text": as_text(notice),
    }


def _cut(value: str) -> str:
    return value if len(value) <= _JSON_LIMIT else value[:_JSON_LIMIT] + "…"
