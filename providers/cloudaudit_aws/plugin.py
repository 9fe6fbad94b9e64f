"""The AWS provider plugin object registered under ``cloudaudit.providers``."""

from __future__ import annotations

import importlib
import pkgutil
import re
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from cloudaudit.errors import MissingDependencyError
from cloudaudit.install import install_hint
from cloudaudit.logs import Redaction, SecretRules
from cloudaudit.model.inventory import Inventory
from cloudaudit.plugins import CollectOptions, DemoAccount, Progress, Scope, Target
from cloudaudit_aws.scope import OPTIONS, accounts_scope, profile_targets

SECRETS = SecretRules(
    env_vars=("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"),
    patterns=(
        # access key ids keep their first 8 characters (enough to tell keys apart)
        Redaction(re.compile(r"\b((?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{4})[A-Z0-9]{12}\b"), r"\1************"),
        Redaction(re.compile(r"(Signature=|signature=|X-Amz-Signature=)[^&\s,\"']+"), r"\1****"),
    ),
)


def _modules(package: str) -> list[str]:
    """Every module of a package of this provider, sorted (no SDK is imported by any of them)."""
    pkg = importlib.import_module(package)
    return sorted(f"{package}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__) if not m.ispkg)


class AwsPlugin:
    """Amazon Web Services: S3 and EC2 networking (more services follow the same shape)."""

    name = "aws"
    install_hint = install_hint("aws")
    scope_options = OPTIONS
    secrets = SECRETS
    case_insensitive_ids = False
    account_noun = "account"
    steps_file = Path(__file__).parent / "data" / "remediation.yaml"
    sdk_loggers = ("botocore", "boto3", "moto", "s3transfer")

    def check_scope(self, scope: Scope) -> None:
        """The many-accounts options' values and combinations (no call)."""
        accounts_scope(scope)

    def targets(self, scope: Scope) -> list[Target]:
        """One target per ``--profile`` (none given: the SDK's default credentials); with
        ``--organization`` or ``--accounts``, one per account (listed by AWS Organizations)."""
        many = accounts_scope(scope)
        if many is None:
            return profile_targets(scope)
        try:
            from cloudaudit_aws.collect.organization import account_targets
        except ImportError as exc:
            raise MissingDependencyError(f"boto3 is not installed ({exc}); run: {self.install_hint}") from exc
        return account_targets(many)

    def load(self) -> None:
        """Register every ``assets*`` module's kinds and every module of ``checks``; imports no SDK."""
        for module in _modules("cloudaudit_aws"):
            if module.startswith("cloudaudit_aws.assets"):
                importlib.import_module(module)
        for module in _modules("cloudaudit_aws.checks"):
            importlib.import_module(module)

    def permissions(self) -> dict[str, Any]:
        """The IAM policy of every call the collectors make, generated from their declarations."""
        try:
            from cloudaudit_aws.collect.services import readonly_policy
        except ImportError as exc:
            raise MissingDependencyError(f"boto3 is not installed ({exc}); run: {self.install_hint}") from exc
        return readonly_policy()

    def organization_permissions(self) -> dict[str, Any]:
        """The policy of the identity that lists the organization and assumes the audit role."""
        from cloudaudit_aws.org_policy import caller_policy

        return caller_policy()

    def permission_names(self) -> list[str]:
        """Every permission the collectors use, sorted."""
        try:
            from cloudaudit_aws.collect.services import required_permissions
        except ImportError as exc:
            raise MissingDependencyError(
                f"cannot list permissions ({exc}); run: {self.install_hint}"
            ) from exc
        return required_permissions()

    def collect(self, options: CollectOptions, progress: Progress) -> Inventory:
        """Read the account with boto3 (read-only calls only)."""
        try:
            from cloudaudit_aws.collect.runner import collect
        except ImportError as exc:
            raise MissingDependencyError(f"boto3 is not installed ({exc}); run: {self.install_hint}") from exc
        return collect(options, progress)

    def demo(self, probe: bool = False) -> AbstractContextManager[DemoAccount]:
        """An in-process AWS emulator (moto) seeded with a sample account."""
        try:
            from cloudaudit_aws.demo import demo_account
        except ImportError as exc:
            raise MissingDependencyError(
                f"the demo needs moto's server ({exc}); run: {install_hint('demo')}"
            ) from exc
        return demo_account(probe)


plugin = AwsPlugin()
