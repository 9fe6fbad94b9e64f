"""A run on AWS (several regions and services, checks reading other services' assets) evaluates the
services already read while collecting, and finds exactly what its own inventory gives offline."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from cloudaudit.errors import ExitCode
from cloudaudit_aws.demo import REGIONS, seed


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The command in its own process: single-threaded, so the early evaluation helper may be forked."""
    code = "import sys; from cloudaudit.cli.app import main; sys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=dict(os.environ), timeout=300
    )


def _findings(out: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads((out / "findings.json").read_text())["findings"]
    return found


def test_a_run_finds_what_its_inventory_gives_offline(aws: str, tmp_path: Path) -> None:
    seed(aws)
    run, again = tmp_path / "run", tmp_path / "again"
    proc = _cli(
        "run", "--provider", "aws", "--regions", ",".join(REGIONS), "-f", "json", "-o", str(run), "--debug"
    )
    assert proc.returncode in (ExitCode.OK, ExitCode.FINDINGS), proc.stderr[-3000:]
    early = re.findall(r"engine\.early: (\d+) check\(s\) evaluated while collecting", proc.stderr)
    assert len(early) == 1 and int(early[0]) > 0, proc.stderr[-3000:]
    offline = _cli("evaluate", "--inventory", str(run / "inventory.json"), "-f", "json", "-o", str(again))
    assert offline.returncode in (ExitCode.OK, ExitCode.FINDINGS), offline.stderr[-3000:]
    assert _findings(run) == _findings(again)
    assert len(_findings(run)) > 50
