"""Logging set-up with secret redaction: no key or token reaches a log line."""

from __future__ import annotations

import logging
import os
import re

from cloudaudit.terminal import printable

SECRET_ENV_VARS = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "SHODAN_API_KEY")
_ACCESS_KEY_RE = re.compile(r"\b((?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{4})[A-Z0-9]{12}\b")
_SIGNATURE_RE = re.compile(r"(Signature=|signature=|X-Amz-Signature=|key=)[^&\s,\"']+")


_REGISTERED: set[str] = set()


def register_secret(value: str | None) -> None:
    """Redact ``value`` from every later log line (e.g. a key given on the command line)."""
    if value:
        _REGISTERED.add(value)


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` with access key ids shortened and known secret values replaced."""
    for secret in secrets:
        if secret and len(secret) >= 6:
            text = text.replace(secret, "****")
    text = _ACCESS_KEY_RE.sub(r"\1************", text)
    return _SIGNATURE_RE.sub(r"\1****", text)


def _lines(text: str) -> str:
    """Each line of a traceback shown with control characters escaped; the line breaks kept."""
    return "\n".join(printable(line, limit=0) for line in text.split("\n"))


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message through :func:`redact`, on one printable line.

    Messages carry account-controlled names: control characters are escaped (no escape sequence
    reaches the terminal, no newline forges a log line). Tracebacks keep their line breaks.
    """

    def __init__(self) -> None:
        super().__init__()
        self.secrets = tuple(v for k in SECRET_ENV_VARS if (v := os.environ.get(k)))

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact in place; never drops a record."""
        secrets = (*self.secrets, *_REGISTERED)
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
    for noisy in ("botocore", "boto3", "urllib3", "werkzeug", "moto", "s3transfer"):
        logging.getLogger(noisy).setLevel(logging.INFO if debug else logging.ERROR)
