"""The scope options providers contribute to ``run`` (``--profile``, later ``--project``...).

Typer builds options from a function's signature, so options known only once the plugins are
installed reach ``run`` as extra arguments: they are parsed here (argparse) against the options
every installed provider declares, and listed in ``run --help`` by :func:`scope_help`.
"""

from __future__ import annotations

import argparse
import os
import textwrap
from collections.abc import Sequence

from cloudaudit.errors import UsageError
from cloudaudit.plugins import ProviderPlugin, Scope, ScopeOption, installed

EXTRA_ARGS = {"allow_extra_args": True, "ignore_unknown_options": True}
"""Context settings of a command that takes scope options."""


def scope_help() -> str:
    """The scope options of every installed provider, for the command's help text."""
    lines = ["\b", "Provider scope options:"]
    for plugin in installed():
        for option in plugin.scope_options:
            repeat = " (repeatable)" if option.multiple and option.takes_value else ""
            usage = f"{option.flag} {option.metavar}" if option.takes_value else option.flag
            text = f"{usage}  [{plugin.name}]{repeat} {option.help}"
            lines += textwrap.wrap(text, 76, initial_indent="  ", subsequent_indent="      ")
    return "\n".join(lines) if len(lines) > 2 else ""


def parse_scope(plugin: ProviderPlugin, args: Sequence[str]) -> Scope:
    """The values of ``plugin``'s scope options in ``args``; another provider's option or an
    unknown one is a usage error. An option not given falls back to its environment variable."""
    owners: dict[str, list[str]] = {}
    for other in installed():
        for option in other.scope_options if other.name != plugin.name else ():
            owners.setdefault(option.flag, []).append(other.name)
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False, exit_on_error=False)
    for option in plugin.scope_options:
        if not option.takes_value:
            parser.add_argument(option.flag, dest=option.name, action="store_true", default=None)
        else:
            action = "append" if option.multiple else "store"
            parser.add_argument(option.flag, dest=option.name, action=action)
    try:
        given, rest = parser.parse_known_args(list(args))
    except argparse.ArgumentError as exc:
        raise UsageError(f"{exc} (see 'cloudaudit run --help')") from None
    if rest:
        flag = rest[0].split("=", 1)[0]
        if flag in owners:
            raise UsageError(
                f"{flag} is an option of --provider {' or '.join(owners[flag])}, not {plugin.name}"
            )
        if not flag.startswith("-"):
            raise UsageError(f"unexpected argument {flag!r} (see 'cloudaudit run --help')")
        raise UsageError(f"no such option: {flag} (see 'cloudaudit run --help')")
    return {o.name: values for o in plugin.scope_options if (values := _values(o, vars(given)[o.name]))}


def _values(option: ScopeOption, given: bool | str | list[str] | None) -> tuple[str, ...]:
    """The option's values, comma-separated lists split (a single-valued option is taken whole: a path
    or a token may hold a comma); the environment variable when not given. A switch given: ``("true",)``."""
    if isinstance(given, bool) or not option.takes_value:
        return ("true",) if given else ()
    if given is None:
        given = os.environ.get(option.envvar, "") if option.envvar else ""
    items = [given] if isinstance(given, str) else given
    if not option.multiple:
        return tuple(v.strip() for v in items if v.strip())
    return tuple(dict.fromkeys(v.strip() for item in items for v in item.split(",") if v.strip()))
