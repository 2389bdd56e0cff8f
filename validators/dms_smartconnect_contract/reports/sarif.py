"""SARIF 2.1.0, for code scanning and IDEs: one run of the tool, a result per finding of every judged exchange (and
one per unreadable item), streamed as they come.

`ruleId` is our rule id; the rules it names are described at the end with help text, and each result carries the
provenance of the contract rule it breaks (documented, with its sources, or inferred, with its evidence). Locations
point at the capture: file and line for JSONL, the file and a logical location `log/entries/N` for a HAR entry, the
file for a body file; the JSON pointer into the body is a property.
"""

from __future__ import annotations

from typing import Any, TextIO

import orjson

from .. import __version__
from ..findings import (
    LIMITS,
    RULES,
    UNREADABLE_RULE,
    UNRECOGNISED_RULE,
    Finding,
    Outcome,
    Result,
    RunVerdict,
    Severity,
    Tally,
)
from .base import Reporter, split_location

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def help_text(rule: str) -> str:
    """What a rule id means, for people."""
    if rule == UNREADABLE_RULE:
        return "an item of the capture could not be read (malformed, truncated or not an exchange)"
    if rule == UNRECOGNISED_RULE:
        return "an object taken for a body has none of the fields the operation's responses document"
    if rule in RULES:
        return RULES[rule]
    if rule in LIMITS:
        return f"a limit of this toolkit: {LIMITS[rule]}"
    if rule.startswith("schema."):
        return f"a value breaks the contract's `{rule.split('.', 1)[1]}` rule"
    return rule


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
    if finding.operation:
        properties["operation"] = finding.operation
    if finding.drift:
        properties["drift"] = True
    return properties
