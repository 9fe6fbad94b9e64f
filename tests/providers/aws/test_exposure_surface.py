"""The attack surface built from configuration, findings and observations (pure, no I/O).

The command-line paths (moto, the Shodan look-alike, a probed local API) are in test_surface_aws.py;
these cover the ladder rules in isolation.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_builders import instance, instance_arn, inventory, security_group, sg_arn, tcp
from cloudaudit.exposure.model import ExposureGap, ExposureLevel, Observation, SourceResult, Target
from cloudaudit.exposure.surface import build_surface, reachability_of
from cloudaudit.exposure.targets import targets_from_inventory
from cloudaudit.model.asset import Endpoint
from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import Finding
from cloudaudit.model.inventory import Inventory
from cloudaudit.model.network import NetworkExposure
from cloudaudit.model.surface import SurfaceEntry
from cloudaudit_aws.assets import ElasticIp, Instance

IP = "54.210.9.9"
BARE = "54.210.9.10"
SEEN = datetime(2024, 5, 1, 11, 0, tzinfo=UTC)


def _web(*ports: int) -> Instance:
    endpoints = tuple(
        Endpoint(host=IP, from_port=p, to_port=p, via=f"sg-web: tcp/{p} from 0.0.0.0/0") for p in ports
    )
    return instance("i-web", [IP], ["sg-web"]).model_copy(update={"endpoints": endpoints})


def _bare_eip() -> ElasticIp:
    return ElasticIp(
        provider="aws",
        account="111122223333",
        region="us-east-1",
        id="arn:aws:ec2:us-east-1:111122223333:elastic-ip/eipalloc-1",
        name="spare",
        public_ip=BARE,
    )


def _inventory() -> Inventory:
    return inventory(
        security_group("sg-web", [tcp(443), tcp(80)], public_ips=[IP]), _web(443, 80), _bare_eip()
    )


def _obs(source: str, kind: str, level: ExposureLevel, port: int | None, **extra: Any) -> Observation:
    return Observation.model_validate(
        {
            "source": source,
            "host": IP,
            "kind": kind,
            "level": level,
            "summary": extra.pop("summary", f"{source} {kind} {port}"),
            "seen_at": SEEN,
            "port": port,
            **extra,
        }
    )


def _finding(resource_id: str, status: Status = Status.PASS, **evidence: Any) -> Finding:
    return Finding(
        check_id="aws.ec2.instance_exposed_sensitive_ports",
        title="t",
        severity=Severity.HIGH,
        status=status,
        message="m",
        provider="aws",
        account="111122223333",
        region="us-east-1",
        service="ec2",
        resource_type="aws.ec2.instance",
        resource_id=resource_id,
        resource_name="i-web",
        evidence=evidence,
    )


def _surface(
    inv: Inventory, findings: list[Finding] | None = None, *results: SourceResult
) -> dict[str, SurfaceEntry]:
    entries = build_surface(targets_from_inventory(inv), inv, findings or [], list(results))
    return {e.endpoint: e for e in entries}


def test_configuration_alone_lists_every_public_address_with_the_rules_that_open_it() -> None:
    surface = _surface(_inventory())

    web = surface[IP]
    assert web.level is ExposureLevel.CONFIGURED and web.reachability == "not_assessed"
    assert [(p.from_port, p.service, p.via) for p in web.ports] == [
        (80, "HTTP", "sg-web: tcp/80 from 0.0.0.0/0"),
        (443, "HTTPS", "sg-web: tcp/443 from 0.0.0.0/0"),
    ]
    assert web.owner is not None and web.owner.id == instance_arn("i-web")
    assert set(web.resource_ids) == {instance_arn("i-web"), sg_arn("sg-web")}
    assert web.evidence == "config: sg-web: tcp/80 from 0.0.0.0/0 (+1 more)"
    bare = surface[BARE]
    assert (bare.level, bare.ports, bare.kind) == (ExposureLevel.NONE, (), "address")
    assert bare.evidence == "config: public address; no rule opens a port"


def test_probe_misconfigurations_make_it_exploitable_and_the_most_severe_one_is_the_evidence() -> None:
    probe = SourceResult(
        source="probe",
        observations=(
            _obs("probe", "open_port", ExposureLevel.CONFIRMED, 443, service="https"),
            _obs(
                "probe",
                "misconfiguration",
                ExposureLevel.EXPLOITABLE,
                443,
                check="probe.http.nosniff_missing",
            ),
            _obs(
                "probe",
                "misconfiguration",
                ExposureLevel.EXPLOITABLE,
                443,
                check="probe.http.cors_reflected_with_credentials",
                summary="CORS reflects any Origin",
            ),
        ),
    )
    web = _surface(_inventory(), [], probe)[IP]

    assert web.level is ExposureLevel.EXPLOITABLE
    assert web.evidence == "probe: CORS reflects any Origin"
    assert web.probe is not None
    assert [(p.port, p.service) for p in web.probe.answered] == [(443, "https")]
    assert web.probe.checks == ("probe.http.nosniff_missing", "probe.http.cors_reflected_with_credentials")
    assert web.sources == ()


def test_an_index_that_does_not_list_the_address_leaves_the_configuration_level() -> None:
    index = SourceResult(
        source="internetdb", observations=(_obs("internetdb", "not_indexed", ExposureLevel.NONE, None),)
    )
    web = _surface(_inventory(), [], index)[IP]

    assert web.level is ExposureLevel.CONFIGURED
    assert [(s.source, s.listed, s.ports) for s in web.sources] == [("internetdb", False, ())]
    assert web.probe is None


def test_a_port_only_the_index_sees_is_observed_and_reported_apart_from_the_rules() -> None:
    index = SourceResult(
        source="shodan",
        observations=(
            _obs("shodan", "open_port", ExposureLevel.OBSERVED, 8080, service="Jenkins"),
            _obs("shodan", "vulnerability", ExposureLevel.OBSERVED, None, cves=("CVE-1", "CVE-2")),
            _obs("shodan", "vulnerability", ExposureLevel.OBSERVED, None, cves=("CVE-2",)),
        ),
    )
    web = _surface(_inventory(), [], index)[IP]

    assert web.level is ExposureLevel.OBSERVED
    (seen,) = web.sources
    assert (seen.listed, [(p.port, p.service) for p in seen.ports], seen.cves) == (
        True,
        [(8080, "Jenkins")],
        2,
    )
    assert [p.from_port for p in web.ports] == [80, 443]


def test_a_gap_keeps_the_reachable_level_and_is_named() -> None:
    reachable = _finding(
        instance_arn("i-web"), Status.FAIL, reachability="reachable", path=[{"detail": "0.0.0.0/0 -> igw-1"}]
    )
    gaps = SourceResult(source="shodan", gaps=(ExposureGap(source="shodan", host=IP, reason="rate limited"),))
    web = _surface(_inventory(), [reachable], gaps)[IP]

    assert (web.level, web.reachability) == (ExposureLevel.REACHABLE, "reachable")
    assert web.evidence == "config: reachable: 0.0.0.0/0 -> igw-1"
    assert web.gaps == ("shodan: rate limited",)


def test_the_most_open_verdict_of_the_owners_findings_wins() -> None:
    findings = [
        _finding(sg_arn("sg-web"), Status.FAIL, reachability="blocked"),
        _finding(instance_arn("i-web"), Status.PASS, reachability="restricted"),
        _finding(sg_arn("sg-web"), Status.FAIL, reachability="attached to Internet-facing interfaces"),
    ]
    assert _surface(_inventory(), findings)[IP].reachability == "restricted"


def test_typed_network_facts_are_read_before_the_evidence() -> None:
    typed = _finding(instance_arn("i-web"), reachability="blocked").model_copy(
        update={"network": NetworkExposure(reachability="reachable")}
    )
    assert reachability_of(typed) == "reachable"
    assert reachability_of(_finding("x", reachability="blocked")) == "blocked"
    assert reachability_of(_finding("x")) == ""
    web = _surface(_inventory(), [typed])[IP]
    assert web.level is ExposureLevel.REACHABLE


def test_assets_whose_endpoints_name_the_host_are_owners_too() -> None:
    inv = _inventory()
    target = Target(host=IP, asset_ids=(sg_arn("sg-web"),))  # a target listing only the group
    (entry,) = build_surface([target], inv, [], [])
    assert set(entry.resource_ids) == {sg_arn("sg-web"), instance_arn("i-web")}
    assert entry.owner is not None and entry.owner.kind == "aws.ec2.instance"


def test_entries_come_strongest_first() -> None:
    index = SourceResult(
        source="shodan", observations=(_obs("shodan", "open_port", ExposureLevel.OBSERVED, 443),)
    )
    assert [
        e.endpoint for e in build_surface(targets_from_inventory(_inventory()), _inventory(), [], [index])
    ] == [
        IP,
        BARE,
    ]


def test_evidence_and_gaps_stay_on_one_line() -> None:
    banner = SourceResult(
        source="shodan",
        observations=(
            _obs("shodan", "open_port", ExposureLevel.OBSERVED, 443, summary="nginx\r\nX-Evil: 1\n"),
        ),
        gaps=(ExposureGap(source="probe", host=IP, reason="timed out\nafter 5 s"),),
    )
    web = _surface(_inventory(), [], banner)[IP]
    assert web.evidence == "shodan: nginx X-Evil: 1"
    assert web.gaps == ("probe: timed out after 5 s",)
