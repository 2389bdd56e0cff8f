"""What a unit of work gives back, a Tally: counts by outcome, findings grouped by rule and pointer with their counts
and sample locations, and, for a report that lists items, each item (as the report's text, or as its Result); and
what a run keeps of it for its report (Keeping)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from ..contract.coverage import Coverage
from .finding import Finding, GroupKey, Outcome, Result, source_of
from .spool import Spooled
from .templates import fold_of, item_template, with_messages
from .writer import ItemWriter

SAMPLES = 3  # sample locations kept per group
_NUMBER = re.compile(r"[0-9]+$")  # the number that ends an item's location: its line, or its entry
UNREADABLE_KEPT = 10  # unreadable items kept (with their reasons) for the text report


@dataclass(slots=True)
class Group:
    """Findings of one rule at one pointer: how many, the first of them (its message), and where the first were."""

    first: Finding
    count: int = 0
    samples: list[str] = field(default_factory=list)


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
    folding: bool = False  # the report's listing is full: of each item, keep only what it folds under (see Tally)

    def tally(self, settled: bool = False) -> Tally:
        """An empty tally that keeps this; `settled`: of items numbered as they stay, whose text needs no marks."""
        return Tally(detail=self.items, kept=self.samples, writer=self.writer, mark="" if settled else self.mark,
                     folding=self.folding and self.writer is not None)  # fmt: skip


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
    # With a `writer` whose report's listing is full (JUnit's bounds met): each item is kept as what it folds under
    # alone, in `folds`, and no text is written, since the report would fold it.
    folding: bool = False
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
    spooled: Spooled | None = None  # or where a worker left that text (see spool)
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
        if self.folding:
            self.folds.append(fold_of(result.outcome, result.findings, result.operation, self.writer.accepted))
            return
        location = result.location
        found = item_number(location)
        if found is not None and result.outcome is Outcome.CONFORMING and not result.findings:
            # A conforming item, as most are: written from the template of its file's conforming items.
            prefix, number = location[: found[0]], found[1]
            fill, fold = item_template(
                self.writer, prefix, number, result.outcome, NO_FINDINGS, (), [], result.operation
            )
            if fill is not None:
                self.rendered += fill([f"{self.mark}{number}{self.mark}"], [])  # (no varying message)
                self.folds.append(fold)
                return
        if found is not None:  # the number between marks, until the item's place is settled (renumber)
            result.location = f"{location[: found[0]]}{self.mark}{found[1]}{self.mark}"
        try:
            self.rendered.append(self.writer.render(result))
        finally:
            result.location = location
        self.folds.append(fold_of(result.outcome, result.findings, result.operation, self.writer.accepted))

    def keep_held(self, prefix: str, numbers: Sequence[int | str], outcome: Outcome, groups: tuple[GroupKey, ...],
                  findings: list[Finding], varying: tuple[int, ...], columns: list[list[str]], source: str,
                  operation: str) -> None:  # fmt: skip
        """Count and keep the items `prefix` + each of `numbers`, in a row, whose findings are `findings` but for
        the messages at `varying`, which are the items' messages in `columns`, a column for each (bodies a probe
        holds for, or conforming ones): written from the writer's template of such items, without making their
        findings, where it can. Folding, only the first item's messages are read (where it opens a group)."""
        if self.folding:
            self._fold_held(prefix, numbers, outcome, groups, findings, varying, columns, source, operation)
            return
        first = [column[0] for column in columns]
        fill, fold = item_template(self.writer, prefix, numbers[0], outcome, findings, varying, first, operation)
        start = 0
        if fill is None or (groups and not all(map(self.groups.__contains__, groups))):
            # Without a template each item is a Result; with one, the first opens the groups it is the first of.
            for index, number in enumerate(numbers):
                found = with_messages(findings, varying, [column[index] for column in columns])
                self.add(Result(f"{prefix}{number}", outcome, found, operation=operation), source)
                start += 1
                if fill is not None:
                    break
        rest, count = numbers[start:], len(numbers) - start
        if not count:
            return
        self._count_run(outcome, groups, count, [f"{prefix}{number}" for number in rest[: self.kept]] if groups else [])
        mark = self.mark
        assert fill is not None
        labels = [f"{mark}{number}{mark}" for number in rest] if mark else list(map(str, rest))
        self.rendered += fill(labels, [column[start:] for column in columns] if start else columns)
        self.folds += [fold] * count

    def _fold_held(self, prefix: str, numbers: Sequence[int | str], outcome: Outcome, groups: tuple[GroupKey, ...],
                   findings: list[Finding], varying: tuple[int, ...], columns: list[list[str]], source: str,
                   operation: str) -> None:  # fmt: skip
        """keep_held for a folding tally: the first item opens the groups it is the first of, as a Result; the rest
        are counted, and kept as what they fold under."""
        assert self.writer is not None
        start = 0
        if groups and not all(map(self.groups.__contains__, groups)):
            found = with_messages(findings, varying, [column[0] for column in columns])
            self.add(Result(f"{prefix}{numbers[0]}", outcome, found, operation=operation), source)
            start = 1
        count = len(numbers) - start
        if count:
            locations = [f"{prefix}{number}" for number in numbers[start : start + self.kept]] if groups else []
            self._count_run(outcome, groups, count, locations)
            self.folds += [fold_of(outcome, findings, operation, self.writer.accepted)] * count

    @property
    def listed(self) -> int:
        """How many items are kept as text (for a report given a `writer`), or, folding, as what they fold under."""
        if self.folding:
            return len(self.folds)
        return len(self.spooled.lengths) if self.spooled is not None else len(self.rendered)

    def rendered_text(self) -> str:
        """The text of the items kept, their numbers in place (for a report given a `writer`)."""
        self._unspool()
        return _settled("".join(self.rendered), self.mark, self.offset)

    def rendered_items(self) -> list[str]:
        """The text of each item kept, its number in place."""
        self._unspool()
        return [_settled(text, self.mark, self.offset) for text in self.rendered]

    def spool(self, path: str) -> None:
        """Move the text of the items kept to a new file at `path`, which the report reads or sends on: a worker's
        tally, before it crosses to the parent, where a file costs one copy and the result pipe several."""
        self.spooled = Spooled.write(path, self.rendered, self.mark)
        self.rendered = []

    def settled_size(self) -> int | None:
        """The length of the items' text as the report writes it, where it is known without reading the text back
        (spooled with its numbers in place); else None."""
        spooled = self.spooled
        return spooled.size if spooled is not None and spooled.settled else None

    def write_text(self, out: TextIO, skip: int = 0) -> int:
        """Write the text of the items kept to `out`, numbers in place, but for its first `skip` characters (ASCII);
        the characters written. Spooled text with its numbers in place goes from its file to `out` in the kernel
        (os.sendfile), where `out` is a file or a pipe."""
        spooled = self.spooled
        if spooled is not None and spooled.settled and spooled.send(out, skip):
            self.spooled = None
            return spooled.size - skip
        text = self.rendered_text()[skip:]
        out.write(text)
        return len(text)

    def drop_text(self) -> None:
        """Let go of the text of the items kept, unread (a report that has no room left for it)."""
        if self.spooled is not None:
            self.spooled.drop()
            self.spooled = None
        self.rendered = []

    def _unspool(self) -> None:
        """Read spooled text back into the items kept, once."""
        if self.spooled is not None:
            self.rendered, self.spooled = self.spooled.read(), None

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


def item_number(location: str) -> tuple[int, str] | None:
    """Where the number that ends an item's location (its line, or its entry) begins, and the number; None if none."""
    found = _NUMBER.search(location)
    return None if found is None else (found.start(), found.group())


def _settled(text: str, mark: str, offset: int) -> str:
    """Rendered text with each number between marks moved by `offset`, and the marks gone."""
    if not mark or mark not in text:
        return text
    if not offset:
        return text.replace(mark, "")
    pieces = text.split(mark)
    pieces[1::2] = [str(int(number) + offset) for number in pieces[1::2]]
    return "".join(pieces)
