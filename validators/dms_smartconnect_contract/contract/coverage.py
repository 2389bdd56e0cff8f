"""Coverage of the contract by the judged traffic (`validate --coverage`): which statuses were seen, which response
fields were seen present, absent or null, which values of each enumeration were seen (and which values outside
it), and which conditional branches of the contract ("displayed only when the source type is Kafka") the bodies
took. Counted where bodies are judged, merged like the rest of a tally, rendered by reports/coverage.py."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from . import JsonObject, at_pointer, find_operation, json_pointer, resolve

UNLISTED_KEPT = 5  # values outside an enumeration kept per field, as samples


@dataclass
class Field:
    """A response field: where it is, and the values its enumeration lists (None when it has none)."""

    pointer: tuple[str, ...]
    listed: frozenset[str] | None


@dataclass
class Plan:
    """What there is to cover: the documented statuses and, per status with a JSON body, its fields and branches."""

    statuses: list[str]
    fields: dict[str, list[Field]]  # status -> fields of its body
    branches: dict[str, list[tuple[str, Any]]]  # status -> (label, is_valid of the branch's condition)

    @classmethod
    def of(cls, document: JsonObject) -> Plan:
        import jsonschema_rs

        operation = find_operation(document)
        fields: dict[str, list[Field]] = {}
        branches: dict[str, list[tuple[str, Any]]] = {}
        for status, response in operation.responses.items():
            schema = next((spec for kind, spec in response.media_types.items() if "json" in kind), None)
            if not isinstance(schema, dict):
                continue
            # A bundled schema: its references point into its own $defs.
            fields[status] = list(_fields(schema, schema, ()))
            found: dict[str, Any] = {}
            for member in resolve(schema, schema).get("allOf", []):
                member = resolve(schema, member)
                if isinstance(member, dict) and "if" in member:
                    label = _branch_label(member)
                    if label not in found:
                        condition = {"$defs": schema.get("$defs", {}), "allOf": [member["if"]]}
                        found[label] = jsonschema_rs.validator_for(condition).is_valid
            branches[status] = list(found.items())
        return cls(list(operation.responses), fields, branches)


def _deref(root: JsonObject, node: Any) -> Any:
    """A node with its local `$ref` followed (siblings such as a description aside)."""
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/") and seen < 32:
        node, seen = at_pointer(root, node["$ref"][1:]), seen + 1
    return node


def _fields(document: JsonObject, schema: Any, path: tuple[str, ...]) -> Any:
    node = _deref(document, schema)
    if not isinstance(node, dict):
        return
    for name, sub in node.get("properties", {}).items():
        prop = _deref(document, sub)
        yield Field((*path, name), _listed(document, prop))
        if isinstance(prop, dict) and "properties" in prop:
            yield from _fields(document, prop, (*path, name))


def _listed(document: JsonObject, prop: Any) -> frozenset[str] | None:
    """The values an enumerated field lists: its own `enum`, or those of the alternatives it is one of."""
    if not isinstance(prop, dict):
        return None
    if isinstance(prop.get("enum"), list):
        return frozenset(str(value) for value in prop["enum"])
    values: set[str] = set()
    for member in prop.get("anyOf", []) + prop.get("oneOf", []):
        member = _deref(document, member)
        if isinstance(member, dict) and isinstance(member.get("enum"), list):
            values.update(str(value) for value in member["enum"])
    return frozenset(values) or None


def _branch_label(member: JsonObject) -> str:
    """A branch as people say it: `source_type = KAFKA_REPLICATOR_SOURCE`, `topics absent`, else its description."""
    condition = member["if"]
    parts = []
    if isinstance(condition, dict) and set(condition) <= {"required", "properties"}:
        for name, sub in condition.get("properties", {}).items():
            if sub is False:
                parts.append(f"{name} absent")
            elif isinstance(sub, dict) and set(sub) == {"const"}:
                parts.append(f"{name} = {sub['const']}")
            else:
                parts = []
                break
    return " and ".join(parts) or str(member.get("description", json.dumps(condition)))


@dataclass
class Coverage:
    """Counts of what the judged traffic exercised; merged across units of work."""

    statuses: Counter[str] = field(default_factory=Counter)
    # "status pointer" -> [present, absent, null]: absent only where the object holding the field is present
    fields: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    values: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)  # listed values seen
    unlisted: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)  # values outside the enumeration
    unlisted_counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    branches: Counter[tuple[str, str]] = field(default_factory=Counter)

    def status(self, status: str) -> None:
        self.statuses[status] += 1

    def body(self, plan: Plan, status: str, value: Any) -> None:
        """Count one body of a documented status (its fields, values and branches)."""
        for spec in plan.fields.get(status, ()):
            holder: Any = value
            for name in spec.pointer[:-1]:
                holder = holder.get(name) if type(holder) is dict else None
            if type(holder) is not dict:
                continue
            key = (status, json_pointer(spec.pointer))
            counts = self.fields.get(key)
            if counts is None:
                counts = self.fields[key] = [0, 0, 0]
            name = spec.pointer[-1]
            if name not in holder:
                counts[1] += 1
                continue
            item = holder[name]
            if item is None:
                counts[2] += 1
                continue
            counts[0] += 1
            if spec.listed is not None and type(item) is str:
                if item in spec.listed:
                    self.values.setdefault(key, Counter())[item] += 1
                else:
                    self.unlisted_counts[key] += 1
                    _keep(self.unlisted.setdefault(key, Counter()), item, 1)
        for label, holds in plan.branches.get(status, ()):
            try:
                if holds(value):
                    self.branches[(status, label)] += 1
            except (ValueError, RecursionError):  # too deep to evaluate: not counted
                pass

    def merge(self, other: Coverage) -> None:
        self.statuses.update(other.statuses)
        for key, counts in other.fields.items():
            mine = self.fields.setdefault(key, [0, 0, 0])
            for index, count in enumerate(counts):
                mine[index] += count
        for key, seen in other.values.items():
            self.values.setdefault(key, Counter()).update(seen)
        for key, seen in other.unlisted.items():
            kept = self.unlisted.setdefault(key, Counter())
            for item, count in seen.items():
                _keep(kept, item, count)
        self.unlisted_counts.update(other.unlisted_counts)
        self.branches.update(other.branches)

    def report(self, plan: Plan) -> dict[str, Any]:
        """Everything the contract offers with how often the traffic exercised it (0: never)."""
        statuses = {status: self.statuses.get(status, 0) for status in plan.statuses}
        undocumented = {status: count for status, count in self.statuses.items() if status not in plan.statuses}
        bodies: dict[str, Any] = {}
        for status, specs in plan.fields.items():
            fields, values = {}, {}
            for spec in specs:
                key = (status, json_pointer(spec.pointer))
                present, absent, null = self.fields.get(key, [0, 0, 0])
                fields[key[1]] = {"present": present, "absent": absent, "null": null}
                if spec.listed is not None:
                    seen = self.values.get(key, Counter())
                    entry: dict[str, Any] = {"listed": {value: seen.get(value, 0) for value in sorted(spec.listed)}}
                    if self.unlisted_counts.get(key):
                        entry["unlisted"] = {"count": self.unlisted_counts[key], "samples": dict(self.unlisted[key])}
                    values[key[1]] = entry
            branches = {label: self.branches.get((status, label), 0) for label, _ in plan.branches.get(status, ())}
            bodies[status] = {"fields": fields, "values": values, "branches": branches}
        return {"statuses": statuses, "undocumented_statuses": undocumented, "bodies": bodies}


def _keep(kept: Counter[str], item: str, count: int) -> None:
    """Count a sample value: one already kept, or a new one while there is room."""
    if item in kept or len(kept) < UNLISTED_KEPT:
        kept[item] += count
