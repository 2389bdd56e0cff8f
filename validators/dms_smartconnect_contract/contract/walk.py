"""The one walk over a document or a schema: every object in it, with its JSON pointer and the keys on the way
(walk), or a copy of it rebuilt object by object (rebuild)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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


def rebuild(node: Any, finish: Callable[[dict[str, Any]], Any], keep: frozenset[str] = frozenset()) -> Any:
    """A copy of `node` made from the leaves up: every object is rebuilt from its rebuilt members and handed to
    `finish`, whose answer stands in its place; the members under a key of `keep` stay as they are (shared, not
    copied)."""
    if isinstance(node, list):
        return [rebuild(value, finish, keep) for value in node]
    if not isinstance(node, dict):
        return node
    return finish({key: value if key in keep else rebuild(value, finish, keep) for key, value in node.items()})
