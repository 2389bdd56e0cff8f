"""Renderers: they only format tallies. Each takes the tallies of a run one at a time, as they come, so memory does
not grow with the input.

- text: findings grouped by rule and JSON pointer, with counts and sample locations, then one summary line;
- json: the shape described by `report.schema.json` beside this file, results streamed as they come;
- jsonl: one JSON object a line, as `report-jsonl.schema.json` describes: a line per result as it comes, then a
  line per findings group and one for the summary (for runs too large for one JSON document);
- junit: one test case per judged (or unreadable) exchange, for CI dashboards;
- sarif and github: see sarif.py and github.py.
"""

from __future__ import annotations

from typing import TextIO

from ..findings import Result, RunVerdict, Severity, Tally
from ..redact import printable
from .base import Reporter, baseline_marks, baseline_summary, group_title, ordered_groups, stale_line, summary_line


def _color(enabled: bool, code: str, text: str) -> str:
    return f"\033[{code}m{text}\033[0m" if enabled else text


class TextReporter(Reporter):
    """Findings grouped by rule, pointer and operation, most frequent first; -v adds one line per finding as it is
    found."""

    def __init__(self, out: TextIO, *, verbosity: int = 0, color: bool = False) -> None:
        super().__init__(out)
        self.verbosity = verbosity
        self.color = color
        self.detail = verbosity > 0

    def add_result(self, result: Result) -> None:
        for finding in result.findings:
            self.out.write(f"{printable(result.location)}: {self._label(finding.severity)} {printable(finding.line)}\n")

    def _label(self, severity: Severity) -> str:
        return _color(self.color, "31" if severity is Severity.ERROR else "33", severity.value)

    def finish(self, total: Tally, verdict: RunVerdict) -> None:
        write = self.out.write
        marks = baseline_marks(self.baseline)
        if self.verbosity >= 0:
            for key, group in ordered_groups(total):
                rule, pointer, severity, basis, operation = key
                # Field names, locations and values come from the capture: no control character reaches the terminal.
                title = printable(group_title(rule, pointer, operation))
                mark = f" ({printable(marks[key])})" if key in marks else ""
                write(f"{self._label(severity)} {title}: {group.count} time(s) [{basis}]{mark}\n")
                write(f"    {printable(group.first.message)}\n")
                if group.first.provenance.evidence:
                    write(f"    {group.first.provenance.kind}: {group.first.provenance.evidence}\n")
                more = f" and {group.count - len(group.samples)} more" if group.count > len(group.samples) else ""
                write(f"    e.g. {printable(', '.join(group.samples))}{more}\n")
            for result in total.unreadable_items:
                rule = f" [{result.rule}]" if result.rule else ""
                where, why = printable(result.location), printable(result.reason)
                write(f"{_color(self.color, '35', 'unreadable')} {where}: {why}{rule}\n")
            if total.unreadable > len(total.unreadable_items):
                write(f"    and {total.unreadable - len(total.unreadable_items)} more unreadable item(s)\n")
            if self.verbosity > 0:
                for reason, count in sorted(total.skipped_reasons.items()):
                    write(f"skipped {count}: {printable(reason)}\n")
            if self.baseline is not None:
                for entry in self.baseline.stale:
                    write(printable(stale_line(entry)) + "\n")
                write(baseline_summary(self.baseline) + "\n")
        if self.coverage is not None:
            from .coverage import render_text

            write("\n".join(render_text(self.coverage)) + "\n")
        # A run-level failure (nothing judged) is the command's error message, on standard error.
        write(summary_line(total) + "\n")
