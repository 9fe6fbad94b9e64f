"""The GCP provider plugin object registered under ``cloudaudit.providers``."""

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
from cloudaudit_gcp.scope import Listing, chosen_projects, nothing_listed, parent_names, unlisted_reason

SECRETS = SecretRules(
    env_vars=("CLOUDAUDIT_ACCESS_TOKEN", "GOOGLE_OAUTH_ACCESS_TOKEN"),
    patterns=(
        Redaction(re.compile(r"\b(ya29\.)[\w.-]+"), r"\1****"),  # OAuth access tokens
        Redaction(re.compile(r"\b(1//)[\w.-]{20,}"), r"\1****"),  # OAuth refresh tokens
        Redaction(
            re.compile(
                r"-----BEGIN (?:RSA )?PRIVATE KEY-----.*?(?:-----END (?:RSA )?PRIVATE KEY-----|$)", re.S
            ),
            "-----PRIVATE KEY REDACTED-----",
        ),  # a service-account key's private key
        Redaction(re.compile(r"(\"private_key(?:_id)?\"\s*:\s*\")[^\"]+"), r"\1****"),
        Redaction(re.compile(r"((?:access_token|Bearer)[=:\s\"]+)[\w.~+/-]{16,}", re.I), r"\1****"),
    ),
)
PROJECT = ScopeOption(
    "project",
    help="GCP project id or number to audit; repeat (or comma-separate) for several "
    "(default: GOOGLE_CLOUD_PROJECT, else the project of the application-default credentials).",
    metavar="PROJECT",
)
CREDENTIALS = ScopeOption(
    "credentials",
    help="GCP credentials file (a service-account key) instead of application-default credentials.",
    multiple=False,
    metavar="FILE",
)
ACCESS_TOKEN = ScopeOption(
    "access_token",
    help="GCP OAuth access token obtained elsewhere (gcloud auth print-access-token); never printed.",
    multiple=False,
    envvar="CLOUDAUDIT_ACCESS_TOKEN",
    metavar="TOKEN",
)
ENDPOINT_URL = ScopeOption(
    "endpoint_url",
    help="API root for every Google API client of the run (Private Google Access, a proxy, a local fake).",
    multiple=False,
    metavar="URL",
)
ORGANIZATION = ScopeOption(
    "organization",
    help="Audit every active project beneath this GCP organization (its number), folders included; "
    "needs resourcemanager.projects.list and .folders.list on it (deploy/gcp-org-role.yaml).",
    metavar="ORG_ID",
)
FOLDER = ScopeOption(
    "folder",
    help="Audit every active project beneath this GCP folder (its number), sub-folders included.",
    metavar="FOLDER_ID",
)
EXCLUDE_PROJECTS = ScopeOption(
    "exclude_projects",
    help="GCP projects (ids or numbers) not to audit, among those listed or given.",
    metavar="PROJECT",
)
CONNECTION = (CREDENTIALS, ACCESS_TOKEN, ENDPOINT_URL)


def _modules(package: str) -> list[str]:
    """Every module of a package of this provider, sorted (no SDK is imported by any of them)."""
    pkg = importlib.import_module(package)
    return sorted(f"{package}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__) if not m.ispkg)


class GcpPlugin:
    """Google Cloud: Cloud Storage, VPC firewalls and external addresses, Cloud SQL, API Gateway."""

    name = "gcp"
    install_hint = install_hint("gcp")
    scope_options = (PROJECT, ORGANIZATION, FOLDER, EXCLUDE_PROJECTS, *CONNECTION)
    secrets = SECRETS
    case_insensitive_ids = False
    account_noun = "project"
    steps_file = Path(__file__).parent / "data" / "remediation.yaml"
    sdk_loggers = ("google", "googleapiclient", "google_auth_httplib2")

    def check_scope(self, scope: Scope) -> None:
        """``--organization``/``--folder`` values, and ``--exclude-projects`` against what was given
        (no call: what the listing finds is checked by :meth:`targets`)."""
        given = scope.get(PROJECT.name, ())
        excluded = scope.get(EXCLUDE_PROJECTS.name, ())
        parents = parent_names(scope.get(ORGANIZATION.name, ()), scope.get(FOLDER.name, ()))
        if not parents and excluded:
            if not given:
                raise UsageError("--exclude-projects applies to --project, --organization or --folder")
            if not chosen_projects(given, (), excluded):
                raise UsageError("--exclude-projects excludes every project there was to audit")

    def targets(self, scope: Scope) -> list[Target]:
        """One target per project (each with the connection settings): those of ``--project``, and the
        active ones beneath ``--organization`` and ``--folder`` (listed now), less ``--exclude-projects``;
        none given: the default project. An organization or folder whose projects could not be listed
        becomes a ``folder`` target that fails when collected (a coverage gap when others were audited)."""
        self.check_scope(scope)
        settings = tuple((o.name, v[0]) for o in CONNECTION if (v := scope.get(o.name)))
        given = scope.get(PROJECT.name, ())
        excluded = scope.get(EXCLUDE_PROJECTS.name, ())
        parents = parent_names(scope.get(ORGANIZATION.name, ()), scope.get(FOLDER.name, ()))
        if not parents and not given:
            return [Target("project", None, settings)]
        listing = self._listing(Target("organization", None, settings), parents) if parents else None
        projects = chosen_projects(given, listing.projects if listing else (), excluded)
        unlisted = [u.target(settings) for u in listing.unlisted] if listing else []
        if not projects and listing is not None and (listing.unlisted or not listing.projects):
            raise nothing_listed(parents, listing)
        if not projects:
            raise UsageError("--exclude-projects excludes every project there was to audit")
        return [*(Target("project", p, settings) for p in projects), *unlisted]

    def _listing(self, target: Target, parents: list[str]) -> Listing:
        """The projects beneath ``parents`` (Resource Manager)."""
        try:
            from cloudaudit_gcp.collect.hierarchy import list_projects
        except ImportError as exc:
            raise MissingDependencyError(
                f"the Google Cloud libraries are not installed ({exc}); run: {self.install_hint}"
            ) from exc
        return list_projects(target, parents)

    def load(self) -> None:
        """Register every ``assets*`` module's kinds and every module of ``checks``; imports no SDK."""
        for module in _modules("cloudaudit_gcp"):
            if module.startswith("cloudaudit_gcp.assets"):
                importlib.import_module(module)
        for module in _modules("cloudaudit_gcp.checks"):
            importlib.import_module(module)

    def permissions(self) -> dict[str, Any]:
        """The custom role of every permission the collectors use (deploy/gcp-audit-role.yaml)."""
        try:
            from cloudaudit_gcp.collect.services import audit_role
        except ImportError as exc:
            raise MissingDependencyError(
                f"the Google Cloud libraries are not installed ({exc}); run: {self.install_hint}"
            ) from exc
        return audit_role()

    def permission_names(self) -> list[str]:
        """Every permission the collectors use, sorted."""
        try:
            from cloudaudit_gcp.collect.services import required_permissions
        except ImportError as exc:
            raise MissingDependencyError(
                f"cannot list permissions ({exc}); run: {self.install_hint}"
            ) from exc
        return required_permissions()

    def collect(self, options: CollectOptions, progress: Progress) -> Inventory:
        """Read the project with the Google Cloud clients (read-only calls only)."""
        unlisted = unlisted_reason(options.target)
        if unlisted:
            reason, code, operation, kind = unlisted
            raise TargetUnavailable(reason, code=code, operation=operation, kind=kind)
        try:
            from cloudaudit_gcp.collect.runner import collect
        except ImportError as exc:
            raise MissingDependencyError(
                f"the Google Cloud libraries are not installed ({exc}); run: {self.install_hint}"
            ) from exc
        return collect(options, progress)

    def demo(self, probe: bool = False) -> AbstractContextManager[DemoAccount]:
        """The local fake of the Google APIs serving the sample project."""
        try:
            from cloudaudit_gcp.demo import demo_project
        except ImportError as exc:
            raise MissingDependencyError(f"the GCP demo needs ({exc}); run: {install_hint('demo')}") from exc
        return demo_project(probe)


plugin = GcpPlugin()
