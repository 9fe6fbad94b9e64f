"""A tiny on-disk JSON cache for Internet-index answers, so a daily cron run does not pay twice.

One file per (namespace, key), ``0600`` in ``0700`` directories, written atomically. Every
failure (unreadable, corrupt, read-only disk) degrades to a cache miss: the cache is never fatal.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cloudaudit.errors import UsageError
from cloudaudit.inputs import Limits, load_json
from cloudaudit.report.files import write_atomic

log = logging.getLogger(__name__)
CACHE_ENTRY = Limits(max_bytes=64 * 2**20)
"""One cached answer (a Shodan host with its banners is at most a few MB)."""

_UNSAFE = re.compile(r"[^A-Za-z0-9.-]")


def _file_name(key: str) -> str:
    """A portable file name for ``key`` (an IP: IPv6 colons are not valid everywhere)."""
    safe = _UNSAFE.sub("_", key)[:100]
    if safe != key:
        safe += "-" + hashlib.sha256(key.encode()).hexdigest()[:12]
    return safe + ".json"


class DiskCache:
    """``get``/``put`` JSON values under ``directory/namespace/key.json`` for ``ttl_seconds``.

    A TTL of 0 (or less) disables the cache: nothing is read or written.
    """

    def __init__(self, directory: Path, ttl_seconds: float, clock: Callable[[], float] = time.time) -> None:
        self.directory = Path(directory)
        self.ttl_seconds = ttl_seconds
        self._clock = clock

    @property
    def enabled(self) -> bool:
        """False when the TTL is not positive."""
        return self.ttl_seconds > 0

    def _path(self, namespace: str, key: str) -> Path:
        return self.directory / _UNSAFE.sub("_", namespace) / _file_name(key)

    def get(self, namespace: str, key: str) -> Any | None:
        """The value stored less than ``ttl_seconds`` ago, or None (missing, expired, corrupt)."""
        if not self.enabled:
            return None
        path = self._path(namespace, key)
        if not path.exists():
            return None
        try:
            doc = load_json(path, "cache file", CACHE_ENTRY)
        except UsageError as exc:
            log.debug("ignoring unreadable cache entry: %s", exc.message)
            return None
        if not isinstance(doc, dict) or "value" not in doc:
            return None
        stored_at = doc.get("stored_at")
        if not isinstance(stored_at, int | float) or isinstance(stored_at, bool):
            return None
        age = self._clock() - stored_at
        if age > self.ttl_seconds or age < -300:  # expired, or written by a clock far in the future
            return None
        return doc["value"]

    def put(self, namespace: str, key: str, value: Any) -> None:
        """Store ``value`` (JSON-serialisable); failures are logged at debug level and ignored."""
        if not self.enabled:
            return
        path = self._path(namespace, key)
        try:
            text = json.dumps({"stored_at": self._clock(), "value": value})
            for directory in (self.directory, path.parent):
                directory.mkdir(mode=0o700, parents=True, exist_ok=True)
                os.chmod(directory, 0o700)
            write_atomic(path, text)
        except (OSError, TypeError, ValueError) as exc:
            log.debug("cannot write cache file %s: %s", path, exc)
