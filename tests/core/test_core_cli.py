"""The core's provider seams through the real CLI, with a fake provider installed next to AWS.

The fake plugin (tests/fake_provider.py) is registered as a real ``cloudaudit.providers`` entry
point by a dist-info in a temporary directory; each run is a subprocess, so its checks never
reach this process's registry. Nothing contacts anything: the fake provider has no network.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent


@pytest.fixture
def fake_installed(tmp_path: Path) -> Path:
    """A site directory where the ``fake`` provider is installed (entry point ``fake``)."""
    site = tmp_path / "site"
    info = site / "fake_cloudaudit_provider-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-cloudaudit-provider\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[cloudaudit.providers]\nfake = fake_provider:plugin\n")
    return site


def _cli(site: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join([str(site), str(TESTS), str(ROOT / "src"), str(ROOT / "providers")])
    inherited = {k: v for k, v in os.environ.items() if k != "FAKE_PROJECT"}
    full_env = {**inherited, "PYTHONPATH": path, **env}
    code = "import sys; from cloudaudit.cli.app import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=full_env, capture_output=True, text=True, timeout=120
    )


def _findings(out: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((out / "findings.json").read_text())
    return doc


def test_two_providers_need_provider(fake_installed: Path, tmp_path: Path) -> None:
    """With AWS and another provider installed, --provider has no default: one line naming both."""
    proc = _cli(fake_installed, "run", "-o", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: several providers are installed: choose one with --provider (aws, fake)"
    ]
    assert not (tmp_path / "out").exists()


def test_option_of_another_provider_is_usage_error(fake_installed: Path, tmp_path: Path) -> None:
    proc = _cli(fake_installed, "run", "--provider", "aws", "--project", "p1", "-o", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["error: --project is an option of --provider fake, not aws"]

    proc = _cli(fake_installed, "run", "--provider", "fake", "--profile=audit", "-o", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["error: --profile is an option of --provider aws, not fake"]


def test_help_shows_each_providers_scope_options(fake_installed: Path) -> None:
    proc = _cli(fake_installed, "run", "--help")
    assert proc.returncode == 0
    assert "--profile PROFILE  [aws] (repeatable)" in proc.stdout
    assert "--project PROJECT  [fake] (repeatable) Fake project to audit." in proc.stdout


def test_several_targets_are_collected_and_merged(fake_installed: Path, tmp_path: Path) -> None:
    """Repeated and comma-separated targets: one run, one report covering every project."""
    out = tmp_path / "out"
    args = ["run", "-p", "fake", "--project", "p1", "--project", "p2,p3", "-f", "json", "-o", str(out)]
    proc = _cli(fake_installed, *args)
    assert proc.returncode == 0, proc.stderr
    doc = _findings(out)
    assert doc["run"]["accounts"] == ["p1", "p2", "p3"]
    assert sorted(f["resource_id"] for f in doc["findings"]) == [
        "fake://p1/box-p1",
        "fake://p2/box-p2",
        "fake://p3/box-p3",
    ]


def test_scope_from_the_options_environment_variable(fake_installed: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = _cli(fake_installed, "run", "-p", "fake", "-f", "json", "-o", str(out), FAKE_PROJECT="env-proj")
    assert proc.returncode == 0, proc.stderr
    assert _findings(out)["run"]["accounts"] == ["env-proj"]


def test_no_target_is_the_providers_usage_error(fake_installed: Path, tmp_path: Path) -> None:
    proc = _cli(fake_installed, "run", "-p", "fake", "-o", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["error: no fake project: give --project or set FAKE_PROJECT"]


def test_same_account_twice_is_collected_once(fake_installed: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = _cli(fake_installed, "run", "-p", "fake", "--project", "p1,dup-p1", "-f", "json", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert [f["resource_id"] for f in _findings(out)["findings"]] == ["fake://p1/box-p1"]
    assert "project dup-p1: account already audited in this run, skipped" in proc.stderr


def test_provider_classifier_decides_gap_kind(fake_installed: Path, tmp_path: Path) -> None:
    """The engine records the fake SDK's error as the fake classifier says: throttled, so incomplete
    (exit 3); a crashed collector is a crash gap; the other project is still reported."""
    out = tmp_path / "out"
    args = ["run", "-p", "fake", "--project", "ok,throttled-x,crash-y", "-f", "json", "-o", str(out)]
    proc = _cli(fake_installed, *args)
    assert proc.returncode == 3, proc.stderr
    doc = _findings(out)
    gaps = [(g["provider"], g["account"], g["service"], g["kind"], g["error_code"]) for g in doc["coverage"]]
    assert gaps == [
        ("fake", "throttled-x", "store", "throttled", "RateLimited"),
        ("fake", "crash-y", "store", "crash", "RuntimeError"),
    ]
    assert [f["resource_id"] for f in doc["findings"]] == ["fake://ok/box-ok"]


def test_provider_secret_patterns_are_redacted(fake_installed: Path, tmp_path: Path) -> None:
    """The fake plugin's token pattern and secret env variable never reach the terminal."""
    proc = _cli(
        fake_installed,
        "run",
        "-p",
        "fake",
        "--project",
        "p1",
        "-o",
        str(tmp_path / "out"),
        FAKE_SECRET="s3cr3t-value-xyz",
    )
    assert proc.returncode == 0, proc.stderr
    assert "using token fake-token-**** for p1" in proc.stderr
    assert "0123abcd" not in proc.stderr


def test_demo_of_another_provider(fake_installed: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = _cli(fake_installed, "demo", "--provider", "fake", "-f", "json", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "Starting the local FAKE emulator (127.0.0.1)" in proc.stderr
    assert _findings(out)["run"]["accounts"] == ["demo-project"]


def test_demo_all_with_several_providers_says_not_yet(fake_installed: Path, tmp_path: Path) -> None:
    proc = _cli(fake_installed, "demo", "--provider", "all", "-o", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: --provider all is not supported yet with several providers (aws, fake)"
    ]


def test_stray_argument_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from cloudaudit.cli.app import main

    assert main(["run", "--provider", "aws", "stray", "-o", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "error: unexpected argument 'stray' (see 'cloudaudit run --help')"
    ]
    assert main(["run", "--provider", "aws", "--fromat", "json", "-o", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "error: no such option: --fromat (see 'cloudaudit run --help')"
    ]
