"""The Azure provider plugin object registered under ``cloudaudit.providers``."""

from __future__ import annotations

import importlib
import pkgutil
import re
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from cloudaudit.collect.errors import TargetUnavailable
from cloudaudit.errors import MissingDependencyError, UsageError
from cloudaudit.install import install_hint
from cloudaudit.logs import Redaction, SecretRules
from cloudaudit.model.inventory import Inventory
from cloudaudit.plugins import CollectOptions, DemoAccount, Progress, Scope, ScopeOption, Target
from cloudaudit_azure.scope import (
    DESCENDANTS,
    SubscriptionListing,
    chosen_subscriptions,
    group_ids,
    nothing_listed,
    unlisted_reason,
)

SECRETS = SecretRules(
    env_vars=("CLOUDAUDIT_ACCESS_TOKEN", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PASSWORD"),
    patterns=(
        Redaction(re.compile(r"\b(eyJ[\w-]{8,}\.)[\w-]+\.[\w-]+"), r"\1****"),  # Entra ID access tokens (JWT)
        Redaction(re.compile(r"([?&]sig=)[^&\s\"']+", re.I), r"\1****"),  # SAS signatures
        Redaction(re.compile(r"((?:AccountKey|SharedAccessKey|Password|Pwd)=)[^;\s\"']+", re.I), r"\1****"),
        Redaction(re.compile(r"((?:client_secret|Bearer)[=:\s\"]+)[\w.~+/-]{16,}", re.I), r"\1****"),
    ),
)
SUBSCRIPTION = ScopeOption(
    "subscription",
    help="Azure subscription id to audit; repeat (or comma-separate) for several "
    "(default: every enabled subscription the credentials can list).",
    metavar="ID",
)
TENANT = ScopeOption(
    "tenant",
    help="Entra ID tenant whose tokens DefaultAzureCredential asks for (a guest or multi-tenant identity).",
    multiple=False,
    metavar="TENANT",
)
ACCESS_TOKEN = ScopeOption(
    "access_token",
    help="Azure Resource Manager access token from elsewhere (az account get-access-token); never printed.",
    multiple=False,
    envvar="CLOUDAUDIT_ACCESS_TOKEN",
    metavar="TOKEN",
)
ENDPOINT_URL = ScopeOption(
    "endpoint_url",
    help="Azure Resource Manager root for every client of the run (sovereign clouds, a proxy, a local fake).",
    multiple=False,
    metavar="URL",
)
ALL_SUBSCRIPTIONS = ScopeOption(
    "all_subscriptions",
    help="Audit every enabled Azure subscription the credentials can list (the default when no "
    "--subscription or --management-group is given; with them, added to theirs).",
    takes_value=False,
)
MANAGEMENT_GROUP = ScopeOption(
    "management_group",
    help="Audit every enabled subscription beneath this Azure management group, at any depth; needs "
    "Microsoft.Management/managementGroups/descendants/read on it (the audit role assigned there).",
    metavar="GROUP_ID",
)
EXCLUDE_SUBSCRIPTIONS = ScopeOption(
    "exclude_subscriptions",
    help="Azure subscription ids not to audit, among those listed or given.",
    metavar="ID",
)
CONNECTION = (TENANT, ACCESS_TOKEN, ENDPOINT_URL)


def _modules(package: str) -> list[str]:
    """Every module of a package of this provider, sorted (no SDK is imported by any of them)."""
    pkg = importlib.import_module(package)
    return sorted(f"{package}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__) if not m.ispkg)


class AzurePlugin:
    """Microsoft Azure: Storage, NSGs and public IPs, SQL / PostgreSQL / MySQL / Cosmos DB, API Management."""

    name = "azure"
    install_hint = install_hint("azure")
    scope_options = (SUBSCRIPTION, ALL_SUBSCRIPTIONS, MANAGEMENT_GROUP, EXCLUDE_SUBSCRIPTIONS, *CONNECTION)
    secrets = SECRETS
    case_insensitive_ids = True
    account_noun = "subscription"
    steps_file = Path(__file__).parent / "data" / "remediation.yaml"
    sdk_loggers = ("azure", "msal")

    def check_scope(self, scope: Scope) -> None:
        """``--management-group`` values, and ``--exclude-subscriptions`` against the subscriptions
        given when nothing is listed (no call: what a listing finds is checked by :meth:`targets`)."""
        given = scope.get(SUBSCRIPTION.name, ())
        groups = group_ids(scope.get(MANAGEMENT_GROUP.name, ()))
        listed = bool(scope.get(ALL_SUBSCRIPTIONS.name)) or bool(groups) or not given
        if not listed and not chosen_subscriptions(given, (), scope.get(EXCLUDE_SUBSCRIPTIONS.name, ())):
            raise UsageError("--exclude-subscriptions excludes every subscription there was to audit")

    def targets(self, scope: Scope) -> list[Target]:
        """One target per subscription (each with the connection settings): those of ``--subscription``
        and the enabled ones beneath ``--management-group`` (listed now), and with ``--all-subscriptions``
        (or when neither is given) every enabled subscription the credentials list; less
        ``--exclude-subscriptions``. A group
        whose subscriptions could not be listed becomes a ``management group`` target that fails when
        collected."""
        self.check_scope(scope)
        settings = tuple((o.name, v[0]) for o in CONNECTION if (v := scope.get(o.name)))
        given = scope.get(SUBSCRIPTION.name, ())
        groups = group_ids(scope.get(MANAGEMENT_GROUP.name, ()))
        excluded = scope.get(EXCLUDE_SUBSCRIPTIONS.name, ())
        every = bool(scope.get(ALL_SUBSCRIPTIONS.name)) or (not given and not groups)
        listing = SubscriptionListing()
        if every or groups:
            listing = self._listing(Target("tenant", None, settings), groups, every)
        subscriptions = chosen_subscriptions(given, listing.subscriptions, excluded)
        if not subscriptions and (every or groups) and (listing.unlisted or not listing.subscriptions):
            raise nothing_listed(groups, listing)
        if not subscriptions:
            raise UsageError("--exclude-subscriptions excludes every subscription there was to audit")
        unlisted = [u.target(settings) for u in listing.unlisted]
        return [*(Target("subscription", s, settings) for s in subscriptions), *unlisted]

    def _listing(self, target: Target, groups: list[str], every: bool) -> SubscriptionListing:
        """The subscriptions the credentials list, or those beneath ``groups``."""
        try:
            from cloudaudit_azure.collect.estate import list_subscriptions
        except ImportError as exc:
            raise MissingDependencyError(
                f"the Azure libraries are not installed ({exc}); run: {self.install_hint}"
            ) from exc
        return list_subscriptions(target, groups, every)

    def load(self) -> None:
        """Register every ``assets*`` module's kinds and every module of ``checks``; imports no SDK."""
        for module in _modules("cloudaudit_azure"):
            if module.startswith("cloudaudit_azure.assets"):
                importlib.import_module(module)
        for module in _modules("cloudaudit_azure.checks"):
            importlib.import_module(module)

    def permissions(self) -> dict[str, Any]:
        """The custom role definition of every action the collectors use (deploy/azure-audit-role.json)."""
        return self._services().audit_role()  # type: ignore[no-any-return]

    def permission_names(self) -> list[str]:
        """Every RBAC action the collectors use, sorted."""
        return self._services().required_actions()  # type: ignore[no-any-return]

    def collect(self, options: CollectOptions, progress: Progress) -> Inventory:
        """Read the subscriptions with the Azure management clients (GET requests only)."""
        unlisted = unlisted_reason(options.target)
        if unlisted:
            reason, code, kind = unlisted
            raise TargetUnavailable(reason, code=code, operation=DESCENDANTS, kind=kind)
        try:
            from cloudaudit_azure.collect.runner import collect
        except ImportError as exc:
            raise MissingDependencyError(
                f"the Azure libraries are not installed ({exc}); run: {self.install_hint}"
            ) from exc
        return collect(options, progress)

    def demo(self, probe: bool = False) -> AbstractContextManager[DemoAccount]:
        """The local fake of Azure Resource Manager serving the sample subscription."""
        try:
            from cloudaudit_azure.demo import demo_subscription
        except ImportError as exc:
            raise MissingDependencyError(
                f"the Azure demo needs ({exc}); run: {install_hint('demo')}"
            ) from exc
        return demo_subscription(probe)

    def _services(self) -> Any:
        try:
            return importlib.import_module("cloudaudit_azure.collect.services")
        except ImportError as exc:
            raise MissingDependencyError(
                f"the Azure libraries are not installed ({exc}); run: {self.install_hint}"
            ) from exc


plugin = AzurePlugin()
