"""The framework definition files: their validation, and that they are the one source of the mapping.

Every check id a file lists must exist (among the installed providers' checks and the exposure stage's
rules), and every finding's ``compliance`` must be exactly what the files say, read here independently
of the loader (plain ``yaml.safe_load``).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from cloudaudit.cli.app import main
from cloudaudit.compliance import FrameworkError, catalog, load_framework_file
from cloudaudit.compliance.catalog import bundled_files
from cloudaudit.engine.outcome import passed
from cloudaudit.engine.registry import REGISTRY, CheckSpec
from cloudaudit.engine.runner import _finding
from cloudaudit.exposure.correlate import _new_finding
from cloudaudit.exposure.model import Exposure
from cloudaudit.exposure.rules import ExposureRule, all_rules
from cloudaudit.model.enums import Severity
from cloudaudit.model.finding import shared_compliance
from cloudaudit.plugins import available, load_all

FRAMEWORK_DIR = Path(__file__).resolve().parents[2] / "src" / "cloudaudit" / "data" / "frameworks"

EXPECTED_FRAMEWORKS = {
    "AWS-Foundational-Security-Best-Practices",
    "CIS-AWS-Foundations-3.0.0",
    "CIS-Azure-Foundations-3.0.0",
    "CIS-GCP-Foundations-2.0.0",
    "ISO-IEC-27001-2022",
    "NIST-SP-800-53-rev5",
    "OWASP-API-Top10-2019",
    "OWASP-API-Top10-2023",
    "PCI-DSS-4.0",
    "SOC2-TSC-2017",
}

VALID = """\
id: TEST-1.0
name: Test framework
version: "1.0"
description: A framework for tests.
scope: Everything.
controls:
  - id: "1.1"
    section: 1 Section
    title: First control
    assessment: automated
    description: The first one.
    checks: [aws.s3.bucket_public_read_acl]
"""


def _checks() -> list[CheckSpec]:
    list(load_all())
    return list(REGISTRY)


def _mapping_from_files() -> dict[str, dict[str, list[str]]]:
    """check id -> framework id -> control ids, read from the YAML files without the loader."""
    mapping: dict[str, dict[str, list[str]]] = {}
    for path in sorted(FRAMEWORK_DIR.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for control in doc["controls"]:
            for check_id in control.get("checks", []):
                mapping.setdefault(check_id, {}).setdefault(doc["id"], []).append(str(control["id"]))
    return {c: dict(sorted(by_fw.items())) for c, by_fw in mapping.items()}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "framework.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------ the files


def test_the_bundled_frameworks_load() -> None:
    frameworks = catalog().frameworks
    assert {f.id for f in frameworks} == EXPECTED_FRAMEWORKS
    assert {p.name for p in bundled_files()} == {p.name for p in FRAMEWORK_DIR.glob("*.yaml")}
    for framework in frameworks:
        assert framework.controls and framework.scope.strip()
        assert any(c.checks for c in framework.controls), f"{framework.id} maps no check"


def test_a_valid_file_loads(tmp_path: Path) -> None:
    framework = load_framework_file(_write(tmp_path, VALID))
    assert framework.id == "TEST-1.0" and framework.controls[0].checks == ("aws.s3.bucket_public_read_acl",)
    assert framework.automated == 1


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("assessment: automated", "assessment: sometimes"),
            "line 10: controls.0.assessment: Input should be",
        ),
        (("    checks: [", "    chekcs: ["), "line 12: controls.0.chekcs: Extra inputs are not permitted"),
        (('  - id: "1.1"', "  - id: 4.10"), "line 7: controls.0.id: Input should be a valid string"),
        (("[aws.s3.bucket_public_read_acl]", "[S3 public]"), "not a check id: S3 public"),
        (
            ("checks: [aws.s3.bucket_public_read_acl]", "checks: [aws.s3.x_y, aws.s3.x_y]"),
            "listed twice: aws.s3.x_y",
        ),
        (("id: TEST-1.0", "id: TEST 1/0"), "line 1: id: String should match pattern"),
        (("    description: The first one.\n", ""), "line 7: controls.0.description: Field required"),
        (("name: Test framework", "name: [unclosed"), "is not valid YAML/JSON at line 3"),
    ],
)
def test_a_malformed_file_is_one_clear_error(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    path = _write(tmp_path, VALID.replace(*change))
    with pytest.raises(FrameworkError) as raised:
        load_framework_file(path)
    message = raised.value.message
    assert message.startswith(f"framework file {path}") and expected in message, message
    assert "\n" not in message


def test_control_ids_are_unique_and_a_provider_framework_lists_only_its_checks(tmp_path: Path) -> None:
    twice = VALID + VALID[VALID.index("  - id:") :]
    with pytest.raises(FrameworkError, match=r"control ids listed twice: 1\.1"):
        load_framework_file(_write(tmp_path, twice))
    foreign = VALID.replace("scope: Everything.", "scope: Everything.\nprovider: gcp")
    with pytest.raises(FrameworkError, match=r"checks of another provider than gcp: aws\.s3\."):
        load_framework_file(_write(tmp_path, foreign))


# ------------------------------------------------------------------------------------ the mapping


def test_every_mapped_check_exists() -> None:
    """A typo in a file would map nothing, silently: every id must be a check or an exposure rule (a
    framework of a provider that is not installed is fine)."""
    known = {c.id for c in _checks()} | {r.id for r in all_rules()}
    providers = set(available())
    missing = [
        check_id
        for check_id in catalog().mapped_checks()
        if check_id not in known and (check_id.split(".")[0] in providers or check_id.startswith("exposure."))
    ]
    assert not missing, f"framework files list unknown checks: {sorted(missing)}"


def test_findings_carry_exactly_what_the_files_say() -> None:
    """Every check's findings (and every exposure rule's) carry the controls that list it, nothing else."""
    expected = _mapping_from_files()
    resource = SimpleNamespace(provider="p", account="a", region="r", kind="k", id="i", name="n")
    for spec in _checks():
        finding = _finding(spec, resource, passed("ok"), shared_compliance(spec.compliance))  # type: ignore[arg-type]  # what the runner builds
        assert finding.compliance == expected.get(spec.id, {}), spec.id
        assert list(finding.compliance) == sorted(finding.compliance)
    for rule in all_rules():
        found = _new_finding(rule, resource, "seen", {}, Exposure())  # type: ignore[arg-type]
        assert found.compliance == expected.get(rule.id, {}), rule.id


def test_every_check_maps_to_some_framework() -> None:
    unmapped = [c.id for c in _checks() if not c.compliance]
    assert not unmapped, f"checks no framework file lists: {unmapped}"


def test_a_check_the_files_do_not_list_maps_to_nothing() -> None:
    rule = ExposureRule("exposure.probe.new.kind", "New", Severity.LOW, "Fix it.")
    assert dict(rule.compliance) == {}


def test_checks_show_prints_the_controls_from_the_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checks", "show", "aws.s3.bucket_tls_not_enforced"]) == 0
    shown = capsys.readouterr().out
    assert "  CIS-AWS-Foundations-3.0.0: 2.1.1\n" in shown
    assert "    2.1.1  Ensure S3 Bucket Policy is set to deny HTTP requests\n" in shown
    assert "    4.2.1  Strong cryptography and security protocols are implemented" in shown
