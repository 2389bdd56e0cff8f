"""Response and request headers as captures record them, made one shape: lower-cased names, one value each."""

from __future__ import annotations

from typing import Any


def headers_of(found: Any) -> dict[str, str] | None:
    """Headers as lower-cased names and one value each (repeated ones joined, as HTTP joins them): from an object
    (a value may be a list) or a list of {name|key, value}. None when none are recorded."""
    pairs: list[tuple[Any, Any]]
    if isinstance(found, dict):
        pairs = list(found.items())
    elif isinstance(found, list):
        pairs = [
            (item.get("name", item.get("key")), item.get("value"))
            for item in found
            if isinstance(item, dict) and not item.get("disabled")
        ]
    else:
        return None
    headers: dict[str, str] = {}
    for name, value in pairs:
        if not isinstance(name, str) or value is None:
            continue
        text = ", ".join(str(part) for part in value) if isinstance(value, list) else str(value)
        key = name.lower()
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return headers


def request_headers_of(found: Any) -> dict[str, str] | None:
    """A request's headers as headers_of() reads them; None when none are recorded, an empty list or object too:
    every request sends at least its host (`Host`, or HTTP/2's `:authority`), so a capture that lists no header
    kept none, and says nothing of the request's credentials."""
    return headers_of(found) or None
