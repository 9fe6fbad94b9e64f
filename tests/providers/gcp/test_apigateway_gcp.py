"""API Gateway through the CLI against the fake: paging, one FULL read per served config, regions,
a disabled API and a denied config read, and gateway hostnames as exposure targets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cloudaudit.cli.app import main
from cloudaudit.engine.registry import REGISTRY
from cloudaudit.plugins import load_plugin
from cloudaudit_gcp.fake import FakeGoogleApis, FakeProject, Fault, routes_apigateway
from cloudaudit_gcp.fake.state import Api, ApiConfig, Gateway
from gcp_run import findings, run_gcp, verdicts
from shodan_fake import sample_host

PROJECT = "demo-project"
CHECK = "gcp.apigateway.operation_without_security"
LIST = "apigateway.projects.locations.gateways.list"
GET = "apigateway.projects.locations.apis.configs.get"
load_plugin("gcp")

OPEN = json.dumps(
    {
        "swagger": "2.0",
        "info": {"title": "open", "version": "1"},
        "x-google-backend": {"address": "https://shop-abc-uc.a.run.app"},
        "paths": {"/cart": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
)
SECURED = """swagger: "2.0"
info: {title: secured, version: "1"}
security: [{api_key: []}]
securityDefinitions: {api_key: {type: apiKey, name: x-api-key, in: header}}
paths:
  /cart: {get: {responses: {"200": {description: ok}}}}
"""


def shop(project_id: str = PROJECT, number: str = "123456789012") -> FakeProject:
    """5 gateways in us-central1 and 3 in europe-west1 sharing two configs; a third config serves none."""
    project = FakeProject(project_id, number=number)
    configs = [
        ApiConfig("open", {"openapi.json": OPEN}),
        ApiConfig("secured", {"openapi.yaml": SECURED}),
        ApiConfig("unused", {"openapi.json": OPEN}),
    ]
    project.apis.append(Api("shop", configs))
    project.gateways += [
        Gateway(f"us-{i}", "us-central1", "shop", "open" if i % 2 else "secured") for i in range(5)
    ]
    project.gateways += [Gateway(f"eu-{i}", "europe-west1", "shop", "secured") for i in range(3)]
    return project


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogleApis]:
    monkeypatch.setattr(routes_apigateway, "PAGE", 3)  # the fake's page size, so that 8 gateways take 3 pages
    with FakeGoogleApis([shop()]) as served:
        yield served


def _config_reads(fake: FakeGoogleApis) -> list[tuple[str, str, int]]:
    return [
        (r.path.rsplit("/", 1)[-1], r.query.get("view", ""), r.status)
        for r in fake.requests
        if r.route == GET
    ]


def test_every_page_of_gateways_and_each_served_config_read_once_with_full_view(
    fake: FakeGoogleApis, tmp_path: Path
) -> None:
    assert run_gcp(fake, tmp_path) == 0

    listings = [r for r in fake.requests if r.route == LIST]
    assert len(listings) == 3
    assert {r.path for r in listings} == {f"/v1/projects/{PROJECT}/locations/-/gateways"}
    assert sorted(_config_reads(fake)) == [("open", "FULL", 200), ("secured", "FULL", 200)]
    got = {name: v for (check, name), v in verdicts(tmp_path).items() if check == CHECK}
    assert got == {
        "us-0": ("PASS", "high"),
        "us-1": ("FAIL", "high"),
        "us-2": ("PASS", "high"),
        "us-3": ("FAIL", "high"),
        "us-4": ("PASS", "high"),
        "eu-0": ("PASS", "high"),
        "eu-1": ("PASS", "high"),
        "eu-2": ("PASS", "high"),
    }
    failing = next(
        f for f in findings(tmp_path)["findings"] if f["check_id"] == CHECK and f["status"] == "FAIL"
    )
    assert failing["evidence"]["operations"] == [
        {"path": "/cart", "method": "GET", "document": "openapi.json", "why": "no security requirement"}
    ]


def test_regions_keep_only_their_gateways_and_read_only_the_configs_they_serve(
    fake: FakeGoogleApis, tmp_path: Path
) -> None:
    assert run_gcp(fake, tmp_path, "--regions", "europe-west1") == 0

    names = {name for (check, name) in verdicts(tmp_path) if check == CHECK}
    assert names == {"eu-0", "eu-1", "eu-2"}
    assert _config_reads(fake) == [("secured", "FULL", 200)]
    assert fake.count(LIST) == 3  # one listing of every region, filtered here


def test_a_disabled_api_is_an_unsupported_gap_naming_it_and_the_other_project_is_still_audited(
    tmp_path: Path,
) -> None:
    with FakeGoogleApis([shop(), shop("other-project", number="222")]) as fake:
        fake.inject("apigateway.*", Fault.service_disabled("apigateway.googleapis.com"), project=PROJECT)
        code = run_gcp(fake, tmp_path, "--project", "other-project")

    assert code == 0
    doc = findings(tmp_path)
    (gap,) = doc["coverage"]
    assert (gap["kind"], gap["account"], gap["service"], gap["operation"]) == (
        "unsupported",
        PROJECT,
        "apigateway",
        "apigateway.gateways.list",
    )
    assert "apigateway.googleapis.com API has not been used in project 123456789012" in gap["message"]
    judged = {(f["account"], f["resource_name"]) for f in doc["findings"] if f["check_id"] == CHECK}
    assert judged == {
        ("other-project", name) for name in ("us-0", "us-1", "us-2", "us-3", "us-4", "eu-0", "eu-1", "eu-2")
    }


def test_a_denied_config_read_makes_only_its_gateways_unknown(fake: FakeGoogleApis, tmp_path: Path) -> None:
    fake.inject(GET, Fault.permission_denied("apigateway.apiconfigs.get", times=1))

    assert run_gcp(fake, tmp_path) == 0

    reads = _config_reads(fake)
    assert len(reads) == 2  # a 403 is not retried, and nothing is read twice
    (denied,) = [config for config, _, status in reads if status == 403]
    (served,) = [config for config, _, status in reads if status == 200]
    gateways = {g.name: g.config for g in shop().gateways}
    doc = findings(tmp_path)
    for f in (f for f in doc["findings"] if f["resource_type"] == "gcp.apigateway.gateway"):
        if gateways[f["resource_name"]] == denied:
            assert f["status"] == "UNKNOWN", f
            assert "IAM_PERMISSION_DENIED on apigateway.apiconfigs.get" in f["message"]
        else:
            assert gateways[f["resource_name"]] == served and f["status"] in ("PASS", "FAIL")
    (gap,) = doc["coverage"]
    assert (gap["kind"], gap["operation"]) == ("denied", "apigateway.apiconfigs.get")
    assert gap["resource_id"].endswith(f"/apis/shop/configs/{denied}")


def test_gateway_hostnames_are_exposure_targets_graded_by_what_an_index_saw(tmp_path: Path) -> None:
    project = shop()
    open_gateway = project.gateways[1]
    hostname = project.gateway_resource(open_gateway)["defaultHostname"]
    host: dict[str, Any] = sample_host("34.117.0.10")
    host["hostnames"] = [hostname]
    host["data"] = [dict(b, hostnames=[hostname]) for b in host["data"] if b["port"] == 443]
    host["ports"], host["vulns"] = [443], []
    snapshot = tmp_path / "snapshot.jsonl"
    snapshot.write_text(json.dumps(host) + "\n")
    out = tmp_path / "out"

    with FakeGoogleApis([project]) as fake:
        assert run_gcp(fake, out) == 0
    inventory = json.loads((out / "inventory.json").read_text())
    (asset,) = [a for a in inventory["assets"] if a["name"] == open_gateway.name]
    assert asset["endpoints"] == [
        {
            "host": hostname,
            "protocol": "tcp",
            "from_port": 443,
            "to_port": 443,
            "via": "API Gateway default hostname (https)",
            "application": "https",
            "methods": ["GET"],
        }
    ]

    graded = tmp_path / "graded"
    argv = ["evaluate", "--inventory", str(out / "inventory.json"), "-o", str(graded)]
    assert main([*argv, "--exposure", f"file:{snapshot}"]) == 0
    doc = json.loads((graded / "findings.json").read_text())
    (finding,) = [
        f for f in doc["findings"] if f["check_id"] == CHECK and f["resource_name"] == open_gateway.name
    ]
    assert (finding["status"], finding["severity"]) == ("FAIL", "critical")  # high, seen by the index
    assert finding["exposure"]["level"] == "observed"
    assert any(e["endpoint"] == f"{hostname}:443" for e in finding["exposure"]["evidence"])


def test_open_operations_map_to_broken_authentication_as_well_as_misconfiguration() -> None:
    spec = REGISTRY.get(CHECK)
    assert spec is not None
    owasp = ("OWASP-API-Top10-2019", "OWASP-API-Top10-2023")
    assert [spec.compliance[f] for f in owasp] == [("API2", "API7"), ("API2", "API8")]
    plain = REGISTRY.get("gcp.apigateway.backend_plain_http")
    assert plain is not None and [plain.compliance[f] for f in owasp] == [("API7",), ("API8",)]
