"""Coverage of the contract by the judged traffic (`validate --coverage`), operation by operation: which statuses were
seen, which response fields were seen present, absent or null (in every item of an array), which values of each
enumeration were seen (and which values outside it), and which conditional branches of the contract ("displayed
only when the source type is Kafka") the bodies took; and of the requests, which parameters they sent, which rules
of a parameter they broke and how each such request was answered, and how requests without credentials were. Counted where bodies are judged, merged like the rest of a
tally, rendered by reports/coverage.py."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .document import JsonObject, resolve, target
from .operations import operations, request_place
from .pointers import json_pointer

UNLISTED_KEPT = 5  # values outside an enumeration kept per field, as samples
EACH = "*"  # a step into every item of an array, in a field's path (`/tasks/*/id`)

Body = tuple[str, str]  # an operation and one of its statuses: whose body a field or branch is of


@dataclass
class Field:
    """A response field: where it is, and the values its enumeration lists (None when it has none)."""

    pointer: tuple[str, ...]
    listed: frozenset[str] | None


@dataclass
class Branch:
    """A conditional rule of a body: what people call it, where the objects it reads are, and whether one takes it."""

    label: str
    path: tuple[str, ...]  # the path of the objects it applies to (EACH for every item of an array)
    holds: Any


@dataclass
class Plan:
    """What there is to cover: each operation's documented statuses and, per status with a JSON body, its fields
    and branches."""

    statuses: dict[str, list[str]]  # operation -> documented statuses
    fields: dict[Body, list[Field]]
    branches: dict[Body, list[Branch]]
    # operation -> the places of its parameters (`$request.path.instance_id`, `$request.query.limit`)
    parameters: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, document: JsonObject) -> Plan:
        statuses: dict[str, list[str]] = {}
        fields: dict[Body, list[Field]] = {}
        branches: dict[Body, list[Branch]] = {}
        parameters: dict[str, list[str]] = {}
        for operation in operations(document):
            statuses[operation.operation_id] = list(operation.responses)
            parameters[operation.operation_id] = [request_place("path", name) for name in operation.path_names] + [
                request_place("query", name) for name in operation.query
            ]
            for status, response in operation.responses.items():
                schema = next((spec for kind, spec in response.media_types.items() if "json" in kind), None)
                if not isinstance(schema, dict):
                    continue
                # A bundled schema: its references point into its own $defs.
                body = (operation.operation_id, status)
                fields[body] = list(_fields(schema, schema, ()))
                branches[body] = list(_branches(schema, schema, (), {}).values())
        return cls(statuses, fields, branches, parameters)


def _fields(root: JsonObject, schema: Any, path: tuple[str, ...]) -> Any:
    node = target(root, schema)
    if not isinstance(node, dict):
        return
    for name, sub in node.get("properties", {}).items():
        prop = target(root, sub)
        yield Field((*path, name), _listed(root, prop))
        if isinstance(prop, dict) and "properties" in prop:
            yield from _fields(root, prop, (*path, name))
        items = target(root, prop.get("items")) if isinstance(prop, dict) else None
        if isinstance(items, dict) and "properties" in items:
            yield from _fields(root, items, (*path, name, EACH))


def _branches(root: JsonObject, schema: Any, path: tuple[str, ...], found: dict[str, Branch]) -> dict[str, Branch]:
    """The conditional rules of the objects of a body, wherever they are (the body itself, a field, the items of an
    array), each once, by label."""
    import jsonschema_rs

    node = resolve(root, schema)
    if not isinstance(node, dict):
        return found
    for member in node.get("allOf", []):
        member = resolve(root, member)
        if isinstance(member, dict) and "if" in member:
            label = _branch_label(member)
            if path:
                label = f"{json_pointer(path)}: {label}"
            if label not in found:
                condition = {"$defs": root.get("$defs", {}), "allOf": [member["if"]]}
                found[label] = Branch(label, path, jsonschema_rs.validator_for(condition).is_valid)
    for name, sub in node.get("properties", {}).items():
        prop = target(root, sub)
        if isinstance(prop, dict) and isinstance(prop.get("items"), dict):
            _branches(root, prop["items"], (*path, name, EACH), found)
        elif isinstance(prop, dict) and ("allOf" in prop or "properties" in prop):
            _branches(root, prop, (*path, name), found)
    return found


def _holders(value: Any, path: tuple[str, ...]) -> list[Any]:
    """The values at a path of a body: one, or one per item where the path steps into an array."""
    found = [value]
    for step in path:
        if step == EACH:
            found = [item for holder in found if type(holder) is list for item in holder]
        else:
            found = [holder[step] for holder in found if type(holder) is dict and step in holder]
    return found


def _listed(root: JsonObject, prop: Any) -> frozenset[str] | None:
    """The values an enumerated field lists: its own `enum`, or those of the alternatives it is one of."""
    if not isinstance(prop, dict):
        return None
    if isinstance(prop.get("enum"), list):
        return frozenset(str(value) for value in prop["enum"])
    values: set[str] = set()
    for member in prop.get("anyOf", []) + prop.get("oneOf", []):
        member = target(root, member)
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


Place = tuple[str, str, str]  # operation, status, and a field's pointer or a branch's label


@dataclass
class Coverage:
    """Counts of what the judged traffic exercised; merged across units of work."""

    statuses: Counter[tuple[str, str]] = field(default_factory=Counter)  # (operation, status)
    # [present, absent, null]: absent only where the object holding the field is present
    fields: dict[Place, list[int]] = field(default_factory=dict)
    values: dict[Place, Counter[str]] = field(default_factory=dict)  # listed values seen
    unlisted: dict[Place, Counter[str]] = field(default_factory=dict)  # values outside the enumeration
    unlisted_counts: Counter[Place] = field(default_factory=Counter)
    branches: Counter[Place] = field(default_factory=Counter)
    # (operation, a parameter's place, what became of it): `valid`, or a broken rule's request `accepted` (2xx),
    # `rejected` (a documented 4xx: the contract working) or answered `otherwise`
    parameters: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    # (operation, `accepted` | `rejected` | `otherwise`): requests recorded without any credential, by their answer
    uncredentialed: Counter[tuple[str, str]] = field(default_factory=Counter)

    def request(self, operation: str, sent: Any, broken: list[str], answer: str, without: bool) -> None:
        """Count one request: each parameter it sent, valid or broken (by how it was answered), and whether it came
        without credentials."""
        for place in sent:
            self.parameters[(operation, place, answer if place in broken else "valid")] += 1
        if without:
            self.uncredentialed[(operation, answer)] += 1

    def status(self, operation: str, status: str) -> None:
        self.statuses[(operation, status)] += 1

    def body(self, plan: Plan, operation: str, status: str, value: Any) -> None:
        """Count one body of a documented status of an operation (its fields, values and branches)."""
        for spec in plan.fields.get((operation, status), ()):
            holders = _holders(value, spec.pointer[:-1])
            if not holders:
                continue
            key = (operation, status, json_pointer(spec.pointer))
            counts = self.fields.get(key)
            if counts is None:
                counts = self.fields[key] = [0, 0, 0]
            name = spec.pointer[-1]
            for holder in holders:
                if type(holder) is not dict:
                    continue
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
        for branch in plan.branches.get((operation, status), ()):
            try:
                taken = sum(1 for holder in _holders(value, branch.path) if branch.holds(holder))
            except (ValueError, RecursionError):  # too deep to evaluate: not counted
                continue
            if taken:
                self.branches[(operation, status, branch.label)] += taken

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
        self.parameters.update(other.parameters)
        self.uncredentialed.update(other.uncredentialed)

    def report(self, plan: Plan) -> dict[str, Any]:
        """Everything the contract offers, operation by operation, with how often the traffic exercised it (0:
        never)."""
        return {"operations": {operation: self._operation(plan, operation) for operation in plan.statuses}}

    def _operation(self, plan: Plan, operation: str) -> dict[str, Any]:
        documented = plan.statuses[operation]
        seen = {status: count for (name, status), count in self.statuses.items() if name == operation}
        statuses = {status: seen.get(status, 0) for status in documented}
        undocumented = {status: count for status, count in seen.items() if status not in documented}
        bodies: dict[str, Any] = {}
        for (name, status), specs in plan.fields.items():
            if name != operation:
                continue
            fields, values = {}, {}
            for spec in specs:
                key = (operation, status, json_pointer(spec.pointer))
                present, absent, null = self.fields.get(key, [0, 0, 0])
                fields[key[2]] = {"present": present, "absent": absent, "null": null}
                if spec.listed is not None:
                    counted = self.values.get(key, Counter())
                    entry: dict[str, Any] = {"listed": {value: counted.get(value, 0) for value in sorted(spec.listed)}}
                    if self.unlisted_counts.get(key):
                        entry["unlisted"] = {"count": self.unlisted_counts[key], "samples": dict(self.unlisted[key])}
                    values[key[2]] = entry
            branches = {
                branch.label: self.branches.get((operation, status, branch.label), 0)
                for branch in plan.branches.get((operation, status), ())
            }
            bodies[status] = {"fields": fields, "values": values, "branches": branches}
        answers = ("valid", "accepted", "rejected", "otherwise")
        requests = {
            place: {answer: self.parameters.get((operation, place, answer), 0) for answer in answers}
            for place in plan.parameters.get(operation, [])
        }
        without = {answer: self.uncredentialed.get((operation, answer), 0) for answer in answers[1:]}
        return {"statuses": statuses, "undocumented_statuses": undocumented, "bodies": bodies,
                "parameters": requests, "without_credentials": without}  # fmt: skip


def _keep(kept: Counter[str], item: str, count: int) -> None:
    """Count a sample value: one already kept, or a new one while there is room."""
    if item in kept or len(kept) < UNLISTED_KEPT:
        kept[item] += count
