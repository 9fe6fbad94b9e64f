"""After the reports are written: upload them (``--upload``), then send the summary (``--notify``).

Both are checked before the audit starts (a bad URI is a usage error before any API call). A failed
upload is one error line and makes the run exit 3 once everything else is done; the local reports stay.
A failed notification is one warning line and changes nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cloudaudit.errors import ExitCode
from cloudaudit.logs import redact
from cloudaudit.model.enums import Severity
from cloudaudit.terminal import printable

if TYPE_CHECKING:  # a run without --upload or --notify imports neither
    from cloudaudit.deliver.destination import Destination
    from cloudaudit.deliver.notice import Change
    from cloudaudit.deliver.notify import Notifier
    from cloudaudit.model.finding import FindingsDocument

HTML_REPORT = "report.html"


@dataclass(frozen=True)
class Delivery:
    """Where a run's reports and summary go."""

    destination: Destination | None = None
    notifiers: tuple[Notifier, ...] = ()
    min_severity: Severity = Severity.HIGH
    """Findings at or above it are listed in notifications."""


def delivery_options(
    upload_uri: str | None,
    kms_key: str | None = None,
    notify: Sequence[str] | None = None,
    min_severity: Severity = Severity.HIGH,
) -> Delivery:
    """The validated options (UsageError or MissingDependencyError before anything runs)."""
    destination: Destination | None = None
    notifiers: tuple[Notifier, ...] = ()
    if upload_uri:
        from cloudaudit.deliver.destination import parse_destination

        destination = parse_destination(upload_uri, kms_key)
    if any(target.strip() for target in notify or ()):
        from cloudaudit.deliver.notify import parse_notifier

        notifiers = tuple(parse_notifier(target) for target in notify or () if target.strip())
    return Delivery(destination, notifiers, min_severity)


@dataclass
class Delivered:
    """What delivery did: lines for stdout, problems for stderr."""

    location: str
    """Where the report is: the uploaded HTML report (or prefix), else the local one."""
    uploaded: list[str] = field(default_factory=list)
    upload_error: str | None = None
    notified: list[str] = field(default_factory=list)
    notify_errors: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def exit_code(self, code: int) -> int:
        """The run's exit code with the upload's outcome: RUNTIME when it failed, unless interrupted."""
        if self.upload_error and code != ExitCode.INTERRUPTED:
            return int(ExitCode.RUNTIME)
        return code


def deliver(
    delivery: Delivery,
    doc: FindingsDocument,
    files: Sequence[Path],
    changes: Sequence[Change] | None = None,
) -> Delivered:
    """Upload ``files`` (all the run wrote), then notify with the summary of ``doc``.

    ``changes`` are the new and changed findings since the last run (from the run history); without
    them the notice lists the failing findings at or above the threshold.
    """
    from cloudaudit.deliver.notice import build_notice
    from cloudaudit.deliver.upload import describe
    from cloudaudit.deliver.webhook import NotifyError

    result = Delivered(location=_local_location(files))
    if delivery.destination is not None:
        _upload(delivery.destination, files, result)
    if delivery.notifiers:
        notice = build_notice(doc, result.location, delivery.min_severity, changes)
        for notifier in delivery.notifiers:
            try:
                notifier.send(notice)
            except NotifyError as exc:
                _not_notified(result, notifier.label, exc.message)
            except Exception as exc:  # an SDK's error (SNS): reported, the audit's outcome stands
                _not_notified(result, notifier.label, describe(exc))
            else:
                result.notified.append(notifier.label)
                result.lines.append(f"notified {notifier.label}")
    return result


def _upload(destination: Destination, files: Sequence[Path], result: Delivered) -> None:
    from cloudaudit.deliver.upload import UploadError, upload

    try:
        result.uploaded = upload(destination, files)
    except UploadError as exc:
        local = files[0].parent if files else "the output directory"
        result.upload_error = printable(redact(exc.message), limit=0)
        result.problems.append(
            f"error: {result.upload_error}; the reports stay in {printable(local, limit=300)}"
        )
        return
    html = any(path.name == HTML_REPORT for path in files)
    result.location = destination.uri + (HTML_REPORT if html else "")
    result.lines.append(f"uploaded {len(result.uploaded)} file(s) to {printable(destination.uri, limit=300)}")


def _not_notified(result: Delivered, label: str, cause: str) -> None:
    line = f"notification to {label} failed: {printable(redact(cause), limit=300)}"
    result.notify_errors.append(line)
    result.problems.append(f"warning: {line} (the audit's result is unchanged)")


def _local_location(files: Sequence[Path]) -> str:
    html = next((p for p in files if p.name == HTML_REPORT), None)
    if html is not None:
        return str(html.resolve())
    return str(files[0].parent.resolve()) if files else ""
