"""What `diff --captures` counts, unit by unit: the part a unit of work gives back under both versions (Weighing),
and how one reading's result is read from another's and the head's outcomes told from the base's (Told), which is
what lets weighing.py judge each item once per version."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..contract.comparison import TURNED_SAMPLES
from ..findings import Finding, Outcome, Result, Severity, Tally
from .body import BodyRules
from .checker import Checker

SIDES = ("base", "head")
READINGS = ("default", "strict")
KEYS = tuple((side, reading) for side in SIDES for reading in READINGS)
LIMIT_RULE = "limit.findings"  # the finding that says --max-findings cut a body's findings
JUDGED = (Outcome.CONFORMING, Outcome.VIOLATING)  # the outcomes of an item the rules were applied to

Found = tuple[str, str]  # a finding's rule and the place in the body it is about (`schema.enum`, `/status`)


# Items turned alike: the reading, whether the head rejects what the base accepts (else the reverse), and what the
# version that rejects them finds (rule and place of each finding).
Turn = tuple[str, bool, frozenset[Found]]


@dataclass
class Weighing:
    """A unit of work judged under both versions: the counts under each version and reading (Tallies without
    findings), the items turned, by how (their locations in capture order), and the first locations turned each
    way in each reading, in capture order."""

    tallies: dict[tuple[str, str], Tally] = field(default_factory=lambda: {key: Tally() for key in KEYS})
    turned: dict[Turn, list[str]] = field(default_factory=dict)
    first: dict[tuple[str, bool], list[str]] = field(default_factory=dict)

    def turn(self, location: str, reading: str, rejected: bool, findings: frozenset[Found]) -> None:
        self.turned.setdefault((reading, rejected, findings), []).append(location)
        first = self.first.setdefault((reading, rejected), [])
        if len(first) < TURNED_SAMPLES:
            first.append(location)

    def renumber(self, prefix: str, before: int) -> None:
        if not before:
            return
        for tally in self.tallies.values():
            tally.renumber(prefix, before)
        start = len(prefix)
        for locations in (*self.turned.values(), *self.first.values()):
            locations[:] = [f"{prefix}{int(location[start:]) + before}" for location in locations]

    def merge(self, later: Weighing) -> None:
        for key, tally in self.tallies.items():
            tally.merge(later.tallies[key])
        for turn, locations in later.turned.items():
            self.turned.setdefault(turn, []).extend(locations)
        for way, locations in later.first.items():
            first = self.first.setdefault(way, [])
            first.extend(locations[: TURNED_SAMPLES - len(first)])


@dataclass(frozen=True, slots=True)
class Told:
    """The head's outcomes of an exchange (default, strict), told without judging it, and how to say what it finds
    there: what the base finds of the exchange itself, and the head's findings in the body where it rejects it."""

    outcomes: tuple[Outcome, Outcome]
    body_passes: bool  # the head's strict reading accepts the body
    of_exchange: frozenset[Found]
    rules: BodyRules  # the head's, of the exchange's status and media type
    body: Any

    def places(self) -> frozenset[Found] | None:
        """The rule and place of each finding of the head; None where --max-findings cut the body's (the weights,
        which differ by reading, chose which were kept: the head judges the exchange itself)."""
        if self.body_passes:
            return self.of_exchange
        groups = self.rules.shape(self.body).groups
        if any(group[0] == LIMIT_RULE for group in groups):
            return None
        return self.of_exchange | frozenset((group[0], group[1]) for group in groups)


def weighs_by_default(finding: Finding) -> bool:
    """Whether a finding of the strict reading is an error in the default one: its rule is documented."""
    return finding.severity is Severity.ERROR and not finding.drift and finding.provenance.kind != "inferred"


def default_of(strict: Result, judge: Callable[[Checker], Result], default: Checker) -> Result:
    """The default reading's result from the strict reading's: the readings find the same things and differ only
    in weight, and a finding weighs as an error by default where its rule is documented (no inferred rule, no
    drift). Where --max-findings cut the findings, the weights chose which were kept: the default reading judges
    the item itself."""
    found = strict.findings
    if not found or strict.outcome not in JUDGED:
        return stand_in(strict)
    if any(finding.rule == LIMIT_RULE for finding in found):
        return judge(default)
    outcome = Outcome.VIOLATING if any(weighs_by_default(finding) for finding in found) else Outcome.CONFORMING
    return Result(strict.location, outcome, found, strict.reason, strict.rule, strict.operation)


def stand_in(result: Result, outcome: Outcome | None = None) -> Result:
    """A result standing for another reading's or version's (with another outcome, when given): a copy, since each
    tally renumbers what it keeps."""
    return Result(result.location, outcome or result.outcome, [], result.reason, result.rule, result.operation)


def places_of(result: Result) -> frozenset[Found]:
    return frozenset((finding.rule, finding.pointer) for finding in result.findings)
