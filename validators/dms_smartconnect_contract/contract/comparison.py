"""Two versions of the contract side by side: every change between them, placed on its line in each."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from .changes import BUMPS, Bump, Change, bump_of, contract_changes, version_moves
from .document import JsonObject
from .pointers import at_pointer, escape


@dataclass(frozen=True)
class Version:
    """One side of the comparison: the document, what to call it, the file a line of it is in, and its lines."""

    label: str
    file: str  # the path a CI annotation names (for git:REF, the contract's path in the repository)
    document: JsonObject
    lines: dict[str, int]

    @property
    def version(self) -> str:
        return str(self.document.get("info", {}).get("version", ""))


@dataclass(frozen=True)
class Placed:
    """A change and its line in the base and in the head (None where that version has no such place)."""

    change: Change
    base_line: int | None
    head_line: int | None


@dataclass(frozen=True)
class Weight:
    """Recorded traffic under both versions, in one reading: the counts under each, and the exchanges that one
    version accepts and the other rejects (their locations, in capture order)."""

    reading: str
    base: dict[str, int]  # total, conforming, violating, skipped, unreadable
    head: dict[str, int]
    rejected: list[str]  # conforming under the base, violating under the head
    accepted: list[str]  # violating under the base, conforming under the head


@dataclass(frozen=True)
class Comparison:
    base: Version
    head: Version
    changes: list[Placed]
    weights: tuple[Weight, ...] = ()  # with --captures: the traffic under each version, per reading

    @property
    def bump(self) -> Bump:
        """The version the changes ask of the models."""
        return bump_of([placed.change for placed in self.changes])

    @property
    def moves(self) -> Bump:
        """How far info.version moves from the base to the head."""
        return version_moves(self.base.version, self.head.version)

    @property
    def version_enough(self) -> bool:
        """Whether info.version moves at least as far as the changes ask (a release of the models needs it)."""
        return BUMPS.index(self.moves) >= BUMPS.index(self.bump)

    @property
    def breaking(self) -> list[Placed]:
        return [placed for placed in self.changes if placed.change.breaking]


def compare(base: Version, head: Version) -> Comparison:
    """Every change from `base` to `head`, with its lines."""
    placed = [Placed(c, line_of(base, c, c.base), line_of(head, c, c.head))
              for c in contract_changes(base.document, head.document)]  # fmt: skip
    return Comparison(base, head, placed)


def line_of(version: Version, change: Change, member: object) -> int | None:
    """The line of the change's rule in one version: its member, its keyword, its node, or the nearest node above
    it that the version has (a removed field points at the fields it was among)."""
    places = [f"{change.pointer}/{change.keyword}"]
    if member is not None and change.keyword in ("properties", "responses"):
        places.insert(0, f"{change.pointer}/{change.keyword}/{escape(str(member))}")
    elif member is not None and change.keyword in ("enum", "required"):
        with contextlib.suppress(KeyError, IndexError, TypeError):
            listed = at_pointer(version.document, f"{change.pointer}/{change.keyword}")
            if isinstance(listed, list) and member in listed:  # a header's `required` is a boolean, no list
                places.insert(0, f"{change.pointer}/{change.keyword}/{listed.index(member)}")
    pointer = change.pointer
    while True:
        places.append(pointer)
        if not pointer:
            break
        pointer = pointer.rsplit("/", 1)[0]
    for place in places:
        if place in version.lines:
            return version.lines[place]
    return None
