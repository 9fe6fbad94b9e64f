"""Azure Storage checks: anonymous containers and the account setting that allows them, transport
security, Shared Key authorization, the account firewall, and recovery of deleted or overwritten blobs.

Their compliance controls (CIS Azure 3.0.0 section 4 and the others) are listed in the framework files
(``cloudaudit/data/frameworks``). Settings Azure leaves unset keep their documented meaning (see
:mod:`cloudaudit_azure.assets_storage`).
"""

from __future__ import annotations

from collections.abc import Iterable

from cloudaudit.engine.declarative import expect
from cloudaudit.engine.outcome import Outcome, fail, passed
from cloudaudit.engine.predicates import Predicate, is_true
from cloudaudit.engine.registry import check
from cloudaudit.exposure.proofs import LEGACY_TLS
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit.model.network import Hop, NetworkExposure, Reachability, ports_of
from cloudaudit_azure.assets_storage import MODERN_TLS, StorageAccount

_NETWORK = ("public_network_access", "network_default_action", "ip_rules")
"""The account fields deciding who reaches its endpoints (read with the account, named for clarity)."""

is_false: Predicate[object] = Predicate(
    "is false", lambda value: value is False, doc="explicitly false (unset means allowed)"
)
tls12: Predicate[object] = Predicate("is TLS1_2 or later", lambda value: str(value).upper() in MODERN_TLS)


def reachability(account: StorageAccount) -> Reachability:
    """``reachable`` (every network), ``restricted`` (IP rules only) or ``blocked``."""
    if account.open_to_all_networks:
        return "reachable"
    return "restricted" if account.internet_reachable else "blocked"


def endpoint_network(
    account: StorageAccount, ports: Iterable[int] = (443,), website: bool = True
) -> NetworkExposure | None:
    """The public blob (and static website) hostnames on ``ports``, with the firewall's verdict."""
    hosts = tuple(h for h in (account.blob_endpoint, account.web_endpoint if website else "") if h)
    if not hosts:
        return None
    firewall = (
        f"public network access {account.public_network_access or 'not set'}, default action "
        f"{account.network_default_action}, {len(account.ip_rules)} IP rule(s), "
        f"{len(account.virtual_network_rules)} virtual network rule(s)"
    )
    return NetworkExposure(
        addresses=hosts,
        ports=ports_of(ports),
        reachability=reachability(account),
        path=(
            Hop(hop="resource", id=account.id, detail=f"storage account {account.name}"),
            Hop(hop="firewall", id=account.id, detail=firewall),
        ),
    )


def _web_ports(account: StorageAccount) -> tuple[int, ...]:
    return (443,) if account.https_only else (80, 443)


# ---------------------------------------------------------------------------- anonymous access


@check(
    id="azure.storage.anonymous_container",
    title="Storage account serves a blob container to anonymous users",
    severity=Severity.HIGH,
    asset=StorageAccount,
    requires=("containers", "allow_blob_public_access", *_NETWORK),
    rationale="""A container whose access level is Blob lets anyone who knows or guesses a blob URL
        download it; Container also lets anyone list every blob, so the whole container can be
        harvested by tools that enumerate storage account names; forgotten public containers are a
        frequent cause of Azure data leaks. The account setting allowBlobPublicAccess false overrides
        every container's level (the finding then passes, neutralised). Severity: critical for
        Container and high for Blob when every network reaches the account, one step lower when its
        firewall admits only listed IP ranges, medium when it admits no Internet address (anonymous
        reads then come only from the virtual networks and private endpoints it admits).""",
    remediation="""Make the containers private (az storage container-rm update --resource-group RG
        --storage-account ACCOUNT --name CONTAINER --public-access off), then forbid anonymous access
        for the whole account: az storage account update --resource-group RG --name ACCOUNT
        --allow-blob-public-access false. Share data with short-lived user delegation SAS instead.""",
)
def anonymous_container(account: StorageAccount, inventory: Inventory) -> Outcome:
    """Critical for a listable container, high for readable blobs, lower behind the firewall (see the
    rationale)."""
    public = account.anonymous_containers
    if not public:
        return passed(f"No container of storage account {account.name} admits anonymous users.")
    labels = ", ".join(f"{c.name} ({c.public_access})" for c in public)
    evidence: dict[str, object] = {
        "containers": {c.name: c.public_access for c in public},
        "allow_blob_public_access": account.allow_blob_public_access,
    }
    if not account.blob_public_access_allowed:
        return passed(
            f"Containers of storage account {account.name} set to anonymous access ({labels}) are "
            "neutralised: the account disallows blob public access.",
            evidence,
        )
    listing = any(c.public_access == "Container" for c in public)
    verb = "list and read" if listing else "read"
    network = endpoint_network(account, _web_ports(account), website=False)
    if account.open_to_all_networks:
        severity, where = (Severity.CRITICAL if listing else Severity.HIGH), "from the Internet"
    elif account.internet_reachable:
        severity = Severity.HIGH if listing else Severity.MEDIUM
        where = f"from the addresses its firewall admits ({', '.join(account.ip_rules)})"
    else:
        severity, where = Severity.MEDIUM, "from the networks its firewall admits"
    if account.internet_reachable:
        evidence["reachable_through"] = account.network_path()
    return fail(
        f"Anyone can {verb} the blobs of storage account {account.name} {where}: {labels}.",
        evidence,
        severity,
        network,
    )


expect(
    id="azure.storage.blob_public_access_allowed",
    title="Storage account permits anonymous blob access",
    severity=Severity.MEDIUM,
    asset=StorageAccount,
    attr="allow_blob_public_access",
    ok=is_false,
    when=lambda account: account.has_blob_service,
    requires=("account_kind",),
    pass_msg="Storage account {name} disallows anonymous access to its blobs.",
    fail_msg="Storage account {name} lets any container be made anonymous (allowBlobPublicAccess: {value}).",
    rationale="""While allowBlobPublicAccess is true or not set (Azure documents an unset value as
        permitting anonymous access; accounts created before late 2023 often have none), one container
        switched to Blob or Container access publishes its data to the Internet. false is the guard rail
        that makes every container private whatever its own setting.""",
    remediation="""az storage account update --resource-group RG --name ACCOUNT
        --allow-blob-public-access false""",
)


# ---------------------------------------------------------------------------- transport


expect(
    id="azure.storage.minimum_tls_below_1_2",
    title="Storage account accepts TLS versions older than 1.2",
    severity=Severity.MEDIUM,
    asset=StorageAccount,
    attr="minimum_tls_version",
    ok=tls12,
    pass_msg="Storage account {name} requires {value} or later.",
    fail_msg="Storage account {name} accepts TLS versions older than 1.2 (minimum TLS version: {value}).",
    rationale="""TLS 1.0 and 1.1 have known weaknesses and are retired by PCI DSS and Azure's own
        guidance; a minimum below TLS1_2 lets clients (or a downgrading attacker) use them. An unset
        minimum accepts TLS 1.0.""",
    remediation="az storage account update --resource-group RG --name ACCOUNT --min-tls-version TLS1_2",
    network=endpoint_network,
    exploited_by=LEGACY_TLS,
)

expect(
    id="azure.storage.http_allowed",
    title="Storage account accepts unencrypted HTTP (secure transfer not required)",
    severity=Severity.HIGH,
    asset=StorageAccount,
    attr="https_only",
    ok=is_true,
    requires=_NETWORK,
    pass_msg="Storage account {name} requires secure transfer (HTTPS only).",
    fail_msg="Storage account {name} accepts plain HTTP requests: secure transfer required is off.",
    rationale="""With secure transfer off, the blob, file, queue and table endpoints answer plain HTTP:
        data, and the SAS tokens or Shared Key signatures of requests, cross the network readable and
        alterable. High when the Internet reaches the account, medium behind its firewall.""",
    remediation="az storage account update --resource-group RG --name ACCOUNT --https-only true",
    grade=lambda account, inventory: Severity.HIGH if account.internet_reachable else Severity.MEDIUM,
    network=lambda account: endpoint_network(account, (80,)),
)


# ---------------------------------------------------------------------------- authorization


expect(
    id="azure.storage.shared_key_access_allowed",
    title="Storage account accepts Shared Key authorization (account keys and SAS)",
    severity=Severity.MEDIUM,
    asset=StorageAccount,
    attr="allow_shared_key_access",
    ok=is_false,
    pass_msg="Storage account {name} accepts only Microsoft Entra ID authorization (Shared Key disallowed).",
    fail_msg="Storage account {name} accepts requests signed with its account keys "
    "(allowSharedKeyAccess: {value}).",
    rationale="""The account keys grant full access to every blob, file, queue and table, bypass RBAC
        and Conditional Access, and leave no identity in the logs; a leaked key or account SAS works
        until the key is rotated. Azure documents an unset allowSharedKeyAccess as permitting Shared
        Key.""",
    remediation="""Move clients to Microsoft Entra ID (RBAC data roles, user delegation SAS), then:
        az storage account update --resource-group RG --name ACCOUNT --allow-shared-key-access false""",
)


# ---------------------------------------------------------------------------- network


@check(
    id="azure.storage.network_open_to_all",
    title="Storage account firewall admits every network",
    severity=Severity.MEDIUM,
    asset=StorageAccount,
    requires=(*_NETWORK, "virtual_network_rules", "private_endpoints"),
    rationale="""With public network access enabled (or not set) and the firewall's default action
        Allow, the account's endpoints accept connections from the whole Internet, so a leaked key,
        SAS or anonymous container is usable from anywhere. Default action Deny admits only the listed
        IP ranges, subnets and trusted services; disabling public network access (CIS 4.6) leaves only
        private endpoints.""",
    remediation="""Admit only the networks that need the account: az storage account network-rule add
        --resource-group RG --account-name ACCOUNT --ip-address 203.0.113.0/24 (or --subnet ID), then
        az storage account update --resource-group RG --name ACCOUNT --default-action Deny; with private
        endpoints in place, --public-network-access Disabled.""",
)
def network_open_to_all(account: StorageAccount, inventory: Inventory) -> Outcome:
    """Fails when public network access is on and the firewall's default action is Allow."""
    evidence: dict[str, object] = {
        "public_network_access": account.public_network_access or None,
        "default_action": account.network_default_action,
        "bypass": account.network_bypass,
        "ip_rules": list(account.ip_rules),
        "virtual_network_rules": len(account.virtual_network_rules),
        "private_endpoints": [pe.name for pe in account.private_endpoints],
    }
    network = endpoint_network(account, _web_ports(account))
    if not account.public_network_enabled:
        return passed(
            f"Storage account {account.name} has public network access disabled (private endpoints only).",
            evidence,
            network,
        )
    if not account.open_to_all_networks:
        return passed(
            f"Storage account {account.name} admits only {len(account.ip_rules)} IP rule(s) and "
            f"{len(account.virtual_network_rules)} virtual network rule(s) (default action Deny).",
            evidence,
            network,
        )
    return fail(
        f"Storage account {account.name} accepts connections from every network ({account.network_path()}).",
        evidence,
        network=network,
    )


# ---------------------------------------------------------------------------- recovery


@check(
    id="azure.storage.blob_soft_delete_disabled",
    title="Storage account does not keep deleted blobs and containers (soft delete off)",
    severity=Severity.LOW,
    asset=StorageAccount,
    requires=("blob_soft_delete_days", "container_soft_delete_days"),
    rationale="""Without blob and container soft delete, a mistaken or malicious delete (ransomware or a
        stolen key) is final; soft delete keeps deleted data restorable for the retention period.""",
    remediation="""az storage account blob-service-properties update --resource-group RG --account-name
        ACCOUNT --enable-delete-retention true --delete-retention-days 14
        --enable-container-delete-retention true --container-delete-retention-days 14""",
)
def blob_soft_delete_disabled(account: StorageAccount, inventory: Inventory) -> Iterable[Outcome]:
    """Blob and container soft delete must both be on; file-only accounts are not concerned."""
    if not account.has_blob_service:
        return ()
    kept = {"blob": account.blob_soft_delete_days, "container": account.container_soft_delete_days}
    off = [what for what, days in kept.items() if days is None]
    evidence = {f"{what}_soft_delete_days": days for what, days in kept.items()}
    if not off:
        days = ", ".join(f"{what}s {d} days" for what, d in kept.items())
        return (passed(f"Storage account {account.name} keeps deleted data ({days}).", evidence),)
    return (
        fail(
            f"Storage account {account.name} has {' and '.join(off)} soft delete off: deletes are final.",
            evidence,
        ),
    )


expect(
    id="azure.storage.blob_versioning_disabled",
    title="Storage account does not keep blob versions",
    severity=Severity.LOW,
    asset=StorageAccount,
    attr="versioning",
    ok=is_true,
    when=lambda account: account.supports_versioning,
    requires=("account_kind",),
    pass_msg="Storage account {name} keeps earlier versions of its blobs.",
    fail_msg="Storage account {name} does not keep blob versions: an overwrite is final.",
    rationale="""Without versioning an overwrite (or an encryption by ransomware with a stolen key)
        replaces the only copy of a blob; versioning keeps the earlier ones restorable.""",
    remediation="""az storage account blob-service-properties update --resource-group RG --account-name
        ACCOUNT --enable-versioning true (and a lifecycle rule to expire old versions)""",
)
