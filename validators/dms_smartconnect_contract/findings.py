"""Findings and results are data: the checker fills them, the reporters only format them.

Every unit of work (a JSONL chunk, a batch of entries) ends as one kind of result, a `Tally`: counts by outcome,
findings grouped by rule and pointer with their counts and sample locations, and, when a report lists items, each
item's `Result`. Tallies merge, in order, into the run's total; whatever path judged the items, reporters and the
summary read tallies only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

from .contract.coverage import Coverage
from .contract.provenance import Provenance
from .exitcodes import ExitCode
from .redact import mask

# Where an item is: `file`, `file:LINE` (JSONL), `file#/log/entries/N` (HAR).
# Files whose items are lines, located `file:LINE`.
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson", ".log"})
# The items of a capture that is one JSON document are located by a JSON pointer to their array: a HAR's entries,
# a newman report's executions.
HAR_ENTRY = "#/log/entries/"
NEWMAN_EXECUTION = "#/run/executions/"
ITEM_ARRAYS = (HAR_ENTRY, NEWMAN_EXECUTION)


def har_location(path: str, index: int) -> str:
    """Where a HAR entry is: `file#/log/entries/N`."""
    return f"{path}{HAR_ENTRY}{index}"


def execution_location(path: str, index: int) -> str:
    """Where an execution of a newman report is: `file#/run/executions/N`."""
    return f"{path}{NEWMAN_EXECUTION}{index}"


def split_item(location: str) -> tuple[str, str | None]:
    """A location as (file, JSON pointer of the item in it, without `#`): (`f.har`, `/log/entries/3`), or
    (location, None) for a location that names no item of a document."""
    for array in ITEM_ARRAYS:
        if array in location:
            path, _, index = location.rpartition(array)
            return path, f"{array[1:]}{index}"
    return location, None


def source_of(location: str) -> str:
    """The file an item's location names: the location itself, or the part before an item's pointer. (JSONL
    lines are counted by their chunk, which knows its file.)"""
    return split_item(location)[0]


class Severity(str, Enum):
    """How much a finding weighs: an error makes the exchange violate the contract, a warning does not."""

    ERROR = "error"
    WARNING = "warning"


class Outcome(str, Enum):
    """What became of one item a user handed over. Every item gets exactly one."""

    CONFORMING = "conforming"
    VIOLATING = "violating"
    SKIPPED = "skipped"
    UNREADABLE = "unreadable"


# Rule ids are stable: reports, CI filters and golden files refer to them.
RULES = {
    "status.undocumented": "the status code is not documented for the operation",
    "media-type": "the response media type is not documented for the status",
    "header.missing": "a documented response header is absent",
    "header.schema": "a response header does not match its schema",
    "body.unreadable": "the body is not a JSON document",
    "limit.findings": "a body had more findings than --max-findings; the rest are counted, not kept",
    "body.not-recorded": "the capture holds no body for the response",
    "undocumented-field": "a field the contract does not document (drift)",
    "schema.enum": "a value outside the documented enumeration (drift when the field is open)",
    "schema.conditional": "a conditional rule of the contract is broken",
    "coverage.unmet": "a part of the contract --require-coverage names was not exercised by the traffic",
}
UNMET_RULE = "coverage.unmet"

# The limits of this toolkit: an item over one is counted unreadable with the limit's rule id, never judged.
LIMITS = {
    "limit.body-bytes": "a body larger than --max-body-bytes (default 16 MiB), read no further than the limit",
    "limit.line-bytes": "a JSONL line larger than --max-body-bytes, read no further than the limit",
    "limit.depth": "JSON nested deeper than 1024 levels",
    "limit.number": "a number beyond the range of a double (such as 1e400), which no reading can compare",
}
UNREADABLE_RULE = "item.unreadable"  # the rule id of any other unreadable item
# An object taken for a body (a body file, a bare line) that has none of the fields the operation's responses
# document: a wrapper or a record of a format this toolkit does not read, never a conforming body.
UNRECOGNISED_RULE = "item.unrecognised"


def decode_limit(message: str) -> str:
    """The limit a JSON parser's message names ("" for JSON that is broken): depth and numbers beyond a double are
    limits of the readers, the rest is no JSON."""
    if message.startswith("depth limit exceeded") or "recursion" in message:
        return "limit.depth"
    if message.startswith("number is infinity"):
        return "limit.number"
    return ""


# Findings about the capture or this toolkit's limits rather than a rule of the contract.
FINDINGS_LIMIT = Provenance("toolkit", evidence="a limit of this toolkit (--max-findings), not a rule of the contract")
NOT_RECORDED = Provenance("toolkit", evidence="the capture holds no body: nothing of the contract could be checked")


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong with one body or exchange, and where the rule it breaks comes from. Drift (an undocumented
    field, an unlisted enumeration value) breaks no rule of the open contract; it is an error only in strict mode."""

    rule: str
    pointer: str
    message: str
    severity: Severity
    provenance: Provenance
    drift: bool = False
    operation: str = ""  # the operation of the contract the exchange was judged as

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "pointer": self.pointer,
            "message": self.message,
            "severity": self.severity.value,
            "provenance": self.provenance.as_dict(),
        }
        if self.drift:
            out["drift"] = True
        return out

    @property
    def basis(self) -> str:
        """Why the finding counts as it does, for reports: `documented: reference`, `inferred`, `drift; ...`."""
        return f"drift; {self.provenance.label}" if self.drift else self.provenance.label

    @property
    def group(self) -> GroupKey:
        """The findings reports count together: one rule at one pointer of one operation, at one weight, for one
        reason."""
        return (self.rule, self.pointer, self.severity, self.basis, self.operation)

    @property
    def line(self) -> str:
        """The finding in one line, as every report writes it: rule, place, message and why it counts."""
        return f"{self.rule} at {self.pointer or '(exchange)'}: {self.message} [{self.basis}]"

    @property
    def order(self) -> tuple[bool, str, str, str]:
        """The order of an item's findings in every report: errors first, then by pointer, rule and message."""
        return (self.severity is not Severity.ERROR, self.pointer, self.rule, self.message)


GroupKey = tuple[str, str, Severity, str, str]  # rule, pointer, severity, basis, operation

MAX_FINDINGS = 100  # findings kept per body (--max-findings): a hostile body could otherwise hold one per byte


def findings_limit(more: int, kept: int, operation: str) -> Finding:
    """The finding that closes a body's findings when more than `kept` were found: how many more there were."""
    message = f"{more} more finding(s) not kept (--max-findings {kept})"
    return Finding("limit.findings", "", message, Severity.WARNING, FINDINGS_LIMIT, operation=operation)


def limit_group(operation: str) -> GroupKey:
    """The group of findings_limit()'s finding."""
    return ("limit.findings", "", Severity.WARNING, FINDINGS_LIMIT.label, operation)


@dataclass(slots=True)
class Result:
    """The outcome for one item: a judged exchange, a skipped entry or an unreadable one."""

    location: str
    outcome: Outcome
    findings: list[Finding] = field(default_factory=list)
    reason: str = ""  # why an item was skipped or could not be read
    rule: str = ""  # for an unreadable item over a limit of this toolkit: the limit's rule id (see LIMITS)
    operation: str = ""  # the operation it was judged as (judged items; an item over a limit, when it was known)

    def __post_init__(self) -> None:
        # Why an item could not be read may quote the capture (a parser's message): no credential-shaped value is
        # repeated. Skip reasons are this toolkit's own words, and there is one per skipped entry: left as they are.
        if self.reason and self.outcome is Outcome.UNREADABLE:
            self.reason = mask(self.reason)


def outcome_of(findings: list[Finding]) -> Outcome:
    """Violating when any finding is an error; warnings leave an item conforming."""
    return Outcome.VIOLATING if any(f.severity is Severity.ERROR for f in findings) else Outcome.CONFORMING


SAMPLES = 3  # sample locations kept per group
_NUMBER = re.compile(r"[0-9]+$")  # the number that ends an item's location: its line, or its entry
UNREADABLE_KEPT = 10  # unreadable items kept (with their reasons) for the text report


@dataclass(slots=True)
class Group:
    """Findings of one rule at one pointer: how many, the first of them (its message), and where the first were."""

    first: Finding
    count: int = 0
    samples: list[str] = field(default_factory=list)


class ItemWriter(Protocol):
    """A report's text of one item (a module-level object: it is sent to the worker processes)."""

    def render(self, result: Result) -> str: ...

    def template(self, result: Result, varying: tuple[int, ...], prefix: str) -> Filler | None:
        """The text of items that differ from `result` only in what follows `prefix` in their locations and in the
        messages of the findings at `varying`, as a function of those; None where the text cannot be made so."""


# The text of items in a row from one template, given what follows the locations' prefix in each, and each item's
# varying messages.
Filler = Callable[[list[str], list[list[str]]], list[str]]


@dataclass(frozen=True)
class Keeping:
    """What the tallies of a run keep for its report: each item (for a report that lists items), and how many sample
    locations per findings group.

    A report that lists items gives `writer`, its text of one item: each item is then written where it is judged,
    and a tally carries the text, not the Result. While an item's number (its line, or its entry) may still change,
    the text holds it between two `mark`s, a random word of the run, which no capture can contain by design."""

    items: bool = False
    samples: int = SAMPLES
    writer: ItemWriter | None = None
    mark: str = ""

    def tally(self) -> Tally:
        """An empty tally that keeps this."""
        return Tally(detail=self.items, kept=self.samples, writer=self.writer, mark=self.mark)


@dataclass
class Tally:
    """What a unit of work found, or a whole run when tallies are merged; total = the sum of the four outcomes.

    With `detail`, it also keeps every judged or unreadable item, in order, for reports that list items (JSON,
    JUnit, text with -v): as the report's text when it is given a `writer` (see Keeping), else as its Result. Without
    it, memory is bounded by the number of groups, not of items."""

    detail: bool = False
    kept: int = SAMPLES  # sample locations kept per group (a report may want more: SARIF's locations)
    writer: ItemWriter | None = None
    mark: str = ""
    conforming: int = 0
    violating: int = 0
    skipped: int = 0
    unreadable: int = 0
    skipped_reasons: dict[str, int] = field(default_factory=dict)
    # file -> reason -> count: enough to say, when nothing was judged, what each input held instead
    skipped_by_source: dict[str, dict[str, int]] = field(default_factory=dict)
    groups: dict[GroupKey, Group] = field(default_factory=dict)
    unreadable_items: list[Result] = field(default_factory=list)
    items: list[Result] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)  # with a `writer`: the text of each item, in order
    # with a `writer`: per item, what a bounded report folds it under (its first error's group, else its outcome)
    folds: list[Any] = field(default_factory=list)
    # What the numbers of the items are yet to be moved by (renumber): those between marks in the text of the items
    # kept, and those of the sample locations (after `shifted`), moved only for the samples a merge takes.
    offset: int = 0
    shifted: str = ""
    coverage: Coverage | None = None  # with --coverage: what the traffic exercised

    @property
    def total(self) -> int:
        return self.conforming + self.violating + self.skipped + self.unreadable

    @property
    def judged(self) -> int:
        """Items that got a verdict of the contract, or failed to be read: all but the skipped ones."""
        return self.conforming + self.violating + self.unreadable

    def add(self, result: Result, source: str | None = None) -> None:
        """Count one item; `source` is its file when the location does not name it alone (a JSONL line)."""
        outcome = result.outcome
        if outcome is Outcome.SKIPPED:
            self.skipped += 1
            self.skipped_reasons[result.reason] = self.skipped_reasons.get(result.reason, 0) + 1
            reasons = self.skipped_by_source.setdefault(source or source_of(result.location), {})
            reasons[result.reason] = reasons.get(result.reason, 0) + 1
            return
        if outcome is Outcome.CONFORMING:
            self.conforming += 1
        elif outcome is Outcome.VIOLATING:
            self.violating += 1
        else:
            self.unreadable += 1
            if len(self.unreadable_items) < UNREADABLE_KEPT:
                self.unreadable_items.append(result)
        if result.findings:
            self.group(result.location, result.findings)
        if self.detail:
            self.keep(result)

    def keep(self, result: Result) -> None:
        """Keep a judged or unreadable item for a report that lists items, as its text or as it is."""
        if self.writer is None:
            self.items.append(result)
            return
        location = result.location
        found = _NUMBER.search(location)
        if found is not None and result.outcome is Outcome.CONFORMING and not result.findings:
            # A conforming item, as most are: written from the template of its file's conforming items.
            prefix, number = location[: found.start()], found.group()
            fill, fold = self._template(prefix, number, result.outcome, NO_FINDINGS, (), [], result.operation)
            if fill is not None:
                self.rendered += fill([f"{self.mark}{number}{self.mark}"], [[]])
                self.folds.append(fold)
                return
        if found is not None:  # the number between marks, until the item's place is settled (renumber)
            result.location = f"{location[: found.start()]}{self.mark}{found.group()}{self.mark}"
        try:
            self.rendered.append(self.writer.render(result))
        finally:
            result.location = location
        self.folds.append(self.fold_of(result.outcome, result.findings, result.operation))

    @staticmethod
    def fold_of(outcome: Outcome, findings: list[Finding], operation: str) -> Any:
        """What a bounded report folds an item under: its first error's group, else its outcome or operation."""
        if outcome is Outcome.UNREADABLE:
            return Outcome.UNREADABLE
        if outcome is Outcome.VIOLATING:
            return next(f.group for f in findings if f.severity is Severity.ERROR)
        return operation

    def keep_held(self, prefix: str, numbers: list[int], outcome: Outcome, groups: tuple[GroupKey, ...],
                  findings: list[Finding], varying: tuple[int, ...], messages: list[list[str]], source: str,
                  operation: str) -> None:  # fmt: skip
        """Count and keep the items `prefix` + each of `numbers`, in a row, whose findings are `findings` but for
        the messages at `varying`, which are each item's `messages` (bodies a probe holds for, or conforming ones):
        written from the writer's template of such items, without making their findings, where it can."""
        fill, fold = self._template(prefix, str(numbers[0]), outcome, findings, varying, messages[0], operation)
        start = 0
        if fill is None or any(key not in self.groups for key in groups):
            # Without a template each item is a Result; with one, the first opens the groups it is the first of.
            for number, found in zip(numbers, messages, strict=True):
                self.add(Result(f"{prefix}{number}", outcome, with_messages(findings, varying, found), operation=operation),
                         source)  # fmt: skip
                start += 1
                if fill is not None:
                    break
        rest, count = numbers[start:], len(numbers) - start
        if not count:
            return
        self._count_run(outcome, groups, count, [f"{prefix}{number}" for number in rest[: self.kept]] if groups else [])
        mark = self.mark
        assert fill is not None
        self.rendered += fill([f"{mark}{number}{mark}" for number in rest], messages[start:])
        self.folds += [fold] * count

    def _template(self, prefix: str, label: str, outcome: Outcome, findings: list[Finding], varying: tuple[int, ...],
                  messages: list[str], operation: str) -> tuple[Filler | None, Any]:  # fmt: skip
        """The writer's template of items like this one, and what such an item is folded under; (None, None)
        without a writer or a template. Remembered per process by the identity of `findings`."""
        if self.writer is None:
            return None, None
        key = (id(self.writer), id(findings), operation, prefix)
        known = _TEMPLATES.get(key)
        if known is None:
            made = with_messages(findings, varying, messages)
            fill = self.writer.template(Result(f"{prefix}{label}", outcome, made, operation=operation), varying, prefix)
            if len(_TEMPLATES) >= 1024:
                _TEMPLATES.clear()
            # Kept with the findings it was made for, so that their identity is never another's.
            _TEMPLATES[key] = known = (findings, fill, self.fold_of(outcome, findings, operation))
        return (known[1], known[2]) if known[1] is not None else (None, None)

    def rendered_text(self) -> str:
        """The text of the items kept, their numbers in place (for a report given a `writer`)."""
        return _settled("".join(self.rendered), self.mark, self.offset)

    def rendered_items(self) -> list[str]:
        """The text of each item kept, its number in place."""
        return [_settled(text, self.mark, self.offset) for text in self.rendered]

    def add_shape(self, location: str, outcome: Outcome, groups: tuple[GroupKey, ...],
                  findings: Callable[[], list[Finding]], source: str | None = None,
                  operation: str = "") -> None:  # fmt: skip
        """Count a judged item by its findings' groups alone. Its findings are made (`findings()`) only when they are
        needed: for a report that lists items, or to open a group with its first message."""
        if self.detail or any(key not in self.groups for key in groups):
            self.add(Result(location, outcome, findings(), operation=operation), source)
            return
        self._count_shape(location, outcome, groups)

    def _count_shape(self, location: str, outcome: Outcome, groups: tuple[GroupKey, ...]) -> None:
        """Count a judged item into groups it opens none of."""
        if outcome is Outcome.CONFORMING:
            self.conforming += 1
        else:
            self.violating += 1
        for key in groups:
            found = self.groups[key]
            found.count += 1
            if len(found.samples) < self.kept:
                found.samples.append(location)

    def add_run(self, outcome: Outcome, groups: tuple[GroupKey, ...], count: int, samples: list[str],
                findings: Callable[[], list[Finding]], operation: str = "") -> None:  # fmt: skip
        """Count `count` items in a row whose findings have the same groups: `samples` are the locations of the first
        of them (up to `kept`), `findings()` makes the first one's findings (as add_shape)."""
        self.add_shape(samples[0], outcome, groups, findings, operation=operation)
        if count > 1:
            self._count_run(outcome, groups, count - 1, samples[1:])

    def _count_run(self, outcome: Outcome, groups: tuple[GroupKey, ...], count: int, samples: list[str]) -> None:
        """Count `count` items in a row into groups that are open: `samples` are the first of their locations."""
        if outcome is Outcome.CONFORMING:
            self.conforming += count
        else:
            self.violating += count
        for key in groups:
            found = self.groups[key]
            found.count += count
            room = self.kept - len(found.samples)
            if room > 0:
                found.samples.extend(samples[:room])

    def group(self, location: str, findings: list[Finding]) -> None:
        """Count an item's findings into their groups."""
        groups = self.groups
        for finding in findings:
            key = finding.group
            found = groups.get(key)
            if found is None:
                found = groups[key] = Group(finding)
            found.count += 1
            if len(found.samples) < self.kept:
                found.samples.append(location)

    def merge(self, other: Tally) -> None:
        """Add a later tally to this one: counts add up, groups keep their first finding and first samples."""
        self.conforming += other.conforming
        self.violating += other.violating
        self.skipped += other.skipped
        self.unreadable += other.unreadable
        for reason, count in other.skipped_reasons.items():
            self.skipped_reasons[reason] = self.skipped_reasons.get(reason, 0) + count
        for source, reasons in other.skipped_by_source.items():
            mine = self.skipped_by_source.setdefault(source, {})
            for reason, count in reasons.items():
                mine[reason] = mine.get(reason, 0) + count
        for key, group in other.groups.items():
            found = self.groups.get(key)
            if found is None:
                self.groups[key] = Group(group.first, group.count, other.moved(group.samples[: self.kept]))
            else:
                found.count += group.count
                room = self.kept - len(found.samples)
                if room > 0:
                    found.samples.extend(other.moved(group.samples[:room]))
        room = UNREADABLE_KEPT - len(self.unreadable_items)
        self.unreadable_items.extend(other.unreadable_items[: max(room, 0)])
        if other.coverage is not None:
            if self.coverage is None:
                self.coverage = Coverage()
            self.coverage.merge(other.coverage)

    def renumber(self, prefix: str, before: int) -> None:
        """Number the items after `before` others: `prefix` + N becomes `prefix` + (N + before) (a JSONL range's lines
        or a HAR range's entries, numbered from 1 or 0 where they were judged). The items kept are renamed now; the
        sample locations of the groups when a merge takes them (most are never taken: a report keeps the first)."""
        if not before:
            return
        start = len(prefix)
        # An unreadable item kept for the text report may be the same object as one in items: rename it once.
        for result in {id(result): result for result in (*self.unreadable_items, *self.items)}.values():
            result.location = f"{prefix}{int(result.location[start:]) + before}"
        self.offset += before
        self.shifted = prefix

    def moved(self, samples: list[str]) -> list[str]:
        """Sample locations of this tally's groups, their numbers moved as renumber() said."""
        if not self.offset:
            return samples
        prefix, offset = self.shifted, self.offset
        start = len(prefix)
        return [f"{prefix}{int(location[start:]) + offset}" for location in samples]

    def as_dict(self) -> dict[str, int]:
        return {
            "total": self.total,
            "conforming": self.conforming,
            "violating": self.violating,
            "skipped": self.skipped,
            "unreadable": self.unreadable,
        }


NO_FINDINGS: list[Finding] = []  # the findings of a conforming item: one object, so that its template is found again

# The writers' templates of items a probe holds for (and of conforming ones), in this process, by writer, findings,
# operation and the prefix of the locations (None: none can be made); never sent between processes.
_TEMPLATES: dict[tuple[int, int, str, str], tuple[Any, Any, Any]] = {}


def with_messages(findings: list[Finding], varying: tuple[int, ...], messages: list[str]) -> list[Finding]:
    """`findings` with the messages at the indexes `varying` replaced (a body a probe holds for)."""
    made = list(findings)
    for index, message in zip(varying, messages, strict=True):
        old = made[index]
        made[index] = Finding(old.rule, old.pointer, message, old.severity, old.provenance, old.drift, old.operation)
    return made


def _settled(text: str, mark: str, offset: int) -> str:
    """Rendered text with each number between marks moved by `offset`, and the marks gone."""
    if not mark or mark not in text:
        return text
    if not offset:
        return text.replace(mark, "")
    pieces = text.split(mark)
    pieces[1::2] = [str(int(number) + offset) for number in pieces[1::2]]
    return "".join(pieces)


@dataclass
class RunVerdict:
    """How a run ends: the exit code, and for a run-level failure a one-line reason and what each input held."""

    exit_code: ExitCode
    reason: str = ""
    details: list[str] = field(default_factory=list)
