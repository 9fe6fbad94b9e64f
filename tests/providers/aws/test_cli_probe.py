"""``cloudaudit run --probe`` on an account that names internal addresses, and with a slow endpoint.

The account is moto's server; its API Gateway custom domains are named ``169.254.169.254``,
``10.0.0.5`` and ``slow.example.test``, each mapped by ``--connect-to`` onto a server on 127.0.0.1.
The internal ones must not be contacted (their server counts zero connections), the plan says why,
and the coverage of the report lists them; the slow one is cut by ``--probe-timeout``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aws_seed import rest_api_with_domains
from cloudaudit.cli.app import main
from probe_servers import LOCAL, BadApi, Server, Trickle, running

INTERNAL = ("169.254.169.254", "10.0.0.5")


def _domains(endpoint: str, *names: str) -> None:
    rest_api_with_domains(endpoint, *names, execute_api=False)


def _run(out_dir: Path, *args: str) -> tuple[int, dict[str, Any]]:
    base = ["run", "--provider", "aws", "--regions", "us-east-1", "--checks", "aws.apigateway.*"]
    code = main([*base, "-o", str(out_dir), "--format", "json", "--probe", *args])
    return code, json.loads((out_dir / "findings.json").read_text())


def _probe_coverage(doc: dict[str, Any]) -> dict[str, str]:
    return {g["resource_id"]: g["message"] for g in doc["coverage"] if g["service"] == "exposure:probe"}


def test_internal_addresses_named_by_the_account_are_refused_and_reported(
    aws: str, out_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _domains(aws, *INTERNAL)
    with running(Server(BadApi)) as server:
        mappings = [arg for host in INTERNAL for arg in ("--connect-to", f"{host}:443:{LOCAL}:{server.port}")]
        code, doc = _run(out_dir, *mappings)

    assert code == 0
    assert server.connections == 0
    err = capsys.readouterr().err
    assert "probe: no endpoint to connect to (every endpoint refused)" in err
    assert (
        "probe: not contacting 169.254.169.254:443: 169.254.169.254 is the cloud metadata service address "
        "(--probe-private to include private estates)"
    ) in err
    assert "probe: not contacting 10.0.0.5:443: 10.0.0.5 is a private (RFC 1918) address" in err
    coverage = _probe_coverage(doc)
    assert set(coverage) == set(INTERNAL)
    assert coverage["10.0.0.5"].startswith("not contacted (port 443): 10.0.0.5 is a private (RFC 1918)")


def test_probe_private_lets_the_probe_reach_a_private_estate(
    aws: str, out_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _domains(aws, "10.0.0.5")
    with running(Server(BadApi)) as server:
        code, doc = _run(out_dir, "--probe-private", "--connect-to", f"10.0.0.5:443:{LOCAL}:{server.port}")

    assert code == 0
    assert server.connections > 0
    assert "not contacting" not in capsys.readouterr().err
    assert not [m for m in _probe_coverage(doc).values() if "not contacted" in m]


def test_probe_timeout_bounds_a_slow_endpoint_and_the_coverage_says_so(aws: str, out_dir: Path) -> None:
    _domains(aws, "slow.example.test")
    with running(Server(Trickle)) as server:
        code, doc = _run(
            out_dir, "--probe-timeout", "1", "--connect-to", f"slow.example.test:443:{LOCAL}:{server.port}"
        )

    assert code == 0
    assert server.connections > 0
    message = _probe_coverage(doc)["slow.example.test"]
    assert "the probe's overall budget (1 s) ran out" in message
    assert any("overall budget (1 s) ran out" in note for note in doc["run"]["exposure_notes"])


@pytest.mark.parametrize("option", [["--probe-private"], ["--probe-timeout", "30"]])
@pytest.mark.parametrize("command", [["run", "--provider", "aws", "--regions", "us-east-1"], ["demo"]])
def test_probe_limits_without_probe_are_usage_errors(
    aws: str, out_dir: Path, capsys: pytest.CaptureFixture[str], option: list[str], command: list[str]
) -> None:
    code = main([*command, "-o", str(out_dir), *option])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == "error: --probe-private and --probe-timeout only apply to --probe"
