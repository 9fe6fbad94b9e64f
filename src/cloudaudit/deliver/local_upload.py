"""Copy to ``file:///DIRECTORY``: through :mod:`cloudaudit.report.files`, as every file cloudaudit writes
(a directory of ours closed to others, atomic owner-only files, never through a symlink)."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

from cloudaudit.deliver.destination import Destination
from cloudaudit.deliver.upload import Send
from cloudaudit.report.files import prepare_dir, write_private

_CHUNK = 1 << 16


def _text(path: Path) -> Iterator[str]:
    """The report's text in pieces (a large inventory is never held whole)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as source:
        while chunk := source.read(_CHUNK):
            yield decoder.decode(chunk)
    yield decoder.decode(b"", final=True)


def sender(destination: Destination) -> Send:
    """Each file copied into the directory (created 0700 when missing)."""
    assert destination.directory is not None
    directory = prepare_dir(destination.directory)

    def send(path: Path, name: str) -> None:
        write_private(directory / name, _text(path))

    return send
