"""``cloudaudit run/evaluate --exposure ... --probe``: the exposure stage from the command line.

The AWS account is moto's server; Shodan is a local Shodan-shaped server reached by the real
``shodan`` client through SHODAN_API_URL (tests/shodan_fake.py). Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from aws_seed import ssh_host
from cloudaudit.cli.app import main
from shodan_fake import ShodanFake, sample_host

KEY = "SHODANTESTKEY0123456789abcdef"


@pytest.fixture
def shodan(monkeypatch: pytest.MonkeyPatch) -> Iterator[ShodanFake]:
    fake = ShodanFake(KEY).start()
    monkeypatch.setenv("SHODAN_API_URL", fake.url)
    yield fake
    fake.stop()


def _failing(findings: list[dict[str, Any]], check_id: str) -> dict[str, dict[str, Any]]:
    return {f["resource_id"]: f for f in findings if f["check_id"] == check_id and f["status"] == "FAIL"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--exposure", "censys"], "unknown exposure source 'censys'"),
        (["--exposure", "file:/nonexistent/snapshot.json"], "/nonexistent/snapshot.json"),
        (["--connect-to", "a:1:127.0.0.1:2"], "--connect-to only applies to --probe"),
        (["--probe", "--connect-to", "a:b"], "HOST:PORT:TARGET_HOST:TARGET_PORT"),
    ],
)
def test_bad_exposure_options_are_one_line_usage_errors(
    aws: str, out_dir: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code = main(["run", "--provider", "aws", "--regions", "us-east-1", "-o", str(out_dir), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err


def test_run_with_shodan_grades_the_exposed_host_and_never_writes_the_key(
    aws: str,
    out_dir: Path,
    shodan: ShodanFake,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, ip, _ = ssh_host(aws, port=6379)
    shodan.add_host(sample_host(ip))  # the index lists nginx 443, Redis 6379 and PostgreSQL 5432 there
    monkeypatch.setenv("SHODAN_API_KEY", KEY)

    code = main(
        ["run", "--provider", "aws", "--regions", "us-east-1", "-o", str(out_dir), "--exposure", "shodan"]
    )

    assert code == 0
    doc = json.loads((out_dir / "findings.json").read_text())
    assert doc["run"]["exposure_sources"] == ["shodan"]
    assert any("credit" in note for note in doc["run"]["exposure_notes"])
    instance = _failing(doc["findings"], "aws.ec2.instance_exposed_sensitive_ports")
    (host,) = instance.values()
    assert host["exposure"]["level"] == "observed" and host["severity"] == "critical"
    assert any(
        e["source"] == "shodan" and e["endpoint"] == f"{ip}:6379" for e in host["exposure"]["evidence"]
    )
    unexpected = [f for f in doc["findings"] if f["check_id"] == "exposure.unexpected_open_port"]
    assert sorted(f["evidence"]["endpoint"] for f in unexpected) == [f"{ip}:443", f"{ip}:5432"]
    assert _failing(doc["findings"], "exposure.known_vulnerability")
    assert shodan.requests == [ip]
    printed = capsys.readouterr()
    for text in (printed.out, printed.err, *(p.read_text() for p in out_dir.iterdir())):
        assert KEY not in text


def test_shodan_without_a_key_falls_back_to_the_keyless_internetdb(
    aws: str,
    out_dir: Path,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, ip, _ = ssh_host(aws, port=6379)
    answer = {"ip": ip, "ports": [6379], "hostnames": [], "cpes": [], "tags": [], "vulns": []}
    httpserver.expect_request(f"/{ip}").respond_with_json(answer)
    monkeypatch.setenv("CLOUDAUDIT_INTERNETDB_URL", httpserver.url_for("").rstrip("/"))

    code = main(
        ["run", "--provider", "aws", "--regions", "us-east-1", "-o", str(out_dir), "--exposure", "shodan"]
    )

    assert code == 0
    assert "no Shodan API key" in capsys.readouterr().err
    doc = json.loads((out_dir / "findings.json").read_text())
    assert doc["run"]["exposure_sources"] == ["internetdb"]
    host = next(iter(_failing(doc["findings"], "aws.ec2.instance_exposed_sensitive_ports").values()))
    assert host["exposure"]["level"] == "observed"


def test_shodan_outage_is_unknown_coverage_not_a_silent_pass(
    aws: str, out_dir: Path, shodan: ShodanFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, ip, _ = ssh_host(aws, port=22)
    shodan.fail(ip, 500, 500, 500, 500)
    monkeypatch.setenv("SHODAN_API_KEY", KEY)

    assert (
        main(
            ["run", "--provider", "aws", "--regions", "us-east-1", "-o", str(out_dir), "--exposure", "shodan"]
        )
        == 0
    )

    doc = json.loads((out_dir / "findings.json").read_text())
    unchecked = [f for f in doc["findings"] if f["check_id"] == "exposure.not_checked"]
    assert [f["status"] for f in unchecked] == ["UNKNOWN"] and ip in unchecked[0]["message"]
    assert any(g["service"] == "exposure:shodan" and g["resource_id"] == ip for g in doc["coverage"])
    host = next(iter(_failing(doc["findings"], "aws.ec2.instance_exposed_sensitive_ports").values()))
    assert host["exposure"]["level"] in ("configured", "reachable") and host["severity"] == "high"


def test_evaluate_grades_a_saved_inventory_with_a_snapshot_offline(
    aws: str, out_dir: Path, tmp_path: Path
) -> None:
    _, ip, _ = ssh_host(aws, port=6379)
    assert main(["run", "--provider", "aws", "--regions", "us-east-1", "-o", str(out_dir)]) == 0
    snapshot = tmp_path / "snapshot.jsonl"
    snapshot.write_text(json.dumps(sample_host(ip)) + "\n")
    again = tmp_path / "again"

    code = main(
        [
            "evaluate",
            "--inventory",
            str(out_dir / "inventory.json"),
            "-o",
            str(again),
            "--exposure",
            f"file:{snapshot}",
        ]
    )

    assert code == 0
    findings = json.loads((again / "findings.json").read_text())["findings"]
    host = next(iter(_failing(findings, "aws.ec2.instance_exposed_sensitive_ports").values()))
    assert host["exposure"]["level"] == "observed"
    assert "observed" in (again / "report.html").read_text()


def test_a_second_run_reuses_cached_answers_unless_the_cache_is_turned_off(
    aws: str, out_dir: Path, shodan: ShodanFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, ip, _ = ssh_host(aws, port=22)
    shodan.add_host(sample_host(ip))
    monkeypatch.setenv("SHODAN_API_KEY", KEY)
    run = ["run", "--provider", "aws", "--regions", "us-east-1", "-o", str(out_dir), "--exposure", "shodan"]

    assert main(run) == 0
    assert main(run) == 0  # a daily cron run does not pay twice
    assert shodan.requests == [ip]
    notes = json.loads((out_dir / "findings.json").read_text())["run"]["exposure_notes"]
    assert not any("credit(s) used" in note for note in notes)

    assert main([*run, "--exposure-cache-hours", "0"]) == 0
    assert shodan.requests == [ip, ip]


def test_observations_are_saved_and_reused_by_evaluate_without_contacting_anyone(
    aws: str, out_dir: Path, shodan: ShodanFake, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, ip, _ = ssh_host(aws, port=6379)
    shodan.add_host(sample_host(ip))
    monkeypatch.setenv("SHODAN_API_KEY", KEY)
    assert (
        main(
            ["run", "--provider", "aws", "--regions", "us-east-1", "-o", str(out_dir), "--exposure", "shodan"]
        )
        == 0
    )
    saved = json.loads((out_dir / "exposure.json").read_text())
    assert saved["schema_version"] == "1.1" and [r["source"] for r in saved["results"]] == ["shodan"]
    assert KEY not in (out_dir / "exposure.json").read_text()
    shodan.stop()  # nobody to ask any more
    again = tmp_path / "again"

    code = main(
        [
            "evaluate",
            "--inventory",
            str(out_dir / "inventory.json"),
            "--observations",
            str(out_dir / "exposure.json"),
            "-o",
            str(again),
        ]
    )

    assert code == 0
    findings = json.loads((again / "findings.json").read_text())["findings"]
    host = next(iter(_failing(findings, "aws.ec2.instance_exposed_sensitive_ports").values()))
    assert host["exposure"]["level"] == "observed"
    both = [
        "evaluate",
        "-i",
        str(out_dir / "inventory.json"),
        "--observations",
        str(out_dir / "exposure.json"),
    ]
    assert main([*both, "--exposure", "internetdb", "-o", str(again)]) == 2
