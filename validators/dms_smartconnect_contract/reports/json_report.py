"""The lossless reports: one JSON document (`report.schema.json`), or one JSON object a line
(`report-jsonl.schema.json`), results streamed as they come."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

import orjson

from ..escaping import escaped_together, json_string
from ..findings import Result, RunVerdict, Tally
from .base import ItemTexts, Reporter, result_record


class JsonItems(ItemTexts):
    """The text of one item of a JSON report: its record as JSON, between `before` and `after`."""

    def __init__(self, before: str, after: str, kind: dict[str, str]) -> None:
        self.before, self.after, self.kind = before, after, kind

    def render(self, result: Result) -> str:
        return self.before + orjson.dumps({**self.kind, **result_record(result)}).decode() + self.after

    def escape_at(self, before: str) -> Callable[[list[str]], list[str]]:
        return escaped


def escaped(texts: list[str]) -> list[str]:
    """Strings as each stands inside a JSON string (JSON escapes them character by character)."""
    return escaped_together(json_string, texts)


JSON_ITEMS = JsonItems(",\n  ", "", {})  # the separator before each item (the report's first has none)
JSONL_ITEMS = JsonItems("", "\n", {"type": "result"})
JSON_ITEMS.name, JSONL_ITEMS.name = "JSON_ITEMS", "JSONL_ITEMS"


class JsonReporter(Reporter):
    """Streams `{"results": [...], "summary": {...}, "skipped_reasons": {...}}`."""

    writer = JSON_ITEMS

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        self.first = True
        out.write('{"results": [')

    def add_result(self, result: Result) -> None:
        items = JSON_ITEMS.render(result)
        self.out.write(items[1:] if self.first else items)  # the first item has no comma before it
        self.first = False

    def add_rendered(self, tally: Tally) -> None:
        tally.write_text(self.out, skip=1 if self.first else 0)
        self.first = False

    def finish(self, total: Tally, verdict: RunVerdict) -> None:
        tail: dict[str, object] = {"summary": total.as_dict(), "skipped_reasons": total.skipped_reasons}
        if self.coverage is not None:
            tail["coverage"] = self.coverage
        if self.baseline is not None:
            tail["baseline"] = self.baseline.as_dict()
        tail["exit_code"] = int(verdict.exit_code)
        if verdict.reason:
            tail["reason"] = verdict.reason
            tail["details"] = verdict.details
        # The indented tail without its opening brace continues the object the header opened.
        self.out.write("\n]," + orjson.dumps(tail, option=orjson.OPT_INDENT_2).decode()[1:] + "\n")


class JsonlReporter(JsonReporter):
    """One object a line: `{"type": "result", ...}` per judged or unreadable item as it comes, then
    `{"type": "group", ...}` per findings group and a last `{"type": "summary", ...}`."""

    writer = JSONL_ITEMS

    def __init__(self, out: TextIO) -> None:
        Reporter.__init__(self, out)

    def add_result(self, result: Result) -> None:
        self.out.write(JSONL_ITEMS.render(result))

    def add_rendered(self, tally: Tally) -> None:
        tally.write_text(self.out)
        self.out.flush()  # a unit's lines reach the reader as it is judged (standard input: as it comes)

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
        if self.baseline is not None:
            write(orjson.dumps({"type": "baseline", **self.baseline.as_dict()}).decode() + "\n")
        tail: dict[str, object] = {"type": "summary", **total.as_dict(), "skipped_reasons": total.skipped_reasons}
        tail["exit_code"] = int(verdict.exit_code)
        if verdict.reason:
            tail["reason"] = verdict.reason
            tail["details"] = verdict.details
        write(orjson.dumps(tail).decode() + "\n")
