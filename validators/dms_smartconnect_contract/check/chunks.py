"""The fast path of JSONL logs: a chunk of lines judged in bulk into one Tally.

Each line is parsed once. A bare body the strict reading accepts (the common case) is counted with one validation
and nothing built. Any other bare body takes the body rules' findings (the same function the checker uses for every
body) or, for a report that only counts, their shape (outcome and groups, no messages), the findings being made only
to open a group. Records, unreadable lines and bodies the fast engine cannot take go through the checker item by
item. So a line counts here exactly as the Result the checker gives it alone, which the tests prove line by line.
"""

from __future__ import annotations

from functools import partial

import orjson

from .. import har
from ..exchange import HarChunk, HarEntry, JsonlChunk, har_location
from ..findings import Outcome, Result, Tally, outcome_of
from ..readers import is_exchange_record
from .checker import Checker


def judge_chunk(checker: Checker, chunk: JsonlChunk, detail: bool) -> tuple[Tally, int]:
    """The tally of a chunk's lines, numbered from 1 within it, and how many lines it holds (blank ones too)."""
    tally = Tally(detail=detail)
    body = checker.bare_body_rules()
    quick = body.quick if body is not None else None
    loads, limit, path = orjson.loads, checker.max_body_size, chunk.path
    lines = chunk.read_lines()
    conforming = 0
    for number, raw in enumerate(lines, start=1):
        if quick is None or len(raw) > limit:
            if raw.strip():
                tally.add(checker.judge_jsonl(f"{path}:{number}", raw.strip()), path)
            continue
        try:
            value = loads(raw)
        except orjson.JSONDecodeError:
            if raw.strip():  # blank lines are no items
                tally.add(checker.judge_jsonl(f"{path}:{number}", raw.strip()), path)
            continue
        # A record is never a bare body; a task body's status is a string, which spares the call.
        if type(value) is dict and type(value.get("status")) is int and is_exchange_record(value):
            tally.add(checker.judge_line(f"{path}:{number}", raw, value), path)
            continue
        try:
            # On a bad day the last failure shape comes again: a probe that holds settles the line with one check
            # (a body its probe holds for breaks the contract there, so it would not pass the quick check).
            probe = None if detail else body.probe  # type: ignore[union-attr]
            if probe is not None and probe.holds(value):
                tally.add_shape(f"{path}:{number}", probe.shape.outcome, probe.shape.groups,
                                partial(body.findings, value, True), path)  # type: ignore[union-attr]  # fmt: skip
                continue
            if quick(value):
                conforming += 1
                if detail:
                    tally.items.append(Result(f"{path}:{number}", Outcome.CONFORMING))
                continue
            if detail:
                findings = body.findings(value, checked=True)  # type: ignore[union-attr]
                tally.add(Result(f"{path}:{number}", outcome_of(findings), findings), path)
                continue
            shape = body.shape(value)  # type: ignore[union-attr]
        except (ValueError, RecursionError):  # too deep for the fast engine: the checker reports it
            tally.add(checker.judge_line(f"{path}:{number}", raw, value), path)
            continue
        make = partial(body.findings, value, True)  # type: ignore[union-attr]
        tally.add_shape(f"{path}:{number}", shape.outcome, shape.groups, make, path)
    tally.conforming += conforming
    return tally, len(lines)


def judge_har_chunk(checker: Checker, chunk: HarChunk, detail: bool) -> tuple[Tally, int, har.Parsed] | None:
    """The tally of a HAR range's entries, numbered from 0 within it, how many there are, and how its text began
    and ended (the runner checks the commas between ranges); None when the range does not parse."""
    parsed = har.parse_range(chunk.path, chunk.start, chunk.end)
    if parsed is None:
        return None
    tally = Tally(detail=detail)
    for index, entry in enumerate(parsed.entries):
        tally.add(checker.judge(HarEntry(har_location(chunk.path, index), entry)))
    count = len(parsed.entries)
    parsed.entries.clear()  # the tally is what travels back
    return tally, count, parsed
