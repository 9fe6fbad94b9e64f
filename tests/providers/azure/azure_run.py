"""Run ``cloudaudit run --provider azure`` against the local HTTPS fake of Azure Resource Manager, as a
user would: ``--endpoint-url``, ``--access-token`` and the fake's CA in ``REQUESTS_CA_BUNDLE``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cloudaudit.cli.app import main
from cloudaudit_azure.fake import FakeArm, FakeSubscription

TOKEN = "test-token"  # the fake accepts any bearer token
SUBSCRIPTION = "00000000-0000-0000-0000-0000000000a1"


def serve(monkeypatch: pytest.MonkeyPatch, *subscriptions: FakeSubscription) -> Iterator[FakeArm]:
    """Serve ``subscriptions`` and trust the fake's CA for the run (use with ``yield from``)."""
    with FakeArm(list(subscriptions)) as arm:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(arm.ca_path))
        yield arm


def run_azure(arm: FakeArm, out: Path, *args: str, subscription: str | None = SUBSCRIPTION) -> int:
    """The exit code of a run on the fake (every listed subscription when ``subscription`` is None),
    JSON findings written to ``out``."""
    scope = ["--subscription", subscription] if subscription else []
    base = ["run", "--provider", "azure", *scope, "--endpoint-url", arm.url, "--access-token", TOKEN]
    return main([*base, "-f", "json", "-o", str(out), *args])


def findings(out: Path) -> dict[str, Any]:
    """The findings.json document of a run."""
    doc: dict[str, Any] = json.loads((out / "findings.json").read_text())
    return doc


def verdicts(out: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """(check id, resource name) -> (status, severity) of every finding of a run."""
    return {
        (f["check_id"], f["resource_name"]): (f["status"], f["severity"]) for f in findings(out)["findings"]
    }
