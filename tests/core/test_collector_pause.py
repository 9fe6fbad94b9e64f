"""The garbage collector is paused for a block and left as it was, even when the block fails."""

from __future__ import annotations

import gc

import pytest

from cloudaudit import collector


def test_paused_for_the_block_then_as_it_was() -> None:
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # it was off: it stays off
    finally:
        gc.enable()


def test_a_failing_block_leaves_it_on() -> None:
    with pytest.raises(RuntimeError), collector.paused():
        raise RuntimeError("boom")
    assert gc.isenabled()
