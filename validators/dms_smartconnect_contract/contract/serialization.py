"""How a parameter's text in a request is read as the JSON value its schema judges (OpenAPI's `simple` style of path
parameters and `form` style of query parameters, for a scalar): the one reading that `validate`, the proxy and the
reference server share."""

from __future__ import annotations

import re
from typing import Any

from .document import JsonObject

_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


def schema_types(schema: JsonObject) -> tuple[str, ...]:
    """The JSON types a parameter's schema allows."""
    found = schema.get("type")
    return (found,) if isinstance(found, str) else tuple(found) if isinstance(found, list) else ()


def parameter_value(types: tuple[str, ...], text: str) -> Any:
    """A parameter's text as the JSON type its schema wants, where it is written as one (`10` as 10, never ` 10` or
    `+10`); else the text itself, which its schema then judges (a `type` rule broken)."""
    if "integer" in types and _INTEGER.fullmatch(text):
        return int(text)
    if "number" in types and _NUMBER.fullmatch(text):
        return float(text)
    if "boolean" in types and text in ("true", "false"):
        return text == "true"
    return text
