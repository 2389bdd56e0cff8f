"""What every renderer shares: the Reporter interface, the order of groups, the record of a result, the
line of a finding and of the summary, and where a location points."""

from __future__ import annotations

import re
import secrets
from typing import Any, TextIO

from ..findings import (
    JSONL_SUFFIXES,
    SAMPLES,
    UNREADABLE_RULE,
    Finding,
    Group,
    GroupKey,
    ItemRenderer,
    Keeping,
    Outcome,
    Result,
    RunVerdict,
    Severity,
    Tally,
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
    renderer: ItemRenderer | None = None
    coverage: dict[str, Any] | None = None  # with --coverage: what the traffic exercised (contract_coverage)

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.mark = secrets.token_hex(8)  # see Keeping: a word no capture can know in advance

    @property
    def keeping(self) -> Keeping:
        """What the tallies of the run must keep for this report."""
        return Keeping(self.detail, self.samples, self.renderer, self.mark if self.renderer else "")

    def add(self, tally: Tally) -> None:
        """The items of one unit of work, in order (a reporter that lists none reads the total at the end)."""
        if tally.rendered:
            self.add_rendered(tally)
        for result in tally.items:
            self.add_result(result)

    def add_result(self, result: Result) -> None:
        raise NotImplementedError

    def add_rendered(self, tally: Tally) -> None:
        """The items of one unit of work, as the renderer wrote them."""
        raise NotImplementedError

    def finish(self, total: Tally, verdict: RunVerdict) -> None:
        """Write what was held back until the end, the run's verdict among it."""
        raise NotImplementedError


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


def finding_detail(finding: Finding) -> str:
    """A finding's line, and the evidence of its rule when the rule is inferred."""
    evidence = finding.provenance.evidence
    return finding.line + (f"\n    {finding.provenance.kind}: {evidence}" if evidence else "")


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
        if split_name(path)[0] in JSONL_SUFFIXES:
            return path, int(found.group(1)), None
    return location, None, None
