"""The core guard with Azure's classifier: every management call of a collector goes through it."""

from __future__ import annotations

import threading

from cloudaudit.collect import guard as core
from cloudaudit.collect.guard import ABSENT, Absent, Failed, Raw
from cloudaudit_azure.collect.errors import AZURE_ERRORS

__all__ = ["ABSENT", "Absent", "Failed", "Guard", "Raw"]


class Guard(core.Guard):
    """Records what one subscription's reads could not get (gaps name the service and the call)."""

    def __init__(self, subscription: str, stop: threading.Event | None = None) -> None:
        super().__init__(subscription, AZURE_ERRORS, stop)
