"""Fingerprints (what makes two runs' findings the same finding) and the diff's classification."""

from __future__ import annotations

import hashlib
import json

import pytest

from cloudaudit.history.diff import Side, compare
from cloudaudit.history.fingerprint import fingerprint, item_of
from cloudaudit.history.model import FindingRef
from cloudaudit.model.finding import Finding
from history_support import finding

CHECK = "aws.s3.bucket_policy_public"


def _ref(f: Finding) -> FindingRef:
    return FindingRef.of(f)


def _side(*findings: Finding, checks: frozenset[str] | None = None, exposure: bool = False) -> Side:
    return Side([_ref(f) for f in findings], checks, exposure)


def test_fingerprint_is_the_documented_hash() -> None:
    f = finding(CHECK, "b1")
    key = ["aws", "111122223333", "us-east-1", CHECK, "arn:aws:s3:::b1", ""]
    expected = hashlib.sha256(json.dumps(key, separators=(",", ":")).encode()).hexdigest()
    assert fingerprint(f) == expected
    assert (
        fingerprint(f) == "e37b4a76bee27cc6e3bcef1055f0bcf7afb0f2d02db8ac107b5e8b80cf2ce2f9"
    )  # pinned: stored runs of every version keep matching


def test_fingerprint_ignores_what_may_move() -> None:
    f = finding(CHECK, "b1")
    moved = finding(CHECK, "b1", "MUTED", "low", message="other words", title="renamed", resource_name="x")
    assert fingerprint(f) == fingerprint(moved)
    for other in (
        finding("aws.s3.bucket_versioning", "b1"),
        finding(CHECK, "b2"),
        finding(CHECK, "b1", account="444455556666"),
        finding(CHECK, "b1", region="eu-west-1"),
        finding(CHECK, "b1", provider="gcp"),
    ):
        assert fingerprint(other) != fingerprint(f)


def test_exposure_findings_are_told_apart_by_endpoint_and_path() -> None:
    def seen(check: str, **evidence: str) -> Finding:
        return finding(check, "i-1", evidence=evidence)

    web = seen(
        "exposure.probe.http.exposed_file", source="probe", endpoint="203.0.113.10:80", path="/.git/config"
    )
    env = seen("exposure.probe.http.exposed_file", source="probe", endpoint="203.0.113.10:80", path="/.env")
    tls = seen("exposure.probe.http.exposed_file", source="probe", endpoint="203.0.113.10:443", path="/.env")
    gap = seen("exposure.not_checked", source="shodan", host="203.0.113.10", reason="timeout")
    assert item_of(web) == "203.0.113.10:80 /.git/config"
    assert item_of(gap) == "203.0.113.10"
    assert len({fingerprint(f) for f in (web, env, tls)}) == 3
    # another source seeing the same thing at the same place is the same finding
    assert fingerprint(
        seen("exposure.known_vulnerability", source="shodan", endpoint="203.0.113.10")
    ) == fingerprint(seen("exposure.known_vulnerability", source="internetdb", endpoint="203.0.113.10"))
    # a provider check's evidence never enters its fingerprint
    assert item_of(finding(CHECK, "b1", evidence={"endpoint": "x"})) == ""


@pytest.mark.parametrize(
    ("before", "after", "outcome"),
    [
        (None, "FAIL", "new"),
        ("PASS", "FAIL", "new"),
        ("FAIL", None, "resolved"),
        ("FAIL", "PASS", "resolved"),
        ("FAIL", "MUTED", "changed"),
        ("MUTED", "FAIL", "changed"),
        ("UNKNOWN", "FAIL", "changed"),
        ("FAIL", "UNKNOWN", "changed"),
        ("PASS", "UNKNOWN", "changed"),
        ("FAIL", "FAIL", "unchanged"),
        ("MUTED", "MUTED", "unchanged"),
        ("PASS", "PASS", None),
        (None, "PASS", None),
        (None, "MUTED", None),
        ("UNKNOWN", None, None),
    ],
)
def test_each_pair_of_statuses(before: str | None, after: str | None, outcome: str | None) -> None:
    old = [finding(CHECK, "b1", before)] if before else []
    new = [finding(CHECK, "b1", after)] if after else []
    changes = compare(_side(*old), _side(*new))
    got = {k: v for k, v in changes.counts().items() if v}
    assert got == ({outcome: 1} if outcome else {})
    if outcome == "changed":
        assert changes.changed[0].moved == ("status",)


def test_severity_and_exposure_moves_are_changes() -> None:
    from cloudaudit.exposure.model import Exposure, ExposureLevel

    observed = Exposure(level=ExposureLevel.OBSERVED)
    changes = compare(
        _side(finding(CHECK, "b1", severity="medium"), finding(CHECK, "b2")),
        _side(finding(CHECK, "b1", severity="critical"), finding(CHECK, "b2", exposure=observed)),
    )
    assert [(c.after.resource_name, c.moved) for c in changes.changed] == [
        ("b1", ("severity",)),
        ("b2", ("exposure",)),
    ]
    assert changes.changed[0].as_dict()["before"] == {
        "status": "FAIL",
        "severity": "medium",
        "exposure": "none",
    }


def test_findings_of_checks_that_did_not_run_in_both_are_not_compared() -> None:
    both = frozenset({CHECK})
    changes = compare(
        _side(
            finding(CHECK, "b1"),
            finding("aws.s3.bucket_versioning", "b1"),
            checks=frozenset({CHECK, "aws.s3.bucket_versioning"}),
        ),
        _side(finding(CHECK, "b1"), checks=both),
    )
    assert changes.counts() == {"new": 0, "resolved": 0, "changed": 0, "unchanged": 1}
    assert changes.not_compared == 1
    probe = finding("exposure.probe.redis.no_auth", "b1", evidence={"endpoint": "192.0.2.1:6379"})
    without_source = compare(_side(probe, checks=both, exposure=True), _side(checks=both, exposure=False))
    assert (without_source.resolved, without_source.not_compared) == ((), 1)
    with_source = compare(_side(probe, checks=both, exposure=True), _side(checks=both, exposure=True))
    assert [f.check_id for f in with_source.resolved] == ["exposure.probe.redis.no_auth"]


def test_findings_sharing_a_fingerprint_pair_by_message() -> None:
    def vuln(source: str, status: str = "FAIL") -> Finding:
        return finding(
            "exposure.known_vulnerability",
            "i-1",
            status,
            message=f"{source} reports CVE-1",
            evidence={"endpoint": "192.0.2.1"},
        )

    changes = compare(
        _side(vuln("shodan"), vuln("internetdb"), exposure=True), _side(vuln("internetdb"), exposure=True)
    )
    assert [f.message for f in changes.resolved] == ["shodan reports CVE-1"]
    assert changes.unchanged == 1


def test_new_findings_are_worst_first_and_filtered_by_severity() -> None:
    from cloudaudit.model.enums import Severity

    changes = compare(
        _side(),
        _side(
            finding(CHECK, "low", severity="low"),
            finding(CHECK, "crit", severity="critical"),
            finding(CHECK, "high"),
        ),
    )
    assert [f.resource_name for f in changes.new] == ["crit", "high", "low"]
    assert [f.resource_name for f in changes.new_at_least(Severity.HIGH)] == ["crit", "high"]
    assert changes.summary() == "3 new, 0 resolved, 0 changed, 0 unchanged"
