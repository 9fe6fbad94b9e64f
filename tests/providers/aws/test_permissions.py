"""The audit is read-only, and the shipped IAM policy covers exactly what it calls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from cloudaudit.cli.app import main
from cloudaudit.errors import ExitCode
from cloudaudit_aws.collect.services import required_permissions

POLICY = Path(__file__).resolve().parents[3] / "deploy" / "iam-readonly-policy.json"
READ_PREFIXES = ("Get", "List", "Describe")
HTTP_VERB_READS = {"apigateway:GET"}
"""API Gateway's IAM actions are HTTP verbs; GET is its only read."""
STS_DENIED = (
    "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
    "<Message>not authorized to perform: sts:GetCallerIdentity</Message></Error>"
    "<RequestId>4c0ffee0</RequestId></ErrorResponse>"
)


def test_every_permission_is_read_only() -> None:
    actions = required_permissions()
    assert len(actions) >= 20
    writes = [
        a for a in actions if not a.split(":", 1)[1].startswith(READ_PREFIXES) and a not in HTTP_VERB_READS
    ]
    assert writes == []


def test_deploy_policy_matches_the_collectors() -> None:
    doc = json.loads(POLICY.read_text())
    (statement,) = doc["Statement"]
    assert statement["Effect"] == "Allow"
    assert sorted(statement["Action"]) == required_permissions()


def test_permissions_command_prints_the_policy(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["permissions", "--provider", "aws"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(POLICY.read_text())


def test_permissions_command_lists_actions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["permissions", "-p", "aws", "--format", "text"]) == 0
    assert capsys.readouterr().out.split() == required_permissions()


def test_permissions_command_rejects_an_unknown_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["permissions", "-p", "aws", "--format", "xml"]) == ExitCode.USAGE
    assert "unknown format 'xml' for permissions; choose from json, yaml, text" in capsys.readouterr().err


def test_access_denied_points_at_the_permissions_command(
    httpserver: HTTPServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """STS answers AccessDenied (a local server, STS's wire format): the error names the command."""
    httpserver.expect_request("/", method="POST").respond_with_data(
        STS_DENIED, status=403, content_type="text/xml"
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL", httpserver.url_for("/"))
    assert main(["run", "-p", "aws", "--regions", "us-east-1", "-o", str(tmp_path)]) == ExitCode.RUNTIME
    err = capsys.readouterr().err
    assert "'cloudaudit permissions --provider aws' prints its policy" in err
    assert "deploy/" not in err
