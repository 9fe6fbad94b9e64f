"""Provider plugins, discovered through the ``cloudaudit.providers`` entry-point group.

A plugin is an object implementing :class:`ProviderPlugin`. Loading one must be cheap and
must not import its SDK: models and checks are pure so an inventory can be evaluated
offline. The SDK is imported by :meth:`ProviderPlugin.collect` only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from cloudaudit.errors import MissingDependencyError, UsageError
from cloudaudit.exposure.sources import ExposureOptions
from cloudaudit.install import install_hint
from cloudaudit.logs import SecretRules, register_rules, register_sdk_loggers
from cloudaudit.model.inventory import Inventory, register_id_key

if TYPE_CHECKING:
    from cloudaudit.collect.executor import UnitExecutor

ENTRY_POINT_GROUP = "cloudaudit.providers"


@dataclass(frozen=True)
class ScopeOption:
    """A command-line option a provider contributes to ``run`` to say what to audit.

    ``ScopeOption("profile", ...)`` becomes ``--profile``; with ``multiple`` it may be repeated
    (or given comma-separated) to audit several targets in one run. Without ``takes_value`` it is a
    switch (``--organization``): given, its value in the scope is ``("true",)``.
    """

    name: str
    help: str
    multiple: bool = True
    envvar: str | None = None
    metavar: str = "NAME"
    takes_value: bool = True

    @property
    def flag(self) -> str:
        """The option as typed: ``--profile``."""
        return "--" + self.name.replace("_", "-")


Scope = Mapping[str, tuple[str, ...]]
"""The values given for a provider's scope options, by option name (absent: not given)."""


@dataclass(frozen=True)
class Target:
    """One thing a provider collects: an AWS profile's account, a GCP project, an Azure subscription.

    ``kind`` is the provider's word for it (``profile``, ``project``; later ``organization`` or
    ``folder``, which the provider expands into their members); ``id`` None means the SDK's default.
    """

    kind: str
    id: str | None = None
    settings: tuple[tuple[str, str], ...] = field(default=(), repr=False, compare=False)
    """How to reach it (a credentials file, a token, an endpoint): never printed, never compared."""

    def setting(self, name: str) -> str | None:
        """The value of one connection setting, None when not given."""
        return dict(self.settings).get(name)

    @property
    def label(self) -> str:
        """``profile audit`` or ``default profile``: for messages."""
        return f"{self.kind} {self.id}" if self.id else f"default {self.kind}"


DEFAULT_TARGET = Target("default")


@dataclass(frozen=True)
class CollectOptions:
    """Provider-neutral collection options; each SDK's own configuration fills the rest."""

    target: Target = DEFAULT_TARGET
    """What to collect (one of the targets the provider resolved from its scope options)."""
    regions: tuple[str, ...] | None = None
    """Regions (or locations) to audit; None means every enabled one."""
    services: frozenset[str] | None = None
    """Services to collect (those the selected checks need); None means all."""
    max_workers: int = 16
    executor: UnitExecutor | None = field(default=None, compare=False, repr=False)
    """Where the collection units run (:mod:`cloudaudit.collect.executor`); None: local threads."""


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
    scope_options: tuple[ScopeOption, ...]
    """The options ``run`` offers for this provider (``--profile``, ``--project``...)."""
    secrets: SecretRules
    """Environment variables holding secrets and patterns of secrets: redacted from every log line."""
    case_insensitive_ids: bool
    """True when the provider's resource ids compare case-insensitively (Azure)."""
    account_noun: str
    """What users call one of its accounts: ``account`` (AWS), ``project`` (GCP), ``subscription`` (Azure)."""
    sdk_loggers: tuple[str, ...]
    """Loggers of its SDK, kept to errors unless ``--debug`` (their retries and probing are not for users)."""
    steps_file: Path
    """Its checks' remediation steps (:mod:`cloudaudit.remediation`); read without importing the SDK."""

    def check_scope(self, scope: Scope) -> None:
        """Raise UsageError for scope options that are wrong in themselves, without any call: the CLI
        checks them before it touches the output directory (``targets`` may then call the cloud)."""

    def targets(self, scope: Scope) -> list[Target]:
        """The targets the scope options select (none given: the SDK's default), listing an
        organization's members if asked; UsageError if none."""

    def load(self) -> None:
        """Register the provider's asset kinds and checks (pure imports, no SDK)."""

    def permissions(self) -> dict[str, Any]:
        """The provider's read-only policy document covering every call ``collect`` makes."""

    def permission_names(self) -> list[str]:
        """The permissions (IAM actions) that document grants, sorted."""

    def collect(self, options: CollectOptions, progress: Progress) -> Inventory:
        """Read the account (read-only) and return its inventory; raise CloudauditError if it can't."""

    def demo(self, probe: bool = False) -> AbstractContextManager[DemoAccount]:
        """Start a local emulator seeded with a sample account; yield how to audit it.

        With ``probe``, also start local misconfigured services and map the sample account's
        endpoints onto them, so the active probe contacts nothing but 127.0.0.1.
        """


def available() -> dict[str, str]:
    """Installed provider names -> entry point value."""
    return {ep.name: ep.value for ep in _entry_points(entry_points)}


@cache
def _entry_points(finder: Callable[..., Iterable[EntryPoint]]) -> tuple[EntryPoint, ...]:
    """The providers' entry points, read once: ``finder`` (:func:`importlib.metadata.entry_points`)
    scans every installed distribution (~10 ms with a few hundred), and one command asks several
    times (its help text, ``--provider``, the scope options). Keyed by ``finder``: a test's
    replacement is asked anew."""
    return tuple(finder(group=ENTRY_POINT_GROUP))


def default_provider() -> str:
    """The only installed provider; a usage error naming the installed ones when there are several."""
    names = sorted(available())
    if len(names) == 1:
        return names[0]
    known = ", ".join(names) or "none"
    raise UsageError(f"several providers are installed: choose one with --provider ({known})")


def plugin_object(name: str) -> ProviderPlugin:
    """The plugin object called ``name`` (cheap: no checks registered, no SDK imported).

    Its redaction rules and id normalisation are registered at once.
    """
    matches = [ep for ep in _entry_points(entry_points) if ep.name == name]
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
    register_rules(plugin.secrets)
    register_sdk_loggers(plugin.sdk_loggers)
    if plugin.case_insensitive_ids:
        register_id_key(plugin.name, str.casefold)
    return plugin


def account_noun(name: str) -> str:
    """The provider's word for an account (``account`` when the provider is not installed)."""
    try:
        return plugin_object(name).account_noun
    except (MissingDependencyError, UsageError):
        return "account"


def installed() -> Iterator[ProviderPlugin]:
    """Every installed plugin object that loads (for building the command line)."""
    for name in sorted(available()):
        try:
            yield plugin_object(name)
        except (MissingDependencyError, UsageError):
            continue


def load_plugin(name: str) -> ProviderPlugin:
    """The provider plugin called ``name``, loaded and with its checks registered."""
    plugin = plugin_object(name)
    plugin.load()
    return plugin


def load_all() -> Iterator[ProviderPlugin]:
    """Every installed provider plugin that loads (for listing checks, reading inventories)."""
    for name in sorted(available()):
        try:
            yield load_plugin(name)
        except MissingDependencyError:
            continue
