"""The rules of the contract and where each comes from, for people: `smartconnect-contract rules` and the README.

Inferred rules are listed one by one with their evidence; documented rules are grouped by schema and keyword,
with their sources.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..contract import JsonObject, at_pointer, operations, resolve
from ..contract.provenance import Constraint, Provenance, iter_constraints
from ..contract.readings import enforced_by

_PLACES = (
    ("/components/schemas/", ""),
    ("/components/parameters/", "parameter "),
    ("/components/headers/", "response header "),
)


@dataclass(frozen=True)
class Rule:
    """One rule as a person reads it: where, what, and its provenance."""

    where: str
    keyword: str
    what: str
    provenance: Provenance
    readings: tuple[str, ...]  # the readings that assert it (see contract.readings.enforced_by)

    def as_dict(self) -> dict[str, Any]:
        return {"where": self.where, "keyword": self.keyword, "what": self.what, **self.provenance.as_dict(),
                "readings": list(self.readings)}  # fmt: skip

    @property
    def asserted(self) -> str:
        """Which readings assert it, for people."""
        return f"asserted by: {', '.join(self.readings)}" if self.readings else "asserted by no reading (an annotation)"


def _where(document: JsonObject, constraint: Constraint) -> tuple[str, str]:
    """A readable place (`SmartConnectTaskEntity.create_time`, `operation ShowConnectorTask`) and the field it
    names, if any."""
    pointer = constraint.pointer
    if pointer.startswith("/paths/"):
        for operation in operations(document):
            if pointer == operation.pointer or pointer.startswith(operation.pointer + "/"):
                return f"operation {operation.operation_id}", ""
        return "the operation", ""
    for prefix, label in _PLACES:
        if pointer.startswith(prefix):
            parts = pointer[len(prefix) :].split("/")
            name, rest = parts[0], parts[1:]
            if prefix == "/components/parameters/":
                parameter = resolve(document, {"$ref": f"#/components/parameters/{name}"})
                name, label = parameter["name"], f"{parameter.get('in', 'path')} {label}"
            if rest[:1] == ["properties"] and len(rest) == 2:
                return f"{label}{name}", rest[1]
            return f"{label}{name}", ""
    return pointer, ""


def _what(document: JsonObject, constraint: Constraint, node: Any) -> str:
    keyword, value = constraint.keyword, constraint.value
    if keyword == "if":
        return str(node.get("description", "a conditional rule")).rstrip(".")
    if keyword == "properties":
        return "the documented fields; any other is drift"
    if keyword == "required" and isinstance(value, list):
        return "required: " + ", ".join(value)
    if keyword == "required":
        return "present on every response"
    if keyword == "responses":
        return "statuses " + ", ".join(value)
    if keyword == "content":
        return "JSON bodies (application/json)"
    if keyword == "security":
        return "requests carry a credential: " + " or ".join(value)
    if keyword == "enum":
        return "one of " + ", ".join(map(str, value))
    if keyword == "type":
        return " or ".join(value) if isinstance(value, list) else str(value)
    return f"{keyword} {value}"


def collect(document: JsonObject) -> list[Rule]:
    """Every rule of the contract, in document order."""
    rules = []
    for constraint in iter_constraints(document):
        provenance = constraint.provenance or Provenance("documented")
        node = _node(document, constraint.pointer)
        place, field = _where(document, constraint)
        where = f"{place}.{field}" if field else place
        readings = enforced_by(document, constraint)
        rules.append(Rule(where, constraint.keyword, _what(document, constraint, node), provenance, readings))
    return rules


def _node(document: JsonObject, pointer: str) -> Any:
    return at_pointer(document, pointer)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(document: JsonObject) -> str:
    """The rules as two Markdown tables: inferred rules one by one, documented rules grouped."""
    rules = collect(document)
    inferred = [rule for rule in rules if rule.provenance.kind == "inferred"]
    documented = [rule for rule in rules if rule.provenance.kind != "inferred"]
    lines = [
        f"{len(rules)} rules: {len(documented)} documented, {len(inferred)} inferred.",
        "",
        "**Inferred** (a warning by default, an error with `--strict`):",
        "",
        "| where | rule | evidence |",
        "|---|---|---|",
    ]
    lines += [f"| `{rule.where}` | {_cell(rule.what)} | {_cell(rule.provenance.evidence)} |" for rule in inferred]
    lines += ["", "**Documented** (an error):", "", "| where | rule | sources |", "|---|---|---|"]
    for where, what, sources in _grouped(documented):
        lines.append(f"| `{where}` | {_cell(what)} | {sources} |")
    return "\n".join(lines) + "\n"


def _grouped(rules: list[Rule]) -> Iterator[tuple[str, str, str]]:
    """Documented rules of fields of one schema, with one keyword and the same sources, in one row (the types of a
    dozen fields read at a glance); rules of a schema itself stay one a row."""
    groups: dict[tuple[str, str, str], list[Rule]] = {}
    for rule in rules:
        key = (rule.where.split(".", 1)[0] if "." in rule.where else rule.where + "#" + str(id(rule)), rule.keyword)
        groups.setdefault((*key, ", ".join(rule.provenance.sources)), []).append(rule)
    for (place, _, sources), members in groups.items():
        if len(members) == 1:
            yield members[0].where, members[0].what, sources
            continue
        by_what: dict[str, list[str]] = {}
        for rule in members:
            by_what.setdefault(rule.what, []).append(rule.where.split(".", 1)[1])
        yield f"{place}.*", "; ".join(f"{what}: {', '.join(fields)}" for what, fields in by_what.items()), sources


def text(document: JsonObject) -> str:
    """The rules one a line: provenance, place, rule (and the evidence of inferred ones)."""
    out = []
    for rule in collect(document):
        out.append(f"{rule.provenance.label:<40} {rule.where}: {rule.what} [{rule.asserted}]")
        if rule.provenance.evidence:
            out.append(f"{'':<40}   {rule.provenance.evidence}")
    return "\n".join(out) + "\n"


def as_json(document: JsonObject) -> str:
    return json.dumps([rule.as_dict() for rule in collect(document)], indent=2) + "\n"
