"""The container image: its Dockerfile is lint-clean, non-root and secret-free; built and run where Docker
is available."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sysconfig
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
SECRET_NAMES = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|SAS|WEBHOOK", re.IGNORECASE)


def _instructions() -> list[tuple[str, str]]:
    return [(i["instruction"], i["value"]) for i in DockerfileParser(str(DOCKERFILE)).structure]


def _stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for instruction, value in _instructions():
        if instruction == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((instruction, value))
    return stages


def _extras() -> set[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return set(pyproject["project"]["optional-dependencies"])


def test_hadolint_passes() -> None:
    hadolint = Path(sysconfig.get_path("scripts")) / "hadolint"
    done = subprocess.run([str(hadolint), str(DOCKERFILE)], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_multi_stage_on_a_tagged_slim_python() -> None:
    args = dict(v.split("=", 1) for i, v in _instructions() if i == "ARG" and "=" in v)
    image, _, tag = args["PYTHON_IMAGE"].partition(":")
    assert image == "python"
    assert re.fullmatch(r"3\.1[1-9](\.\d+)?-slim(-\w+)?(@sha256:[0-9a-f]{64})?", tag), tag
    froms = [v for i, v in _instructions() if i == "FROM"]
    assert froms == ["${PYTHON_IMAGE} AS build", "${PYTHON_IMAGE}"]
    final = _stages()[-1]
    assert ("COPY", "--from=build /opt/cloudaudit /opt/cloudaudit") in final
    assert not [v for i, v in final if i == "COPY" and not v.startswith("--from=build")]


def test_final_stage_runs_as_a_non_root_user_with_cloudaudit_as_entrypoint() -> None:
    final = _stages()[-1]
    users = [v for i, v in final if i == "USER"]
    assert users, "the final stage must set USER"
    user = users[-1].split(":")[0]
    assert user not in {"0", "root"}
    assert int(user) >= 1000
    assert [v for i, v in final if i == "ENTRYPOINT"] == ['["cloudaudit"]']
    assert [v for i, v in final if i == "VOLUME"] == ['["/data"]']
    workdir = [v for i, v in final if i == "WORKDIR"]
    assert workdir[-1] == "/data"
    assert "HOME=/data" in " ".join(v for i, v in final if i == "ENV")


def test_no_secret_is_baked_into_the_image() -> None:
    for instruction, value in _instructions():
        if instruction in {"ENV", "ARG", "LABEL"}:
            names = re.findall(r"(\w+)=", value) or [value.split()[0]]
            assert not [n for n in names if SECRET_NAMES.search(n)], value
        if instruction in {"COPY", "ADD"}:
            assert not re.search(r"\.aws|\.azure|\.config/gcloud|\.env\b|credentials", value), value
    assert "ADD" not in {i for i, _ in _instructions()}


def test_providers_argument_maps_to_real_extras() -> None:
    args = [v for i, v in _instructions() if i == "ARG" and v.startswith("PROVIDERS")]
    assert args == ["PROVIDERS=aws", "PROVIDERS=aws"]
    runs = " ".join(v for i, v in _stages()[0] if i == "RUN")
    assert '".[${PROVIDERS}]"' in runs
    documented = re.search(r"PROVIDERS=([\w,]+) \.", DOCKERFILE.read_text())
    assert documented is not None
    assert set(documented.group(1).split(",")) <= _extras()
    assert {"aws", "gcp", "azure", "demo"} <= _extras()


def test_build_context_holds_only_the_sources() -> None:
    lines = [
        line
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert lines[0] == "*"
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    assert allowed == {"pyproject.toml", "README.md", "src", "providers"}
    copied = {
        source.removeprefix("./")
        for i, v in _instructions()
        if i == "COPY" and not v.startswith("--from")
        for source in v.split()[:-1]
    }
    assert copied == allowed


def _docker() -> str:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("docker is not installed: the image is not built here")
    info = subprocess.run([docker, "info"], capture_output=True, text=True, check=False)
    if info.returncode != 0:
        pytest.skip(
            f"no Docker daemon: {info.stderr.strip().splitlines()[-1] if info.stderr.strip() else ''}"
        )
    return docker


@pytest.fixture
def image() -> Iterator[tuple[str, str]]:
    """The image built with the AWS provider and the demo's emulators (cloudaudit demo -p aws)."""
    docker = _docker()
    (base,) = [v.split("=", 1)[1] for i, v in _instructions() if i == "ARG" and v.startswith("PYTHON_IMAGE=")]
    present = subprocess.run([docker, "image", "inspect", base], capture_output=True, check=False)
    if present.returncode != 0:
        pulled = subprocess.run([docker, "pull", base], capture_output=True, text=True, check=False)
        if pulled.returncode != 0:
            pytest.skip(f"base image {base} cannot be pulled here: {pulled.stderr.strip()[-200:]}")
    tag = f"cloudaudit-test:{uuid.uuid4().hex[:12]}"
    built = subprocess.run(
        [docker, "build", "--quiet", "--build-arg", "PROVIDERS=aws,demo", "-t", tag, str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    assert built.returncode == 0, built.stderr[-4000:]
    yield docker, tag
    subprocess.run([docker, "image", "rm", "-f", tag], capture_output=True, check=False)


def test_image_runs_the_demo_as_non_root(image: tuple[str, str], tmp_path: Path) -> None:
    docker, tag = image
    uid = subprocess.run(
        [docker, "run", "--rm", "--entrypoint", "id", tag, "-u"], capture_output=True, text=True, check=True
    )
    assert uid.stdout.strip() == "10001"
    name = f"cloudaudit-test-{uuid.uuid4().hex[:12]}"
    try:
        demo = subprocess.run(
            [docker, "run", "--name", name, "--network", "none", tag, "demo", "-p", "aws"],
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )
        assert demo.returncode == 0, demo.stderr[-4000:]
        assert "report.html" in demo.stdout + demo.stderr
        subprocess.run(
            [docker, "cp", f"{name}:/data/reports/findings.json", str(tmp_path / "findings.json")], check=True
        )
    finally:
        subprocess.run([docker, "rm", "-f", name], capture_output=True, check=False)
    findings = json.loads((tmp_path / "findings.json").read_text())
    assert findings["findings"]
    assert {f["provider"] for f in findings["findings"]} == {"aws"}
