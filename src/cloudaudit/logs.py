"""Logging set-up with secret redaction: no key or token reaches a log line."""

from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass

from cloudaudit.terminal import printable


@dataclass(frozen=True)
class Redaction:
    """A secret-shaped text and what replaces it (``\\1****`` keeps a harmless prefix)."""

    pattern: re.Pattern[str]
    replacement: str


@dataclass(frozen=True)
class SecretRules:
    """What a provider (or the core) knows about its secrets: env variables and text patterns."""

    env_vars: tuple[str, ...] = ()
    patterns: tuple[Redaction, ...] = ()


CORE_RULES = SecretRules(
    env_vars=("SHODAN_API_KEY",),
    patterns=(Redaction(re.compile(r"(key=)[^&\s,\"']+"), r"\1****"),),  # API keys in query strings
)

_REGISTERED: set[str] = set()
_RULES: tuple[SecretRules, ...] = (CORE_RULES,)
_LOCK = threading.Lock()


def register_secret(value: str | None) -> None:
    """Redact ``value`` from every later log line (e.g. a key given on the command line)."""
    if value:
        _REGISTERED.add(value)


def register_rules(rules: SecretRules) -> None:
    """Redact a provider's secret patterns and secret env variables from every later log line."""
    global _RULES  # replaced whole: readers iterate a consistent tuple without locking
    with _LOCK:
        if rules not in _RULES:
            _RULES = (*_RULES, rules)


def env_secrets() -> tuple[str, ...]:
    """The values of every registered secret env variable that is set."""
    return tuple(v for rules in _RULES for k in rules.env_vars if (v := os.environ.get(k)))


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` with known secret values replaced and every registered secret pattern masked."""
    for secret in secrets:
        if secret and len(secret) >= 6:
            text = text.replace(secret, "****")
    for rules in _RULES:
        for rule in rules.patterns:
            text = rule.pattern.sub(rule.replacement, text)
    return text


def _lines(text: str) -> str:
    """Each line of a traceback shown with control characters escaped; the line breaks kept."""
    return "\n".join(printable(line, limit=0) for line in text.split("\n"))


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message through :func:`redact`, on one printable line.

    Messages carry account-controlled names: control characters are escaped (no escape sequence
    reaches the terminal, no newline forges a log line). Tracebacks keep their line breaks.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact in place; never drops a record."""
        secrets = (*env_secrets(), *_REGISTERED)
        record.msg = printable(redact(record.getMessage(), secrets), limit=0)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = _lines(redact(logging.Formatter().formatException(record.exc_info), secrets))
            record.exc_info = None
        return True


def configure(debug: bool, quiet: bool = False) -> None:
    """Log to stderr: warnings by default, everything with ``--debug``."""
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s" if debug else "%(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if debug else (logging.ERROR if quiet else logging.WARNING))
    _SDK_LOGGERS.update({"urllib3", "werkzeug"})
    for noisy in sorted(_SDK_LOGGERS):
        _quiet(noisy)


_SDK_LOGGERS: set[str] = set()


def _quiet(name: str) -> None:
    """An SDK's own logger: its errors only (its details with ``--debug``)."""
    debug = logging.getLogger().level <= logging.DEBUG
    logging.getLogger(name).setLevel(logging.INFO if debug else logging.ERROR)


def register_sdk_loggers(names: tuple[str, ...]) -> None:
    """Keep a provider SDK's chatter (retries, credential probing) off the terminal; see :func:`configure`."""
    for name in names:
        _SDK_LOGGERS.add(name)
        _quiet(name)
