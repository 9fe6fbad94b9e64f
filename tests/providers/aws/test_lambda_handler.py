"""``cloudaudit.lambda_handler.handler`` end to end against moto's server: the audit, the reports in S3
under the dated prefix, the summary published to SNS and read back from an SQS queue subscribed to the
topic; the deadline taken from the (fake) Lambda context; a failed upload; bad events."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from aws_seed import client, private_bucket, public_bucket
from cloudaudit.lambda_handler import InvocationError, handler, read_settings
from test_interrupt import StallingEc2

ACCOUNT = "123456789012"
REQUEST_ID = "8c2f0d1e-6b1a-4c8e-9a63-2f5e1d7c9b40"
REPORTS = "audit-reports"


class FakeLambdaContext:
    """The Lambda runtime's context object as the handler uses it: a request id and the time left,
    counted down by a real clock."""

    def __init__(self, seconds_left: float) -> None:
        self.aws_request_id = REQUEST_ID
        self.function_name = "cloudaudit"
        self._deadline = time.monotonic() + seconds_left

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@pytest.fixture
def summaries(aws: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    """The function's environment: a report bucket, a topic with an SQS queue subscribed, /tmp."""
    private_bucket(aws, REPORTS)
    topic = client(aws, "sns").create_topic(Name="cloudaudit-summary")["TopicArn"]
    sqs = client(aws, "sqs")
    queue = sqs.create_queue(QueueName="summaries")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    client(aws, "sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    work = tmp_path / "tmp"
    work.mkdir(mode=0o700)
    monkeypatch.setenv("CLOUDAUDIT_REPORT_BUCKET", REPORTS)
    monkeypatch.setenv("CLOUDAUDIT_SNS_TOPIC_ARN", topic)
    monkeypatch.setenv("CLOUDAUDIT_WORK_DIR", str(work))
    yield lambda: _messages(sqs, queue)


def _messages(sqs: Any, queue: str) -> list[dict[str, Any]]:
    """Every SNS notification in the queue (the envelope, its Message parsed: the JSON rendering)."""
    found = []
    for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
        envelope = json.loads(message["Body"])
        found.append({"Subject": envelope.get("Subject"), "notice": json.loads(envelope["Message"])})
    return found


def _objects(aws: str, prefix: str) -> dict[str, dict[str, Any]]:
    s3 = client(aws, "s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=REPORTS, Prefix=prefix).get("Contents", [])]
    return {key.removeprefix(prefix): s3.head_object(Bucket=REPORTS, Key=key) for key in keys}


def _s3_json(aws: str, key: str) -> Any:
    return json.loads(client(aws, "s3").get_object(Bucket=REPORTS, Key=key)["Body"].read())


def test_handler_audits_uploads_under_a_dated_prefix_and_publishes_the_summary(
    aws: str, summaries: Any, tmp_path: Path
) -> None:
    public_bucket(aws, "pub-exports")
    event = {"regions": ["us-east-1"], "checks": "aws.s3.*", "fail_on": "high", "formats": "csv"}

    result = handler(event, FakeLambdaContext(900))

    today = datetime.now(UTC)
    run_id = result["run_id"]
    assert run_id.endswith("-8c2f0d1e") and run_id.startswith(f"{today:%Y%m%d}T")
    prefix = f"cloudaudit/aws/{ACCOUNT}/{today:%Y/%m/%d}/{run_id}/"
    assert result["report"] == f"s3://{REPORTS}/{prefix}report.html"
    assert result["exit_code"] == 1 and result["deadline_reached"] is False
    assert result["accounts"] == [ACCOUNT] and result["failing"]["high"] >= 1
    assert result["uploaded"] == 4 and result["upload_error"] is None
    assert result["notified"] == [f"SNS topic arn:aws:sns:us-east-1:{ACCOUNT}:cloudaudit-summary"]
    json.dumps(result)  # JSON-able, as Lambda returns it

    objects = _objects(aws, prefix)
    assert set(objects) == {"findings.json", "report.html", "inventory.json", "findings.csv"}
    assert objects["report.html"]["ContentType"] == "text/html; charset=utf-8"
    assert objects["findings.json"]["ContentType"] == "application/json"
    assert {o["ServerSideEncryption"] for o in objects.values()} == {"AES256"}
    doc = _s3_json(aws, prefix + "findings.json")
    failing = {f["resource_id"] for f in doc["findings"] if f["status"] == "FAIL"}
    assert "arn:aws:s3:::pub-exports" in failing

    (message,) = summaries()
    notice = message["notice"]
    assert message["Subject"].startswith(f"cloudaudit aws {ACCOUNT}: ")
    assert notice["report"] == result["report"] and notice["basis"] == "failing"
    assert notice["failing"] == result["failing"] and notice["coverage_gaps"] == result["coverage_gaps"]
    listed = {(f["check_id"], f["resource_id"]) for f in notice["findings"]}
    assert ("aws.s3.bucket_policy_public", "arn:aws:s3:::pub-exports") in listed
    assert all(f["severity"] in ("critical", "high") for f in notice["findings"])
    assert not list((tmp_path / "tmp").iterdir())  # the local copy is gone once uploaded


def test_deadline_stops_collection_and_reports_what_was_read(
    aws: str, summaries: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    public_bucket(aws, "pub-exports")
    stalling = StallingEc2()  # EC2 never answers: only the deadline ends the collection
    monkeypatch.setenv("AWS_ENDPOINT_URL_EC2", stalling.url)
    try:
        result = handler({"regions": "us-east-1"}, FakeLambdaContext(4))  # 4 s left, 60 s margin
    finally:
        stalling.close()

    assert result["deadline_reached"] is True
    assert result["exit_code"] == 3 and result["incomplete"] is True
    assert result["not_read"][-1].startswith("interrupted before reading: ")
    assert "ec2 (us-east-1)" in result["not_read"][-1]
    prefix = result["report"].removeprefix(f"s3://{REPORTS}/").removesuffix("report.html")
    doc = _s3_json(aws, prefix + "findings.json")
    assert doc["run"]["incomplete"] is True and doc["run"]["accounts"] == [ACCOUNT]
    assert {g["kind"] for g in doc["coverage"] if g["service"] == "ec2"} == {"interrupted"}
    (message,) = summaries()
    assert message["notice"]["incomplete"] is True and message["Subject"].endswith("(incomplete)")


def test_failed_upload_exits_3_keeps_the_reports_and_still_notifies(
    aws: str, summaries: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CLOUDAUDIT_REPORT_BUCKET", "no-such-reports-bucket")

    result = handler({"regions": "us-east-1", "checks": "aws.s3.*"}, FakeLambdaContext(900))

    assert result["exit_code"] == 3
    assert result["upload_error"].startswith("upload of ")
    assert "s3://no-such-reports-bucket/cloudaudit/aws/" in result["upload_error"]
    assert "NoSuchBucket" in result["upload_error"]
    local = Path(result["report"])
    assert local.name == "report.html" and local.is_file() and local.parent.parent == tmp_path / "tmp"
    (message,) = summaries()
    assert message["notice"]["report"] == str(local)


def test_bad_event_fails_the_invocation_with_one_line(aws: str, summaries: Any, tmp_path: Path) -> None:
    with pytest.raises(InvocationError) as caught:
        handler({"regoins": "us-east-1"}, FakeLambdaContext(900))
    assert caught.value.message.startswith("bad invocation: unknown event key(s) regoins; known: provider,")
    with pytest.raises(InvocationError, match=r"unknown event key\(s\) project"):
        handler({"project": "p1"}, FakeLambdaContext(900))  # a GCP option, not AWS's
    assert not list((tmp_path / "tmp").iterdir()) and summaries() == []


def test_audit_that_cannot_start_fails_the_invocation(aws: str, summaries: Any, tmp_path: Path) -> None:
    with pytest.raises(InvocationError, match=r"the audit wrote no report \(exit code 2\)"):
        handler({"regions": "us-east-1", "checks": "aws.nothing.*"}, FakeLambdaContext(900))
    assert not list((tmp_path / "tmp").iterdir()) and summaries() == []


def test_event_values_override_the_environment() -> None:
    environ = {
        "CLOUDAUDIT_REGIONS": "eu-west-1",
        "CLOUDAUDIT_FORMATS": "sarif",
        "CLOUDAUDIT_FAIL_ON": "critical",
        "CLOUDAUDIT_REPORT_PREFIX": "/audits/nightly/",
    }
    event = {"regions": ["us-east-1", "us-west-2"], "profile": ["audit", "prod"], "fail_on_gaps": True}

    settings = read_settings(event, environ)

    assert settings.provider == "aws" and settings.prefix == "audits/nightly" and settings.bucket is None
    args = list(settings.run_args)
    assert args[args.index("--regions") + 1] == "us-east-1,us-west-2"
    assert args[args.index("--fail-on") + 1] == "critical"
    assert args[args.index("--format") + 1] == "json,html,sarif"
    assert "--fail-on-gaps" in args
    assert [args[i + 1] for i, a in enumerate(args) if a == "--profile"] == ["audit", "prod"]


def test_an_eventbridge_event_brings_its_detail() -> None:
    scheduled = {
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": "2025-06-01T02:00:00Z",
        "region": "us-east-1",
        "resources": [f"arn:aws:events:us-east-1:{ACCOUNT}:rule/nightly"],
        "detail": {},
    }
    assert read_settings(scheduled, {"CLOUDAUDIT_REGIONS": "eu-west-1"}).run_args[:2] == (
        "--regions",
        "eu-west-1",
    )
    custom = {**scheduled, "detail-type": "cloudaudit", "detail": {"regions": "us-west-2"}}
    assert read_settings(custom, {}).run_args[:2] == ("--regions", "us-west-2")


def test_notify_targets_from_the_environment_are_sent_once(
    aws: str, summaries: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = HTTPServer(host="127.0.0.1", port=0)
    hook.expect_request("/hooks/T1/secret").respond_with_data("ok")
    hook.start()
    try:
        monkeypatch.setenv("CLOUDAUDIT_NOTIFY", hook.url_for("/hooks/T1/secret"))
        result = handler({"regions": "us-east-1", "checks": "aws.s3.*"}, FakeLambdaContext(900))
    finally:
        hook.stop()

    assert result["notified"][1:] == ["webhook (127.0.0.1)"]
    ((request, _),) = hook.log  # the handler's, not a second one from the run it starts
    assert json.loads(request.get_data())["report"] == result["report"]
    assert len(summaries()) == 1


def test_with_a_run_store_the_summary_lists_what_is_new_since_the_last_run(
    aws: str, summaries: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUDAUDIT_STORE", f"sqlite:///{tmp_path / 'store' / 'runs.db'}")
    event = {"regions": ["us-east-1"], "checks": "aws.s3.*"}
    public_bucket(aws, "old-exports")
    first = handler(event, FakeLambdaContext(900))
    (message,) = summaries()
    assert message["notice"]["basis"] == "failing"  # the first run of the scope: nothing to compare
    public_bucket(aws, "new-exports")
    second = handler(event, FakeLambdaContext(900))
    assert second["run_id"] != first["run_id"]
    (message,) = summaries()
    notice = message["notice"]
    assert notice["basis"] != "failing"
    listed = {f["resource_id"] for f in notice["findings"]}
    assert "arn:aws:s3:::new-exports" in listed and "arn:aws:s3:::old-exports" not in listed
