"""Drift without a validation pass: the fields and enumeration values the closed reading adds to the open one.

The strict reading closes the contract: `additionalProperties: false` on every documented object, and enumerations
without their `UnlistedValue` alternative. What only that closing rejects is drift. A drift storm (every line carries a
new field) would otherwise cost a second validation, and its errors carry the whole object back from the engine;
this walk reads the same closed schema once, at start-up, into a tree of objects and enumerations, and follows a body
down it. It reports exactly what the closed schema's errors would explain (same rule, pointer, message, provenance);
the tests hold the two equal. Schemas it does not model (arrays, open alternatives, rules that refer to components)
give no walk, and the checker then takes its full path.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..contract import JsonObject, escape, json_pointer, lookup, provenance, unescape
from ..contract.provenance import RULE_BODIES, Provenance
from ..contract.walk import walk
from .explain import UNSTATED, Stub, undocumented_message, unlisted_around, unlisted_message
from .probe import Mend

# Keywords a node may hold for the walk to model it; anything else that applies to nested values makes it give up.
_ANNOTATIONS = frozenset({"description", "title", "examples", "example", "$comment", "format", "$schema", "$id"})
_SCALAR_RULES = frozenset(
    {"type", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "const",
     "multipleOf", "required", "minProperties", "maxProperties"}
)  # fmt: skip


class Unmodelled(Exception):
    """The schema uses a construct the walk does not follow."""


@dataclass
class _Node:
    """What the closed reading says of one place of a body: its documented fields, or its listed values."""

    fields: dict[str, _Node] = field(default_factory=dict)
    closed: Provenance | None = None  # set when undocumented fields are drift here
    listed: list[str] | None = None
    listed_provenance: Provenance = UNSTATED


@dataclass
class _Place:
    """An object the walk looks at: its path, its documented fields when it is closed, and its enumerated fields."""

    path: tuple[str, ...]
    documented: frozenset[str] | None  # None: open, undocumented fields are no drift here
    closed: Provenance
    listed: list[tuple[str, frozenset[str], list[str], Provenance]]
    pointer: str  # the place's JSON pointer, ending in "/"


class DriftWalker:
    """Follows a body down the closed schema and explains its drift.

    The tree is flattened at start-up into the objects it holds, each with its path, its documented fields and its
    enumerated fields, so that a body costs a few dictionary lookups and a set test per object, with no recursion.
    Messages are made apart (message()), only for the findings a report keeps."""

    def __init__(self, root: _Node) -> None:
        if root.listed is not None:
            raise Unmodelled("an enumerated body")
        self.places: list[_Place] = []
        self._enumerated: dict[str, list[str]] = {}  # the pointer of each enumerated field: its listed values
        self._flatten(root, ())

    def _flatten(self, node: _Node, path: tuple[str, ...]) -> None:
        documented = frozenset(node.fields) if node.closed is not None else None
        listed = [
            (key, frozenset(child.listed), child.listed, child.listed_provenance)
            for key, child in node.fields.items()
            if child.listed is not None
        ]
        if documented is not None or listed:
            self.places.append(_Place(path, documented, node.closed or UNSTATED, listed, json_pointer(path) + "/"))
        for key, _, values, _ in listed:
            self._enumerated[json_pointer((*path, key))] = values
        for key, child in node.fields.items():
            if child.listed is None:
                self._flatten(child, (*path, key))

    @classmethod
    def build(cls, closed: JsonObject) -> DriftWalker | None:
        """The walk of a bundled schema in its strict (closed) reading; None when it uses a construct not modelled."""
        try:
            _check_rule_bodies(closed)
            return cls(_node(closed, closed, frozenset()))
        except Unmodelled:
            return None

    def _objects(self, body: Any) -> Iterator[tuple[_Place, dict[str, Any]]]:
        """Each place the walk looks at, with the object the body holds there (places it holds none are passed)."""
        for place in self.places:
            value = body
            for key in place.path:
                value = value.get(key) if type(value) is dict else None
            if type(value) is dict:
                yield place, value

    def drift(self, body: Any) -> list[Stub]:
        """The drift of a body, as the closed schema's errors would explain it but for the messages (message() makes
        one): a body with countless new fields costs one string and one tuple for each."""
        found: list[Stub] = []
        for place, value in self._objects(body):
            documented, prefix = place.documented, place.pointer
            if documented is not None and not documented.issuperset(value):
                origin = place.closed
                found += [
                    ("undocumented-field", prefix + _token(key), origin) for key in value if key not in documented
                ]
            for key, allowed, _, origin in place.listed:
                if key in value:
                    item = value[key]
                    if not (type(item) is str and item in allowed):
                        found.append(("schema.enum", prefix + _token(key), origin))
        return found

    def mends(self, body: Any) -> list[Mend]:
        """How a probe would mend each finding of drift(), in the same order: drop the field, or list the value;
        ("same", ...) for a value of another type, which the type error at the same place accounts for."""
        found: list[Mend] = []
        for place, value in self._objects(body):
            documented, path = place.documented, place.path
            if documented is not None and not documented.issuperset(value):
                found += [("drop", path, key) for key in value if key not in documented]
            for key, allowed, listed, _ in place.listed:
                if key in value:
                    item = value[key]
                    if not (type(item) is str and item in allowed):
                        found.append(
                            ("listed", path, key, allowed, listed[0]) if type(item) is str else ("same", path, key)
                        )
        return found

    def unlisted_around(self, pointer: str) -> tuple[str, str]:
        """What stands around the preview of the unlisted value at `pointer` in its message."""
        return unlisted_around(self._enumerated[pointer])

    def message(self, rule: str, pointer: str, body: Any) -> str:
        """The message of a finding drift() gave for `body`."""
        parts = [unescape(part) for part in pointer.split("/")[1:]]
        if rule == "undocumented-field":
            return undocumented_message(parts[-1])
        value = body
        for part in parts:
            value = value[part]
        return unlisted_message(value, parts[-1], self._enumerated[pointer])


def _token(key: str) -> str:
    """A field name as a JSON pointer's token (most need no escaping)."""
    return escape(key) if "~" in key or "/" in key else key


def _check_rule_bodies(schema: Any) -> None:
    """A rule's body (`if`, `then`, `else`, `not`) stays open in the closed reading; one that refers to a component
    could reach a closed object the walk would miss."""
    for visit in walk(schema, skip=frozenset({"$defs"})):
        if "$ref" in visit.node and visit.under(RULE_BODIES):
            raise Unmodelled("a rule refers to a component")


def _node(schema: Any, root: JsonObject, seen: frozenset[str]) -> _Node:
    """The walk's node for a schema: its `$ref` followed, its single-member `allOf`s (closed enumerations) merged,
    its conditional rules left to the validator."""
    node = _Node()
    if not isinstance(schema, dict):
        return node
    for key, value in schema.items():
        if key.startswith("x-") or key in _ANNOTATIONS or key in _SCALAR_RULES or key in RULE_BODIES:
            continue
        if key == "$ref":
            if value in seen:
                raise Unmodelled(f"a recursive reference {value}")
            _merge(node, _node(lookup(root, value), root, seen | {value}))
        elif key == "allOf":
            for member in value:
                if isinstance(member, dict) and "if" in member:
                    continue  # a conditional rule: its body is open
                _merge(node, _node(member, root, seen))
        elif key == "properties":
            for name, sub in value.items():
                node.fields[name] = _node(sub, root, seen)
        elif key == "additionalProperties":
            if value is not False:
                raise Unmodelled("additionalProperties other than false")
            node.closed = provenance.of(schema, "properties") or UNSTATED
        elif key == "enum":
            if not all(isinstance(member, str) for member in value):
                raise Unmodelled("an enumeration of other than strings")
            node.listed, node.listed_provenance = list(value), provenance.of(schema, "enum") or UNSTATED
        elif key == "$defs":
            continue
        else:
            raise Unmodelled(f"keyword {key}")
    return node


def _merge(into: _Node, other: _Node) -> None:
    if other.listed is not None:
        if into.listed is not None or into.fields:
            raise Unmodelled("an enumeration beside other rules")
        into.listed, into.listed_provenance = other.listed, other.listed_provenance
    for name, child in other.fields.items():
        if name in into.fields:
            raise Unmodelled(f"field {name} described twice")
        into.fields[name] = child
    into.closed = into.closed or other.closed
