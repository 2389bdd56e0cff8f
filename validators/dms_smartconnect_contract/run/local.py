"""Judge a stream of items in this process or over worker processes: units of work in, one Tally per unit out, in
input order (see units.py)."""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import Any

from ..check.judges import Judge, P
from ..findings import Tally
from ..formats.items import CaptureFile, HarChunk, Item, JsonlChunk
from ..stopping import raise_if_stopped
from .chain import InOrder, LineChain
from .units import Judged, Placer, Stream, Unit, from_worker, in_order, judge, units_of

_worker: Judge[Any] | None = None  # the judge of a worker process
_spool: str | None = None  # the run's folder for the text of items a worker's tallies hold (see _judge_in_worker)
_listing_full: Any = None  # the run's event, set once its report lists no more items' text (see judge_all)
_folding = False  # whether this worker's judge keeps only what items fold under
_spooled = 0  # the files this worker has written there

# A tally's text of items from this many characters on goes to the report through a file, not the result pipe
# (a listing report of a large capture is tens of megabytes: pickled, it costs a copy on each side and the
# parent's time; a file costs the worker one copy, and the report sends it on in the kernel).
SPOOLED_CHARS = 1 << 16


def usable_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _start_worker(making: Callable[[], Judge[Any]] | None, spool: str | None, chain: LineChain,
                  listing_full: Any) -> None:  # fmt: skip
    # Under fork the parent's compiled judge is already here; a spawned worker compiles its own.
    global _worker, _spool, _listing_full, _folding
    _spool, _listing_full, _folding = spool, listing_full, False
    # Ctrl-C reaches the whole process group: the parent alone stops the run (and ends the pool), without a
    # traceback from every worker. SIGTERM, with which the pool ends its workers, ends them at once (a forked
    # worker would otherwise inherit the command's handler).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if making is not None:
        _worker = making()
        _worker.numbering = chain


def _judge_in_worker(unit: Unit | list[Any]) -> Judged[Any]:
    global _spooled, _folding
    assert _worker is not None
    if not _folding and _listing_full is not None and _listing_full.is_set():
        _worker.fold_items()
        _folding = True
    judged = judge(_worker, from_worker(unit))
    part = judged[0] if judged is not None else None
    if _spool is not None and type(part) is Tally and sum(map(len, part.rendered)) >= SPOOLED_CHARS:
        _spooled += 1
        # A full or vanished temporary folder only costs the pipe: the text stays in the tally.
        with contextlib.suppress(OSError):
            part.spool(os.path.join(_spool, f"{os.getpid()}-{_spooled}"))
    return judged


def judge_all(
    items: Iterable[Item],
    making: Callable[[], Judge[P]],
    jobs: int,
    stream: Stream | None = None,
    listing_full: Callable[[], bool] | None = None,
) -> Iterator[P]:
    """One part per unit of work, in input order, counted by the judge `making()` makes (picklable: a spawned
    worker makes its own). With jobs > 1 and more than one unit, units go to a pool of worker
    processes, at most 2 * workers in flight, so that a fast reader cannot pile a capture up in memory. `stream`
    reads a HAR file with the streaming parser, from an entry on, for a file whose ranges do not join.

    `listing_full()`, asked after each part is taken: whether the report lists no more items' text (a bounded one,
    full). Units judged from then on keep of each item only what it folds under (Judge.fold_items): they are all
    placed after the part that filled the listing, so none of their text would be written."""
    units = units_of(items)
    first = next(units, None)
    if first is None:
        return
    # (Judged here, one unit after another, the first is judged before the next is read: a pipe's lines as they come.)
    second = next(units, None) if jobs > 1 else None
    judging = making()
    judging.numbering = InOrder()
    placer = Placer(judging, stream)
    # What exists now (the compiled contract) lives as long as the run: keep the collector from rescanning it.
    gc.freeze()
    # A process that parses HAR entries itself keeps one worker fewer beside it, so that no core is shared.
    workers = jobs if isinstance(first, JsonlChunk | HarChunk | CaptureFile) else jobs - 1
    if jobs <= 1 or workers < 1 or second is None:
        folding = False
        for unit in chain([first], [second] if second is not None else [], units):
            if placer.wanted(unit):
                for part in placer.place(unit, judge(judging, unit)):
                    raise_if_stopped()
                    yield part
                    if not folding and listing_full is not None and listing_full():
                        judging.fold_items()
                        folding = True
        raise_if_stopped()
        return
    import multiprocessing  # here: a run of one unit of work never starts a pool

    global _worker
    forking = "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if forking else "spawn")
    # The JSONL ranges in flight, and those just placed, each have their slot in the chain.
    judging.numbering = lines = LineChain(context, 4 * workers + 2)
    if forking:
        _worker = judging  # the forked workers inherit it, compiled
    try:
        spool: str | None = tempfile.mkdtemp(prefix="smartconnect-contract-")
    except OSError:  # no temporary folder to write to: every text goes through the pipe
        spool = None
    full = context.Event() if listing_full is not None else None
    initargs = (None if forking else making, spool, lines, full)
    try:
        with context.Pool(workers, initializer=_start_worker, initargs=initargs) as pool:
            submit = lambda unit: pool.apply_async(_judge_in_worker, (unit,)).get  # noqa: E731
            # A stop dropped where it was raised (in the fork hooks the pool's start runs) ends the run here.
            for part in in_order(chain([first, second], units), submit, 2 * workers, placer):
                raise_if_stopped()
                yield part
                if full is not None and listing_full is not None and not full.is_set() and listing_full():
                    full.set()
                    judging.fold_items()  # (the streaming parser's entries are judged here)
            raise_if_stopped()
    finally:
        if spool is not None:  # with the text of tallies never reported (an interrupted run)
            shutil.rmtree(spool, ignore_errors=True)


# --- a Dask cluster: the same units, judged on its workers, placed and reduced here ------------------------------
