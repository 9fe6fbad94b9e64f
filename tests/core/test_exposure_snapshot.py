"""The file source: Shodan JSON snapshots (object, list, JSON lines, banners, gzip) and bad files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from cloudaudit.errors import UsageError
from cloudaudit.exposure import snapshot
from cloudaudit.exposure.model import ExposureLevel, SourceResult, Target
from cloudaudit.exposure.sources import ExposureOptions, SourceSpec, build_sources, parse_sources
from cloudaudit.progress import PlainProgress
from shodan_fake import DATA, HOST_IP, sample_host

SAMPLE = DATA / "shodan_host_203.0.113.10.json"
DB_NAME = "orders-db.c9akciq32.us-east-1.rds.amazonaws.com"
OTHER_IP = "198.51.100.7"


def target(host: str) -> Target:
    return Target(host=host, asset_ids=("arn:aws:rds:us-east-1:123456789012:db:orders-db",))


def build(path: Path) -> snapshot.SnapshotSource:
    (source,) = build_sources(ExposureOptions(sources=parse_sources(f"file:{path}")))
    assert isinstance(source, snapshot.SnapshotSource)
    return source


def ports(result: SourceResult, host: str) -> list[int | None]:
    return [o.port for o in result.observations if o.host == host and o.kind == "open_port"]


def other_host() -> dict[str, object]:
    return {
        "ip_str": OTHER_IP,
        "hostnames": [],
        "ports": [9200],
        "data": [
            {
                "ip_str": OTHER_IP,
                "port": 9200,
                "transport": "tcp",
                "product": "Elastic",
                "version": "7.10.2",
                "timestamp": "2024-04-01T00:00:00.000000",
                "data": 'HTTP/1.1 200 OK\r\n\r\n{"cluster_name": "search", '
                '"xpack.security.password": "changeme"}',
                "_shodan": {"module": "elastic"},
            }
        ],
    }


def test_single_host_object(tmp_path: Path) -> None:
    source = build(SAMPLE)
    assert source.plan([target(HOST_IP)]) == f"file: 1 hosts in {SAMPLE}"

    result = source.observe([target(HOST_IP)], PlainProgress())

    assert ports(result, HOST_IP) == [443, 5432, 6379]
    assert all(o.source == "file" for o in result.observations)
    assert result.gaps == () and result.credits_used == 0
    vuln = next(o for o in result.observations if o.kind == "vulnerability" and o.port == 443)
    assert vuln.cves == ("CVE-2021-23017",) and vuln.level is ExposureLevel.OBSERVED
    assert "listed by Shodan snapshot" in vuln.summary


def test_list_with_hostname_match_and_missing_target(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    path.write_text(json.dumps([sample_host(), other_host()]))
    source = build(path)
    assert source.plan([]) == f"file: 2 hosts in {path}"

    result = source.observe(
        [target(DB_NAME.upper()), target(OTHER_IP), target("203.0.113.99")], PlainProgress()
    )

    # the database DNS name is found through the host's hostnames; observations keep the target's name
    db = [o for o in result.observations if o.host == DB_NAME.upper()]
    assert {o.ip for o in db} == {HOST_IP}
    assert ports(result, DB_NAME.upper()) == [443, 5432, 6379]
    elastic = next(o for o in result.observations if o.host == OTHER_IP)
    assert (elastic.port, elastic.service) == (9200, "Elastic")
    assert "changeme" not in json.dumps(elastic.details)
    (missing,) = [o for o in result.observations if o.host == "203.0.113.99"]
    assert (missing.kind, missing.level) == ("not_indexed", ExposureLevel.NONE)
    assert missing.summary == "not in the snapshot snap.json (matched by ip_str and hostnames)"
    assert result.notes == (f"file: 2 of 3 targets found in {path} (2 hosts)",)


def test_json_lines_of_hosts_and_of_banners_gzipped(tmp_path: Path) -> None:
    hosts = tmp_path / "hosts.jsonl"
    hosts.write_text(json.dumps(sample_host()) + "\n\n" + json.dumps(other_host()) + "\n")
    result = build(hosts).observe([target(HOST_IP), target(OTHER_IP)], PlainProgress())
    assert ports(result, HOST_IP) == [443, 5432, 6379]
    assert ports(result, OTHER_IP) == [9200]

    # `shodan download` writes one banner per line, gzip-compressed
    banners = tmp_path / "download.json.gz"
    lines = [json.dumps(b) for b in sample_host()["data"]]
    banners.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    source = build(banners)
    assert source.plan([]) == f"file: 1 hosts in {banners}"
    result = source.observe([target(DB_NAME)], PlainProgress())
    assert ports(result, DB_NAME) == [443, 5432, 6379]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('[{"ip_str": "1.2.3.4"', "not valid JSON (Expecting ',' delimiter at line 1 column 22)"),
        ('{"ip_str": "1.2.3.4"}\n{"ip_str": \n', "line 2 is not valid JSON (Expecting value)"),
        (
            '[{"ip_str": "1.2.3.4"}, {"error": "No information available for that IP."}]',
            "entry 2 has no ip_str",
        ),
        ('["1.2.3.4"]', "entry 1 is a JSON str, expected a Shodan host object"),
        ("   \n", "the file is empty"),
        ("ip,port\n1.2.3.4,22\n", "not valid JSON (Expecting value at line 1 column 1)"),
    ],
)
def test_malformed_file_is_a_one_line_usage_error(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(UsageError) as err:
        build(path)
    assert err.value.message.startswith(f"snapshot {path}: ")
    assert problem in err.value.message
    assert "\n" not in err.value.message


def test_missing_or_binary_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"cannot read snapshot .*nope\.json: No such file or directory"):
        build(tmp_path / "nope.json")
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(UsageError, match="not UTF-8 text"):
        build(binary)
    broken_gzip = tmp_path / "broken.json.gz"
    broken_gzip.write_bytes(gzip.compress(b"{}")[:12])
    with pytest.raises(UsageError, match="cannot decompress it"):
        build(broken_gzip)


def test_a_file_source_is_read_as_it_is_parsed(tmp_path: Path) -> None:
    snapshot = tmp_path / "snap.json"
    snapshot.write_text("[]")
    assert parse_sources(f"internetdb,file:{snapshot}") == (
        SourceSpec("internetdb"),
        SourceSpec("file", str(snapshot)),
    )
    with pytest.raises(UsageError, match=r"cannot read snapshot .*missing\.json"):
        parse_sources(f"file:{tmp_path / 'missing.json'}")


def test_a_snapshot_changed_after_it_was_checked_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(sample_host(HOST_IP)))
    first = snapshot.load_snapshot(path)
    assert [h["ip_str"] for h in snapshot.load_snapshot(path)] == [HOST_IP] == [h["ip_str"] for h in first]
    path.write_text(json.dumps([sample_host(HOST_IP), sample_host("192.0.2.77")]))
    assert [h["ip_str"] for h in snapshot.load_snapshot(path)] == [HOST_IP, "192.0.2.77"]
