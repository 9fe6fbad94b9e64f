"""Provider plugins, discovered through the ``cloudaudit.providers`` entry-point group.

A plugin is an object implementing :class:`ProviderPlugin`. Loading one must be cheap and
must not import its SDK: models and checks are pure so an inventory can be evaluated
offline. The SDK is imported by :meth:`ProviderPlugin.collect` only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Protocol, runtime_checkable

from cloudaudit.errors import MissingDependencyError, UsageError
from cloudaudit.exposure.sources import ExposureOptions
from cloudaudit.install import install_hint
from cloudaudit.model.inventory import Inventory

ENTRY_POINT_GROUP = "cloudaudit.providers"


@dataclass(frozen=True)
class CollectOptions:
    """Provider-neutral collection options; each SDK's own configuration fills the rest."""

    profile: str | None = None
    """AWS profile / GCP project / Azure subscription; None means the SDK's default."""
    regions: tuple[str, ...] | None = None
    """Regions (or locations) to audit; None means every enabled one."""
    services: frozenset[str] | None = None
    """Services to collect (those the selected checks need); None means all."""
    max_workers: int = 16


@dataclass(frozen=True)
class DemoAccount:
    """How to audit a provider's sample account: collection options and its exposure set-up."""

    options: CollectOptions
    exposure: ExposureOptions = field(default_factory=ExposureOptions)
    """The bundled exposure snapshot of the sample account (and, with --probe, the local mappings)."""


class Progress(Protocol):
    """Where collectors report progress (a terminal bar or plain log lines)."""

    def add_total(self, count: int) -> None:
        """Announce ``count`` more units of work."""

    def advance(self, label: str) -> None:
        """One unit of work finished."""


@runtime_checkable
class ProviderPlugin(Protocol):
    """What a cloud provider plugin offers the core."""

    name: str
    """Short name used on the command line (``aws``)."""
    install_hint: str
    """How to install its SDK (:func:`cloudaudit.install.install_hint` of its extra)."""

    def load(self) -> None:
        """Register the provider's asset kinds and checks (pure imports, no SDK)."""

    def permissions(self) -> dict[str, Any]:
        """The provider's read-only policy document covering every call ``collect`` makes."""

    def collect(self, options: CollectOptions, progress: Progress) -> Inventory:
        """Read the account (read-only) and return its inventory; raise CloudauditError if it can't."""

    def demo(self, probe: bool = False) -> AbstractContextManager[DemoAccount]:
        """Start a local emulator seeded with a sample account; yield how to audit it.

        With ``probe``, also start local misconfigured services and map the sample account's
        endpoints onto them, so the active probe contacts nothing but 127.0.0.1.
        """


def available() -> dict[str, str]:
    """Installed provider names -> entry point value."""
    return {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}


def load_plugin(name: str) -> ProviderPlugin:
    """The provider plugin called ``name``, loaded and with its checks registered."""
    matches = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
    if not matches:
        known = ", ".join(sorted(available())) or "none"
        raise UsageError(f"unknown provider {name!r} (installed: {known})")
    try:
        plugin = matches[0].load()
    except ImportError as exc:
        raise MissingDependencyError(
            f"provider {name!r} cannot be loaded ({exc}); install it with: {install_hint(name)}"
        ) from exc
    if not isinstance(plugin, ProviderPlugin):
        raise UsageError(f"entry point {name!r} does not provide a cloudaudit provider plugin")
    plugin.load()
    return plugin


def load_all() -> Iterator[ProviderPlugin]:
    """Every installed provider plugin that loads (for listing checks, reading inventories)."""
    for name in sorted(available()):
        try:
            yield load_plugin(name)
        except MissingDependencyError:
            continue
