"""GitHub Actions workflow commands: an annotation per findings group at its first location, then the
summary; escaped as GitHub's toolkit escapes them."""

from __future__ import annotations

from ..findings import Result, RunVerdict, Severity, Tally
from ..redact import printable
from .base import (
    Reporter,
    baseline_marks,
    baseline_summary,
    baselined_groups,
    group_title,
    ordered_groups,
    split_location,
    stale_line,
    summary_line,
)


def escape_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's toolkit does (escapeData); any other control character
    (an escape sequence a log would run) is written as an escape."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    """A workflow command's property value (escapeProperty): the message's escapes, and `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


# GitHub shows 10 error, 10 warning and 10 notice annotations per step (actions/toolkit, docs/problem-matchers.md,
# "Limitations"); more are dropped without a word. The rest goes to the log as plain lines, and a notice says so.
ANNOTATIONS_PER_KIND = 10


class GithubReporter(Reporter):
    """GitHub Actions workflow commands: annotations per findings group (within GitHub's limits), then the summary."""

    detail = False

    def add_result(self, result: Result) -> None:  # pragma: no cover - detail is off: groups are read at the end
        raise AssertionError("the github report lists groups, not items")

    def finish(self, total: Tally, verdict: RunVerdict) -> None:
        write = self.out.write
        commands: list[tuple[str, str, str, str]] = []  # kind, location, title, message
        marks = baseline_marks(self.baseline)
        baselined = baselined_groups(self.baseline)
        for key, group in ordered_groups(total):
            rule, pointer, severity, basis, operation = key
            others = group.samples[1:]
            more = group.count - len(group.samples)
            also = ", ".join(others) + (f" and {more} more" if more > 0 else "")
            text = f"{group.first.message} [{basis}]; {group.count} time(s)" + (f", also at {also}" if also else "")
            kind = "error" if severity is Severity.ERROR else "warning"
            if key in marks:
                text += f" ({marks[key]})"
            if key in baselined:  # accepted: in the log, not raised as an annotation
                kind = "baselined"
            commands.append((kind, group.samples[0], group_title(rule, pointer, operation), text))
        for result in total.unreadable_items:
            commands.append(("error", result.location, result.rule or "unreadable", result.reason))
        shown = {"error": 0, "warning": 0}
        unshown: list[str] = []
        accepted: list[str] = []
        for kind, location, title, text in commands:
            if kind == "baselined":
                accepted.append(f"baselined {printable(title)} at {printable(location)}: {printable(text)}")
            elif shown[kind] < ANNOTATIONS_PER_KIND:
                shown[kind] += 1
                write(_command(kind, location, title, text))
            else:
                unshown.append(f"{kind} {printable(title)} at {printable(location)}: {printable(text)}")
        if total.unreadable > len(total.unreadable_items):
            write(f"{total.unreadable - len(total.unreadable_items)} more unreadable item(s)\n")
        for line in unshown + accepted:
            write(line + "\n")
        if self.baseline is not None:
            for entry in self.baseline.stale:
                write(printable(stale_line(entry)) + "\n")
        if self.coverage is not None:
            from .coverage import coverage_line, render_text

            write("::group::coverage\n" + "".join(printable(line) + "\n" for line in render_text(self.coverage)))
            write("::endgroup::\n")
        line = summary_line(total)
        if verdict.reason:
            write(f"::error title=smartconnect-contract::{escape_data(verdict.reason)}\n")
        if unshown:
            folded = (f"{len(unshown)} more finding group(s) are listed in the log, not annotated: GitHub shows "
                      f"{ANNOTATIONS_PER_KIND} error and {ANNOTATIONS_PER_KIND} warning annotations per step")  # fmt: skip
            write(f"::notice title=not annotated::{escape_data(folded)}\n")
        if self.coverage is not None:
            write(f"::notice title=coverage::{escape_data(coverage_line(self.coverage))}\n")
        if self.baseline is not None:
            write(f"::notice title=baseline::{escape_data(baseline_summary(self.baseline))}\n")
        write(f"::notice title=smartconnect-contract::{escape_data(line)}\n")
        write(line + "\n")


def _command(kind: str, location: str, title: str, message: str) -> str:
    path, line, logical = split_location(location)
    properties = [f"file={escape_property(path)}"]
    if line is not None:
        properties.append(f"line={line}")
    if logical is not None:
        title = f"{title} ({logical})"
    properties.append(f"title={escape_property(title)}")
    return f"::{kind} {','.join(properties)}::{escape_data(message)}\n"
