"""Units of work and how their results are put in place: the same for local workers and a Dask cluster.

A unit is a JSONL chunk or a HAR range (byte ranges the worker reads itself), a compressed capture file (read
whole by the worker, as a stream), or a batch of other items. Whatever path judged it, the unit comes back as a
part (a Tally, for a run of one contract: see check/judges.py); a range's lines or entries are renumbered here,
once those before it are counted. A HAR range that does not parse, or whose commas do not join it to the range
before, hands the rest of its file to the streaming parser, here.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Generic

import orjson

from ..check.judges import Judge, P, judge_capture_file, judge_har_chunk
from ..findings import HAR_ENTRY
from ..formats.har_ranges import Parsed
from ..formats.items import CaptureFile, HarChunk, HarEntry, Item, JsonlChunk, Single

BATCH = 100  # items other than JSONL chunks per unit of work (a HAR entry is parsed whole: a few kilobytes)


Unit = JsonlChunk | HarChunk | CaptureFile | list[Single]


# A unit judged: its part (a Tally, for a run of one contract), its count of lines or entries, and for a HAR range
# how its text began and ended, for a JSONL range the lines before it where it was numbered after them; None for a
# HAR range that did not parse.
Judged = tuple[P, int, Parsed | int | None] | None


Stream = Callable[[Path, int], Iterable[Single]]  # the streaming parser of a HAR, from an entry on


def judge(judge: Judge[P], unit: Unit) -> Judged[P]:
    judged = _judge_unit(judge, unit)
    if judged is not None:
        judge.finish(judged[0])
    return judged


def _judge_unit(judge: Judge[P], unit: Unit) -> Judged[P]:
    if isinstance(unit, JsonlChunk):
        return judge.chunk(unit)
    if isinstance(unit, HarChunk):
        return judge_har_chunk(judge, unit)
    if isinstance(unit, CaptureFile):
        part, count = judge_capture_file(judge, unit)
        return part, count, None
    part = judge.empty()
    judge.add_all(part, unit)
    return part, 0, None


def from_worker(unit: Unit | list[Any]) -> Unit:
    """A unit as for_worker sent it, made whole again."""
    if isinstance(unit, list):
        return [HarEntry(item[1], orjson.loads(item[2]), item[3]) if type(item) is tuple else item for item in unit]
    return unit


def for_worker(unit: Unit) -> Unit | list[Any]:
    """A unit as it crosses to a worker: HAR entries as JSON text, which pickles far cheaper than nested objects."""
    if not isinstance(unit, list):
        return unit
    return [("har", item.location, orjson.dumps(item.entry), item.withheld) if isinstance(item, HarEntry) else item
            for item in unit]  # fmt: skip


def units_of(items: Iterable[Item]) -> Iterator[Unit]:
    batch: list[Single] = []
    for item in items:
        if isinstance(item, JsonlChunk | HarChunk | CaptureFile):
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


class Placer(Generic[P]):
    """Puts judged units in place: renumbers ranges after what came before them in their file, and hands a HAR file
    to the streaming parser from the first range that does not join."""

    def __init__(self, judge: Judge[P], stream: Stream | None) -> None:
        self.judge, self.stream = judge, stream
        self.lines: dict[str, int] = {}  # JSONL lines counted so far, by file
        self.entries: dict[str, int] = {}  # HAR entries counted so far, by file
        self.trailing: dict[str, bool] = {}  # whether the last HAR range of a file ended with a comma
        self.streamed: set[str] = set()  # HAR files handed to the streaming parser

    def wanted(self, unit: Unit) -> bool:
        """Whether a unit still needs judging (not a range of a file already handed to the streaming parser); for
        units judged in order only."""
        return not (isinstance(unit, HarChunk) and not unit.first and unit.path in self.streamed)

    def place(self, unit: Unit | None, judged: Judged[P]) -> Iterator[P]:
        if isinstance(unit, JsonlChunk):
            assert judged is not None
            part, lines, numbered = judged
            # A chunk at offset 0 starts a file (again: the same file may be given twice).
            before = self.lines.get(unit.path, 0) if unit.start else 0
            self.lines[unit.path] = before + lines
            if numbered is None:
                part.renumber(f"{unit.path}:", before)
            else:  # numbered where it was judged, after the lines the ranges before it held
                assert numbered == before, f"{unit.path}: a range numbered after {numbered} lines, {before} judged"
            yield part
        elif isinstance(unit, HarChunk):
            yield from self._place_har(unit, judged)
        else:
            assert judged is not None
            yield judged[0]

    def _place_har(self, unit: HarChunk, judged: Judged[P]) -> Iterator[P]:
        if unit.first:
            self.streamed.discard(unit.path)  # the same file given again is read again
        elif unit.path in self.streamed:
            return
        before = 0 if unit.first else self.entries.get(unit.path, 0)
        if judged is None or not isinstance(judged[2], Parsed) or not self._joins(unit, judged[2]):
            self.streamed.add(unit.path)
            yield from self._streamed(Path(unit.path), before)
            return
        part, entries, parsed = judged
        assert isinstance(parsed, Parsed)
        self.entries[unit.path] = before + entries
        self.trailing[unit.path] = parsed.trailing_comma
        part.renumber(f"{unit.path}{HAR_ENTRY}", before)
        yield part

    def _joins(self, unit: HarChunk, parsed: Parsed | None) -> bool:
        """Whether a range's commas join it to the one before: exactly one comma between two ranges, none at the
        ends of the array."""
        if parsed is None:
            return False
        if unit.last and parsed.trailing_comma:
            return False
        if unit.first:
            return not parsed.leading_comma
        return parsed.leading_comma != self.trailing.get(unit.path, False)

    def _streamed(self, path: Path, before: int) -> Iterator[P]:
        assert self.stream is not None, "HAR ranges come from a reader, which streams them too"
        for batch in units_of(self.stream(path, before)):
            judged = judge(self.judge, batch)
            assert judged is not None
            yield judged[0]


def in_order(
    units: Iterable[Unit], submit: Callable[[Unit | list[Any]], Callable[[], Judged[P]]], window: int, placer: Placer[P]
) -> Iterator[P]:
    """Units handed to `submit` (which returns how to wait for the result), at most `window` in flight, their
    results placed in input order. A range is read by whoever judges it; a batch travels whole, and only a range's
    description stays here."""
    pending: deque[tuple[Unit | None, Callable[[], Judged[P]]]] = deque()
    for unit in units:
        pending.append((None if isinstance(unit, list) else unit, submit(for_worker(unit))))
        if len(pending) >= window:
            done, result = pending.popleft()
            yield from placer.place(done, result())
    while pending:
        done, result = pending.popleft()
        yield from placer.place(done, result())
