"""Recorded traffic judged under two versions of the contract in one pass, for `diff --captures`.

Each item is read and parsed once, then judged by each version in the default and the strict reading, by the same
checkers `validate` uses. What comes back per unit is a Weighing: the counts under each version and reading, and the
items whose outcome one version turns, with what the version that rejects them finds.

The JSONL fast path needs a bare body's outcomes, not its findings. A version's quick check (the flattened strict
reading, the same in both readings) settles most lines: one that passes conforms in both readings. One that fails
violates the strict reading, and the default reading exactly when that reading's own schema rejects it (as the
full path of body.py decides). Only a line that one version turns takes the shape of the rejecting version, for its
findings. The tests hold every count and every turned line equal to four separate runs of the checkers.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from ..contract import JsonObject
from ..findings import Outcome, Result, Tally
from ..formats.har import har_entry
from ..formats.items import HarEntry, JsonlChunk, Single
from ..sources.lines import LongLine
from .body import BodyRules
from .checker import Checker
from .options import CheckOptions

SIDES = ("base", "head")
READINGS = ("default", "strict")
_KEYS = tuple((side, reading) for side in SIDES for reading in READINGS)

Place = tuple[str, str]  # a finding's rule and the place in the body it is about (`schema.enum`, `/status`)


@dataclass(frozen=True, slots=True)
class Turned:
    """An item one version accepts and the other rejects, in one reading, with what the rejecting version found."""

    location: str
    reading: str
    rejected: bool  # conforming under the base, violating under the head (False: the reverse)
    findings: frozenset[Place]


@dataclass
class Weighing:
    """A unit of work judged under both versions: the counts under each version and reading (Tallies without
    findings), and the items turned, in capture order."""

    tallies: dict[tuple[str, str], Tally] = field(default_factory=lambda: {key: Tally() for key in _KEYS})
    turned: list[Turned] = field(default_factory=list)

    def renumber(self, prefix: str, before: int) -> None:
        if not before:
            return
        for tally in self.tallies.values():
            tally.renumber(prefix, before)
        start = len(prefix)
        self.turned = [Turned(f"{prefix}{int(t.location[start:]) + before}", t.reading, t.rejected, t.findings)
                       for t in self.turned]  # fmt: skip

    def merge(self, later: Weighing) -> None:
        for key, tally in self.tallies.items():
            tally.merge(later.tallies[key])
        self.turned.extend(later.turned)


class _Bare:
    """One version's fast path for bare bodies: the body rules of each reading, and what makes a line a record."""

    def __init__(self, default: Checker, strict: Checker) -> None:
        bodies = default.bare_body_rules(), strict.bare_body_rules()
        rules = default.bare_rules()
        usable = bodies[0] is not None and bodies[1] is not None and rules is not None
        self.usable = usable and default.coverage is None and not default.families.forced
        self.default: BodyRules = bodies[0]  # type: ignore[assignment]  # read only when usable
        self.strict: BodyRules = bodies[1]  # type: ignore[assignment]
        self.families = default.families
        self.fields = rules.fields if rules is not None else frozenset()
        self.unrecognised = rules.unrecognised if rules is not None else bool

    def decides(self, value: Any) -> bool:
        """Whether the checker takes a parsed object that may be a record (see judge_chunk) for a record or for
        unrecognised, not for a bare body."""
        return self.families.family(value) is not None or bool(self.unrecognised(value))

    def outcomes(self, value: Any) -> tuple[bool, bool]:
        """Whether a bare body conforms in the default and in the strict reading."""
        if self.default.quick(value):
            return True, True
        return self.default.default.is_valid(value), False

    def places(self, value: Any, reading: int) -> frozenset[Place]:
        """What a reading finds in a bare body it rejects: the rule and place of each finding."""
        shape = (self.default, self.strict)[reading].shape(value)
        return frozenset((group[0], group[1]) for group in shape.groups)


class PairJudge:
    """Both versions of the contract, each in both readings: four checkers, each item counted under all four."""

    def __init__(self, base: JsonObject, head: JsonObject, options: CheckOptions) -> None:
        assert not options.coverage, "a weighing counts outcomes only"
        self.checkers = [
            Checker(document, replace(options, strict=reading == "strict"))
            for document in (base, head)
            for reading in READINGS
        ]
        first = self.checkers[0]
        self.max_body_size = first.max_body_size
        self.default_status = first.default_status
        self.default_content_type = first.default_content_type
        self._bare = [_Bare(self.checkers[0], self.checkers[1]), _Bare(self.checkers[2], self.checkers[3])]

    def empty(self) -> Weighing:
        return Weighing()

    def add(self, part: Weighing, item: Single) -> None:
        results = []
        for index in (0, 2):
            single = item
            if isinstance(item, HarEntry):  # made an exchange once per version: its routing is the version's
                default = self.checkers[index]
                single = har_entry(item.location, item.entry, default.route, default.max_body_size)
            results += [self.checkers[index].judge(single), self.checkers[index + 1].judge(single)]
        self._count(part, item.location, results, None)

    def append(self, part: Weighing, later: Weighing) -> None:
        part.merge(later)

    def finish(self, part: Weighing) -> None:
        return None

    def chunk(self, chunk: JsonlChunk) -> tuple[Weighing, int]:
        """The weighing of a chunk's lines, numbered from 1 within it, and how many lines it holds."""
        part = Weighing()
        limit, path, loads = self.max_body_size, chunk.path, orjson.loads
        lines = chunk.read_lines(limit)
        bare = self._bare
        fast = bare[0].usable and bare[1].usable
        # What a line must have to be a record or unrecognised under either version, tested inline as judge_chunk
        # does: most lines are bodies, which have none.
        markers = bare[0].families.markers | bare[1].families.markers
        fields, other_fields = bare[0].fields, bare[1].fields
        quick, other_quick = bare[0].default.quick, bare[1].default.quick
        both = 0  # lines conforming in both readings of both versions, counted at the end
        tallies = [part.tallies[key] for key in _KEYS]
        for number, raw in enumerate(lines, start=1):
            if not fast or len(raw) > limit:
                if raw.strip():
                    # A line its reader cut at the limit is judged as it is: stripped, it would lose its length.
                    self._line(part, f"{path}:{number}", raw if type(raw) is LongLine else raw.strip(), None, path)
                continue
            try:
                value = loads(raw)
            except orjson.JSONDecodeError:
                if raw.strip():  # blank lines are no items
                    self._line(part, f"{path}:{number}", raw.strip(), None, path)
                continue
            if (
                type(value) is dict
                and (type(value.get("status")) is int or not value.keys().isdisjoint(markers)
                     or fields.isdisjoint(value) or other_fields.isdisjoint(value))
                and (bare[0].decides(value) or bare[1].decides(value))
            ):  # fmt: skip
                self._line(part, f"{path}:{number}", raw, value, path)
                continue
            try:
                if quick(value) and other_quick(value):
                    both += 1
                    continue
                self._body(part, tallies, f"{path}:{number}", value)
            except (ValueError, RecursionError):  # too deep for the fast engine: the checkers report it
                self._line(part, f"{path}:{number}", raw, value, path)
        for tally in tallies:
            tally.conforming += both
        return part, len(lines)

    def _body(self, part: Weighing, tallies: list[Tally], location: str, value: Any) -> None:
        """A bare body some version's quick check rejects: counted in each reading of each version, and turned
        where a reading's outcome differs between them."""
        before, after = self._bare[0].outcomes(value), self._bare[1].outcomes(value)
        # Everything is decided before anything is counted: the fast engine may still refuse the body.
        turned = [
            Turned(location, READINGS[reading], was, self._bare[1 if was else 0].places(value, reading))
            for reading, (was, now) in enumerate(zip(before, after, strict=True))
            if was != now  # the version that rejects it says what it finds
        ]
        for index, conforms in enumerate((*before, *after)):
            if conforms:
                tallies[index].conforming += 1
            else:
                tallies[index].violating += 1
        part.turned += turned

    def _line(self, part: Weighing, location: str, raw: bytes, value: Any, source: str) -> None:
        """A line the fast path does not settle, judged by each checker as validate's chunk path would."""
        if value is None:
            results = [checker.judge_jsonl(location, raw) for checker in self.checkers]
        else:
            results = [checker.judge_line(location, raw, value) for checker in self.checkers]
        self._count(part, location, results, source)

    def _count(self, part: Weighing, location: str, results: list[Result], source: str | None) -> None:
        """Count an item's four results (base default, base strict, head default, head strict), and turn it where
        a reading's outcome differs between the versions."""
        for reading, name in enumerate(READINGS):
            old, new = results[reading], results[2 + reading]
            if old.outcome is Outcome.CONFORMING and new.outcome is Outcome.VIOLATING:
                part.turned.append(Turned(location, name, True, _places(new)))
            elif old.outcome is Outcome.VIOLATING and new.outcome is Outcome.CONFORMING:
                part.turned.append(Turned(location, name, False, _places(old)))
        for key, result in zip(_KEYS, results, strict=True):
            result.findings = []  # counted, not grouped: the weighing reports no findings
            part.tallies[key].add(result, source)


def _places(result: Result) -> frozenset[Place]:
    return frozenset((finding.rule, finding.pointer) for finding in result.findings)


@dataclass(frozen=True)
class TwoContracts:
    """How a worker process makes its PairJudge (a spawned one compiles both versions itself)."""

    base: JsonObject
    head: JsonObject
    options: CheckOptions

    def __call__(self) -> PairJudge:
        return PairJudge(self.base, self.head, self.options)
