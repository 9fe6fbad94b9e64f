"""Cosmos DB checks: an account every network reaches, and account keys left on.

"All networks" (public network access on, no IP rule, no virtual network filter) puts the account
endpoint on the Internet with only its keys or tokens in front of the data; IP rules that add up to
every address count the same. The shared firewall and TLS checks (``azure.cosmosdb.allows_azure_services``,
``azure.cosmosdb.min_tls_below_1_2``) are declared with the database servers'.
"""

from __future__ import annotations

from cloudaudit.engine.declarative import expect
from cloudaudit.engine.outcome import Outcome, fail, passed
from cloudaudit.engine.predicates import is_true
from cloudaudit.engine.registry import check
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit_azure.assets_cosmosdb import CosmosAccount
from cloudaudit_azure.checks.db_common import account_network


def _evidence(account: CosmosAccount) -> dict[str, object]:
    return {
        "public_network_access": account.public_network_access or "not set (Enabled)",
        "ip_rules": list(account.ip_rules),
        "is_virtual_network_filter_enabled": account.virtual_network_filter,
        "virtual_network_rules": list(account.virtual_network_rules),
    }


@check(
    id="azure.cosmosdb.open_to_all_networks",
    title="Cosmos DB account accepts requests from all networks",
    severity=Severity.HIGH,
    asset=CosmosAccount,
    requires=("public_network_access", "ip_rules", "virtual_network_filter"),
    rationale="""With public network access enabled, no IP rule and no virtual network filter, anyone on
        the Internet reaches the account endpoint: a leaked key or resource token is enough to read or
        change the data, and nothing limits where it is used from.""",
    remediation="""Limit the account to selected networks: az cosmosdb update --ip-range-filter
        203.0.113.10 --enable-virtual-network true (plus az cosmosdb network-rule add), or disable public
        network access (--public-network-access Disabled) and use private endpoints.""",
)
def open_to_all_networks(account: CosmosAccount, inventory: Inventory) -> Outcome:
    """Public access on with no IP rule and no virtual network filter, or IP rules covering the Internet."""
    facts = account_network(account)
    if account.all_networks:
        return fail(
            f"{account.subject} accepts requests from all networks on {account.address} (public network "
            "access enabled, no IP rule, no virtual network filter): only its keys or tokens protect the "
            "data.",
            _evidence(account),
            network=facts,
        )
    if account.open_to_internet:
        return fail(
            f"{account.subject} accepts requests from the whole Internet on {account.address}: its IP rules "
            f"{', '.join(account.ip_rules)} cover every public address.",
            _evidence(account),
            network=facts,
        )
    if not account.public:
        return passed(f"{account.subject} has public network access disabled.", _evidence(account), facts)
    rules = f"IP rules {', '.join(account.ip_rules)}" if account.ip_rules else "no IP rule"
    subnets = len(account.virtual_network_rules)
    return passed(
        f"{account.subject} accepts selected networks only ({rules}; {subnets} virtual network rule(s)).",
        _evidence(account),
        facts,
    )


expect(
    id="azure.cosmosdb.local_auth_enabled",
    title="Cosmos DB account accepts key-based (local) authentication",
    severity=Severity.MEDIUM,
    asset=CosmosAccount,
    attr="disable_local_auth",
    ok=is_true,
    pass_msg="Cosmos DB account {name} accepts Microsoft Entra ID (RBAC) authentication only.",
    fail_msg="Cosmos DB account {name} accepts its account keys and resource tokens (disableLocalAuth is "
    "false).",
    rationale="""Account keys grant full access to every database of the account, are shared secrets that
        leak into configuration files and code, and are not tied to an identity: their use cannot be
        traced to a person and they are revoked only by rotating them for everyone.""",
    remediation="""Move the clients to Microsoft Entra ID with Cosmos DB data-plane RBAC role assignments,
        then set disableLocalAuth: az cosmosdb update --ids ACCOUNT_ID --disable-local-auth true.""",
)
