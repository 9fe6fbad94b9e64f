"""Plugin hooks of the core: secret patterns, resource-id normalisation, the default provider."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from cloudaudit import plugins
from cloudaudit.cli.app import main
from cloudaudit.logs import Redaction, SecretRules, redact, register_rules
from cloudaudit.model.asset import Asset
from cloudaudit.model.inventory import Inventory, ScanScope, register_id_key
from cloudaudit.plugins import default_provider, plugin_object

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class Thing(Asset):
    """An unregistered asset model."""


def _inventory(provider: str, asset_id: str) -> Inventory:
    thing = Thing(provider=provider, account="a", region="r", id=asset_id, name="n")
    return Inventory(scope=ScanScope(provider=provider, started=T0, finished=T0), assets=(thing,))


def test_registered_secret_pattern_is_redacted() -> None:
    text = "upload failed: sig=AbCdEf012345 expired"
    assert redact(text) == text
    register_rules(SecretRules(patterns=(Redaction(re.compile(r"(\bsig=)[^&\s]+"), r"\1****"),)))
    assert redact(text) == "upload failed: sig=**** expired"


def test_aws_patterns_come_from_the_aws_plugin() -> None:
    plugin_object("aws")
    assert redact("key AKIAABCDEFGHIJKLMNOP and X-Amz-Signature=abc123") == (
        "key AKIAABCD************ and X-Amz-Signature=****"
    )


def test_ids_compare_as_the_provider_declares() -> None:
    """Exact by default (AWS ARNs); case-insensitive for a provider that registers it (Azure)."""
    aws = _inventory("aws", "arn:aws:s3:::Bucket")
    assert aws.get("arn:aws:s3:::Bucket") is not None
    assert aws.get("arn:aws:s3:::bucket") is None

    register_id_key("casefolded", str.casefold)
    azure = _inventory("casefolded", "/subscriptions/S1/resourceGroups/RG/providers/X/y")
    found = azure.get("/subscriptions/s1/resourcegroups/rg/providers/x/Y")
    assert found is not None and found.id == "/subscriptions/S1/resourceGroups/RG/providers/X/y"


def test_only_installed_provider_is_the_default(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plugins, "available", lambda: {"aws": "cloudaudit_aws.plugin:plugin"})
    assert default_provider() == "aws"
    assert main(["permissions", "--format", "text"]) == 0
    assert "sts:GetCallerIdentity" in capsys.readouterr().out
