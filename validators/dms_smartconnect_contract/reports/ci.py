"""Reports that CI systems read: SARIF 2.1.0 (code scanning, IDEs) and GitHub Actions workflow commands.

- sarif: one run of the tool; a result per finding of every judged exchange (and one per unreadable item), streamed
  as they come; `ruleId` is our rule id, the rules it names are described at the end with help text, and each result
  carries the provenance of the contract rule it breaks (documented, with its sources, or inferred, with its
  evidence). Locations point at the capture: file and line for JSONL, the file and a logical location
  `log/entries/N` for a HAR entry, the file for a body file; the JSON pointer into the body is a property.
- github: an `::error` or `::warning` command per findings group at its first location (GitHub shows only the first
  few annotations of a step), with the count and the other samples in the message; one per unreadable item kept;
  then the summary, as a notice and as a plain line. Escaped as GitHub documents.
"""

from __future__ import annotations

import re
from typing import Any, TextIO

import orjson

from .. import __version__
from ..findings import LIMITS, RULES, UNREADABLE_RULE, Finding, Outcome, Result, Severity, Tally
from ..formats.items import HAR_ENTRY
from ..run.verdict import RunVerdict
from ..sources.files import split_name
from .text import Reporter, ordered_groups, summary_line

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://support.huaweicloud.com/intl/en-us/api-kafka/ShowConnectorTask.html"
_LINE = re.compile(r":(\d+)$")


def help_text(rule: str) -> str:
    """What a rule id means, for people."""
    if rule == UNREADABLE_RULE:
        return "an item of the capture could not be read (malformed, truncated or not an exchange)"
    if rule in RULES:
        return RULES[rule]
    if rule in LIMITS:
        return f"a limit of this toolkit: {LIMITS[rule]}"
    if rule.startswith("schema."):
        return f"a value breaks the contract's `{rule.split('.', 1)[1]}` rule"
    return rule


def split_location(location: str) -> tuple[str, int | None, str | None]:
    """A report location as (file or URL, line, logical location): `f.jsonl:7` -> (f.jsonl, 7, None),
    `f.har#/log/entries/3` -> (f.har, None, log/entries/3), `body.json` -> (body.json, None, None)."""
    if HAR_ENTRY in location:
        path, _, index = location.partition(HAR_ENTRY)
        return path, None, f"log/entries/{index}"
    found = _LINE.search(location)
    if found is not None:
        path = location[: found.start()]
        if split_name(path)[0] in (".jsonl", ".ndjson"):
            return path, int(found.group(1)), None
    return location, None, None


class SarifReporter(Reporter):
    """SARIF 2.1.0, results streamed; the tool's rules and the invocation written at the end."""

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        self.first = True
        self.rules: dict[str, int] = {}  # rule id -> index in the driver's rules
        self.kinds: dict[str, set[str]] = {}  # rule id -> the provenance kinds of the contract rules it was met for
        out.write(f'{{"$schema": "{SARIF_SCHEMA}", "version": "2.1.0", "runs": [{{"results": [')

    def _index(self, rule: str) -> int:
        if rule not in self.rules:
            self.rules[rule] = len(self.rules)
        return self.rules[rule]

    def add_result(self, result: Result) -> None:
        if result.outcome is Outcome.UNREADABLE:
            self._write(result.rule or UNREADABLE_RULE, "error", result.reason or "unreadable", result.location, {})
            return
        for finding in result.findings:
            self.kinds.setdefault(finding.rule, set()).add(finding.provenance.kind)
            self._write(finding.rule, _level(finding), finding.message, result.location, _properties(finding))

    def _write(self, rule: str, level: str, message: str, location: str, properties: dict[str, Any]) -> None:
        path, line, logical = split_location(location)
        physical: dict[str, Any] = {"artifactLocation": {"uri": path}}
        if line is not None:
            physical["region"] = {"startLine": line}
        place: dict[str, Any] = {"physicalLocation": physical}
        if logical is not None:
            place["logicalLocations"] = [{"fullyQualifiedName": logical, "kind": "element"}]
        record: dict[str, Any] = {
            "ruleId": rule,
            "ruleIndex": self._index(rule),
            "level": level,
            "message": {"text": message},
            "locations": [place],
        }
        if properties:
            record["properties"] = properties
        self.out.write(("\n  " if self.first else ",\n  ") + orjson.dumps(record).decode())
        self.first = False

    def finish(self, total: Tally, verdict: RunVerdict) -> None:
        see = "`smartconnect-contract rules` lists every rule of the contract and where it comes from"
        rules = [
            {
                "id": rule,
                "name": rule,
                "shortDescription": {"text": help_text(rule)},
                "help": {"text": f"{help_text(rule)}. {see}."},
                # Where the contract rules it stands for come from: documented by a source, inferred, or a limit of
                # this toolkit; each result says which, with its sources or evidence.
                "properties": {"provenance": sorted(self.kinds.get(rule, {"toolkit"}))},
            }
            for rule in self.rules
        ]
        driver = {
            "name": "smartconnect-contract",
            "version": __version__,
            "informationUri": INFORMATION_URI,
            "rules": rules,
        }
        invocation: dict[str, Any] = {
            "executionSuccessful": int(verdict.exit_code) in (0, 1),
            "exitCode": int(verdict.exit_code),
        }
        if verdict.reason:
            details = " ".join([verdict.reason, *verdict.details])
            invocation["toolExecutionNotifications"] = [{"level": "error", "message": {"text": details}}]
        tail = {
            "tool": {"driver": driver},
            "invocations": [invocation],
            "properties": {"summary": total.as_dict(), "skipped_reasons": total.skipped_reasons},
        }
        self.out.write("\n], " + orjson.dumps(tail).decode()[1:] + "]}\n")


def _level(finding: Finding) -> str:
    return "error" if finding.severity is Severity.ERROR else "warning"


def _properties(finding: Finding) -> dict[str, Any]:
    properties: dict[str, Any] = {"pointer": finding.pointer, "provenance": finding.provenance.as_dict()}
    if finding.drift:
        properties["drift"] = True
    return properties


# --- GitHub Actions ------------------------------------------------------------------------------------------------


def escape_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's toolkit does (escapeData)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (escapeProperty): the message's escapes, and `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubReporter(Reporter):
    """GitHub Actions workflow commands: annotations per findings group, then the summary."""

    detail = False

    def add_result(self, result: Result) -> None:  # pragma: no cover - detail is off: groups are read at the end
        raise AssertionError("the github report lists groups, not items")

    def finish(self, total: Tally, verdict: RunVerdict) -> None:
        write = self.out.write
        for (rule, pointer, severity, basis), group in ordered_groups(total):
            where = pointer or "(exchange)"
            others = group.samples[1:]
            more = group.count - len(group.samples)
            also = ", ".join(others) + (f" and {more} more" if more > 0 else "")
            text = f"{group.first.message} [{basis}]; {group.count} time(s)" + (f", also at {also}" if also else "")
            command = "error" if severity is Severity.ERROR else "warning"
            write(_command(command, group.samples[0], f"{rule} at {where}", text))
        for result in total.unreadable_items:
            write(_command("error", result.location, result.rule or "unreadable", result.reason))
        if total.unreadable > len(total.unreadable_items):
            write(
                f"::error title=unreadable::{total.unreadable - len(total.unreadable_items)} more unreadable item(s)\n"
            )
        line = summary_line(total)
        if verdict.reason:
            write(f"::error title=smartconnect-contract::{escape_data(verdict.reason)}\n")
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
