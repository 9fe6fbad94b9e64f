"""Does a name/value pair (an API Gateway stage variable, an env var) look like a stored secret?

Pure module, never raises, never logs or returns the value.  ``looks_secret`` is True when either

- the name, split into lower-case words (camelCase, ``-``, ``_``, ``.`` and spaces separate words), contains a
  secret word (password, passwd, pwd, secret, token, credential(s), apikey, api_key, private_key, privatekey,
  access_key, secret_key, client_secret, bearer, ...), does not end in a reference word (``secretArn``,
  ``tokenUrl``, ``passwordParameter``, ``apiKeyName``, ``tokenTtl`` name a secret's location or property, not
  the secret), and the value is a literal: empty, ``none``/``null``/``true``/``false`` and pure references
  ``${...}`` are ignored; or
- the value itself has a secret shape: a URL with a password (``scheme://user:pw@host``), an AWS access key
  id (``AKIA``/``ASIA`` + 16 upper-case alnum), a PEM private key (``-----BEGIN ... PRIVATE KEY``), a JWT
  (three base64url segments, the first starting ``eyJ``), a well-known token prefix (GitHub ``ghp_``/
  ``github_pat_``, Slack ``xox?-``, Stripe ``sk_live_``/``rk_live_``, Google ``AIza``), or a long
  high-entropy string (>= 32 chars without spaces, >= 3 character classes and Shannon entropy >= 3.5
  bits/char, or hex >= 40 chars; URLs, ARNs and host names are excluded: long but not secret).
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter

__all__ = ["looks_secret", "secret_name", "secret_value"]

_SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "secret",
        "secrets",
        "token",
        "tokens",
        "credential",
        "credentials",
        "creds",
        "apikey",
        "apikeys",
        "privatekey",
        "secretkey",
        "accesskey",
        "clientsecret",
        "bearer",
        "signingkey",
        "encryptionkey",
        "sessiontoken",
        "authtoken",
        "connectionstring",
        "dsn",
    }
)
# Two-word secrets: ("api", "key") matches api_key / apiKey / API-KEY.
_SECRET_PAIRS = frozenset(
    {
        ("api", "key"),
        ("private", "key"),
        ("secret", "key"),
        ("access", "key"),
        ("client", "secret"),
        ("signing", "key"),
        ("encryption", "key"),
        ("master", "key"),
        ("connection", "string"),
        ("auth", "key"),
        ("session", "key"),
    }
)
# A name ending in one of these points at a secret (or describes it) rather than holding it.
_REFERENCE_WORDS = frozenset(
    {
        "arn",
        "url",
        "uri",
        "endpoint",
        "path",
        "file",
        "name",
        "id",
        "ref",
        "param",
        "parameter",
        "header",
        "location",
        "ttl",
        "expiry",
        "expiration",
        "length",
        "type",
        "policy",
        "rotation",
        "version",
        "enabled",
        "required",
    }
)
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")

_AWS_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}(?![A-Z0-9])")
_URL_PASSWORD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@")
_PEM_PRIVATE = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}")
_TOKEN_PREFIX = re.compile(
    r"(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,}|xox[abposr]-[A-Za-z0-9-]{10,}"
    r"|(?:sk|rk)_live_[A-Za-z0-9]{16,}|AIza[0-9A-Za-z_-]{35}|sk-[A-Za-z0-9_-]{32,})"
)
_NOT_SECRET_SHAPE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|arn:|\$\{)", re.IGNORECASE)
_HOSTLIKE = re.compile(r"^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::\d+)?(?:/\S*)?$")
_PLACEHOLDERS = frozenset({"", "none", "null", "true", "false", "n/a", "-", "*"})
_REFERENCE = re.compile(r"^\$\{[^}]*\}$")


def _words(name: str) -> list[str]:
    """Lower-case words of a name: ``dbPassword`` -> ["db", "password"], ``API_KEY`` -> ["api", "key"]."""
    out: list[str] = []
    for part in _WORD_SPLIT.split(name):
        out.extend(w.lower() for w in _CAMEL.findall(part))
    return out


def secret_name(name: str) -> bool:
    """Does the variable name say it holds a secret (password, token, api key, private key, ...)?"""
    words = _words(name)
    if not words or words[-1] in _REFERENCE_WORDS:
        return False
    if any(w in _SECRET_WORDS for w in words):
        return True
    joined = "".join(words)
    if any(w in joined for w in ("password", "passwd", "secret", "apikey", "privatekey", "credential")):
        return True
    return any(pair in _SECRET_PAIRS for pair in itertools.pairwise(words))


def _entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _high_entropy(value: str) -> bool:
    token = value.strip()
    if len(token) < 32 or any(ch.isspace() for ch in token):
        return False
    if _NOT_SECRET_SHAPE.match(token) or _HOSTLIKE.match(token):
        return False
    is_hex = re.fullmatch(r"[0-9a-fA-F]+", token) is not None
    classes = sum(
        (
            any(c.islower() for c in token),
            any(c.isupper() for c in token),
            any(c.isdigit() for c in token),
            any(not c.isalnum() for c in token),
        )
    )
    if is_hex:
        return len(token) >= 40 and _entropy(token) >= 3.0
    return classes >= 3 and _entropy(token) >= 3.5


def secret_value(value: str) -> bool:
    """Does the value itself have the shape of a secret (key id, PEM key, JWT, known token, random blob)?"""
    if not isinstance(value, str) or not value:
        return False
    return bool(
        _AWS_KEY_ID.search(value)
        or _URL_PASSWORD.search(value)
        or _PEM_PRIVATE.search(value)
        or _JWT.search(value)
        or _TOKEN_PREFIX.search(value)
        or _high_entropy(value)
    )


def looks_secret(name: str, value: str) -> bool:
    """True when ``name`` names a secret (with a literal, value) or ``value`` looks like one."""
    try:
        stripped = value.strip() if isinstance(value, str) else ""
        literal = stripped.lower() not in _PLACEHOLDERS and not _REFERENCE.match(stripped)
        if literal and isinstance(name, str) and secret_name(name):
            return True
        return secret_value(stripped)
    except Exception:  # never raise on account-controlled input
        return False
