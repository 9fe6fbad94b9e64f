"""Golden files: each machine format of the fixed findings set, as ``cloudaudit report`` writes it.

A deliberate change of a format: run with ``CLOUDAUDIT_UPDATE_GOLDEN=1`` to rewrite the golden files,
then review their diff like code.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cloudaudit.cli.app import main
from format_cases import GOLDEN, GOLDEN_FINDINGS

FILES = {
    "ocsf": "findings.ocsf.json",
    "asff": "findings.asff.json",
    "junit": "junit.xml",
    "sarif": "findings.sarif",
    "csv": "findings.csv",
}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "out"
    assert main(["report", str(GOLDEN_FINDINGS), "--format", ",".join(FILES), "-o", str(out)]) == 0
    return out


@pytest.mark.parametrize("fmt", list(FILES))
def test_format_matches_its_golden_file(written: Path, fmt: str) -> None:
    name = FILES[fmt]
    produced = (written / name).read_bytes()
    golden = GOLDEN / name
    if os.environ.get("CLOUDAUDIT_UPDATE_GOLDEN") == "1":
        golden.write_bytes(produced)
    assert produced == golden.read_bytes(), f"{name} differs from {golden} (see this module's docstring)"


def test_the_report_set_is_exactly_the_formats_asked(written: Path) -> None:
    assert sorted(p.name for p in written.iterdir()) == sorted(FILES.values())
