"""Run ``cloudaudit run --provider gcp`` against the local fake of the Google APIs, as a user would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cloudaudit.cli.app import main
from cloudaudit_gcp.fake import FakeGoogleApis

TOKEN = "test-token"  # the fake accepts any bearer token


def run_gcp(fake: FakeGoogleApis, out: Path, *args: str, project: str = "demo-project") -> int:
    """The exit code of a run over ``project`` on the fake, JSON findings written to ``out``."""
    base = ["run", "--provider", "gcp", "--project", project, "--endpoint-url", fake.url]
    return main([*base, "--access-token", TOKEN, "-f", "json", "-o", str(out), *args])


def findings(out: Path) -> dict[str, Any]:
    """The findings.json document of a run."""
    doc: dict[str, Any] = json.loads((out / "findings.json").read_text())
    return doc


def verdicts(out: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """(check id, resource name) -> (status, severity) of every finding of a run."""
    return {
        (f["check_id"], f["resource_name"]): (f["status"], f["severity"]) for f in findings(out)["findings"]
    }
