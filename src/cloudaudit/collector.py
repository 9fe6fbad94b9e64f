"""CPython's cyclic garbage collector, paused where a run builds many objects that form no cycles.

Evaluation, the reports and the transfers between processes create hundreds of thousands of findings,
dicts and strings that live until the run ends. Each pass of the collector's young generation walks
every one of them once more, to free nothing: about a tenth of a second per large run. Reference
counting still frees what is dropped meanwhile; a cycle made in a paused block waits for the next pass.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block, then as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
