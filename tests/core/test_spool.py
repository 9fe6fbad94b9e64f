"""The findings spool: in memory below its limit, on disk (private files) beyond, read back unchanged."""

from __future__ import annotations

import json
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from cloudaudit import spool as spool_module
from cloudaudit.errors import UsageError
from cloudaudit.model import Severity, Status
from cloudaudit.model.finding import Finding
from cloudaudit.runflow import FORMATS, write_reports
from cloudaudit.spool import SPILL_ENV, FindingSpool, close_all, spill_limit
from test_report_html import make_doc, make_finding
from test_report_streamed import HOSTILE, _findings


def _unit(account: str, n: int, start: int = 0) -> list[Finding]:
    return [
        make_finding(
            check_id=f"check_{i % 3}",
            status=(Status.FAIL, Status.PASS)[i % 2],
            severity=tuple(Severity)[i % 5],
            account=account,
            resource_id=f"arn:aws:s3:::{account}-bucket-{i}",
            resource_name=f"{HOSTILE} {i}",
            evidence={"i": i, "nested": [{"deep": HOSTILE}]},
        )
        for i in range(start, start + n)
    ]


def _dumps(findings: Iterable[Finding]) -> list[str]:
    return [f.model_dump_json() for f in findings]


def test_below_its_limit_nothing_is_written() -> None:
    spool = FindingSpool(limit=10)
    spool.extend(_unit("111", 4))
    spool.extend(_unit("222", 3))
    assert not spool.spilled
    assert len(spool) == 7
    assert [f.account for f in spool] == ["111"] * 4 + ["222"] * 3
    assert len(spool.of_account("222")) == 3


def test_past_its_limit_every_unit_is_on_disk_in_private_files_and_reads_back_unchanged() -> None:
    first, second, third = _unit("111", 3), _unit("222", 4), _unit("111", 2, start=10)
    spool = FindingSpool(limit=5)
    spool.extend(first)
    spool.extend(second)  # crosses the limit in the middle of the unit
    spool.extend(third)
    assert spool.spilled
    folder = spool._folder
    assert folder is not None and stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = sorted(folder.iterdir())
    assert [p.name for p in files] == ["unit-000000.jsonl", "unit-000001.jsonl", "unit-000002.jsonl"]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
    assert sum(1 for _ in files[1].open()) == 4
    assert _dumps(spool) == _dumps([*first, *second, *third])
    assert len(spool) == 9
    assert _dumps(spool.of_account("111")) == _dumps([*first, *third])
    assert len(spool.of_account("111")) == 5 and len(spool.of_account("999")) == 0
    assert spool[4].model_dump_json() == second[1].model_dump_json()
    assert spool[-1].model_dump_json() == third[-1].model_dump_json()
    with pytest.raises(IndexError):
        spool[9]
    spool.close()
    assert not folder.exists() and len(spool) == 0


def test_a_spilled_spool_sorts_without_loading_and_as_sorted_would() -> None:
    findings = _findings(40)
    spool = FindingSpool(limit=0)
    spool.extend(findings[:25])
    spool.extend(findings[25:])

    def key(f: Finding) -> tuple[str, str]:
        return (f.check_id, f.resource_id)

    assert _dumps(spool.sorted_by(key)) == _dumps(sorted(findings, key=key))
    assert _dumps(spool.of_account(findings[0].account).sorted_by(key)) == _dumps(sorted(findings, key=key))
    spool.close()


def test_map_writes_a_new_spool_and_close_all_removes_every_folder() -> None:
    spool = FindingSpool(limit=0)
    spool.extend(_unit("111", 3))
    muted = spool.map(lambda f: f.model_copy(update={"status": Status.MUTED, "muted_reason": "ok"}))
    assert muted.spilled and muted._folder != spool._folder
    assert [f.status for f in muted] == [Status.MUTED] * 3
    assert [f.status for f in spool] == [Status.FAIL, Status.PASS, Status.FAIL]
    folders = [spool._folder, muted._folder]
    close_all()
    assert not any(p is not None and p.exists() for p in folders)


def test_a_spilled_file_replaced_by_a_symlink_is_not_followed(tmp_path: Path) -> None:
    spool = FindingSpool(limit=0)
    spool.extend(_unit("111", 2))
    assert spool._folder is not None
    target = tmp_path / "elsewhere.jsonl"
    target.write_text(_unit("999", 1)[0].model_dump_json() + "\n")
    unit = spool._folder / "unit-000000.jsonl"
    unit.unlink()
    unit.symlink_to(target)
    with pytest.raises(OSError):
        list(spool)
    spool.close()


def test_the_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SPILL_ENV, "0")
    assert spill_limit() == 0
    monkeypatch.setenv(SPILL_ENV, "lots\x1b[31m")
    with pytest.raises(UsageError, match=f"{SPILL_ENV} must be a whole number") as info:
        spill_limit()
    assert "\x1b" not in info.value.message
    monkeypatch.delenv(SPILL_ENV)
    assert spill_limit() == 50_000


def test_every_report_of_spilled_findings_is_byte_identical(tmp_path: Path) -> None:
    findings = _findings(300)
    listed = make_doc(findings)
    spool = FindingSpool(limit=0)
    spool.extend(findings[:100])
    spool.extend(findings[100:])
    spilled = listed.model_copy(update={"findings": spool})
    assert spilled.model_dump_json() == listed.model_dump_json()
    formats = tuple(FORMATS)
    a = write_reports(listed, None, tmp_path / "list", formats)
    b = write_reports(spilled, None, tmp_path / "spool", formats)
    assert [p.name for p in a] == [p.name for p in b] and len(a) == len(formats)
    for left, right in zip(a, b, strict=True):
        assert left.read_bytes() == right.read_bytes(), left.name
    spool.close()


def test_spilled_files_are_gone_when_the_command_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cloudaudit.cli.app import main

    made: list[Path] = []
    real = tempfile.mkdtemp

    def mkdtemp(*args: Any, **kwargs: Any) -> str:
        folder = real(*args, **kwargs)
        if str(kwargs.get("prefix", "")).startswith("cloudaudit-findings-"):
            made.append(Path(folder))
        return folder

    monkeypatch.setattr(spool_module.tempfile, "mkdtemp", mkdtemp)
    monkeypatch.setenv(SPILL_ENV, "0")
    code = main(["demo", "-o", str(tmp_path / "out"), "-f", "json"])
    assert code == 0
    assert json.loads((tmp_path / "out" / "findings.json").read_text())["findings"]
    assert made and not any(folder.exists() for folder in made)
