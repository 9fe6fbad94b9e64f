"""The AWS provider plugin object registered under ``cloudaudit.providers``."""

from __future__ import annotations

import importlib
from contextlib import AbstractContextManager

from cloudaudit.errors import MissingDependencyError
from cloudaudit.model.inventory import Inventory
from cloudaudit.plugins import CollectOptions, Progress

CHECK_MODULES = ("cloudaudit_aws.checks.s3", "cloudaudit_aws.checks.ec2", "cloudaudit_aws.checks.rds")


class AwsPlugin:
    """Amazon Web Services: S3 and EC2 networking (more services follow the same shape)."""

    name = "aws"
    install_hint = "pip install 'cloudaudit[aws]'"

    def load(self) -> None:
        """Register asset kinds and checks; imports no SDK."""
        importlib.import_module("cloudaudit_aws.assets")
        importlib.import_module("cloudaudit_aws.assets_rds")
        for module in CHECK_MODULES:
            importlib.import_module(module)

    def collect(self, options: CollectOptions, progress: Progress) -> Inventory:
        """Read the account with boto3 (read-only calls only)."""
        try:
            from cloudaudit_aws.collect.runner import collect
        except ImportError as exc:
            raise MissingDependencyError(f"boto3 is not installed ({exc}); run: {self.install_hint}") from exc
        return collect(options, progress)

    def demo(self) -> AbstractContextManager[CollectOptions]:
        """An in-process AWS emulator (moto) seeded with a sample account."""
        try:
            from cloudaudit_aws.demo import demo_account
        except ImportError as exc:
            raise MissingDependencyError(
                f"the demo needs moto's server ({exc}); run: pip install 'cloudaudit[demo]'"
            ) from exc
        return demo_account()


plugin = AwsPlugin()
