"""JUnit XML for CI dashboards: a test case per judged (or unreadable) item, and per request of a contract run."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any, TextIO

from ..escaping import escaped_together
from ..findings import UNMET_RULE, Accepted, Outcome, Result, RunVerdict, Severity, Tally, fold_of
from ..findings.spool import sent
from .base import ItemTexts, Reporter, baseline_summary, finding_detail, group_title, summary_line

UNATTRIBUTED = "capture"  # the class of an item no operation was judged for (unreadable before routing)

# Characters XML 1.0 cannot hold at all, even as references: shown as U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What escape() changes; and what escape_attribute() changes besides the quote. Most messages hold none of it, and
# one search costs less than the replacements.
_TEXT_ESCAPED = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ATTRIBUTE_ESCAPED = re.compile("[&<>\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    """XML character data (as xml.sax.saxutils escapes it), without the characters XML 1.0 forbids."""
    if _TEXT_ESCAPED.search(text) is None:
        return text
    if _NOT_XML.search(text) is not None:
        text = _NOT_XML.sub("\ufffd", text)
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def escape_attribute(text: str) -> str:
    """An XML attribute value between double quotes: the character data's escapes, the quote, and line breaks and
    tabs as character references (each character on its own, so a value's text is its parts' texts)."""
    if _ATTRIBUTE_ESCAPED.search(text) is None:
        return text.replace('"', "&quot;")
    escaped = escape(text).replace('"', "&quot;")
    return escaped.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")


def _texts(texts: list[str]) -> list[str]:
    return escaped_together(escape, texts)


def _attributes(texts: list[str]) -> list[str]:
    return escaped_together(escape_attribute, texts)


def quoteattr(text: str) -> str:
    """An XML attribute value, always in double quotes."""
    return f'"{escape_attribute(text)}"'


def run_error_case(kind: str, reason: str, details: list[str]) -> str:
    """A JUnit test case for a run that failed as a whole, with its one-line reason and the details."""
    text = escape("\n".join([reason, *details]))
    return f'    <testcase classname="smartconnect-contract" name="run"><error type="{kind}" message={quoteattr(reason)}>{text}</error></testcase>\n'


# GitLab reads a JUnit file of at most 30 MB, and GitLab.com at most 500,000 test cases per report (GitLab's "Unit
# test reports" page, "File format and size limits"). Items are listed as cases until either bound below is met; the
# rest are folded into one case per findings group (and one per operation for conforming items), with their counts.
MAX_LISTED_CASES = 100_000
MAX_LISTED_BYTES = 20 << 20


class JunitCases(ItemTexts):
    """An item as a JUnit test case; one whose errors a baseline all accepts is skipped, saying until when and why."""

    def __init__(self, accepted: Accepted | None = None) -> None:
        self.accepted = accepted

    def __reduce__(self) -> Any:
        # By what it accepts: a worker process finds its one object for it, and its templates with it.
        return (junit_cases, (self.accepted,)) if self.accepted is not None else self.name

    def render(self, result: Result) -> str:
        return _case(result, self.accepted)

    def escape_at(self, before: str) -> Callable[[list[str]], list[str]]:
        # Inside an attribute when the last `="` stands after the last tag's end.
        return _attributes if before.rfind('="') > before.rfind(">") else _texts


JUNIT_CASES = JunitCases()
JUNIT_CASES.name = "JUNIT_CASES"
_CASES_ACCEPTING: dict[Accepted, JunitCases] = {}


def junit_cases(accepted: Accepted | None) -> JunitCases:
    """The JUnit cases of a run with a baseline that accepts `accepted`: one object per process."""
    if accepted is None:
        return JUNIT_CASES
    return _CASES_ACCEPTING.setdefault(accepted, JunitCases(accepted))


class JunitReporter(Reporter):
    """JUnit XML. Test cases go to a temporary file first: the suite's counts must precede them."""

    writer = JUNIT_CASES

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        import tempfile  # here: only this report needs it

        self.cases = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed in finish()
        self.listed = 0
        self.written = 0
        self.baselined = 0  # cases listed as skipped: items whose errors the baseline all accepts
        # Items past the bounds, by what they fold under: their first error's group, their operation (conforming),
        # or the unreadable outcome; with how many there were.
        self.folded: dict[Any, int] = {}

    def accept(self, accepted: Accepted) -> None:
        super().accept(accepted)
        self.writer = junit_cases(accepted)

    def add_result(self, result: Result) -> None:
        fold = fold_of(result.outcome, result.findings, result.operation, self.accepted)
        self._add([_case(result, self.accepted)], [fold])

    def add_rendered(self, tally: Tally) -> None:
        listed = tally.listed
        room = self._room()
        if not room:  # past the bounds: only what each item folds under is needed, not its text
            self._fold(tally.folds)
            tally.drop_text()
            return
        assert not tally.folding, "folding only once the listing is full"
        if room >= listed:
            size, text = tally.settled_size(), None
            if size is None:  # the text is read to know its length, and written as read
                text = tally.rendered_text()
                size = len(text)
            if self.written + size <= MAX_LISTED_BYTES:
                if text is None:
                    tally.write_text(self.cases)
                else:
                    self.cases.write(text)
                self.written += size
                self.listed += listed
                self.baselined += self._baselined(tally.folds)
                return
        self._add(tally.rendered_items(), tally.folds)

    def listing_full(self) -> bool:
        return self._room() == 0

    def _room(self) -> int:
        return MAX_LISTED_CASES - self.listed if self.written < MAX_LISTED_BYTES else 0

    def _fold(self, folds: list[Any]) -> None:
        """Count items past the bounds under what they fold under, in the order each was first seen."""
        folded = self.folded
        for fold, count in Counter(folds).items():
            folded[fold] = folded.get(fold, 0) + count

    def _baselined(self, folds: list[Any]) -> int:
        """How many of these items a baseline accepts (their cases are skipped)."""
        accepted = self.accepted
        return 0 if accepted is None else sum(1 for fold in folds if type(fold) is tuple and fold in accepted)

    def _add(self, cases: list[str], folds: list[Any]) -> None:
        for case, fold in zip(cases, folds, strict=True):
            if self._room() > 0:
                self.cases.write(case)
                self.listed += 1
                self.written += len(case)
                self.baselined += self._baselined([fold])
            else:
                self.folded[fold] = self.folded.get(fold, 0) + 1

    def finish(self, total: Tally, verdict: RunVerdict) -> None:
        # A run that failed as a whole (it judged nothing) is one more case, in error, so that dashboards go red.
        run_failed = 1 if verdict.reason and verdict.exit_code else 0
        unmet_cases = self._unmet_cases(total)
        folded_cases = self._folded_cases(total) + unmet_cases
        violating = {fold: count for fold, count in self.folded.items() if isinstance(fold, tuple)}
        baselined = self._baselined(list(violating))
        unreadable = self.folded.get(Outcome.UNREADABLE, 0)
        # Listed items count one each, folded ones one per case; the unmet requirements fail as cases of their own.
        failures = (total.violating - self.baselined - sum(violating.values()) + len(violating) - baselined
                    + len(unmet_cases))  # fmt: skip
        errors = total.unreadable - unreadable + (1 if unreadable else 0) + run_failed
        tests = self.listed + len(folded_cases) + run_failed
        skipped = self.baselined + baselined
        counts = f'tests="{tests}" failures="{failures}" errors="{errors}" skipped="{skipped}"'
        self.out.write('<?xml version="1.0" encoding="utf-8"?>\n')
        self.out.write(f'<testsuites name="smartconnect-contract" {counts}>\n')
        self.out.write(f'  <testsuite name="conformance" {counts}>\n')
        properties = []
        folded_items = sum(self.folded.values())
        if folded_items > 0:
            note = (f"{folded_items} item(s) past the first {self.listed} are folded into {len(folded_cases)} case(s): "
                    f"a JUnit file stays under {MAX_LISTED_BYTES >> 20} MB and {MAX_LISTED_CASES:,} cases for GitLab; "
                    "the JSON and JSONL reports list every item")  # fmt: skip
            properties.append(f'<property name="folded" value={quoteattr(note)}/>')
        if self.coverage is not None:
            from .coverage import coverage_line

            properties.append(f'<property name="coverage" value={quoteattr(coverage_line(self.coverage))}/>')
        if self.baseline is not None:
            properties.append(f'<property name="baseline" value={quoteattr(baseline_summary(self.baseline))}/>')
        if properties:
            self.out.write(f"    <properties>{''.join(properties)}</properties>\n")
        if run_failed:
            self.out.write(run_error_case("nothing-judged", verdict.reason, verdict.details))
        self.cases.flush()
        if not sent(self.cases.fileno(), self.out):  # else copied in the kernel, from file to file or pipe
            self.cases.seek(0)
            while chunk := self.cases.read(1 << 20):
                self.out.write(chunk)
        self.cases.close()
        for case in folded_cases:
            self.out.write(case)
        self.out.write(f"    <system-out>{escape(summary_line(total))}</system-out>\n  </testsuite>\n</testsuites>\n")

    @staticmethod
    def _unmet_cases(total: Tally) -> list[str]:
        """A failing case per requirement of --require-coverage the traffic did not meet."""
        return [
            f"    <testcase classname={quoteattr(operation or UNATTRIBUTED)} name={quoteattr(basis)}>"
            f"<failure type={quoteattr(rule)} message={quoteattr(group.first.message)}>"
            f"{escape(group.first.message)}</failure></testcase>\n"
            for (rule, _, _, basis, operation), group in total.groups.items()
            if rule == UNMET_RULE
        ]

    def _folded_cases(self, total: Tally) -> list[str]:
        """A failing case per findings group of the folded items (its first finding and samples are the run's), a
        passing case per operation for conforming ones, and one in error for unreadable ones."""
        cases = []
        for fold, count in self.folded.items():
            if isinstance(fold, tuple):
                rule, pointer, _, _, operation = fold
                group = total.groups[fold]
                mark = self.accepted.mark_of(fold) if self.accepted is not None else None
                name = quoteattr(f"{group_title(rule, pointer, operation)}: {count} more item(s)")
                text = escape(f"{finding_detail(group.first)}\n{count} more item(s) failed so; the first at "
                              f"{', '.join(group.samples)}")  # fmt: skip
                outcome = (f"<failure type={quoteattr(rule)} message={quoteattr(group.first.line)}>{text}</failure>"
                           if mark is None else f"<skipped message={quoteattr(mark)}>{text}</skipped>")  # fmt: skip
                cases.append(f"    <testcase classname={quoteattr(operation or UNATTRIBUTED)} name={name}>"
                             f"{outcome}</testcase>\n")  # fmt: skip
        for fold, count in self.folded.items():
            if type(fold) is str:  # an operation (the unreadable outcome is a str Enum)
                name = quoteattr(f"{count} more conforming item(s)")
                cases.append(f"    <testcase classname={quoteattr(fold or UNATTRIBUTED)} name={name}></testcase>\n")
        unreadable = self.folded.get(Outcome.UNREADABLE, 0)
        if unreadable:
            name = quoteattr(f"{unreadable} more unreadable item(s)")
            message = quoteattr(f"{unreadable} more item(s) could not be read")
            cases.append(f'    <testcase classname="{UNATTRIBUTED}" name={name}><error type="unreadable" '
                         f"message={message}/></testcase>\n")  # fmt: skip
        return cases


def _case(result: Result, accepted: Accepted | None = None) -> str:
    """One item as a test case: of the operation it was judged as (an item read as none is of the capture). An item
    whose errors a baseline all accepts is skipped; one with an error it does not accept fails, on that error."""
    parts = [
        f"    <testcase classname={quoteattr(result.operation or UNATTRIBUTED)} name={quoteattr(result.location)}>"
    ]
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    warnings = [f for f in result.findings if f.severity is Severity.WARNING]
    if result.outcome is Outcome.UNREADABLE:
        parts.append(f'<error type="{result.rule or "unreadable"}" message={quoteattr(result.reason)}/>')
    elif errors:
        marked = [(f, accepted.mark_of(f.group) if accepted is not None else None) for f in errors]
        if accepted is not None:
            # The errors not accepted first (the failure is theirs), then the accepted ones, each saying until when.
            marked.sort(key=lambda pair: pair[1] is not None)
        text = escape("\n".join(finding_detail(f, mark) for f, mark in marked))
        first, mark = marked[0]
        if mark is None:
            parts.append(f"<failure type={quoteattr(first.rule)} message={quoteattr(first.line)}>{text}</failure>")
        else:
            parts.append(f"<skipped message={quoteattr(mark)}>{text}</skipped>")
    if warnings:
        parts.append(
            f"<system-out>{escape(chr(10).join('warning ' + finding_detail(f) for f in warnings))}</system-out>"
        )
    parts.append("</testcase>\n")
    return "".join(parts)


def render_contract_junit(outcomes: list[Any], out: TextIO, problem: str | None = None) -> None:
    """The contract run as JUnit XML: one test case per request, and one in error when the run proved nothing."""
    failed = sum(1 for outcome in outcomes if outcome.failures)
    extra = 1 if problem else 0
    counts = f'tests="{len(outcomes) + extra}" failures="{failed}" errors="{extra}" skipped="0"'
    out.write('<?xml version="1.0" encoding="utf-8"?>\n')
    out.write(f'<testsuites name="smartconnect-contract" {counts}>\n')
    out.write(f'  <testsuite name="contract" {counts}>\n')
    if problem:
        out.write(run_error_case("nothing-proved", f"the contract run proved nothing: {problem}", []))
    for outcome in outcomes:
        out.write(f"    <testcase classname={quoteattr(outcome.operation)} name={quoteattr(outcome.name)}>")
        if outcome.failures:
            title = outcome.failures[0][0]
            text = "\n\n".join(f"{t}\n{m}" for t, m in outcome.failures)
            out.write(f"<failure type={quoteattr(title)} message={quoteattr(title)}>{escape(text)}</failure>")
        out.write("</testcase>\n")
    out.write("  </testsuite>\n</testsuites>\n")
