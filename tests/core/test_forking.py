"""fork_call: a function's bytes, or its failure, from a forked child; the child reaped without waiting.

Each test runs in a fresh interpreter (a fork is only safe from a process with a single thread).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fresh_interpreter import run_python

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX only")

_SETUP = """
    import os, signal, time
    from cloudaudit import forking

    def outcome(work):
        forked = forking.fork_call(work)
        assert forked is not None
        return forked.pid, forked.result()

    def no_children_left():
        for _ in range(200):
            forking.reap()
            if not forking._PENDING:
                break
            time.sleep(0.01)
        try:
            os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return True
        return False
"""


def _run(code: str, tmp_path: Path) -> list[str]:
    proc = run_python(_SETUP + code, tmp_path)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def test_what_the_function_returns_comes_back_whole_and_the_child_is_reaped(tmp_path: Path) -> None:
    out = _run(
        """
    pid, (code, data) = outcome(lambda: str(os.getpid()).encode() + b"x" * 5_000_000)
    print(code, data[:-5_000_000].decode() == str(pid), data.endswith(b"x" * 5_000_000), no_children_left())
    """,
        tmp_path,
    )
    assert out == ["0 True True True"]


def test_what_the_function_raises_is_its_one_line_and_exit_code_1(tmp_path: Path) -> None:
    out = _run(
        """
    def fails():
        raise ValueError("no such bucket")
    _, (code, data) = outcome(fails)
    print(code, data.decode(), no_children_left())
    """,
        tmp_path,
    )
    assert out == ["1 no such bucket True"]


def test_a_child_killed_before_it_said_all_is_its_signal_and_nothing(tmp_path: Path) -> None:
    out = _run(
        """
    def dies():
        os.kill(os.getpid(), signal.SIGKILL)
        return b"never"
    _, (code, data) = outcome(dies)
    print(code, data, no_children_left())
    """,
        tmp_path,
    )
    assert out == [f"{-9} b'' True"]
