"""Whether this process may fork a child for CPU work (copy-on-write: the child sees the data as is)."""

from __future__ import annotations

import os
import threading


def can_fork() -> bool:
    """A fork is possible and safe here: a POSIX system, and this is the process's only thread (a
    thread holding a lock at the fork would leave the child stuck on it)."""
    return hasattr(os, "fork") and threading.active_count() == 1
