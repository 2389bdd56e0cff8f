"""Judging on a Dask cluster: one named by its scheduler's address, or a local one started for the run; the units and
the placing are those of a local run (units.py), so the report is the same."""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import orjson

from .. import install_line
from ..check import Checker, CheckOptions
from ..check.judges import TallyJudge
from ..contract import JsonObject
from ..findings import Keeping, Tally
from ..formats.items import Item
from .units import Judged, Placer, Stream, Unit, from_worker, in_order, judge, units_of


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


_cluster_judges: dict[tuple[str, CheckOptions, Keeping], TallyJudge] = {}  # on a worker: one per contract and options


def judge_remote(
    unit: Unit | list[Any], contract: bytes, key: str, options: CheckOptions, keeping: Keeping
) -> Judged[Tally]:
    """A unit judged on a Dask worker (a task): the checker is compiled on the worker's first task and kept."""
    cache_key = (key, options, keeping)
    judging = _cluster_judges.get(cache_key)
    if judging is None:
        judging = _cluster_judges[cache_key] = TallyJudge(Checker(orjson.loads(contract), options), keeping)
        gc.freeze()  # as in a local worker: the compiled contract lives as long as the worker
    return judge(judging, from_worker(unit))


def judge_on_cluster(
    items: Iterable[Item],
    document: JsonObject,
    options: CheckOptions,
    client: Any,
    keeping: Keeping | None = None,
    stream: Stream | None = None,
) -> Iterator[Tally]:
    """One Tally per unit of work, in input order, judged as tasks on a Dask cluster (`client`): the units and the
    placing are those of a local run, so the report is the same. Ranges and files travel as paths or URLs that the
    workers read themselves; at most sixteen tasks per worker thread are in flight."""
    import hashlib

    keeping = keeping or Keeping()

    # Here only for a HAR file handed to the streaming parser.
    placer = Placer(TallyJudge(Checker(document, options), keeping), stream)
    contract = orjson.dumps(document)
    key = hashlib.sha256(contract).hexdigest()
    shared = client.scatter(contract, broadcast=True)
    window = 16 * max(1, sum(client.nthreads().values()))

    def submit(unit: Unit | list[Any]) -> Callable[[], Judged[Tally]]:
        result: Callable[[], Judged[Tally]] = client.submit(
            judge_remote, unit, shared, key, options, keeping, pure=False
        ).result
        return result

    yield from in_order(units_of(items), submit, window, placer)
