"""``cloudaudit run --upload s3://... --notify ...`` against moto's server: objects encrypted (SSE-S3 or
SSE-KMS) with their content types, the summary to SNS and to a webhook; a failed notification leaves the
exit code alone; bad targets stop the run before any API call."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from aws_seed import client, private_bucket, public_bucket
from cloudaudit.cli.app import main

ACCOUNT = "123456789012"


@pytest.fixture
def hook() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def _run(out: Path, *extra: str) -> int:
    return main(
        ["run", "--provider", "aws", "--regions", "us-east-1", "--checks", "aws.s3.*", "-o", str(out), *extra]
    )


def test_run_uploads_with_kms_and_notifies_sns_and_a_webhook(
    aws: str, out_dir: Path, hook: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    public_bucket(aws, "pub-exports")
    private_bucket(aws, "audit-reports")
    key = client(aws, "kms").create_key()["KeyMetadata"]["Arn"]
    topic = client(aws, "sns").create_topic(Name="summary")["TopicArn"]
    sqs = client(aws, "sqs")
    queue = sqs.create_queue(QueueName="summary")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    client(aws, "sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    hook.expect_request("/hooks/secret-token-123").respond_with_data("ok")

    code = _run(
        out_dir,
        "--fail-on",
        "high",
        "--upload",
        "s3://audit-reports/nightly",
        "--upload-kms-key",
        key,
        "--notify",
        f"sns:{topic}",
        "--notify",
        hook.url_for("/hooks/secret-token-123"),
    )

    captured = capsys.readouterr()
    assert code == 1, captured.err
    assert "uploaded 3 file(s) to s3://audit-reports/nightly/" in captured.out
    assert f"notified SNS topic {topic}" in captured.out and "notified webhook (127.0.0.1)" in captured.out
    assert "secret-token-123" not in captured.out + captured.err
    s3 = client(aws, "s3")
    for name in ("report.html", "findings.json", "inventory.json"):
        head = s3.head_object(Bucket="audit-reports", Key=f"nightly/{name}")
        assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"] == key
        assert (
            s3.get_object(Bucket="audit-reports", Key=f"nightly/{name}")["Body"].read()
            == (out_dir / name).read_bytes()
        )
    acl = s3.get_object_acl(Bucket="audit-reports", Key="nightly/report.html")
    assert [g["Grantee"].get("URI") for g in acl["Grants"] if g["Grantee"].get("URI")] == []  # not public

    (request, _), *_ = hook.log
    notice = json.loads(request.get_data())
    assert notice["report"] == "s3://audit-reports/nightly/report.html"
    assert ("aws.s3.bucket_policy_public", "arn:aws:s3:::pub-exports") in {
        (f["check_id"], f["resource_id"]) for f in notice["findings"]
    }
    (message,) = sqs.receive_message(QueueUrl=queue)["Messages"]
    assert json.loads(json.loads(message["Body"])["Message"]) == notice  # the same summary over SNS


def test_failed_notification_keeps_the_exit_code(
    aws: str,
    out_dir: Path,
    hook: HTTPServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CLOUDAUDIT_RETRY_SECONDS", "1")  # one quick retry
    hook.expect_request("/down").respond_with_data("", status=500)

    assert _run(out_dir, "--notify", hook.url_for("/down")) == 0

    err = capsys.readouterr().err
    assert "warning: notification to webhook (127.0.0.1) failed: HTTP 500" in err
    assert (out_dir / "report.html").is_file()


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--notify", "http://hooks.example.com/T1/secret"], "must use https"),
        (["--upload", "s3://bucket/x?sig=abc"], "no query, fragment or credentials"),
        (["--notify", "sns:not-an-arn"], "not an SNS topic ARN"),
    ],
)
def test_bad_targets_stop_before_any_api_call(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], says: str
) -> None:
    out = tmp_path / "out"  # not even created: the targets are checked first
    assert _run(out, *extra) == 2
    err = capsys.readouterr().err
    assert says in err and "secret" not in err and "abc" not in err
    assert not out.exists()
