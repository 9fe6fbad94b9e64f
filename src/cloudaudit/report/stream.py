"""Reports as text pieces: a big document is written one item at a time, never held whole."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

Piece = str | bytes
"""A piece of a report's text: a string, or its UTF-8 bytes as a serialiser wrote them (never decoded
and encoded again: for findings.json, 0.07 s of 47 MB on the GCP benchmark)."""

Chunks = Iterable[Piece]
"""A report's text, in pieces written one after the other."""

_ITEM = "\n    "
"""Line start of an item of a top-level list in a document indented by 2."""


class Laid(bytes):
    """Items of a top-level list laid out already as the document has them, in UTF-8: each on its own
    lines, indented, the items joined by commas (``\n    {...},\n    {...}``; see :func:`laid_out`)."""


def laid_out(text: bytes) -> Laid:
    """The items of the list of ``text``, the JSON text (UTF-8) indented by 2 of an object whose only
    member is that list (``{"items": [...]}``), laid out as they are in a document's top-level list."""
    start = text.index(b"[") + 1
    end = text.rindex(b"]")
    return Laid(text[start : text.rindex(b"\n", start, end)])


def joined(chunks: Chunks) -> str:
    """The whole text of ``chunks``."""
    return "".join(p if isinstance(p, str) else p.decode("utf-8") for p in chunks)


def splice_lists(document: str, lists: Sequence[tuple[str, Iterable[str | Laid]]]) -> Iterator[Piece]:
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
            if isinstance(item, Laid):
                yield separator
                yield item
            else:
                yield separator + _ITEM + item.replace("\n", _ITEM)
            separator = ","
        if separator:
            yield "\n  "
    yield document[done:]
