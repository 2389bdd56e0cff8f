"""JSON pointers (RFC 6901): writing one, reading one back, and the node one names."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def escape(token: str | int) -> str:
    """One reference token of a JSON pointer (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def json_pointer(tokens: Iterable[str | int]) -> str:
    """The JSON pointer of a path: `/a/b~1c` for ("a", "b/c"); the empty string for the root."""
    return "".join("/" + escape(token) for token in tokens)


def unescape(token: str) -> str:
    """One reference token of a JSON pointer, read back (RFC 6901: `~1` before `~0`)."""
    return token.replace("~1", "/").replace("~0", "~")


def at_pointer(document: Any, pointer: str) -> Any:
    """The node a JSON pointer names (`/a/0/b~1c`), array indexes included; KeyError or IndexError if none."""
    node = document
    for token in pointer.split("/")[1:] if pointer else []:
        part = unescape(token)
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node
