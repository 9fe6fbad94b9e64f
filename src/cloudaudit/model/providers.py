"""Which providers a scan or run covers: ``providers`` lists them, ``provider`` names them in one string.

``provider`` is what documents before schema 1.2 had: one provider's name. It is kept (a run of one
provider writes that name, a run of several writes them joined with commas, ``aws,gcp``) so readers
of 1.1 still show the right thing and never mistake a multi-provider run for one of its providers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def provider_label(providers: Iterable[str]) -> str:
    """``aws`` for one provider, ``aws,gcp`` for several (the ``provider`` field)."""
    return ",".join(providers)


def fill_providers(data: Any) -> Any:
    """Complete ``provider`` and ``providers`` from whichever is given (files before 1.2 have only
    ``provider``); ValueError when neither is given or they disagree."""
    if not isinstance(data, dict):
        return data
    provider, providers = data.get("provider"), data.get("providers")
    if not providers:
        if not provider:
            raise ValueError("no provider named (provider or providers)")
        return {**data, "providers": [provider]} if isinstance(provider, str) else data
    if not isinstance(providers, list | tuple) or not all(isinstance(p, str) for p in providers):
        return data  # the field's own validation says what is wrong
    if not provider:
        return {**data, "provider": provider_label(providers)}
    if provider != provider_label(providers):
        raise ValueError(f"provider {provider!r} does not name providers {list(providers)!r}")
    return data
