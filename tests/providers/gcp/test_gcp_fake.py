"""The fake of the Google JSON APIs, read by the official clients (conftest sets the GCE metadata guards)."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from google.api_core import exceptions as core_exceptions
from google.api_core import retry as core_retry
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import compute_v1, storage
from googleapiclient import discovery
from googleapiclient.errors import HttpError

from cloudaudit_gcp.fake import FakeFolder, FakeGoogleApis, FakeProject, Fault, sample_project
from cloudaudit_gcp.fake.server import ROUTES
from cloudaudit_gcp.fake.state import (
    Api,
    ApiConfig,
    Bucket,
    Firewall,
    ForwardingRule,
    Gateway,
    Instance,
    SqlInstance,
)

PROJECT = "demo-project"


ORG, FOLDER = "organizations/100000000001", "folders/200000000002"


@pytest.fixture
def fake() -> Iterator[FakeGoogleApis]:
    project = sample_project(PROJECT)
    project.parent = FOLDER
    with FakeGoogleApis([project], [FakeFolder(FOLDER.split("/")[1], ORG, "prod")]) as served:
        yield served


def many(project: FakeProject, n: int = 7) -> FakeProject:
    """Add n of every listed kind, so that a page size of 3 gives 3 pages."""
    project.buckets += [Bucket(f"bulk-{i}") for i in range(n)]
    project.firewalls += [Firewall(f"bulk-{i}") for i in range(n)]
    project.instances += [Instance(f"bulk-{i}", "us-central1-a") for i in range(n)]
    project.sql_instances += [SqlInstance(f"bulk-{i}") for i in range(n)]
    project.apis += [Api(f"bulk-{i}", [ApiConfig("c1")]) for i in range(n)]
    project.gateways += [Gateway(f"bulk-{i}", "us-central1", "bulk-0", "c1") for i in range(n)]
    return project


@pytest.fixture
def big() -> Iterator[FakeGoogleApis]:
    with FakeGoogleApis([many(FakeProject(PROJECT))]) as served:
        yield served


def gcs(fake: FakeGoogleApis) -> storage.Client:
    return storage.Client(
        project=PROJECT, credentials=AnonymousCredentials(), client_options={"api_endpoint": fake.url}
    )


def compute(fake: FakeGoogleApis, client: type[Any]) -> Any:
    return client(
        credentials=AnonymousCredentials(),
        transport="rest",
        client_options=ClientOptions(api_endpoint=fake.url),
    )


def api(fake: FakeGoogleApis, name: str) -> Any:
    return discovery.build(
        name,
        "v1",
        credentials=AnonymousCredentials(),
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": fake.url + "/"},
    )


# ---------------------------------------------------------------- every kind, listed and read


def test_storage_buckets_iam_acls_and_settings(fake: FakeGoogleApis) -> None:
    client = gcs(fake)
    assert [b.name for b in client.list_buckets()] == ["legacy-uploads", "private-logs", "public-assets"]

    public = client.get_bucket("public-assets")
    assert public.iam_configuration.uniform_bucket_level_access_enabled is True
    assert public.iam_configuration.public_access_prevention == "inherited"
    assert public.cors[0]["origin"] == ["*"]
    assert public._properties["website"] == {"mainPageSuffix": "index.html", "notFoundPage": "404.html"}
    policy = public.get_iam_policy()
    assert policy["roles/storage.objectViewer"] == {"allUsers"}

    private = client.get_bucket("private-logs")
    assert private.iam_configuration.public_access_prevention == "enforced"
    assert (private.retention_period, private.versioning_enabled) == (86_400, True)
    assert private.get_logging() == {"logBucket": "audit-sink", "logObjectPrefix": "private-logs"}
    assert private.labels == {"env": "prod"}

    legacy = client.get_bucket("legacy-uploads")
    assert legacy.iam_configuration.uniform_bucket_level_access_enabled is False
    legacy.acl.reload()
    legacy.default_object_acl.reload()
    assert "WRITER" in legacy.acl.all().get_roles()
    assert "READER" in legacy.default_object_acl.all_authenticated().get_roles()
    assert fake.count("storage.buckets.getIamPolicy") == 1


def test_storage_acl_on_uniform_access_bucket_answers_400_as_gcs(fake: FakeGoogleApis) -> None:
    bucket = gcs(fake).bucket("public-assets")
    with pytest.raises(core_exceptions.BadRequest, match="uniform bucket-level access"):
        bucket.acl.reload()
    with pytest.raises(core_exceptions.BadRequest, match="uniform bucket-level access"):
        bucket.default_object_acl.reload()


def test_storage_projection_full_carries_acls_only_without_uniform_access(fake: FakeGoogleApis) -> None:
    by_name = {b.name: b for b in gcs(fake).list_buckets(projection="full")}
    assert {e["entity"] for e in by_name["legacy-uploads"]._properties["acl"]} >= {"allUsers"}
    assert "acl" not in by_name["public-assets"]._properties


def test_compute_firewalls_networks_regions(fake: FakeGoogleApis) -> None:
    firewalls = {f.name: f for f in compute(fake, compute_v1.FirewallsClient).list(project=PROJECT)}
    world_db = firewalls["db-open-to-world"]
    assert (world_db.direction, world_db.priority, list(world_db.source_ranges)) == (
        "INGRESS",
        1000,
        ["0.0.0.0/0", "::/0"],
    )
    assert [(a.I_p_protocol, list(a.ports)) for a in world_db.allowed] == [("tcp", ["5432", "6379"])]
    assert list(world_db.target_tags) == ["db"] and world_db.log_config.enable is True
    assert world_db.network.endswith("/global/networks/prod-vpc")
    assert firewalls["deny-rdp"].denied[0].ports == ["3389"]
    assert firewalls["all-ports-sa"].disabled is True
    assert list(firewalls["all-ports-sa"].target_service_accounts) == [
        f"worker@{PROJECT}.iam.gserviceaccount.com"
    ]
    assert firewalls["internal"].description == "<b>internal</b>"
    got = compute(fake, compute_v1.FirewallsClient).get(project=PROJECT, firewall="deny-rdp")
    assert got.priority == 100

    networks = compute(fake, compute_v1.NetworksClient)
    assert [n.name for n in networks.list(project=PROJECT)] == ["default", "prod-vpc"]
    assert networks.get(project=PROJECT, network="default").auto_create_subnetworks is True
    regions = compute(fake, compute_v1.RegionsClient).list(project=PROJECT)
    assert {r.name: len(r.zones) for r in regions} == {"us-central1": 3, "europe-west1": 3}


def test_compute_instances_aggregated_zonal_and_get(fake: FakeGoogleApis) -> None:
    client = compute(fake, compute_v1.InstancesClient)
    scopes = dict(client.aggregated_list(project=PROJECT))
    assert [i.name for i in scopes["zones/us-central1-b"].instances] == ["db-1"]
    empty = scopes["zones/us-central1-c"]
    assert not empty.instances and empty.warning.code == "NO_RESULTS_ON_PAGE"
    assert empty.warning.data[0].value == "zones/us-central1-c"

    nic = client.get(project=PROJECT, zone="us-central1-b", instance="db-1").network_interfaces[0]
    assert nic.access_configs[0].nat_i_p == "192.0.2.11"
    assert nic.access_configs[0].type_ == "ONE_TO_ONE_NAT"
    assert nic.ipv6_access_configs[0].external_ipv6 == "2001:db8:4000::1"
    db = client.get(project=PROJECT, zone="us-central1-b", instance="db-1")
    assert list(db.tags.items) == ["db"]
    assert db.service_accounts[0].email == f"worker@{PROJECT}.iam.gserviceaccount.com"
    assert [i.name for i in client.list(project=PROJECT, zone="europe-west1-b")] == ["batch-1"]
    with pytest.raises(core_exceptions.NotFound):
        client.get(project=PROJECT, zone="us-central1-a", instance="nope")


def test_compute_forwarding_rules_and_addresses(fake: FakeGoogleApis) -> None:
    rules = compute(fake, compute_v1.ForwardingRulesClient)
    scopes = dict(rules.aggregated_list(project=PROJECT))
    assert scopes["regions/us-central1"].forwarding_rules[0].I_p_address == "192.0.2.20"
    assert scopes["regions/europe-west1"].warning.code == "NO_RESULTS_ON_PAGE"
    rule = rules.get(project=PROJECT, region="us-central1", forwarding_rule="web-lb")
    assert (rule.load_balancing_scheme, rule.port_range) == ("EXTERNAL", "80-80")
    assert [r.name for r in rules.list(project=PROJECT, region="us-central1")] == ["web-lb"]

    addresses = compute(fake, compute_v1.AddressesClient)
    by_region = {s: [a.address for a in v.addresses] for s, v in addresses.aggregated_list(project=PROJECT)}
    assert by_region == {"regions/us-central1": ["192.0.2.20"], "regions/europe-west1": ["192.0.2.21"]}
    used = addresses.get(project=PROJECT, region="us-central1", address="web-lb-ip")
    assert used.status == "IN_USE" and used.users[0].endswith("/forwardingRules/web-lb")
    assert [a.status for a in addresses.list(project=PROJECT, region="europe-west1")] == ["RESERVED"]


def test_compute_global_forwarding_rules_and_addresses(fake: FakeGoogleApis) -> None:
    rules = compute(fake, compute_v1.GlobalForwardingRulesClient)
    (https,) = rules.list(project=PROJECT)
    assert (https.name, https.I_p_address, https.port_range) == ("web-https", "192.0.2.40", "443-443")
    assert https.load_balancing_scheme == "EXTERNAL_MANAGED" and not https.region
    assert https.target.endswith("/global/targetHttpsProxies/web-https-proxy")
    assert rules.get(project=PROJECT, forwarding_rule="web-https").self_link.endswith(
        f"/projects/{PROJECT}/global/forwardingRules/web-https"
    )
    addresses = compute(fake, compute_v1.GlobalAddressesClient)
    (address,) = addresses.list(project=PROJECT)
    assert (address.name, address.address, address.status) == ("web-global-ip", "192.0.2.40", "IN_USE")
    assert address.users == [https.self_link]
    assert addresses.get(project=PROJECT, address="web-global-ip").ip_version == "IPV4"
    regional = dict(compute(fake, compute_v1.AddressesClient).aggregated_list(project=PROJECT))
    assert "global" not in regional  # the global ones are listed by their own method


def test_compute_forwarding_rule_ports_all_ports_and_labels() -> None:
    project = FakeProject(PROJECT)
    project.forwarding_rules += [
        ForwardingRule("two-ports", "us-central1", "192.0.2.50", port_range=None, ports=["22", "443"]),
        ForwardingRule(
            "l3", "europe-west1", "192.0.2.51", protocol="L3_DEFAULT", port_range=None, all_ports=True
        ),
        ForwardingRule(
            "labelled", "global", "192.0.2.52", labels={"team": "web"}, target="targetHttpProxies/p"
        ),
    ]
    with FakeGoogleApis([project]) as served:
        scopes = dict(compute(served, compute_v1.ForwardingRulesClient).aggregated_list(project=PROJECT))
        two_ports = scopes["regions/us-central1"].forwarding_rules[0]
        assert (list(two_ports.ports), two_ports.port_range, two_ports.all_ports) == (
            ["22", "443"],
            "",
            False,
        )
        l3 = scopes["regions/europe-west1"].forwarding_rules[0]
        assert (l3.I_p_protocol, l3.all_ports) == ("L3_DEFAULT", True)
        (labelled,) = compute(served, compute_v1.GlobalForwardingRulesClient).list(project=PROJECT)
        assert dict(labelled.labels) == {"team": "web"}


def test_an_unreachable_zone_fails_the_listing_unless_partial_success_is_asked() -> None:
    project = many(FakeProject(PROJECT), n=2)
    project.instances.append(Instance("eu-vm", "europe-west1-c"))
    project.unreachable.append("zones/us-central1-a")
    with FakeGoogleApis([project]) as served:
        url = f"{served.url}/compute/v1/projects/{PROJECT}/aggregated/instances"
        whole = requests.get(url)
        assert whole.status_code == 503 and whole.json()["error"]["errors"][0]["reason"] == "backendError"

        partial = requests.get(url, params={"returnPartialSuccess": "true"}).json()
        assert partial["unreachables"] == ["zones/us-central1-a"]
        down = partial["items"]["zones/us-central1-a"]
        assert "instances" not in down and down["warning"]["code"] == "UNREACHABLE"
        assert down["warning"]["data"] == [{"key": "scope", "value": "zones/us-central1-a"}]
        assert [i["name"] for i in partial["items"]["zones/europe-west1-c"]["instances"]] == ["eu-vm"]
        rules = requests.get(
            f"{served.url}/compute/v1/projects/{PROJECT}/aggregated/forwardingRules",
            params={"returnPartialSuccess": "true"},
        ).json()
        assert "unreachables" not in rules  # a zone being down does not touch regional listings
        document, ref = _response_schema("compute.instances.aggregatedList")
        assert _conform(document, {"$ref": ref}, partial, ref) == []


def test_cloud_sql_instances_and_users(fake: FakeGoogleApis) -> None:
    sql = api(fake, "sqladmin")
    items = {i["name"]: i for i in sql.instances().list(project=PROJECT).execute()["items"]}
    public = items["pg-public"]
    assert public["ipAddresses"] == [{"type": "PRIMARY", "ipAddress": "192.0.2.30"}]
    ip_config = public["settings"]["ipConfiguration"]
    assert ip_config["authorizedNetworks"][0]["value"] == "0.0.0.0/0"
    assert (ip_config["sslMode"], ip_config["requireSsl"]) == ("ALLOW_UNENCRYPTED_AND_ENCRYPTED", False)
    assert public["settings"]["backupConfiguration"]["enabled"] is False
    mysql = sql.instances().get(project=PROJECT, instance="mysql-legacy").execute()
    assert mysql["databaseVersion"] == "MYSQL_8_0"
    assert mysql["settings"]["databaseFlags"] == [{"name": "local_infile", "value": "on"}]
    users = sql.users().list(project=PROJECT, instance="mysql-legacy").execute()["items"]
    assert [(u["name"], u.get("host")) for u in users] == [("root", "%"), ("app", "10.0.0.%")]


def test_api_gateway_gateways_apis_and_full_config(fake: FakeGoogleApis) -> None:
    locations = api(fake, "apigateway").projects().locations()
    gateways = locations.gateways().list(parent=f"projects/{PROJECT}/locations/-").execute()["gateways"]
    assert [g["defaultHostname"].split("-")[0] for g in gateways] == ["orders", "billing"]
    served = gateways[0]["apiConfig"]
    assert served == f"projects/{PROJECT}/locations/global/apis/orders/configs/orders-v1"
    only_eu = locations.gateways().list(parent=f"projects/{PROJECT}/locations/europe-west1").execute()
    assert [g["displayName"] for g in only_eu["gateways"]] == ["billing-gw"]
    gateway = locations.gateways().get(name=gateways[1]["name"]).execute()
    assert gateway["apiConfig"].endswith("/apis/billing/configs/billing-v1")

    apis = locations.apis().list(parent=f"projects/{PROJECT}/locations/global").execute()["apis"]
    assert [a["displayName"] for a in apis] == ["orders", "billing"]
    assert locations.apis().get(name=apis[0]["name"]).execute()["labels"] == {"env": "prod"}
    basic = locations.apis().configs().get(name=served).execute()
    assert "openapiDocuments" not in basic
    listed = locations.apis().configs().list(parent=apis[1]["name"]).execute()["apiConfigs"]
    assert [c["displayName"] for c in listed] == ["billing-v1"]

    full = locations.apis().configs().get(name=served, view="FULL").execute()
    document = full["openapiDocuments"][0]["document"]
    assert document["path"] == "openapi.json"
    spec = json.loads(base64.b64decode(document["contents"]))
    assert spec["x-google-backend"]["address"].startswith("http://")
    assert "security" not in spec["paths"]["/orders"]["post"]


# ---------------------------------------------------------------- paging


def test_paging_across_three_pages_with_every_client(big: FakeGoogleApis) -> None:
    names = [b.name for b in gcs(big).list_buckets(page_size=3)]
    assert len(names) == 7 and big.count("storage.buckets.list") == 3

    request = compute_v1.ListFirewallsRequest(project=PROJECT, max_results=3)
    assert len(list(compute(big, compute_v1.FirewallsClient).list(request=request))) == 7
    assert big.count("compute.firewalls.list") == 3

    sql = api(big, "sqladmin").instances()
    page: dict[str, Any] | None = sql.list(project=PROJECT, maxResults=3).execute()
    pages = []
    while page is not None:
        pages.append([i["name"] for i in page["items"]])
        following = sql.list_next(sql.list(project=PROJECT, maxResults=3), page)
        page = following.execute() if following is not None else None
    assert [len(p) for p in pages] == [3, 3, 1]

    gateways = api(big, "apigateway").projects().locations().gateways()
    first = gateways.list(parent=f"projects/{PROJECT}/locations/-", pageSize=3)
    page, seen = first.execute(), 0
    while page is not None:
        seen += len(page["gateways"])
        following = gateways.list_next(first, page)
        first, page = following, (following.execute() if following is not None else None)
    assert seen == 7 and big.count("apigateway.projects.locations.gateways.list") == 3


def test_aggregated_list_pages_keep_every_zone_with_warnings_for_empty_ones(big: FakeGoogleApis) -> None:
    request = compute_v1.AggregatedListInstancesRequest(project=PROJECT, max_results=3)
    client = compute(big, compute_v1.InstancesClient)
    pager = client.aggregated_list(request=request)
    found = [i.name for _, scoped in pager for i in scoped.instances]
    assert len(found) == 7 and big.count("compute.instances.aggregatedList") == 3
    raw = requests.get(f"{big.url}/compute/v1/projects/{PROJECT}/aggregated/instances?maxResults=3").json()
    assert set(raw["items"]) == {f"zones/{z}" for z in FakeProject(PROJECT).zones()}
    assert raw["items"]["zones/europe-west1-b"]["warning"]["code"] == "NO_RESULTS_ON_PAGE"
    assert "nextPageToken" in raw


def test_a_forged_page_token_is_400(fake: FakeGoogleApis) -> None:
    answer = requests.get(f"{fake.url}/compute/v1/projects/{PROJECT}/global/firewalls?pageToken=bogus")
    assert answer.status_code == 400 and answer.json()["error"]["errors"][0]["reason"] == "invalid"


# ---------------------------------------------------------------- faults


def test_service_disabled_reaches_every_client_as_403_with_its_reason(fake: FakeGoogleApis) -> None:
    fake.inject("compute.*", Fault.service_disabled("compute.googleapis.com"))
    fake.inject("storage.*", Fault.service_disabled("storage.googleapis.com"))
    fake.inject("sql.*", Fault.service_disabled("sqladmin.googleapis.com"))

    with pytest.raises(core_exceptions.Forbidden) as compute_error:
        list(compute(fake, compute_v1.FirewallsClient).list(project=PROJECT))
    assert compute_error.value.reason == "SERVICE_DISABLED"
    assert compute_error.value.errors[0]["reason"] == "accessNotConfigured"
    assert "compute.googleapis.com API has not been used" in compute_error.value.message

    with pytest.raises(core_exceptions.Forbidden) as storage_error:
        list(gcs(fake).list_buckets())
    assert storage_error.value.reason == "SERVICE_DISABLED"

    with pytest.raises(HttpError) as sql_error:
        api(fake, "sqladmin").instances().list(project=PROJECT).execute(num_retries=2)
    assert sql_error.value.status_code == 403
    assert sql_error.value.error_details[0]["reason"] == "SERVICE_DISABLED"
    assert sql_error.value.error_details[0]["metadata"]["service"] == "sqladmin.googleapis.com"
    assert fake.count("sql.instances.list") == 1  # a disabled API is not retried


def test_permission_denied_is_a_403_naming_the_permission(fake: FakeGoogleApis) -> None:
    fake.inject(
        "storage.buckets.getIamPolicy", Fault.permission_denied("storage.buckets.getIamPolicy", "b/x")
    )
    bucket = gcs(fake).get_bucket("public-assets")
    with pytest.raises(core_exceptions.Forbidden) as error:
        bucket.get_iam_policy()
    assert error.value.reason == "IAM_PERMISSION_DENIED"
    assert "storage.buckets.getIamPolicy" in error.value.message


@pytest.mark.parametrize("fault", [Fault.too_many_requests(times=1), Fault.server_error(503, times=1)])
def test_storage_retries_429_and_503_by_default(fake: FakeGoogleApis, fault: Fault) -> None:
    fake.inject("storage.buckets.list", fault)
    assert len(list(gcs(fake).list_buckets())) == 3
    assert [r.status for r in fake.requests] == [fault.status, 200]


def test_compute_retries_503_by_default_but_429_only_with_an_explicit_retry(fake: FakeGoogleApis) -> None:
    firewalls = compute(fake, compute_v1.FirewallsClient)
    fake.inject("compute.firewalls.list", Fault.server_error(503, times=1))
    assert len(list(firewalls.list(project=PROJECT))) == 6

    fake.inject("compute.firewalls.list", Fault.too_many_requests(times=2))
    with pytest.raises(core_exceptions.TooManyRequests):
        list(firewalls.list(project=PROJECT))
    retry = core_retry.Retry(
        predicate=core_retry.if_exception_type(core_exceptions.TooManyRequests), initial=0.01, timeout=30
    )
    assert len(list(firewalls.list(project=PROJECT, retry=retry))) == 6
    assert [r.status for r in fake.requests] == [503, 200, 429, 429, 200]


@pytest.mark.parametrize("fault", [Fault.too_many_requests(times=1), Fault.server_error(503, times=1)])
def test_discovery_clients_retry_only_with_num_retries(fake: FakeGoogleApis, fault: Fault) -> None:
    gateways = api(fake, "apigateway").projects().locations().gateways()
    fake.inject("apigateway.*", fault)
    with pytest.raises(HttpError) as error:
        gateways.list(parent=f"projects/{PROJECT}/locations/-").execute()
    assert error.value.status_code == fault.status

    fake.inject("apigateway.*", Fault(fault.status, fault.body, fault.headers, times=1))
    answer = gateways.list(parent=f"projects/{PROJECT}/locations/-").execute(num_retries=2)
    assert len(answer["gateways"]) == 2
    assert [r.status for r in fake.requests] == [fault.status, fault.status, 200]


def test_429_carries_retry_after(fake: FakeGoogleApis) -> None:
    fake.inject("sql.*", Fault.too_many_requests(times=1, retry_after=7))
    answer = requests.get(f"{fake.url}/v1/projects/{PROJECT}/instances")
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "7"
    assert answer.json()["error"]["status"] == "RESOURCE_EXHAUSTED"


# ---------------------------------------------------------------- read-only, log, isolation


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_writes_are_refused_with_405_and_logged(fake: FakeGoogleApis, method: str) -> None:
    answer = requests.request(method, f"{fake.url}/storage/v1/b/public-assets/iam", json={"bindings": []})
    assert answer.status_code == 405
    logged = fake.requests[-1]
    assert (logged.method, logged.status, logged.route) == (method, 405, "storage.buckets.getIamPolicy")
    assert gcs(fake).get_bucket("public-assets").get_iam_policy()["roles/storage.objectViewer"] == {
        "allUsers"
    }


def test_request_log_records_method_path_and_query(fake: FakeGoogleApis) -> None:
    list(gcs(fake).list_buckets(max_results=2))
    logged = fake.requests[0]
    assert (logged.method, logged.path, logged.route) == ("GET", "/storage/v1/b", "storage.buckets.list")
    assert logged.query["project"] == PROJECT and logged.query["maxResults"] == "2"


def test_serves_on_loopback_only_and_stops() -> None:
    with FakeGoogleApis([sample_project()]) as served:
        url = served.url
        assert url.startswith("http://127.0.0.1:")
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/storage/v1/b?project=demo-project", timeout=2)


def test_importing_the_fake_imports_no_google_library() -> None:
    code = (
        "import sys, cloudaudit_gcp.fake\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('google', 'googleapiclient')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------- schema conformance


def _discovery(api_name: str, version: str = "v1") -> dict[str, Any]:
    root = Path(discovery.__file__).parent / "discovery_cache" / "documents"
    return dict(json.loads((root / f"{api_name}.{version}.json").read_text()))


DOCUMENTS = {
    prefix: _discovery(name, version)
    for prefix, name, version in [
        ("storage", "storage", "v1"),
        ("compute", "compute", "v1"),
        ("sql", "sqladmin", "v1"),
        ("apigateway", "apigateway", "v1"),
        ("cloudresourcemanager", "cloudresourcemanager", "v3"),
    ]
}


def _methods(resources: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for resource in resources.values():
        yield from resource.get("methods", {}).values()
        yield from _methods(resource.get("resources", {}))


def _response_schema(method_id: str) -> tuple[dict[str, Any], str]:
    document = DOCUMENTS[method_id.split(".")[0]]
    method = next(m for m in _methods(document["resources"]) if m["id"] == method_id)
    return document, method["response"]["$ref"]


JSON_TYPES = {
    "string": str,
    "boolean": bool,
    "integer": int,
    "number": (int, float),
    "array": list,
    "object": dict,
}


def _conform(document: dict[str, Any], schema: dict[str, Any], value: Any, where: str) -> list[str]:
    """Every field of ``value`` is declared by ``schema`` with the declared JSON type."""
    if "$ref" in schema:
        schema = document["schemas"][schema["$ref"]]
    expected = JSON_TYPES[schema.get("type", "object")]
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        return [f"{where}: {type(value).__name__} where the schema says {schema.get('type')}"]
    if isinstance(value, list):
        return [
            e
            for i, item in enumerate(value)
            for e in _conform(document, schema["items"], item, f"{where}[{i}]")
        ]
    if not isinstance(value, dict):
        return []
    problems = []
    for key, item in value.items():
        if key in schema.get("properties", {}):
            problems += _conform(document, schema["properties"][key], item, f"{where}.{key}")
        elif "additionalProperties" in schema:
            problems += _conform(document, schema["additionalProperties"], item, f"{where}[{key}]")
        else:
            problems.append(f"{where}.{key}: not in the discovery schema")
    return problems


P, G = f"/compute/v1/projects/{PROJECT}", f"/v1/projects/{PROJECT}/locations"
SAMPLE_URLS = {
    "storage.buckets.list": f"/storage/v1/b?project={PROJECT}&projection=full",
    "storage.buckets.get": "/storage/v1/b/public-assets",
    "storage.buckets.getIamPolicy": "/storage/v1/b/public-assets/iam",
    "storage.bucketAccessControls.list": "/storage/v1/b/legacy-uploads/acl",
    "storage.defaultObjectAccessControls.list": "/storage/v1/b/legacy-uploads/defaultObjectAcl",
    "compute.firewalls.list": f"{P}/global/firewalls?maxResults=2",
    "compute.firewalls.get": f"{P}/global/firewalls/db-open-to-world",
    "compute.networks.list": f"{P}/global/networks",
    "compute.networks.get": f"{P}/global/networks/default",
    "compute.regions.list": f"{P}/regions",
    "compute.instances.aggregatedList": f"{P}/aggregated/instances?maxResults=2",
    "compute.instances.list": f"{P}/zones/us-central1-b/instances",
    "compute.instances.get": f"{P}/zones/us-central1-b/instances/db-1",
    "compute.forwardingRules.aggregatedList": f"{P}/aggregated/forwardingRules",
    "compute.forwardingRules.list": f"{P}/regions/us-central1/forwardingRules",
    "compute.forwardingRules.get": f"{P}/regions/us-central1/forwardingRules/web-lb",
    "compute.addresses.aggregatedList": f"{P}/aggregated/addresses",
    "compute.addresses.list": f"{P}/regions/us-central1/addresses",
    "compute.addresses.get": f"{P}/regions/us-central1/addresses/web-lb-ip",
    "compute.globalForwardingRules.list": f"{P}/global/forwardingRules?maxResults=500",
    "compute.globalForwardingRules.get": f"{P}/global/forwardingRules/web-https",
    "compute.globalAddresses.list": f"{P}/global/addresses",
    "compute.globalAddresses.get": f"{P}/global/addresses/web-global-ip",
    "sql.instances.list": f"/v1/projects/{PROJECT}/instances?maxResults=2",
    "sql.instances.get": f"/v1/projects/{PROJECT}/instances/pg-private",
    "sql.users.list": f"/v1/projects/{PROJECT}/instances/mysql-legacy/users",
    "apigateway.projects.locations.apis.list": f"{G}/global/apis?pageSize=1",
    "apigateway.projects.locations.apis.get": f"{G}/global/apis/orders",
    "apigateway.projects.locations.apis.configs.list": f"{G}/global/apis/orders/configs?view=FULL",
    "apigateway.projects.locations.apis.configs.get": f"{G}/global/apis/orders/configs/orders-v1?view=FULL",
    "apigateway.projects.locations.gateways.list": f"{G}/-/gateways",
    "apigateway.projects.locations.gateways.get": f"{G}/us-central1/gateways/orders-gw",
    "cloudresourcemanager.projects.list": f"/v3/projects?parent={FOLDER}",
    "cloudresourcemanager.folders.list": f"/v3/folders?parent={ORG}&pageSize=10",
}


def test_every_route_is_a_discovery_method_with_a_sample_url() -> None:
    assert {route.id for route in ROUTES} == set(SAMPLE_URLS)
    for method_id in SAMPLE_URLS:
        _response_schema(method_id)  # raises StopIteration if the id is not a real method


@pytest.mark.parametrize("method_id", sorted(SAMPLE_URLS))
def test_every_emitted_field_exists_in_the_discovery_schema(fake: FakeGoogleApis, method_id: str) -> None:
    answer = requests.get(fake.url + SAMPLE_URLS[method_id])
    assert answer.status_code == 200, answer.text
    assert fake.requests[-1].route == method_id
    document, ref = _response_schema(method_id)
    assert _conform(document, {"$ref": ref}, answer.json(), ref) == []


def test_the_conformance_check_catches_a_drifted_field() -> None:
    document, ref = _response_schema("compute.firewalls.get")
    drifted = {"name": "x", "sourceRange": ["0.0.0.0/0"], "priority": "1000"}
    assert _conform(document, {"$ref": ref}, drifted, ref) == [
        "Firewall.sourceRange: not in the discovery schema",
        "Firewall.priority: str where the schema says integer",
    ]


def test_a_fault_can_target_one_project_of_several() -> None:
    other = FakeProject("other-project", number="222222222222", buckets=[Bucket("other-bucket")])
    other.firewalls.append(Firewall("other-rule"))
    with FakeGoogleApis([sample_project(PROJECT), other]) as served:
        served.inject("compute.*", Fault.service_disabled("compute.googleapis.com"), project="other-project")
        served.inject("storage.*", Fault.permission_denied("storage.buckets.get"), project="222222222222")
        firewalls = compute(served, compute_v1.FirewallsClient)
        assert len(list(firewalls.list(project=PROJECT))) == 6
        with pytest.raises(core_exceptions.Forbidden):
            list(firewalls.list(project="other-project"))
        client = gcs(served)
        assert client.get_bucket("public-assets").name == "public-assets"
        with pytest.raises(core_exceptions.Forbidden):
            client.get_bucket("other-bucket")
        with pytest.raises(core_exceptions.Forbidden):
            list(client.list_buckets(project="other-project"))


# ---------------------------------------------------------------- Resource Manager v3


def resource_manager(fake: FakeGoogleApis) -> Any:
    return discovery.build(
        "cloudresourcemanager",
        "v3",
        credentials=AnonymousCredentials(),
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": fake.url + "/"},
    )


def _all(resource: Any, kind: str, **query: Any) -> list[dict[str, Any]]:
    """Every page of a v3 listing, followed with the client's own ``list_next``."""
    items: list[dict[str, Any]] = []
    request = resource.list(**query)
    while request is not None:
        response = request.execute()
        items += response.get(kind, [])
        request = resource.list_next(request, response)
    return items


def test_resource_manager_lists_children_by_parent_paged_without_deleted_ones() -> None:
    org = "organizations/1"
    projects = [FakeProject(f"p-{i}", number=str(1000 + i), parent=org) for i in range(5)]
    projects.append(FakeProject("gone", number="1999", parent=org, state="DELETE_REQUESTED"))
    folders = [
        FakeFolder("7", org),
        FakeFolder("8", org, state="DELETE_REQUESTED"),
        FakeFolder("9", "folders/7"),
    ]
    with FakeGoogleApis(projects, folders, listing_page=2) as served:
        client = resource_manager(served)
        listed = _all(client.projects(), "projects", parent=org)
        assert [(p["projectId"], p["name"], p["state"]) for p in listed] == [
            (f"p-{i}", f"projects/{1000 + i}", "ACTIVE") for i in range(5)
        ]
        assert served.count("cloudresourcemanager.projects.list") == 3  # 2 + 2 + 1
        with_deleted = _all(client.projects(), "projects", parent=org, showDeleted=True)
        assert [p["projectId"] for p in with_deleted][-1] == "gone"
        assert [f["name"] for f in _all(client.folders(), "folders", parent=org)] == ["folders/7"]
        assert [f["parent"] for f in _all(client.folders(), "folders", parent="folders/7")] == ["folders/7"]


def test_resource_manager_denies_an_unknown_parent_and_requires_one(fake: FakeGoogleApis) -> None:
    client = resource_manager(fake)
    with pytest.raises(HttpError) as denied:
        client.projects().list(parent="organizations/42").execute()
    assert denied.value.status_code == 403
    assert json.loads(denied.value.content)["error"]["status"] == "PERMISSION_DENIED"
    for query in ("", "?parent=projects/1"):
        assert requests.get(f"{fake.url}/v3/projects{query}").status_code == 400


def test_a_fault_can_target_one_listing_parent(fake: FakeGoogleApis) -> None:
    fake.inject("cloudresourcemanager.*", Fault.server_error(503), project=FOLDER)
    client = resource_manager(fake)
    assert [f["name"] for f in client.folders().list(parent=ORG).execute()["folders"]] == [FOLDER]
    with pytest.raises(HttpError):
        client.projects().list(parent=FOLDER).execute()
