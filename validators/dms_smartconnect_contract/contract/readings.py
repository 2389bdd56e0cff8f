"""The readings of the contract, each derived from the document in code (see the document's description).

- default: the documented rules only, open to new fields and enumeration values (`default_reading`);
- strict: every rule, closed: no undocumented field, no unlisted enumeration value (`strict_reading`);
- tolerant: JSON types only, open, for the generated models (`tolerant_document`).

`flatten_schema` gives any reading in fewer validation steps, for quick yes/no checks.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from . import provenance
from .document import UNLISTED_VALUE, ContractError, JsonObject, lookup
from .formats import ASSERTED
from .walk import rebuild, walk

_UNLISTED_REF = "#/$defs/" + UNLISTED_VALUE
_UNLISTED_REF_DOCUMENT = "#/components/schemas/" + UNLISTED_VALUE


def _is_extension(key: str) -> bool:
    return key.startswith("x-")


def default_reading(schema: JsonObject) -> JsonObject:
    """The documented rules of a bundled schema: every keyword whose provenance is inferred is removed (a
    conditional rule with its `then` and `else`). Provenance stays, so that a finding can name its source."""

    def strip(out: dict[str, Any]) -> dict[str, Any]:
        dropped: set[str] = set()
        for keyword in out.get(provenance.EXTENSION, {}):
            found = provenance.of(out, keyword)
            if found is not None and found.kind == "inferred":
                dropped |= {"if", "then", "else"} if keyword == "if" else {keyword}
        for key in dropped & set(out):
            del out[key]
        if isinstance(out.get("allOf"), list):
            # A member whose rule was inferred keeps only its description: it asserts nothing, so it goes.
            out["allOf"] = [member for member in out["allOf"] if not _annotations_only(member)]
            if not out["allOf"]:
                del out["allOf"]
        return out

    # A rule's body keeps its meaning only whole: stripping inside a condition could widen it.
    return rebuild(schema, strip, provenance.RULE_BODIES)  # type: ignore[no-any-return]


def _annotations_only(node: Any) -> bool:
    return isinstance(node, dict) and all(key in _ANNOTATIONS or _is_extension(key) for key in node)


def strict_reading(schema: JsonObject) -> JsonObject:
    """Every rule of a bundled schema, closed: see `close_schema`."""
    return close_schema(schema)


def close_schema(schema: JsonObject) -> JsonObject:
    """The closed form of a bundled schema: no unlisted enumeration values, no undocumented object fields.

    Drops the `UnlistedValue` alternative from every `anyOf`, and gives every object schema (`type` object, or a list
    with object) with `properties` and no `additionalProperties` the value `false`. The bodies of rules (`if`, `then`,
    `else`, `not`) are left as they are: closing inside a condition would change what it selects.
    """

    def close(out: dict[str, Any]) -> dict[str, Any]:
        alternatives = out.get("anyOf")
        if isinstance(alternatives, list):
            kept = [alt for alt in alternatives if not (isinstance(alt, dict) and alt.get("$ref") == _UNLISTED_REF)]
            if len(kept) != len(alternatives):
                # One alternative left: allOf keeps its own error (enum), where anyOf would only say "none matched".
                if len(kept) == 1:
                    del out["anyOf"]
                    out["allOf"] = [*out.get("allOf", []), *kept]
                else:
                    out["anyOf"] = kept
        types = out.get("type")
        is_object = types == "object" or (isinstance(types, list) and "object" in types)
        if is_object and "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out

    closed = rebuild(schema, close, provenance.RULE_BODIES)
    assert isinstance(closed, dict)
    return closed


def without_extensions(schema: JsonObject) -> JsonObject:
    """A schema with every `x-` keyword removed: what JSON Schema tools in strict modes (Ajv) accept."""

    def strip(node: Any) -> Any:
        if isinstance(node, list):
            return [strip(value) for value in node]
        if isinstance(node, dict):
            # `properties` maps field names, which are no keywords: a field called x-... stays.
            return {
                key: (
                    {name: strip(sub) for name, sub in value.items()}
                    if key in ("properties", "$defs") and isinstance(value, dict)
                    else strip(value)
                )
                for key, value in node.items()
                if not _is_extension(key)
            }
        return node

    return strip(schema)  # type: ignore[no-any-return]


# What the tolerant reading keeps of a schema: its JSON types and structure, and the names of known values.
_TOLERANT_KEYWORDS = frozenset(
    {"type", "properties", "items", "anyOf", "oneOf", "$ref", "enum", "description", "title"}
)


def tolerant_document(document: JsonObject, integer_type: str) -> JsonObject:
    """The document as the generated models read it: JSON types only, every field optional, open to new fields and
    values; a schema made of another (`allOf` of a `$ref`) stays so. Patterns, bounds, required fields and
    conditional rules are dropped; `integer_type` (a dotted Python
    name, through the generator's `x-python-type`) is the type of every integer, one that takes 2.0 as JSON Schema
    does and rejects "2" and true."""

    def tolerant(node: Any) -> Any:
        if isinstance(node, list):
            return [tolerant(value) for value in node]
        if not isinstance(node, dict):
            return node
        out: JsonObject = {}
        for key, value in node.items():
            if key == "allOf" and isinstance(value, list):
                # A schema made of another (`allOf: [$ref]`) stays so; the conditional rules beside it go.
                composed = [member for member in value if isinstance(member, dict) and set(member) == {"$ref"}]
                if composed:
                    out[key] = composed
                continue
            if key not in _TOLERANT_KEYWORDS:
                continue
            out[key] = {name: tolerant(sub) for name, sub in value.items()} if key == "properties" else tolerant(value)
        types = out.get("type")
        if types == "integer" or (isinstance(types, list) and "integer" in types):
            if isinstance(types, list) and len(types) > 1:
                raise ContractError("the tolerant reading cannot type a field that is an integer or something else")
            out["x-python-type"] = integer_type
        return out

    result = copy.deepcopy(document)
    components = result.get("components", {})
    for name, schema in components.get("schemas", {}).items():
        components["schemas"][name] = tolerant(schema)
    for param in components.get("parameters", {}).values():
        if "schema" in param:
            param["schema"] = tolerant(param["schema"])
    for header in components.get("headers", {}).values():
        if "schema" in header:
            header["schema"] = tolerant(header["schema"])
    return result


_ANNOTATIONS = frozenset({"description", "title", "examples", "example", "$comment", "format"})


def nullable_fields(document: JsonObject) -> JsonObject:
    """The tolerant document with its rule "a null reads as an absent field" written out: every field of every
    component schema admits `null` (`type: [T, "null"]`, or `null` beside a reference or the members of an `anyOf`).
    The Python models take it from their optional fields; generators of other languages, and JSON Schema engines,
    need it said. The items of an array stay as they are: a `null` task in a list is no task."""

    def field(schema: Any) -> Any:
        if not isinstance(schema, dict):
            return schema
        schema = fields(schema)
        types = schema.get("type")
        if isinstance(types, str):
            return {**schema, "type": [types, "null"]} if types != "null" else schema
        if isinstance(types, list):
            return schema if "null" in types else {**schema, "type": [*types, "null"]}
        for combinator in ("anyOf", "oneOf"):
            if isinstance(schema.get(combinator), list):
                members = schema[combinator]
                if {"type": "null"} in members:
                    return schema
                return {**schema, combinator: [*members, {"type": "null"}]}
        if "$ref" in schema:
            rest = {key: value for key, value in schema.items() if key != "$ref"}
            return {**rest, "anyOf": [{"$ref": schema["$ref"]}, {"type": "null"}]}
        return schema  # no type: any value, null included

    def fields(schema: JsonObject) -> JsonObject:
        out = dict(schema)
        if isinstance(out.get("properties"), dict):
            out["properties"] = {name: field(sub) for name, sub in out["properties"].items()}
        if isinstance(out.get("items"), dict):
            out["items"] = fields(out["items"])
        return out

    result = copy.deepcopy(document)
    schemas = result.get("components", {}).get("schemas", {})
    for name, schema in schemas.items():
        schemas[name] = fields(schema) if isinstance(schema, dict) else schema
    return result


def _merge_conditions(members: list[Any]) -> list[Any]:
    """`allOf` members that are rules with the same condition (`if`, `then`, no `else`), merged into one rule whose
    `then` holds every consequence: the condition is then tested once."""
    merged: list[Any] = []
    by_condition: dict[str, JsonObject] = {}
    for member in members:
        if isinstance(member, dict) and set(member) == {"if", "then"}:
            key = json.dumps(member["if"], sort_keys=True)
            if key in by_condition:
                rule = by_condition[key]
                rule["then"] = {"allOf": [*rule["then"].get("allOf", [rule["then"]]), member["then"]]}
                continue
            by_condition[key] = member = dict(member)
        merged.append(member)
    return merged


def _trim_condition(member: Any, required: Any) -> Any:
    """A rule's condition without the fields its object requires anyway: an object that lacks one fails whatever the
    rule says, one that has it meets that part of the condition. (For yes/no answers only.)"""
    if not (isinstance(member, dict) and isinstance(required, list) and isinstance(member.get("if"), dict)):
        return member
    condition = member["if"]
    if not isinstance(condition.get("required"), list):
        return member
    left = [name for name in condition["required"] if name not in required]
    trimmed = {key: value for key, value in condition.items() if key != "required"}
    if left:
        trimmed["required"] = left
    return {**member, "if": trimmed}


def flatten_schema(schema: JsonObject) -> JsonObject:
    """The same verdicts in fewer steps: `$ref`s inlined, annotations and extensions dropped, and single-member
    `allOf`s merged into their parent. For is_valid only (schema paths change). A recursive schema cannot be
    inlined: ContractError names the reference."""

    def flat(node: Any, inside: frozenset[str] = frozenset()) -> Any:
        if isinstance(node, list):
            return [flat(value, inside) for value in node]
        if not isinstance(node, dict):
            return node
        out = {
            key: {name: flat(sub, inside) for name, sub in value.items()}
            if key == "properties"
            else flat(value, inside)
            for key, value in node.items()
            if key not in _ANNOTATIONS and key != "$defs" and not _is_extension(key)
        }
        ref = out.pop("$ref", None)
        if isinstance(ref, str):
            if ref in inside:
                raise ContractError(f"a recursive schema cannot be flattened: {ref} refers to itself")
            target = flat(lookup(schema, ref), inside | {ref})
            # Both apply: a keyword beside the reference joins the target's as another member of `allOf`.
            clash = {key: target.pop(key) for key in list(target) if key in out}
            out.update(target)
            if clash:
                out["allOf"] = [*out.get("allOf", []), clash]
        members = out.get("allOf")
        if isinstance(members, list):
            out["allOf"] = members = [
                _trim_condition(member, out.get("required")) for member in _merge_conditions(members)
            ]
        only = members[0] if isinstance(members, list) and len(members) == 1 else None
        if isinstance(only, dict) and not set(only) & (set(out) - {"allOf"}):
            del out["allOf"]
            out.update(only)
        return out

    flattened = flat(schema)
    assert isinstance(flattened, dict)
    return flattened


ENFORCING = ("default", "strict", "models")  # the readings a rule may be asserted by (models: the tolerant one)


def enforced_by(document: JsonObject, constraint: Any) -> tuple[str, ...]:
    """The readings that assert a rule of the contract (a provenance.Constraint), as they are derived above: the
    default reading every documented rule, the strict one every rule, closed (so the list of documented fields, and
    an enumeration open to unlisted values, are the strict reading's alone), and the models' reading the JSON types.
    A format asserts a rule only where formats.py derives one; any other is an annotation, asserted by none."""
    keyword = constraint.keyword
    if keyword == "format" and constraint.value not in ASSERTED:
        return ()
    found = constraint.provenance
    inferred = found is not None and found.kind == "inferred"
    if keyword == "properties" or (keyword == "enum" and constraint.pointer in _open_enumerations(document)):
        return ("strict",)
    readings = ("strict",) if inferred else ("default", "strict")
    return (*readings, "models") if keyword == "type" and not inferred else readings


def _open_enumerations(document: JsonObject) -> frozenset[str]:
    """The component schemas an `anyOf` pairs with the unlisted-value alternative: enumerations open to new values."""
    found = set()
    for visit in walk(document, skip=frozenset({"example", "examples"})):
        alternatives = visit.node.get("anyOf")
        if isinstance(alternatives, list) and {"$ref": _UNLISTED_REF_DOCUMENT} in alternatives:
            found |= {
                alt["$ref"][1:] for alt in alternatives if isinstance(alt, dict) and isinstance(alt.get("$ref"), str)
            }
    return frozenset(found)
