"""Benchmark: the exposure stage's cost, `evaluate` with and without a Shodan-shaped snapshot.

    python bench/bench_exposure.py --hosts 5000 [--repeat 3]

Builds an inventory of N Internet-facing instances (a public IP each, a security group opening SSH,
Redis and HTTPS) and a snapshot in which half of them are indexed with three services and a CVE,
then times `cloudaudit evaluate --inventory` (a) with `--exposure file:SNAPSHOT` and (b) without,
alternating, each in its own process. Prints the medians, the ratio a/b and peak memory.
Goal: ratio <= 1.5 at N=5000 (correlation must not dominate an offline re-evaluation).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchlib import byte_compile
from cloudaudit.model.asset import Endpoint
from cloudaudit.model.inventory import Inventory, ScanScope
from cloudaudit_aws.assets import IngressRule, Instance, SecurityGroup

ACCOUNT = "111122223333"
REGION = "us-east-1"
PORTS = (22, 443, 6379)
CLOUDAUDIT = (
    "import sys; from cloudaudit.cli.app import end_process, keep_until_exit, main; "
    "keep_until_exit(); rc = main(sys.argv[1:]); "
    "hwm = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0]; "
    "print(f'peak_rss_kib={hwm}', file=sys.stderr); end_process(rc)"
)


def _ip(i: int) -> str:
    return f"198.18.{i // 250}.{i % 250 + 1}"


def inventory(hosts: int) -> Inventory:
    """N instances, each behind its own security group open on SSH, HTTPS and Redis."""
    assets: list[Instance | SecurityGroup] = []
    for i in range(hosts):
        ip, gid, iid = _ip(i), f"sg-{i:08x}", f"i-{i:08x}"
        rules = tuple(
            IngressRule(protocol="tcp", from_port=p, to_port=p, source="0.0.0.0/0", source_kind="cidr4")
            for p in PORTS
        )
        assets.append(
            SecurityGroup(
                provider="aws",
                account=ACCOUNT,
                region=REGION,
                id=f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{gid}",
                name=gid,
                group_id=gid,
                ingress=rules,
                attached_interfaces=(f"eni-{i:08x}",),
                public_ips=(ip,),
            )
        )
        assets.append(
            Instance(
                provider="aws",
                account=ACCOUNT,
                region=REGION,
                id=f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{iid}",
                name=iid,
                instance_id=iid,
                state="running",
                public_ips=(ip,),
                security_group_ids=(gid,),
                endpoints=tuple(
                    Endpoint(host=ip, from_port=p, to_port=p, via=f"{gid}: tcp/{p}") for p in PORTS
                ),
            )
        )
    now = datetime.now(UTC)
    scope = ScanScope(provider="aws", accounts=(ACCOUNT,), regions=(REGION,), started=now, finished=now)
    return Inventory(scope=scope, assets=tuple(assets))


def snapshot(hosts: int) -> list[dict[str, object]]:
    """Every other host indexed with SSH, Redis and an unexpected 8080, plus a CVE."""
    stamp = "2026-11-27T04:12:09.000000"
    return [
        {
            "ip_str": _ip(i),
            "ports": [22, 6379, 8080],
            "vulns": ["CVE-2024-6387"],
            "data": [
                {"port": p, "transport": "tcp", "product": name, "timestamp": stamp, "_shodan": {"module": m}}
                for p, name, m in (
                    (22, "OpenSSH", "ssh"),
                    (6379, "Redis", "redis"),
                    (8080, "Jenkins", "http"),
                )
            ],
        }
        for i in range(0, hosts, 2)
    ]


def timed(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one child process (cloudaudit's modules byte-compiled first)."""
    byte_compile()
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    match = re.search(r"peak_rss_kib=(\d+)", proc.stderr)
    return elapsed, int(match.group(1)) if match else -1


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hosts", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        inv_path, snap_path = work / "inventory.json", work / "snapshot.json"
        inv_path.write_text(json.dumps(inventory(args.hosts).to_json(), default=str))
        snap_path.write_text(json.dumps(snapshot(args.hosts)))
        base = [sys.executable, "-c", CLOUDAUDIT, "evaluate", "--inventory", str(inv_path), "-f", "json"]
        with_exposure = [*base, "-o", str(work / "a"), "--exposure", f"file:{snap_path}"]
        without = [*base, "-o", str(work / "b")]
        a_t, b_t, a_rss, b_rss = [], [], [], []
        for _ in range(args.repeat):
            t, rss = timed(with_exposure)
            a_t.append(t)
            a_rss.append(rss)
            t, rss = timed(without)
            b_t.append(t)
            b_rss.append(rss)
        doc = json.loads((work / "a" / "findings.json").read_text())
    observed = sum(1 for f in doc["findings"] if f["exposure"]["level"] == "observed")
    a, b = statistics.median(a_t), statistics.median(b_t)
    print(f"hosts {args.hosts}, indexed {len(range(0, args.hosts, 2))}, findings {len(doc['findings'])}")
    for label, med, runs, rss in (("evaluate + exposure", a, a_t, a_rss), ("evaluate only", b, b_t, b_rss)):
        print(f"{label:<20}: median {med:6.2f}s {[round(x, 2) for x in runs]} peak {max(rss) / 1024:.0f} MB")
    print(f"observed findings {observed}; ratio with/without = {a / b:.2f}  (goal <= 1.5 at N=5000)")


if __name__ == "__main__":
    main()
