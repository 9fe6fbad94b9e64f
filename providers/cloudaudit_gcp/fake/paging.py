"""Paging as the Google JSON APIs do it: a page size parameter, an opaque ``pageToken``/``nextPageToken``."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import TypeVar

from cloudaudit_gcp.fake.errors import bad_request

T = TypeVar("T")


def _encode(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _decode(token: str) -> int:
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
        prefix, _, number = text.partition(":")
        if prefix != "offset":
            raise ValueError(token)
        return int(number)
    except ValueError:
        raise bad_request("Invalid value for pageToken.") from None


def page(
    items: Sequence[T], query: Mapping[str, str], size_param: str, default: int
) -> tuple[list[T], str | None]:
    """The page the query asks for and the token of the next one (None on the last page)."""
    start = _decode(query["pageToken"]) if query.get("pageToken") else 0
    raw_size = query.get(size_param) or str(default)
    if not raw_size.isdigit():
        raise bad_request(f"Invalid value for {size_param}: {raw_size}")
    size = min(int(raw_size), default) or default
    end = start + size
    return list(items[start:end]), (_encode(end) if end < len(items) else None)
