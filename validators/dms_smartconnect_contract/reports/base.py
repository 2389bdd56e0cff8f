"""What every renderer shares: the Reporter interface, the order of groups, the record of a result, the
line of a finding and of the summary, and where a location points."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TextIO

from ..findings import (
    JSONL_SUFFIXES,
    SAMPLES,
    STDIN_LOCATION,
    UNREADABLE_RULE,
    Accepted,
    Filler,
    Finding,
    Group,
    GroupKey,
    ItemWriter,
    Keeping,
    Outcome,
    Result,
    RunVerdict,
    Severity,
    Tally,
    accepted_mark,
    split_item,
)
from ..sources.files import split_name


class Reporter:
    """The interface of every renderer. `detail`: whether it lists items, so that tallies must keep them;
    `samples`: the sample locations it shows per findings group."""

    detail = True
    samples = SAMPLES
    # A report that lists items may give its text of one item: the items are then written where they are judged
    # (every worker process), and reach the report as text (add_rendered).
    writer: ItemWriter | None = None
    coverage: dict[str, Any] | None = None  # with --coverage: what the traffic exercised (contract_coverage)
    baseline: Any = None  # with --baseline: the run's groups sorted against it (run/baseline.py's Sorted)
    accepted: Accepted | None = None  # with --baseline or --write-baseline: what it accepts, known before the run

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.mark = secrets.token_hex(8)  # see Keeping: a word no capture can know in advance

    @property
    def keeping(self) -> Keeping:
        """What the tallies of the run must keep for this report."""
        return Keeping(self.detail, self.samples, self.writer, self.mark if self.writer else "")

    def accept(self, accepted: Accepted) -> None:
        """Told before the run what a baseline accepts (a report that writes items as they are judged marks them
        then; the others read the run's groups sorted against it at the end, `baseline`)."""
        self.accepted = accepted

    def add(self, tally: Tally) -> None:
        """The items of one unit of work, in order (a reporter that lists none reads the total at the end)."""
        if tally.listed:
            self.add_rendered(tally)
        for result in tally.items:
            self.add_result(result)

    def listing_full(self) -> bool:
        """Whether the report lists no more items as text (a bounded one whose bounds are met): the items after
        are only counted into what they fold under."""
        return False

    def add_result(self, result: Result) -> None:
        raise NotImplementedError

    def add_rendered(self, tally: Tally) -> None:
        """The items of one unit of work, as the renderer wrote them."""
        raise NotImplementedError

    def finish(self, total: Tally, verdict: RunVerdict) -> None:
        """Write what was held back until the end, the run's verdict among it."""
        raise NotImplementedError


class ItemTexts:
    """A report's text of one item (render), and of items alike from one template (template). An object of its
    report's module, named there (`name`), so that worker processes find it by name rather than by copy."""

    name = ""
    accepted: Accepted | None = None  # the groups a baseline accepts, where the text says so

    def __reduce__(self) -> Any:
        return self.name

    def render(self, result: Result) -> str:
        raise NotImplementedError

    def escape_at(self, before: str) -> Callable[[list[str]], list[str]]:
        """How strings are escaped where they stand after `before` in an item's text, a column of them at once:
        character by character, so that a string's text is the text of its parts, one after the other."""
        raise NotImplementedError

    def template(self, result: Result, varying: tuple[int, ...], prefix: str) -> Filler | None:
        """The item written once with stand-ins for the end of its location and for the varying messages, and cut
        where they stand: the text of another such item is the pieces with its own strings escaped in their
        places. Checked on `result` itself; None where its text is not made so."""
        token = secrets.token_hex(8)  # random: no text of the item can hold it
        findings = list(result.findings)
        for number, index in enumerate(varying):
            findings[index] = replace(findings[index], message=f"{token}{number}{token}")
        if not result.location.startswith(prefix):
            return None
        placed = Result(f"{prefix}{token}L{token}", result.outcome, findings, result.reason, result.rule,
                        result.operation)  # fmt: skip
        pieces = self.render(placed).split(token)
        keys = pieces[1::2]
        if len(pieces) % 2 == 0 or not all(key == "L" or key.isdigit() for key in keys):
            return None
        constants = pieces[0::2]
        # Each stand-in: the column it takes (None: the labels), how that column is escaped there, and the text
        # after it.
        slots = [(None if key == "L" else int(key), self.escape_at(before), after)
                 for key, before, after in zip(keys, constants[:-1], constants[1:], strict=True)]  # fmt: skip
        first = constants[0]

        def fill(labels: list[str], columns: list[list[str]]) -> list[str]:
            if not slots:
                return [first] * len(labels)
            filled = [labels if index is None else escape(columns[index]) for index, escape, _ in slots]
            # The common shapes written in one expression each: a conforming item, one varying message, and one
            # written twice (JUnit's message attribute and text).
            if len(slots) == 1:
                after = slots[0][2]
                return [f"{first}{one}{after}" for one in filled[0]]
            if len(slots) == 2:
                middle, after = slots[0][2], slots[1][2]
                return [f"{first}{one}{middle}{two}{after}" for one, two in zip(*filled, strict=True)]
            if len(slots) == 3:
                middle, between, after = slots[0][2], slots[1][2], slots[2][2]
                return [f"{first}{one}{middle}{two}{between}{three}{after}"
                        for one, two, three in zip(*filled, strict=True)]  # fmt: skip
            texts = []
            for strings in zip(*filled, strict=True):
                out = [first]
                for string, (_, _, after) in zip(strings, slots, strict=True):
                    out.append(string)
                    out.append(after)
                texts.append("".join(out))
            return texts

        own = [[result.findings[index].message] for index in varying]
        return fill if fill([result.location[len(prefix) :]], own) == [self.render(result)] else None


def ordered_groups(total: Tally) -> list[tuple[GroupKey, Group]]:
    """A run's findings groups as reports list them: errors first, then the most frequent."""
    return sorted(total.groups.items(), key=lambda kv: (kv[0][2] is not Severity.ERROR, -kv[1].count, kv[0]))


def result_record(result: Result) -> dict[str, object]:
    """One judged or unreadable item as the JSON reports give it."""
    record: dict[str, object] = {
        "location": result.location,
        "outcome": result.outcome.value,
        "violations": [finding.as_dict() for finding in result.findings],
    }
    if result.operation:
        record["operation"] = result.operation
    if result.reason:
        record["reason"] = result.reason
    if result.outcome is Outcome.UNREADABLE:
        record["rule"] = result.rule or UNREADABLE_RULE
    return record


def baselined_groups(baseline: Any) -> dict[GroupKey, Any]:
    """The groups a baseline accepts (its entries not expired), each with its entry; none without a baseline."""
    return dict(baseline.baselined) if baseline is not None else {}


def baseline_marks(baseline: Any) -> dict[GroupKey, str]:
    """What a report says of each group a baseline knows: baselined until when and why, or accepted till a date
    that has passed."""
    if baseline is None:
        return {}
    marks = {key: accepted_mark(entry.expires, entry.reason) for key, entry in baseline.baselined}
    marks.update({key: f"baseline expired on {entry.expires}: {entry.reason}" for key, entry in baseline.expired})
    return marks


def baseline_summary(baseline: Any) -> str:
    """A baseline's outcome in one line."""
    stale = len(baseline.stale)
    return (f"baseline: {len(baseline.baselined)} group(s) baselined, {len(baseline.new)} new, "
            f"{len(baseline.expired)} expired; {stale} stale entr{'y' if stale == 1 else 'ies'}")  # fmt: skip


def stale_line(entry: Any) -> str:
    """A baseline entry no finding of the run matched."""
    title = group_title(entry.rule, entry.pointer, entry.operation)
    return f"stale baseline entry {title} [{entry.provenance}]: no finding matched it; it can go"


def finding_detail(finding: Finding, mark: str | None = None) -> str:
    """A finding's line (with what a baseline says of it, `mark`), and the evidence of its rule when the rule is
    inferred."""
    evidence = finding.provenance.evidence
    line = f"{finding.line} ({mark})" if mark else finding.line
    return line + (f"\n    {finding.provenance.kind}: {evidence}" if evidence else "")


def group_title(rule: str, pointer: str, operation: str) -> str:
    """What a findings group is about: its rule, where in the body, and of which operation."""
    return f"{rule} at {pointer or '(exchange)'}" + (f" of {operation}" if operation else "")


def summary_line(summary: Tally) -> str:
    """The one-line summary of a run."""
    return (
        f"{summary.total} item(s): {summary.conforming} conforming, {summary.violating} violating, "
        f"{summary.skipped} skipped, {summary.unreadable} unreadable"
    )


_LINE = re.compile(r":(\d+)$")


def split_location(location: str) -> tuple[str, int | None, str | None]:
    """A report location as (file or URL, line, logical location): `f.jsonl:7` -> (f.jsonl, 7, None),
    `f.har#/log/entries/3` -> (f.har, None, log/entries/3), `body.json` -> (body.json, None, None)."""
    path, pointer = split_item(location)
    if pointer is not None:
        return path, None, pointer[1:]
    found = _LINE.search(location)
    if found is not None:
        path = location[: found.start()]
        if split_name(path)[0] in JSONL_SUFFIXES or path == STDIN_LOCATION:
            return path, int(found.group(1)), None
    return location, None, None
