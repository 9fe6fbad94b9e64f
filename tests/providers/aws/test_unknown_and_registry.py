"""Registry metadata, UNKNOWN and ERROR semantics of the engine, and the mutelist."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from aws_build_apigateway import hardened_stage, rest_api, stage
from aws_build_rds import rds_cluster, rds_db
from aws_builders import (
    PROVIDER,
    WEBSITE,
    account_settings,
    acl_grant,
    all_traffic,
    bucket,
    bucket_arn,
    cors,
    hardened_bucket,
    instance,
    interface,
    inventory,
    network,
    owner_grant,
    public_policy,
    security_group,
    tcp,
)
from aws_cases import service_failing_assets
from cloudaudit.engine.declarative import expect, expect_each
from cloudaudit.engine.mutelist import Mute, Mutelist, MutelistError, load_mutelist
from cloudaudit.engine.outcome import Outcome, passed
from cloudaudit.engine.predicates import (
    Predicate,
    differs_from,
    equals,
    includes,
    is_false,
    is_set,
    is_true,
    none_of,
    positive,
)
from cloudaudit.engine.registry import REGISTRY, CheckRegistry, CheckSpec, RegistryError, check, validate
from cloudaudit.engine.runner import evaluate
from cloudaudit.model.asset import Asset
from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import Finding
from cloudaudit.model.inventory import Inventory
from cloudaudit_aws.assets import Instance, NetworkInterface, S3AccountSettings, S3Bucket, SecurityGroup
from cloudaudit_aws.assets_apigateway import ApiGatewayRestApi
from cloudaudit_aws.assets_rds import RdsCluster, RdsInstance
from cloudaudit_aws.plugin import plugin
from test_checks_aws import CASES

plugin.load()

AWS_CHECKS: list[CheckSpec] = [spec for spec in REGISTRY if spec.provider == PROVIDER]
AWS_SERVICES = "s3|ec2|rds|apigateway|apigatewayv2|elasticache|redshift|opensearch"
ID_PATTERN = re.compile(rf"^aws\.({AWS_SERVICES})\.[a-z0-9]+(_[a-z0-9]+)*$")

EXPECT_ONLY = {"aws.s3.bucket_default_encryption", "aws.s3.bucket_versioning", "aws.s3.bucket_access_logging"}
"""Declarative hardening checks the OWASP API framework files do not list (not API misconfigurations)."""
OWASP_API_2019, OWASP_API_2023 = "OWASP-API-Top10-2019", "OWASP-API-Top10-2023"


def by_id(specs: list[CheckSpec]) -> list[str]:
    return [s.id for s in specs]


# ---------------------------------------------------------------------------------- (a) the registry


def test_aws_checks_are_registered() -> None:
    assert len(AWS_CHECKS) >= 19
    assert {s.id for s in AWS_CHECKS} >= set(CASES)


@pytest.mark.parametrize("spec", AWS_CHECKS, ids=by_id(AWS_CHECKS))
def test_check_metadata(spec: CheckSpec) -> None:
    assert ID_PATTERN.match(spec.id), spec.id
    assert validate(spec) == []
    assert spec.asset.kind.startswith("aws.") and spec.asset.service == spec.id.split(".")[1]
    assert isinstance(spec.severity, Severity)
    for text in (spec.title, spec.rationale, spec.remediation):
        assert text.strip() and text == text.strip()
    assert not spec.title.endswith(".")
    assert set(spec.requires) <= set(spec.asset.model_fields)


@pytest.mark.parametrize("spec", AWS_CHECKS, ids=by_id(AWS_CHECKS))
def test_check_compliance_mapping(spec: CheckSpec) -> None:
    assert spec.compliance, f"{spec.id} maps to no framework"
    for framework, controls in spec.compliance.items():
        assert framework.strip() and controls and all(c.strip() for c in controls), (framework, controls)
    has_owasp = OWASP_API_2019 in spec.compliance or OWASP_API_2023 in spec.compliance
    if spec.id not in EXPECT_ONLY or has_owasp:
        assert "API7" in spec.compliance.get(OWASP_API_2019, ())
        assert "API8" in spec.compliance.get(OWASP_API_2023, ())


@pytest.mark.parametrize("spec", AWS_CHECKS, ids=by_id(AWS_CHECKS))
def test_check_has_fixture_with_both_verdicts(spec: CheckSpec) -> None:
    assert spec.id in CASES, f"add {spec.id} to a CASES table (tests/providers/aws/aws_cases_<service>.py)"
    c = CASES[spec.id]
    assert len(c.failing) >= 1 and len(c.passing) >= 1


def test_registry_rejects_invalid_and_duplicate_checks() -> None:
    reg = CheckRegistry()

    def ok(bucket: S3Bucket, inventory: Inventory) -> Outcome:
        return passed("fine")

    meta = {"title": "T", "severity": Severity.LOW, "asset": S3Bucket, "rationale": "R", "remediation": "F"}
    check(id="test.s3.fine", registry=reg, **meta)(ok)  # type: ignore[arg-type]
    with pytest.raises(RegistryError, match="duplicate id"):
        check(id="test.s3.fine", registry=reg, **meta)(ok)  # type: ignore[arg-type]
    with pytest.raises(RegistryError, match="id must look like"):
        check(id="Test.S3", registry=reg, **meta)(ok)  # type: ignore[arg-type]
    with pytest.raises(RegistryError, match="requires unknown attributes"):
        check(id="test.s3.typo", registry=reg, requires=("polcy",), **meta)(ok)  # type: ignore[arg-type]
    with pytest.raises(RegistryError, match="rationale is empty"):
        check(id="test.s3.empty", registry=reg, **{**meta, "rationale": "  "})(ok)  # type: ignore[arg-type]
    assert [s.id for s in reg] == ["test.s3.fine"]
    assert REGISTRY.get("test.s3.fine") is None


# ------------------------------------------------------------------------------------- (b) UNKNOWN

WORST_BUCKET = "worst-bucket"


def _worst_bucket() -> S3Bucket:
    """A bucket that fails every bucket check."""
    return bucket(
        WORST_BUCKET,
        acl_grants=(owner_grant(), acl_grant("READ"), acl_grant("WRITE")),
        policy=public_policy(WORST_BUCKET, ["s3:GetObject", "s3:PutObject"]),
        policy_is_public=True,
        website=WEBSITE,
        cors_rules=(cors(["*"], ["GET", "PUT"]),),
    )


FAILING_ASSETS: dict[type[Asset], Callable[[], Asset]] = {
    S3Bucket: _worst_bucket,
    S3AccountSettings: lambda: account_settings(None),
    SecurityGroup: lambda: security_group(
        "sg-worst",
        [all_traffic(), tcp(22), tcp(6379), tcp(8080)],
        public_ips=["54.210.0.99"],
        is_default=True,
    ),
    Instance: lambda: instance("i-worst", ["54.210.0.98"], ["sg-worst"]),
    NetworkInterface: lambda: interface("eni-worst", ["54.210.0.97"], ["sg-worst"]),
    **service_failing_assets(),
}
"""Per asset kind, a resource every check of that kind fails (before anything is made unread)."""

REQUIRED = [(spec, attr) for spec in AWS_CHECKS for attr in spec.requires]


def _with_context(resource: Asset) -> Inventory:
    """The resource plus what its checks look up: the security group of a host, the subnets of a DB.

    ``sg-worst`` opens every port to the Internet and ``PUBLIC_SUBNET`` routes to an Internet
    gateway, so a resource placed behind them is reachable.
    """
    extra = [] if isinstance(resource, SecurityGroup) else [FAILING_ASSETS[SecurityGroup]()]
    return inventory(resource, *extra, *network())


def _findings_on(spec: CheckSpec, resource: Asset) -> list[Finding]:
    return [f for f in evaluate(_with_context(resource), [spec]) if f.resource_id == resource.id]


def test_some_checks_declare_required_attributes() -> None:
    assert len(REQUIRED) >= 10
    assert all(spec.asset in FAILING_ASSETS for spec in AWS_CHECKS)


@pytest.mark.parametrize("spec", AWS_CHECKS, ids=by_id(AWS_CHECKS))
def test_baseline_resource_fails(spec: CheckSpec) -> None:
    """The UNKNOWN tests below start from a resource that really fails the check."""
    findings = _findings_on(spec, FAILING_ASSETS[spec.asset]())
    assert [f.status for f in findings] == [Status.FAIL]


@pytest.mark.parametrize(("spec", "attr"), REQUIRED, ids=[f"{spec.id}:{attr}" for spec, attr in REQUIRED])
def test_unread_required_attribute_gives_unknown(spec: CheckSpec, attr: str) -> None:
    reason = f"AccessDenied on Get{attr.title().replace('_', '')} (s3:Get*)"
    resource = FAILING_ASSETS[spec.asset]().model_copy(update={"unread": {attr: reason}})
    findings = _findings_on(spec, resource)
    assert len(findings) == 1
    f = findings[0]
    assert f.status is Status.UNKNOWN
    assert reason in f.message and attr in f.message
    assert f.evidence == {"unread": {attr: reason}}
    assert f.severity is spec.severity


@pytest.mark.parametrize(
    "spec", [s for s in AWS_CHECKS if s.requires], ids=by_id([s for s in AWS_CHECKS if s.requires])
)
def test_every_unread_reason_is_reported(spec: CheckSpec) -> None:
    unread = {attr: f"Throttling on {attr}" for attr in spec.requires}
    resource = FAILING_ASSETS[spec.asset]().model_copy(update={"unread": unread})
    (f,) = _findings_on(spec, resource)
    assert f.status is Status.UNKNOWN
    assert all(f"{attr}: Throttling on {attr}" in f.message for attr in spec.requires)


def test_unread_attribute_not_required_does_not_block_a_verdict() -> None:
    spec = REGISTRY.get("aws.s3.bucket_default_encryption")
    assert spec is not None and "versioning" not in spec.requires
    resource = _worst_bucket().model_copy(update={"unread": {"versioning": "AccessDenied"}})
    (f,) = _findings_on(spec, resource)
    assert f.status is Status.FAIL


POLICY_DEPENDENT = [
    "aws.s3.bucket_public_write",
    "aws.s3.bucket_policy_public",
    "aws.s3.bucket_website_public",
    "aws.s3.bucket_tls_not_enforced",
]
"""Checks whose verdict on a bucket without public ACL grants depends only on its policy."""


@pytest.mark.parametrize("check_id", POLICY_DEPENDENT)
def test_unparsable_policy_gives_unknown(check_id: str) -> None:
    """A policy that was fetched but could not be parsed is neither public nor private."""
    spec = REGISTRY.get(check_id)
    assert spec is not None and "policy" in spec.requires
    reason = "bucket policy is not valid JSON: Expecting value: line 1 column 1 (char 0)"
    resource = bucket("policy-unparsable", policy=None, policy_error=reason, website=WEBSITE)
    (f,) = _findings_on(spec, resource)
    assert f.status is Status.UNKNOWN, f"{check_id} said {f.status}: {f.message}"
    assert "not valid JSON" in f.message


# ------------------------------------------------------------------------------------ (c) ERROR


@pytest.fixture
def crashing_registry() -> Iterator[CheckRegistry]:
    """A private registry with one check that crashes on the bucket named "boom"."""
    reg = CheckRegistry()

    @check(
        id="test.s3.crashes_on_boom",
        title="Crashes on one bucket",
        severity=Severity.HIGH,
        asset=S3Bucket,
        rationale="Exercises the engine's crash isolation.",
        remediation="None.",
        registry=reg,
    )
    def crashes(bucket: S3Bucket, inventory: Inventory) -> Outcome:
        if bucket.name == "boom":
            raise RuntimeError("kaboom")
        return passed(f"{bucket.name} is fine")

    @check(
        id="test.s3.generator_crashes",
        title="Crashes after yielding",
        severity=Severity.LOW,
        asset=S3Bucket,
        rationale="Exercises crash isolation for generator checks.",
        remediation="None.",
        registry=reg,
    )
    def generator_crashes(bucket: S3Bucket, inventory: Inventory) -> Iterator[Outcome]:
        yield passed("first")
        if bucket.name == "boom":
            raise KeyError("missing")

    yield reg
    assert REGISTRY.get("test.s3.crashes_on_boom") is None


def test_crashing_check_becomes_error_and_others_still_run(crashing_registry: CheckRegistry) -> None:
    crash = crashing_registry.get("test.s3.crashes_on_boom")
    versioning = REGISTRY.get("aws.s3.bucket_versioning")
    assert crash is not None and versioning is not None
    inv = inventory(bucket("boom"), hardened_bucket("calm"))

    findings = evaluate(inv, [crash, versioning])

    got = {(f.check_id, f.resource_id): f for f in findings}
    assert set(got) == {
        (crash.id, bucket_arn("boom")),
        (crash.id, bucket_arn("calm")),
        (versioning.id, bucket_arn("boom")),
        (versioning.id, bucket_arn("calm")),
    }
    error = got[crash.id, bucket_arn("boom")]
    assert error.status is Status.ERROR
    assert "RuntimeError" in error.message and "kaboom" in error.message
    assert got[crash.id, bucket_arn("calm")].status is Status.PASS
    assert got[versioning.id, bucket_arn("boom")].status is Status.FAIL
    assert got[versioning.id, bucket_arn("calm")].status is Status.PASS


def test_generator_check_crashing_midway_is_an_error(crashing_registry: CheckRegistry) -> None:
    spec = crashing_registry.get("test.s3.generator_crashes")
    assert spec is not None
    findings = evaluate(inventory(bucket("boom"), bucket("calm")), [spec])
    statuses = {(f.resource_name, f.status) for f in findings}
    assert ("boom", Status.ERROR) in statuses
    assert ("calm", Status.PASS) in statuses
    assert ("boom", Status.PASS) not in statuses, "a crashed run must not also report a verdict"


def test_crash_does_not_hide_unknown() -> None:
    """Missing input is reported before the check runs, so a crash there stays UNKNOWN."""
    reg = CheckRegistry()

    @check(
        id="test.s3.needs_policy",
        title="Needs the policy",
        severity=Severity.MEDIUM,
        asset=S3Bucket,
        rationale="r",
        remediation="f",
        requires=("policy",),
        registry=reg,
    )
    def needs_policy(bucket: S3Bucket, inventory: Inventory) -> Outcome:
        raise AssertionError("must not run without its input")

    spec = reg.get("test.s3.needs_policy")
    assert spec is not None
    (f,) = evaluate(inventory(bucket("boom", unread={"policy": "AccessDenied"})), [spec])
    assert f.status is Status.UNKNOWN


# ------------------------------------------------------------------------------------ (d) mutelist

VERSIONING = "aws.s3.bucket_versioning"


def _versioning_inventory() -> Inventory:
    return inventory(
        bucket("sandbox-data", tags={"env": "sandbox", "team": "data"}),
        bucket("prod-data", tags={"env": "prod", "team": "data"}),
        bucket("untagged-data"),
        bucket("logs-2024", versioning="Suspended"),
        hardened_bucket("sandbox-versioned", tags={"env": "sandbox"}),
    )


def _statuses(
    mutelist: Mutelist, check_ids: tuple[str, ...] = (VERSIONING,)
) -> dict[tuple[str, str], Finding]:
    specs = [REGISTRY.get(c) for c in check_ids]
    assert all(specs)
    findings = evaluate(_versioning_inventory(), specs, mutelist)  # type: ignore[arg-type]
    return {(f.check_id, f.resource_name): f for f in findings}


def test_without_mutelist_failures_stay_failures() -> None:
    got = _statuses(Mutelist())
    assert [
        got[VERSIONING, n].status for n in ("sandbox-data", "prod-data", "untagged-data", "logs-2024")
    ] == [Status.FAIL] * 4
    assert got[VERSIONING, "sandbox-versioned"].status is Status.PASS


def test_mute_by_tags_mutes_matching_failures_only() -> None:
    mutes = Mutelist(
        mutes=(Mute(checks=("aws.s3.*",), tags={"env": "sandbox"}, reason="Sandbox is disposable"),)
    )
    got = _statuses(mutes)
    muted = got[VERSIONING, "sandbox-data"]
    assert muted.status is Status.MUTED
    assert muted.muted_reason == "Sandbox is disposable"
    for name in ("prod-data", "untagged-data", "logs-2024"):
        assert got[VERSIONING, name].status is Status.FAIL
        assert got[VERSIONING, name].muted_reason == ""
    passing = got[VERSIONING, "sandbox-versioned"]
    assert passing.status is Status.PASS and passing.muted_reason == ""


def test_all_tags_of_a_mute_must_match() -> None:
    mutes = Mutelist(mutes=(Mute(checks=(VERSIONING,), tags={"env": "sandbox", "team": "web"}, reason="r"),))
    assert _statuses(mutes)[VERSIONING, "sandbox-data"].status is Status.FAIL
    mutes = Mutelist(mutes=(Mute(checks=(VERSIONING,), tags={"env": "sandbox", "team": "data"}, reason="r"),))
    assert _statuses(mutes)[VERSIONING, "sandbox-data"].status is Status.MUTED


def test_mute_by_resource_glob_and_check_list() -> None:
    mutes = Mutelist(
        mutes=(Mute(checks=(VERSIONING,), resources=("arn:aws:s3:::logs-*",), reason="Write-once logs"),)
    )
    got = _statuses(mutes, (VERSIONING, "aws.s3.bucket_default_encryption"))
    assert got[VERSIONING, "logs-2024"].status is Status.MUTED
    assert got["aws.s3.bucket_default_encryption", "logs-2024"].status is Status.FAIL
    assert got[VERSIONING, "prod-data"].status is Status.FAIL


def test_mute_for_another_account_or_region_does_not_apply() -> None:
    for scope in ({"accounts": ("999988887777",)}, {"regions": ("eu-*",)}):
        mutes = Mutelist(mutes=(Mute(checks=(VERSIONING,), reason="r", **scope),))
        assert _statuses(mutes)[VERSIONING, "prod-data"].status is Status.FAIL, scope
    mutes = Mutelist(mutes=(Mute(checks=(VERSIONING,), reason="r", accounts=("1111*",), regions=("us-*",)),))
    assert _statuses(mutes)[VERSIONING, "prod-data"].status is Status.MUTED


def test_expired_mute_does_not_apply() -> None:
    expired = Mutelist(mutes=(Mute(checks=(VERSIONING,), reason="Was accepted", until=date(2020, 1, 31)),))
    assert _statuses(expired)[VERSIONING, "prod-data"].status is Status.FAIL
    current = Mutelist(
        mutes=(Mute(checks=(VERSIONING,), reason="Accepted", until=date.today() + timedelta(30)),)
    )
    assert _statuses(current)[VERSIONING, "prod-data"].status is Status.MUTED


def test_mute_applies_through_its_last_day() -> None:
    until = date(2026, 6, 30)
    mutes = Mutelist(mutes=(Mute(checks=(VERSIONING,), reason="r", until=until),))
    finding = _statuses(Mutelist())[VERSIONING, "prod-data"]
    assert mutes.apply(finding, {}, today=until).status is Status.MUTED
    assert mutes.apply(finding, {}, today=until + timedelta(days=1)).status is Status.FAIL


def test_only_failures_are_muted() -> None:
    mutes = Mutelist(mutes=(Mute(checks=("*",), reason="everything"),))
    spec = REGISTRY.get(VERSIONING)
    assert spec is not None
    inv = inventory(bucket("unread", unread={"versioning": "AccessDenied"}), hardened_bucket("fine"))
    statuses = {f.resource_name: f.status for f in evaluate(inv, [spec], mutes)}
    assert statuses == {"unread": Status.UNKNOWN, "fine": Status.PASS}


MUTELIST_YAML = """\
mutes:
  - checks: ["aws.s3.bucket_versioning"]
    resources: ["arn:aws:s3:::logs-*"]
    accounts: ["111122223333"]
    regions: ["*"]
    tags: {environment: sandbox}
    reason: "Log buckets are write-once"
    until: 2027-01-31
"""


def test_load_mutelist_reads_yaml(tmp_path: Path) -> None:
    path = tmp_path / "mutelist.yaml"
    path.write_text(MUTELIST_YAML)
    (mute,) = load_mutelist(path).mutes
    assert mute.checks == ("aws.s3.bucket_versioning",)
    assert mute.tags == {"environment": "sandbox"}
    assert mute.until == date(2027, 1, 31)
    assert mute.reason == "Log buckets are write-once"


def test_load_mutelist_reads_json_and_empty_files(tmp_path: Path) -> None:
    path = tmp_path / "mutelist.json"
    path.write_text('{"mutes": [{"checks": ["aws.ec2.*"], "reason": "lab account"}]}')
    (mute,) = load_mutelist(path).mutes
    assert (mute.checks, mute.resources, mute.reason) == (("aws.ec2.*",), ("*",), "lab account")
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert load_mutelist(empty).mutes == ()


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        ("mutes:\n  - checks: [aws.s3.*\n    reason: oops\n", "not valid YAML"),
        ('mutes:\n  - checks: ["aws.s3.bucket_versioning"]\n', "reason"),
        ('mutes:\n  - checks: ["aws.s3.*"]\n    reason: ""\n', "reason"),
        ('mutes:\n  - checks: ["aws.s3.*"]\n    reason: r\n    bogus_key: 1\n', "bogus_key"),
        ("mutes:\n  - checks: []\n    reason: r\n", "checks"),
        ('mutes:\n  - checks: ["aws.s3.*"]\n    reason: r\n    until: someday\n', "until"),
        ("mutez:\n  - checks: [aws.s3.*]\n", "mutez"),
    ],
    ids=[
        "bad-yaml",
        "missing-reason",
        "empty-reason",
        "unknown-key",
        "no-checks",
        "bad-date",
        "top-level-typo",
    ],
)
def test_load_mutelist_rejects_malformed_files_with_one_line_message(
    tmp_path: Path, text: str, mentions: str
) -> None:
    path = tmp_path / "mutelist.yaml"
    path.write_text(text)
    with pytest.raises(MutelistError) as excinfo:
        load_mutelist(path)
    message = str(excinfo.value)
    assert str(path) in message
    assert mentions in message.replace(str(path), "")
    assert "\n" not in message, f"message spans several lines: {message!r}"


def test_load_mutelist_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MutelistError, match="cannot read mutelist"):
        load_mutelist(tmp_path / "nope.yaml")


# ------------------------------------------------------------------- (e) richer declarations

DECLARED = {
    "title": "RDS DB {kind} has no deletion protection",
    "severity": Severity.LOW,
    "rationale": "R",
    "remediation": "F",
}


def _twin_registry() -> CheckRegistry:
    """One declaration for DB instances and DB clusters, limited to stand-alone instances."""
    reg = CheckRegistry()
    expect(
        id="test.rds.{kind}_deletion_protection",
        asset={RdsInstance: "instance", RdsCluster: "cluster"},
        attr="deletion_protection",
        ok=is_true,
        when=lambda db: not getattr(db, "cluster_identifier", ""),
        pass_msg="DB {kind} {name} is protected.",
        fail_msg="DB {kind} {name} has no deletion protection.",
        registry=reg,
        **DECLARED,  # type: ignore[arg-type]
    )
    return reg


def _declared(reg: CheckRegistry, *resources: Asset) -> dict[tuple[str, str], Finding]:
    return {(f.check_id, f.resource_name): f for f in evaluate(inventory(*resources), list(reg))}


def test_one_expect_covers_several_asset_types_with_one_check_id_each() -> None:
    reg = _twin_registry()
    assert [(s.id, s.asset, s.title) for s in reg] == [
        ("test.rds.instance_deletion_protection", RdsInstance, "RDS DB instance has no deletion protection"),
        ("test.rds.cluster_deletion_protection", RdsCluster, "RDS DB cluster has no deletion protection"),
    ]
    assert all(s.requires == ("deletion_protection",) for s in reg)


def test_multi_type_expect_pass_fail_and_unknown() -> None:
    unread = {"deletion_protection": "AccessDenied on DescribeDBClusters"}
    found = _declared(
        _twin_registry(),
        rds_db("db-ok"),
        rds_db("db-bad", deletion_protection=False),
        rds_cluster("cl-bad", deletion_protection=False),
        rds_cluster("cl-unread", deletion_protection=False).model_copy(update={"unread": unread}),
        rds_db("db-member", deletion_protection=False, cluster_identifier="cl-bad"),
    )
    inst, clus = "test.rds.instance_deletion_protection", "test.rds.cluster_deletion_protection"
    assert {k: f.status for k, f in found.items()} == {
        (inst, "db-ok"): Status.PASS,
        (inst, "db-bad"): Status.FAIL,
        (clus, "cl-bad"): Status.FAIL,
        (clus, "cl-unread"): Status.UNKNOWN,
    }, "a cluster member is outside the `when` of the instance check"
    assert found[clus, "cl-bad"].message == "DB cluster cl-bad has no deletion protection."
    assert found[inst, "db-bad"].evidence == {
        "deletion_protection": False,
        "expected": "deletion_protection is enabled",
    }
    assert "AccessDenied on DescribeDBClusters" in found[clus, "cl-unread"].message


def test_multi_type_declaration_needs_a_kind_in_its_id() -> None:
    with pytest.raises(RegistryError, match=r"needs a \{kind\} placeholder"):
        check(
            id="test.rds.protected",
            asset={RdsInstance: "instance", RdsCluster: "cluster"},
            registry=CheckRegistry(),
            **DECLARED,  # type: ignore[arg-type]
        )(lambda db, inv: passed("fine"))


traced = Predicate(
    "has X-Ray tracing on", lambda stage: stage.tracing_enabled, problem=lambda stage: "tracing off"
)


def _each_registry() -> CheckRegistry:
    """For each stage of the API, expect tracing; PRIVATE APIs are exempt."""
    reg = CheckRegistry()
    expect_each(
        id="test.apigateway.stage_tracing",
        title="Stage has tracing off",
        severity=Severity.LOW,
        asset=ApiGatewayRestApi,
        items="stages",
        ok=traced,
        exempt=lambda api: "API {name} is PRIVATE." if api.private else None,
        pass_msg="Every stage of API {name} is traced.",
        fail_msg="Stage(s) {failing} of API {name} are not traced ({details}).",
        rationale="R",
        remediation="F",
        registry=reg,
    )
    return reg


def test_child_collection_declaration_pass_fail_unknown_and_exempt() -> None:
    unread = {"stages": "AccessDenied on GetStages"}
    found = _declared(
        _each_registry(),
        rest_api("all-traced", stages=(hardened_stage("prod"), hardened_stage("dev"))),
        rest_api(
            "one-untraced", stages=(hardened_stage("prod"), hardened_stage("dev", tracing_enabled=False))
        ),
        rest_api("unread", stages=(stage("prod"),)).model_copy(update={"unread": unread}),
        rest_api("private", endpoint_types=("PRIVATE",), stages=(stage("prod"),)),
        rest_api("no-stage"),
    )
    statuses = {name: f.status for (_, name), f in found.items()}
    assert statuses == {
        "all-traced": Status.PASS,
        "one-untraced": Status.FAIL,
        "unread": Status.UNKNOWN,
        "private": Status.PASS,
    }, "an API without stages gets no stage finding"
    bad = found["test.apigateway.stage_tracing", "one-untraced"]
    assert bad.message == "Stage(s) dev of API one-untraced are not traced (dev: tracing off)."
    assert bad.evidence == {
        "stages": {"dev": "tracing off"},
        "expected": "each of stages has X-Ray tracing on",
    }
    assert found["test.apigateway.stage_tracing", "all-traced"].evidence == {"stages": ["prod", "dev"]}
    assert "AccessDenied on GetStages" in found["test.apigateway.stage_tracing", "unread"].message
    assert found["test.apigateway.stage_tracing", "private"].message == "API private is PRIVATE."


def test_named_predicates_read_as_requirements() -> None:
    assert (is_true.name, is_true(1), is_true(0), is_true.why(0)) == (
        "is enabled",
        True,
        False,
        "fails: is enabled",
    )
    default_user = none_of({"Admin", "root"}, "is not a default username")
    assert (default_user("ADMIN"), default_user("app_owner")) == (False, True)
    assert (positive(0), positive("7")) == (False, True)
    not_dev = differs_from("dev", "is not the default database")
    assert (not_dev("DEV"), not_dev("sales")) == (False, True)
    assert (is_set(None), is_set(""), is_false(True), is_false(False)) == (False, True, False, True)
    assert (equals("Enabled", "is Enabled")("Suspended"), includes("AUDIT_LOGS", "x")(("AUDIT_LOGS",))) == (
        False,
        True,
    )


@pytest.mark.parametrize(
    ("check_id", "expected"),
    [
        ("aws.s3.bucket_versioning", "versioning is Enabled"),
        ("aws.rds.instance_storage_encrypted", "storage_encrypted is enabled"),
        ("aws.apigateway.stage_access_logging", "each of stages writes access logs"),
        ("aws.apigatewayv2.stage_throttling_not_set", "each of stages has throttling limits"),
    ],
)
def test_a_failing_declared_check_names_its_predicate_in_the_evidence(check_id: str, expected: str) -> None:
    spec = REGISTRY.get(check_id)
    assert spec is not None
    (f,) = _findings_on(spec, FAILING_ASSETS[spec.asset]())
    assert f.status is Status.FAIL and f.evidence["expected"] == expected


def test_child_collection_details_list_each_item_problems_and_never_values() -> None:
    spec = REGISTRY.get("aws.apigateway.stage_secret_variables")
    assert spec is not None
    api = rest_api(
        "leaky",
        stages=(
            hardened_stage("prod", secret_variables=("dbPassword", "apiKey")),
            hardened_stage("dev"),
            hardened_stage("qa", secret_variables=("token",)),
        ),
    )
    (f,) = _findings_on(spec, api)
    assert f.message == (
        "Stage variables of API leaky look like secrets (prod: dbPassword, apiKey; qa: token); "
        "their values are not recorded."
    )
    assert f.evidence["stages"] == {"prod": ["dbPassword", "apiKey"], "qa": ["token"]}
