"""The rules the formats state. `format: int32` and `format: int64` on an integer, and `format: uuid` on a string, are
rules of the contract (a consumer's generated type holds no other value), though JSON Schema reads `format` as an
annotation. So every bundled schema asserts them, as the bounds of the integer's range and the UUID's textual form
(RFC 9562: hex digits in either case), derived here, with the provenance of the `format` keyword that states them.
Any other format stays an annotation."""

from __future__ import annotations

from typing import Any

# The range of each integer format (OpenAPI's data types: signed 32 and 64 bits).
RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
UUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
ASSERTED = frozenset({*RANGES, "uuid"})  # the formats that state a rule
PROVENANCE = "x-provenance"
POINTER = "x-pointer"  # as document.POINTER_EXTENSION: where the node stands in the document
# Beside derived bounds: the keyword of their node that states them, where a report points for their rule.
STATED_BY = "x-stated-by"


def with_format_rules(node: dict[str, Any]) -> dict[str, Any]:
    """A schema node, with the rule its format states added as one more member of `allOf` (an integer's bounds, a
    UUID's pattern), the member's provenance being the format's. For rebuild()."""
    found = node.get("format")
    rule: dict[str, Any]
    if not isinstance(found, str):  # no format here (an `x-provenance` map names one)
        return node
    if found in RANGES and _is_integer(node.get("type")):
        low, high = RANGES[found]
        # Both bounds, always: a tighter bound of the node's own may be inferred, which the default reading drops.
        rule = {"minimum": low, "maximum": high}
    elif found == "uuid" and _is_string(node.get("type")):
        rule = {"pattern": UUID}
    else:
        return node
    stated = (node.get(PROVENANCE) or {}).get("format")
    keywords = list(rule)
    if stated is not None:
        rule[PROVENANCE] = {keyword: stated for keyword in keywords}
    if POINTER in node:
        rule[POINTER] = node[POINTER]
        rule[STATED_BY] = {keyword: "format" for keyword in keywords}
    node["allOf"] = [*node.get("allOf", []), rule]
    return node


def _is_integer(types: Any) -> bool:
    return types == "integer" or (isinstance(types, list) and "integer" in types)


def _is_string(types: Any) -> bool:
    return types == "string" or (isinstance(types, list) and "string" in types)
