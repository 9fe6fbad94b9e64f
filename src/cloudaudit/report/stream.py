"""Reports as text pieces: a big document is written one item at a time, never held whole."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

Chunks = Iterable[str]
"""A report's text, in pieces written one after the other."""

_ITEM = "\n    "
"""Line start of an item of a top-level list in a document indented by 2."""


def splice_list(document: str, key: str, items: Iterable[str]) -> Iterator[str]:
    """``document`` with ``items`` in its top-level list ``key``, laid out as the whole would be.

    ``document`` is JSON indented by 2 (pydantic's ``model_dump_json(indent=2)`` or ``json.dumps(...,
    indent=2)``, which lay out alike) whose ``key`` is an empty list; each item is its own JSON text
    indented by 2. An item's lines move two levels in (JSON strings hold no raw newline); the result is
    the text the whole document would have had. Raises ValueError when ``key`` is not a top-level
    empty list of ``document``.
    """
    marker = f'\n  "{key}": ['
    start = document.find(marker + "]")  # deeper keys start their line with more spaces
    if start < 0:
        raise ValueError(f"{key!r} is not a top-level empty list of the document")
    head_end = start + len(marker)
    separator = ""
    for item in items:
        if not separator:
            yield document[:head_end]
        yield separator + _ITEM + item.replace("\n", _ITEM)
        separator = ","
    if separator:
        yield "\n  " + document[head_end:]
    else:
        yield document
