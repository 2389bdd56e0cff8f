"""Judge a stream of items in this process or over worker processes: units of work in, one Tally per unit out, in
input order (see units.py)."""

from __future__ import annotations

import gc
import os
import signal
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any

from ..check import Checker, CheckOptions
from ..contract import JsonObject
from ..findings import Tally
from ..formats.items import CaptureFile, HarChunk, Item, JsonlChunk
from .units import Judged, Placer, Stream, Unit, from_worker, in_order, judge, units_of

_worker: tuple[Checker, bool] | None = None  # the checker of a worker process, and whether items are kept


def usable_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _start_worker(document: JsonObject | None, options: CheckOptions, detail: bool) -> None:
    # Under fork the parent's compiled checker is already here; a spawned worker compiles its own.
    global _worker
    # Ctrl-C reaches the whole process group: the parent alone stops the run (and ends the pool), without a
    # traceback from every worker. SIGTERM, with which the pool ends its workers, ends them at once (a forked
    # worker would otherwise inherit the command's handler).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if document is not None:
        _worker = (Checker(document, options), detail)


def _judge_in_worker(unit: Unit | list[Any]) -> Judged:
    assert _worker is not None
    return judge(_worker[0], from_worker(unit), _worker[1])


def judge_all(
    items: Iterable[Item],
    document: JsonObject,
    options: CheckOptions,
    jobs: int,
    detail: bool = False,
    stream: Stream | None = None,
) -> Iterator[Tally]:
    """One Tally per unit of work, in input order. With jobs > 1 and more than one unit, units go to a pool of worker
    processes, at most 2 * workers in flight, so that a fast reader cannot pile a capture up in memory. `stream`
    reads a HAR file with the streaming parser, from an entry on, for a file whose ranges do not join."""
    units = units_of(items)
    first = next(units, None)
    second = next(units, None)
    if first is None:
        return
    checker = Checker(document, options)
    placer = Placer(checker, detail, stream)
    # What exists now (the compiled contract) lives as long as the run: keep the collector from rescanning it.
    gc.freeze()
    # A process that parses HAR entries itself keeps one worker fewer beside it, so that no core is shared.
    workers = jobs if isinstance(first, JsonlChunk | HarChunk | CaptureFile) else jobs - 1
    if jobs <= 1 or workers < 1 or second is None:
        for unit in chain([first], [second] if second is not None else [], units):
            if placer.wanted(unit):
                yield from placer.place(unit, judge(checker, unit, detail))
        return
    import multiprocessing  # here: a run of one unit of work never starts a pool

    global _worker
    forking = "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if forking else "spawn")
    if forking:
        _worker = (checker, detail)  # the forked workers inherit it, compiled
    initargs = (None if forking else document, options, detail)
    with context.Pool(workers, initializer=_start_worker, initargs=initargs) as pool:
        submit = lambda unit: pool.apply_async(_judge_in_worker, (unit,)).get  # noqa: E731
        yield from in_order(chain([first, second], units), submit, 2 * workers, placer)


# --- a Dask cluster: the same units, judged on its workers, placed and reduced here ------------------------------
