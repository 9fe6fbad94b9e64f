"""Whole organizations: ``run --organization`` (and ``--accounts``, ``--exclude-accounts``, ``--ous``,
``--external-id``) against moto's Organizations and STS, through a proxy that refuses AssumeRole as
AWS does when the role is missing (aws_org.py). One combined report plus one per account."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from aws_org import (
    MANAGEMENT,
    ROLE,
    Organization,
    ProxyLog,
    account_client,
    give_role,
    organization,
    public_bucket,
    strict_sts_proxy,
    trust_policy,
)
from cloudaudit.cli.app import main
from cloudaudit.errors import ExitCode
from cloudaudit_aws.org_policy import ORGANIZATION_ACTIONS
from dask_cluster import local_cluster

S3_ONLY = ["--regions", "us-east-1", "--checks", "aws.s3.*"]
SESSION_NAME = re.compile(r"cloudaudit-\d{8}T\d{6}Z-[0-9a-f]{6}")


@dataclass(frozen=True)
class Org:
    """The emulated organization and the proxy's log."""

    ids: dict[str, str]
    units: dict[str, str]
    log: ProxyLog

    def arn(self, name: str) -> str:
        return f"arn:aws:iam::{self.ids[name]}:role/{ROLE}"


@pytest.fixture
def org(aws: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Org]:
    """Management account at the root; ``a`` in unit prod, ``b`` in prod/eu, ``c`` in dev (its audit
    role is missing), ``closed`` suspended. A public bucket in each; the SDK talks to the proxy."""
    made: Organization = organization(aws, {"a": "prod", "b": "prod/eu", "c": "dev", "closed": ""})
    for name in ("a", "b", "closed"):
        give_role(aws, made.accounts[name])
    for name in ("management", "a", "b", "c"):
        public_bucket(aws, made.accounts[name])
    boto3.client("organizations", endpoint_url=aws).close_account(AccountId=made.accounts["closed"])
    with strict_sts_proxy(aws) as (url, log):
        monkeypatch.setenv("AWS_ENDPOINT_URL", url)
        yield Org(made.accounts, made.units, log)


def _run(out: Path, *args: str) -> int:
    return main(["run", "-p", "aws", *S3_ONLY, *args, "-f", "json,html", "-o", str(out)])


def _doc(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text())
    return doc


def _failing_buckets(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (f["account"], f["resource_name"])
        for f in doc["findings"]
        if f["status"] == "FAIL" and f["resource_type"] == "aws.s3.bucket"
    }


def test_organization_audits_each_account_and_a_missing_role_is_a_gap(
    org: Org, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "reports"
    assert _run(out, "--organization") == ExitCode.OK

    doc = _doc(out / "findings.json")
    audited = sorted([MANAGEMENT, org.ids["a"], org.ids["b"]])
    assert doc["run"]["accounts"] == audited
    assert doc["run"]["incomplete"] is False
    assert {acct for acct, _ in _failing_buckets(doc)} == set(audited)
    assert (org.ids["a"], f"pub-{org.ids['a']}") in _failing_buckets(doc)
    (gap,) = doc["coverage"]
    assert (gap["account"], gap["service"], gap["operation"], gap["error_code"], gap["kind"]) == (
        org.ids["c"],
        "account",
        "AssumeRole",
        "AccessDenied",
        "denied",
    )
    assert org.arn("c") in gap["message"]
    assert org.ids["closed"] not in json.dumps(doc)  # suspended: neither audited nor a gap

    printed = capsys.readouterr().out
    assert f"not audited: account {org.ids['c']}: AccessDenied on AssumeRole" in printed
    assert f"wrote one report set per account (4) under {out / 'accounts'}" in printed


def test_each_account_has_its_own_report_set(org: Org, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    assert _run(out, "--organization") == ExitCode.OK
    combined = _doc(out / "findings.json")

    for name in ("management", "a", "b"):
        account = org.ids[name]
        folder = out / "accounts" / account
        doc = _doc(folder / "findings.json")
        assert doc["run"]["accounts"] == [account]
        assert doc["findings"] and {f["account"] for f in doc["findings"]} == {account}
        assert len(doc["findings"]) == sum(1 for f in combined["findings"] if f["account"] == account)
        assert doc["coverage"] == []
        inventory = _doc(folder / "inventory.json")
        assert {a["account"] for a in inventory["assets"]} == {account}
        html = (folder / "report.html").read_text()
        assert f"pub-{account}" in html
        others = {org.ids[n] for n in ("management", "a", "b")} - {account}
        assert not any(f"pub-{other}" in html for other in others)

    unreachable = _doc(out / "accounts" / org.ids["c"] / "findings.json")
    assert unreachable["findings"] == [] and unreachable["run"]["accounts"] == []
    assert [g["operation"] for g in unreachable["coverage"]] == ["AssumeRole"]
    assert (out / "accounts" / org.ids["c"] / "report.html").is_file()
    assert not (out / "accounts" / org.ids["closed"]).exists()


def test_roles_are_assumed_under_one_session_name_never_in_the_callers_account(
    org: Org, tmp_path: Path
) -> None:
    assert _run(tmp_path / "reports", "--organization") == ExitCode.OK

    assumed = org.log.assumed
    assert sorted(a["RoleArn"] for a in assumed) == sorted(org.arn(n) for n in ("a", "b", "c"))
    names = {a["RoleSessionName"] for a in assumed}
    assert len(names) == 1 and SESSION_NAME.fullmatch(names.pop())
    assert {a["DurationSeconds"] for a in assumed} == {"3600"}
    assert all("ExternalId" not in a for a in assumed)
    assert {"DescribeOrganization", "ListAccounts"} <= set(org.log.organizations)


def test_accounts_need_no_organizations_access(org: Org, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    listed = f"{org.ids['b']},{MANAGEMENT}"
    assert _run(out, "--accounts", listed, "--role-name", ROLE) == ExitCode.OK

    assert _doc(out / "findings.json")["run"]["accounts"] == [org.ids["b"], MANAGEMENT]
    assert org.log.organizations == []
    assert [a["RoleArn"] for a in org.log.assumed] == [org.arn("b")]  # the caller's own: no self-assume


def test_excluded_accounts_are_not_touched(org: Org, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    assert _run(out, "--organization", "--exclude-accounts", f"{org.ids['c']},{org.ids['a']}") == 0

    doc = _doc(out / "findings.json")
    assert doc["run"]["accounts"] == sorted([MANAGEMENT, org.ids["b"]])
    assert doc["coverage"] == []
    assert [a["RoleArn"] for a in org.log.assumed] == [org.arn("b")]


def test_units_select_their_accounts_and_those_of_nested_units(org: Org, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    assert _run(out, "--organization", "--ous", org.units["prod"]) == ExitCode.OK

    assert _doc(out / "findings.json")["run"]["accounts"] == sorted([org.ids["a"], org.ids["b"]])
    assert "ListAccounts" not in org.log.organizations
    assert {"ListAccountsForParent", "ListOrganizationalUnitsForParent"} <= set(org.log.organizations)


def test_the_caller_policy_names_every_organizations_call(org: Org, tmp_path: Path) -> None:
    assert _run(tmp_path / "all", "--organization") == ExitCode.OK
    assert _run(tmp_path / "units", "--organization", "--ous", org.units["prod/eu"]) == ExitCode.OK
    assert {f"organizations:{op}" for op in org.log.organizations} == set(ORGANIZATION_ACTIONS)


def test_external_id_is_sent_when_the_trust_policy_requires_it(
    org: Org, aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    iam = account_client(aws, org.ids["b"], "iam")
    iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=trust_policy("ext-4711"))
    accounts = ["--accounts", f"{org.ids['a']},{org.ids['b']}"]

    without = tmp_path / "without"
    assert _run(without, *accounts) == ExitCode.OK
    assert [g["account"] for g in _doc(without / "findings.json")["coverage"]] == [org.ids["b"]]
    assert f"not audited: account {org.ids['b']}" in capsys.readouterr().out

    with_id = tmp_path / "with"
    assert _run(with_id, *accounts, "--external-id", "ext-4711") == ExitCode.OK
    assert _doc(with_id / "findings.json")["coverage"] == []
    assert _doc(with_id / "findings.json")["run"]["accounts"] == [org.ids["a"], org.ids["b"]]
    assert [a.get("ExternalId") for a in org.log.assumed[-2:]] == ["ext-4711", "ext-4711"]
    assert "ext-4711" not in (with_id / "findings.json").read_text()


def test_assumed_credentials_are_renewed_before_they_expire(org: Org, tmp_path: Path) -> None:
    """STS answers credentials that expire in 5 minutes (inside botocore's 10-minute mandatory refresh
    window): the session assumes the role again rather than sign with credentials about to expire."""
    org.log.expires_in = 300
    out = tmp_path / "reports"
    assert _run(out, "--accounts", org.ids["a"]) == ExitCode.OK

    assert _doc(out / "findings.json")["coverage"] == []
    renewals = [a for a in org.log.assumed if a["RoleArn"] == org.arn("a")]
    assert len(renewals) > 1
    assert len({a["RoleSessionName"] for a in renewals}) == 1


def test_only_account_unreachable_fails_the_run(
    org: Org, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(tmp_path / "reports", "--accounts", org.ids["c"]) == ExitCode.RUNTIME
    err = capsys.readouterr().err
    assert f"error: cannot assume {org.arn('c')} (AccessDenied)" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ous", "ou-abcd-12345678"], "--ous applies to --organization or --accounts"),
        (["--accounts", "1234", "--ous", "ou-abcd-12345678"], "--accounts: '1234' is not a 12-digit"),
        (["--accounts", "111111111111", "--ous", "ou-abcd-12345678"], "--ous needs --organization"),
        (["--role-name", ROLE], "--role-name applies to --organization or --accounts"),
        (["--organization", "--role-name", "a b"], "--role-name 'a b' is not an IAM role name"),
        (["--organization", "--ous", "sales"], "--ous: 'sales' is not an organizational unit"),
        (["--organization", "--profile", "x,y"], "give one --profile with --organization or --accounts"),
    ],
)
def test_bad_scope_is_a_usage_error(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(tmp_path / "reports", *args) == ExitCode.USAGE
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ous", "ou-zzzz-zzzzzzzz"], "--ous: ou-zzzz-zzzzzzzz is not a unit or root of this organization"),
        (["--accounts", "999999999999"], "--accounts: not ACTIVE accounts of the organization: 999999999999"),
    ],
)
def test_organization_filters_name_what_exists(
    org: Org, args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(tmp_path / "reports", "--organization", *args) == ExitCode.USAGE
    assert message in capsys.readouterr().err


def test_excluding_every_account_is_a_usage_error(
    org: Org, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    every = ",".join(org.ids[n] for n in ("management", "a", "b", "c"))
    assert _run(tmp_path / "reports", "--organization", "--exclude-accounts", every) == ExitCode.USAGE
    assert "no account left to audit" in capsys.readouterr().err


def test_organization_outside_an_organization_points_at_accounts(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(tmp_path / "reports", "--organization") == ExitCode.USAGE
    err = capsys.readouterr().err
    assert f"account {MANAGEMENT} is not in an AWS Organization" in err
    assert "--accounts" in err


@pytest.fixture(scope="module")
def dask_scheduler() -> Iterator[str]:
    """An in-process Dask cluster on 127.0.0.1 (its workers share this process's environment, so they
    reach the organization's proxy); its ``dask://`` address."""
    with local_cluster() as address:
        yield address.replace("tcp://", "dask://")


def test_on_a_dask_cluster_the_workers_assume_each_accounts_role(
    org: Org, tmp_path: Path, dask_scheduler: str
) -> None:
    """The role to assume travels with each account's target: the units run on the workers read each
    member account as its role, and a missing role is still that account's gap."""
    out = tmp_path / "reports"
    assert _run(out, "--organization", "--executor", dask_scheduler) == ExitCode.OK

    doc = _doc(out / "findings.json")
    audited = sorted([MANAGEMENT, org.ids["a"], org.ids["b"]])
    assert doc["run"]["accounts"] == audited
    assert {acct for acct, _ in _failing_buckets(doc)} == set(audited)
    assert [(g["account"], g["operation"]) for g in doc["coverage"]] == [(org.ids["c"], "AssumeRole")]
    assert {a["RoleArn"] for a in org.log.assumed} == {org.arn(n) for n in ("a", "b", "c")}
    assert sorted(p.name for p in (out / "accounts").iterdir()) == sorted([*audited, org.ids["c"]])
