"""The Azure benchmark on a small subscription: its seeding, its floor, the audit's requests beside the
floor's (the ratio the benchmark reports must compare the same reads)."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from azure_run import TOKEN, run_azure
from cloudaudit.errors import ExitCode
from cloudaudit_azure.fake import FakeArm

BENCH = Path(__file__).resolve().parents[3] / "bench"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


bench = _load("bench_azure")
bare = _load("bare_azure")


def test_the_audit_makes_exactly_the_floors_requests(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sub = bench.build_subscription(accounts=9, databases=12, network=6)
    with FakeArm([sub]) as arm:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(arm.ca_path))
        found = bare.read(bare.Floor(bench.SUBSCRIPTION, arm.url, TOKEN), bare.SERVICES)
        floor = Counter(map(bench._route, arm.requests))
        assert found["storage accounts"] == 9
        assert found["sql servers"] + found["postgresql servers"] + found["mysql servers"] == 9
        assert found["cosmos accounts"] == 3
        assert (found["nsgs"], found["nics"], found["public ips"]) == (7, 6, 3)
        before = len(arm.requests)
        code = run_azure(arm, tmp_path, subscription=bench.SUBSCRIPTION)
        audit = Counter(map(bench._route, arm.requests[before:]))
        assert arm.writes() == []
    assert code == ExitCode.OK
    assert audit == floor
