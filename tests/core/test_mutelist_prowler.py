"""Prowler-layout mutelists: Prowler's matching rules, the alias table, unknown names, bad files.

Findings are built directly; the files are real files read by :func:`load_mutelist`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from cloudaudit.engine.mutelist import Mutelist, MutelistError, known_check_ids, load_mutelist
from cloudaudit.engine.mutelist_aliases import aliases
from cloudaudit.engine.registry import REGISTRY
from cloudaudit.model.enums import Status
from cloudaudit.model.finding import Finding
from cloudaudit.model.network import NetworkExposure, PortRange
from cloudaudit.plugins import load_all
from test_report_html import make_finding

ACCOUNT = "111122223333"
SSH_ALIAS = "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22"
ADMIN = "aws.ec2.sg_open_admin_ports"
DATABASE = "aws.ec2.sg_open_database_ports"
POLICY = "aws.s3.bucket_policy_public"
KNOWN = frozenset({ADMIN, DATABASE, POLICY, "aws.s3.bucket_versioning", "aws.s3.bucket_public_read_acl"})


def bucket_finding(name: str = "my-bucket", check: str = POLICY, **overrides: Any) -> Finding:
    values: dict[str, Any] = {
        "resource_id": f"arn:aws:s3:::{name}",
        "resource_name": name,
        "account": ACCOUNT,
    }
    values.update(overrides)
    return make_finding(check, **values)


def sg_finding(name: str, *ports: int, check: str = ADMIN, transport: Any = "tcp") -> Finding:
    return make_finding(
        check,
        service="ec2",
        resource_type="security_group",
        resource_id=f"arn:aws:ec2:us-east-1:{ACCOUNT}:security-group/sg-{name}",
        resource_name=name,
        account=ACCOUNT,
        network=NetworkExposure(ports=tuple(PortRange.single(p, transport) for p in ports)),
    )


def write(tmp_path: Path, text: str, name: str = "mutelist.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def prowler(checks: str, account: str = "*") -> str:
    """A Prowler-layout file with one account block; ``checks`` is the indented ``Checks`` body."""
    return f'Mutelist:\n  Accounts:\n    "{account}":\n      Checks:\n{checks}'


def entry(check: str, body: str = "") -> str:
    """One check entry muting everywhere, plus ``body`` lines (already indented by 10)."""
    return f'        "{check}":\n          Regions: ["*"]\n          Resources: ["*"]\n{body}'


def load(tmp_path: Path, text: str, known: frozenset[str] | None = KNOWN) -> Mutelist:
    return load_mutelist(write(tmp_path, text), known)


def status(mutelist: Mutelist, finding: Finding, tags: Mapping[str, str] | None = None, **kw: Any) -> Status:
    return mutelist.apply(finding, tags or {}, **kw).status


# --------------------------------------------------------------------------- matching, as Prowler


def test_a_prowler_check_name_mutes_its_aliases_with_the_reason(tmp_path: Path) -> None:
    mutes = load(
        tmp_path, prowler(entry("s3_bucket_public_access", '          Reason: "public downloads"\n'))
    )
    muted = mutes.apply(bucket_finding(), {})
    assert (muted.status, muted.muted_reason) == (Status.MUTED, "public downloads")
    assert status(mutes, bucket_finding(check="aws.s3.bucket_public_read_acl")) is Status.MUTED
    assert status(mutes, bucket_finding(check="aws.s3.bucket_versioning")) is Status.FAIL
    assert mutes.warnings == ()


def test_description_is_the_reason_and_a_default_names_the_entry(tmp_path: Path) -> None:
    described = load(tmp_path, prowler(entry("s3_bucket_public_access", "          Description: site\n")))
    assert described.apply(bucket_finding(), {}).muted_reason == "site"
    bare = load(tmp_path, prowler(entry("s3_bucket_public_access")))
    reason = bare.apply(bucket_finding(), {}).muted_reason
    assert reason == 'mutelist entry Accounts "*" Checks "s3_bucket_public_access" (line 6) (no Reason given)'


def test_the_account_key_is_the_account_exactly_or_a_star(tmp_path: Path) -> None:
    for account, expected in ((ACCOUNT, Status.MUTED), ("1111", Status.FAIL), ("*", Status.MUTED)):
        mutes = load(tmp_path, prowler(entry(POLICY), account=account))
        assert status(mutes, bucket_finding()) is expected, account


def test_check_keys_are_regexes_over_prowler_names_and_cloudaudit_ids(tmp_path: Path) -> None:
    for key in ("s3_*", "s3_bucket_public", "aws.s3.*", POLICY, "*"):
        mutes = load(tmp_path, prowler(entry(key)))
        assert status(mutes, bucket_finding()) is Status.MUTED, key
        assert mutes.warnings == (), key
    mutes = load(tmp_path, prowler(entry("rds_*")))
    assert status(mutes, bucket_finding()) is Status.FAIL


def test_resources_are_searched_anywhere_in_the_id_or_the_name(tmp_path: Path) -> None:
    mutes = load(
        tmp_path,
        prowler(f'        "{POLICY}":\n          Regions: ["*"]\n          Resources: ["logs", "^exact$"]\n'),
    )
    for name, expected in (
        ("ci-logs-replica", Status.MUTED),  # "logs" anywhere, as Prowler's re.search
        ("exact", Status.MUTED),  # the name alone matches ^exact$
        ("not-exact", Status.FAIL),
        ("data", Status.FAIL),
    ):
        assert status(mutes, bucket_finding(name)) is expected, name


def test_regions_are_a_list_of_patterns(tmp_path: Path) -> None:
    mutes = load(
        tmp_path,
        prowler(
            f'        "{POLICY}":\n          Regions: ["eu-.*", "us-west-2"]\n          Resources: ["*"]\n'
        ),
    )
    assert status(mutes, bucket_finding(region="eu-west-1")) is Status.MUTED
    assert status(mutes, bucket_finding(region="us-west-2")) is Status.MUTED
    assert status(mutes, bucket_finding(region="us-east-1")) is Status.FAIL


def test_tags_are_anded_and_a_bar_inside_one_item_is_or(tmp_path: Path) -> None:
    mutes = load(tmp_path, prowler(entry(POLICY, '          Tags: ["team=web", "env=dev|env=stage"]\n')))
    assert status(mutes, bucket_finding(), {"team": "web", "env": "stage"}) is Status.MUTED
    assert status(mutes, bucket_finding(), {"team": "web", "env": "dev"}) is Status.MUTED
    assert status(mutes, bucket_finding(), {"team": "web", "env": "prod"}) is Status.FAIL
    assert status(mutes, bucket_finding(), {"env": "dev"}) is Status.FAIL
    assert status(mutes, bucket_finding()) is Status.FAIL  # untagged


def test_exceptions_withdraw_the_mute_when_every_given_list_matches(tmp_path: Path) -> None:
    body = (
        '          Exceptions:\n            Accounts: ["111122223333"]\n            Regions: ["eu-west-1"]\n'
    )
    mutes = load(tmp_path, prowler(entry(POLICY, body)))
    assert status(mutes, bucket_finding(region="eu-west-1")) is Status.FAIL  # account and region
    assert status(mutes, bucket_finding(region="us-east-1")) is Status.MUTED  # region does not match
    assert status(mutes, bucket_finding(region="eu-west-1", account="999988887777")) is Status.MUTED


def test_exceptions_by_resource_and_tag(tmp_path: Path) -> None:
    body = '          Exceptions:\n            Resources: ["prod"]\n            Tags: ["env=prod"]\n'
    mutes = load(tmp_path, prowler(entry(POLICY, body)))
    assert status(mutes, bucket_finding("prod-data"), {"env": "prod"}) is Status.FAIL
    assert status(mutes, bucket_finding("prod-data"), {"env": "dev"}) is Status.MUTED
    assert status(mutes, bucket_finding("test-data"), {"env": "prod"}) is Status.MUTED


def test_empty_exceptions_except_nothing(tmp_path: Path) -> None:
    body = "          Exceptions: {Accounts: [], Regions: [], Resources: [], Tags: []}\n"
    assert status(load(tmp_path, prowler(entry(POLICY, body))), bucket_finding()) is Status.MUTED


def test_only_failures_are_muted(tmp_path: Path) -> None:
    mutes = load(tmp_path, prowler(entry("*")))
    for other in (Status.PASS, Status.UNKNOWN, Status.ERROR):
        assert status(mutes, bucket_finding(status=other)) is other


# --------------------------------------------------------------------------------- expiry


def test_expires_mutes_through_its_last_day_then_is_reported(tmp_path: Path) -> None:
    mutes = load(
        tmp_path, prowler(entry(POLICY, "          Reason: accepted\n          Expires: 2026-06-30\n"))
    )
    last = date(2026, 6, 30)
    assert status(mutes, bucket_finding(), today=last) is Status.MUTED
    assert status(mutes, bucket_finding(), today=last + timedelta(days=1)) is Status.FAIL
    assert mutes.expired(last) == []
    assert mutes.notes(last + timedelta(days=1)) == [
        f'mutelist entry Accounts "*" Checks "{POLICY}" (line 6) (accepted) expired on 2026-06-30; '
        "its findings are no longer muted"
    ]


# ------------------------------------------------------------------------ port-limited aliases


def test_a_port_alias_mutes_only_findings_about_its_ports(tmp_path: Path) -> None:
    mutes = load(tmp_path, prowler(entry(SSH_ALIAS)))
    assert status(mutes, sg_finding("bastion", 22)) is Status.MUTED
    assert status(mutes, sg_finding("jump", 22, 3389)) is Status.FAIL  # RDP was not accepted
    assert status(mutes, sg_finding("rdp", 3389)) is Status.FAIL
    assert status(mutes, sg_finding("udp", 22, transport="udp")) is Status.FAIL
    assert status(mutes, sg_finding("none")) is Status.FAIL  # no port named: nothing proves it is SSH


def test_a_regex_over_port_aliases_accepts_all_their_ports(tmp_path: Path) -> None:
    key = "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_(mysql|redis)"
    mutes = load(tmp_path, prowler(entry(key)))
    assert status(mutes, sg_finding("legacy", 3306, 6379, check=DATABASE)) is Status.MUTED
    assert status(mutes, sg_finding("pg", 3306, 5432, check=DATABASE)) is Status.FAIL


def test_the_all_ports_alias_is_not_limited(tmp_path: Path) -> None:
    mutes = load(tmp_path, prowler(entry("ec2_securitygroup_allow_ingress_from_internet_to_any_port")))
    everything = sg_finding("debug", check=ADMIN)
    assert status(mutes, everything) is Status.MUTED


# ------------------------------------------------------------------------------ unknown names


def test_unknown_names_are_reported_once_with_their_lines_and_mute_nothing(tmp_path: Path) -> None:
    text = prowler(entry("iam_user_hardware_mfa_enabled") + entry("s3_bucket_public_access"))
    text += (
        '    "222233334444":\n      Checks:\n' + entry("iam_user_hardware_mfa_enabled") + entry("nonsense.*")
    )
    mutes = load(tmp_path, text)
    (line,) = mutes.warnings
    assert line == (
        "mutelist check names that match no cloudaudit check and no alias "
        "(cloudaudit/data/mutelist_aliases.yaml) mute nothing: 'iam_user_hardware_mfa_enabled' (line 6), "
        "'iam_user_hardware_mfa_enabled' (line 14), 'nonsense.*' (line 17)"
    )
    assert mutes.notes() == [line]
    assert status(mutes, bucket_finding()) is Status.MUTED  # the known entry still works


def test_own_layout_reports_unknown_ids_and_hints_at_prowler_names(tmp_path: Path) -> None:
    text = "mutes:\n  - checks: [aws.s3.*, s3_bucket_public_access, gcp.nope.*]\n    reason: r\n"
    (line,) = load(tmp_path, text).warnings
    assert "'s3_bucket_public_access' (line 2; a Prowler name: write aws.s3.bucket_policy_public," in line
    assert "'gcp.nope.*' (line 2)" in line and "aws.s3.*" not in line


def test_unknown_names_are_not_looked_for_without_the_known_ids(tmp_path: Path) -> None:
    assert load(tmp_path, prowler(entry("iam_user_hardware_mfa_enabled")), known=None).warnings == ()


def test_an_entry_with_an_empty_list_is_reported(tmp_path: Path) -> None:
    mutes = load(
        tmp_path, prowler(f'        "{POLICY}":\n          Regions: []\n          Resources: ["*"]\n')
    )
    assert mutes.warnings == (
        f'mutelist entry Accounts "*" Checks "{POLICY}" (line 6) mutes nothing: its Regions list is empty',
    )
    assert status(mutes, bucket_finding()) is Status.FAIL


# ----------------------------------------------------------------------------- file variants


@pytest.mark.parametrize("root", ["Allowlist", "Mute List"])
def test_older_prowler_root_keys_are_read(tmp_path: Path, root: str) -> None:
    mutes = load(tmp_path, prowler(entry(POLICY)).replace("Mutelist:", f"{root}:"))
    assert status(mutes, bucket_finding()) is Status.MUTED


def test_a_json_prowler_file_is_read(tmp_path: Path) -> None:
    doc = {"Mutelist": {"Accounts": {"*": {"Checks": {POLICY: {"Regions": ["*"], "Resources": ["my-.*"]}}}}}}
    mutes = load_mutelist(write(tmp_path, json.dumps(doc), "mutelist.json"), KNOWN)
    assert status(mutes, bucket_finding()) is Status.MUTED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (prowler(f'        "{POLICY}":\n          Resources: ["*"]\n'), "line 6: Mutelist.Accounts.*.Checks"),
        (prowler(entry(POLICY, "          Reasn: typo\n")), "line 8: Mutelist.Accounts.*.Checks"),
        (prowler(entry(POLICY, "          Tags: ['(unclosed']\n")), "line 8: "),
        (prowler(entry("s3_(bucket")), "line 5: Mutelist.Accounts.*.Checks: 's3_(bucket' is not a valid"),
        (prowler(entry(POLICY), account="x").replace('"x"', "123456789012"), "123456789012 must be quoted"),
        (prowler(entry(POLICY, "          Expires: someday\n")), "line 8: Mutelist.Accounts.*.Checks"),
        (prowler(entry(POLICY, "          Exceptions:\n            Region: [x]\n")), "line 9: "),
        ("Mutelist:\n  Accounts: {}\nmutes: []\n", "line 3: mutes: Extra inputs are not permitted"),
        ('Mutelist:\n  Accounts:\n    "*":\n      Check: {}\n', "line 4: Mutelist.Accounts.*.Check"),
        (
            "Mutelist:\n  Accounts:\n    '*': {Checks: {'*': {Regions: [*], Resources: []}}}\n",
            "not valid YAML/JSON at line 3",
        ),
    ],
    ids=[
        "missing-regions",
        "unknown-key",
        "bad-regex",
        "bad-check-regex",
        "unquoted-account",
        "bad-date",
        "exception-typo",
        "two-layouts",
        "no-checks",
        "bad-yaml",
    ],
)
def test_a_malformed_prowler_file_is_one_line_naming_the_line(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(MutelistError) as excinfo:
        load_mutelist(path, KNOWN)
    message = str(excinfo.value)
    assert message.startswith(f"mutelist {path}") and "\n" not in message
    assert expected in message


# ------------------------------------------------------------------------------ the alias table


def test_every_alias_names_registered_checks_and_sane_ports() -> None:
    list(load_all())
    known = known_check_ids()
    table = aliases()
    assert len(table) > 100
    for name, targets in table.items():
        assert targets, name
        assert not name.startswith("_")
        for target in targets:
            assert target.check_id in known, (name, target.check_id)
            assert REGISTRY.get(target.check_id) is not None
            assert target.ports is None or all(0 < p < 65536 for p in target.ports), name
