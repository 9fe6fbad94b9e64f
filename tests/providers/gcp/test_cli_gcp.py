"""``cloudaudit run --provider gcp``: scope, credentials and their errors, as a user meets them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pytest_httpserver import HTTPServer

from bench_gcp import build_project
from cloudaudit.cli.app import main
from cloudaudit.errors import ExitCode
from cloudaudit.report.forked import MIN_FINDINGS
from cloudaudit.report.html import render_html
from cloudaudit.report.json_report import load_findings
from cloudaudit_gcp.fake import FakeGoogleApis, FakeProject, sample_project
from cloudaudit_gcp.fake.state import Bucket
from gcp_run import findings

STORAGE = ("--checks", "gcp.storage.*")
SECRET_TOKEN = "ya29.a0AfB_secretSECRETsecret0123456789"


@pytest.fixture
def fake() -> Iterator[FakeGoogleApis]:
    two = FakeProject("second-project", number="222222222222", buckets=[Bucket("second-bucket")])
    with FakeGoogleApis([sample_project(), two]) as served:
        yield served


def _cli(*args: str, **env: str | None) -> subprocess.CompletedProcess[str]:
    """The real entry point in a child process (fresh interpreter, real stderr)."""
    environ = dict(os.environ)
    for key, value in env.items():
        if value is None:
            environ.pop(key, None)
        else:
            environ[key] = value
    code = "import sys; from cloudaudit.cli.app import main; sys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=environ, timeout=120
    )


def _one_line_error(proc: subprocess.CompletedProcess[str], code: int, text: str) -> None:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert text in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_no_project_anywhere_is_a_usage_error_saying_how_to_give_one(tmp_path: Path) -> None:
    proc = _cli("run", "--provider", "gcp", "--access-token", "t", "-o", str(tmp_path))
    _one_line_error(proc, ExitCode.USAGE, "--project")


def test_no_credentials_is_exit_3_in_one_line(tmp_path: Path) -> None:
    proc = _cli("run", "--provider", "gcp", "--project", "p", "-o", str(tmp_path))
    _one_line_error(proc, ExitCode.RUNTIME, "no usable GCP credentials")


def test_a_missing_credentials_file_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.json")
    proc = _cli("run", "--provider", "gcp", "--project", "p", "--credentials", missing, "-o", str(tmp_path))
    _one_line_error(proc, ExitCode.USAGE, "nope.json")


def test_a_credentials_file_that_would_run_a_command_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    external = {
        "type": "external_account",
        "audience": "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/x",
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
        "token_url": "http://127.0.0.1:9/token",
        "credential_source": {"executable": {"command": f"touch {marker}", "timeout_millis": 5000}},
    }
    path = tmp_path / "ext.json"
    path.write_text(json.dumps(external))
    out = str(tmp_path / "o")
    proc = _cli("run", "--provider", "gcp", "--project", "p", "--credentials", str(path), "-o", out)
    _one_line_error(proc, ExitCode.USAGE, "'external_account' is not supported")
    assert not marker.exists()


def _key_file(tmp_path: Path, token_uri: str) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "demo-project",
        "private_key_id": "0123456789abcdef",
        "private_key": pem,
        "client_email": "auditor@demo-project.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": token_uri,
    }
    path = tmp_path / "sa.json"
    path.write_text(json.dumps(info))
    return path


def test_a_service_account_key_is_exchanged_for_a_token_and_its_project_is_the_default(
    fake: FakeGoogleApis, tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/token", method="POST").respond_with_json(
        {"access_token": "ya29.from-the-key", "expires_in": 3600, "token_type": "Bearer"}
    )
    key = _key_file(tmp_path, httpserver.url_for("/token"))
    out = tmp_path / "out"
    args = ["run", "--provider", "gcp", "--credentials", str(key), "--endpoint-url", fake.url, *STORAGE]
    assert main([*args, "-f", "json", "-o", str(out)]) == ExitCode.OK
    assert findings(out)["run"]["accounts"] == ["demo-project"]  # the key file's project
    assert len(httpserver.log) == 1


def test_a_refused_key_is_exit_3_in_one_line(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/token", method="POST").respond_with_json(
        {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}, status=400
    )
    key = _key_file(tmp_path, httpserver.url_for("/token"))
    proc = _cli("run", "--provider", "gcp", "--credentials", str(key), "-o", str(tmp_path / "out"))
    _one_line_error(proc, ExitCode.RUNTIME, "credentials were refused")
    assert "BEGIN PRIVATE KEY" not in proc.stderr


def test_projects_repeated_or_comma_separated_are_one_report(fake: FakeGoogleApis, tmp_path: Path) -> None:
    args = [
        "run",
        "--provider",
        "gcp",
        "--project",
        "demo-project,second-project",
        "--endpoint-url",
        fake.url,
    ]
    assert main([*args, "--access-token", "t", *STORAGE, "-f", "json", "-o", str(tmp_path)]) == ExitCode.OK
    doc = findings(tmp_path)
    assert doc["run"]["accounts"] == ["demo-project", "second-project"]
    assert {f["account"] for f in doc["findings"] if f["resource_name"] == "second-bucket"} == {
        "second-project"
    }


def test_a_run_evaluates_finished_services_while_collecting_and_finds_what_its_inventory_gives(
    fake: FakeGoogleApis, tmp_path: Path
) -> None:
    """The command in its own process (single-threaded: the early evaluation helper may be forked)."""
    run = tmp_path / "run"
    args = ["--project", "demo-project", "--endpoint-url", fake.url, "--access-token", "t"]
    proc = _cli("run", "--provider", "gcp", *args, "-f", "json", "-o", str(run), "--debug")
    assert proc.returncode == ExitCode.OK, proc.stderr
    early = re.findall(r"engine\.early: (\d+) check\(s\) evaluated while collecting", proc.stderr)
    assert len(early) == 1 and int(early[0]) > 0, proc.stderr
    again = tmp_path / "again"
    inventory = str(run / "inventory.json")
    proc = _cli("evaluate", "--inventory", inventory, "-f", "json", "-o", str(again))
    assert proc.returncode == ExitCode.OK, proc.stderr
    assert findings(run)["findings"] == findings(again)["findings"]


def test_google_cloud_project_is_the_default_project(
    fake: FakeGoogleApis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "second-project")
    args = ["run", "--provider", "gcp", "--endpoint-url", fake.url, "--access-token", "t", *STORAGE]
    assert main([*args, "-f", "json", "-o", str(tmp_path)]) == ExitCode.OK
    assert findings(tmp_path)["run"]["accounts"] == ["second-project"]


def test_the_access_token_is_sent_but_never_printed_logged_or_written(
    fake: FakeGoogleApis, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    proc = _cli(
        "run", "--debug", "--provider", "gcp", "--project", "demo-project", "--endpoint-url", fake.url,
        *STORAGE, "-f", "json,html,sarif", "-o", str(out),
        CLOUDAUDIT_ACCESS_TOKEN=SECRET_TOKEN,
    )  # fmt: skip
    assert proc.returncode == ExitCode.OK, proc.stderr
    assert fake.count("storage.buckets.list") == 1
    assert SECRET_TOKEN not in proc.stdout + proc.stderr
    for path in out.iterdir():
        assert SECRET_TOKEN not in path.read_text(errors="replace"), path.name


def test_another_providers_scope_option_is_a_usage_error(tmp_path: Path) -> None:
    proc = _cli("run", "--provider", "gcp", "--profile", "prod", "-o", str(tmp_path))
    _one_line_error(proc, ExitCode.USAGE, "--profile is an option of --provider aws")


def test_checks_lists_the_gcp_checks() -> None:
    proc = _cli("checks", "--provider", "gcp")
    assert proc.returncode == 0, proc.stderr
    assert "gcp.storage.bucket_public_iam" in proc.stdout
    assert "aws.s3." not in proc.stdout


def test_without_the_google_libraries_run_says_how_to_install_them(tmp_path: Path) -> None:
    """The plugin loads (checks and evaluate work offline); collecting needs cloudaudit[gcp]: exit 2."""
    block = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'google' or name.startswith(('google.', 'googleapiclient')):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from cloudaudit.cli.app import main; sys.exit(main())"
    )
    args = ["run", "--provider", "gcp", "--project", "p", "--access-token", "t", "-o", str(tmp_path)]
    proc = subprocess.run([sys.executable, "-c", block, *args], capture_output=True, text=True, timeout=120)
    _one_line_error(proc, ExitCode.USAGE, 'pip install -e ".[gcp]"')
    checks = [sys.executable, "-c", block, "checks", "--provider", "gcp"]
    listed = subprocess.run(checks, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0 and "gcp.storage.bucket_public_iam" in listed.stdout, listed.stderr


def test_a_large_run_packs_its_page_while_the_exposure_stage_runs_and_writes_the_same_page(
    tmp_path: Path,
) -> None:
    """Over MIN_FINDINGS findings, no exposure source: the HTML report's findings are packed in a child
    forked after evaluation (report.page_ahead); its page is the page of the run's findings.json."""
    run = tmp_path / "run"
    with FakeGoogleApis([build_project(250, 250, 250, 250, 3)]) as served:
        args = ["--project", "bench-project", "--endpoint-url", served.url, "--access-token", "t"]
        proc = _cli("run", "--provider", "gcp", *args, "-f", "html,json", "-o", str(run), "--debug")
    assert proc.returncode == ExitCode.OK, proc.stderr
    assert "written by the process that packed its findings ahead" in proc.stderr
    doc = load_findings(run / "findings.json")
    assert len(doc.findings) >= MIN_FINDINGS and doc.surface
    assert (run / "report.html").read_text(encoding="utf-8") == render_html(doc)
