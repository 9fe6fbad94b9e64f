"""API Management policy XML: what a document's inbound section decides (parse_policy), and how the
scopes nest through <base /> for a request without a subscription key (access)."""

from __future__ import annotations

import time

import pytest

from cloudaudit_azure.apim_xml import MAX_POLICY_BYTES, parse_policy
from cloudaudit_azure.assets_apimanagement import (
    ApimApi,
    ApimPolicy,
    ApimProduct,
    AuthStatement,
    Layer,
    access,
    inbound_chain,
)
from cloudaudit_azure.fake.model_apim import VALIDATE_JWT, cors, policies

JWT = AuthStatement(policy="validate-jwt", detail="header Authorization")
BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE policies ['
    '<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    + ']><policies><inbound><check-header name="&i;" /></inbound></policies>'
)
"""10**9 characters once its entities are expanded, a few hundred bytes as text."""
XXE = (
    '<?xml version="1.0"?><!DOCTYPE policies [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    '<policies><inbound><base /><set-header name="x"><value>&secret;</value></set-header>'
    "</inbound></policies>"
)


def parsed(inbound: str, **fragments: str | None) -> ApimPolicy:
    return parse_policy(policies(inbound), {k.replace("_", "-"): v for k, v in fragments.items()})


# ---------------------------------------------------------------- one document


def test_validate_jwt_with_base_authenticates_and_inherits() -> None:
    policy = parsed(f"<base />{VALIDATE_JWT}")
    assert policy.problem == ""
    assert policy.inherits is True
    assert policy.authentication == (JWT,)


def test_a_section_without_base_does_not_inherit() -> None:
    policy = parsed('<rate-limit calls="10" renewal-period="60" />')
    assert (policy.inherits, policy.authentication) == (False, ())


def test_a_document_without_inbound_runs_nothing_of_its_parents() -> None:
    policy = parse_policy("<policies><outbound><base /></outbound></policies>")
    assert (policy.problem, policy.inherits) == ("", False)


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (
            '<validate-azure-ad-token tenant-id="t-1" />',
            AuthStatement(policy="validate-azure-ad-token", detail="tenant t-1"),
        ),
        (
            '<validate-client-certificate validate-revocation="true" />',
            AuthStatement(policy="validate-client-certificate"),
        ),
        (
            '<check-header name="Authorization" failed-check-httpcode="401" />',
            AuthStatement(
                policy="check-header",
                detail="header Authorization, presence only: the backend must validate it",
            ),
        ),
        (
            '<check-header name="X-Secret" failed-check-httpcode="403"><value>s</value></check-header>',
            AuthStatement(policy="check-header", detail="header X-Secret"),
        ),
        (
            '<validate-jwt query-parameter-name="token"><issuers><issuer>i</issuer></issuers></validate-jwt>',
            AuthStatement(policy="validate-jwt", detail="token"),
        ),
    ],
)
def test_each_kind_of_caller_authentication_counts(statement: str, expected: AuthStatement) -> None:
    assert parsed(f"<base />{statement}").authentication == (expected,)


@pytest.mark.parametrize(
    "statement",
    [
        '<check-header name="Content-Type" failed-check-httpcode="400" failed-check-error-message="json" />',
        '<authentication-managed-identity resource="api://backend" />',
        '<authentication-certificate thumbprint="0123456789ABCDEF" />',
        '<authentication-basic username="svc" password="{{backend-password}}" />',
        '<ip-filter action="forbid"><address>198.51.100.7</address></ip-filter>',
    ],
)
def test_what_does_not_authenticate_the_caller_does_not_count(statement: str) -> None:
    policy = parsed(f"<base />{statement}")
    assert policy.authentication == ()


def test_backend_credentials_are_kept_as_such() -> None:
    policy = parsed('<base /><authentication-managed-identity resource="api://backend" />')
    assert policy.backend_credentials == ("authentication-managed-identity",)


def test_cors_origins_and_credentials_are_read_as_written() -> None:
    policy = parsed(f"<base />{cors('*', credentials=True)}{cors('https://app.example.com')}")
    first, second = policy.cors
    assert (first.origins, first.any_origin, first.credentials) == (("*",), True, True)
    assert (second.origins, second.any_origin, second.credentials) == (
        ("https://app.example.com",),
        False,
        False,
    )


def test_an_allow_ip_filter_is_kept_with_its_addresses() -> None:
    policy = parsed(
        '<ip-filter action="allow"><address>198.51.100.7</address>'
        '<address-range from="203.0.113.0" to="203.0.113.255" /></ip-filter>'
    )
    (only,) = policy.ip_filters
    assert only.addresses == ("198.51.100.7", "203.0.113.0-203.0.113.255")


# ---------------------------------------------------------------- choose


def test_a_choose_authenticates_only_when_every_branch_does() -> None:
    both = parsed(
        f'<choose><when condition="@(true)">{VALIDATE_JWT}</when>'
        f"<otherwise>{VALIDATE_JWT}</otherwise></choose>"
    )
    assert both.authentication == (JWT, JWT) and both.conditional == ()
    one = parsed(
        '<choose><when condition="@(context.Request.Method == &quot;POST&quot;)">'
        f"{VALIDATE_JWT}</when></choose>"
    )
    assert one.authentication == () and one.conditional == (JWT,)


def test_a_401_branch_on_the_client_certificate_is_a_credential_check() -> None:
    gate = (
        '<choose><when condition="@(context.Request.Certificate == null '
        '|| !context.Request.Certificate.Verify())">'
        '<return-response><set-status code="403" reason="Invalid client certificate" /></return-response>'
        "</when></choose>"
    )
    (statement,) = parsed(f"<base />{gate}").authentication
    assert statement.policy == "choose"
    assert statement.detail.startswith("return-response 403 when @(context.Request.Certificate == null")


def test_a_401_branch_on_another_condition_is_only_conditional() -> None:
    gate = (
        '<choose><when condition="@(context.Request.Method == &quot;DELETE&quot;)">'
        '<return-response><set-status code="401" /></return-response></when></choose>'
    )
    policy = parsed(f"<base />{gate}")
    assert policy.authentication == ()
    assert [s.policy for s in policy.conditional] == ["choose"]


# ---------------------------------------------------------------- fragments


def test_an_included_fragment_counts_as_written_in_place() -> None:
    policy = parsed(
        '<base /><include-fragment fragment-id="jwt-check" />',
        jwt_check=f"<fragment>{VALIDATE_JWT}</fragment>",
    )
    assert policy.authentication == (JWT,)
    assert policy.fragments == ("jwt-check",)


def test_a_fragment_not_read_leaves_the_document_unanalysable() -> None:
    policy = parsed('<base /><include-fragment fragment-id="jwt-check" />')
    assert "policy fragment 'jwt-check', which was not read" in policy.problem


def test_a_malformed_fragment_says_so() -> None:
    policy = parsed('<include-fragment fragment-id="f" />', f="<fragment><validate-jwt></fragment>")
    assert policy.problem.startswith("its policy fragment 'f' cannot be analysed: malformed XML")


def test_fragments_including_each_other_stop_at_a_bound() -> None:
    loop = '<fragment><include-fragment fragment-id="f" /></fragment>'
    policy = parsed('<include-fragment fragment-id="f" />', f=loop)
    assert "nest deeper than" in policy.problem


# ---------------------------------------------------------------- untrusted documents


def test_malformed_xml_is_a_problem_with_its_reason() -> None:
    policy = parse_policy("<policies><inbound><validate-jwt></inbound></policies>")
    assert policy.problem.startswith("malformed XML (mismatched tag")
    assert policy.authentication == ()


def test_another_root_element_is_refused() -> None:
    assert parse_policy("<fragment />").problem == "the root element is <fragment>, not <policies>"


def test_entity_expansion_is_refused_without_expanding() -> None:
    started = time.monotonic()
    policy = parse_policy(BILLION_LAUGHS)
    assert time.monotonic() - started < 1
    assert "declares a DTD, entities or external references, refused" in policy.problem


def test_external_entities_are_never_resolved() -> None:
    policy = parse_policy(XXE)
    assert "refused" in policy.problem
    assert "root:" not in repr(policy)


def test_an_oversized_document_is_not_parsed() -> None:
    policy = parse_policy(policies("<base />" + "<!-- x -->" * (MAX_POLICY_BYTES // 10)))
    assert policy.problem == "the document is larger than 1024 KiB"


def test_a_rawxml_document_that_is_not_xml_says_its_format() -> None:
    raw = (
        '<policies><inbound><set-header name="a"><value>@(context.Request.Headers["x"] < 3)</value>'
        "</set-header></inbound></policies>"
    )
    policy = parse_policy(raw, fmt="rawxml")
    assert policy.problem.endswith("(format rawxml: not an XML document)")


def test_hostile_policy_text_is_kept_as_text() -> None:
    condition = (
        "@(context.Request.Headers.GetValueOrDefault(&quot;Authorization&quot;,&quot;&quot;) "
        "!= &quot;&lt;script&gt;x&lt;/script&gt;&quot;)"
    )
    gate = (
        f'<choose><when condition="{condition}"><return-response><set-status code="401" /></return-response>'
        "</when></choose>"
    )
    (statement,) = parsed(gate).authentication
    assert '"<script>x</script>"' in statement.detail


# ---------------------------------------------------------------- inheritance


def _api(
    policy: ApimPolicy | None = None,
    global_policy: ApimPolicy | None = None,
    products: tuple[ApimProduct, ...] = (),
    subscription_required: bool = False,
    unread: dict[str, str] | None = None,
) -> ApimApi:
    return ApimApi(
        provider="azure",
        account="s",
        region="eastus",
        id="/subscriptions/s/resourceGroups/g/providers/Microsoft.ApiManagement/service/svc/apis/orders",
        name="orders",
        policy=policy,
        global_policy=global_policy,
        products=products,
        subscription_required=subscription_required,
        unread=unread or {},
    )


JWT_POLICY = parsed(VALIDATE_JWT)  # no <base />
JWT_BASE = parsed(f"<base />{VALIDATE_JWT}")
BASE = parsed("<base />")
NO_BASE = parsed('<set-header name="x" exists-action="override"><value>1</value></set-header>')


def test_a_global_validate_jwt_covers_an_api_without_policy_and_one_with_base() -> None:
    for own in (None, BASE):
        (chain,) = access(_api(own, global_policy=JWT_POLICY)).chains
        assert chain.authenticated and chain.applied == ("API orders", "global")
        assert chain.authentication == (("global", JWT),)


def test_an_api_policy_without_base_drops_the_global_authentication() -> None:
    (chain,) = access(_api(NO_BASE, global_policy=JWT_POLICY)).chains
    assert not chain.authenticated
    assert (chain.applied, chain.stopped) == (("API orders",), "API orders")


def test_the_api_subscription_alone_keeps_requests_without_a_key_out() -> None:
    found = access(_api(subscription_required=True))
    assert found.key_required and found.chains == ()


def test_an_open_product_lets_requests_in_whatever_the_api_says_and_runs_its_policy() -> None:
    product = ApimProduct(name="free", subscription_required=False, policy=parsed(f"<base />{VALIDATE_JWT}"))
    (chain,) = access(_api(subscription_required=True, products=(product,))).chains
    assert chain.context == "open product free"
    assert chain.applied == ("API orders", "product free", "global")
    assert chain.authentication == (("product free", JWT),)


def test_a_protected_products_policy_does_not_run_for_requests_without_a_key() -> None:
    product = ApimProduct(name="gold", subscription_required=True, policy=JWT_BASE)
    (chain,) = access(_api(subscription_required=False, products=(product,))).chains
    assert chain.context == "the API does not require a subscription"
    assert chain.applied == ("API orders", "global") and not chain.authenticated


def test_an_open_product_without_base_stops_before_the_global_policy() -> None:
    product = ApimProduct(name="free", subscription_required=False, policy=NO_BASE)
    (chain,) = access(_api(products=(product,), global_policy=JWT_POLICY)).chains
    assert (chain.stopped, chain.authenticated) == ("product free", False)


def test_a_scope_not_read_makes_the_chain_undecided_unless_a_nearer_scope_authenticates() -> None:
    denied = {"global_policy": "AuthorizationFailed on policy.get"}
    found = access(_api(BASE, unread=denied))
    assert found.undecided == "the global policy was not read (AuthorizationFailed on policy.get)"
    assert access(_api(JWT_BASE, unread=denied)).open_chains == ()
    assert access(_api(JWT_BASE, unread=denied)).undecided == ""


def test_an_unanalysable_policy_on_the_way_is_a_problem() -> None:
    broken = parse_policy("<policies><inbound>")
    assert inbound_chain("c", [Layer("API orders", BASE), Layer("global", broken)]).problem.startswith(
        "the global policy cannot be analysed: malformed XML"
    )


def test_unlisted_products_leave_the_verdict_to_the_apis_own_policy() -> None:
    unread = {"products": "AuthorizationFailed on product.listByService"}
    assert access(_api(JWT_BASE, subscription_required=True, unread=unread)).chains[0].authenticated
    assert access(_api(BASE, subscription_required=True, unread=unread)).undecided.startswith(
        "its products were not read"
    )
    # no <base /> and no subscription: open whatever product it is in
    (chain,) = access(_api(NO_BASE, subscription_required=False, unread=unread)).open_chains
    assert chain.stopped == "API orders"
