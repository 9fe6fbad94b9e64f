"""Tests for the resource-policy analyser (cloudaudit_aws.policy)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudaudit_aws.policy import (
    S3_WRITE_ACTIONS,
    PolicyAnalysis,
    PublicGrant,
    action_matches,
    analyse_policy,
)

BUCKET = "arn:aws:s3:::my-bucket"
OBJECTS = "arn:aws:s3:::my-bucket/*"
ACCOUNT = "arn:aws:iam::111122223333:root"


def stmt(
    sid: str | None = "Public",
    effect: str = "Allow",
    principal: Any = "*",
    action: Any = "s3:GetObject",
    resource: Any = OBJECTS,
    condition: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    s: dict[str, Any] = {"Effect": effect, "Action": action, "Resource": resource}
    if sid is not None:
        s["Sid"] = sid
    if principal is not None:
        s["Principal"] = principal
    if condition is not None:
        s["Condition"] = condition
    s.update(extra)
    return s


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def sids(analysis: PolicyAnalysis) -> set[str]:
    return {g.sid for g in analysis.grants}


# ------------------------------------------------------------------------------------------- principals


def test_principal_star_get_object_is_public() -> None:
    a = analyse_policy(policy(stmt()))
    assert a.error == ""
    assert a.is_public
    assert len(a.grants) == 1
    g = a.grants[0]
    assert (g.sid, g.actions, g.resources, g.principal) == ("Public", ("s3:GetObject",), (OBJECTS,), '"*"')
    assert g.statement == stmt()
    assert a.restricted == ()


@pytest.mark.parametrize(
    ("principal", "label"),
    [
        ({"AWS": "*"}, "AWS:*"),
        ({"AWS": ["*"]}, "AWS:*"),
        ({"AWS": [ACCOUNT, "*"]}, "AWS:*"),
        ({"CanonicalUser": "*"}, "CanonicalUser:*"),
        (" * ", '"*"'),
    ],
)
def test_anyone_spellings(principal: Any, label: str) -> None:
    a = analyse_policy(policy(stmt(principal=principal)))
    assert a.is_public
    assert [g.principal for g in a.grants] == [label]


def test_not_principal_allow_is_public() -> None:
    s = stmt(principal=None, NotPrincipal={"AWS": ACCOUNT})
    a = analyse_policy(policy(s))
    assert a.is_public
    assert a.grants[0].principal == "NotPrincipal"


@pytest.mark.parametrize(
    "principal",
    [
        {"AWS": ACCOUNT},
        {"AWS": "111122223333"},
        {"AWS": [ACCOUNT, "arn:aws:iam::444455556666:role/r"]},
        {"Service": "cloudfront.amazonaws.com"},
        {"Federated": "cognito-identity.amazonaws.com"},
        {"AWS": []},
        None,
    ],
)
def test_specific_principals_are_not_public(principal: Any) -> None:
    a = analyse_policy(policy(stmt(principal=principal)))
    assert a.error == ""
    assert not a.is_public
    assert a.restricted == ()


def test_statement_as_single_dict_and_json_string() -> None:
    doc = {"Version": "2012-10-17", "Statement": stmt()}
    assert analyse_policy(doc).is_public
    assert analyse_policy(json.dumps(doc)).is_public
    assert sids(analyse_policy(json.dumps(doc))) == {"Public"}


def test_sid_fallback_is_statement_index() -> None:
    a = analyse_policy(policy(stmt(sid=None, principal=ACCOUNT), stmt(sid=None)))
    assert sids(a) == {"#1"}


def test_lists_and_unknown_keys() -> None:
    s = stmt(action=["s3:GetObject", "s3:ListBucket"], resource=[BUCKET, OBJECTS], Foo={"bar": 1})
    g = analyse_policy(policy(s)).grants[0]
    assert g.actions == ("s3:GetObject", "s3:ListBucket")
    assert g.resources == (BUCKET, OBJECTS)


def test_not_action_and_not_resource_are_reported_with_prefix() -> None:
    s = stmt(action=None, resource=None, NotAction=["s3:DeleteObject"], NotResource=BUCKET)
    del s["Action"], s["Resource"]
    g = analyse_policy(policy(s)).grants[0]
    assert g.actions == ("NOT:s3:DeleteObject",)
    assert g.resources == (f"NOT:{BUCKET}",)


def test_missing_resource_reads_as_star_and_empty_action_grants_nothing() -> None:
    s = stmt()
    del s["Resource"]
    assert analyse_policy(policy(s)).grants[0].resources == ("*",)
    assert not analyse_policy(policy(stmt(action=[]))).is_public


@pytest.mark.parametrize("policy_input", [None, "", "   "])
def test_empty_policy(policy_input: str | None) -> None:
    assert analyse_policy(policy_input) == PolicyAnalysis((), (), False, "")


# ------------------------------------------------------------------------------------------- conditions

RESTRICTING_CASES = [
    ("StringEquals", "aws:SourceVpce", "vpce-1a2b3c4d"),
    ("StringEquals", "aws:SourceVpc", "vpc-0a1b2c3d"),
    ("StringEquals", "aws:PrincipalOrgID", "o-a1b2c3d4e5"),
    ("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"),
    ("StringEquals", "aws:PrincipalAccount", "111122223333"),
    ("ArnLike", "aws:PrincipalArn", "arn:aws:iam::111122223333:role/*"),
    ("StringEquals", "aws:SourceAccount", "111122223333"),
    ("ArnEquals", "aws:SourceArn", "arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE"),
    ("ArnLike", "aws:SourceArn", "arn:aws:s3:::log-bucket/*"),
    ("StringEquals", "aws:SourceOwner", "111122223333"),
    ("StringLike", "aws:userid", "AROAEXAMPLEID123:*"),
    ("StringEqualsIgnoreCase", "aws:sourcevpce", "VPCE-1A2B3C4D"),
    ("ForAnyValue:StringEquals", "AWS:SOURCEVPCE", ["vpce-1a2b3c4d", "vpce-5e6f7a8b"]),
    ("stringequals", "aws:SourceVpce", "vpce-1a2b3c4d"),
    ("StringEquals", "aws:SourceAccount", 111122223333),
]


@pytest.mark.parametrize(("operator", "key", "value"), RESTRICTING_CASES)
def test_restricting_condition_makes_statement_not_public(operator: str, key: str, value: Any) -> None:
    a = analyse_policy(policy(stmt(condition={operator: {key: value}})))
    assert a.error == ""
    assert not a.is_public
    assert a.restricted == (f"Sid Public: restricted by {key}",)


NOT_RESTRICTING_CASES = [
    ("StringEqualsIfExists", "aws:SourceVpce", "vpce-1a2b3c4d"),
    ("ArnLikeIfExists", "aws:SourceArn", "arn:aws:s3:::log-bucket/*"),
    ("IpAddressIfExists", "aws:SourceIp", "10.0.0.0/8"),
    ("ForAllValues:StringEquals", "aws:PrincipalOrgID", "o-a1b2c3d4e5"),
    ("ForAllValues:StringLike", "aws:SourceVpce", "vpce-1a2b3c4d"),
    ("StringNotEquals", "aws:SourceVpce", "vpce-1a2b3c4d"),
    ("StringNotLike", "aws:PrincipalOrgID", "o-a1b2c3d4e5"),
    ("ArnNotEquals", "aws:SourceArn", "arn:aws:s3:::log-bucket"),
    ("NotIpAddress", "aws:SourceIp", "10.0.0.0/8"),
    ("StringEquals", "aws:SourceVpce", "*"),
    ("StringLike", "aws:SourceVpce", "?*"),
    ("StringLike", "aws:SourceVpce", "vpce-*"),
    ("StringLike", "aws:PrincipalOrgID", "o-*"),
    ("ArnLike", "aws:SourceArn", "arn:*"),
    ("ArnLike", "aws:SourceArn", "arn:aws:s3:::*"),
    ("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:root"),
    ("StringLike", "aws:userid", "AIDA*"),
    ("StringEquals", "aws:SourceVpce", ["vpce-1a2b3c4d", "*"]),
    ("StringEquals", "aws:SourceVpce", []),
    ("StringEquals", "aws:SourceVpce", ""),
    ("StringLike", "aws:Referer", "https://example.com/*"),
    ("StringEquals", "aws:Referer", "https://example.com/"),
    ("StringEquals", "aws:UserAgent", "my-agent"),
    ("Bool", "aws:SecureTransport", "true"),
    ("StringLike", "s3:prefix", "home/"),
    ("Null", "aws:SourceVpce", "false"),
    ("StringEquals", "aws:SourceIp", "10.0.0.1"),
    ("IpAddress", "aws:VpcSourceIp", "10.0.0.0/8"),
]


@pytest.mark.parametrize(("operator", "key", "value"), NOT_RESTRICTING_CASES)
def test_non_restricting_condition_keeps_statement_public(operator: str, key: str, value: Any) -> None:
    a = analyse_policy(policy(stmt(condition={operator: {key: value}})))
    assert a.error == ""
    assert a.is_public
    assert a.restricted == ()


def test_one_restricting_entry_among_others_restricts() -> None:
    cond = {
        "StringLike": {"aws:Referer": "https://example.com/*"},
        "StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"},
        "Bool": {"aws:SecureTransport": "true"},
    }
    assert analyse_policy(policy(stmt(condition=cond))).restricted == (
        "Sid Public: restricted by aws:SourceVpce",
    )


@pytest.mark.parametrize(
    ("cidr", "restricts"),
    [
        ("10.0.0.0/8", True),
        ("203.0.113.0/24", True),
        ("198.51.100.7", True),
        ("52.95.0.0/16", True),
        ("52.0.0.0/8", True),
        ("100.64.0.0/10", True),
        ("172.16.0.0/12", True),
        ("2001:db8::/32", True),
        ("2600:1f18::/36", True),
        ("fd00::/8", True),
        ("fc00::/7", True),
        ("240.0.0.0/4", True),
        ("::ffff:10.0.0.0/104", True),
        ("0.0.0.0/0", False),
        ("0.0.0.0/1", False),
        ("128.0.0.0/1", False),
        ("16.0.0.0/4", False),
        ("52.0.0.0/7", False),
        ("::/0", False),
        ("2000::/3", False),
        ("::ffff:0:0/96", False),
        ("not-a-cidr", False),
        ("10.0.0.0/33", False),
        (["10.0.0.0/8", "0.0.0.0/0"], False),
        (["10.0.0.0/8", "192.168.0.0/16"], True),
    ],
)
def test_source_ip_rule(cidr: Any, restricts: bool) -> None:
    a = analyse_policy(policy(stmt(condition={"IpAddress": {"aws:SourceIp": cidr}})))
    assert a.error == ""
    assert a.is_public is not restricts
    assert bool(a.restricted) is restricts


# --------------------------------------------------------------------------------------- neutralising Deny


def deny_unless(
    operator: str = "StringNotEquals",
    key: str = "aws:SourceVpce",
    value: Any = "vpce-1a2b3c4d",
    action: Any = "s3:*",
    resource: Any = (BUCKET, OBJECTS),
    principal: Any = "*",
    **extra: Any,
) -> dict[str, Any]:
    return stmt(
        sid="DenyOutside",
        effect="Deny",
        principal=principal,
        action=action,
        resource=list(resource) if isinstance(resource, tuple) else resource,
        condition={operator: {key: value}},
        **extra,
    )


def test_deny_unless_source_vpce_neutralises() -> None:
    a = analyse_policy(policy(stmt(action="s3:*"), deny_unless()))
    assert a.error == ""
    assert not a.is_public
    assert a.restricted == ("Sid Public: neutralised by Deny DenyOutside unless aws:SourceVpce",)


@pytest.mark.parametrize(
    "deny",
    [
        deny_unless(),
        deny_unless(action="*", resource="*"),
        deny_unless(principal={"AWS": "*"}),
        deny_unless(operator="StringNotEqualsIfExists"),
        deny_unless(operator="ForAllValues:StringNotEquals"),
        deny_unless(key="aws:PrincipalOrgID", value="o-a1b2c3d4e5"),
        deny_unless(operator="ArnNotLike", key="aws:PrincipalArn", value="arn:aws:iam::111122223333:*"),
        deny_unless(operator="NotIpAddress", key="aws:SourceIp", value=["10.0.0.0/8", "203.0.113.0/24"]),
        deny_unless(resource=("arn:aws:s3:::my-bucket*",)),
        stmt(sid="DenyAll", effect="Deny", action="*", resource="*"),
    ],
)
def test_neutralising_denies(deny: dict[str, Any]) -> None:
    a = analyse_policy(
        policy(stmt(action=["s3:GetObject", "s3:Get*", "s3:*"], resource=[BUCKET, OBJECTS]), deny)
    )
    assert a.error == ""
    assert not a.is_public
    assert len(a.restricted) == 1
    assert a.restricted[0].startswith("Sid Public: neutralised by ")


@pytest.mark.parametrize(
    "deny",
    [
        deny_unless(action="s3:GetObject"),
        deny_unless(action=["s3:Get*", "s3:Put*"]),
        deny_unless(resource=(OBJECTS,)),
        deny_unless(principal={"AWS": ACCOUNT}),
        deny_unless(principal=None, NotPrincipal={"AWS": ACCOUNT}),
        deny_unless(operator="StringNotEquals", value="*"),
        deny_unless(operator="StringNotLike", value="vpce-*"),
        deny_unless(operator="ForAnyValue:StringNotEquals"),
        deny_unless(operator="StringEquals"),
        deny_unless(operator="NotIpAddress", key="aws:SourceIp", value="0.0.0.0/0"),
        deny_unless(key="aws:Referer", value="https://example.com/"),
        deny_unless(operator="Bool", key="aws:SecureTransport", value="false"),
        stmt(
            sid="DenyBoth",
            effect="Deny",
            action="s3:*",
            resource="*",
            condition={
                "StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"},
                "Bool": {"aws:SecureTransport": "false"},
            },
        ),
    ],
)
def test_denies_that_do_not_neutralise_s3_star_grant(deny: dict[str, Any]) -> None:
    a = analyse_policy(policy(stmt(action="s3:*", resource=[BUCKET, OBJECTS]), deny))
    assert a.error == ""
    assert a.is_public
    assert sids(a) == {"Public"}


@pytest.mark.parametrize(
    ("grant_actions", "deny_actions", "neutralised"),
    [
        (["s3:GetObject", "s3:PutObject"], "s3:GetObject", False),
        (["s3:GetObject", "s3:PutObject"], ["s3:GetObject", "s3:PutObject"], True),
        (["s3:GetObject", "s3:PutObject"], ["s3:Get*", "s3:Put*"], True),
        ("s3:Get*", "s3:Get?", False),
        ("s3:Get*", "s3:GetObject", False),
        ("s3:Get*", "S3:GET*", True),
        ("s3:GetObject*", "s3:Get*", True),
        ("s3:Get?bject", "s3:Get*", True),
    ],
)
def test_deny_action_coverage(grant_actions: Any, deny_actions: Any, neutralised: bool) -> None:
    a = analyse_policy(policy(stmt(action=grant_actions), deny_unless(action=deny_actions)))
    assert a.error == ""
    assert a.is_public is not neutralised


def test_not_action_grant_needs_service_wide_deny() -> None:
    grant = stmt(action=None, NotAction=["s3:DeleteObject"])
    del grant["Action"]
    assert not analyse_policy(policy(grant, deny_unless(action="s3:*"))).is_public
    assert analyse_policy(policy(grant, deny_unless(action="s3:Get*"))).is_public
    assert analyse_policy(policy(grant, deny_unless(action="ec2:*"))).is_public


def test_deny_not_action_covers_only_unexcluded_concrete_actions() -> None:
    deny = deny_unless(action=None, NotAction="s3:PutObject")
    del deny["Action"]
    assert not analyse_policy(policy(stmt(action="s3:GetObject"), deny)).is_public
    assert analyse_policy(policy(stmt(action="s3:PutObject"), deny)).is_public
    assert analyse_policy(policy(stmt(action="s3:Get*"), deny)).is_public


def test_deny_statement_alone_is_never_public() -> None:
    a = analyse_policy(policy(stmt(effect="Deny", action="*", resource="*")))
    assert a.error == ""
    assert not a.is_public
    assert a.restricted == ()


def test_restricted_allow_plus_public_allow() -> None:
    a = analyse_policy(
        policy(
            stmt(sid="Vpc", condition={"StringEquals": {"aws:SourceVpc": "vpc-0a1b2c3d"}}),
            stmt(sid="Open", action="s3:ListBucket", resource=BUCKET),
        )
    )
    assert sids(a) == {"Open"}
    assert a.restricted == ("Sid Vpc: restricted by aws:SourceVpc",)


# ------------------------------------------------------------------------------------- secure transport


def secure_deny(**changes: Any) -> dict[str, Any]:
    base = stmt(
        sid="TLS",
        effect="Deny",
        action="s3:*",
        resource=[BUCKET, OBJECTS],
        condition={"Bool": {"aws:SecureTransport": "false"}},
    )
    base.update(changes)
    return base


@pytest.mark.parametrize(
    ("statement", "enforced"),
    [
        (secure_deny(), True),
        (secure_deny(Condition={"Bool": {"aws:SecureTransport": False}}), True),
        (secure_deny(Condition={"BoolIfExists": {"aws:SecureTransport": "false"}}), True),
        (secure_deny(Condition={"Bool": {"aws:securetransport": ["false"]}}), True),
        (secure_deny(Action="*"), True),
        (secure_deny(Principal={"AWS": "*"}), True),
        (secure_deny(Action="s3:GetObject"), False),
        (secure_deny(Condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}}), False),
        (secure_deny(Condition={"Bool": {"aws:SecureTransport": "true"}}), False),
        (secure_deny(Condition={"StringEquals": {"aws:SecureTransport": "false"}}), False),
        (secure_deny(Principal={"AWS": ACCOUNT}), False),
        (secure_deny(Effect="Allow"), False),
        (
            secure_deny(
                Condition={
                    "Bool": {"aws:SecureTransport": "false"},
                    "StringEquals": {"aws:UserAgent": "x"},
                }
            ),
            False,
        ),
        (stmt(effect="Deny", action="s3:*"), False),
    ],
)
def test_secure_transport_enforced(statement: dict[str, Any], enforced: bool) -> None:
    a = analyse_policy(policy(stmt(principal={"AWS": ACCOUNT}), statement))
    assert a.error == ""
    assert a.secure_transport_enforced is enforced


# ------------------------------------------------------------------------------------------ write grants


@pytest.mark.parametrize(
    ("key", "actions", "is_write"),
    [
        ("Action", "s3:*", True),
        ("Action", "s3:Put*", True),
        ("Action", "*", True),
        ("Action", ["s3:GetObject", "s3:DeleteObject"], True),
        ("Action", "S3:PUTOBJECT", True),
        ("NotAction", ["s3:GetObject"], True),
        ("Action", "s3:GetObject", False),
        ("Action", ["s3:Get*", "s3:List*"], False),
        ("NotAction", ["s3:*"], False),
        (
            "NotAction",
            ["s3:Put*", "s3:Delete*", "s3:Replicate*", "s3:Restore*", "s3:Abort*", "s3:Bypass*"],
            False,
        ),
    ],
)
def test_write_grants(key: str, actions: Any, is_write: bool) -> None:
    s = stmt()
    del s["Action"]
    s[key] = actions
    a = analyse_policy(policy(s))
    assert a.is_public
    assert bool(a.write_grants(S3_WRITE_ACTIONS)) is is_write
    assert a.write_grants(S3_WRITE_ACTIONS) == (a.grants if is_write else ())


def test_write_grants_only_returns_write_statements() -> None:
    a = analyse_policy(policy(stmt(sid="Read"), stmt(sid="Write", action="s3:PutObject")))
    assert [g.sid for g in a.write_grants(S3_WRITE_ACTIONS)] == ["Write"]


def test_s3_write_actions_content() -> None:
    for action in ("s3:PutObject", "s3:DeleteBucketPolicy", "s3:PutBucketAcl", "s3:ReplicateDelete"):
        assert action in S3_WRITE_ACTIONS
    assert not S3_WRITE_ACTIONS & {"s3:GetObject", "s3:ListBucket", "s3:GetBucketPolicy"}
    assert all(a.startswith("s3:") and "*" not in a for a in S3_WRITE_ACTIONS)


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("s3:Get*", "s3:GetObject", True),
        ("*", "ec2:RunInstances", True),
        ("S3:GETOBJECT", "s3:getobject", True),
        ("s3:Get?bject", "s3:GetObject", True),
        ("s3:*Object", "s3:PutObject", True),
        ("s3:Get*", "s3:PutObject", False),
        ("s3:GetObject", "s3:GetObjectAcl", False),
        ("s3:[GP]etObject", "s3:GetObject", False),
        ("s3:[GP]etObject", "s3:[GP]etObject", True),
    ],
)
def test_action_matches(pattern: str, action: str, expected: bool) -> None:
    assert action_matches(pattern, action) is expected


def test_public_grant_is_hashable() -> None:
    a = analyse_policy(policy(stmt()))
    assert hash(a) == hash(analyse_policy(policy(stmt())))


# ------------------------------------------------------------------------------------------ malformed


@pytest.mark.parametrize(
    "doc",
    [
        "{not json",
        '{"Statement": [',
        "[]",
        "42",
        '"*"',
        "{}",
        {"Statement": "Allow everything"},
        {"Statement": None},
        {"Statement": ["not a statement"]},
        {"Statement": [stmt(), 7]},
        policy(stmt(principal=42)),
        policy(stmt(principal=["*"])),
        policy(stmt(principal={"AWS": 5})),
        policy(stmt(principal={"AWS": ["*", None]})),
        policy(stmt(effect="Maybe")),
        policy({k: v for k, v in stmt().items() if k != "Effect"}),
        policy({k: v for k, v in stmt().items() if k != "Action"}),
        policy(stmt(action=5)),
        policy(stmt(resource={"a": 1})),
        policy(stmt(condition="aws:SourceVpce")),  # type: ignore[arg-type]
        policy(stmt(condition={"StringEquals": "vpce-1"})),
        policy(stmt(condition={"StringEquals": {"aws:SourceVpce": {"x": 1}}})),
        policy(stmt(NotPrincipal={"AWS": ACCOUNT})),
        policy(stmt(NotAction="s3:PutObject")),
        policy(stmt(NotPrincipal=3, principal=None)),
    ],
)
def test_malformed_sets_error_and_no_grants(doc: Any) -> None:
    a = analyse_policy(doc)
    assert a.error != ""
    assert not a.error.startswith("internal error")
    assert a.grants == ()
    assert not a.is_public


def test_malformed_json_message() -> None:
    assert analyse_policy("{not json").error.startswith("invalid JSON")


def test_non_mapping_input_never_raises() -> None:
    assert analyse_policy(b'{"Statement": []}').error  # type: ignore[arg-type]
    assert analyse_policy([stmt()]).error  # type: ignore[arg-type]


# =========================================================================================== properties

ANYONE = st.sampled_from(["*", {"AWS": "*"}, {"AWS": ["*"]}])
SPECIFIC_ARN = st.builds(
    lambda acct, kind: f"arn:aws:iam::{acct}:{kind}",
    st.from_regex(r"[0-9]{12}", fullmatch=True),
    st.sampled_from(["root", "role/app", "user/alice"]),
)
SPECIFIC = st.one_of(
    SPECIFIC_ARN.map(lambda arn: {"AWS": arn}),
    st.lists(SPECIFIC_ARN, min_size=1, max_size=3).map(lambda arns: {"AWS": arns}),
)
CONCRETE_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject", "s3:GetBucketAcl"]
ACTION_PATTERNS = [*CONCRETE_ACTIONS, "s3:Get*", "s3:Put*", "s3:*", "*"]
RESOURCES = [BUCKET, OBJECTS, "*", "arn:aws:s3:::other/*"]
RESTRICTING_KEYS = [
    "aws:SourceVpce",
    "aws:SourceVpc",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOwner",
    "aws:userid",
]
CONDITIONS = st.sampled_from(
    [
        None,
        {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
        {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
        {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
        {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        {"Bool": {"aws:SecureTransport": "false"}},
        {"StringLike": {"aws:Referer": "https://example.com/*"}},
    ]
)


def one_or_many(values: list[str]) -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(values), st.lists(st.sampled_from(values), min_size=1, max_size=3))


@st.composite
def statements(draw: st.DrawFn, principal: st.SearchStrategy[Any] | None = None) -> dict[str, Any]:
    s: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Deny"]))}
    who = draw(principal if principal is not None else st.one_of(ANYONE, SPECIFIC, st.just("NotPrincipal")))
    if who == "NotPrincipal":
        s["NotPrincipal"] = {"AWS": ACCOUNT}
    else:
        s["Principal"] = who
    s["NotAction" if draw(st.integers(0, 5)) == 0 else "Action"] = draw(one_or_many(ACTION_PATTERNS))
    s["Resource"] = draw(one_or_many(RESOURCES))
    condition = draw(CONDITIONS)
    if condition is not None:
        s["Condition"] = condition
    return s


def with_sids(stmts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"Sid": f"S{i}", **s} for i, s in enumerate(stmts)]


POLICIES = st.lists(statements(), max_size=6).map(with_sids)
NOT_WILD_TEXT = st.text(
    st.characters(codec="ascii", categories=["L", "N", "P"], exclude_characters="*?"), min_size=1, max_size=30
).filter(lambda v: v.strip() != "")


def not_mapped(ip: Any) -> bool:
    return ip.ipv4_mapped is None


def narrow_cidr() -> st.SearchStrategy[str]:
    v4 = st.tuples(st.ip_addresses(v=4), st.integers(8, 32)).map(lambda t: f"{t[0]}/{t[1]}")
    v6 = st.tuples(st.ip_addresses(v=6).filter(not_mapped), st.integers(32, 128)).map(
        lambda t: f"{t[0]}/{t[1]}"
    )
    return st.one_of(v4, v6)


@st.composite
def restricting_condition(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    key = draw(st.sampled_from([*RESTRICTING_KEYS, "aws:SourceIp"]))
    key = draw(st.sampled_from([key, key.lower(), key.upper()]))
    if key.lower() == "aws:sourceip":
        operator = draw(st.sampled_from(["IpAddress", "ForAnyValue:IpAddress"]))
        value: Any = draw(st.one_of(narrow_cidr(), st.lists(narrow_cidr(), min_size=1, max_size=3)))
    else:
        operator = draw(
            st.sampled_from(
                [
                    "StringEquals",
                    "StringLike",
                    "StringEqualsIgnoreCase",
                    "ArnEquals",
                    "ArnLike",
                    "ForAnyValue:StringEquals",
                    "ForAnyValue:StringLike",
                ]
            )
        )
        value = draw(st.one_of(NOT_WILD_TEXT, st.lists(NOT_WILD_TEXT, min_size=1, max_size=3)))
    return key, {operator: {key: value}}


def swap_principal(s: dict[str, Any], principal: Any) -> dict[str, Any]:
    out = {k: v for k, v in s.items() if k not in ("Principal", "NotPrincipal")}
    out["Principal"] = principal
    return out


def summary(a: PolicyAnalysis) -> tuple[bool, frozenset[str], int, bool, bool]:
    return a.is_public, frozenset(sids(a)), len(a.restricted), a.secure_transport_enforced, bool(a.error)


@given(POLICIES, st.integers(0, 10), st.data())
def test_prop_principal_spellings_are_equivalent(
    stmts: list[dict[str, Any]], pick: int, data: st.DataObject
) -> None:
    stmts = stmts or with_sids([data.draw(statements())])
    i = pick % len(stmts)
    results = set()
    for spelling in ("*", {"AWS": "*"}, {"AWS": ["*"]}):
        variant = [swap_principal(s, spelling) if j == i else s for j, s in enumerate(stmts)]
        a = analyse_policy(policy(*variant))
        assert a.error == ""
        results.add(summary(a))
    assert len(results) == 1


@given(POLICIES.flatmap(lambda ps: st.tuples(st.just(ps), st.permutations(ps))))
def test_prop_statement_order_does_not_matter(
    pair: tuple[list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    original, shuffled = pair
    a, b = analyse_policy(policy(*original)), analyse_policy(policy(*shuffled))
    assert a.error == b.error == ""
    assert summary(a) == summary(b)
    assert set(a.restricted) == set(b.restricted)


@given(POLICIES, ANYONE, restricting_condition(), one_or_many(ACTION_PATTERNS))
def test_prop_restricting_condition_makes_statement_non_public(
    others: list[dict[str, Any]], who: Any, cond: tuple[str, dict[str, Any]], actions: Any
) -> None:
    key, condition = cond
    public = {"Sid": "Target", "Effect": "Allow", "Principal": who, "Action": actions, "Resource": OBJECTS}
    before = analyse_policy(policy(*others, public))
    restricted = analyse_policy(policy(*others, {**public, "Condition": condition}))
    assert restricted.error == ""
    assert "Target" not in sids(restricted)
    assert f"Sid Target: restricted by {key}" in restricted.restricted
    assert sids(restricted) == sids(before) - {"Target"}


@given(st.lists(statements(), max_size=6).map(lambda ss: [{**s, "Effect": "Deny"} for s in ss]))
def test_prop_deny_only_policy_is_never_public(stmts: list[dict[str, Any]]) -> None:
    a = analyse_policy(policy(*stmts))
    assert a.error == ""
    assert not a.is_public
    assert a.grants == ()


@given(st.lists(statements(principal=st.one_of(SPECIFIC, ANYONE)), max_size=6))
def test_prop_specific_account_principals_are_never_public(stmts: list[dict[str, Any]]) -> None:
    stmts = [s if s["Effect"] == "Deny" else swap_principal(s, {"AWS": ACCOUNT}) for s in stmts]
    a = analyse_policy(policy(*stmts))
    assert a.error == ""
    assert not a.is_public


def _glob_match(pattern: str, action: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern.lower())
    return re.fullmatch(regex, action.lower()) is not None


def _deny_may_cover(s: dict[str, Any], action: str) -> bool:
    if s["Effect"] != "Deny":
        return False
    if "NotAction" in s:
        excluded = [s["NotAction"]] if isinstance(s["NotAction"], str) else s["NotAction"]
        return not any(_glob_match(p, action) for p in excluded)
    patterns = [s["Action"]] if isinstance(s["Action"], str) else s["Action"]
    return any(_glob_match(p, action) for p in patterns)


@given(POLICIES, st.sampled_from(CONCRETE_ACTIONS), ANYONE)
def test_prop_unconditioned_public_allow_makes_policy_public(
    stmts: list[dict[str, Any]], action: str, who: Any
) -> None:
    covered = {a for a in CONCRETE_ACTIONS if any(_deny_may_cover(s, a) for s in stmts)}
    free = [a for a in [action, *CONCRETE_ACTIONS] if a not in covered]
    if not free:
        return
    extra = {"Sid": "Appended", "Effect": "Allow", "Principal": who, "Action": free[0], "Resource": OBJECTS}
    a = analyse_policy(policy(*stmts, extra))
    assert a.error == ""
    assert a.is_public
    assert "Appended" in sids(a)


JSON_LIKE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=25,
)
STATEMENT_KEYS = st.sampled_from(
    [
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    ]
)
STATEMENT_VALUES = st.one_of(
    JSON_LIKE,
    st.sampled_from(["Allow", "Deny", "*", "s3:*", {"AWS": "*"}, {"StringEquals": {"aws:SourceVpce": "v"}}]),
)
FUZZ_STATEMENTS = st.dictionaries(STATEMENT_KEYS, STATEMENT_VALUES, max_size=9)
FUZZ_POLICIES = st.one_of(
    JSON_LIKE,
    st.builds(
        lambda ss: {"Statement": ss}, st.one_of(FUZZ_STATEMENTS, st.lists(FUZZ_STATEMENTS, max_size=4))
    ),
)


def check_valid(a: PolicyAnalysis) -> None:
    assert isinstance(a, PolicyAnalysis)
    assert not a.error.startswith("internal error"), a.error
    assert isinstance(a.secure_transport_enforced, bool)
    assert all(isinstance(n, str) for n in a.restricted)
    if a.error:
        assert a.grants == ()
        assert not a.is_public
    for g in a.grants:
        assert isinstance(g, PublicGrant)
        assert isinstance(g.sid, str) and g.sid
        assert all(isinstance(x, str) for x in (*g.actions, *g.resources))
        assert g.principal in ('"*"', "AWS:*", "CanonicalUser:*", "NotPrincipal")
    a.write_grants(S3_WRITE_ACTIONS)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(FUZZ_POLICIES)
def test_prop_never_raises_on_arbitrary_input(doc: Any) -> None:
    check_valid(analyse_policy(doc))
    try:
        text = json.dumps(doc)
    except (TypeError, ValueError):
        return
    check_valid(analyse_policy(text))
