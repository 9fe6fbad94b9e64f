"""Benchmark: `cloudaudit run --provider azure` against the azure-mgmt clients' floor, on the HTTPS fake.

    python bench/bench_azure.py [--accounts N --databases N --network N] [--repeat 3]

Seeds the fake of Azure Resource Manager (127.0.0.1, a throwaway CA) with N storage accounts (a third
weak with an anonymous container, a third with only listed IP ranges, a third hardened; two containers
each), N database servers spread over SQL, PostgreSQL and MySQL flexible servers and Cosmos DB
(firewall rules open to the world, to Azure services, to an office range, or none; TLS parameters), and
N NSGs and N VM NICs (half with a public IP; each NIC's NSG opens SSH to the Internet, the web only, or
an office range, in turn; one subnet in four has an NSG denying everything). Then
times, alternating, each in its own child process: (a) `cloudaudit run --provider azure` (all checks,
HTML and JSON reports written) and (b) bench/bare_azure.py (the same reads, the same 16 workers).

Prints per run and as medians: wall times and their ratio, requests (from the fake's log) and their ratio
with the per-route difference, peak RSS (VmHWM) of both, findings, and the fake's CPU share.
Goals (issue #12): time <= 1.5x the floor, requests <= 1.1x, audit peak RSS <= 250 MB at N=1000.
Exits non-zero when either process fails: a broken run is not measured.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shlex
import sys
import tempfile
import time
from pathlib import Path

from benchlib import CLOUDAUDIT, alternate, findings_counts, summary, timed
from cloudaudit_azure.fake import FakeArm, FakeSubscription, LoggedRequest
from cloudaudit_azure.fake.model_databases import (
    cosmos_account,
    firewall_rules,
    flexible_server,
    sql_entra_only,
    sql_server,
    tls_parameters,
)
from cloudaudit_azure.fake.model_network import NetworkBuilder
from cloudaudit_azure.fake.model_storage import blob_service, container, storage_account

logging.getLogger("werkzeug").setLevel(logging.ERROR)

HERE = Path(__file__).resolve().parent
SUBSCRIPTION = "00000000-0000-0000-0000-00000000be9c"
TOKEN = "bench-token"  # the fake accepts any bearer token
WORKERS = 16
GROUP = "rg-bench"
ZERO = "0.0.0.0"  # a firewall rule's start address
RULES = (
    [("AllowAll", ZERO, "255.255.255.255")],
    [("AllowAllWindowsAzureIps", ZERO, ZERO)],
    [("office", "203.0.113.0", "203.0.113.255"), ("vpn", "198.51.100.0", "198.51.100.63")],
    [],
)
"""Firewall rule sets, one per server in turn."""


def seed_storage(sub: FakeSubscription, n: int) -> None:
    """A third weak (anonymous container), a third behind IP rules, a third hardened."""
    for i in range(n):
        name, kind = f"bench{i:05d}", i % 3
        if kind == 0:
            account = storage_account(
                sub.id, GROUP, name, allow_blob_public_access=True, minimum_tls_version="TLS1_0",
                https_only=False, allow_shared_key_access=True, default_action="Allow",
            )  # fmt: skip
            access = "Container" if i % 2 else "Blob"
        elif kind == 1:
            account = storage_account(
                sub.id, GROUP, name, allow_blob_public_access=True, ip_rules=("203.0.113.0/24",),
                location="westeurope",
            )  # fmt: skip
            access = "Blob"
        else:
            account = storage_account(sub.id, GROUP, name)
            access = "None"
        rid = str(account["id"])
        sub.add(account, container(rid, "public", access), container(rid, "private"))
        sub.add(blob_service(rid, soft_delete_days=7 if kind == 2 else None, versioning=kind == 2))


def seed_databases(sub: FakeSubscription, n: int) -> None:
    """N servers over the four engines, in turn, with the firewall rule sets in turn."""
    for i in range(n):
        engine, rules = i % 4, RULES[(i // 4) % len(RULES)]
        name = f"bench-db-{i:05d}"
        if engine == 0:
            server = sql_server(sub.id, GROUP, name, minimal_tls="1.0" if i % 8 == 0 else "1.2")
            sub.add(server, *firewall_rules(server, rules), sql_entra_only(server, i % 3 == 0))
        elif engine in (1, 2):
            flavour = "postgresql" if engine == 1 else "mysql"
            server = flexible_server(flavour, sub.id, GROUP, name)
            secure = "off" if i % 5 == 0 else None
            sub.add(
                server,
                *firewall_rules(server, rules),
                *tls_parameters(flavour, server, secure_transport=secure),
            )
        else:
            ips = () if i % 2 else ("203.0.113.7",)
            sub.add(cosmos_account(sub.id, GROUP, name, ip_rules=ips, disable_local_auth=i % 3 == 0))


NSG_RULES = (
    {"name": "allow-ssh", "priority": 100, "source": "Internet", "ports": "22"},
    {"name": "allow-web", "priority": 100, "source": "*", "ports": ["80", "443"]},
    {"name": "office-rdp", "priority": 100, "source": "203.0.113.0/24", "ports": "3389"},
)
"""One custom rule per NSG, in turn."""


def seed_network(sub: FakeSubscription, n: int) -> None:
    """N NSGs and N VM NICs, each NIC with its own NSG, half with a public IP; four subnets, one of them
    (holding half of the NICs with a public IP) behind an NSG with the default rules only."""
    net = NetworkBuilder(sub.id, GROUP)
    locked = net.nsg("bench-subnet-locked")
    subnets = net.vnet(
        "bench-vnet", "10.0.0.0/8", {f"s{k}": (f"10.{k}.0.0/16", locked if k == 3 else "") for k in range(4)}
    )
    for i in range(n):
        nsg = net.nsg(f"bench-nsg-{i:05d}", dict(NSG_RULES[i % len(NSG_RULES)]))
        address = f"198.51.100.{i % 250 + 1}" if i < 250 else f"203.0.113.{i % 250 + 1}"
        k = i % 4
        pip = net.public_ip(f"bench-pip-{i:05d}", address) if k in (0, 3) else ""
        private = f"10.{k}.{i // 250}.{i % 250 + 1}"
        net.nic(
            f"bench-nic-{i:05d}", subnets[f"s{k}"], private, public_ip_id=pip, nsg_id=nsg, vm=f"vm-{i:05d}"
        )
    sub.add(*net.resources())


def build_subscription(accounts: int, databases: int, network: int = 0) -> FakeSubscription:
    """The benchmark's subscription."""
    sub = FakeSubscription(SUBSCRIPTION, display_name="cloudaudit benchmark")
    seed_storage(sub, accounts)
    seed_databases(sub, databases)
    seed_network(sub, network)
    return sub


def _route(r: LoggedRequest) -> str:
    """A request's route: its path with names and ids replaced (``.../storageAccounts/*/blobServices``)."""
    path = re.sub(r"/(subscriptions|resourceGroups)/[^/]+", r"/\1/*", r.path)
    path = re.sub(
        r"/(storageAccounts|servers|flexibleServers|databaseAccounts|containers|configurations)/[^/]+",
        r"/\1/*",
        path,
    )
    skip = "&page" if "$skiptoken" in r.query else ""
    return f"{path}{skip}" + (f" {r.status}" if r.status != 200 else "")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--databases", type=int, default=1000)
    parser.add_argument("--network", type=int, default=1000, help="NSGs and NICs (N of each)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--audit-args", default="", help="extra `cloudaudit run` arguments, e.g. --checks")
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    t0 = time.perf_counter()
    sub = build_subscription(args.accounts, args.databases, args.network)
    with FakeArm([sub]) as arm, tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        env = {**os.environ, "REQUESTS_CA_BUNDLE": str(arm.ca_path), "NO_COLOR": "1"}
        env.pop("CLOUDAUDIT_ACCESS_TOKEN", None)
        print(
            f"seeded {args.accounts} storage accounts, {args.databases} database servers, "
            f"{args.network} NSGs and NICs "
            f"({len(sub.resources)} resources) in {time.perf_counter() - t0:.1f}s; fake at {arm.url}; "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
        )
        connection = ["--endpoint-url", arm.url, "--access-token", TOKEN]
        audit_cmd = [
            sys.executable,
            "-c",
            CLOUDAUDIT,
            "run",
            "--provider",
            "azure",
            "--subscription",
            SUBSCRIPTION,
        ]
        audit_cmd += [*connection, "--workers", str(WORKERS), "-o", str(out), *shlex.split(args.audit_args)]
        floor_cmd = [sys.executable, str(HERE / "bare_azure.py"), "--subscription", SUBSCRIPTION, *connection]
        print(f"audit: cloudaudit {shlex.join(audit_cmd[3:])}\nfloor: bare_azure.py")
        audits, floors = alternate(
            audit_cmd,
            floor_cmd,
            env,
            args.repeat,
            lambda cmd: timed(cmd, env, lambda: arm.requests, _route),
            out,
        )
        findings = findings_counts(out)
    summary(audits, floors, findings, rss_goal_mb=250)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (other work on the machine skews the times)")


if __name__ == "__main__":
    main()
