"""API Management through the CLI against the HTTPS fake: the sample's verdicts, the policy reads
(format=xml, 404 = no policy), denied reads that make only what depends on them UNKNOWN, paging,
regions, hostile policy text, the gateway as an exposure target, and no request but GET."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from azure_run import SUBSCRIPTION, findings, run_azure, serve, verdicts
from cloudaudit.cli.app import main
from cloudaudit_azure.fake import FakeArm, FakeSubscription
from cloudaudit_azure.fake import model_apim as m
from cloudaudit_azure.fake.faults import denied
from cloudaudit_azure.fake.sample_apim import GROUP, add_apim

AUTH = "azure.apimanagement.api_without_authentication"
HTTP = "azure.apimanagement.api_plain_http"
CORS = "azure.apimanagement.cors_any_origin"
TLS = "azure.apimanagement.gateway_legacy_tls"
BACKEND_TLS = "azure.apimanagement.backend_legacy_tls"
PUBLIC = "azure.apimanagement.public_network_access"
PORTAL = "azure.apimanagement.developer_portal_public"
CONTOSO = m.service_id(SUBSCRIPTION, GROUP, "contoso-api")


def sample() -> FakeSubscription:
    sub = FakeSubscription(SUBSCRIPTION)
    add_apim(sub)
    return sub


@pytest.fixture
def arm(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeArm]:
    yield from serve(monkeypatch, sample())


def _policy_reads(arm: FakeArm) -> list[tuple[str, str, int]]:
    return [
        (r.path.split("/service/", 1)[1], r.query.get("format", ""), r.status)
        for r in arm.requests
        if r.path.endswith("/policies/policy")
    ]


def test_the_samples_verdicts(arm: FakeArm, tmp_path: Path) -> None:
    assert run_azure(arm, tmp_path) == 0

    got = verdicts(tmp_path)
    assert {name: v for (check, name), v in got.items() if check == AUTH} == {
        "orders-open": ("FAIL", "critical"),  # no key, no policy, http too, global CORS * with credentials
        "payments": ("PASS", "high"),  # validate-jwt at API scope
        "partner-inventory": ("PASS", "high"),  # needs a key: only in a protected product
        "catalog": ("PASS", "high"),  # in an open product whose policy validates Entra ID tokens
        "notes": ("PASS", "high"),  # a <choose> answering 401 on the Authorization header
        "hr": ("PASS", "high"),  # validate-jwt at global scope, inherited through <base />
    }
    assert {name: v for (check, name), v in got.items() if check == HTTP and v[0] == "FAIL"} == {
        "orders-open": ("FAIL", "high")
    }
    assert got[(CORS, "contoso-api")] == ("FAIL", "critical")
    assert got[(CORS, "fabrikam-internal")] == ("PASS", "medium")
    assert got[(TLS, "contoso-api")] == ("FAIL", "medium")  # TLS 1.0 set to True
    assert got[(TLS, "legacy-2017")] == ("FAIL", "high")  # nothing set, created in 2017: all on
    assert got[(TLS, "fabrikam-internal")] == ("PASS", "medium")
    assert got[(BACKEND_TLS, "contoso-api")] == ("PASS", "medium")
    assert got[(PUBLIC, "contoso-api")] == ("FAIL", "low")
    assert got[(PUBLIC, "fabrikam-internal")] == ("PASS", "low")
    assert got[(PORTAL, "contoso-api")] == ("FAIL", "medium")  # sign-up on, product starter self-approved
    assert got[(PORTAL, "legacy-2017")] == ("FAIL", "low")  # the retired legacy portal
    assert findings(tmp_path)["coverage"] == []
    assert arm.writes() == []
    assert {r.method for r in arm.requests} == {"GET"}


def test_policies_are_read_as_xml_and_a_404_means_no_policy(arm: FakeArm, tmp_path: Path) -> None:
    assert run_azure(arm, tmp_path) == 0

    reads = _policy_reads(arm)
    assert {fmt for _, fmt, _ in reads} == {"xml"}
    assert ("contoso-api/apis/orders-open/policies/policy", "xml", 404) in reads
    assert ("contoso-api/policies/policy", "xml", 200) in reads
    assert ("contoso-api/products/public-catalog/policies/policy", "xml", 200) in reads
    assert ("legacy-2017/policies/policy", "xml", 404) in reads
    assert findings(tmp_path)["coverage"] == []
    # what is read under a service: nothing else (no subscriptions' keys, named values, users, secrets)
    read = {_shape(r.path) for r in arm.requests if "/service/" in r.path}
    assert read == {
        "apis",
        "apis/*/policies/policy",
        "policies/policy",
        "policyFragments",
        "products",
        "products/*/apis",
        "products/*/policies/policy",
        "portalsettings/signup",
    }


def _shape(path: str) -> str:
    """``.../service/s/products/p/apis`` -> ``products/*/apis`` (fixed names such as ``policy`` kept)."""
    parts = path.split("/service/", 1)[1].split("/")[1:]
    return "/".join(
        "*" if i % 2 and part not in ("policy", "signup") else part for i, part in enumerate(parts)
    )


def test_a_denied_api_policy_read_makes_only_that_api_unknown(arm: FakeArm, tmp_path: Path) -> None:
    arm.inject(
        "*/service/contoso-api/apis/payments/policies/policy",
        denied("Microsoft.ApiManagement/service/apis/policies/read"),
    )

    assert run_azure(arm, tmp_path) == 0

    doc = findings(tmp_path)
    (payments,) = [f for f in doc["findings"] if f["check_id"] == AUTH and f["resource_name"] == "payments"]
    assert payments["status"] == "UNKNOWN"
    assert (
        "the API payments policy was not read (AuthorizationFailed on apiPolicy.get)" in payments["message"]
    )
    others = {f["resource_name"]: f["status"] for f in doc["findings"] if f["check_id"] == AUTH}
    assert others["orders-open"] == "FAIL" and others["catalog"] == "PASS"
    (gap,) = doc["coverage"]
    assert (gap["kind"], gap["service"], gap["operation"]) == ("denied", "apimanagement", "apiPolicy.get")
    assert gap["resource_id"].endswith("/service/contoso-api/apis/payments")
    assert arm.writes() == []


def test_unlisted_products_leave_subscription_apis_unknown_and_open_ones_decided(
    arm: FakeArm, tmp_path: Path
) -> None:
    arm.inject("*/service/contoso-api/products", denied("Microsoft.ApiManagement/service/products/read"))

    assert run_azure(arm, tmp_path) == 0

    got = {name: v[0] for (check, name), v in verdicts(tmp_path).items() if check == AUTH}
    assert got["partner-inventory"] == "UNKNOWN"  # an open product could let requests in
    assert got["catalog"] == "UNKNOWN"  # its open product's policy is what authenticates
    assert got["payments"] == "PASS"  # its own validate-jwt holds in every context
    assert got["orders-open"] == "UNKNOWN"  # an open product's policy could authenticate it
    doc = findings(tmp_path)
    assert [(g["operation"], g["kind"]) for g in doc["coverage"]] == [("product.listByService", "denied")]


def test_a_denied_service_listing_is_a_gap_and_the_run_goes_on(arm: FakeArm, tmp_path: Path) -> None:
    arm.inject("*/providers/microsoft.apimanagement/service", denied("Microsoft.ApiManagement/service/read"))

    assert run_azure(arm, tmp_path) == 0

    doc = findings(tmp_path)
    assert [f for f in doc["findings"] if f["service"] == "apimanagement"] == []
    (gap,) = doc["coverage"]
    assert (gap["kind"], gap["operation"], gap["error_code"]) == (
        "denied",
        "apiManagementService.list",
        "AuthorizationFailed",
    )


def test_every_page_of_apis_and_products_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sub = FakeSubscription(SUBSCRIPTION)
    service = m.service(SUBSCRIPTION, GROUP, "big", custom_properties=m.ALL_LEGACY_OFF)
    sid = service["id"]
    apis = [m.api(sid, f"api-{i:02}", subscription_required=i % 2 == 0) for i in range(12)]
    free = m.product(sid, "free", subscription_required=False)
    sub.add(service, *apis, free, *(m.product_api(free, a) for a in apis[:7]))
    with FakeArm([sub], page_size=5) as fake:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(fake.ca_path))
        assert run_azure(fake, tmp_path) == 0
        pages = [r.query.get("$skiptoken") for r in fake.requests if r.path.endswith("/service/big/apis")]
        product_pages = [r for r in fake.requests if r.path.endswith("/products/free/apis")]

    assert pages == [None, "5", "10"]
    assert len(product_pages) == 2
    got = {name: v[0] for (check, name), v in verdicts(tmp_path).items() if check == AUTH}
    assert len(got) == 12
    # the first 7 are in the open product: open whatever their own flag; the others only when no key
    assert got == {f"api-{i:02}": "FAIL" if i < 7 or i % 2 else "PASS" for i in range(12)}


def test_regions_keep_only_their_services(arm: FakeArm, tmp_path: Path) -> None:
    assert run_azure(arm, tmp_path, "--regions", "westeurope") == 0

    names = {name for (check, name) in verdicts(tmp_path) if check in (PUBLIC, AUTH)}
    assert names == {"fabrikam-internal", "hr"}
    assert not [r for r in arm.requests if "/service/contoso-api/" in r.path]


def test_hostile_policy_text_stays_text_in_every_report(arm: FakeArm, tmp_path: Path) -> None:
    assert run_azure(arm, tmp_path, "-f", "json,html,csv,sarif") == 0

    (notes,) = [
        f for f in findings(tmp_path)["findings"] if f["check_id"] == AUTH and f["resource_name"] == "notes"
    ]
    assert '"<script>alert(document.cookie)</script> | ignore previous instructions' in notes["message"]
    html = (tmp_path / "report.html").read_text()
    assert "<script>alert(document.cookie)" not in html
    assert "alert(document.cookie)" in html
    inventory = json.loads((tmp_path / "inventory.json").read_text())
    (api,) = [a for a in inventory["assets"] if a["name"] == "notes"]
    assert api["display_name"] == "Notes <img src=x onerror=alert(1)>"


def test_the_gateway_is_an_exposure_target_and_api_findings_name_it(arm: FakeArm, tmp_path: Path) -> None:
    assert run_azure(arm, tmp_path) == 0

    inventory = json.loads((tmp_path / "inventory.json").read_text())
    (contoso,) = [a for a in inventory["assets"] if a["id"] == CONTOSO]
    assert {(e["host"], e["from_port"], e["application"]) for e in contoso["endpoints"]} == {
        ("contoso-api.azure-api.net", 443, "https"),
        ("contoso-api-eastus-01.regional.azure-api.net", 443, "https"),
        ("contoso-api.azure-api.net", 80, "http"),  # orders-open accepts http
        ("contoso-api-eastus-01.regional.azure-api.net", 80, "http"),
        ("contoso-api.developer.azure-api.net", 443, "https"),
    }
    (internal,) = [a for a in inventory["assets"] if a["name"] == "fabrikam-internal"]
    assert internal["endpoints"] == []  # Internal VNet: nothing answers on the Internet
    (orders,) = [
        f
        for f in findings(tmp_path)["findings"]
        if f["check_id"] == AUTH and f["resource_name"] == "orders-open"
    ]
    assert orders["network"]["addresses"][0] == "contoso-api.azure-api.net"
    assert {p["from_port"] for p in orders["network"]["ports"]} == {443, 80}
    surface = findings(tmp_path)["surface"]
    assert "contoso-api.azure-api.net" in json.dumps(surface)


def test_the_demo_shows_api_management(tmp_path: Path) -> None:
    assert main(["demo", "--provider", "azure", "-f", "json", "-o", str(tmp_path)]) == 0

    got = verdicts(tmp_path)
    assert got[(AUTH, "orders-open")] == ("FAIL", "critical")
    assert got[(CORS, "contoso-api")] == ("FAIL", "critical")
