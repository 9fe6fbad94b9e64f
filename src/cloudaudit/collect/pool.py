"""A thread pool that can be abandoned: its daemon workers never hold up the end of the process.

``ThreadPoolExecutor`` joins its workers at interpreter exit, so a call stuck in a socket read
(botocore waits up to ``read_timeout`` per attempt) would keep an interrupted run alive long after
its reports are written. These workers are daemon threads; ``shutdown(wait=False,
cancel_futures=True)`` drops the queued work and lets the process exit whatever is in flight.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_Work = tuple[Future[Any], Callable[[], Any]]


class DaemonPool(Executor):
    """At most ``workers`` daemon threads, started as work arrives."""

    def __init__(self, workers: int, name: str) -> None:
        self._max = workers
        self._name = name
        self._queue: queue.SimpleQueue[_Work | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._idle = threading.Semaphore(0)  # released by a worker each time it is free again
        self._shutdown = False
        self._lock = threading.Lock()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Queue ``fn(*args, **kwargs)``; RuntimeError after :meth:`shutdown`."""
        future: Future[T] = Future()
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            self._queue.put((future, lambda: fn(*args, **kwargs)))
            if not self._idle.acquire(timeout=0) and len(self._threads) < self._max:
                thread = threading.Thread(
                    target=self._work, name=f"{self._name}-{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop accepting work; optionally cancel what is queued and wait for the workers."""
        with self._lock:
            self._shutdown = True
            threads = list(self._threads)
        if cancel_futures:
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    item[0].cancel()
        for _ in threads:
            self._queue.put(None)
        if wait:
            for thread in threads:
                thread.join()

    def join(self, deadline: float) -> bool:
        """After :meth:`shutdown`: wait until ``deadline`` (:func:`time.monotonic`) at most for the
        workers to end; True when they all have (an idle worker ends at once; one stuck in a call is
        left behind)."""
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in threads)

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            future, run = item
            del item  # an idle worker must not keep its last call (its closure, its result) alive
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(run())
                except BaseException as exc:  # handed to whoever waits on the future
                    future.set_exception(exc)
            del future, run
            self._idle.release()
