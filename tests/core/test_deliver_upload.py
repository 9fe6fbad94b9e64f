"""``--upload``: the reports copied to a local directory, Cloud Storage and Azure Blob Storage (each SDK's
real client against a local fake on 127.0.0.1); bad destinations refused before anything runs; a failed
upload is one line and exit 3, the local reports stay."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from cloudaudit.cli.app import main
from cloudaudit.deliver.destination import parse_destination
from cloudaudit.errors import UsageError
from deliver_fakes import BlobUploads, GcsUploads
from format_cases import GOLDEN_FINDINGS

SAS_SIG = "c2VjcmV0LXNpZ25hdHVyZQ%3D%3D"
SAS = f"sv=2024-11-04&ss=b&srt=co&sp=cw&se=2099-01-01T00%3A00%3A00Z&sig={SAS_SIG}"
TYPES = {"report.html": "text/html; charset=utf-8", "findings.json": "application/json"}


def _report(out: Path, *extra: str) -> int:
    return main(["report", str(GOLDEN_FINDINGS), "-f", "html,json", "-o", str(out), *extra])


def _error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith(("error:", "internal error"))]


def test_file_destination_gets_private_copies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, archive = tmp_path / "out", tmp_path / "archive" / "nightly"

    assert _report(out, "--upload", f"file://{archive}/2025/") == 0

    copied = sorted(p.name for p in (archive / "2025").iterdir())
    assert copied == ["findings.json", "report.html"]
    for name in copied:
        target = archive / "2025" / name
        assert target.read_bytes() == (out / name).read_bytes()
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE((archive / "2025").stat().st_mode) == 0o700
    assert f"uploaded 2 file(s) to file://{archive}/2025/" in capsys.readouterr().out


def test_unsafe_local_destination_fails_with_one_line_and_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, shared = tmp_path / "out", tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)

    assert _report(out, "--upload", f"file://{shared}") == 3

    err = capsys.readouterr().err
    assert len(_error_lines(err)) == 1
    assert "is writable by group or others" in err and f"the reports stay in {out}" in err
    assert "Traceback" not in err
    assert (out / "report.html").is_file() and not list(shared.iterdir())


@pytest.mark.parametrize(
    ("uri", "says"),
    [
        ("ftp://host/dir", "not a destination cloudaudit knows"),
        ("https://example.com/reports", "an https:// destination is an Azure blob container"),
        ("s3://bucket/prefix?token=abc", "no query, fragment or credentials"),
        ("s3://Not_A_Bucket/x", "is not a bucket name"),
        ("gs://bucket/../up", "'.' and '..' are not allowed"),
        ("file://host/dir", "a local directory is file:///ABSOLUTE/PATH"),
        ("azure+http://10.0.0.5/acct/container", "azure+http:// is for a local emulator only"),
        ("https://acct.blob.core.windows.net/", "name the blob container"),
    ],
)
def test_bad_destination_is_a_usage_error_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], uri: str, says: str
) -> None:
    out = tmp_path / "out"

    assert _report(out, "--upload", uri) == 2

    errors = _error_lines(capsys.readouterr().err)
    assert len(errors) == 1 and says in errors[0]
    assert "abc" not in errors[0] or "token" not in uri
    assert not out.exists()


def test_kms_key_is_for_s3_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _report(tmp_path / "o", "--upload", "gs://bucket/x", "--upload-kms-key", "alias/reports") == 2
    assert _error_lines(capsys.readouterr().err) == [
        "error: --upload-kms-key applies to s3:// destinations only"
    ]


def test_destination_forms() -> None:
    blob = parse_destination("https://reportsacct.blob.core.windows.net/audits/aws/nightly")
    assert (blob.scheme, blob.account, blob.account_url) == (
        "azure",
        "reportsacct",
        "https://reportsacct.blob.core.windows.net",
    )
    assert (blob.bucket, blob.key("report.html")) == ("audits", "aws/nightly/report.html")
    gov = parse_destination("https://acct.blob.core.usgovcloudapi.net/c")
    assert gov.account_url == "https://acct.blob.core.usgovcloudapi.net" and gov.prefix == ""
    emulator = parse_destination("azure+http://127.0.0.1:10000/devstoreaccount1/reports/p")
    assert (emulator.account_url, emulator.bucket, emulator.prefix) == (
        "http://127.0.0.1:10000/devstoreaccount1",
        "reports",
        "p/",
    )
    s3 = parse_destination("s3://audit-reports/cloudaudit//nightly", kms_key="alias/reports")
    assert (s3.bucket, s3.prefix, s3.kms_key, s3.uri) == (
        "audit-reports",
        "cloudaudit/nightly/",
        "alias/reports",
        "s3://audit-reports/cloudaudit/nightly/",
    )
    with pytest.raises(UsageError):
        parse_destination("http://acct.blob.core.windows.net/c")


# ------------------------------------------------------------------ Cloud Storage


@pytest.fixture
def gcs(monkeypatch: pytest.MonkeyPatch) -> Iterator[GcsUploads]:
    with GcsUploads(["audit-reports"]) as fake:
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", fake.url)  # google-cloud-storage's own emulator switch
        yield fake


def test_gcs_upload_stores_each_report_with_its_content_type(tmp_path: Path, gcs: GcsUploads) -> None:
    out = tmp_path / "out"

    assert _report(out, "--upload", "gs://audit-reports/cloudaudit/nightly") == 0

    assert set(gcs.objects) == {f"audit-reports/cloudaudit/nightly/{name}" for name in TYPES}
    for name, content_type in TYPES.items():
        stored = gcs.objects[f"audit-reports/cloudaudit/nightly/{name}"]
        assert stored.data == (out / name).read_bytes()
        assert stored.content_type == content_type
        assert "acl" not in stored.metadata  # nothing made public: the bucket's own access control applies
    assert all("predefinedAcl" not in r for r in gcs.requests)


def test_gcs_upload_to_a_missing_bucket_is_one_line_and_exit_3(
    tmp_path: Path, gcs: GcsUploads, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"

    assert _report(out, "--upload", "gs://no-such-bucket/x") == 3

    err = capsys.readouterr().err
    errors = _error_lines(err)
    assert len(errors) == 1, err
    assert errors[0].startswith("error: upload of ")
    assert errors[0].endswith(
        "to gs://no-such-bucket/x/ failed: NotFound (404): The specified bucket does not exist.; "
        f"the reports stay in {out}"
    )
    assert "Traceback" not in err
    assert (out / "report.html").is_file()


# ------------------------------------------------------------------ Azure Blob Storage


@pytest.fixture
def blob() -> Iterator[BlobUploads]:
    with BlobUploads("devstoreaccount1", ["reports"], sas_sig=SAS_SIG) as fake:
        yield fake


def _blob_uri(fake: BlobUploads, path: str) -> str:
    return "azure+" + fake.url + "/devstoreaccount1/" + path


def test_azure_upload_with_a_sas_token(
    tmp_path: Path, blob: BlobUploads, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AZURE_STORAGE_SAS_TOKEN", "?" + SAS)
    out = tmp_path / "out"

    assert _report(out, "--upload", _blob_uri(blob, "reports/aws/2025")) == 0

    assert set(blob.objects) == {f"reports/aws/2025/{name}" for name in TYPES}
    for name, content_type in TYPES.items():
        stored = blob.objects[f"reports/aws/2025/{name}"]
        assert stored.data == (out / name).read_bytes()
        assert stored.content_type == content_type
    assert all(r.startswith("PUT /devstoreaccount1/reports/") for r in blob.requests)  # nothing but Put Blob
    assert SAS_SIG not in capsys.readouterr().out


def test_azure_upload_with_an_account_key(
    tmp_path: Path, blob: BlobUploads, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_STORAGE_KEY", "a2V5LW9mLXRoZS1hY2NvdW50LWZvci10ZXN0cw==")

    assert _report(tmp_path / "out", "--upload", _blob_uri(blob, "reports")) == 0

    assert set(blob.objects) == {f"reports/{name}" for name in TYPES}


def test_azure_refusal_is_one_line_without_the_sas(
    tmp_path: Path, blob: BlobUploads, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = SAS.replace(SAS_SIG, "d3Jvbmctc2lnbmF0dXJlLXNlY3JldA%3D%3D")
    monkeypatch.setenv("AZURE_STORAGE_SAS_TOKEN", wrong)
    out = tmp_path / "out"

    assert _report(out, "--upload", _blob_uri(blob, "reports")) == 3

    captured = capsys.readouterr()
    errors = _error_lines(captured.err)
    assert len(errors) == 1 and "AuthenticationFailed" in errors[0], captured.err
    assert "d3Jvbmctc2lnbmF0dXJl" not in captured.err + captured.out
    assert not blob.objects and (out / "report.html").is_file()
