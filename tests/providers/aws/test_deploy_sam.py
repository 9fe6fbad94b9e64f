"""deploy/aws-sam: the template lints clean, grants exactly what the audit needs, and its build runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import boto3
import pytest
from cfnlint.decode import decode

from cloudaudit.cli.app import main

ROOT = Path(__file__).resolve().parents[3]
SAM = ROOT / "deploy" / "aws-sam"
TEMPLATE = SAM / "template.yaml"
HANDLER = "cloudaudit.lambda_handler.handler"
ENVIRONMENT = {
    "CLOUDAUDIT_REPORT_BUCKET",
    "CLOUDAUDIT_REPORT_PREFIX",
    "CLOUDAUDIT_SNS_TOPIC_ARN",
    "CLOUDAUDIT_REGIONS",
    "CLOUDAUDIT_STORE",
}


def _template() -> dict[str, Any]:
    template, errors = decode(str(TEMPLATE))
    assert errors == [], errors
    assert template is not None
    return dict(template)


def _resource(kind: str) -> dict[str, Any]:
    (found,) = [r for r in _template()["Resources"].values() if r["Type"] == kind]
    return dict(found["Properties"])


def _policies() -> dict[str, list[dict[str, Any]]]:
    role = _resource("AWS::IAM::Role")
    return {p["PolicyName"]: p["PolicyDocument"]["Statement"] for p in role["Policies"]}


def test_cfn_lint_passes_with_informational_rules() -> None:
    cfn_lint = Path(sysconfig.get_path("scripts")) / "cfn-lint"
    done = subprocess.run(
        [str(cfn_lint), "--include-checks", "I", "--", str(TEMPLATE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_audit_statement_is_what_permissions_prints(capsys: pytest.CaptureFixture[str]) -> None:
    """The role's read-only statement cannot drift from the collectors' calls."""
    assert main(["permissions", "--provider", "aws"]) == 0
    (printed,) = json.loads(capsys.readouterr().out)["Statement"]
    (statement,) = _policies()["cloudaudit-read-only"]
    assert statement == printed, (
        "regenerate the CloudauditReadOnly statement of deploy/aws-sam/template.yaml from "
        "`cloudaudit permissions --provider aws`"
    )


def test_role_writes_only_its_reports_topic_logs_and_failure_queue() -> None:
    (read_only, deliver) = _policies().values()
    assert [s["Sid"] for s in read_only] == ["CloudauditReadOnly"]
    writes = {s["Sid"]: (s["Effect"], s["Action"], s["Resource"]) for s in deliver}
    assert writes == {
        "WriteReports": ("Allow", "s3:PutObject", {"Fn::Sub": "${ReportBucket.Arn}/${ReportPrefix}/*"}),
        "PublishSummary": ("Allow", "sns:Publish", {"Ref": "SummaryTopic"}),
        "WriteLogs": (
            "Allow",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            {"Fn::GetAtt": ["AuditLogGroup", "Arn"]},
        ),
        "RecordFailedRuns": ("Allow", "sqs:SendMessage", {"Fn::GetAtt": ["FailedRunsQueue", "Arn"]}),
    }
    trust = _resource("AWS::IAM::Role")["AssumeRolePolicyDocument"]["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "lambda.amazonaws.com"}]
    assert "ManagedPolicyArns" not in _resource("AWS::IAM::Role")


def test_function_runs_the_handler_nightly_within_lambda_limits() -> None:
    function = _resource("AWS::Serverless::Function")
    assert function["Handler"] == HANDLER
    assert function["Runtime"] in {"python3.11", "python3.12"}
    assert function["Timeout"] == 900
    assert set(function["Environment"]["Variables"]) == ENVIRONMENT
    (schedule,) = function["Events"].values()
    assert schedule["Type"] == "Schedule"
    assert json.loads(schedule["Properties"]["Input"]) == {"provider": "aws"}
    assert _template()["Parameters"]["ScheduleExpression"]["Default"] == "cron(0 2 * * ? *)"
    failure = function["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
    assert failure["Destination"] == {"Fn::GetAtt": ["FailedRunsQueue", "Arn"]}


def test_report_bucket_is_private_encrypted_versioned_and_tls_only() -> None:
    bucket = _resource("AWS::S3::Bucket")
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    (sse,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    (rule,) = bucket["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == {"Ref": "ReportRetentionDays"}
    (deny,) = _resource("AWS::S3::BucketPolicy")["PolicyDocument"]["Statement"]
    assert (deny["Effect"], deny["Action"], deny["Condition"]) == (
        "Deny",
        "s3:*",
        {"Bool": {"aws:SecureTransport": "false"}},
    )
    assert deny["Resource"] == [{"Fn::GetAtt": ["ReportBucket", "Arn"]}, {"Fn::Sub": "${ReportBucket.Arn}/*"}]


def test_topic_is_encrypted_and_email_is_optional() -> None:
    assert _resource("AWS::SNS::Topic")["KmsMasterKeyId"] == "alias/aws/sns"
    subscription = _template()["Resources"]["SummaryEmail"]
    assert subscription["Condition"] == "HasEmail"
    assert _template()["Parameters"]["NotificationEmail"]["Default"] == ""


def _build(out: Path) -> None:
    """deploy/aws-sam/build.sh for the Python running the tests, so the package can be imported here."""
    env = {
        **os.environ,
        "CLOUDAUDIT_BUILD_DIR": str(out),
        "PYTHON": sys.executable,
        "PYTHON_VERSION": f"{sys.version_info.major}.{sys.version_info.minor}",
    }
    done = subprocess.run(
        ["bash", str(SAM / "build.sh")], env=env, capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert f"built {out}" in done.stdout


def test_build_script_packages_a_working_audit(
    aws: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The built directory alone (no site-packages) audits the emulated account."""
    package = tmp_path / "function"
    _build(package)
    assert (package / "cloudaudit" / "cli" / "app.py").is_file()
    assert (package / "boto3").is_dir()
    assert not (package / "moto").exists()
    if (ROOT / "src" / "cloudaudit" / "lambda_handler.py").exists():
        assert (package / "cloudaudit" / "lambda_handler.py").is_file()
    boto3.client("s3", endpoint_url=aws).create_bucket(Bucket="built-package-bucket")
    reports = tmp_path / "reports"
    env = {**os.environ, "PYTHONPATH": str(package), "AWS_ENDPOINT_URL": aws}
    code = "import sys; from cloudaudit.cli.app import main; sys.exit(main())"
    done = subprocess.run(
        [sys.executable, "-S", "-c", code, "run", "-p", "aws", "--regions", "us-east-1", "-o", str(reports)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    findings = json.loads((reports / "findings.json").read_text())
    assert "built-package-bucket" in {f["resource_name"] for f in findings["findings"]}


HANDLER_RUN = """
import json, sys, time
from cloudaudit.lambda_handler import handler

class Context:  # the Lambda runtime's context, as the handler reads it
    aws_request_id = "0d7c5e2a-1b3f-4c5d-8e9f-0a1b2c3d4e5f"
    function_name = "cloudaudit"
    def __init__(self):
        self.deadline = time.monotonic() + 900
    def get_remaining_time_in_millis(self):
        return int((self.deadline - time.monotonic()) * 1000)

event = json.loads(sys.argv[1])
print(json.dumps(handler(event, Context())))
"""


def _function_environment(bucket: str, topic: str) -> dict[str, str]:
    """The function's environment as the template sets it, its references resolved to these resources."""
    template = _template()
    values = {"ReportBucket": bucket, "SummaryTopic": topic}
    parameters = {name: p.get("Default") for name, p in template["Parameters"].items()}
    environment = {}
    for name, value in _resource("AWS::Serverless::Function")["Environment"]["Variables"].items():
        if isinstance(value, dict) and "Fn::If" in value:
            continue  # CLOUDAUDIT_STORE: set only when the StoreUrl parameter is
        (reference,) = value.values()
        environment[name] = values.get(reference) or str(parameters[reference])
    return environment


def test_built_package_runs_the_handler_with_the_template_environment(aws: str, tmp_path: Path) -> None:
    """The scheduled event of the template, the function's environment, the built code: the reports land
    in the bucket under the template's prefix and the summary reaches the topic (read from SQS)."""
    if not (ROOT / "src" / "cloudaudit" / "lambda_handler.py").exists():
        pytest.skip("this build of cloudaudit has no cloudaudit.lambda_handler yet")
    package = tmp_path / "function"
    _build(package)
    s3 = boto3.client("s3", endpoint_url=aws)
    s3.create_bucket(Bucket="cloudaudit-reports")
    s3.create_bucket(Bucket="audited-public-bucket")
    sns = boto3.client("sns", endpoint_url=aws)
    sqs = boto3.client("sqs", endpoint_url=aws)
    topic = sns.create_topic(Name="cloudaudit")["TopicArn"]
    queue = sqs.create_queue(QueueName="summaries")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    work = tmp_path / "tmp"
    work.mkdir(mode=0o700)
    env = {
        **os.environ,
        **_function_environment("cloudaudit-reports", topic),
        "CLOUDAUDIT_REGIONS": "us-east-1",  # the template's default is every region: moto has them all
        "CLOUDAUDIT_WORK_DIR": str(work),
        "PYTHONPATH": str(package),
        "AWS_ENDPOINT_URL": aws,
    }
    (schedule,) = _resource("AWS::Serverless::Function")["Events"].values()
    done = subprocess.run(
        [sys.executable, "-S", "-c", HANDLER_RUN, schedule["Properties"]["Input"]],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="cloudaudit-reports")["Contents"]]
    assert {k.rsplit("/", 1)[1] for k in keys} >= {"findings.json", "report.html"}
    assert all(k.startswith("cloudaudit/aws/123456789012/") for k in keys)
    assert summary["report"].startswith("s3://cloudaudit-reports/cloudaudit/aws/123456789012/")
    (message,) = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert summary["report"] in json.loads(message["Body"])["Message"]


def test_build_script_passes_shellcheck() -> None:
    shellcheck = Path(sysconfig.get_path("scripts")) / "shellcheck"
    done = subprocess.run(
        [str(shellcheck), str(SAM / "build.sh")], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout) == (0, "")


def test_build_script_refuses_an_unknown_architecture(tmp_path: Path) -> None:
    env = {**os.environ, "ARCH": "sparc", "CLOUDAUDIT_BUILD_DIR": str(tmp_path / "out")}
    done = subprocess.run(
        ["bash", str(SAM / "build.sh")], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "build.sh: ARCH must be x86_64 or arm64, not 'sparc'"
    assert not (tmp_path / "out").exists()
