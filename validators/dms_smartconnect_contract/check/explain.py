"""From a schema error to what a report says of it: the rule id, the JSON pointer, a message a person can act on,
and where the broken rule comes from (its provenance)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..contract import json_pointer, provenance
from ..contract.provenance import Provenance
from ..redact import preview
from .schemas import SchemaError, SchemaValidator, json_type

# A rule the contract states without saying where it comes from (a contract other than ours): taken as written.
UNSTATED = Provenance("documented")
# Keywords through which the closed reading reports drift: an undocumented field, an unlisted enumeration value.
DRIFT_KEYWORDS = frozenset({"additionalProperties", "enum"})
_CONDITIONAL_BODIES = ("then", "else")
# Pointers of instance paths, remembered: a storm repeats a handful of them.
_pointer = lru_cache(maxsize=4096)(json_pointer)
_FIELDS_LISTED = 4


@dataclass(frozen=True, slots=True)
class Explained:
    """One finding of a schema error, before it is given a severity and a location."""

    rule: str
    pointer: str
    message: str
    provenance: Provenance
    # For a message that quotes the value at the pointer: what stands before and after its preview, so that the
    # message of another value there is made without explaining again.
    around: tuple[str, str] | None = None


def rule_provenance(validator: SchemaValidator, error: SchemaError) -> Provenance:
    """The provenance of the rule an error breaks: the conditional's (`if`) for anything under its `then`, the
    alternatives' type for an enumerated field of the wrong type (`anyOf`), the field list for an undocumented field,
    else the keyword's own. Looked up once per schema path of a compiled schema."""
    key = (error.schema_path, error.keyword)
    found = validator.provenance_cache.get(key)
    if found is None:
        found = validator.provenance_cache[key] = _lookup(validator, error)
    return found


def _lookup(validator: SchemaValidator, error: SchemaError) -> Provenance:
    path = error.schema_path
    for index, part in enumerate(path):
        if part in _CONDITIONAL_BODIES:
            holder = validator.at(path[:index])
            if isinstance(holder, dict) and "if" in holder:
                return provenance.of(holder, "if") or UNSTATED
    node = validator.at(path[:-1])
    keyword = error.keyword
    if keyword in ("anyOf", "oneOf") and isinstance(node.get(keyword), list) and node[keyword]:
        first = node[keyword][0]
        node, keyword = (validator.deref(first["$ref"]) if "$ref" in first else first), "type"
    elif keyword == "additionalProperties":
        keyword = "properties"
    return provenance.of(node, keyword) or UNSTATED


def undocumented_message(key: str) -> str:
    return f"field '{key}' is not documented"


def unlisted_around(listed: list[Any]) -> tuple[str, str]:
    """What stands around the preview of an unlisted value in its message."""
    return "", f" is not one of {', '.join(map(str, listed))}"


def unlisted_message(value: Any, name: str, listed: list[Any]) -> str:
    head, tail = unlisted_around(listed)
    return f"{head}{preview(value, name)}{tail}"


_CACHED = 10_000  # explanations kept per compiled schema; the cache starts over when full


Stub = tuple[str, str, Provenance]  # rule, pointer, provenance: a finding but for its message


def _kind_key(instance: Any) -> Any:
    """What of an error's instance its rule and pointer depend on: a scalar's type, a container's size and, for an
    object, its field names. Its message depends on more (the value): see _instance_key."""
    if isinstance(instance, dict):
        return (dict, frozenset(instance))
    if isinstance(instance, list):
        return (list, len(instance))
    return type(instance)


def stubs_cached(validator: SchemaValidator, error: SchemaError, body: Any) -> list[Stub]:
    """The findings of an error but for their messages, remembered per schema path, instance path and kind of
    instance: a storm of one failure on ever different values is explained once."""
    key = (error.schema_path, error.path, error.keyword, _kind_key(error.instance))
    found = validator.stubs.get(key)
    if found is None:
        if len(validator.stubs) >= _CACHED:
            validator.stubs.clear()
        found = validator.stubs[key] = [(e.rule, e.pointer, e.provenance) for e in explain(validator, error, body)]
    return found


def _instance_key(instance: Any) -> Any:
    """What of an error's instance its explanation depends on: a scalar's type and value, a container's size and, for
    an object, its field names (missing, undocumented and shown fields are names)."""
    if isinstance(instance, dict):
        return (dict, frozenset(instance))
    if isinstance(instance, list):
        return (list, len(instance))
    return (type(instance), instance)


def explain_cached(validator: SchemaValidator, error: SchemaError, body: Any) -> list[Explained]:
    """explain(), remembered per schema path, instance path and what the explanation reads of the instance: on a bad
    day every line breaks the same rule the same way, and its explanation is built once."""
    key = (error.schema_path, error.path, error.keyword, _instance_key(error.instance))
    found = validator.explanations.get(key)
    if found is None:
        if len(validator.explanations) >= _CACHED:
            validator.explanations.clear()
        found = validator.explanations[key] = explain(validator, error, body)
    return found


def explain(validator: SchemaValidator, error: SchemaError, body: Any) -> list[Explained]:
    """The findings of one schema error of `body`."""
    found = rule_provenance(validator, error)
    keyword, instance = error.keyword, error.instance
    name = str(error.path[-1]) if error.path else ""
    pointer = _pointer(error.path)
    if "propertyNames" in error.schema_path:
        return _shown_fields(validator, error, body, found)
    value = validator.at(error.schema_path)
    shown = preview(instance, name)
    rule = f"schema.{keyword}"
    around: tuple[str, str] | None = None
    if keyword == "type":
        expected = " or ".join(value) if isinstance(value, list) else value
        around = (f"expected {expected}, got {json_type(instance)} ", "")
        message = around[0] + shown
    elif keyword == "enum":
        around = unlisted_around(value)
        message = around[0] + shown + around[1]
    elif keyword == "required":
        missing = [prop for prop in value if isinstance(instance, dict) and prop not in instance]
        pointer = json_pointer((*error.path, missing[0])) if len(missing) == 1 else pointer
        message = f"required field {', '.join(missing)} is missing"
    elif keyword == "additionalProperties":
        documented = validator.at(error.schema_path[:-1]).get("properties", {})
        return [
            Explained("undocumented-field", json_pointer((*error.path, key)), undocumented_message(key), found)
            for key in instance
            if key not in documented
        ]
    elif keyword == "anyOf":
        types = {_alternative_type(validator, alt) for alt in value}
        got = json_type(instance)
        if None not in types and got not in types and not (got == "integer" and "number" in types):
            rule = "schema.type"
            around = (f"expected {' or '.join(sorted(t for t in types if t))}, got {got} ", "")
            message = around[0] + shown
        else:
            message = f"{shown} matches none of the allowed forms"
    elif keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        message = f"{shown} is {'below' if 'inimum' in keyword else 'above'} the {keyword} {value}"
    elif keyword in ("pattern", "format"):
        message = f"{shown} does not match the {keyword} {value}"
    elif keyword in ("minLength", "maxLength"):
        message = f"{shown} breaks {keyword} {value}"
    elif keyword == "const":
        message = f"{shown} is not {preview(value)}"
    else:
        message = f"{shown} fails {keyword}"
    conditional = _conditional_text(validator, error)
    if conditional is not None:
        rule, message = "schema.conditional", f"{conditional}: {message}"
        around = (f"{conditional}: {around[0]}", around[1]) if around is not None else None
    return [Explained(rule, pointer, message, found, around)]


def _conditional_text(validator: SchemaValidator, error: SchemaError) -> str | None:
    """The description of the conditional rule an error falls under, or None when it is not under one."""
    for index, part in enumerate(error.schema_path):
        if part in _CONDITIONAL_BODIES:
            holder = validator.at(error.schema_path[:index])
            if isinstance(holder, dict) and "if" in holder:
                return str(holder.get("description", "conditional rule")).rstrip(".")
    return None


def _shown_fields(validator: SchemaValidator, error: SchemaError, body: Any, found: Provenance) -> list[Explained]:
    """A `propertyNames: {not: {enum: [...]}}` rule lists fields that must not be shown. The engines disagree on
    what they report (the object, or the offending name, once per name), so the names are read from the object
    itself: one finding at the object, naming every field shown."""
    holder: Any = body
    for part in error.path:
        holder = holder[part]
    names_at = error.schema_path[: error.schema_path.index("propertyNames") + 1]
    forbidden = validator.at((*names_at, "not")).get("enum", [])
    shown = [key for key in holder if key in forbidden] if isinstance(holder, dict) else []
    text = _conditional_text(validator, error) or "fields that must not be shown"
    listed = ", ".join(shown[:_FIELDS_LISTED]) + (
        f" and {len(shown) - _FIELDS_LISTED} more" if len(shown) > _FIELDS_LISTED else ""
    )
    return [Explained("schema.conditional", json_pointer(error.path), f"{text}; shown: {listed}", found)]


def _alternative_type(validator: SchemaValidator, alternative: Any) -> str | None:
    node = validator.deref(alternative["$ref"]) if "$ref" in alternative else alternative
    found = node.get("type")
    return found if isinstance(found, str) else None
