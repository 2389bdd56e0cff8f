"""The fast path of JSONL logs: a chunk of lines judged in bulk into one Tally.

Each line is parsed once. A bare body the strict reading accepts (the common case) is counted with one validation
and nothing built. Any other bare body takes the body rules' findings (the same function the checker uses for every
body) or, for a report that only counts, their shape (outcome and groups, no messages), the findings being made only
to open a group. Records, unreadable lines and bodies the fast engine cannot take go through the checker item by
item. So a line counts here exactly as the Result the checker gives it alone, which the tests prove line by line.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import orjson

from ..findings import NO_FINDINGS, Finding, GroupKey, Keeping, Outcome, Result, Tally, outcome_of
from ..formats.items import JsonlChunk
from ..sources.lines import LongLine
from .body import BodyRules
from .checker import Checker
from .probe import Probe


def judge_chunk(checker: Checker, chunk: JsonlChunk, keeping: Keeping) -> tuple[Tally, int]:
    """The tally of a chunk's lines, numbered from its first (see JsonlChunk), and how many lines it holds (blank
    ones too)."""
    tally = keeping.tally(settled=chunk.before is not None)
    detail = keeping.items
    body = checker.bare_body_rules()
    # Counting coverage takes every line through the checker, which counts what it judges.
    quick = body.quick if body is not None and checker.coverage is None else None
    if checker.families.forced:  # every line is a record, or unrecognised: none is a bare body
        quick = None
    operation = body.operation if body is not None else ""  # the operation of bare bodies
    loads, limit, path, family = orjson.loads, checker.max_body_size, chunk.path, checker.families.family
    bare = checker.bare_rules()
    unrecognised = bare.unrecognised if bare is not None else bool  # (no bare operation: every line is checked)
    # What a line must have to be a record or unrecognised, tested inline: most lines are bodies, which have none.
    markers, fields = checker.families.markers, bare.fields if bare is not None else frozenset()
    lines = chunk.read_lines(limit)
    conforming = 0
    run = _Run(tally, body, path)
    storm = False  # the last line that failed the quick check was held by the probe: the probe goes first
    for number, raw in enumerate(lines, start=chunk.first):
        if quick is None or len(raw) > limit:
            if raw.strip():
                run.end()
                # A line its reader cut at the limit is judged as it is: stripped, it would lose its length.
                line = raw if type(raw) is LongLine else raw.strip()
                tally.add(checker.judge_jsonl(f"{path}:{number}", line), path)
            continue
        try:
            value = loads(raw)
        except orjson.JSONDecodeError:
            if raw.strip():  # blank lines are no items
                run.end()
                tally.add(checker.judge_jsonl(f"{path}:{number}", raw.strip()), path)
            continue
        # A record is never a bare body, nor is an object with none of the operation's fields (the checker says it
        # is unrecognised): both go to the checker.
        if (
            type(value) is dict
            and (type(value.get("status")) is int or not value.keys().isdisjoint(markers) or fields.isdisjoint(value))
            and (family(value) is not None or unrecognised(value))
        ):
            run.end()
            tally.add(checker.judge_line(f"{path}:{number}", raw, value), path)
            continue
        assert body is not None
        try:
            if detail:
                # As below, a probe that holds settles a line, and its findings are the probe's own but for the
                # messages that quote a value; any other failing line is explained (and teaches a probe). Lines in
                # a row alike (conforming, or held by one probe) are kept together, from one template.
                probe = body.probe
                if not (storm and probe is not None and probe.holds(value)):
                    storm = False
                    if quick(value):
                        run.keep(number, Outcome.CONFORMING, (), NO_FINDINGS, (), [])
                        continue
                    if probe is not None and probe.holds(value):
                        storm = True
                    else:
                        run.end()
                        body.shape(value, probed=True)  # learns the probe of this failure, if one can hold
                        findings = body.findings(value, checked=True)
                        tally.add(Result(f"{path}:{number}", outcome_of(findings), findings, operation=operation), path)
                        continue
                assert probe is not None  # it held
                held = body.held_messages(probe, value)
                if held is not None:
                    run.keep(number, probe.shape.outcome, probe.shape.groups, *held)
                    continue
                run.end()
                findings = body.held_findings(probe, value)
                tally.add(Result(f"{path}:{number}", probe.shape.outcome, findings, operation=operation), path)
                continue
            # A probe that holds settles a line with one check: the body breaks the contract there (so it would
            # not pass the quick check), and the same way as the body the probe was learnt from.
            probe = body.probe
            if storm:
                if probe.holds(value):  # type: ignore[union-attr]  # a storm has a probe
                    run.add(probe, value, path, number)  # type: ignore[arg-type]
                    continue
                storm = False
                if quick(value):
                    conforming += 1
                    continue
            else:
                if quick(value):
                    conforming += 1
                    continue
                if probe is not None and probe.holds(value):
                    storm = True
                    run.add(probe, value, path, number)
                    continue
            shape = body.shape(value, probed=True)
        except (ValueError, RecursionError):  # too deep for the fast engine: the checker reports it
            run.end()
            tally.add(checker.judge_line(f"{path}:{number}", raw, value), path)
            continue
        run.end()
        found = partial(body.findings, value, True)
        tally.add_shape(f"{path}:{number}", shape.outcome, shape.groups, found, path, operation)
    run.end()
    tally.conforming += conforming
    return tally, len(lines)


class _Run:
    """Lines in a row that one probe held for (conforming lines between them aside, which no group sees): counted
    into the tally at once when the run ends, which must be before anything else is added to it. For a report that
    lists items, lines in a row kept alike instead (conforming ones, or ones one probe held for, see keep())."""

    __slots__ = ("body", "count", "first", "kept", "path", "probe", "samples", "tally")

    def __init__(self, tally: Tally, body: BodyRules | None, path: str) -> None:
        self.tally, self.body, self.path = tally, body, path
        self.probe: Probe | None = None
        self.first: Any = None  # the run's first body, whose findings open its groups if they are new
        self.count = 0
        self.samples: list[str] = []
        # Lines kept alike: what they share (outcome, groups, findings, the indexes of the varying messages), and
        # each one's number and messages.
        self.kept: tuple[Any, ...] | None = None

    def add(self, probe: Probe, value: Any, path: str, number: int) -> None:
        if probe is not self.probe:
            self.end()
            self.probe, self.first = probe, value
        self.count += 1
        if len(self.samples) < self.tally.kept:
            self.samples.append(f"{path}:{number}")

    def keep(self, number: int, outcome: Outcome, groups: tuple[GroupKey, ...], findings: list[Finding],
             varying: tuple[int, ...], messages: list[str]) -> None:  # fmt: skip
        """A line kept for a report that lists items: its findings are `findings` but for `messages` at `varying`."""
        kept = self.kept
        if kept is None or kept[2] is not findings:
            self.end()
            self.kept = kept = (outcome, groups, findings, varying, [], [])
        kept[4].append(number)
        kept[5].append(messages)

    def end(self) -> None:
        if self.kept is not None:
            assert self.body is not None
            outcome, groups, findings, varying, numbers, messages = self.kept
            self.kept = None
            self.tally.keep_held(f"{self.path}:", numbers, outcome, groups, findings, varying, messages, self.path,
                                 self.body.operation)  # fmt: skip
        if self.probe is None:
            return
        assert self.body is not None
        shape = self.probe.shape
        findings = partial(self.body.findings, self.first, True)
        self.tally.add_run(shape.outcome, shape.groups, self.count, self.samples, findings, self.body.operation)
        self.probe, self.first, self.count, self.samples = None, None, 0, []
