"""The resource-policy analyser: does an AWS resource policy grant access to anyone?

Split by concern: :mod:`.statements` (parsing), :mod:`.principals` (who is "anyone"),
:mod:`.conditions` (what restricts), :mod:`.coverage` (Deny coverage), :mod:`.verdict`
(the public-access verdict); the public names are importable from this package.

Pure module (no boto3, no I/O), shared by S3 bucket policies and, later, API Gateway resource policies and
OpenSearch access policies.  ``analyse_policy`` never raises.

Semantics
---------
Parsing
    The policy is JSON text or a mapping; ``None``/``""`` is an empty policy (not public, no error).
    ``Statement`` is a dict or a list; Action/NotAction/Resource/NotResource and Principal values are a
    string or a list.  Statement keys, condition keys and (leniently) condition operators are matched
    case-insensitively.  Unknown but well-formed keys are ignored.
Malformed input
    Invalid JSON, a missing ``Statement``, ``Statement`` not a dict/list, a statement that is not a dict, an
    Effect other than Allow/Deny, a Principal/Action/Resource/Condition of the wrong type, or both ``X`` and
    ``NotX`` in one statement set ``error``; then ``grants`` is empty and callers must treat the verdict as
    UNKNOWN (``is_public`` is False then: check ``error`` first).
Anyone
    Only ``Effect: Allow`` grants.  "Anyone" is ``Principal: "*"``, ``{"AWS": "*"}``, an AWS list containing
    ``"*"``, ``{"CanonicalUser": "*"}``, or any Allow with ``NotPrincipal``.  Account/ARN/service principals
    are not anyone, and an Allow without Principal/NotPrincipal grants no one.  An Allow without Resource is
    read as Resource ``"*"``; an empty Action list grants nothing, an empty NotAction list grants everything.
Restricting condition (Allow)
    Conditions are ANDed, so one restricting entry makes the statement not public.  An entry restricts when
    its operator is positive (StringEquals, StringLike, StringEqualsIgnoreCase, ArnEquals, ArnLike, optionally
    ``ForAnyValue:``-prefixed; IpAddress, and only IpAddress, for aws:SourceIp), is not ``...IfExists`` nor
    ``ForAllValues:`` (both pass when the key is absent), its key is in ``RESTRICTING_KEYS`` and every value
    (values are ORed) is specific.  Negated operators (StringNotEquals, NotIpAddress, ...) never restrict an
    Allow; neither do other keys (aws:SecureTransport, s3:prefix, aws:UserAgent, aws:Referer - spoofable).
Specific values
    A value without ``*``/``?`` is specific (also under StringEquals, where ``*`` is literal, a bare wildcard
    counts as broad).  A value with wildcards is specific only when it pins an identity: an ARN with a fixed
    account field or, when the account field is empty (S3), a fixed first resource segment; any other id
    needs >= 8 fixed characters before its first wildcard once a generic ``vpce-``/``vpc-``/``o-``/``r-``/
    ``ou-``/``AIDA``/``AROA``... prefix is removed.  So ``*``, ``?*``, ``arn:*``, ``arn:aws:s3:::*``,
    ``arn:aws:iam::*:root``, ``vpce-*``, ``o-*``, ``AIDA*`` are broad.
    aws:SourceIp CIDRs are specific only when every CIDR parses and lies inside a private/reserved block
    (RFC 1918, loopback, link-local, 100.64.0.0/10, documentation ranges, 240.0.0.0/4, fc00::/7, ...) or is
    no broader than /8 (IPv4) or /32 (IPv6); IPv4-mapped IPv6 ranges are judged as IPv4.
Neutralising Deny ("deny unless")
    A public Allow grant is neutralised by one Deny whose ``Principal`` reaches anyone (NotPrincipal does not
    count) and which covers all of the grant's actions and resources, when the Deny is unconditional or all
    of its condition entries are negated (StringNotEquals, StringNotLike, StringNotEqualsIgnoreCase,
    ArnNotEquals, ArnNotLike, NotIpAddress for aws:SourceIp; ``...IfExists`` and ``ForAllValues:`` allowed,
    ``ForAnyValue:`` not, as it is false when the key is absent) on a restricting key with specific values.
    Action coverage: ``*``, ``<svc>:*`` or a pattern matching every action of the grant; a NotAction grant
    is covered only by ``*`` or ``<svc>:*`` where all its NotAction entries are of service ``svc``.  A Deny
    with NotAction covers only wildcard-free grant actions none of its NotAction entries match.  Resource
    coverage: Deny Resource ``*`` or, for each grant resource, an equal or wildcard-matching pattern; a Deny
    without Resource or with NotResource covers nothing.  Neutralised grants get a ``restricted`` note
    naming every neutralising Deny (sorted, so statement order does not matter).
Secure transport
    ``secure_transport_enforced`` is true when a Deny reaching anyone, with an Action ``*`` or ``<svc>:*``, is
    conditioned only on aws:SecureTransport = false (Bool or BoolIfExists, ``"false"`` or ``False``).
"""

from __future__ import annotations

from cloudaudit_aws.policy.conditions import RESTRICTING_KEYS
from cloudaudit_aws.policy.coverage import action_matches
from cloudaudit_aws.policy.s3_actions import S3_WRITE_ACTIONS
from cloudaudit_aws.policy.verdict import PolicyAnalysis, PublicGrant, analyse_policy

__all__ = [
    "RESTRICTING_KEYS",
    "S3_WRITE_ACTIONS",
    "PolicyAnalysis",
    "PublicGrant",
    "action_matches",
    "analyse_policy",
]
