"""Judge a stream of items in this process or spread over worker processes, keeping input order."""

from __future__ import annotations

import gc
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from .check import Checker
from .contract import JsonObject
from .exchange import Item, JsonlChunk, Single
from .findings import ChunkResult, Outcome, Result

BATCH = 500  # items other than JSONL chunks per unit of work sent to a worker
Outcomes = Result | ChunkResult
_worker_checker: Checker | None = None


def _start_worker(document: JsonObject | None, options: dict[str, Any]) -> None:
    # Under fork the parent's compiled checker is already here; a spawned worker compiles its own.
    global _worker_checker
    if document is not None:
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
    placed: dict[str, int] = {}  # lines counted so far in each JSONL file, to number the next chunk
    if jobs <= 1:
        checker = Checker(document, **options)
        # What exists now (the compiled contract) lives as long as the run: keep the collector from rescanning it.
        gc.freeze()
        for item in items:
            if isinstance(item, JsonlChunk):
                yield _placed(checker.judge_chunk(item), item.start, placed)
            else:
                yield checker.judge(item)
        return
    global _worker_checker
    forking = "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if forking else "spawn")
    if forking:
        _worker_checker = Checker(document, **options)
        gc.freeze()  # also keeps the forked workers from touching, and so copying, the parent's pages
    initargs = (None if forking else document, options)
    with context.Pool(jobs, initializer=_start_worker, initargs=initargs) as pool:
        pending: deque[tuple[list[str] | int, Any]] = deque()
        for unit in _units(items):
            # Only the locations of a batch stay here; a chunk is a byte range the worker reads itself.
            pending.append((_locations(unit), pool.apply_async(_judge_unit, (unit,))))
            if len(pending) >= 2 * jobs:
                yield from _expand(*pending.popleft(), placed)
        while pending:
            yield from _expand(*pending.popleft(), placed)


def _locations(unit: JsonlChunk | list[Single]) -> list[str] | int:
    """What the parent keeps of a unit: the locations of a batch, or the byte offset of a chunk."""
    return unit.start if isinstance(unit, JsonlChunk) else [item.location for item in unit]


def _placed(chunk: ChunkResult, start: int, placed: dict[str, int]) -> ChunkResult:
    """Number a chunk's lines after those of the chunks before it; a chunk at offset 0 starts a file (again)."""
    before = placed.get(chunk.path, 0) if start else 0
    chunk.place(before)
    placed[chunk.path] = before + chunk.lines
    return chunk


def _expand(locations: list[str] | int, handle: Any, placed: dict[str, int]) -> Iterator[Outcomes]:
    answer = handle.get()
    if isinstance(locations, int):
        yield _placed(answer, locations, placed)
        return
    for location, result in zip(locations, answer, strict=True):
        yield result if result is not None else Result(location, Outcome.CONFORMING)
