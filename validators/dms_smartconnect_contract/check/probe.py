"""Probes: a failure shape, recognised again in the next body without an error pass or a walk.

On a bad day every line breaks the same rule the same way: `create_time` written as a string (with another value
each time), or a new field in every task. Collecting errors costs several times a validation; a probe costs one.
A probe remembers how to mend a body of a known shape, place by place:
- `set`: a value of the wrong JSON type at a place gets a good value of the right type;
- `drop`: an undocumented field is taken out;
- `listed`: an unlisted enumeration value gets a listed one.
On the next body the quick check rejects, it checks that each place holds what it mends (a value of that kind, that
field, an unlisted string), mends the body for the time of one quick check, and puts it back. If the mended body
passes, the body's failures were exactly those, so its findings have the remembered shape.

That holds when what the probe changes can change no other rule's verdict, and when every rule at a place fails the
same way for every value the probe accepts there. The maker checks it on the schema before it makes a probe:
- the route from the body to a `set` place runs through `properties` only (no alternative, negation or condition on
  the way); there the value's JSON type is none of the declared types, and no other keyword reads a value of that
  type (no pattern for a string, no bound for a number, no enum or const outside alternatives of other types);
- no conditional rule reads a place, or anything under it, or a field's value over it with a keyword that looks
  inside; fields are dropped only from objects no conditional rule reads the field names of;
- the drift the walk reports (undocumented fields, unlisted values) is exactly what `drop` and `listed` mend.

A probe that keeps holding (a storm) stops mending: it checks its places as before and then validates the body once
against the strict reading relaxed at those places (an undocumented field admitted, any value where a wrong type was
set, any string where an unlisted value was listed), compiled once per set of places. That reading accepts the body
exactly when the mended body passes the strict one, and reads what mending would hide (an object's size, a pattern
of field names, a string's other rules), so it is the stricter of the two where they could differ.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Place = tuple[tuple[str, ...], str]  # the path of the object holding the value, and the value's field
# A way to mend one place: ("set", holder path, field, kind, good value), ("drop", holder path, field),
# ("listed", holder path, field, the listed values, a listed value).
Mend = tuple[Any, ...]


RELAX_AFTER = 16  # holds before a probe compiles its relaxed reading (about a millisecond)


class Probe:
    """A remembered failure shape and how to recognise it."""

    __slots__ = ("_hits", "_relax", "_relaxed", "findings", "mends", "quick", "shape")

    def __init__(
        self,
        mends: tuple[Mend, ...],
        shape: Any,
        quick: Callable[[Any], bool],
        relax: Callable[[tuple[Mend, ...]], Callable[[Any], bool] | None] | None = None,
    ) -> None:
        self.mends, self.shape, self.quick = mends, shape, quick
        self.findings: Any = None  # how the findings of a body it holds for are made (BodyRules.held_findings)
        self._relax = relax
        self._hits = 0
        self._relaxed: Callable[[Any], bool] | None = None

    def holds(self, body: Any) -> bool:
        """Whether a body has exactly this failure shape. Each place must hold what its mend mends (a value of the
        wrong type, an undocumented field, an unlisted value), so a body a probe holds for always breaks the strict
        reading: no need to ask the quick check about it first. Then the body is mended for the time of one quick
        check and put back (a dropped field comes back last among its object's fields), or, once the probe has held
        often, checked against the relaxed reading as it is."""
        relaxed = self._relaxed
        if relaxed is not None:
            return self._fits(body) and relaxed(body)
        undo: list[tuple[dict[str, Any], str, Any]] = []
        try:
            for mend in self.mends:
                holder = body
                for key in mend[1]:
                    holder = holder.get(key) if type(holder) is dict else None
                field = mend[2]
                if type(holder) is not dict or field not in holder:
                    return False
                value = holder[field]
                how = mend[0]
                if how == "set":
                    if type(value) is not mend[3]:
                        return False
                    undo.append((holder, field, value))
                    holder[field] = mend[4]
                elif how == "drop":
                    undo.append((holder, field, value))
                    del holder[field]
                else:
                    if type(value) is not str or value in mend[3]:
                        return False
                    undo.append((holder, field, value))
                    holder[field] = mend[4]
            held = self.quick(body)
        finally:
            for holder, field, value in reversed(undo):
                holder[field] = value
        if held and self._relax is not None:
            self._hits += 1
            if self._hits >= RELAX_AFTER:
                self._relaxed = self._relax(self.mends)
                self._relax = None  # compiled, or not possible: asked once
        return held

    def _fits(self, body: Any) -> bool:
        """Whether each place holds what its mend mends (the checks of holds(), without mending)."""
        for mend in self.mends:
            holder = body
            for key in mend[1]:
                holder = holder.get(key) if type(holder) is dict else None
            if type(holder) is not dict:
                return False
            value = holder.get(mend[2], _ABSENT)
            if value is _ABSENT:
                return False
            how = mend[0]
            if how == "set":
                if type(value) is not mend[3]:
                    return False
            elif how == "listed" and (type(value) is not str or value in mend[3]):
                return False
        return True


_ABSENT: Any = object()
