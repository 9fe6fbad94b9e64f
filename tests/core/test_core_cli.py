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

from cloudaudit.plugins import available
from test_report_html import parse

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


CONSOLE = "from cloudaudit.cli.app import console; console()"
"""The ``cloudaudit`` command itself (it ends the process without interpreter teardown)."""
MAIN = "import sys; from cloudaudit.cli.app import main; sys.exit(main(sys.argv[1:]))"


def _cli(site: Path, *args: str, command: str = CONSOLE, **env: str) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join([str(site), str(TESTS), str(ROOT / "src"), str(ROOT / "providers")])
    inherited = {k: v for k, v in os.environ.items() if k != "FAKE_PROJECT"}
    full_env = {**inherited, "PYTHONPATH": path, **env}
    return subprocess.run(
        [sys.executable, "-c", command, *args], env=full_env, capture_output=True, text=True, timeout=120
    )


def _findings(out: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((out / "findings.json").read_text())
    return doc


def test_two_providers_need_provider(fake_installed: Path, tmp_path: Path) -> None:
    """With AWS and another provider installed, --provider has no default: one line naming both."""
    proc = _cli(fake_installed, "run", "-o", str(tmp_path / "out"))
    assert proc.returncode == 2
    names = ", ".join(sorted({*available(), "fake"}))
    assert proc.stderr.strip().splitlines() == [
        f"error: several providers are installed: choose one with --provider ({names})"
    ]
    assert not (tmp_path / "out").exists()


def test_option_of_another_provider_is_usage_error(fake_installed: Path, tmp_path: Path) -> None:
    proc = _cli(fake_installed, "run", "--provider", "aws", "--project", "p1", "-o", str(tmp_path / "o"))
    assert proc.returncode == 2
    owners = " or ".join(sorted({"fake"} | ({"gcp"} & set(available()))))  # GCP also has --project
    assert proc.stderr.strip().splitlines() == [
        f"error: --project is an option of --provider {owners}, not aws"
    ]

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
    assert _findings(out)["run"]["accounts"] == ["public-demo"]


def _every_demo() -> list[str]:
    """The providers ``demo --provider all`` audits with the fake installed: every installed one."""
    return sorted({*available(), "fake"})


def _html_run_info(out: Path) -> dict[str, str]:
    run_info = parse((out / "report.html").read_text()).root.by_id("run-info")
    labels = [dt.text() for dt in run_info.find_all("dt")]
    return dict(zip(labels, [dd.text() for dd in run_info.find_all("dd")], strict=True))


def test_demo_all_audits_every_provider_into_one_report(fake_installed: Path, tmp_path: Path) -> None:
    """AWS's and the fake's sample accounts in one report set: both providers' findings, each graded
    by its own demo's snapshot, a header naming both; then evaluate runs both providers' checks."""
    out = tmp_path / "out"
    args = ["demo", "--provider", "all", "-f", "json,html", "--fail-on", "high", "-o", str(out)]
    proc = _cli(fake_installed, *args)
    assert proc.returncode == 1, proc.stderr  # failing findings at or above high
    assert "Starting the local AWS emulator" in proc.stderr
    assert "Starting the local FAKE emulator" in proc.stderr
    providers = _every_demo()

    doc = _findings(out)
    assert (doc["schema_version"], doc["run"]["providers"]) == ("1.3", providers)
    assert doc["run"]["provider"] == ",".join(providers)
    assert {"123456789012", "public-demo"} <= set(doc["run"]["accounts"])
    assert doc["run"]["exposure_sources"] == ["file"]  # both snapshots, one source
    by_provider = {p: [f for f in doc["findings"] if f["provider"] == p] for p in ("aws", "fake")}
    (box,) = by_provider["fake"]
    assert (box["resource_id"], box["status"]) == ("fake://public-demo/box-public-demo", "FAIL")
    assert box["exposure"]["level"] == "observed"  # the fake demo's snapshot lists 192.0.2.44:6379
    assert any(f["exposure"]["level"] == "observed" for f in by_provider["aws"])  # AWS's snapshot
    assert any(f["status"] == "FAIL" and f["severity"] == "critical" for f in by_provider["aws"])

    listed = ", ".join(providers)
    assert f"checks on {listed} account(s)" in proc.stdout
    run_info = _html_run_info(out)
    assert run_info["Providers"] == listed
    assert {"123456789012", "public-demo"} <= set(run_info["Accounts"].split(", "))

    again = tmp_path / "again"
    inventory = str(out / "inventory.json")
    proc = _cli(fake_installed, "evaluate", "--inventory", inventory, "-f", "json", "-o", str(again))
    assert proc.returncode == 0, proc.stderr
    evaluated = _findings(again)
    assert evaluated["run"]["providers"] == providers
    assert {f["provider"] for f in evaluated["findings"]} >= {"aws", "fake"}
    assert "fake.store.box_open" in {f["check_id"] for f in evaluated["findings"]}


def test_demo_all_probes_every_demos_mapped_services(fake_installed: Path, tmp_path: Path) -> None:
    """With --probe, each demo's mappings are kept: the probe reaches AWS's and the fake's local
    services (127.0.0.1 only) and finds the open Redis behind both."""
    out = tmp_path / "out"
    proc = _cli(fake_installed, "demo", "--provider", "all", "--probe", "-f", "json", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "192.0.2.44:6379 (via 127.0.0.1:" in proc.stderr
    assert "203.0.113.20:6379 (via 127.0.0.1:" in proc.stderr

    doc = _findings(out)
    assert doc["run"]["exposure_sources"] == ["file", "probe"]
    redis = {
        (f["provider"], f["resource_id"])
        for f in doc["findings"]
        if f["check_id"].startswith("exposure.probe.redis") and f["status"] == "FAIL"
    }
    assert ("fake", "fake://public-demo/box-public-demo") in redis
    assert any(provider == "aws" for provider, _ in redis)


def test_the_command_keeps_its_output_and_exit_code(fake_installed: Path, tmp_path: Path) -> None:
    """The command ends without interpreter teardown: what it printed and its exit code are kept."""
    listed = _cli(fake_installed, "checks")
    assert listed.returncode == 0, listed.stderr
    through_main = _cli(fake_installed, "checks", command=MAIN)
    assert listed.stdout == through_main.stdout
    assert len(listed.stdout.splitlines()) > 100 and "fake." in listed.stdout
    failed = _cli(fake_installed, "run", "--provider", "fake", "--fromat", "json", "-o", str(tmp_path / "o"))
    assert failed.returncode == 2
    assert "no such option: --fromat" in failed.stderr


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
