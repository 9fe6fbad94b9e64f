"""The garbage collector is paused for a block and left as it was, even when the block fails."""

from __future__ import annotations

import gc
import subprocess
import sys

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


def test_the_command_collects_rarely_from_its_first_import() -> None:
    """Importing the command line sets the audit's thresholds before its own imports run: importing
    it costs a handful of young-generation passes, not the ~170 of CPython's defaults."""
    code = (
        "import gc\n"
        "passes = []\n"
        "def counted(phase, info):\n"
        "    if phase == 'stop':\n"
        "        passes.append(info['generation'])\n"
        "gc.callbacks.append(counted)\n"
        "import cloudaudit.cli.app\n"
        "from cloudaudit.collector import AUDIT_THRESHOLDS\n"
        "print(gc.get_threshold() == AUDIT_THRESHOLDS, len(passes))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    same, passes = done.stdout.split()
    assert same == "True"
    assert int(passes) < 20
