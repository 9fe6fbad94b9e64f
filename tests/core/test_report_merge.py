"""cloudaudit report FILE...: several findings files (providers, accounts, runs) merged into one report."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cloudaudit.cli.app import main
from cloudaudit.model import FindingsDocument, Status
from cloudaudit.report.json_report import load_findings, render_findings
from cloudaudit.report.merge import merge_documents
from format_cases import golden_doc, junit_schema, ocsf_errors
from test_report_html import make_doc, make_finding, make_gap


def _part(doc: FindingsDocument, provider: str, minutes: int) -> FindingsDocument:
    """``doc``'s findings, gaps and surface of one provider, as if from a run of its own."""
    findings = [f for f in doc.findings if f.provider == provider]
    run = doc.run.model_copy(
        update={
            "provider": provider,
            "providers": [provider],
            "accounts": list(dict.fromkeys(f.account for f in findings)),
            "regions": list(dict.fromkeys(f.region for f in findings)),
            "started": doc.run.started + timedelta(minutes=minutes),
            "finished": doc.run.finished + timedelta(minutes=minutes),
            "incomplete": provider == "aws" and doc.run.incomplete,
            "not_read": doc.run.not_read if provider == "aws" else [],
        }
    )
    return doc.model_copy(
        update={
            "run": run,
            "findings": findings,
            "coverage": [g for g in doc.coverage if g.provider == provider],
            "surface": [e for e in doc.surface if e.owner and e.owner.kind.startswith(provider)],
        }
    )


def _write(path: Path, doc: FindingsDocument) -> Path:
    path.write_text(render_findings(doc))
    return path


@pytest.fixture
def three(tmp_path: Path) -> list[Path]:
    doc = golden_doc()
    return [
        _write(tmp_path / f"{p}.json", _part(doc, p, minutes))
        for p, minutes in (("aws", 0), ("gcp", 30), ("azure", -30))
    ]


def test_aws_gcp_and_azure_files_merge_into_one_report(tmp_path: Path, three: list[Path]) -> None:
    out = tmp_path / "out"
    code = main(["report", *map(str, three), "-f", "json,junit,ocsf,asff,csv,sarif,html", "-o", str(out)])
    assert code == 0
    merged = load_findings(out / "findings.json")
    parts = [load_findings(p) for p in three]
    run = merged.run
    assert run.providers == ["aws", "gcp", "azure"] and run.provider == "aws,gcp,azure"
    assert run.accounts == ["123456789012", "demo-project", "0b1f6471-1bf0-4dda-aec3-cb9272f09590"]
    assert run.started == parts[2].run.started and run.finished == parts[1].run.finished
    assert run.incomplete and run.not_read == parts[0].run.not_read
    assert run.checks_run == 3 * parts[0].run.checks_run  # three provider sets, each counted once
    assert [f.resource_id for f in merged.findings] == [f.resource_id for p in parts for f in p.findings]
    assert len(merged.findings) == len(golden_doc().findings)
    assert len(merged.coverage) == len(golden_doc().coverage)
    assert [e.endpoint for e in merged.surface] == ["192.0.2.10", "192.0.2.150", "203.0.113.10"]
    assert any("merged 3 findings files" in n for n in run.notes)
    machine = ["junit.xml", "findings.ocsf.json", "findings.asff.json", "findings.csv", "findings.sarif"]
    assert sorted(p.name for p in out.iterdir()) == sorted(["findings.json", "report.html", *machine])
    junit_schema().validate(str(out / "junit.xml"))
    assert ocsf_errors(json.loads((out / "findings.ocsf.json").read_text())) == []


def test_the_same_file_twice_keeps_each_finding_once_with_a_note(
    tmp_path: Path, three: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    copy = _write(tmp_path / "copy.json", load_findings(three[0]))
    assert main(["report", str(three[0]), str(copy), "-f", "json", "-o", str(out)]) == 0
    merged = load_findings(out / "findings.json")
    original = load_findings(three[0])
    assert merged.findings == original.findings
    assert merged.coverage == original.coverage and merged.surface == original.surface
    (note,) = [n for n in merged.run.notes if "repeat" in n]
    assert note.startswith(f"{len(original.findings)} finding(s) of {copy} repeat findings of {three[0]}")
    assert f"note: {note}" in capsys.readouterr().err.splitlines()


def test_a_later_run_of_the_same_account_wins() -> None:
    early = make_doc([make_finding(status=Status.FAIL), make_finding(resource_id="only-early")])
    fixed = make_finding(status=Status.PASS, message="fixed")
    late = make_doc(
        [fixed],
        started=early.run.started + timedelta(days=1),
        finished=early.run.finished + timedelta(days=1),
    )
    merged = merge_documents([late, early], ["late.json", "early.json"]).document
    assert [(f.resource_id, f.status) for f in merged.findings] == [
        ("arn:aws:s3:::my-bucket", Status.PASS),
        ("only-early", Status.FAIL),
    ]
    assert merged.run.started == early.run.started and merged.run.finished == late.run.finished
    assert any("1 finding(s) of early.json repeat findings of late.json" in n for n in merged.run.notes)


def test_a_check_reporting_one_resource_twice_in_a_file_keeps_both() -> None:
    twice = [make_finding(message="port 22"), make_finding(message="port 80")]
    merged = merge_documents(
        [make_doc(twice), make_doc([], gaps=[make_gap()])], ["a.json", "b.json"]
    ).document
    assert [f.message for f in merged.findings] == ["port 22", "port 80"]
    assert not any("repeat" in n for n in merged.run.notes)


def test_one_file_is_rendered_unchanged(tmp_path: Path, three: list[Path]) -> None:
    out = tmp_path / "out"
    assert main(["report", str(three[1]), "-f", "json", "-o", str(out)]) == 0
    assert (out / "findings.json").read_text() == three[1].read_text()


def _inventory(tmp_path: Path) -> Path:
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps({"schema_version": "1.2", "assets": [], "gaps": []}))
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (lambda t, files: [*files, str(t / "missing.json")], "missing.json"),
        (lambda t, files: [*files, str(_inventory(t))], "is a cloudaudit inventory"),
        (lambda t, files: [*files, "-f", "junit,xml"], "unknown format(s) xml"),
        (lambda t, files: [], "Missing argument"),
    ],
)
def test_a_bad_input_exits_2_and_writes_nothing(
    tmp_path: Path, three: list[Path], capsys: pytest.CaptureFixture[str], args: Any, message: str
) -> None:
    out = tmp_path / "out"
    assert main(["report", *args(tmp_path, list(map(str, three))), "-o", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists() or list(out.iterdir()) == []


def test_an_output_directory_others_can_write_exits_3(tmp_path: Path, three: list[Path]) -> None:
    out = tmp_path / "shared"
    out.mkdir()
    os.chmod(out, 0o777)
    assert main(["report", *map(str, three), "-f", "junit", "-o", str(out)]) == 3
    assert list(out.iterdir()) == []
