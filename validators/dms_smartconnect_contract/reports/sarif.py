"""SARIF 2.1.0, for code scanning and IDEs: one run of the tool, a result per findings group (one rule at one
pointer of one operation), never one per item, within what GitHub code scanning accepts.

- A result has up to 1,000 locations in the capture (GitHub keeps 1,000 and shows 100): the first location in each
  input file first, then the rest in capture order. Its properties say how many times the group was met, and how many
  locations were left out.
- A result also points into the contract: a related location at the line and column of the keyword that states the
  broken rule, read from the contract file itself.
- A run has at most 25,000 results (GitHub rejects more): past that, the least weighty groups are folded into one
  result of the rule `report.folded`, and the run's properties say how many groups and findings it holds. The JSON
  and JSONL reports stay complete.
- Locations in the capture are file and line for JSONL, the file and a logical location `log/entries/N` for a HAR
  entry, the file for a body file. A file under the working folder is named relative to `%SRCROOT%` (the repository,
  in CI), any other as a `file://` URI; a URL as it was given.

`ruleId` is our rule id; the rules it names are described in the driver, and each result carries the provenance of the
contract rule it breaks (documented, with its sources, or inferred, with its evidence).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

import orjson

from .. import __version__
from ..contract.document import ContractError, Position, read_positions
from ..findings import (
    LIMITS,
    RULES,
    UNREADABLE_RULE,
    UNRECOGNISED_RULE,
    Group,
    GroupKey,
    RunVerdict,
    Severity,
    Tally,
)
from .base import Reporter, baselined_groups, ordered_groups, split_location

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
MAX_RESULTS = 25_000  # results per run GitHub code scanning accepts
MAX_LOCATIONS = 1_000  # locations per result it accepts (it shows the first 100)
FOLDED_RULE = "report.folded"
SOURCE_ROOT = "%SRCROOT%"


def help_text(rule: str) -> str:
    """What a rule id means, for people."""
    if rule == UNREADABLE_RULE:
        return "an item of the capture could not be read (malformed, truncated or not an exchange)"
    if rule == UNRECOGNISED_RULE:
        return "an object taken for a body has none of the fields the operation's responses document"
    if rule == FOLDED_RULE:
        return f"findings groups past the {MAX_RESULTS:,} results a SARIF run may hold, counted in one result"
    if rule in RULES:
        return RULES[rule]
    if rule in LIMITS:
        return f"a limit of this toolkit: {LIMITS[rule]}"
    if rule.startswith("schema."):
        return f"a value breaks the contract's `{rule.split('.', 1)[1]}` rule"
    return rule


def rule_name(rule: str) -> str:
    """A rule's name for people, distinct from its id: `schema.type` -> `SchemaType`."""
    return "".join(part[:1].upper() + part[1:] for part in rule.replace("-", ".").split("."))


def artifact(path: str, root: Path) -> dict[str, str]:
    """An artifact location code scanning can map: relative to `%SRCROOT%` under the working folder, else a file
    URI; a URL as it is."""
    if "://" in path:
        return {"uri": path}
    target = Path(os.path.abspath(path))
    try:
        return {"uri": quote(target.relative_to(root).as_posix()), "uriBaseId": SOURCE_ROOT}
    except ValueError:
        return {"uri": target.as_uri()}


class SarifReporter(Reporter):
    """SARIF 2.1.0, written at the end: a result per findings group, from the run's total."""

    detail = False
    samples = MAX_LOCATIONS

    def __init__(self, out: TextIO, contract: Path | None = None) -> None:
        super().__init__(out)
        self.contract = contract
        self.root = Path.cwd()

    def add_result(self, result: Any) -> None:  # pragma: no cover - detail is off: groups are read at the end
        raise AssertionError("the SARIF report lists groups, not items")

    def finish(self, total: Tally, verdict: RunVerdict) -> None:
        rules: dict[str, dict[str, Any]] = {}
        positions, contract_file = self._contract_positions()

        def index(rule: str, kind: str) -> int:
            if rule not in rules:
                rules[rule] = {"index": len(rules), "kinds": set()}
            rules[rule]["kinds"].add(kind)
            return int(rules[rule]["index"])

        results: list[dict[str, Any]] = []
        unreadable = self._unreadable(total, index)
        groups = ordered_groups(total)
        room = MAX_RESULTS - len(unreadable)
        kept, folded = (groups, []) if len(groups) <= room else (groups[: room - 1], groups[room - 1 :])
        known = baselined_groups(self.baseline)
        expired = {key for key, _ in (self.baseline.expired if self.baseline else [])}
        for key, group in kept:
            result = self._group_result(key, group, index, positions, contract_file)
            if self.baseline is not None:
                # Code scanning reads a suppression as accepted: a baselined group is shown, not raised.
                result["baselineState"] = "unchanged" if key in known or key in expired else "new"
                if key in known:
                    result["suppressions"] = [
                        {
                            "kind": "external",
                            "status": "accepted",
                            "justification": f"{known[key].reason} (until {known[key].expires})",
                        }
                    ]
            results.append(result)
        results += unreadable
        properties: dict[str, Any] = {"summary": total.as_dict(), "skipped_reasons": total.skipped_reasons}
        notifications: list[dict[str, Any]] = []
        if folded:
            count = sum(group.count for _, group in folded)
            text = (f"{len(folded):,} more findings group(s), {count:,} finding(s), folded into one result: a SARIF "
                    f"run holds at most {MAX_RESULTS:,}; the JSON and JSONL reports list them all")  # fmt: skip
            properties["folded"] = {"groups": len(folded), "findings": count}
            results.append(self._folded_result(text, folded, index))
            notifications.append({"level": "warning", "message": {"text": text}})
        if self.coverage is not None:
            properties["coverage"] = self.coverage
        if self.baseline is not None:
            properties["baseline"] = self.baseline.as_dict()
        invocation: dict[str, Any] = {
            "executionSuccessful": int(verdict.exit_code) in (0, 1),
            "exitCode": int(verdict.exit_code),
        }
        if verdict.reason:
            details = " ".join([verdict.reason, *verdict.details])
            notifications.insert(0, {"level": "error", "message": {"text": details}})
        if notifications:
            invocation["toolExecutionNotifications"] = notifications
        run: dict[str, Any] = {
            "tool": {"driver": self._driver(rules)},
            "originalUriBaseIds": {SOURCE_ROOT: {"uri": self.root.as_uri().rstrip("/") + "/"}},
            "invocations": [invocation],
            "results": results,
            "properties": properties,
        }
        document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
        self.out.write(orjson.dumps(document).decode() + "\n")

    def _contract_positions(self) -> tuple[dict[str, Position], dict[str, str] | None]:
        """The line and column of every node of the contract file, and its artifact location; none when the file
        cannot be read again (its rules were read, so this only loses the related locations)."""
        if self.contract is None:
            from ..contract.document import packaged_contract_path

            try:
                self.contract = packaged_contract_path()
            except ContractError:
                return {}, None
        try:
            return read_positions(self.contract), artifact(str(self.contract), self.root)
        except ContractError:
            return {}, None

    def _group_result(self, key: GroupKey, group: Group, index: Any, positions: dict[str, Position],
                      contract_file: dict[str, str] | None) -> dict[str, Any]:  # fmt: skip
        rule, pointer, severity, basis, operation = key
        first = group.first
        locations = [self._location(location) for location in _telling(group.samples)]
        message = f"{first.message} [{basis}]; {group.count:,} time(s)" + (f" in {operation}" if operation else "")
        properties: dict[str, Any] = {
            "pointer": pointer,
            "provenance": first.provenance.as_dict(),
            "count": group.count,
        }
        if operation:
            properties["operation"] = operation
        if first.drift:
            properties["drift"] = True
        if group.count > len(locations):
            properties["locations_left_out"] = group.count - len(locations)
        result: dict[str, Any] = {
            "ruleId": rule,
            "ruleIndex": index(rule, first.provenance.kind),
            "level": "error" if severity is Severity.ERROR else "warning",
            "message": {"text": message},
            "locations": locations,
            "properties": properties,
        }
        place = positions.get(first.provenance.at) if first.provenance.at else None
        if place is not None and contract_file is not None:
            region = {"startLine": place[0], "startColumn": place[1]}
            result["relatedLocations"] = [{
                "id": 1,
                "physicalLocation": {"artifactLocation": contract_file, "region": region},
                "message": {"text": f"the rule in the contract ({first.provenance.at})"},
            }]  # fmt: skip
        return result

    def _unreadable(self, total: Tally, index: Any) -> list[dict[str, Any]]:
        """A result per rule of the unreadable items kept (the first ten), and how many there were in all."""
        by_rule: dict[str, list[Any]] = {}
        for item in total.unreadable_items:
            by_rule.setdefault(item.rule or UNREADABLE_RULE, []).append(item)
        results = []
        for rule, items in by_rule.items():
            others = total.unreadable - len(total.unreadable_items)
            text = items[0].reason or "unreadable"
            if len(by_rule) == 1 and others > 0:
                text += f"; {total.unreadable:,} unreadable item(s) in all"
            results.append({
                "ruleId": rule,
                "ruleIndex": index(rule, "toolkit"),
                "level": "error",
                "message": {"text": text},
                "locations": [self._location(item.location) for item in items],
                "properties": {"count": len(items), "reasons": [item.reason for item in items]},
            })  # fmt: skip
        return results

    def _folded_result(self, text: str, folded: list[tuple[GroupKey, Group]], index: Any) -> dict[str, Any]:
        samples = [group.samples[0] for _, group in folded if group.samples][:MAX_LOCATIONS]
        errors = any(key[2] is Severity.ERROR for key, _ in folded)
        return {
            "ruleId": FOLDED_RULE,
            "ruleIndex": index(FOLDED_RULE, "toolkit"),
            "level": "error" if errors else "warning",
            "message": {"text": text},
            "locations": [self._location(location) for location in samples],
            "properties": {"groups": len(folded), "count": sum(group.count for _, group in folded)},
        }

    def _location(self, location: str) -> dict[str, Any]:
        path, line, logical = split_location(location)
        # A HAR entry has no line of its own here: the region is the file's start, and the entry its logical place.
        physical: dict[str, Any] = {"artifactLocation": artifact(path, self.root), "region": {"startLine": line or 1}}
        place: dict[str, Any] = {"physicalLocation": physical}
        if logical is not None:
            place["logicalLocations"] = [{"fullyQualifiedName": logical, "kind": "element"}]
        return place

    def _driver(self, rules: dict[str, dict[str, Any]]) -> dict[str, Any]:
        see = "`smartconnect-contract rules` lists every rule of the contract and where it comes from"
        described = []
        for rule, known in rules.items():
            text = help_text(rule)
            kinds = sorted(known["kinds"])
            described.append({
                "id": rule,
                "name": rule_name(rule),
                "shortDescription": {"text": text},
                "fullDescription": {"text": f"{text[:1].upper()}{text[1:]}. Where the rules it stands for come "
                                            f"from: {', '.join(kinds)}; each result says which, with its sources or "
                                            "evidence."},
                "help": {"text": f"{text}. {see}."},
                "properties": {"provenance": kinds},
            })  # fmt: skip
        return {"name": "smartconnect-contract", "version": __version__, "semanticVersion": __version__,
                "rules": described}  # fmt: skip


def _telling(samples: list[str]) -> list[str]:
    """The locations in the order a reader learns most from: the first in each input file, then the rest in
    capture order."""
    firsts: dict[str, int] = {}
    for position, location in enumerate(samples):
        firsts.setdefault(split_location(location)[0], position)
    leading = sorted(firsts.values())
    chosen = set(leading)
    return [samples[position] for position in leading] + [s for p, s in enumerate(samples) if p not in chosen]
