"""Reports as text pieces: a big document is written one item at a time, never held whole."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

Chunks = Iterable[str]
"""A report's text, in pieces written one after the other."""

_ITEM = "\n    "
"""Line start of an item of a top-level list in a document indented by 2."""


def splice_lists(document: str, lists: Sequence[tuple[str, Iterable[str]]]) -> Iterator[str]:
    """``document`` with the items of each ``(key, items)`` in its top-level list ``key``, laid out
    as the whole document would be.

    ``document`` is JSON indented by 2 (pydantic's ``model_dump_json(indent=2)`` or ``json.dumps(...,
    indent=2)``, which lay out alike) whose lists ``key`` are empty, in the order of ``lists``; each
    item is its own JSON text indented by 2. An item's lines move two levels in (JSON strings hold
    no raw newline). Raises ValueError when a ``key`` is not a top-level empty list of ``document``
    after the previous one.
    """
    done = 0
    """``document[:done]`` has been handed on."""
    for key, items in lists:
        marker = f'\n  "{key}": ['
        start = document.find(marker + "]", done)  # deeper keys start their line with more spaces
        if start < 0:
            raise ValueError(f"{key!r} is not a top-level empty list of the document")
        separator = ""
        for item in items:
            if not separator:
                yield document[done : start + len(marker)]
                done = start + len(marker)  # the rest of the document starts with the list's "]"
            yield separator + _ITEM + item.replace("\n", _ITEM)
            separator = ","
        if separator:
            yield "\n  "
    yield document[done:]
