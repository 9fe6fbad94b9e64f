"""How exposure sources plug in: options, the source protocol, and ``--exposure`` parsing.

A source lives in its own module exposing ``build(options, argument) -> ExposureSource``;
:data:`SOURCE_MODULES` maps the name used on the command line to that module, imported only
when the source is selected (so ``shodan`` is imported only by runs that ask for it).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from cloudaudit.errors import UsageError
from cloudaudit.exposure.model import SourceResult, Target

if TYPE_CHECKING:  # plugins imports this module (DemoAccount carries ExposureOptions)
    from cloudaudit.plugins import Progress

SOURCE_MODULES: dict[str, str] = {
    "shodan": "cloudaudit.exposure.shodan_source",
    "internetdb": "cloudaudit.exposure.internetdb",
    "file": "cloudaudit.exposure.snapshot",
    "probe": "cloudaudit.exposure.probe",
}
"""``--exposure`` name -> module with ``build(options, argument)``; ``probe`` is enabled by ``--probe``."""


@dataclass(frozen=True)
class SourceSpec:
    """One ``--exposure`` item: ``shodan``, ``internetdb`` or ``file:PATH``."""

    name: str
    argument: str = ""


@dataclass(frozen=True)
class ConnectTo:
    """curl's ``--connect-to HOST:PORT:TARGET_HOST:TARGET_PORT``: where the probe really connects.

    The original host is kept for ``Host`` and TLS SNI; an empty HOST or PORT matches any.
    """

    host: str
    port: int | None
    target_host: str
    target_port: int | None

    def matches(self, host: str, port: int) -> bool:
        """True when this mapping applies to a connection to ``host:port``."""
        return (not self.host or self.host.lower() == host.lower()) and self.port in (None, port)

    def resolve(self, host: str, port: int) -> tuple[str, int]:
        """The (host, port) to open a socket to for ``host:port``."""
        return (self.target_host or host, self.target_port or port)


def _split_hostport(text: str) -> list[str]:
    """Split ``a:b:c:d`` where hosts may be ``[v6]`` literals."""
    parts: list[str] = []
    buf = ""
    depth = 0
    for ch in text:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == ":" and depth == 0:
            parts.append(buf)
            buf = ""
        else:
            buf += ch
    parts.append(buf)
    return [p[1:-1] if p.startswith("[") and p.endswith("]") else p for p in parts]


def _port(text: str, spec: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise UsageError(f"--connect-to {spec!r}: {text!r} is not a port number (1-65535)")
    return int(text)


def parse_connect_to(spec: str) -> ConnectTo:
    """Parse one ``--connect-to`` value (curl's syntax)."""
    parts = _split_hostport(spec.strip())
    if len(parts) != 4:
        raise UsageError(f"--connect-to {spec!r}: expected HOST:PORT:TARGET_HOST:TARGET_PORT")
    host, port, target_host, target_port = parts
    return ConnectTo(host, _port(port, spec), target_host, _port(target_port, spec))


def parse_sources(text: str) -> tuple[SourceSpec, ...]:
    """``shodan,internetdb,file:PATH`` -> specs (``probe`` is selected with ``--probe``)."""
    specs: list[SourceSpec] = []
    for item in (i.strip() for i in text.split(",")):
        if not item:
            continue
        name, _, argument = item.partition(":")
        name = name.lower()
        if name not in SOURCE_MODULES or name == "probe":
            choices = ", ".join(n for n in SOURCE_MODULES if n != "probe")
            raise UsageError(f"unknown exposure source {name!r}; choose from {choices} (and --probe)")
        if name == "file" and not argument:
            raise UsageError("--exposure file needs a path: file:PATH (a Shodan host JSON snapshot)")
        if name == "file":  # a bad snapshot stops the run before anything is collected
            importlib.import_module(SOURCE_MODULES[name]).load_snapshot(Path(argument).expanduser())
        specs.append(SourceSpec(name, argument))
    return tuple(dict.fromkeys(specs))


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/cloudaudit`` (``~/.cache/cloudaudit``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cloudaudit"


DEFAULT_PROBE_TIMEOUT = 900.0
"""Seconds the whole probe may take by default (``--probe-timeout``)."""
TARGET_BUDGET_TIMEOUTS = 12
"""A target gets this many read timeouts in all by default (60 s at the default 5 s)."""


@dataclass(frozen=True)
class ExposureOptions:
    """Everything the exposure stage was asked to do (nothing by default: no third party is contacted)."""

    sources: tuple[SourceSpec, ...] = ()
    shodan_key: str | None = field(default=None, repr=False)
    """From ``--shodan-key`` or ``SHODAN_API_KEY``; never printed, logged or written."""
    probe: bool = False
    connect_to: tuple[ConnectTo, ...] = ()
    cache_dir: Path = field(default_factory=default_cache_dir)
    cache_ttl_seconds: float = 24 * 3600
    probe_only_mapped: bool = False
    """Probe only endpoints a ``connect_to`` mapping redirects (the demo: nothing but 127.0.0.1)."""
    probe_rate_per_second: float = 20.0
    """Global ceiling on new probe connections per second."""
    timeout_seconds: float = 5.0
    probe_private: bool = False
    """``--probe-private``: also probe loopback, link-local, private, CGNAT and reserved addresses."""
    probe_timeout_seconds: float = DEFAULT_PROBE_TIMEOUT
    """``--probe-timeout``: the whole probe's time budget."""
    probe_target_timeout_seconds: float | None = None
    """A target's budget (all ports of one host); None: ``TARGET_BUDGET_TIMEOUTS`` x ``timeout_seconds``."""
    probe_ports: tuple[int, ...] | None = None
    """``--probe-ports``: probed inside wide open ranges instead of the catalogue's well-known ports."""
    ca_bundle: Path | None = None
    """``--ca-bundle``: certificates trusted besides the platform's trust store (private CAs)."""

    @property
    def target_budget_seconds(self) -> float:
        """The per-target budget in effect (never more than the whole probe's)."""
        own = self.probe_target_timeout_seconds or TARGET_BUDGET_TIMEOUTS * self.timeout_seconds
        return min(own, self.probe_timeout_seconds)

    @property
    def enabled(self) -> bool:
        """True when some source (or the probe) was selected."""
        return bool(self.sources) or self.probe


class ExposureSource(Protocol):
    """One provider of observations."""

    name: str

    def plan(self, targets: Sequence[Target]) -> str:
        """Printed before the run: what will be contacted (e.g. 12 Shodan host lookups), one line or more."""

    def observe(self, targets: Sequence[Target], progress: Progress) -> SourceResult:
        """Observations and gaps for ``targets``; errors become gaps, never exceptions."""


NO_KEY_FALLBACK = (
    "no Shodan API key (--shodan-key or SHODAN_API_KEY): using the keyless InternetDB instead "
    "(ports, CPEs, tags and CVEs, no banners)"
)


def effective_specs(options: ExposureOptions) -> tuple[list[SourceSpec], list[str]]:
    """The sources that will run, and why they differ from those asked (shodan without a key)."""
    specs: list[SourceSpec] = []
    notes: list[str] = []
    for spec in options.sources:
        if spec.name == "shodan" and not (options.shodan_key or "").strip():
            notes.append(NO_KEY_FALLBACK)
            spec = SourceSpec("internetdb")
        if spec not in specs:
            specs.append(spec)
    if options.probe:
        specs.append(SourceSpec("probe"))
    return specs, notes


def build_sources(options: ExposureOptions) -> list[ExposureSource]:
    """Instantiate the sources that will run (the probe last), importing each module only now.

    One source per name: the arguments of a name given several times (``file:A,file:B``) go to
    one ``build(options, *arguments)``.
    """
    specs, _ = effective_specs(options)
    arguments: dict[str, list[str]] = {}
    for spec in specs:
        arguments.setdefault(spec.name, []).append(spec.argument)
    built: list[ExposureSource] = []
    for name, given in arguments.items():
        module = importlib.import_module(SOURCE_MODULES[name])
        built.append(module.build(options, *given))
    return built
