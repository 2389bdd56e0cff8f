"""The lossless reports: one JSON document (`report.schema.json`), or one JSON object a line
(`report-jsonl.schema.json`), results streamed as they come."""

from __future__ import annotations

from typing import TextIO

import orjson

from ..findings import Result, RunVerdict, Tally
from .base import Reporter, result_record


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
            if group.first.operation:
                record["operation"] = group.first.operation
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
