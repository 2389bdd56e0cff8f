"""Renderers: they only format tallies. Each takes the tallies of a run one at a time, as they come, so memory does
not grow with the input.

- text: findings grouped by rule and JSON pointer, with counts and sample locations, then one summary line;
- json: the shape described by `report.schema.json` beside this file, results streamed as they come;
- jsonl: one JSON object a line, as `report-jsonl.schema.json` describes: a line per result as it comes, then a
  line per findings group and one for the summary (for runs too large for one JSON document);
- junit: one test case per judged (or unreadable) exchange, for CI dashboards;
- sarif and github: see ci_reports.py.
"""

from __future__ import annotations

import os
import re
from typing import Any, TextIO
from xml.sax import saxutils

import orjson

from ..findings import UNREADABLE_RULE, Finding, Group, GroupKey, Outcome, Result, Severity, Tally
from ..run.verdict import RunVerdict

SAMPLES = 3


class Reporter:
    """The interface of every renderer. `detail`: whether it lists items, so that tallies must keep them."""

    detail = True
    coverage: dict[str, Any] | None = None  # with --coverage: what the traffic exercised (contract_coverage)

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def add(self, tally: Tally) -> None:
        """The items of one unit of work, in order (a reporter that lists none reads the total at the end)."""
        for result in tally.items:
            self.add_result(result)

    def add_result(self, result: Result) -> None:
        raise NotImplementedError

    def finish(self, total: Tally, verdict: RunVerdict) -> None:
        """Write what was held back until the end, the run's verdict among it."""
        raise NotImplementedError


def _color(enabled: bool, code: str, text: str) -> str:
    return f"\033[{code}m{text}\033[0m" if enabled else text


class TextReporter(Reporter):
    """Findings grouped by (rule, pointer), most frequent first; -v adds one line per finding as it is found."""

    def __init__(self, out: TextIO, *, verbosity: int = 0, color: bool = False) -> None:
        super().__init__(out)
        self.verbosity = verbosity
        self.color = color
        self.detail = verbosity > 0

    def add_result(self, result: Result) -> None:
        for finding in result.findings:
            self.out.write(f"{result.location}: {self._label(finding.severity)} {_line(finding)}\n")

    def _label(self, severity: Severity) -> str:
        return _color(self.color, "31" if severity is Severity.ERROR else "33", severity.value)

    def finish(self, total: Tally, verdict: RunVerdict) -> None:
        write = self.out.write
        if self.verbosity >= 0:
            for (rule, pointer, severity, basis), group in ordered_groups(total):
                where = pointer or "(exchange)"
                write(f"{self._label(severity)} {rule} at {where}: {group.count} time(s) [{basis}]\n")
                write(f"    {group.first.message}\n")
                if group.first.provenance.evidence:
                    write(f"    {group.first.provenance.kind}: {group.first.provenance.evidence}\n")
                more = f" and {group.count - len(group.samples)} more" if group.count > len(group.samples) else ""
                write(f"    e.g. {', '.join(group.samples)}{more}\n")
            for result in total.unreadable_items:
                rule = f" [{result.rule}]" if result.rule else ""
                write(f"{_color(self.color, '35', 'unreadable')} {result.location}: {result.reason}{rule}\n")
            if total.unreadable > len(total.unreadable_items):
                write(f"    and {total.unreadable - len(total.unreadable_items)} more unreadable item(s)\n")
            if self.verbosity > 0:
                for reason, count in sorted(total.skipped_reasons.items()):
                    write(f"skipped {count}: {reason}\n")
        if self.coverage is not None:
            from ..contract.coverage import render_text

            write("\n".join(render_text(self.coverage)) + "\n")
        # A run-level failure (nothing judged) is the command's error message, on standard error.
        write(summary_line(total) + "\n")


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
    if result.reason:
        record["reason"] = result.reason
    if result.outcome is Outcome.UNREADABLE:
        record["rule"] = result.rule or UNREADABLE_RULE
    return record


def _line(finding: Finding) -> str:
    return f"{finding.rule} at {finding.pointer or '(exchange)'}: {finding.message} [{finding.basis}]"


def _detail(finding: Finding) -> str:
    """A finding's line, and the evidence of its rule when the rule is inferred."""
    evidence = finding.provenance.evidence
    return _line(finding) + (f"\n    {finding.provenance.kind}: {evidence}" if evidence else "")


def summary_line(summary: Tally) -> str:
    """The one-line summary of a run."""
    return (
        f"{summary.total} item(s): {summary.conforming} conforming, {summary.violating} violating, "
        f"{summary.skipped} skipped, {summary.unreadable} unreadable"
    )


class JsonReporter(Reporter):
    """Streams `{"results": [...], "summary": {...}, "skipped_reasons": {...}}`."""

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        self.first = True
        out.write('{"results": [')

    def add_result(self, result: Result) -> None:
        self.out.write(("\n  " if self.first else ",\n  ") + orjson.dumps(result_record(result)).decode())
        self.first = False

    def finish(self, total: Tally, verdict: RunVerdict) -> None:
        tail: dict[str, object] = {"summary": total.as_dict(), "skipped_reasons": total.skipped_reasons}
        if self.coverage is not None:
            tail["coverage"] = self.coverage
        tail["exit_code"] = int(verdict.exit_code)
        if verdict.reason:
            tail["reason"] = verdict.reason
            tail["details"] = verdict.details
        # The indented tail without its opening brace continues the object the header opened.
        self.out.write("\n]," + orjson.dumps(tail, option=orjson.OPT_INDENT_2).decode()[1:] + "\n")


class JsonlReporter(JsonReporter):
    """One object a line: `{"type": "result", ...}` per judged or unreadable item as it comes, then
    `{"type": "group", ...}` per findings group and a last `{"type": "summary", ...}`."""

    def __init__(self, out: TextIO) -> None:
        Reporter.__init__(self, out)

    def add_result(self, result: Result) -> None:
        self.out.write(orjson.dumps({"type": "result", **result_record(result)}).decode() + "\n")

    def finish(self, total: Tally, verdict: RunVerdict) -> None:
        write = self.out.write
        for group in total.groups.values():
            first = group.first.as_dict()
            record = {"type": "group", "rule": first["rule"], "pointer": first["pointer"]}
            record.update(severity=first["severity"], count=group.count, samples=group.samples, first=first)
            write(orjson.dumps(record).decode() + "\n")
        if self.coverage is not None:
            write(orjson.dumps({"type": "coverage", **self.coverage}).decode() + "\n")
        tail: dict[str, object] = {"type": "summary", **total.as_dict(), "skipped_reasons": total.skipped_reasons}
        tail["exit_code"] = int(verdict.exit_code)
        if verdict.reason:
            tail["reason"] = verdict.reason
            tail["details"] = verdict.details
        write(orjson.dumps(tail).decode() + "\n")


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
    return f'    <testcase classname="ShowConnectorTask" name="run"><error type="{kind}" message={quoteattr(reason)}>{text}</error></testcase>\n'


class JunitReporter(Reporter):
    """JUnit XML. Test cases go to a temporary file first: the suite's counts must precede them."""

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        import tempfile  # here: only this report needs it

        self.cases = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed in finish()

    def add_result(self, result: Result) -> None:
        name = quoteattr(result.location)
        write = self.cases.write
        write(f'    <testcase classname="ShowConnectorTask" name={name}>')
        errors = [f for f in result.findings if f.severity is Severity.ERROR]
        warnings = [f for f in result.findings if f.severity is Severity.WARNING]
        if result.outcome is Outcome.UNREADABLE:
            write(f'<error type="{result.rule or "unreadable"}" message={quoteattr(result.reason)}/>')
        elif errors:
            text = "\n".join(_detail(f) for f in errors)
            write(
                f"<failure type={quoteattr(errors[0].rule)} message={quoteattr(_line(errors[0]))}>{escape(text)}</failure>"
            )
        if warnings:
            write(f"<system-out>{escape(chr(10).join('warning ' + _detail(f) for f in warnings))}</system-out>")
        write("</testcase>\n")

    def finish(self, total: Tally, verdict: RunVerdict) -> None:
        # A run that failed as a whole (it judged nothing) is one more case, in error, so that dashboards go red.
        run_failed = 1 if verdict.reason and verdict.exit_code else 0
        tests, errors = total.judged + run_failed, total.unreadable + run_failed
        counts = f'tests="{tests}" failures="{total.violating}" errors="{errors}" skipped="0"'
        self.out.write('<?xml version="1.0" encoding="utf-8"?>\n')
        self.out.write(f'<testsuites name="smartconnect-contract" {counts}>\n')
        self.out.write(f'  <testsuite name="ShowConnectorTask conformance" {counts}>\n')
        if run_failed:
            self.out.write(run_error_case("nothing-judged", verdict.reason, verdict.details))
        self.cases.seek(0)
        while chunk := self.cases.read(1 << 20):
            self.out.write(chunk)
        self.cases.close()
        self.out.write(f"    <system-out>{escape(summary_line(total))}</system-out>\n  </testsuite>\n</testsuites>\n")


def make_reporter(name: str, out: TextIO, *, verbosity: int = 0, color: bool | None = None) -> Reporter:
    """The renderer called `name` (text, json, jsonl, junit, sarif or github) writing to `out`."""
    if name == "json":
        return JsonReporter(out)
    if name == "jsonl":
        return JsonlReporter(out)
    if name == "junit":
        return JunitReporter(out)
    if name in ("sarif", "github"):
        from .ci import GithubReporter, SarifReporter

        return SarifReporter(out) if name == "sarif" else GithubReporter(out)
    if color is None:
        color = out.isatty() and "NO_COLOR" not in os.environ
    return TextReporter(out, verbosity=verbosity, color=color)


def render_contract_text(outcomes: list[Any], out: TextIO) -> None:
    """The contract run in text: failed checks grouped by title, with counts and sample requests, then a summary."""
    groups: dict[str, list[str]] = {}
    messages: dict[str, str] = {}
    for outcome in outcomes:
        for title, message in outcome.failures:
            groups.setdefault(title, []).append(outcome.name)
            messages.setdefault(title, message.strip().splitlines()[0] if message.strip() else "")
    for title, names in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        out.write(
            f"FAILED {title}: {len(names)} request(s)\n    {messages[title]}\n    e.g. {', '.join(names[:SAMPLES])}\n"
        )
    failed = sum(1 for outcome in outcomes if outcome.failures)
    statuses: dict[int, int] = {}
    for outcome in outcomes:
        if outcome.status is not None:
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    seen = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
    out.write(f"{len(outcomes)} request(s): {len(outcomes) - failed} passed, {failed} failed (statuses {seen})\n")


def render_contract_junit(outcomes: list[Any], out: TextIO, problem: str | None = None) -> None:
    """The contract run as JUnit XML: one test case per request, and one in error when the run proved nothing."""
    failed = sum(1 for outcome in outcomes if outcome.failures)
    extra = 1 if problem else 0
    counts = f'tests="{len(outcomes) + extra}" failures="{failed}" errors="{extra}" skipped="0"'
    out.write('<?xml version="1.0" encoding="utf-8"?>\n')
    out.write(f'<testsuites name="smartconnect-contract" {counts}>\n')
    out.write(f'  <testsuite name="ShowConnectorTask contract" {counts}>\n')
    if problem:
        out.write(run_error_case("nothing-proved", f"the contract run proved nothing: {problem}", []))
    for outcome in outcomes:
        out.write(f'    <testcase classname="ShowConnectorTask" name={quoteattr(outcome.name)}>')
        if outcome.failures:
            title = outcome.failures[0][0]
            text = "\n\n".join(f"{t}\n{m}" for t, m in outcome.failures)
            out.write(f"<failure type={quoteattr(title)} message={quoteattr(title)}>{escape(text)}</failure>")
        out.write("</testcase>\n")
    out.write("  </testsuite>\n</testsuites>\n")
