"""Judge a stream of items in this process or spread over worker processes, keeping input order."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from .checker import Checker
from .contract import JsonObject
from .exchange import Item
from .findings import Outcome, Result

BATCH = 2000
_worker_checker: Checker | None = None


def _start_worker(document: JsonObject, options: dict[str, Any]) -> None:
    global _worker_checker
    _worker_checker = Checker(document, **options)


def _judge_batch(batch: list[Item]) -> list[Result | None]:
    assert _worker_checker is not None
    out: list[Result | None] = []
    for item in batch:
        result = _worker_checker.judge(item)
        # Plain conforming results are the bulk: send back nothing, the parent knows their locations.
        out.append(None if result.outcome is Outcome.CONFORMING and not result.findings else result)
    return out


def judge_all(items: Iterable[Item], document: JsonObject, options: dict[str, Any], jobs: int) -> Iterator[Result]:
    """Results for `items`, in order. With jobs > 1, at most 2 * jobs batches are in flight, so a fast reader
    cannot pile a whole capture up in memory ahead of the workers."""
    if jobs <= 1:
        checker = Checker(document, **options)
        yield from map(checker.judge, items)
        return
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with context.Pool(jobs, initializer=_start_worker, initargs=(document, options)) as pool:
        pending: deque[tuple[list[str], Any]] = deque()
        iterator = iter(items)
        while batch := list(islice(iterator, BATCH)):
            pending.append(([item.location for item in batch], pool.apply_async(_judge_batch, (batch,))))
            if len(pending) >= 2 * jobs:
                yield from _expand(*pending.popleft())
        while pending:
            yield from _expand(*pending.popleft())


def _expand(locations: list[str], handle: Any) -> Iterator[Result]:
    for location, result in zip(locations, handle.get(), strict=True):
        yield result if result is not None else Result(location, Outcome.CONFORMING)
