"""The fast path of JSONL logs: a chunk of lines judged in bulk into one Tally.

Each line is parsed once. A bare body the strict reading accepts (the common case) is counted with one validation
and nothing built. Any other bare body takes the body rules' findings (the same function the checker uses for every
body) or, for a report that only counts, their shape (outcome and groups, no messages), the findings being made only
to open a group. Records, unreadable lines and bodies the fast engine cannot take go through the checker item by
item. So a line counts here exactly as the Result the checker gives it alone, which the tests prove line by line.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from itertools import pairwise
from typing import Any

import orjson

from ..findings import NO_FINDINGS, Keeping, Outcome, Result, Tally, outcome_of
from ..formats.items import JsonlChunk
from ..sources.lines import LongLine
from .body import BodyRules
from .checker import Checker
from .probe import Probe

# Given a linked chunk and how many lines it holds, the lines of its file before it (None: not known here).
Numbering = Callable[[JsonlChunk, int], int | None]


def judge_chunk(
    checker: Checker, chunk: JsonlChunk, keeping: Keeping, numbering: Numbering | None = None
) -> tuple[Tally, int, int | None]:
    """The tally of a chunk's lines, how many lines it holds (blank ones too), and the lines of its file before it
    where they are known (its `before`, or for a linked chunk what `numbering` says): its lines are numbered after
    those, else from 1 (see JsonlChunk)."""
    lines = chunk.read_lines(checker.max_body_size)
    before = chunk.before
    if numbering is not None and chunk.link is not None:
        before = numbering(chunk, len(lines))
    tally = keeping.tally(settled=before is not None)
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
    conforming = 0
    run = _Run(tally, body, path)
    storm = False  # the last line that failed the quick check was held by the probe: the probe goes first
    for number, raw in enumerate(lines, start=(before or 0) + 1):
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
                        run.conform(number)
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
                if probe.findings:  # it remakes the messages that quote a value: for the whole run, at its end
                    run.hold(number, probe, value)
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
    run.finish()
    tally.conforming += conforming
    return tally, len(lines), before


class _Run:
    """Lines in a row that one probe held for (conforming lines between them aside, which no group sees): counted
    into the tally at once when the run ends, which must be before anything else is added to it.

    For a report that lists items, the lines one probe held for in a row are kept alike (hold()), and so are
    conforming ones (conform()): those are kept aside, so that they never end a run, and written at the chunk's
    end, all from one template, then placed among the other items where they stood (finish())."""

    __slots__ = ("body", "conforming", "count", "first", "held", "path", "prefix", "probe", "samples", "segments",
                 "since", "tally")  # fmt: skip

    def __init__(self, tally: Tally, body: BodyRules | None, path: str) -> None:
        self.tally, self.body, self.path, self.prefix = tally, body, path, f"{path}:"
        self.probe: Probe | None = None
        self.first: Any = None  # the run's first body, whose findings open its groups if they are new
        self.count = 0
        self.samples: list[str] = []
        # Lines kept alike, one probe held for: the probe, each one's number and what its messages quote, and how
        # that is taken from a body.
        self.held: tuple[Probe, list[int], list[Any], Callable[[Any], Any]] | None = None
        # Conforming lines kept: their numbers; and where each stretch of them begins, as (the other items kept
        # before it, the index of its first line here); `since`, the other items kept before the last of them.
        self.conforming: list[int] = []
        self.segments: list[tuple[int, int]] = []
        self.since = -1

    def add(self, probe: Probe, value: Any, path: str, number: int) -> None:
        if probe is not self.probe:
            self.end()
            self.probe, self.first = probe, value
        self.count += 1
        if len(self.samples) < self.tally.kept:
            self.samples.append(f"{path}:{number}")

    def conform(self, number: int) -> None:
        """A conforming line kept for a report that lists items."""
        held = self.held
        tally = self.tally
        # (With a writer each item kept has its fold, written or not: see Tally.folding.)
        others = len(tally.folds if tally.writer is not None else tally.items) + (len(held[1]) if held else 0)
        if others != self.since:
            self.segments.append((others, len(self.conforming)))
            self.since = others
        self.conforming.append(number)

    def hold(self, number: int, probe: Probe, value: Any) -> None:
        """A line kept for a report that lists items, which `probe` holds for and remakes the messages of: they are
        made for the lines of the run together, at its end, from what they quote of each body (kept, not the
        body)."""
        held = self.held
        if held is None or held[0] is not probe:
            self.end()
            quoting = BodyRules.quoting(probe)
            assert quoting is not None  # (a probe that remakes messages is the condition to hold)
            self.held = held = (probe, [], [], quoting)
        held[1].append(number)
        held[2].append(held[3](value))

    def end(self) -> None:
        if self.held is not None:
            assert self.body is not None
            probe, numbers, quoted, _ = self.held
            self.held = None
            # A folding tally reads the first line's messages alone: no other line's text is written.
            found, varying, columns = self.body.held_messages(probe, quoted[:1] if self.tally.folding else quoted)
            self.tally.keep_held(self.prefix, numbers, probe.shape.outcome, probe.shape.groups, found, varying,
                                 columns, self.path, self.body.operation)  # fmt: skip
        if self.probe is None:
            return
        assert self.body is not None
        shape = self.probe.shape
        findings = partial(self.body.findings, self.first, True)
        self.tally.add_run(shape.outcome, shape.groups, self.count, self.samples, findings, self.body.operation)
        self.probe, self.first, self.count, self.samples = None, None, 0, []

    def finish(self) -> None:
        """End the chunk: the last run, and the conforming lines kept, written and placed where they stood."""
        self.end()
        numbers = self.conforming
        if not numbers:
            return
        assert self.body is not None
        tally = self.tally
        # The items kept so far go aside while the conforming ones are written (as text, or as Results without a
        # writer), then both are placed in order.
        written = tally.writer is not None
        others, other_folds = (tally.rendered, tally.folds) if written else (tally.items, [])
        tally.rendered, tally.folds, tally.items = [], [], []
        tally.keep_held(self.prefix, numbers, Outcome.CONFORMING, (), NO_FINDINGS, (), [],
                        self.path, self.body.operation)  # fmt: skip
        texts, folds = (tally.rendered, tally.folds) if written else (tally.items, [])
        placed, placed_folds = _placed(others, texts, self.segments), _placed(other_folds, folds, self.segments)
        if written:
            tally.rendered, tally.folds = placed, placed_folds
        else:
            tally.items = placed


def _placed(others: list[Any], conforming: list[Any], segments: list[tuple[int, int]]) -> list[Any]:
    """The other items kept and the conforming ones, in order: each stretch of conforming ones after as many
    others as its segment says."""
    if not others:
        return conforming
    placed: list[Any] = []
    taken = 0
    for (before, start), (_, stop) in pairwise([*segments, (len(others), len(conforming))]):
        placed += others[taken:before]
        placed += conforming[start:stop]
        taken = before
    placed += others[taken:]
    return placed
