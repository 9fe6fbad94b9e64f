"""Write output files safely: owner-only, atomic, never through a symlink or into a shared directory.

Reports describe an account's weaknesses and cloudaudit often runs as root (CI, cron). So:

- the output directory must be ours and closed to others: an existing directory writable by group
  or others, or owned by another user, is refused (someone else could swap files in it); one
  readable by others gets a warning;
- every file is written to a fresh temporary file in the same directory (``O_CREAT|O_EXCL|
  O_NOFOLLOW``, mode 0600) and renamed over the old one. A planted symlink is replaced, never
  followed; a file another user pre-created is replaced by ours; a failed write (disk full,
  ``ulimit -f``) leaves the previous complete file in place.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from cloudaudit.errors import CloudauditError, UsageError
from cloudaudit.terminal import printable

log = logging.getLogger(__name__)

_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)


_CHUNK = 1 << 16
"""Characters encoded and written at a time (64 KiB: the pieces gathered, their text and its bytes
stay small; a larger buffer saves no measurable time)."""

_WARNED: set[tuple[int, int]] = set()
"""Directories already warned about (a run checks its output directory early and again on write)."""


class UnsafeOutputError(CloudauditError):
    """The output location could let another user read or replace the reports (exit 3)."""


def _shown(path: Path) -> str:
    return printable(path, limit=300)


def check_dir(path: Path) -> None:
    """Refuse an existing ``path`` that is not a directory, not ours, or writable by others.

    A missing ``path`` is fine (it is created 0700 when reports are written).
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise CloudauditError(f"cannot use output directory {_shown(path)}: {exc.strerror}") from exc
    if not stat.S_ISDIR(info.st_mode):
        raise UsageError(f"output directory {_shown(path)} exists and is not a directory")
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        raise UnsafeOutputError(
            f"output directory {_shown(path)} belongs to another user (uid {info.st_uid}): "
            "choose a directory of your own with --output-dir"
        )
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise UnsafeOutputError(
            f"output directory {_shown(path)} is writable by group or others "
            f"(mode {stat.S_IMODE(info.st_mode):04o}): run 'chmod go-w {_shown(path)}' or choose another"
        )
    if info.st_mode & stat.S_IROTH and (info.st_dev, info.st_ino) not in _WARNED:
        _WARNED.add((info.st_dev, info.st_ino))
        log.warning(
            "warning: output directory %s is readable by others (mode %04o); reports stay 0600",
            _shown(path),
            stat.S_IMODE(info.st_mode),
        )


def prepare_dir(path: Path) -> Path:
    """Check ``path`` (see :func:`check_dir`) and create it 0700 when it does not exist."""
    check_dir(path)
    if not path.exists():
        try:
            path.mkdir(parents=True, mode=0o700)
            os.chmod(path, 0o700)  # mkdir's mode is reduced by the umask, never widened: make it exact
        except FileExistsError:
            pass  # created meanwhile: checked again below
        except OSError as exc:
            raise CloudauditError(f"cannot create output directory {_shown(path)}: {exc.strerror}") from exc
        check_dir(path)
    return path


def _pieces(text: str | Iterable[str | bytes]) -> Iterator[bytes]:
    """``text`` as UTF-8, in pieces of about ``_CHUNK`` characters: a big string sliced, small pieces
    gathered, big bytes as they are."""
    if isinstance(text, str):
        for start in range(0, len(text), _CHUNK):  # encoded piecewise: no second copy of a big report
            yield text[start : start + _CHUNK].encode("utf-8")
        return
    gathered: list[bytes] = []
    size = 0
    for piece in text:
        data = piece if isinstance(piece, bytes) else piece.encode("utf-8")
        gathered.append(data)
        size += len(data)
        if size >= _CHUNK:
            yield b"".join(gathered)
            gathered, size = [], 0
    if gathered:
        yield b"".join(gathered)


def write_atomic(path: Path, text: str | Iterable[str | bytes]) -> Path:
    """Replace ``path`` with ``text`` (a string, or pieces) atomically, as a new 0600 file of ours.

    The temporary file is created in the same directory without following symlinks, then
    renamed over ``path`` (a rename replaces a symlink itself, never its target). Pieces are
    written as they come: a report is never held whole. Raises OSError (and whatever producing
    the pieces raises; the previous file is then left in place).
    """
    dir_fd = os.open(path.parent, _DIR_FLAGS)
    try:
        tmp = f".{path.name}.{secrets.token_hex(6)}.tmp"
        fd = os.open(tmp, _CREATE_FLAGS, 0o600, dir_fd=dir_fd)
        try:
            with os.fdopen(fd, "wb") as handle:
                os.fchmod(handle.fileno(), 0o600)
                for piece in _pieces(text):
                    handle.write(piece)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path.name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=dir_fd)
            raise
    finally:
        os.close(dir_fd)
    return path


def write_private(path: Path, text: str | Iterable[str | bytes]) -> Path:
    """:func:`write_atomic`, with a one-line CloudauditError when the file cannot be written."""
    try:
        return write_atomic(path, text)
    except OSError as exc:
        raise CloudauditError(
            f"cannot write {_shown(path)}: {exc.strerror or exc}; the previous file, if any, is unchanged"
        ) from exc
