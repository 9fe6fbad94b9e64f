"""The GCP benchmark on a small project: its seeding, its floor, the audit's requests beside the floor's."""

from __future__ import annotations

import importlib.util
import sys
import time
from collections import Counter
from pathlib import Path
from types import ModuleType

from cloudaudit.errors import ExitCode
from cloudaudit.plugins import CollectOptions, Target, load_plugin
from cloudaudit.progress import PlainProgress
from cloudaudit_gcp.fake import FakeGoogleApis
from gcp_run import findings, run_gcp

BENCH = Path(__file__).resolve().parents[3] / "bench"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses resolve their annotations through sys.modules
    spec.loader.exec_module(module)
    return module


bench = _load("bench_gcp")
bare = _load("bare_google_gcp")


def _storage_routes(fake: FakeGoogleApis, since: int = 0) -> Counter[str]:
    return Counter(str(r.route) for r in fake.requests[since:] if str(r.route).startswith("storage."))


def test_the_floor_reads_every_service_of_the_bench_project_once() -> None:
    project = bench.build_project(buckets=12, firewalls=16, instances=12, databases=6, few=3)
    with FakeGoogleApis([project]) as fake:
        read = bare.read(bare.Floor(bench.PROJECT, fake.url, "t"), bare.SERVICES)
        routes = Counter(r.route for r in fake.requests)
    assert {name: len(items) for name, items in read.items()} == {
        "buckets": 12,
        "bucket IAM policies": 12,
        "firewalls": 16,
        "networks": 2,
        "instances": 12,
        "forwarding rules": 3,
        "global forwarding rules": 0,
        "addresses": 3,
        "global addresses": 0,
        "sql instances": 6,
        "sql users": 2,  # the running MySQL instances: only their users carry a host
        "gateways": 3,
        "api configs": 2,  # three gateways, two of them serving the same config
    }
    assert routes == {
        "storage.buckets.list": 1,
        "storage.buckets.getIamPolicy": 12,  # and no background buckets.get
        "compute.firewalls.list": 1,
        "compute.networks.list": 1,
        "compute.instances.aggregatedList": 1,
        "compute.forwardingRules.aggregatedList": 1,
        "compute.addresses.aggregatedList": 1,
        "compute.globalForwardingRules.list": 1,
        "compute.globalAddresses.list": 1,
        "sql.instances.list": 1,
        "sql.users.list": 2,
        "apigateway.projects.locations.gateways.list": 1,
        "apigateway.projects.locations.apis.configs.get": 2,
    }
    assert {i.zone for i in project.instances} == set(project.zones())
    assert sum(1 for i in project.instances if i.interfaces[0].nat_ip) == 6


def test_the_audit_reads_storage_with_the_requests_of_the_floor_and_no_more(tmp_path: Path) -> None:
    """google-cloud-storage 3.x would add a background buckets.get per bucket: the session turns it off."""
    project = bench.build_project(buckets=9, firewalls=0, instances=0, databases=0, few=0)
    with FakeGoogleApis([project]) as fake:
        bare.read(bare.Floor(bench.PROJECT, fake.url, "t"), ["storage"])
        floor = _storage_routes(fake)
        since = len(fake.requests)
        code = run_gcp(fake, tmp_path, "--checks", "gcp.storage.*", "-f", "json", project=bench.PROJECT)
        time.sleep(0.5)  # the SDK's background reads, if any, land within this
        audit = _storage_routes(fake, since)
    assert code == ExitCode.OK
    assert audit == floor == {"storage.buckets.list": 1, "storage.buckets.getIamPolicy": 9}
    failing = {f["resource_name"] for f in findings(tmp_path)["findings"] if f["status"] == "FAIL"}
    assert {"bench-bucket-00000", "bench-bucket-00001"} <= failing  # public by IAM, public by ACL


def _compute_requests(fake: FakeGoogleApis, since: int = 0) -> Counter[tuple[str, str]]:
    return Counter(
        (str(r.route), "&".join(f"{k}={v}" for k, v in sorted(r.query.items()) if k != "pageToken"))
        for r in fake.requests[since:]
        if str(r.route).startswith("compute.")
    )


def test_the_audit_reads_compute_with_the_requests_of_the_floor() -> None:
    """Same listings, pages, page size and partial success: the floor is the collector's own requests."""
    project = bench.build_project(buckets=0, firewalls=600, instances=510, databases=0, few=3)
    with FakeGoogleApis([project]) as fake:
        bare.read(bare.Floor(bench.PROJECT, fake.url, "t"), ["compute"])
        floor = _compute_requests(fake)
        since = len(fake.requests)
        target = Target("project", bench.PROJECT, (("endpoint_url", fake.url), ("access_token", "t")))
        options = CollectOptions(target=target, services=frozenset({"compute"}))
        inventory = load_plugin("gcp").collect(options, PlainProgress())
        audit = _compute_requests(fake, since)
    assert audit == floor
    assert floor[("compute.firewalls.list", "alt=json&maxResults=500")] == 2
    assert (
        floor[("compute.instances.aggregatedList", "alt=json&maxResults=500&returnPartialSuccess=true")] == 2
    )
    assert inventory.gaps == ()
    assert sum(1 for a in inventory.assets if a.kind == "gcp.compute.instance") == 510


def test_the_audit_reads_cloud_sql_with_the_requests_of_the_floor() -> None:
    """Instances, then the users of the running MySQL ones: the same requests on both sides."""
    project = bench.build_project(buckets=0, firewalls=0, instances=0, databases=12, few=0)
    mysql = [i for i in project.sql_instances if i.database_version.startswith("MYSQL")]
    mysql[0].state = "STOPPED"  # a MySQL instance that cannot answer users.list
    with FakeGoogleApis([project]) as fake:
        bare.read(bare.Floor(bench.PROJECT, fake.url, "t"), ["sql"])
        floor = Counter(str(r.route) for r in fake.requests)
        since = len(fake.requests)
        target = Target("project", bench.PROJECT, (("endpoint_url", fake.url), ("access_token", "t")))
        options = CollectOptions(target=target, services=frozenset({"sql"}))
        load_plugin("gcp").collect(options, PlainProgress())
        audit = Counter(str(r.route) for r in fake.requests[since:])
    assert audit == floor == {"sql.instances.list": 1, "sql.users.list": 3}


def test_a_fake_answering_late_serves_the_same_reads() -> None:
    """``--latency-ms``: every answer waits, nothing else changes."""
    project = bench.build_project(buckets=4, firewalls=4, instances=4, databases=2, few=1)
    with FakeGoogleApis([project], latency=0.005) as late:
        slow = {
            name: len(items)
            for name, items in bare.read(bare.Floor(bench.PROJECT, late.url, "t"), bare.SERVICES).items()
        }
        asked = len(late.requests)
    with FakeGoogleApis([project]) as prompt:
        fast = {
            name: len(items)
            for name, items in bare.read(bare.Floor(bench.PROJECT, prompt.url, "t"), bare.SERVICES).items()
        }
        assert len(prompt.requests) == asked
    assert slow == fast and slow["buckets"] == 4
