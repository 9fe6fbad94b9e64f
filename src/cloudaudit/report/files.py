"""Write report files readable by their owner only: they describe an account's weaknesses."""

from __future__ import annotations

import os
from pathlib import Path

from cloudaudit.errors import CloudauditError


def prepare_dir(path: Path) -> Path:
    """Create the output directory (0700 when new)."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise CloudauditError(f"cannot create output directory {path}: {exc.strerror}") from exc
    return path


def write_private(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` with mode 0600, even if the file existed with wider rights."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(text)
    except OSError as exc:
        raise CloudauditError(f"cannot write {path}: {exc.strerror}") from exc
    return path
