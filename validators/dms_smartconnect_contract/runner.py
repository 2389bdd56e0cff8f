"""Judge a stream of items in this process or spread over worker processes, keeping input order."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from .checker import Checker
from .contract import JsonObject
from .exchange import Item, JsonlChunk, Single
from .findings import ChunkResult, Outcome, Result

BATCH = 500  # items other than JSONL chunks per unit of work sent to a worker
Outcomes = Result | ChunkResult
_worker_checker: Checker | None = None


def _start_worker(document: JsonObject, options: dict[str, Any]) -> None:
    global _worker_checker
    _worker_checker = Checker(document, **options)


def _judge_unit(unit: JsonlChunk | list[Single]) -> ChunkResult | list[Result | None]:
    checker = _worker_checker
    assert checker is not None
    if isinstance(unit, JsonlChunk):
        return checker.judge_chunk(unit)
    # Plain conforming results are the bulk: send back nothing, the parent knows their locations.
    results = map(checker.judge, unit)
    return [None if r.outcome is Outcome.CONFORMING and not r.findings else r for r in results]


def _units(items: Iterable[Item]) -> Iterator[JsonlChunk | list[Single]]:
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


def judge_all(items: Iterable[Item], document: JsonObject, options: dict[str, Any], jobs: int) -> Iterator[Outcomes]:
    """Outcomes for `items`, in order: a Result per item, a ChunkResult per JSONL chunk. With jobs > 1, at most
    2 * jobs units are in flight, so a fast reader cannot pile a whole capture up in memory ahead of the workers."""
    if jobs <= 1:
        checker = Checker(document, **options)
        for item in items:
            yield checker.judge_chunk(item) if isinstance(item, JsonlChunk) else checker.judge(item)
        return
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with context.Pool(jobs, initializer=_start_worker, initargs=(document, options)) as pool:
        pending: deque[tuple[list[str] | None, Any]] = deque()
        for unit in _units(items):
            # Only the locations of a batch stay here; a chunk's lines go to the worker.
            pending.append((_locations(unit), pool.apply_async(_judge_unit, (unit,))))
            if len(pending) >= 2 * jobs:
                yield from _expand(*pending.popleft())
        while pending:
            yield from _expand(*pending.popleft())


def _locations(unit: JsonlChunk | list[Single]) -> list[str] | None:
    return None if isinstance(unit, JsonlChunk) else [item.location for item in unit]


def _expand(locations: list[str] | None, handle: Any) -> Iterator[Outcomes]:
    answer = handle.get()
    if locations is None:
        yield answer
        return
    for location, result in zip(locations, answer, strict=True):
        yield result if result is not None else Result(location, Outcome.CONFORMING)
