"""What judges a unit of work and what it gives back: the units (chunks, ranges, files, batches) are read the same
way whatever is counted, so the runner takes a Judge, which says how items are counted into a part and how parts
join. TallyJudge counts one contract into a Tally, as every report reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from ..contract import JsonObject
from ..findings import NO_FINDINGS, Keeping, Outcome, Tally, har_location, item_number, source_of
from ..formats import har_ranges as har
from ..formats.files import capture_file_items, read_failure
from ..formats.items import CaptureFile, HarChunk, HarEntry, JsonlChunk, Single, Unreadable
from ..sources.lines import Broken, line_blocks
from .checker import Checker
from .chunks import Numbering, judge_chunk
from .options import CheckOptions


class Part(Protocol):
    """What a unit of work gives back: its items are numbered within the unit until the runner renumbers them."""

    def renumber(self, prefix: str, before: int) -> None: ...


P = TypeVar("P", bound=Part)


class Judge(Protocol[P]):
    """How the items of a unit are counted into a part. The reading limits are those of the contract's checker."""

    max_body_size: int
    default_status: int
    default_content_type: str
    numbering: Numbering | None  # how linked JSONL ranges learn the lines before them (run/chain.py)

    def empty(self) -> P: ...

    def add(self, part: P, item: Single) -> None: ...

    def add_all(self, part: P, items: Iterable[Single]) -> int:
        """Count `items` in order into the part, as add() each would; how many there were."""

    def chunk(self, chunk: JsonlChunk) -> tuple[P, int, int | None]:
        """A chunk's part, how many lines it holds, and the lines before it where its lines were numbered after
        them (else None: numbered from 1)."""

    def append(self, part: P, later: P) -> None: ...

    def finish(self, part: P) -> None: ...

    def fold_items(self) -> None:
        """From now on, keep of each item only what a bounded report folds it under: its listing is full."""


def judge_har_chunk(judge: Judge[P], chunk: HarChunk) -> tuple[P, int, har.Parsed] | None:
    """The part of a HAR range's entries, numbered from 0 within it, how many there are, and how its text began
    and ended (the runner checks the commas between ranges); None when the range does not parse."""
    parsed = har.parse_range(chunk.path, chunk.start, chunk.end, judge.max_body_size)
    if parsed is None:
        return None
    part = judge.empty()
    entries = (
        HarEntry(har_location(chunk.path, index), entry, chunk.withheld) for index, entry in enumerate(parsed.entries)
    )
    count = judge.add_all(part, entries)
    parsed.entries.clear()  # the part is what travels back
    return part, count, parsed


def judge_capture_file(judge: Judge[P], unit: CaptureFile) -> tuple[P, int]:
    """The part of a whole capture file read as a stream (a compressed one), its items numbered within the file,
    and how many lines or entries it holds. Where the stream breaks, the items before are judged and the break is
    one unreadable item, named by the line or entry where it happened."""
    part = judge.empty()
    if unit.kind != "JSONL":
        items = capture_file_items(unit, judge.default_status, judge.default_content_type, judge.max_body_size)
        return part, judge.add_all(part, items)
    before = 0
    blocks = line_blocks(unit.path, unit.compression, unit.options, judge.max_body_size + 2)  # room for CR LF
    while True:
        try:
            lines = next(blocks, None)
        except Broken as exc:
            judge.add(part, Unreadable(f"{unit.path}:{before + 1}", str(exc)))
            break
        except Exception as exc:  # a local file's OSError, or any failure of a URL's filesystem
            judge.add(part, Unreadable(f"{unit.path}:{before + 1}", read_failure(unit.path, exc, unit.options)))
            break
        if lines is None:
            break
        later, count, _ = judge.chunk(JsonlChunk(unit.path, lines, before=before))
        judge.append(part, later)
        before += count
    return part, before


class TallyJudge:
    """One contract's verdicts counted into a Tally, keeping what the report needs (`keeping`)."""

    def __init__(self, checker: Checker, keeping: Keeping) -> None:
        self.checker, self.keeping = checker, keeping
        self.numbering: Numbering | None = None
        self.max_body_size = checker.max_body_size
        self.default_status = checker.default_status
        self.default_content_type = checker.default_content_type

    def empty(self) -> Tally:
        return self.keeping.tally()

    def add(self, part: Tally, item: Single) -> None:
        part.add(self.checker.judge(item))

    def add_all(self, part: Tally, items: Iterable[Single]) -> int:
        """As add() each, but for a report that lists items a stretch of conforming ones of one file and operation
        is kept at once, from one template (as a JSONL chunk keeps its conforming lines), not one fill per item."""
        count = 0
        numbers: list[str] = []  # the numbers of the stretch's items, each `prefix` + number
        prefix = operation = ""

        def keep_stretch() -> None:
            part.keep_held(prefix, numbers, Outcome.CONFORMING, (), NO_FINDINGS, (), [], source_of(prefix), operation)
            numbers.clear()

        for result in map(self.checker.judge, items):
            count += 1
            number = None
            if part.writer is not None and result.outcome is Outcome.CONFORMING and not result.findings:
                number = item_number(result.location)
            if number is None:
                if numbers and result.outcome is not Outcome.SKIPPED:  # (a skipped item is counted, never kept)
                    keep_stretch()
                part.add(result)
                continue
            start, label = number
            if numbers and (result.location[:start] != prefix or result.operation != operation):
                keep_stretch()
            prefix, operation = result.location[:start], result.operation
            numbers.append(label)
        if numbers:
            keep_stretch()
        return count

    def chunk(self, chunk: JsonlChunk) -> tuple[Tally, int, int | None]:
        return judge_chunk(self.checker, chunk, self.keeping, self.numbering)

    def append(self, part: Tally, later: Tally) -> None:
        """A later part of the same unit: counts and groups as Tally.merge, and the items a detailed report lists."""
        part.merge(later)
        if part.detail:
            part.items.extend(later.items)
            if part.writer is not None:  # the later part's numbers are settled: its text joins as it is
                part.rendered += later.rendered_items()
                part.folds += later.folds

    def finish(self, part: Tally) -> None:
        """What the unit exercised of the contract (with --coverage), counted by the checker as it judged."""
        if self.checker.coverage is not None:
            part.coverage = self.checker.take_coverage()

    def fold_items(self) -> None:
        self.keeping = replace(self.keeping, folding=True)


@dataclass(frozen=True)
class OneContract:
    """How a worker process makes its TallyJudge (a spawned one compiles the contract itself)."""

    document: JsonObject
    options: CheckOptions
    keeping: Keeping

    def __call__(self) -> TallyJudge:
        return TallyJudge(Checker(self.document, self.options), self.keeping)
