"""A Dask cluster to judge on: one named by its scheduler's address, or a local one started for the run."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from .. import install_line


class ClusterError(Exception):
    """No cluster to judge on: the extra is missing or the scheduler does not answer (exit code 2)."""


@contextlib.contextmanager
def connect(scheduler: str, jobs: int) -> Iterator[Any]:
    """A Dask client of the scheduler at `scheduler`, or of a LocalCluster of `jobs` single-threaded worker
    processes when it is "local"; closed (and the local cluster stopped) on leaving."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ClusterError(f"--scheduler needs Dask distributed: {install_line('dask')}") from exc
    # Dask's own logs would interleave with the report: only its errors are shown.
    for name in ("distributed", "distributed.worker", "distributed.scheduler", "distributed.nanny"):
        logging.getLogger(name).setLevel(logging.ERROR)
    with contextlib.ExitStack() as stack:
        if scheduler == "local":
            cluster = stack.enter_context(
                LocalCluster(  # type: ignore[no-untyped-call]
                    # A free port for its HTTP routes: the default one may be taken by another cluster.
                    n_workers=jobs,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address="127.0.0.1:0",
                )
            )
            address: Any = cluster
        else:
            address = scheduler
        try:
            client = stack.enter_context(Client(address, timeout="10s"))  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as exc:
            raise ClusterError(f"{scheduler}: the scheduler does not answer ({exc})") from exc
        yield client
