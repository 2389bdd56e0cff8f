"""Readings of a bundled schema: the closed one validators use for drift, and a flattened one for quick checks."""

from __future__ import annotations

from typing import Any

from .document import UNLISTED_VALUE, JsonObject


def close_schema(schema: JsonObject) -> JsonObject:
    """The closed reading of a bundled schema: no unlisted enumeration values, no undocumented object fields.

    Drops the `UnlistedValue` alternative from every `anyOf`, and gives every object schema (`type` object, or a list with object) with
    `properties` and no `additionalProperties` the value `false`. Conditional sub-schemas (`if`, `then`) carry no
    `type`, so they are left as they are.
    """
    unlisted_ref = "#/$defs/" + UNLISTED_VALUE

    def close(node: Any) -> Any:
        if isinstance(node, list):
            return [close(value) for value in node]
        if not isinstance(node, dict):
            return node
        out = {key: close(value) for key, value in node.items()}
        alternatives = out.get("anyOf")
        if isinstance(alternatives, list):
            kept = [alt for alt in alternatives if not (isinstance(alt, dict) and alt.get("$ref") == unlisted_ref)]
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

    closed = close(schema)
    assert isinstance(closed, dict)
    return closed


_ANNOTATIONS = frozenset({"description", "title", "examples", "example", "$comment", "format", "x-generated"})


def flatten_schema(schema: JsonObject) -> JsonObject:
    """The same verdicts in fewer steps: `$ref`s to `$defs` inlined, annotations dropped, and single-member `allOf`s
    merged into their parent. For is_valid only (schema paths change); the contract's schemas are not recursive."""
    defs = schema.get("$defs", {})

    def flat(node: Any) -> Any:
        if isinstance(node, list):
            return [flat(value) for value in node]
        if not isinstance(node, dict):
            return node
        out = {key: flat(value) for key, value in node.items() if key not in _ANNOTATIONS and key != "$defs"}
        ref = out.pop("$ref", None)
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            for key, value in flat(defs[ref[len("#/$defs/") :]]).items():
                out.setdefault(key, value)
        members = out.get("allOf")
        only = members[0] if isinstance(members, list) and len(members) == 1 else None
        if isinstance(only, dict) and not set(only) & (set(out) - {"allOf"}):
            del out["allOf"]
            out.update(only)
        return out

    flattened = flat(schema)
    assert isinstance(flattened, dict)
    return flattened
