"""``--notify``: the summary sent to a JSON webhook and a Slack webhook on a local HTTP server (127.0.0.1):
retried on 429/5xx, never redirected, hostile names escaped, the webhook URL never shown, and a failed
notification reported without changing the audit's exit code."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from cloudaudit.deliver.delivery import Delivered, Delivery, deliver, delivery_options
from cloudaudit.deliver.notice import Change, as_text, build_notice, changes_from_history
from cloudaudit.errors import UsageError
from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import FindingsDocument
from format_cases import HOSTILE, golden_doc, hostile_doc

TOKEN = "T000/B000/XXXXsecretXXXX"


@pytest.fixture
def hooks() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def _reports(tmp_path: Path) -> list[Path]:
    out = tmp_path / "reports"
    out.mkdir(mode=0o700)
    files = [out / "report.html", out / "findings.json"]
    for path in files:
        path.write_text("{}")
    return files


def _send(targets: list[str], doc: FindingsDocument, tmp_path: Path, **kw: Any) -> Delivered:
    return deliver(delivery_options(None, notify=targets), doc, _reports(tmp_path), **kw)


def _hook(server: HTTPServer, path: str = f"/services/{TOKEN}") -> str:
    return server.url_for(path)


def _bodies(server: HTTPServer) -> list[Any]:
    return [json.loads(request.get_data()) for request, _ in server.log]


def test_json_webhook_is_retried_after_a_500_then_delivered(hooks: HTTPServer, tmp_path: Path) -> None:
    path = f"/services/{TOKEN}"
    hooks.expect_ordered_request(path, method="POST").respond_with_data("busy", status=500)
    hooks.expect_ordered_request(path, method="POST").respond_with_data("ok")

    done = _send([_hook(hooks)], golden_doc(), tmp_path)

    assert done.notified == ["webhook (127.0.0.1)"] and not done.problems
    assert done.lines == ["notified webhook (127.0.0.1)"]
    first, second = _bodies(hooks)
    assert first == second
    assert second["failing"] == {"critical": 9, "high": 6, "medium": 3, "low": 1, "info": 0}
    assert second["coverage_gaps"] == 2 and second["threshold"] == "high" and second["basis"] == "failing"
    assert second["report"] == str((tmp_path / "reports" / "report.html").resolve())
    assert [f["severity"] for f in second["findings"]] == ["critical"] * 9 + ["high"]
    assert second["more"] == 5
    assert {"check_id", "resource_id", "title"} <= set(second["findings"][0])
    assert "message" not in second["findings"][0] and "evidence" not in second["findings"][0]
    assert all(r.headers["Content-Type"] == "application/json" for r, _ in hooks.log)


def test_failed_notification_is_a_warning_and_keeps_the_exit_code(hooks: HTTPServer, tmp_path: Path) -> None:
    hooks.expect_request(f"/services/{TOKEN}").respond_with_data("down", status=503)

    done = _send([_hook(hooks)], golden_doc(), tmp_path)

    assert done.notified == [] and len(done.problems) == 1
    assert done.problems[0] == (
        "warning: notification to webhook (127.0.0.1) failed: HTTP 503 (down) (after 4 attempts) "
        "(the audit's result is unchanged)"
    )
    assert len(hooks.log) == 4
    assert TOKEN not in done.problems[0]
    assert [done.exit_code(code) for code in (0, 1, 3)] == [0, 1, 3]


def test_429_is_retried_after_retry_after_but_a_404_is_not(hooks: HTTPServer, tmp_path: Path) -> None:
    hooks.expect_ordered_request("/slow").respond_with_data("", status=429, headers={"Retry-After": "0"})
    hooks.expect_ordered_request("/slow").respond_with_data("ok")
    hooks.expect_request("/gone").respond_with_data("no_service", status=404)

    done = _send([_hook(hooks, "/slow"), _hook(hooks, "/gone")], golden_doc(), tmp_path)

    assert done.notified == ["webhook (127.0.0.1)"]
    assert done.notify_errors == ["notification to webhook (127.0.0.1) failed: HTTP 404 (no_service)"]
    assert [r.path for r, _ in hooks.log] == ["/slow", "/slow", "/gone"]


def test_a_redirect_is_not_followed(hooks: HTTPServer, tmp_path: Path) -> None:
    hooks.expect_request("/hook").respond_with_data("", status=302, headers={"Location": "/elsewhere"})
    hooks.expect_request("/elsewhere").respond_with_data("ok")

    done = _send([_hook(hooks, "/hook")], golden_doc(), tmp_path)

    assert done.notify_errors == ["notification to webhook (127.0.0.1) failed: HTTP 302"]
    assert [r.path for r, _ in hooks.log] == ["/hook"]


def test_slack_message_escapes_hostile_names(hooks: HTTPServer, tmp_path: Path) -> None:
    hooks.expect_request("/services/T1/B1/abc").respond_with_data("ok")
    doc = hostile_doc()
    failing = [f for f in doc.findings if f.status is Status.FAIL]
    evil = failing[0].model_copy(
        update={"resource_id": "<https://evil.example|click> <!channel> `x` & *bold*", "title": "<@U123> hi"}
    )
    doc = doc.model_copy(update={"findings": [evil, *failing[1:]]})

    done = _send([f"slack+{_hook(hooks, '/services/T1/B1/abc')}"], doc, tmp_path)

    assert done.notified == ["Slack webhook (127.0.0.1)"]
    (body,) = _bodies(hooks)
    assert body["unfurl_links"] is False and body["unfurl_media"] is False
    text = body["text"]
    assert "<" not in text and ">" not in text  # no link, mention or special command can be formed
    assert "`&lt;https://evil.example|click&gt; &lt;!channel&gt; 'x' &amp; *bold*`" in text
    assert "&lt;@U123&gt; hi" in text
    assert "&lt;script&gt;" in text and "\x1b" not in text and "\u202e" not in text
    assert "\\x1b[31m" in text
    assert not [c for c in text if c != "\n" and unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]


def test_hooks_slack_com_is_slack_and_other_hosts_get_json() -> None:
    slack = delivery_options(None, notify=["https://hooks.slack.com/services/T/B/C"]).notifiers[0]
    generic = delivery_options(None, notify=["https://alerts.example.com/in/abc"]).notifiers[0]
    assert (slack.label, generic.label) == ("Slack webhook (hooks.slack.com)", "webhook (alerts.example.com)")


@pytest.mark.parametrize(
    ("target", "says"),
    [
        (f"http://alerts.example.com/{TOKEN}", "must use https"),
        (f"ftp://alerts.example.com/{TOKEN}", "not a notification target"),
        ("https://user:XXXXsecretXXXX@alerts.example.com/hook", "no user or password"),
        ("sns:arn:aws:sqs:us-east-1:123456789012:queue", "not an SNS topic ARN"),
    ],
)
def test_bad_targets_are_usage_errors_that_do_not_repeat_the_url(target: str, says: str) -> None:
    with pytest.raises(UsageError) as caught:
        delivery_options(None, notify=[target])
    assert says in caught.value.message and "XXXXsecretXXXX" not in caught.value.message


def test_notice_with_changes_lists_only_new_and_changed_findings_at_the_threshold() -> None:
    doc = golden_doc()
    failing = sorted((f for f in doc.findings if f.status is Status.FAIL), key=lambda f: -f.severity.rank)
    critical, medium = failing[0], next(f for f in failing if f.severity is Severity.MEDIUM)
    changes = [
        Change("changed", critical, "severity high -> critical"),
        Change("new", medium),
        Change("new", failing[1]),
    ]

    notice = build_notice(doc, "s3://reports/run/report.html", Severity.HIGH, changes)

    assert notice.basis == "changes" and notice.more == 0
    assert [(i.change, i.resource_id) for i in notice.items] == [
        ("new", failing[1].resource_id),
        ("changed", critical.resource_id),
    ]
    text = as_text(notice)
    assert "New or changed since the last run, high or worse: 2" in text
    assert f"[critical, changed] {critical.check_id} {critical.resource_id}" in text
    assert "(severity high -> critical)" in text
    assert "Report: s3://reports/run/report.html" in text
    assert "Failing findings by severity: critical 9, high 6, medium 3, low 1, info 0" in text


def test_plain_text_escapes_control_characters() -> None:
    text = as_text(build_notice(hostile_doc(), "/tmp/r/report.html", Severity.LOW))
    assert "\x1b" not in text and "\r" not in text and "\u2028" not in text
    assert HOSTILE not in text and "\\x1b[31m" in text


def test_nothing_to_deliver_is_a_no_op(tmp_path: Path) -> None:
    done = deliver(Delivery(), golden_doc(), _reports(tmp_path))
    assert done.lines == [] and done.problems == [] and done.exit_code(1) == 1


@dataclass(frozen=True)
class _Moved:
    """The run history's changed finding, as ``cloudaudit.history.diff.Change`` shapes it."""

    before: Any
    after: Any
    moved: tuple[str, ...]


@dataclass(frozen=True)
class _HistoryChanges:
    new: tuple[Any, ...]
    changed: tuple[_Moved, ...]
    before: object | None


def test_history_changes_become_the_notice_list() -> None:
    failing = [f for f in golden_doc().findings if f.status is Status.FAIL]
    high = next(f for f in failing if f.severity is Severity.HIGH)
    was = high.model_copy(update={"severity": Severity.MEDIUM})
    diff = _HistoryChanges(new=(failing[0],), changed=(_Moved(was, high, ("severity",)),), before="run 7")

    changes = changes_from_history(diff)

    assert changes is not None
    assert [(c.kind, c.finding.resource_id, c.detail) for c in changes] == [
        ("new", failing[0].resource_id, ""),
        ("changed", high.resource_id, "severity medium -> high"),
    ]
    assert changes_from_history(_HistoryChanges((), (), before=None)) is None  # a scope's first run
    assert changes_from_history(None) is None
