"""The CLI in a child process (its real exit code and streams), and the one-line error it must print."""

from __future__ import annotations

import os
import subprocess
import sys

_MAIN = "import sys; from cloudaudit.cli.app import main; sys.exit(main())"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``cloudaudit ARGS`` in a child process with this process's environment."""
    return subprocess.run(
        [sys.executable, "-c", _MAIN, *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )


def assert_one_line_error(proc: subprocess.CompletedProcess[str], code: int, *texts: str) -> None:
    """The command exited ``code`` with exactly one stderr line holding every text, and no traceback."""
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    for text in texts:
        assert text in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
