"""Reports as text pieces: a big document is written one item at a time, never held whole."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

Chunks = Iterable[str]
"""A report's text, in pieces written one after the other."""

_ITEM = "\n    "
"""Line start of an item of a top-level list in a document indented by 2."""


class Laid(str):
    """Items of a top-level list laid out already as the document has them: each on its own lines,
    indented, the items joined by commas (``\n    {...},\n    {...}``; see :func:`laid_out`)."""


def laid_out(text: str) -> Laid:
    """The items of the list of ``text``, the JSON text indented by 2 of an object whose only member
    is that list (``{"items": [...]}``), laid out as they are in a document's top-level list."""
    start = text.index("[") + 1
    end = text.rindex("]")
    return Laid(text[start : text.rindex("\n", start, end)])


def splice_lists(document: str, lists: Sequence[tuple[str, Iterable[str]]]) -> Iterator[str]:
    """``document`` with the items of each ``(key, items)`` in its top-level list ``key``, laid out
    as the whole document would be.

    ``document`` is JSON indented by 2 (pydantic's ``model_dump_json(indent=2)`` or ``json.dumps(...,
    indent=2)``, which lay out alike) whose lists ``key`` are empty, in the order of ``lists``; each
    item is its own JSON text indented by 2, or :class:`Laid` items (several, laid out already). An
    item's lines move two levels in (JSON strings hold no raw newline). Raises ValueError when a
    ``key`` is not a top-level empty list of ``document`` after the previous one.
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
            yield separator + (item if isinstance(item, Laid) else _ITEM + item.replace("\n", _ITEM))
            separator = ","
        if separator:
            yield "\n  "
    yield document[done:]
