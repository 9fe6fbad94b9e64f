"""Benchmark: `cloudaudit run --provider gcp` against the official clients' floor, on the local fake.

    python bench/bench_gcp.py [--buckets N --firewalls N --instances N --databases N] [--repeat 3]
    python bench/bench_gcp.py --services storage --audit-args='--checks gcp.storage.*'
    python bench/bench_gcp.py --latency-ms 30      # each answer 30 ms late, as over a real network

Seeds the fake of the Google APIs (127.0.0.1) with N buckets (a third public through an ``allUsers``
IAM binding, a third with uniform access off and a public ACL entry, a third hardened), N firewall
rules (admin/data ports open to the world by target tag, internal ranges, higher-priority denies,
egress, disabled), N instances over the six zones of two regions (half with an external NAT IP, tags
matching some rules), N Cloud SQL instances (half public with authorized networks; users), and
N/100 forwarding rules, addresses and API gateways. Then times, alternating, each in its own child
process: (a) `cloudaudit run --provider gcp` (all checks unless --audit-args selects some, HTML and
JSON reports written) and (b) bench/bare_google_gcp.py (the same reads, same 16 workers).

Prints per run and as medians: wall times and their ratio, requests (from the fake's log) and their
ratio with the per-route difference, peak RSS (VmHWM) of both, findings, and the fake's CPU share
during the run. Once, the floor's exact requests are replayed by a minimal client (http.client, 16
threads, keep-alive): that time is what the fake itself needs, the floor's lower bound on this machine.
Goals (issue #11): time <= 1.5x the floor, requests <= 1.1x, audit peak RSS <= 250 MB at N=1000 (with
no latency: the fake answers at once, so both sides are bound by their CPU on this machine's cores, the
fake's included; ``--latency-ms`` shows the same runs when the reads wait on the network).
Exits non-zero when either process fails (the audit's exit 3 included): a broken run is not measured.
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import json
import logging
import os
import re
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from benchlib import CLOUDAUDIT, Run, alternate, findings_counts, summary, timed
from cloudaudit_gcp.fake import FakeGoogleApis, FakeProject, LoggedRequest
from cloudaudit_gcp.fake.state import (
    AclEntry,
    Address,
    Api,
    ApiConfig,
    Binding,
    Bucket,
    Firewall,
    ForwardingRule,
    Gateway,
    Instance,
    Interface,
    Network,
    PortRule,
    SqlInstance,
    SqlUser,
)

logging.getLogger("werkzeug").setLevel(logging.ERROR)

HERE = Path(__file__).resolve().parent
PROJECT = "bench-project"
TOKEN = "bench-token"  # the fake accepts any bearer token
WORKERS = 16
SERVICES = ("storage", "compute", "sql", "apigateway")

# ---------------------------------------------------------------- seeding


def _ip(base: str, i: int) -> str:
    return str(ipaddress.IPv4Address(base) + i)


def seed_buckets(project: FakeProject, n: int) -> None:
    """A third public by IAM (some writable), a third public by legacy ACL, a third hardened."""
    owner = Binding("roles/storage.legacyBucketOwner", [f"projectOwner:{project.number}"])
    for i in range(n):
        name, kind = f"bench-bucket-{i:05d}", i % 3
        if kind == 0:
            public = Binding("roles/storage.objectViewer", ["allUsers"])
            if i % 2:
                public = Binding("roles/storage.objectAdmin", ["allAuthenticatedUsers"])
            website = "index.html" if i % 9 == 0 else None
            bucket = Bucket(name, iam=[public, owner], cors_origins=["*"], website_main_page=website)
        elif kind == 1:
            bucket = Bucket(
                name,
                location="EU",
                iam=[owner],
                uniform_access=False,
                acl=[AclEntry(f"project-owners-{project.number}", "OWNER"), AclEntry("allUsers", "READER")],
                default_object_acl=[AclEntry("allAuthenticatedUsers", "READER")],
            )
        else:
            bucket = Bucket(
                name,
                location="us-central1",
                iam=[owner, Binding("roles/storage.admin", ["group:storage-admins@example.com"])],
                public_access_prevention="enforced",
                retention_seconds=86_400,
                versioning=True,
                log_bucket="bench-audit-logs",
                labels={"env": "prod", "team": f"t{i % 7}"},
            )
        project.buckets.append(bucket)


def _firewall(project: FakeProject, i: int) -> Firewall:
    """Rule ``i``: one of eight kinds."""
    name, world = f"bench-fw-{i:05d}", ["0.0.0.0/0"]
    kind = i % 8
    if kind == 0:
        return Firewall(
            name, allowed=[PortRule("tcp", ["22", "3389"])], source_ranges=world, target_tags=["ssh"]
        )
    if kind == 1:
        both = ["0.0.0.0/0", "::/0"]
        return Firewall(
            name, allowed=[PortRule("tcp", ["5432", "6379"])], source_ranges=both, target_tags=["db"]
        )
    if kind == 2:
        ports = [PortRule("tcp", ["27017", "9200-9300"])]
        return Firewall(name, allowed=ports, source_ranges=world, target_tags=[f"unused-{i}"])
    if kind == 3:
        return Firewall(
            name, allowed=[PortRule("all")], source_ranges=["10.128.0.0/9"], description="internal"
        )
    if kind == 4:
        return Firewall(name, denied=[PortRule("tcp", ["22"])], source_ranges=world, target_tags=["locked"])
    if kind == 5:
        worker = f"worker@{project.id}.iam.gserviceaccount.com"
        return Firewall(
            name,
            allowed=[PortRule("all")],
            source_ranges=world,
            target_service_accounts=[worker],
            logging=True,
        )
    if kind == 6:
        return Firewall(
            name, allowed=[PortRule("tcp", ["80", "443"])], source_ranges=world, target_tags=["web"]
        )
    return Firewall(
        name, direction="EGRESS", denied=[PortRule("all")], destination_ranges=world, disabled=i % 16 == 7
    )


def seed_firewalls(project: FakeProject, n: int) -> None:
    """Rules of eight kinds over two networks; the tags ``ssh``, ``db``, ``web``, ``locked`` are on instances.

    Admin and data ports open to the world by tag (targeted or not), internal ranges, denies of port 22
    at priority 100 (above every allow), all ports for a service account, web ports, egress denies.
    """
    project.networks += [Network("default"), Network("prod-vpc", auto_create_subnetworks=False)]
    for i in range(n):
        rule = _firewall(project, i)
        rule.network = ("default", "prod-vpc")[(i // 8) % 2]
        rule.priority = 100 if rule.denied and rule.direction == "INGRESS" else 1000 + i % 50
        project.firewalls.append(rule)


def seed_instances(project: FakeProject, n: int) -> None:
    """Instances over every zone, half with an external NAT IP, tags and service accounts rules target."""
    zones, worker = project.zones(), f"worker@{project.id}.iam.gserviceaccount.com"
    tag_sets: tuple[list[str], ...] = (["ssh"], ["db"], ["web"], ["ssh", "locked"], ["db", "locked"], [])
    for i in range(n):
        nic = Interface(
            network=("default", "prod-vpc")[(i // 2) % 2],
            network_ip=_ip("10.128.0.2", i),
            nat_ip=_ip("34.64.0.1", i) if i % 2 == 0 else None,
        )
        project.instances.append(
            Instance(
                f"bench-vm-{i:05d}",
                zones[i % len(zones)],
                [nic],
                tags=list(tag_sets[(i // 3) % len(tag_sets)]),
                service_accounts=[
                    worker if i % 4 == 0 else f"{project.number}-compute@developer.gserviceaccount.com"
                ],
                labels={"env": "prod" if i % 3 else "dev"},
                status="TERMINATED" if i % 10 == 9 else "RUNNING",
            )
        )


ENGINES = (
    ("POSTGRES_15", {"log_connections": "off", "cloudsql.enable_pgaudit": "on"}, [SqlUser("postgres")]),
    ("MYSQL_8_0", {"local_infile": "on"}, [SqlUser("root", "%"), SqlUser("app", "10.0.0.%")]),
    ("SQLSERVER_2019_STANDARD", {"cross db ownership chaining": "on"}, [SqlUser("sqlserver")]),
)


def seed_databases(project: FakeProject, n: int) -> None:
    """Three engines over two regions; even ones public (a quarter open to 0.0.0.0/0), the rest private."""
    regions = list(project.regions)
    for i in range(n):
        version, flags, users = ENGINES[i % len(ENGINES)]
        public = i % 2 == 0
        networks = ({"anyone": "0.0.0.0/0"} if i % 4 == 0 else {"office": "203.0.113.0/24"}) if public else {}
        project.sql_instances.append(
            SqlInstance(
                f"bench-sql-{i:05d}",
                database_version=version,
                region=regions[(i // 3) % len(regions)],
                public_ip=_ip("34.96.0.1", i) if public else None,
                private_ip=None if public else _ip("10.200.0.2", i),
                authorized_networks=networks,
                ssl_mode="ENCRYPTED_ONLY" if i % 5 == 0 else "ALLOW_UNENCRYPTED_AND_ENCRYPTED",
                require_ssl=i % 5 == 0,
                flags=dict(flags),
                backups=i % 7 != 0,
                users=[*users, SqlUser(f"app-{i % 3}", "%" if version.startswith("MYSQL") else None)],
            )
        )


def openapi(api: str, version: int) -> str:
    """An OpenAPI 2.0 document of a dozen operations, some without a security requirement."""
    paths = {
        f"/{api}/r{k}": {
            "get": {"operationId": f"get{k}", "security": [{"api_key": []}], "responses": {"200": {}}},
            "post": {"operationId": f"post{k}", "responses": {"200": {}}},
        }
        for k in range(6)
    }
    backend = "http" if version == 1 else "https"
    return json.dumps(
        {
            "swagger": "2.0",
            "info": {"title": api, "version": f"{version}.0.0"},
            "x-google-backend": {"address": f"{backend}://{api}.internal.example"},
            "securityDefinitions": {"api_key": {"type": "apiKey", "name": "key", "in": "query"}},
            "paths": paths,
        }
    )


def seed_edges(project: FakeProject, few: int) -> None:
    """``few`` forwarding rules, addresses (half in use by a rule) and gateways (some sharing a config)."""
    regions = list(project.regions)
    for i in range(few):
        region, ip = regions[i % len(regions)], _ip("35.200.0.1", i)
        rule = ForwardingRule(f"bench-lb-{i:04d}", region, ip)
        if i % 3 == 0:  # protocol forwarding of two ports
            rule.port_range, rule.ports = None, ["22", "443"]
        project.forwarding_rules.append(rule)
        users = [f"{project.compute_url}/regions/{region}/forwardingRules/{rule.name}"] if i % 2 == 0 else []
        project.addresses.append(Address(f"bench-ip-{i:04d}", region, ip, users=users))
    for a in range((few + 1) // 2):
        name = f"bench-api-{a:04d}"
        configs = [ApiConfig(f"v{v}", {"openapi.json": openapi(name, v)}) for v in (1, 2)]
        project.apis.append(Api(name, configs))
    for i in range(few):
        api = i // 2
        config = "v1" if i % 2 == 0 or api % 2 == 0 else "v2"  # half the APIs: both gateways serve v1
        project.gateways.append(
            Gateway(f"bench-gw-{i:04d}", regions[i % len(regions)], f"bench-api-{api:04d}", config)
        )


def build_project(buckets: int, firewalls: int, instances: int, databases: int, few: int) -> FakeProject:
    """The benchmark's project."""
    project = FakeProject(PROJECT)
    seed_buckets(project, buckets)
    seed_firewalls(project, firewalls)
    seed_instances(project, instances)
    seed_databases(project, databases)
    seed_edges(project, few)
    return project


# ---------------------------------------------------------------- measuring


def _route(r: LoggedRequest) -> str:
    return f"{r.route or r.path} {r.status}" if r.status != 200 else str(r.route)


def replay(url: str, targets: Sequence[str], workers: int) -> float:
    """Seconds a minimal keep-alive client (``workers`` threads) needs for ``targets`` (path?query)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    queue, lock = list(reversed(targets)), threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        while True:
            with lock:
                if not queue:
                    break
                target = queue.pop()
            conn.request("GET", target, headers={"Authorization": f"Bearer {TOKEN}"})
            conn.getresponse().read()
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start


def replay_child(fake: FakeGoogleApis, logged: Sequence[LoggedRequest], env: dict[str, str]) -> Run:
    """Replay the floor's requests from a child process (its own GIL), timed inside the child."""
    targets = [r.path + (f"?{urlencode(r.query)}" if r.query else "") for r in logged]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(targets, handle)
    try:
        before, cpu = len(fake.requests), time.process_time()
        cmd = [sys.executable, __file__, "--replay", handle.name, "--endpoint", fake.url]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        fake_cpu = time.process_time() - cpu
        if proc.returncode != 0:
            sys.exit(f"replay failed:\n{proc.stderr[-3000:]}")
        seconds = float(re.findall(r"replay_seconds=([\d.]+)", proc.stdout)[0])
        return Run(seconds, -1, Counter(map(_route, fake.requests[before:])), fake_cpu)
    finally:
        os.unlink(handle.name)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--buckets", type=int, default=1000)
    parser.add_argument("--firewalls", type=int, default=1000)
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument("--databases", type=int, default=1000)
    parser.add_argument("--few", type=int, default=None, help="forwarding rules, addresses, gateways (N/100)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay of every answer of the fake")
    parser.add_argument(
        "--services", default=",".join(SERVICES), help="what the floor reads (the audit: see --audit-args)"
    )
    parser.add_argument("--audit-args", default="", help="extra `cloudaudit run` arguments, e.g. --checks")
    parser.add_argument("--replay", help=argparse.SUPPRESS)  # child mode: a JSON list of path?query
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.few is None:
        args.few = max(1, max(args.buckets, args.firewalls, args.instances, args.databases) // 100)
    return args


def _child_env() -> dict[str, str]:
    """This environment, with every route to real Google credentials or metadata closed."""
    env = {**os.environ, "NO_GCE_CHECK": "true", "GCE_METADATA_HOST": "127.0.0.1:9"}
    env |= {"GCE_METADATA_IP": "127.0.0.1:9", "NO_COLOR": "1"}
    for name in ("STORAGE_EMULATOR_HOST", "GOOGLE_APPLICATION_CREDENTIALS", "CLOUDAUDIT_ACCESS_TOKEN"):
        env.pop(name, None)
    return env


def measure(fake: FakeGoogleApis, args: argparse.Namespace, out: Path) -> tuple[list[Run], list[Run], Run]:
    """The alternating runs (audit, floor) and the replay of the last floor's requests."""
    env = _child_env()
    audit_cmd = [sys.executable, "-c", CLOUDAUDIT, "run", "--provider", "gcp", "--project", PROJECT]
    audit_cmd += ["--endpoint-url", fake.url, "--access-token", TOKEN, "--workers", str(WORKERS)]
    audit_cmd += ["-o", str(out), *shlex.split(args.audit_args)]
    floor_cmd = [sys.executable, str(HERE / "bare_google_gcp.py"), "--project", PROJECT]
    floor_cmd += ["--endpoint-url", fake.url, "--access-token", TOKEN, "--services", args.services]
    print(
        f"audit: cloudaudit {shlex.join(audit_cmd[3:])}\nfloor: bare_google_gcp.py --services {args.services}"
    )
    audits, floors = alternate(
        audit_cmd,
        floor_cmd,
        env,
        args.repeat,
        lambda cmd: timed(cmd, env, lambda: fake.requests, _route),
        out,
    )
    return audits, floors, replay_child(fake, fake.requests[-floors[-1].requests :], env)


def report(audits: Sequence[Run], floors: Sequence[Run], ceiling: Run, findings: tuple[int, int]) -> None:
    """The medians, the ratios against the goals and what the fake alone needs."""
    summary(audits, floors, findings, rss_goal_mb=250)
    print(
        f"fake alone     : {ceiling.seconds:6.2f}s to serve the floor's {ceiling.requests} requests "
        f"(minimal client, {WORKERS} threads; fake CPU {ceiling.fake_cpu / ceiling.seconds:.0%} of one core)"
    )


def main() -> None:
    args = _arguments()
    if args.replay:
        targets = json.loads(Path(args.replay).read_text())
        print(f"replay_seconds={replay(args.endpoint, targets, WORKERS):.4f}")
        return
    t0 = time.perf_counter()
    project = build_project(args.buckets, args.firewalls, args.instances, args.databases, args.few)
    latency = args.latency_ms / 1000
    with FakeGoogleApis([project], latency=latency) as fake, tempfile.TemporaryDirectory() as tmp:
        print(
            f"seeded {args.buckets} buckets, {args.firewalls} firewall rules, {args.instances} instances, "
            f"{args.databases} Cloud SQL instances, {args.few} forwarding rules/addresses/gateways "
            f"in {time.perf_counter() - t0:.1f}s; fake at {fake.url} answering {args.latency_ms:g} ms late; "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
        )
        audits, floors, ceiling = measure(fake, args, Path(tmp))
        findings = findings_counts(Path(tmp))
    report(audits, floors, ceiling, findings)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (other work on the machine skews the times)")


if __name__ == "__main__":
    main()
