"""``cloudaudit run --provider azure``: scope, credentials and their errors as a user meets them, and the
whole audit of the sample subscription sending nothing but GET."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from azure_run import SUBSCRIPTION, TOKEN, findings, run_azure, serve
from cloudaudit.cli.app import main
from cloudaudit.errors import ExitCode
from cloudaudit_azure.fake import FakeArm, FakeSubscription
from cloudaudit_azure.fake.faults import Fault
from cloudaudit_azure.fake.sample import sample_subscription

SECOND = "00000000-0000-0000-0000-0000000000b2"
DISABLED = "00000000-0000-0000-0000-0000000000c3"
SECRET_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJzZWNyZXQifQ.c2lnbmF0dXJlU0VDUkVU"


@pytest.fixture
def arm(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeArm]:
    yield from serve(
        monkeypatch,
        sample_subscription(SUBSCRIPTION),
        sample_subscription(SECOND),
        FakeSubscription(DISABLED, state="Disabled"),
    )


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The real entry point in a child process (fresh interpreter, real stderr)."""
    code = "import sys; from cloudaudit.cli.app import main; sys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200", **env},
        timeout=120,
    )


def _one_line_error(proc: subprocess.CompletedProcess[str], code: int, text: str) -> None:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert text in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_refused_credentials_are_exit_3_in_one_line(arm: FakeArm, tmp_path: Path) -> None:
    arm.inject("/subscriptions*", Fault(401, "ExpiredAuthenticationToken", "The access token has expired."))
    proc = _cli(
        "run", "-p", "azure", "--endpoint-url", arm.url, "--access-token", TOKEN, "-o", str(tmp_path)
    )  # fmt: skip
    _one_line_error(proc, ExitCode.RUNTIME, "az login")
    assert "ExpiredAuthenticationToken" in proc.stderr


def test_an_unknown_subscription_is_exit_3_naming_it(arm: FakeArm, tmp_path: Path) -> None:
    wrong = "00000000-0000-0000-0000-00000000dead"
    proc = _cli(
        "run", "-p", "azure", "--subscription", wrong, "--endpoint-url", arm.url, "--access-token", TOKEN,
        "-o", str(tmp_path),
    )  # fmt: skip
    _one_line_error(proc, ExitCode.RUNTIME, f"cannot read subscription {wrong}")


def test_every_enabled_subscription_is_audited_into_one_report_by_default(
    arm: FakeArm, tmp_path: Path
) -> None:
    assert run_azure(arm, tmp_path, subscription=None) == ExitCode.OK
    doc = findings(tmp_path)
    assert doc["run"]["accounts"] == sorted([SUBSCRIPTION, SECOND])
    assert {f["account"] for f in doc["findings"]} == {SUBSCRIPTION, SECOND}
    assert not [r for r in arm.requests if DISABLED in r.path and r.path != "/subscriptions"]


def test_subscriptions_repeated_or_comma_separated_are_one_report(arm: FakeArm, tmp_path: Path) -> None:
    base = ["run", "-p", "azure", "--endpoint-url", arm.url, "--access-token", TOKEN, "-f", "json"]
    assert main([*base, "--subscription", f"{SUBSCRIPTION},{SECOND}", "-o", str(tmp_path / "a")]) == 0
    assert (
        main([*base, "--subscription", SUBSCRIPTION, "--subscription", SECOND, "-o", str(tmp_path / "b")])
        == 0
    )
    for out in (tmp_path / "a", tmp_path / "b"):
        assert findings(out)["run"]["accounts"] == [SUBSCRIPTION, SECOND]


def test_the_whole_audit_sends_nothing_but_get(arm: FakeArm, tmp_path: Path) -> None:
    """Every collector of every service, over the sample subscription: the fake answers anything but GET
    with 405 and logs it; nothing of the kind may arrive."""
    assert run_azure(arm, tmp_path) == ExitCode.OK
    assert arm.requests
    assert arm.writes() == []
    assert {r.method for r in arm.requests} == {"GET"}
    # A setting that is not set (an API Management policy, sign-up settings) is a 404, read as "none".
    failed = [r for r in arm.requests if r.status >= 400]
    assert all(r.status == 404 and r.path.endswith(("/policies/policy", "/signup")) for r in failed), failed
    assert not [r for r in arm.requests if any(w in r.path.lower() for w in ("listkeys", "secret", "/list"))]


def test_the_fake_refuses_and_logs_a_write(arm: FakeArm) -> None:
    import requests

    answer = requests.post(
        f"{arm.url}/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Sql/register?api-version=2016-02-01",
        headers={"Authorization": "Bearer t"},
        verify=str(arm.ca_path),
        timeout=10,
    )
    assert answer.status_code == 405
    assert [(r.method, r.status) for r in arm.writes()] == [("POST", 405)]


def test_the_access_token_is_sent_but_never_printed_logged_or_written(arm: FakeArm, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = _cli(
        "run", "--debug", "-p", "azure", "--subscription", SUBSCRIPTION, "--endpoint-url", arm.url,
        "-f", "json,html,sarif", "-o", str(out),
        CLOUDAUDIT_ACCESS_TOKEN=SECRET_TOKEN,
    )  # fmt: skip
    assert proc.returncode == ExitCode.OK, proc.stderr
    assert arm.requests
    assert SECRET_TOKEN not in proc.stdout + proc.stderr
    assert SECRET_TOKEN.split(".")[2] not in proc.stdout + proc.stderr
    for path in out.iterdir():
        assert SECRET_TOKEN not in path.read_text(errors="replace"), path.name


def test_another_providers_scope_option_is_a_usage_error(tmp_path: Path) -> None:
    proc = _cli("run", "--provider", "azure", "--project", "p", "-o", str(tmp_path))
    _one_line_error(proc, ExitCode.USAGE, "--project is an option of --provider gcp")


def test_checks_lists_the_azure_checks() -> None:
    proc = _cli("checks", "--provider", "azure")
    assert proc.returncode == 0, proc.stderr
    assert "azure.storage.anonymous_container" in proc.stdout
    assert "gcp." not in proc.stdout and "aws." not in proc.stdout


def test_without_the_azure_libraries_run_says_how_to_install_them(tmp_path: Path) -> None:
    """The plugin loads (checks and evaluate work offline); collecting needs cloudaudit[azure]: exit 2."""
    block = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'azure' or name.startswith('azure.'):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from cloudaudit.cli.app import main; sys.exit(main())"
    )
    args = ["run", "--provider", "azure", "--access-token", "t", "-o", str(tmp_path)]
    proc = subprocess.run([sys.executable, "-c", block, *args], capture_output=True, text=True, timeout=120)
    _one_line_error(proc, ExitCode.USAGE, 'pip install -e ".[azure]"')
    checks = [sys.executable, "-c", block, "checks", "--provider", "azure"]
    wide = {**os.environ, "COLUMNS": "200"}
    listed = subprocess.run(checks, capture_output=True, text=True, timeout=120, env=wide)
    assert listed.returncode == 0 and "azure.storage.anonymous_container" in listed.stdout, listed.stderr


def test_the_summary_names_subscriptions(
    arm: FakeArm, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_azure(arm, tmp_path) == ExitCode.OK
    assert f"checks on azure subscription(s) {SUBSCRIPTION}" in capsys.readouterr().out


def test_a_run_evaluates_finished_services_while_collecting_and_finds_what_its_inventory_gives(
    arm: FakeArm, tmp_path: Path
) -> None:
    """The command in its own process (single-threaded: the early evaluation helper may be forked)."""
    run, again = tmp_path / "run", tmp_path / "again"
    proc = _cli(
        "run", "-p", "azure", "--subscription", SUBSCRIPTION, "--endpoint-url", arm.url,
        "--access-token", TOKEN, "-f", "json", "-o", str(run), "--debug",
    )  # fmt: skip
    assert proc.returncode == ExitCode.OK, proc.stderr[-3000:]
    early = re.findall(r"engine\.early: (\d+) check\(s\) evaluated while collecting", proc.stderr)
    assert len(early) == 1 and int(early[0]) > 0, proc.stderr[-3000:]
    offline = _cli("evaluate", "--inventory", str(run / "inventory.json"), "-f", "json", "-o", str(again))
    assert offline.returncode == ExitCode.OK, offline.stderr[-3000:]
    assert findings(run)["findings"] == findings(again)["findings"]
