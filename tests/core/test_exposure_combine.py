"""Several exposure set-ups made one (``demo --provider all``): mappings united, snapshots read as one
source, safety kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cloudaudit.exposure import snapshot
from cloudaudit.exposure.combine import combine
from cloudaudit.exposure.model import Target
from cloudaudit.exposure.sources import ConnectTo, ExposureOptions, SourceSpec, build_sources
from cloudaudit.progress import PlainProgress
from shodan_fake import sample_host

WEB = ConnectTo("203.0.113.10", 80, "127.0.0.1", 8080)
REDIS = ConnectTo("192.0.2.44", 6379, "127.0.0.1", 6380)


def _snapshot(tmp_path: Path, name: str, *hosts: dict[str, object]) -> SourceSpec:
    path = tmp_path / name
    path.write_text(json.dumps(list(hosts)))
    return SourceSpec("file", str(path))


def test_one_set_up_is_kept_as_it_is() -> None:
    alone = ExposureOptions(probe=True, connect_to=(WEB,), probe_private=True)
    assert combine([alone]) is alone


def test_mappings_and_sources_are_united_and_the_probe_runs_if_any_asks(tmp_path: Path) -> None:
    a = ExposureOptions(sources=(SourceSpec("file", "a.json"),), probe=True, connect_to=(WEB,))
    b = ExposureOptions(sources=(SourceSpec("file", "b.json"),), connect_to=(REDIS, WEB))
    both = combine([a, b])
    assert both.sources == (SourceSpec("file", "a.json"), SourceSpec("file", "b.json"))
    assert both.connect_to == (WEB, REDIS)
    assert both.probe


def test_one_endpoint_mapped_to_two_places_is_refused() -> None:
    elsewhere = ConnectTo("203.0.113.10", 80, "127.0.0.1", 9999)
    with pytest.raises(ValueError, match=r"connect-to mappings disagree on 203\.0\.113\.10:80"):
        combine([ExposureOptions(connect_to=(WEB,)), ExposureOptions(connect_to=(elsewhere,))])


def test_safety_narrows_and_budgets_widen() -> None:
    mapped = ExposureOptions(probe=True, probe_only_mapped=True, probe_rate_per_second=5, timeout_seconds=2)
    private = ExposureOptions(probe=True, probe_private=True, probe_timeout_seconds=1200, timeout_seconds=7)
    both = combine([mapped, private])
    assert both.probe_only_mapped  # one demo probes only its mapped endpoints: so does the whole run
    assert not both.probe_private  # private addresses only when every set-up allows them
    assert both.probe_rate_per_second == 5
    assert (both.timeout_seconds, both.probe_timeout_seconds) == (7, 1200)
    assert both.probe_target_timeout_seconds is None  # each keeps the default, derived from the timeout


def test_different_shodan_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="Shodan key"):
        combine([ExposureOptions(shodan_key="k1"), ExposureOptions(shodan_key="k2")])
    assert combine([ExposureOptions(shodan_key="k1"), ExposureOptions()]).shodan_key == "k1"


def test_several_snapshot_files_are_one_source_reading_all(tmp_path: Path) -> None:
    """Each demo's snapshot is read; a host listed in both has the ports of both."""
    first = _snapshot(tmp_path, "aws.json", sample_host("203.0.113.10"), sample_host("198.51.100.1"))
    shared = sample_host("198.51.100.1")
    shared["data"] = [{**shared["data"][0], "port": 8443}]
    second = _snapshot(tmp_path, "gcp.json", sample_host("192.0.2.44"), shared)
    options = combine([ExposureOptions(sources=(first,)), ExposureOptions(sources=(second,))])

    (source,) = build_sources(options)
    assert isinstance(source, snapshot.SnapshotSource)
    assert source.plan([]) == f"file: 3 hosts in {tmp_path / 'aws.json'}, {tmp_path / 'gcp.json'}"
    hosts = ["203.0.113.10", "192.0.2.44", "198.51.100.1", "198.51.100.99"]
    result = source.observe([Target(host=h, asset_ids=("x",)) for h in hosts], PlainProgress())

    def open_ports(host: str) -> list[int | None]:
        return [o.port for o in result.observations if o.host == host and o.kind == "open_port"]

    assert open_ports("203.0.113.10") == [443, 5432, 6379]
    assert open_ports("192.0.2.44") == [443, 5432, 6379]
    assert open_ports("198.51.100.1") == [443, 5432, 6379, 8443]
    (missing,) = [o for o in result.observations if o.host == "198.51.100.99"]
    assert missing.summary == "not in the snapshot aws.json, gcp.json (matched by ip_str and hostnames)"
    assert result.notes == (
        f"file: 3 of 4 targets found in {tmp_path / 'aws.json'}, {tmp_path / 'gcp.json'} (3 hosts)",
    )
