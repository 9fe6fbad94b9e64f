"""Cloud Storage through the real google-cloud-storage client against the fake, via the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cloudaudit.errors import ExitCode
from cloudaudit_gcp.fake import FakeGoogleApis, FakeProject, Fault, sample_project
from cloudaudit_gcp.fake.state import Bucket
from gcp_run import findings, run_gcp, verdicts

STORAGE = ("--checks", "gcp.storage.*")


@pytest.fixture
def fake() -> Iterator[FakeGoogleApis]:
    with FakeGoogleApis([sample_project()]) as served:
        yield served


def test_sample_buckets_are_judged_from_one_listing_and_one_iam_read_each(
    fake: FakeGoogleApis, tmp_path: Path
) -> None:
    assert run_gcp(fake, tmp_path, *STORAGE, "--fail-on", "critical") == ExitCode.FINDINGS
    got = verdicts(tmp_path)
    assert got[("gcp.storage.bucket_public_iam", "public-assets")] == ("FAIL", "high")
    assert got[("gcp.storage.bucket_public_acl", "legacy-uploads")] == ("FAIL", "critical")
    assert got[("gcp.storage.bucket_public_iam", "private-logs")][0] == "PASS"
    assert got[("gcp.storage.bucket_website_public", "public-assets")] == ("FAIL", "medium")
    # projection=full carries the ACLs: no ACL call, one getIamPolicy per bucket
    assert fake.count("storage.buckets.list") == 1
    assert fake.count("storage.buckets.getIamPolicy") == 3
    assert fake.count("storage.bucketAccessControls.list") == 0
    assert {r.method for r in fake.requests} == {"GET"}


def test_every_page_of_buckets_is_read(tmp_path: Path) -> None:
    project = FakeProject("big-project", buckets=[Bucket(f"b-{i:04d}") for i in range(1003)])
    with FakeGoogleApis([project]) as fake:
        assert run_gcp(fake, tmp_path, *STORAGE, "-f", "json", project="big-project") == ExitCode.OK
        assert fake.count("storage.buckets.list") == 2  # 1000 per page
    names = {f["resource_name"] for f in findings(tmp_path)["findings"]}
    assert len(names) == 1003


def test_a_denied_iam_read_makes_the_public_checks_unknown_not_fail(
    fake: FakeGoogleApis, tmp_path: Path
) -> None:
    fake.inject("storage.buckets.getIamPolicy", Fault.permission_denied("storage.buckets.getIamPolicy"))
    code = run_gcp(fake, tmp_path, *STORAGE)
    assert (
        code == ExitCode.OK
    )  # with the default --fail-on; a denial is a known blind spot, not an incomplete run
    got = verdicts(tmp_path)
    assert got[("gcp.storage.bucket_public_iam", "public-assets")][0] == "UNKNOWN"
    assert got[("gcp.storage.bucket_public_acl", "legacy-uploads")] == ("FAIL", "critical")  # ACL still read
    gaps = findings(tmp_path)["coverage"]
    assert {(g["operation"], g["kind"], g["account"]) for g in gaps} == {
        ("storage.buckets.getIamPolicy", "denied", "demo-project")
    }
    assert len(gaps) == 3


def test_storage_api_disabled_is_a_gap_naming_the_api_and_the_run_goes_on(
    fake: FakeGoogleApis, tmp_path: Path
) -> None:
    fake.inject("storage.*", Fault.service_disabled("storage.googleapis.com"))
    code = run_gcp(fake, tmp_path, *STORAGE)
    assert code == ExitCode.OK
    doc = findings(tmp_path)
    [gap] = doc["coverage"]
    assert (gap["kind"], gap["error_code"], gap["account"]) == (
        "unsupported",
        "SERVICE_DISABLED",
        "demo-project",
    )
    assert "storage.googleapis.com" in gap["message"]
    assert not doc["run"].get("incomplete")


def test_a_rate_limited_listing_is_retried(fake: FakeGoogleApis, tmp_path: Path) -> None:
    fake.inject("storage.buckets.list", Fault.too_many_requests(times=2, retry_after=0))
    assert run_gcp(fake, tmp_path, *STORAGE) == ExitCode.OK
    assert fake.count("storage.buckets.list") == 3
    assert findings(tmp_path)["coverage"] == []


def test_a_server_that_keeps_failing_makes_the_run_incomplete(
    fake: FakeGoogleApis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUDAUDIT_RETRY_SECONDS", "1")
    fake.inject("storage.buckets.list", Fault.server_error(503, times=None))
    assert run_gcp(fake, tmp_path, *STORAGE) == ExitCode.RUNTIME
    doc = findings(tmp_path)
    assert doc["run"]["incomplete"] is True
    assert [g["kind"] for g in doc["coverage"]] == ["server"]


def test_storage_emulator_host_is_honoured(
    fake: FakeGoogleApis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", fake.url)
    monkeypatch.setenv("CLOUDAUDIT_ACCESS_TOKEN", "t0k3n")
    from cloudaudit.cli.app import main

    args = [
        "run",
        "--provider",
        "gcp",
        "--project",
        "demo-project",
        *STORAGE,
        "-f",
        "json",
        "-o",
        str(tmp_path),
    ]
    assert main(args) == ExitCode.OK
    assert fake.count("storage.buckets.list") == 1
    assert json.loads((tmp_path / "findings.json").read_text())["run"]["accounts"] == ["demo-project"]
