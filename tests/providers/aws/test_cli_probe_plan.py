"""``cloudaudit run --exposure shodan --probe`` on an instance whose security group opens every port.

The account is moto's server; Shodan is the local Shodan look-alike (tests/shodan_fake.py). The
instance's public address is mapped by ``--connect-to``: port 80 onto a misconfigured web API
(BadApi), port 8081 (a shadow service only Shodan lists) onto a second one, and every other port onto
a closed port of 127.0.0.1, so nothing leaves the loopback interface.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aws_seed import client, default_vpc
from cloudaudit.cli.app import main
from cloudaudit.ports import in_range
from probe_servers import LOCAL, BadApi, Server, closed_port, running
from shodan_fake import ShodanFake, sample_host

KEY = "SHODANTESTKEY0123456789abcdef"
SHADOW = 8081
"""Not a catalogue port: only Shodan's observation puts it in the plan."""
BAD_API_CHECKS = {
    "exposure.probe.http.cors_reflected_with_credentials",
    "exposure.probe.http.trace_enabled",
    "exposure.probe.http.unexpected_methods",
    "exposure.probe.http.verbose_errors",
    "exposure.probe.http.exposed_file",
    "exposure.probe.http.nosniff_missing",
}


@pytest.fixture
def shodan(monkeypatch: pytest.MonkeyPatch) -> Iterator[ShodanFake]:
    fake = ShodanFake(KEY).start()
    monkeypatch.setenv("SHODAN_API_URL", fake.url)
    monkeypatch.setenv("SHODAN_API_KEY", KEY)
    yield fake
    fake.stop()


def all_ports_host(endpoint: str) -> tuple[str, str, str]:
    """An instance with a public IP whose group opens all traffic to the world: (instance, ip, group)."""
    ec2 = client(endpoint, "ec2")
    ami = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    vpc, subnets = default_vpc(endpoint)
    gid = ec2.create_security_group(GroupName="open-all", Description="test", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=gid, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    inst = ec2.run_instances(
        ImageId=ami,
        MinCount=1,
        MaxCount=1,
        NetworkInterfaces=[
            {"DeviceIndex": 0, "SubnetId": subnets[0], "Groups": [gid], "AssociatePublicIpAddress": True}
        ],
    )
    iid = inst["Instances"][0]["InstanceId"]
    desc = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
    return iid, desc["PublicIpAddress"], gid


def shodan_lists(ip: str, port: int) -> dict[str, Any]:
    """The sample host, its PostgreSQL banner moved to ``port`` (a service no rule names)."""
    host = sample_host(ip)
    host["data"][2]["port"] = port
    host["ports"] = sorted(b["port"] for b in host["data"])
    return host


def test_all_ports_group_in_front_of_a_bad_web_api_is_planned_probed_and_exploitable(
    aws: str, out_dir: Path, shodan: ShodanFake, capsys: pytest.CaptureFixture[str]
) -> None:
    iid, ip, gid = all_ports_host(aws)
    shodan.add_host(shodan_lists(ip, SHADOW))
    closed = closed_port()
    with running(Server(BadApi)) as web, running(Server(BadApi)) as shadow:
        code = main(
            [
                *(
                    "run",
                    "--provider",
                    "aws",
                    "--regions",
                    "us-east-1",
                    "-o",
                    str(out_dir),
                    "--format",
                    "json",
                ),
                *("--exposure", "shodan", "--probe"),
                *("--connect-to", f"{ip}:80:{LOCAL}:{web.port}"),
                *("--connect-to", f"{ip}:{SHADOW}:{LOCAL}:{shadow.port}"),
                *("--connect-to", f"{ip}::{LOCAL}:{closed}"),
            ]
        )
    err = capsys.readouterr().err

    assert code == 0
    assert web.connections > 0 and shadow.connections > 0
    plan = [line for line in err.splitlines() if line.startswith("probe:")]
    catalogue = len(in_range(0, 65535))
    assert plan[0].startswith(f"probe: will connect to {catalogue + 1} endpoints of the audited account (")
    assert (
        f"probe:   observed by shodan: {ip}:443, 6379 (via {LOCAL}:{closed}); "
        f"{ip}:{SHADOW} (via {LOCAL}:{shadow.port})"
    ) in plan  # Shodan's sample host lists 443 and 6379 too
    (inside,) = [line for line in plan if f"catalogue port inside tcp/0-65535 from {gid}: " in line]
    assert inside.startswith(
        f"probe:   catalogue port inside tcp/0-65535 from {gid}: all traffic from 0.0.0.0/0: {ip}:21, 22, 23"
    )
    assert f"; {ip}:80 (via {LOCAL}:{web.port})" in inside
    assert inside.endswith(f" and {catalogue - 2 - 20} more")  # 443 and 6379 are listed as observed
    assert "matches no endpoint discovered" not in err

    doc = json.loads((out_dir / "findings.json").read_text())
    probe_findings = [f for f in doc["findings"] if f["check_id"].startswith("exposure.probe.")]
    by_port: dict[str, set[str]] = {}
    for finding in probe_findings:
        assert finding["resource_id"].endswith(iid)
        assert finding["exposure"]["level"] == "exploitable"
        by_port.setdefault(finding["evidence"]["endpoint"], set()).add(finding["check_id"])
    assert by_port[f"{ip}:80"] >= BAD_API_CHECKS
    assert by_port[f"{ip}:{SHADOW}"] >= BAD_API_CHECKS
    assert set(by_port) == {f"{ip}:80", f"{ip}:{SHADOW}"}  # the closed ports are answers, not findings

    # Closed ports inside the range are the norm: counted in a note, not one observation each.
    quiet = (
        f"probe: {catalogue - 3} port(s) planned inside wide open ranges were closed (nothing listening; "
        "not listed one by one)"
    )
    assert quiet in doc["run"]["exposure_notes"]
    results = json.loads((out_dir / "exposure.json").read_text())["results"]
    (probed,) = [r for r in results if r["source"] == "probe"]
    closed = sorted(o["port"] for o in probed["observations"] if o["kind"] == "closed")
    assert closed == [443, 6379]  # Shodan listed them: that they are closed now is news
    (group,) = [
        f
        for f in doc["findings"]
        if f["check_id"] == "aws.ec2.sg_open_all_ports" and f["resource_id"].endswith(gid)
    ]
    assert sum("closed" in e["seen"] for e in group["exposure"]["evidence"]) <= 2  # only 443 and 6379
    # The rule that opens every port is proven from outside by what the probe found behind it,
    # and its evidence names each probe check that fired.
    assert (group["exposure"]["level"], group["severity"]) == ("exploitable", "critical")
    named = {e["check"] for e in group["exposure"]["evidence"] if e.get("check")}
    assert {f"probe.{c.removeprefix('exposure.probe.')}" for c in BAD_API_CHECKS} <= named
