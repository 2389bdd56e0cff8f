"""Strings escaped together: one call of an escape on their text joined, cut again where the joints stand."""

from __future__ import annotations

from collections.abc import Callable

import orjson

# A private-use character, which JSON and XML both hold as it is: every escape given here leaves it alone.
JOINT = "\ue000"


def escaped_together(escape: Callable[[str], str], texts: list[str]) -> list[str]:
    """`escape` of each of `texts`, made in one call on their text joined by JOINT, for an escape that works
    character by character and leaves JOINT as it is; one text at a time where a text holds JOINT itself."""
    joined = JOINT.join(texts)
    if joined.count(JOINT) != len(texts) - 1:
        return [escape(text) for text in texts]
    return escape(joined).split(JOINT)


def json_string(text: str) -> str:
    """A string as it stands inside a JSON string, between the quotes (JSON escapes it character by character)."""
    return orjson.dumps(text).decode()[1:-1]
