"""AWS Lambda entry point: ``cloudaudit.lambda_handler.handler(event, context)``.

One invocation is one ``cloudaudit run`` (the same code path, the same checks, reports and exit codes):

- settings come from the event (``provider``, ``regions``, ``checks``, ``exclude_checks``, ``fail_on``,
  ``fail_on_gaps``, ``formats``, ``compliance``, ``mutelist``, ``exposure``, ``workers``,
  ``notify_min_severity``, ``debug`` and the provider's scope options: ``profile``, ``project``,
  ``subscription``...) over defaults from the environment (``CLOUDAUDIT_PROVIDER``,
  ``CLOUDAUDIT_REGIONS``, ``CLOUDAUDIT_CHECKS``...: see :data:`EVENT_ENV`);
- where the results go is the function's configuration, never the event's: the reports are uploaded
  to ``s3://$CLOUDAUDIT_REPORT_BUCKET/$CLOUDAUDIT_REPORT_PREFIX/<provider>/<account>/<YYYY>/<MM>/<DD>/<run
  id>/`` (prefix ``cloudaudit`` by default; SSE-KMS with ``CLOUDAUDIT_UPLOAD_KMS_KEY``) and the summary
  goes to ``CLOUDAUDIT_SNS_TOPIC_ARN`` and the targets of ``CLOUDAUDIT_NOTIFY``;
- files are written under ``/tmp`` only (``CLOUDAUDIT_WORK_DIR`` elsewhere), removed once uploaded;
- the deadline is the invocation's: collection stops ``CLOUDAUDIT_DEADLINE_MARGIN_SECONDS`` (60 s)
  before Lambda's time limit (but never uses less than half the time left), through the same path as
  Ctrl-C: what was read is reported, what was not is listed in ``coverage`` as ``interrupted``, and the
  run's exit code is 3 (incomplete).

The handler returns a JSON-able summary (run id, counts, report location, exit code). A run that cannot
start (a bad event, missing credentials) raises :class:`InvocationError` with one line, so the
invocation fails visibly (the function's ``Errors`` metric, its on-failure destination).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cloudaudit import interrupt
from cloudaudit.cli.app import main
from cloudaudit.deliver.delivery import Delivered, Delivery, deliver
from cloudaudit.deliver.destination import Destination, parse_destination
from cloudaudit.deliver.notice import Change, changes_from_history
from cloudaudit.deliver.notify import Notifier, parse_notifier
from cloudaudit.errors import CloudauditError, ExitCode, UsageError
from cloudaudit.logs import redact
from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import FindingsDocument
from cloudaudit.plugins import plugin_object
from cloudaudit.report.json_report import load_findings

log = logging.getLogger("cloudaudit.lambda")

EVENT_ENV = {
    "provider": "CLOUDAUDIT_PROVIDER",
    "regions": "CLOUDAUDIT_REGIONS",
    "checks": "CLOUDAUDIT_CHECKS",
    "exclude_checks": "CLOUDAUDIT_EXCLUDE_CHECKS",
    "fail_on": "CLOUDAUDIT_FAIL_ON",
    "fail_on_gaps": "CLOUDAUDIT_FAIL_ON_GAPS",
    "formats": "CLOUDAUDIT_FORMATS",
    "compliance": "CLOUDAUDIT_COMPLIANCE",
    "mutelist": "CLOUDAUDIT_MUTELIST",
    "exposure": "CLOUDAUDIT_EXPOSURE",
    "workers": "CLOUDAUDIT_WORKERS",
    "notify_min_severity": "CLOUDAUDIT_NOTIFY_MIN_SEVERITY",
    "debug": "CLOUDAUDIT_DEBUG",
}
"""Event keys and the environment variables that give their defaults."""
_OPTIONS = {
    "regions": "--regions",
    "checks": "--checks",
    "exclude_checks": "--exclude-checks",
    "fail_on": "--fail-on",
    "compliance": "--compliance",
    "mutelist": "--mutelist",
    "exposure": "--exposure",
    "workers": "--workers",
}
"""Event keys passed to ``cloudaudit run`` as the option of the same meaning."""
_FLAGS = {"fail_on_gaps": "--fail-on-gaps", "debug": "--debug"}
BUCKET_ENV = "CLOUDAUDIT_REPORT_BUCKET"
PREFIX_ENV = "CLOUDAUDIT_REPORT_PREFIX"
TOPIC_ENV = "CLOUDAUDIT_SNS_TOPIC_ARN"
NOTIFY_ENV = "CLOUDAUDIT_NOTIFY"
KMS_ENV = "CLOUDAUDIT_UPLOAD_KMS_KEY"
STORE_ENV = "CLOUDAUDIT_STORE"
WORK_DIR_ENV = "CLOUDAUDIT_WORK_DIR"
MARGIN_ENV = "CLOUDAUDIT_DEADLINE_MARGIN_SECONDS"
DEFAULT_PREFIX = "cloudaudit"
DEFAULT_MARGIN = 60.0
ALWAYS_WRITTEN = ("json", "html")
"""findings.json and the HTML report are always written (and uploaded); ``formats`` adds to them."""
POLL_SECONDS = 0.2
"""How often the deadline asks again for the stop (see :func:`deadline`)."""
_TRUE = frozenset({"1", "true", "yes", "on"})


class InvocationError(CloudauditError):
    """The audit could not run or write its reports: the invocation fails with this one line."""


@dataclass(frozen=True)
class Settings:
    """One invocation's audit (as ``cloudaudit run`` arguments) and where its results go."""

    provider: str
    run_args: tuple[str, ...]
    bucket: str | None
    prefix: str
    kms_key: str | None
    notifiers: tuple[Notifier, ...]
    min_severity: Severity


def handler(event: Mapping[str, Any] | None, context: Any) -> dict[str, Any]:
    """Run one audit (see the module's documentation) and return its summary."""
    try:
        settings = read_settings(event or {}, os.environ)
    except CloudauditError as exc:
        raise InvocationError(f"bad invocation: {redact(exc.message)}") from None
    margin = _margin()
    work = Path(tempfile.mkdtemp(prefix="cloudaudit-", dir=os.environ.get(WORK_DIR_ENV) or None))
    with deadline(context, margin) as reached:
        # an empty --notify: this handler notifies once the upload location is known
        code = main(
            ["run", "--provider", settings.provider, "-o", str(work), *settings.run_args, "--notify="]
        )
    interrupt.STOP.clear()  # a warm container's next invocation starts afresh
    if reached.is_set() and code == ExitCode.INTERRUPTED:
        code = int(ExitCode.RUNTIME)  # the deadline, not a user: an incomplete audit
    if not (work / "findings.json").is_file():
        shutil.rmtree(work, ignore_errors=True)
        raise InvocationError(f"the audit wrote no report (exit code {code}): see the error line in the log")
    doc = load_findings(work / "findings.json")
    run_id = _run_id(doc, context)
    files = sorted(p for p in work.iterdir() if p.is_file() and not p.name.startswith("."))
    delivery = Delivery(_destination(settings, doc, run_id), settings.notifiers, settings.min_severity)
    done = deliver(delivery, doc, files, changes=_changes(doc))
    for line in done.lines:
        print(line, flush=True)
    for line in done.problems:
        log.error("%s", line)
    if delivery.destination is not None and done.upload_error is None:
        shutil.rmtree(work, ignore_errors=True)
    return _summary(doc, run_id, done.exit_code(code), reached.is_set(), done)


def read_settings(event: Mapping[str, Any], environ: Mapping[str, str]) -> Settings:
    """The invocation's settings: the event's values over the environment's; UsageError on a key or
    value the handler does not know."""
    if not isinstance(event, Mapping):
        raise UsageError("the event must be a JSON object")
    if "detail-type" in event and "source" in event:  # an EventBridge event: the settings are its detail
        detail = event.get("detail") or {}
        event = detail if isinstance(detail, Mapping) else {}
    provider = _text(event.get("provider") or environ.get(EVENT_ENV["provider"]) or "aws", "provider")
    scope = {o.name: o for o in plugin_object(provider).scope_options}
    unknown = sorted(set(event) - set(EVENT_ENV) - set(scope))
    if unknown:
        known = ", ".join([*EVENT_ENV, *scope])
        raise UsageError(f"unknown event key(s) {', '.join(unknown)}; known: {known}")
    args: list[str] = []
    for key, option in _OPTIONS.items():
        value = event[key] if key in event else environ.get(EVENT_ENV[key])
        if value not in (None, ""):
            args += [option, _listed(value, key)]
    for key, flag in _FLAGS.items():
        if _flag(event[key] if key in event else environ.get(EVENT_ENV[key], ""), key):
            args.append(flag)
    formats = event["formats"] if "formats" in event else environ.get(EVENT_ENV["formats"], "")
    chosen = [f.strip() for f in _listed(formats or "", "formats").split(",") if f.strip()]
    args += ["--format", ",".join(dict.fromkeys([*ALWAYS_WRITTEN, *chosen]))]
    for name, scope_option in scope.items():
        if name in event:
            values = event[name] if isinstance(event[name], list) else [event[name]]
            for value in values:
                args += [scope_option.flag, _text(value, name)]
    return Settings(
        provider=provider,
        run_args=tuple(args),
        bucket=environ.get(BUCKET_ENV) or None,
        prefix=(environ.get(PREFIX_ENV) or DEFAULT_PREFIX).strip("/"),
        kms_key=environ.get(KMS_ENV) or None,
        notifiers=_notifiers(environ),
        min_severity=_severity(
            event.get("notify_min_severity") or environ.get(EVENT_ENV["notify_min_severity"]) or "high"
        ),
    )


def _text(value: object, key: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise UsageError(f"event key {key!r} must be a string")
    return str(value)


def _listed(value: object, key: str) -> str:
    """A list, or a comma-separated string, as the comma-separated text the CLI takes."""
    if isinstance(value, list):
        return ",".join(_text(v, key) for v in value)
    return _text(value, key)


def _flag(value: object, key: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    raise UsageError(f"event key {key!r} must be true or false")


def _severity(value: object) -> Severity:
    try:
        return Severity(str(value).strip().lower())
    except ValueError:
        raise UsageError(
            f"notify_min_severity must be one of {', '.join(s.value for s in Severity)}"
        ) from None


def _notifiers(environ: Mapping[str, str]) -> tuple[Notifier, ...]:
    targets = [f"sns:{topic}"] if (topic := environ.get(TOPIC_ENV, "").strip()) else []
    targets += environ.get(NOTIFY_ENV, "").split()
    return tuple(parse_notifier(target) for target in targets)


def _margin() -> float:
    try:
        return max(0.0, float(os.environ.get(MARGIN_ENV) or DEFAULT_MARGIN))
    except ValueError:
        raise InvocationError(f"{MARGIN_ENV} must be a number of seconds") from None


@contextmanager
def deadline(context: Any, margin: float) -> Iterator[threading.Event]:
    """Ask the run to stop collecting ``margin`` seconds before the invocation's time limit (but not
    before half the time left has passed); the event yielded is set once it did.

    The stop is asked again every :data:`POLL_SECONDS` until the block ends: the run clears the flag
    when it starts, and a short invocation's deadline may come first.
    """
    reached = threading.Event()
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None:  # not under Lambda (a local call): no deadline
        yield reached
        return
    left = max(0.0, remaining() / 1000)
    budget = max(left - margin, left / 2)
    done = threading.Event()

    def watch() -> None:
        if done.wait(budget):
            return
        log.warning(
            "deadline: stopping collection %.0f s before the Lambda time limit; "
            "what was not read is listed in the report's coverage",
            left - budget,
        )
        reached.set()
        while not done.is_set():
            interrupt.STOP.set()
            done.wait(POLL_SECONDS)

    watcher = threading.Thread(target=watch, name="cloudaudit-deadline", daemon=True)
    watcher.start()
    try:
        yield reached
    finally:
        done.set()
        watcher.join()


def _run_id(doc: FindingsDocument, context: Any) -> str:
    """``20250101T020000Z-1a2b3c4d``: the run's start and the invocation's request id (or a random tag)."""
    request = str(getattr(context, "aws_request_id", "") or "")
    tag = re.sub(r"[^0-9a-f]", "", request.lower())[:8] or secrets.token_hex(4)
    return f"{doc.run.started:%Y%m%dT%H%M%SZ}-{tag}"


def _segment(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", value).strip("._") or "unknown"


def _destination(settings: Settings, doc: FindingsDocument, run_id: str) -> Destination | None:
    """``s3://BUCKET/PREFIX/<provider>/<account>/<YYYY>/<MM>/<DD>/<run id>/``, or None without a bucket."""
    if not settings.bucket:
        return None
    account = doc.run.accounts[0] if len(doc.run.accounts) == 1 else "multi-account"
    day = doc.run.started
    path = f"{settings.prefix}/{_segment(doc.run.provider)}/{_segment(account)}/{day:%Y/%m/%d}/{run_id}"
    return parse_destination(f"s3://{settings.bucket}/{path}", settings.kms_key)


def _changes(doc: FindingsDocument) -> list[Change] | None:
    """New and changed findings since the previous run of the scope, from the run store
    (``CLOUDAUDIT_STORE``, where ``cloudaudit run`` recorded this run); None (no store, first run of
    the scope, an unreadable store) lists the failing findings instead."""
    url = os.environ.get(STORE_ENV, "").strip()
    if not url:
        return None
    try:
        from cloudaudit.history.location import parse_store
        from cloudaudit.history.store import Store

        with Store.open(parse_store(url), create=False) as store:
            this = next((r for r in store.runs() if r.started == doc.run.started), None)
            previous = store.previous(this) if this is not None else None
            if this is None or previous is None:
                return None
            return changes_from_history(store.diff(previous, this))
    except CloudauditError as exc:
        log.error("run store: %s; the notice lists the failing findings instead", redact(exc.message))
        return None


def _summary(
    doc: FindingsDocument, run_id: str, code: int, deadline_reached: bool, done: Delivered
) -> dict[str, Any]:
    statuses = Counter(f.status.value for f in doc.findings)
    failing = Counter(f.severity.value for f in doc.findings if f.status is Status.FAIL)
    return {
        "run_id": run_id,
        "provider": doc.run.provider,
        "accounts": list(doc.run.accounts),
        "regions": list(doc.run.regions),
        "started": doc.run.started.isoformat(),
        "finished": doc.run.finished.isoformat(),
        "exit_code": code,
        "incomplete": doc.run.incomplete,
        "deadline_reached": deadline_reached,
        "failing": {s.value: failing[s.value] for s in Severity},
        "statuses": {s.value: statuses[s.value] for s in Status},
        "coverage_gaps": len(doc.coverage),
        "not_read": list(doc.run.not_read),
        "report": done.location,
        "uploaded": len(done.uploaded),
        "upload_error": done.upload_error,
        "notified": done.notified,
        "notify_errors": done.notify_errors,
    }
