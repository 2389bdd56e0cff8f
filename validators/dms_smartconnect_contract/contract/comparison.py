"""Two versions of the contract side by side: every change between them, placed on its line in each."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from .changes import BUMPS, Bump, Change, bump_of, contract_changes, version_moves
from .document import JsonObject, Position
from .pointers import at_pointer, escape


@dataclass(frozen=True)
class Version:
    """One side of the comparison: the document, what to call it, the file a line of it is in, and its lines."""

    label: str
    file: str  # the path a CI annotation names (for git:REF, the contract's path in the repository)
    document: JsonObject
    lines: dict[str, Position]

    @property
    def version(self) -> str:
        return str(self.document.get("info", {}).get("version", ""))


@dataclass(frozen=True)
class Placed:
    """A change and its line in the base and in the head (None where that version has no such place)."""

    change: Change
    base_line: int | None
    head_line: int | None


TURNED_SAMPLES = 3  # locations kept of the exchanges a reading turns, each way


@dataclass(frozen=True)
class Weight:
    """Recorded traffic under both versions, in one reading: the counts under each, how many exchanges one version
    accepts and the other rejects (with the first locations, in capture order), and how many of each a change
    accounts for (by the index of the change: the rule and the place of a finding the version that rejects it
    gives)."""

    reading: str
    base: dict[str, int]  # total, conforming, violating, skipped, unreadable
    head: dict[str, int]
    rejected: int  # conforming under the base, violating under the head
    accepted: int  # violating under the base, conforming under the head
    rejected_samples: tuple[str, ...] = ()
    accepted_samples: tuple[str, ...] = ()
    by_change: dict[int, tuple[int, int]] = field(default_factory=dict)  # change -> (rejected, accepted)
    # Turned exchanges no change accounts for (a rule reached in a way the walk does not follow).
    unexplained: tuple[int, int] = (0, 0)


Finding = tuple[str, str]  # a finding's rule and the place in the body it is about (`schema.enum`, `/status`)


def instance_places(document: JsonObject) -> dict[str, set[str]]:
    """Where in a response body each schema of the document applies: schema pointer -> body pointers, `*` for
    any item of an array. Walked from every operation's response bodies, through references, fields, items and
    combinations."""
    places: dict[str, set[str]] = {}
    stack: list[tuple[str, str, int]] = []
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items() if isinstance(item, dict) else ():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                pointer = f"/paths/{escape(path)}/{method}/responses/{escape(str(status))}"
                if isinstance(response, dict) and isinstance(response.get("$ref"), str):
                    pointer = response["$ref"][1:]
                with contextlib.suppress(KeyError, IndexError, TypeError):
                    for media in at_pointer(document, pointer).get("content", {}):
                        stack.append((f"{pointer}/content/{escape(media)}/schema", "", 0))
    while stack:
        pointer, instance, depth = stack.pop()
        if instance in places.setdefault(pointer, set()) or depth > 64:
            continue
        places[pointer].add(instance)
        try:
            schema = at_pointer(document, pointer)
        except (KeyError, IndexError, TypeError):
            continue
        if not isinstance(schema, dict):
            continue
        if isinstance(schema.get("$ref"), str) and schema["$ref"].startswith("#/"):
            stack.append((schema["$ref"][1:], instance, depth + 1))
        for name in schema.get("properties", {}) if isinstance(schema.get("properties"), dict) else ():
            stack.append((f"{pointer}/properties/{escape(name)}", f"{instance}/{escape(name)}", depth + 1))
        if isinstance(schema.get("items"), dict):
            stack.append((f"{pointer}/items", f"{instance}/*", depth + 1))
        for combinator in ("allOf", "anyOf", "oneOf"):
            for index, _ in enumerate(schema.get(combinator, []) if isinstance(schema.get(combinator), list) else ()):
                stack.append((f"{pointer}/{combinator}/{index}", instance, depth + 1))
    return places


def _matches(pattern: str, pointer: str) -> bool:
    wanted, found = pattern.split("/"), pointer.split("/")
    return len(wanted) == len(found) and all(w in ("*", f) for w, f in zip(wanted, found, strict=True))


def accounts_for(change: Change, places: dict[str, set[str]], findings: frozenset[Finding]) -> bool:
    """Whether a finding of the version that rejects an exchange is one the change's rule gives: its keyword, at a
    place in the body the changed schema applies to."""
    if change.keyword in ("responses", "operation"):
        return any(rule.startswith("status.") or rule == "item.unrecognised" for rule, _ in findings)
    keyword = "additionalProperties" if change.keyword == "properties" else change.keyword
    where = places.get(change.pointer, set())
    for rule, pointer in findings:
        # An undocumented field is reported at the field or at the object that holds it.
        candidates = [pointer, pointer.rsplit("/", 1)[0]] if keyword == "additionalProperties" else [pointer]
        if rule == f"schema.{keyword}" and any(_matches(p, c) for p in where for c in candidates):
            return True
    return False


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
            return version.lines[place][0]
    return None
