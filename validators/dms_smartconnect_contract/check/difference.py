"""Where two flattened schemas differ, as checks local to a place in the body.

A schema is then the common part and its differing nodes, each applied at its place, all at once. So for a body the
first schema accepts, the second accepts it exactly when each of its differing nodes accepts the body's values at
that node's place; and a body the first rejects while its own differing nodes accept it breaks the common part,
which the second rejects too. That holds because the walk descends only through keywords that
apply their subschemas conjunctively, at a place fixed by the body alone: `properties` with the same names (what
`additionalProperties` admits is then unchanged), `items` without `prefixItems`, and `allOf` of the same length.
At any other difference the node is checked whole, at its place. Keywords that judge a place by what other
subschemas found there (`unevaluated*`), or that reach elsewhere (`$ref` and friends: flattened schemas have none),
stop the whole thing: then there are no local checks, and the second schema is checked in full.

`diff --captures` uses it so that a line the base accepts costs the head only the checks where the versions differ.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import orjson

from ..contract import JsonObject, default_reading, flatten_schema
from ..contract.document import SCHEMA_DIALECT
from .body import BodyRules
from .options import Engine
from .schemas import SchemaValidator

_MISSING = object()
# Keywords whose verdict at a place depends on more than the subschemas at that place.
_NOT_LOCAL = (b'"unevaluatedProperties"', b'"unevaluatedItems"', b'"$ref"', b'"$dynamicRef"', b'"$recursiveRef"')

Step = str | None  # a field's name, or None for every item of an array
Place = tuple[Step, ...]


@dataclass(frozen=True)
class LocalCheck:
    """A node where two schemas differ, compiled from each, and the place in the body it applies to."""

    place: Place
    before: Callable[[Any], bool]
    after: Callable[[Any], bool]

    @cached_property
    def held_after(self) -> Callable[[Any], bool]:
        """Whether the second schema's node accepts the body at its place."""
        return _at_place(self.place, self.after)

    @cached_property
    def held_before(self) -> Callable[[Any], bool]:
        """Whether the first schema's node accepts the body at its place."""
        return _at_place(self.place, self.before)


def _at_place(place: Place, is_valid: Callable[[Any], bool]) -> Callable[[Any], bool]:
    if len(place) == 1 and place[0] is not None:  # a field of the body, the usual case: looked up inline
        name = place[0]
        return lambda body: type(body) is not dict or (value := body.get(name, _MISSING)) is _MISSING or is_valid(value)
    return lambda body: all(is_valid(value) for value in values_at(body, place))


class Difference:
    """The second schema's verdict on a body, from the first's and the checks where they differ: `given_accepted`
    and `given_rejected` take a body the first schema accepts, or rejects. Each is made for the checks it has (one,
    most often), since it runs once a line."""

    def __init__(self, before: JsonObject, after: JsonObject, whole: Callable[[Any], bool], engine: Engine) -> None:
        """`whole` checks the second schema in full, where no local check is exact."""
        checks = local_checks(before, after, engine)
        self.checks = checks
        self.given_accepted: Callable[[Any], bool]
        self.given_rejected: Callable[[Any], bool]
        if checks is None:
            self.given_accepted = self.given_rejected = whole
        elif len(checks) == 1:
            self.given_accepted = checks[0].held_after
            held = checks[0].held_before
            # Where the first's own node accepts the body, the body breaks the common part: the second rejects it.
            self.given_rejected = lambda body: not held(body) and whole(body)
        else:
            self.given_accepted = lambda body: all(check.held_after(body) for check in checks)
            self.given_rejected = lambda body: not all(check.held_before(body) for check in checks) and whole(body)


def local_checks(before: JsonObject, after: JsonObject, engine: Engine) -> list[LocalCheck] | None:
    """The nodes where `after` differs from `before`, each compiled from both, with its place: none when the two
    are the same schema; None when some keyword makes a local check inexact (check `after` whole)."""
    for schema in (before, after):
        text = orjson.dumps(schema)
        if any(keyword in text for keyword in _NOT_LOCAL):
            return None
    found: list[tuple[Place, Any, Any]] = []
    _differences(before, after, (), found)
    return [LocalCheck(place, _compiled(old, engine), _compiled(new, engine)) for place, old, new in found]


def _differences(before: Any, after: Any, place: Place, found: list[tuple[Place, Any, Any]]) -> None:
    if before == after:
        return
    if not isinstance(before, dict) or not isinstance(after, dict):
        found.append((place, before, after))
        return
    for key in before.keys() | after.keys():
        old, new = before.get(key, _MISSING), after.get(key, _MISSING)
        if old == new:
            continue
        if key == "properties" and isinstance(old, dict) and isinstance(new, dict) and old.keys() == new.keys():
            for name in new:
                _differences(old[name], new[name], (*place, name), found)
        elif (
            key == "items" and isinstance(old, dict) and isinstance(new, dict)
            and "prefixItems" not in before and "prefixItems" not in after
        ):  # fmt: skip
            _differences(old, new, (*place, None), found)
        elif key == "allOf" and isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
            for old_member, new_member in zip(old, new, strict=True):
                _differences(old_member, new_member, place, found)
        else:  # the node as a whole, where it applies
            found.append((place, before, after))
            return


def _compiled(node: Any, engine: Engine) -> Callable[[Any], bool]:
    if isinstance(node, bool):
        return lambda _value: node
    return SchemaValidator({"$schema": SCHEMA_DIALECT, **node}, engine).is_valid


def values_at(body: Any, place: Place) -> Iterator[Any]:
    """The values a node at `place` applies to: the field named by each step of an object (none where the field
    is absent or the value is no object), every item of an array for a None step (none where it is no array)."""
    if not place:
        yield body
        return
    step, rest = place[0], place[1:]
    if step is None:
        if type(body) is list:
            for item in body:
                yield from values_at(item, rest)
    elif type(body) is dict:
        value = body.get(step, _MISSING)
        if value is not _MISSING:
            yield from values_at(value, rest)


def body_differences(before: BodyRules, after: BodyRules, engine: Engine) -> tuple[Difference, Difference]:
    """How one body's rules differ between the versions, in the strict and in the default reading."""
    strict = Difference(before.quick_schema, after.quick_schema, after.quick, engine)
    default = Difference(flatten_schema(default_reading(before.schema)), flatten_schema(default_reading(after.schema)),
                         after.default.is_valid, engine)  # fmt: skip
    return strict, default
