"""The one walk over a document or a schema: every object in it, with its JSON pointer and the keys on the way."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .pointers import escape


@dataclass(frozen=True, slots=True)
class Visit:
    """An object met on the walk: where it is, and the keys (or indexes) that lead there from the start."""

    pointer: str
    path: tuple[str | int, ...]
    node: dict[str, Any]

    def under(self, keys: frozenset[str]) -> bool:
        """Whether one of `keys` stands on the way to this object (inside an `if`, an `anyOf`, ...)."""
        return any(step in keys for step in self.path)


def walk(node: Any, pointer: str = "", skip: frozenset[str] = frozenset()) -> Iterator[Visit]:
    """Every object of `node`, itself first, then its members in order, depth first; the members under a key of
    `skip` (examples, `$defs`) are not entered."""
    stack: list[tuple[Any, str, tuple[str | int, ...]]] = [(node, pointer, ())]
    while stack:
        current, where, path = stack.pop()
        if isinstance(current, dict):
            yield Visit(where, path, current)
            children = [
                (value, f"{where}/{escape(key)}", (*path, key)) for key, value in current.items() if key not in skip
            ]
        elif isinstance(current, list):
            children = [(value, f"{where}/{index}", (*path, index)) for index, value in enumerate(current)]
        else:
            continue
        stack.extend(reversed(children))
