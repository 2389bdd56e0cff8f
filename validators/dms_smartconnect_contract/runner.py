"""Judge a stream of items in this process or over worker processes: units of work in, one Tally per unit out, in
input order.

A unit is a JSONL chunk (a byte range the worker reads itself) or a batch of other items. Whatever path judged it,
the unit comes back as a Tally; a chunk's lines are renumbered here, once the lines before it are counted.
"""

from __future__ import annotations

import gc
import os
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any

import orjson

from .check import Checker
from .check.chunks import judge_chunk
from .contract import JsonObject
from .exchange import HarEntry, Item, JsonlChunk, Single
from .findings import Tally

BATCH = 100  # items other than JSONL chunks per unit of work (a HAR entry is parsed whole: a few kilobytes)
Unit = JsonlChunk | list[Single]
_worker: tuple[Checker, bool] | None = None  # the checker of a worker process, and whether items are kept


def usable_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _start_worker(document: JsonObject | None, options: dict[str, Any], detail: bool) -> None:
    # Under fork the parent's compiled checker is already here; a spawned worker compiles its own.
    global _worker
    if document is not None:
        _worker = (Checker(document, **options), detail)


def _judge(checker: Checker, unit: Unit, detail: bool) -> tuple[Tally, int]:
    """A unit's tally, and for a JSONL chunk how many lines it holds (0 for a batch)."""
    if isinstance(unit, JsonlChunk):
        return judge_chunk(checker, unit, detail)
    tally = Tally(detail=detail)
    for item in unit:
        tally.add(checker.judge(item))
    return tally, 0


def _judge_in_worker(unit: Unit | list[Any]) -> tuple[Tally, int]:
    assert _worker is not None
    if isinstance(unit, list):
        unit = [HarEntry(item[1], orjson.loads(item[2])) if type(item) is tuple else item for item in unit]
    return _judge(_worker[0], unit, _worker[1])


def _for_worker(unit: Unit) -> Unit | list[Any]:
    """A unit as it crosses to a worker: HAR entries as JSON text, which pickles far cheaper than nested objects."""
    if isinstance(unit, JsonlChunk):
        return unit
    return [("har", item.location, orjson.dumps(item.entry)) if isinstance(item, HarEntry) else item for item in unit]


def _units(items: Iterable[Item]) -> Iterator[Unit]:
    batch: list[Single] = []
    for item in items:
        if isinstance(item, JsonlChunk):
            if batch:
                yield batch
                batch = []
            yield item
        else:
            batch.append(item)
            if len(batch) >= BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


class _Numbering:
    """Renumbers a chunk's lines after those of the chunks before it in the same file."""

    def __init__(self) -> None:
        self.lines: dict[str, int] = {}

    def place(self, unit: Unit | None, judged: tuple[Tally, int]) -> Tally:
        tally, lines = judged
        if not isinstance(unit, JsonlChunk):
            return tally
        # A chunk at offset 0 starts a file (again: the same file may be given twice).
        before = self.lines.get(unit.path, 0) if unit.start else 0
        self.lines[unit.path] = before + lines
        if before:
            prefix = f"{unit.path}:"
            tally.relocate(lambda location: f"{prefix}{int(location[len(prefix) :]) + before}")
        return tally


def judge_all(
    items: Iterable[Item], document: JsonObject, options: dict[str, Any], jobs: int, detail: bool = False
) -> Iterator[Tally]:
    """One Tally per unit of work, in input order. With jobs > 1 and more than one unit, units go to a pool of worker
    processes, at most 2 * jobs in flight, so that a fast reader cannot pile a capture up in memory."""
    units = _units(items)
    first = next(units, None)
    second = next(units, None)
    if first is None:
        return
    numbering = _Numbering()
    checker = Checker(document, **options)
    # What exists now (the compiled contract) lives as long as the run: keep the collector from rescanning it.
    gc.freeze()
    # The reading process parses HAR files itself: beside it, one worker fewer keeps every core busy and none shared.
    workers = jobs if isinstance(first, JsonlChunk) else jobs - 1
    if workers < 1 or second is None:
        for unit in chain([first], [second] if second is not None else [], units):
            yield numbering.place(unit, _judge(checker, unit, detail))
        return
    import multiprocessing  # here: a run of one unit of work never starts a pool

    global _worker
    forking = "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if forking else "spawn")
    if forking:
        _worker = (checker, detail)  # the forked workers inherit it, compiled
    initargs = (None if forking else document, options, detail)
    with context.Pool(workers, initializer=_start_worker, initargs=initargs) as pool:
        pending: deque[tuple[JsonlChunk | None, Any]] = deque()
        for unit in chain([first, second], units):
            # A chunk is a byte range the worker reads itself; a batch travels whole, and only a chunk stays here.
            kept = unit if isinstance(unit, JsonlChunk) else None
            pending.append((kept, pool.apply_async(_judge_in_worker, (_for_worker(unit),))))
            if len(pending) >= 2 * workers:
                done, handle = pending.popleft()
                yield numbering.place(done, handle.get())
        while pending:
            done, handle = pending.popleft()
            yield numbering.place(done, handle.get())
