"""JUnit XML for CI dashboards: a test case per judged (or unreadable) item, and per request of a contract run."""

from __future__ import annotations

import re
from typing import Any, TextIO
from xml.sax import saxutils

from ..findings import Outcome, Result, RunVerdict, Severity, Tally
from .base import Reporter, finding_detail, summary_line

UNATTRIBUTED = "capture"  # the class of an item no operation was judged for (unreadable before routing)

# Characters XML 1.0 cannot hold at all, even as references: shown as U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    """XML character data (xml.sax.saxutils), without the characters XML 1.0 forbids."""
    return saxutils.escape(_NOT_XML.sub("\ufffd", text))


def quoteattr(text: str) -> str:
    """An XML attribute value, quotes included; line breaks and tabs kept as character references."""
    return saxutils.quoteattr(_NOT_XML.sub("\ufffd", text), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def run_error_case(kind: str, reason: str, details: list[str]) -> str:
    """A JUnit test case for a run that failed as a whole, with its one-line reason and the details."""
    text = escape("\n".join([reason, *details]))
    return f'    <testcase classname="smartconnect-contract" name="run"><error type="{kind}" message={quoteattr(reason)}>{text}</error></testcase>\n'


class JunitReporter(Reporter):
    """JUnit XML. Test cases go to a temporary file first: the suite's counts must precede them."""

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        import tempfile  # here: only this report needs it

        self.cases = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed in finish()

    def add_result(self, result: Result) -> None:
        name = quoteattr(result.location)
        write = self.cases.write
        # A case is of the operation it was judged as; an item read as none is of the capture.
        write(f"    <testcase classname={quoteattr(result.operation or UNATTRIBUTED)} name={name}>")
        errors = [f for f in result.findings if f.severity is Severity.ERROR]
        warnings = [f for f in result.findings if f.severity is Severity.WARNING]
        if result.outcome is Outcome.UNREADABLE:
            write(f'<error type="{result.rule or "unreadable"}" message={quoteattr(result.reason)}/>')
        elif errors:
            text = "\n".join(finding_detail(f) for f in errors)
            write(
                f"<failure type={quoteattr(errors[0].rule)} message={quoteattr(errors[0].line)}>{escape(text)}</failure>"
            )
        if warnings:
            write(f"<system-out>{escape(chr(10).join('warning ' + finding_detail(f) for f in warnings))}</system-out>")
        write("</testcase>\n")

    def finish(self, total: Tally, verdict: RunVerdict) -> None:
        # A run that failed as a whole (it judged nothing) is one more case, in error, so that dashboards go red.
        run_failed = 1 if verdict.reason and verdict.exit_code else 0
        tests, errors = total.judged + run_failed, total.unreadable + run_failed
        counts = f'tests="{tests}" failures="{total.violating}" errors="{errors}" skipped="0"'
        self.out.write('<?xml version="1.0" encoding="utf-8"?>\n')
        self.out.write(f'<testsuites name="smartconnect-contract" {counts}>\n')
        self.out.write(f'  <testsuite name="conformance" {counts}>\n')
        if run_failed:
            self.out.write(run_error_case("nothing-judged", verdict.reason, verdict.details))
        self.cases.seek(0)
        while chunk := self.cases.read(1 << 20):
            self.out.write(chunk)
        self.cases.close()
        self.out.write(f"    <system-out>{escape(summary_line(total))}</system-out>\n  </testsuite>\n</testsuites>\n")


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
