"""The evidence ladder: configuration findings graded by what sources observed (pure, no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aws_build_rds import RDS as rds_arn
from aws_build_rds import public_db, rds_db
from aws_builders import (
    PRIVATE_SUBNET,
    PUBLIC_SUBNET,
    instance,
    instance_arn,
    inventory,
    network,
    security_group,
    sg_arn,
    tcp,
)
from cloudaudit.engine.registry import REGISTRY
from cloudaudit.engine.runner import evaluate
from cloudaudit.errors import UsageError
from cloudaudit.exposure.correlate import correlate
from cloudaudit.exposure.model import ExposureGap, ExposureLevel, Observation, SourceResult
from cloudaudit.exposure.sources import ExposureOptions, parse_connect_to, parse_sources
from cloudaudit.exposure.stage import unused_mappings
from cloudaudit.exposure.targets import targets_from_inventory
from cloudaudit.model.asset import Endpoint
from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import Finding
from cloudaudit.model.inventory import Inventory
from cloudaudit_aws.assets import Instance
from cloudaudit_aws.plugin import plugin

plugin.load()

IP = "54.210.9.9"
SEEN = datetime(2024, 5, 1, 11, 0, tzinfo=UTC)
INSTANCE_CHECK = "aws.ec2.instance_exposed_sensitive_ports"


def _exposed(iid: str, group: str, port: int) -> Instance:
    """An instance with public IP ``IP`` and, as the collector records it, its open endpoint."""
    endpoint = Endpoint(host=IP, from_port=port, to_port=port, via=f"{group}: tcp/{port} from 0.0.0.0/0")
    return instance(iid, [IP], [group]).model_copy(update={"endpoints": (endpoint,)})


def _host() -> Inventory:
    """An instance with a public IP whose group opens Redis (6379) to the Internet."""
    return inventory(
        security_group("sg-redis", [tcp(6379)], public_ips=[IP]), _exposed("i-redis", "sg-redis", 6379)
    )


def _ssh() -> Inventory:
    """The same with SSH (22): high, not critical."""
    return inventory(security_group("sg-ssh", [tcp(22)], public_ips=[IP]), _exposed("i-ssh", "sg-ssh", 22))


def _findings(inv: Inventory, *check_ids: str) -> list[Finding]:
    specs = [s for s in (REGISTRY.get(c) for c in check_ids) if s is not None]
    return evaluate(inv, specs)


def obs(
    level: ExposureLevel, kind: str = "open_port", port: int | None = 6379, **extra: object
) -> Observation:
    source = {ExposureLevel.OBSERVED: "shodan"}.get(level, "probe")
    return Observation.model_validate(
        {
            "source": source,
            "host": IP,
            "kind": kind,
            "level": level,
            "summary": f"{kind} {port}",
            "seen_at": SEEN,
            "port": port,
            **extra,
        }
    )


def _graded(inv: Inventory, *observations: Observation, check: str = INSTANCE_CHECK) -> list[Finding]:
    result = SourceResult(source="test", observations=observations)
    return correlate(_findings(inv, check), inv, targets_from_inventory(inv), [result]).findings


def _one(findings: list[Finding], check_id: str, resource_id: str) -> Finding:
    (found,) = [f for f in findings if f.check_id == check_id and f.resource_id == resource_id]
    return found


def test_targets_merge_owners_and_open_ports_of_one_address() -> None:
    (target,) = targets_from_inventory(_host())
    assert target.host == IP and target.is_ip
    assert set(target.asset_ids) == {instance_arn("i-redis"), sg_arn("sg-redis")}
    assert [p.port for p in target.ports] == [6379]


def test_without_sources_a_failing_finding_is_configured_and_keeps_its_severity() -> None:
    (finding,) = _graded(_host())
    assert finding.exposure.level is ExposureLevel.CONFIGURED
    assert finding.severity is Severity.CRITICAL  # Redis has no auth by default: critical already


@pytest.mark.parametrize(
    ("level", "expected"),
    [(ExposureLevel.OBSERVED, ExposureLevel.OBSERVED), (ExposureLevel.CONFIRMED, ExposureLevel.CONFIRMED)],
)
def test_observation_on_the_findings_port_raises_the_rung(
    level: ExposureLevel, expected: ExposureLevel
) -> None:
    inv = _ssh()
    (finding,) = [f for f in _graded(inv, obs(level, port=22)) if f.check_id == INSTANCE_CHECK]
    assert finding.exposure.level is expected
    assert finding.severity is Severity.CRITICAL  # high, one step up
    assert [e.endpoint for e in finding.exposure.evidence] == [f"{IP}:22"]


def test_observation_on_another_port_does_not_raise_it() -> None:
    inv = _ssh()
    graded = _graded(inv, obs(ExposureLevel.OBSERVED, port=8443))
    finding = _one(graded, INSTANCE_CHECK, instance_arn("i-ssh"))
    assert finding.exposure.level is ExposureLevel.CONFIGURED and finding.severity is Severity.HIGH
    unexpected = _one(graded, "exposure.unexpected_open_port", instance_arn("i-ssh"))
    assert unexpected.severity is Severity.MEDIUM and "8443" in unexpected.message


def test_probe_seeing_no_auth_makes_the_database_exposure_exploitable_and_adds_its_own_finding() -> None:
    no_auth = obs(ExposureLevel.EXPLOITABLE, kind="misconfiguration", check="probe.redis.no_auth")
    graded = _graded(_host(), no_auth)
    finding = _one(graded, INSTANCE_CHECK, instance_arn("i-redis"))
    assert finding.exposure.level is ExposureLevel.EXPLOITABLE and finding.severity is Severity.CRITICAL
    own = _one(graded, "exposure.probe.redis.no_auth", instance_arn("i-redis"))
    assert own.severity is Severity.CRITICAL and own.service == "exposure"
    assert own.exposure.level is ExposureLevel.EXPLOITABLE


def test_unrelated_probe_misconfiguration_does_not_make_a_port_finding_exploitable() -> None:
    trace = obs(ExposureLevel.EXPLOITABLE, kind="misconfiguration", check="probe.http.trace_enabled")
    graded = _graded(_host(), trace)
    assert _one(graded, INSTANCE_CHECK, instance_arn("i-redis")).exposure.level is ExposureLevel.CONFIGURED
    assert (
        _one(graded, "exposure.probe.http.trace_enabled", instance_arn("i-redis")).severity is Severity.MEDIUM
    )


def test_nothing_seen_lowers_only_a_finding_whose_path_is_blocked() -> None:
    not_indexed = obs(ExposureLevel.NONE, kind="not_indexed", port=None)
    blocked_host = _exposed("i-ssh", "sg-ssh", 22).model_copy(update={"subnet_ids": (PRIVATE_SUBNET,)})
    inv = inventory(*network(), security_group("sg-ssh", [tcp(22)], public_ips=[IP]), blocked_host)
    (blocked,) = _graded(inv, not_indexed)
    assert blocked.status is Status.FAIL and blocked.severity is Severity.INFO  # low (no IGW route), -1
    assert blocked.exposure.evidence[0].source == "probe"
    (no_path_evidence,) = _graded(_ssh(), not_indexed)
    assert no_path_evidence.severity is Severity.HIGH  # path unknown: an index's silence proves little


def test_reachable_database_is_reachable_and_an_index_sighting_makes_it_observed() -> None:
    endpoint = Endpoint(host="db-pub.abc123.us-east-1.rds.amazonaws.com", from_port=5432, to_port=5432)
    db = public_db("db-pub", ("sg-pg",)).model_copy(update={"endpoints": (endpoint,)})
    inv = inventory(*network(), security_group("sg-pg", [tcp(5432)]), db)
    check = "aws.rds.instance_publicly_accessible"
    (alone,) = _graded(inv, check=check)
    assert alone.exposure.level is ExposureLevel.REACHABLE
    assert "igw" in alone.exposure.evidence[0].seen and PUBLIC_SUBNET in alone.exposure.evidence[0].seen
    host = "db-pub.abc123.us-east-1.rds.amazonaws.com"
    sighting = obs(ExposureLevel.OBSERVED, port=5432).model_copy(update={"host": host})
    (seen,) = _graded(inv, sighting, check=check)
    assert seen.exposure.level is ExposureLevel.OBSERVED and seen.severity is Severity.CRITICAL


def test_cves_become_a_vulnerability_finding_and_gaps_an_unknown_one() -> None:
    vuln = obs(ExposureLevel.OBSERVED, kind="vulnerability", cves=("CVE-2023-1234", "CVE-2024-9"))
    gap = ExposureGap(source="shodan", host=IP, reason="rate limited (429) after 3 tries")
    inv = _host()
    result = SourceResult(source="shodan", observations=(vuln,), gaps=(gap,))
    graded = correlate(_findings(inv, INSTANCE_CHECK), inv, targets_from_inventory(inv), [result]).findings
    cves = _one(graded, "exposure.known_vulnerability", instance_arn("i-redis"))
    assert cves.evidence["cves"] == ["CVE-2023-1234", "CVE-2024-9"] and cves.severity is Severity.HIGH
    unchecked = _one(graded, "exposure.not_checked", instance_arn("i-redis"))
    assert unchecked.status is Status.UNKNOWN and "429" in unchecked.message


def test_passing_findings_stay_off_the_ladder() -> None:
    inv = inventory(*network(), rds_db("db-private", vpc_security_group_ids=("sg-x",)))
    (finding,) = _graded(inv, check="aws.rds.instance_publicly_accessible")
    assert finding.status is Status.PASS and finding.exposure.level is ExposureLevel.NONE
    assert finding.resource_id == rds_arn("db", "db-private")


def test_security_group_findings_are_graded_only_by_observations_on_their_rules_ports() -> None:
    group = security_group("sg-mixed", [tcp(22), tcp(6379)], public_ips=[IP])
    inv = inventory(group, _exposed("i-mixed", "sg-mixed", 22))
    no_auth = obs(ExposureLevel.EXPLOITABLE, kind="misconfiguration", check="probe.redis.no_auth")
    checks = ("aws.ec2.sg_open_admin_ports", "aws.ec2.sg_open_database_ports")
    result = SourceResult(source="probe", observations=(no_auth,))
    graded = correlate(_findings(inv, *checks), inv, targets_from_inventory(inv), [result]).findings
    admin = _one(graded, "aws.ec2.sg_open_admin_ports", sg_arn("sg-mixed"))
    database = _one(graded, "aws.ec2.sg_open_database_ports", sg_arn("sg-mixed"))
    assert admin.exposure.level is ExposureLevel.CONFIGURED and admin.exposure.evidence == ()
    assert database.exposure.level is ExposureLevel.EXPLOITABLE and database.severity is Severity.CRITICAL


def test_connect_to_follows_curls_syntax() -> None:
    mapping = parse_connect_to("db.example.com:5432:127.0.0.1:15432")
    assert mapping.matches("DB.example.com", 5432) and not mapping.matches("db.example.com", 5433)
    assert mapping.resolve("db.example.com", 5432) == ("127.0.0.1", 15432)
    v6 = parse_connect_to("[2600:1f18::1]:443:[::1]:8443")
    assert v6.resolve("2600:1f18::1", 443) == ("::1", 8443)
    anything = parse_connect_to("::127.0.0.1:")
    assert anything.matches("x", 1) and anything.resolve("x", 80) == ("127.0.0.1", 80)
    with pytest.raises(UsageError, match="HOST:PORT:TARGET_HOST:TARGET_PORT"):
        parse_connect_to("a:1:b")
    with pytest.raises(UsageError, match="not a port"):
        parse_connect_to("a:http:b:2")


def test_exposure_sources_parse_and_refuse_unknown_names() -> None:
    specs = parse_sources("shodan, internetdb,shodan")
    assert [(s.name, s.argument) for s in specs] == [("shodan", ""), ("internetdb", "")]
    with pytest.raises(UsageError, match="unknown exposure source 'censys'"):
        parse_sources("censys")
    with pytest.raises(UsageError, match="file:PATH"):
        parse_sources("file")


def test_a_connect_to_that_matches_nothing_discovered_is_reported() -> None:
    targets = targets_from_inventory(_host())
    options = ExposureOptions(
        probe=True,
        connect_to=(
            parse_connect_to(f"{IP}:6379:127.0.0.1:1"),
            parse_connect_to("typo.example:443:127.0.0.1:2"),
        ),
    )
    (warning,) = unused_mappings(targets, options)
    assert warning.startswith("--connect-to typo.example:443: matches no endpoint")


def test_severity_steps_stop_at_the_ends_of_the_scale() -> None:
    assert Severity.HIGH.raised() is Severity.CRITICAL and Severity.CRITICAL.raised() is Severity.CRITICAL
    assert Severity.INFO.raised(2) is Severity.MEDIUM and Severity.LOW.lowered(3) is Severity.INFO
