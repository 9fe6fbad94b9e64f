"""Many targets in one run, provider-neutral (the fake provider, through the real CLI): a target that
cannot be audited is a coverage gap and the others go on, several are collected at once
(``--max-accounts``), and a run over several accounts writes one report set per account."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cloudaudit.collect.errors import TargetUnavailable
from cloudaudit.per_account import account_dir_name
from test_core_cli import _cli, fake_installed

__all__ = ["fake_installed"]  # the fixture, used by name


def _json(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text())
    return doc


def _run(site: Path, out: Path, projects: str, *extra: str) -> Any:
    return _cli(site, "run", "-p", "fake", "--project", projects, "-f", "json,html", "-o", str(out), *extra)


def test_a_target_that_denies_the_audit_is_a_gap_and_the_others_go_on(
    fake_installed: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    proc = _run(fake_installed, out, "p1,denied-x,p2")
    assert proc.returncode == 0, proc.stderr  # a denial is a property of the estate, not a failed run

    doc = _json(out / "findings.json")
    assert doc["run"]["accounts"] == ["p1", "p2"]
    assert doc["run"]["incomplete"] is False
    gaps = [(g["account"], g["service"], g["operation"], g["error_code"], g["kind"]) for g in doc["coverage"]]
    assert gaps == [("denied-x", "account", "GetProject", "PermissionDenied", "denied")]
    assert "not audited: account denied-x: PermissionDenied on GetProject" in proc.stdout
    assert "project denied-x not audited: project denied-x: the fake API denied" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_one_report_set_per_account(fake_installed: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = _run(fake_installed, out, "p1,denied-x,p2")
    assert proc.returncode == 0, proc.stderr
    assert f"wrote one report set per account (3) under {out / 'accounts'}" in proc.stdout

    for account in ("p1", "p2"):
        doc = _json(out / "accounts" / account / "findings.json")
        assert doc["run"]["accounts"] == [account]
        assert [f["resource_id"] for f in doc["findings"]] == [f"fake://{account}/box-{account}"]
        assert doc["coverage"] == []
        assert [a["id"] for a in _json(out / "accounts" / account / "inventory.json")["assets"]] == [
            f"fake://{account}/box-{account}"
        ]
        html = (out / "accounts" / account / "report.html").read_text()
        assert f"box-{account}" in html and "box-p" + ("2" if account == "p1" else "1") not in html
    denied = _json(out / "accounts" / "denied-x" / "findings.json")
    assert denied["findings"] == [] and [g["account"] for g in denied["coverage"]] == ["denied-x"]
    assert sorted(p.name for p in (out / "accounts").iterdir()) == ["denied-x", "p1", "p2"]


def test_one_account_writes_no_per_account_reports(fake_installed: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = _run(fake_installed, out, "p1")
    assert proc.returncode == 0, proc.stderr
    assert not (out / "accounts").exists()
    assert "report set per account" not in proc.stdout


def test_when_no_target_can_be_audited_the_run_fails(fake_installed: Path, tmp_path: Path) -> None:
    proc = _run(fake_installed, tmp_path / "out", "denied-a,denied-b")
    assert proc.returncode == 3
    assert "error: project denied-a: the fake API denied the audit's identity" in proc.stderr
    assert not (tmp_path / "out" / "findings.json").exists()


@pytest.mark.parametrize("at_once", ["1", "3"])
def test_targets_at_once_change_nothing_but_the_time(
    fake_installed: Path, tmp_path: Path, at_once: str
) -> None:
    out = tmp_path / "out"
    proc = _run(fake_installed, out, "p1,p2,throttled-t,p3,p4", "--max-accounts", at_once)
    assert proc.returncode == 3, proc.stderr  # the throttled project leaves the audit incomplete
    doc = _json(out / "findings.json")
    assert doc["run"]["accounts"] == ["p1", "p2", "throttled-t", "p3", "p4"]  # the order given
    assert [f["resource_id"] for f in doc["findings"]] == [f"fake://p{i}/box-p{i}" for i in range(1, 5)]
    assert [(g["account"], g["kind"]) for g in doc["coverage"]] == [("throttled-t", "throttled")]


def test_max_accounts_must_be_positive(fake_installed: Path, tmp_path: Path) -> None:
    proc = _run(fake_installed, tmp_path / "out", "p1", "--max-accounts", "0")
    assert proc.returncode == 2
    assert "--max-accounts" in proc.stderr


@pytest.mark.parametrize(
    ("account", "safe"),
    [
        ("123456789012", True),
        ("my-project-42", True),
        ("00000000-0000-0000-0000-000000000000", True),
        ("../../etc", False),
        ("a/b", False),
        ("..", False),
        ("x\x1b[31m", False),
        ("", False),
    ],
)
def test_account_folder_names_never_leave_the_accounts_folder(account: str, safe: bool) -> None:
    name = account_dir_name(account)
    assert (name == account) is safe
    assert "/" not in name and name not in ("", ".", "..")
    assert name.isprintable()


def test_summary_names_a_few_accounts_and_counts_the_rest(fake_installed: Path, tmp_path: Path) -> None:
    projects = ",".join(f"p{i:02d}" for i in range(12))
    proc = _run(fake_installed, tmp_path / "out", projects)
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[0]
    assert first.endswith("account(s) p00, p01, p02, p03, p04 +7 more (12 in all)")
    html = (tmp_path / "out" / "report.html").read_text()
    assert "<title>cloudaudit report: fake 12 accounts</title>" in html


def test_ctrl_c_while_several_targets_run_keeps_what_was_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three targets at a time, Ctrl-C during the first: those under way are kept, those not started
    are interrupted gaps."""
    import threading
    from datetime import UTC, datetime

    from cloudaudit.collect.targets import collect_targets
    from cloudaudit.model.inventory import GapKind, Inventory, ScanScope
    from cloudaudit.plugins import CollectOptions, Target
    from cloudaudit.progress import PlainProgress
    from fake_provider import plugin

    stop = threading.Event()
    monkeypatch.setattr("cloudaudit.interrupt.STOP", stop)
    started = threading.Barrier(3, timeout=10)

    def collect(options: CollectOptions, progress: object) -> Inventory:
        project = options.target.id or ""
        if project in ("p1", "p2", "p3"):
            started.wait()  # the first three run together
        if project == "p1":
            stop.set()
        stop.wait(10)  # p2 and p3 finish after Ctrl-C: no later target may start
        now = datetime.now(UTC)
        return Inventory(scope=ScanScope(provider="fake", accounts=(project,), started=now, finished=now))

    monkeypatch.setattr(plugin, "collect", collect)
    targets = [Target("project", f"p{i}") for i in range(1, 7)]
    merged = collect_targets(plugin, CollectOptions(), targets, PlainProgress(), max_targets=3)
    assert merged.scope.accounts == ("p1", "p2", "p3")
    assert [(g.account, g.kind) for g in merged.gaps] == [(f"p{i}", GapKind.INTERRUPTED) for i in (4, 5, 6)]


def test_target_unavailable_crosses_a_process_boundary_and_can_be_reworded() -> None:
    """A Dask worker's survey raises it: the client unpickles it, then prefixes where it happened."""
    import pickle

    from cloudaudit.model.inventory import GapKind

    sent = TargetUnavailable(
        "cannot assume role X", code="AccessDenied", operation="AssumeRole", kind=GapKind.ERROR
    )
    received = pickle.loads(pickle.dumps(sent))
    said = received.reworded(f"on the Dask worker: {received.message}")
    assert isinstance(said, TargetUnavailable)
    assert (said.message, str(said)) == ("on the Dask worker: cannot assume role X",) * 2
    assert (said.code, said.operation, said.kind) == ("AccessDenied", "AssumeRole", GapKind.ERROR)
    assert sent.message == "cannot assume role X"
