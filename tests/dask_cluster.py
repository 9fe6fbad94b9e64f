"""An in-process Dask cluster for the tests: real scheduler protocol over TCP on 127.0.0.1, workers as
threads of the test process (they share its environment: fake credentials, emulator endpoints)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from distributed import LocalCluster


@contextmanager
def local_cluster(workers: int = 2, threads: int = 4) -> Iterator[str]:
    """A LocalCluster listening on 127.0.0.1 only, no dashboard; its scheduler's ``tcp://`` address."""
    with LocalCluster(
        processes=False,
        n_workers=workers,
        threads_per_worker=threads,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield str(cluster.scheduler_address)
