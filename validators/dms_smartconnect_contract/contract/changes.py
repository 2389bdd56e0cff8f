"""Two versions of the contract compared whole: their rules (rule_changes.py says what each rule's change does),
their operations, components and documentation, with what comes or goes whole folded into one change."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .document import COMPONENTS_PREFIX, JsonObject
from .operations import operations
from .pointers import escape
from .provenance import EXTENSION, Provenance
from .rule_changes import (
    BUMPS,
    DOCUMENTATION_KEYS,
    READINGS,
    Bump,
    Change,
    Effect,
    Generated,
    bump_of,
    in_words,
    rule_change,
    rules_of,
    version_moves,
)

__all__ = ["BUMPS", "READINGS", "Bump", "Change", "Effect", "Generated", "bump_of", "contract_changes", "version_moves"]


# --- the whole comparison -----------------------------------------------------------------------------------------


def contract_changes(base: JsonObject, head: JsonObject) -> list[Change]:
    """Every rule-level difference from `base` to `head`, in the head's document order (removals after). A schema
    that is another under its own name (`allOf` of one `$ref`) in one version only is compared as that schema:
    generated code makes it a subclass or an alias, with the same fields, so moving fields into a shared schema
    changes nothing."""
    base, head = _aliases_inlined(base, head), _aliases_inlined(head, base)
    old, new = rules_of(base), rules_of(head)
    changes: list[Change] = []
    changes += _operation_changes(base, head)
    changes += _component_changes(base, head)
    for key, rule in new.items():
        before = old.get(key)
        if before is None:
            changes.append(rule_change("added", None, rule))
        elif before.value != rule.value or before.provenance != rule.provenance:
            kinds_differ = (before.provenance and before.provenance.kind) != (rule.provenance and rule.provenance.kind)
            if before.value != rule.value or kinds_differ:
                changes.append(rule_change("changed", before, rule))
            else:  # the same rule, its sources or evidence reworded
                changes.append(_documentation(rule.pointer, EXTENSION, before.provenance, rule.provenance))
    changes += [rule_change("removed", rule, None) for key, rule in old.items() if key not in new]
    changes += list(_documentation_changes(base, head))
    return _folded(changes)


def _container(change: Change) -> str | None:
    """The place a change adds or removes whole, with everything in it: a field, a schema, an operation."""
    if change.change not in ("added", "removed"):
        return None
    if change.keyword == "properties":
        return f"{change.pointer}/properties/{escape(str(change.head if change.change == 'added' else change.base))}"
    return change.pointer if change.keyword in ("schema", "component", "operation") else None


def combined(first: Effect, second: Effect) -> Effect:
    """Two effects on one reading, as one."""
    if first == "none" or first == second:
        return second
    return first if second == "none" else "changed"


def _folded(changes: list[Change]) -> list[Change]:
    """A field, schema or operation added or removed is one change: the rules and words inside it are folded into
    it, their effects on each reading combined with its own, and counted in its words."""
    containers = [(place, change) for change in changes if (place := _container(change)) is not None]
    inside: dict[int, list[Change]] = {}
    kept = []
    for change in changes:
        holder = next(
            (
                outer
                for place, outer in containers
                if outer is not change
                and change.change in (outer.change, "documentation")
                and (change.pointer == place or change.pointer.startswith(place + "/"))
            ),
            None,
        )
        if holder is None:
            kept.append(change)
        else:
            inside.setdefault(id(holder), []).append(change)
    out = []
    for change in kept:
        folded = inside.get(id(change), [])
        if folded:
            readings = dict(change.readings)
            # A field's rules judge the field from now on (or no longer): theirs add to its own. The rules of an
            # operation or a schema come and go with it, and say nothing of bodies judged before.
            for sub in folded if change.keyword == "properties" else ():
                for reading, effect in sub.readings.items():
                    readings[reading] = combined(readings[reading], effect)
            generated = change.generated  # what comes or goes whole is added or removed whole, for generated code
            what = f"{change.what}, with {len(folded)} rule(s) and text(s) in it"
            change = Change(change.change, change.pointer, change.keyword, what, change.base, change.head,
                            change.base_provenance, change.head_provenance, generated, readings)  # fmt: skip
        out.append(change)
    return out


def _aliases(document: JsonObject) -> dict[str, str]:
    """The component schemas that are `allOf` of one other component (and words): name -> the other's name."""
    schemas = document.get("components", {}).get("schemas", {})
    found = {}
    for name, schema in schemas.items():
        members = schema.get("allOf") if isinstance(schema, dict) else None
        if not (isinstance(members, list) and len(members) == 1 and isinstance(members[0], dict)):
            continue
        ref, rest = members[0].get("$ref"), set(schema) - {"allOf"}
        if set(members[0]) == {"$ref"} and isinstance(ref, str) and ref.startswith(COMPONENTS_PREFIX):
            target = ref[len(COMPONENTS_PREFIX) :]
            if isinstance(schemas.get(target), dict) and rest <= DOCUMENTATION_KEYS | {EXTENSION}:
                found[name] = target
    return found


def _aliases_inlined(document: JsonObject, other: JsonObject) -> JsonObject:
    """The document with each alias that `other` does not have as the same alias replaced by a copy of the schema
    it names (its own words kept), so that the two compare field by field."""
    schemas = document.get("components", {}).get("schemas", {})
    theirs = _aliases(other)
    inlined = dict(schemas)
    for name, target in _aliases(document).items():
        if theirs.get(name) != target:
            words = {key: value for key, value in schemas[name].items() if key in DOCUMENTATION_KEYS}
            inlined[name] = {**schemas[target], **words}
    if inlined == schemas:
        return document
    return {**document, "components": {**document["components"], "schemas": inlined}}


def _operation_changes(base: JsonObject, head: JsonObject) -> list[Change]:
    old = {operation.operation_id: operation for operation in operations(base)}
    new = {operation.operation_id: operation for operation in operations(head)}
    changes = []
    for name in [*new, *old]:
        if (name in old) == (name in new):
            continue
        operation = new.get(name) or old[name]
        kind = "added" if name in new else "removed"
        looser: Effect = "looser" if kind == "added" else "stricter"  # an exchange of it is judged, or unrecognised
        changes.append(
            Change(
                kind,  # type: ignore[arg-type]
                operation.pointer,
                "operation",
                f"operation {name} ({operation.method} {operation.path}) {kind}",
                None if kind == "added" else name,
                name if kind == "added" else None,
                generated="additive" if kind == "added" else "breaking",
                # The tolerant reading judges types only: which operations there are is generated code's change.
                readings={"default": looser, "strict": looser, "tolerant": "none"},
            )
        )
    return changes


# The kinds of component a change adds or removes whole: a generated type, a parameter, a header.
_COMPONENT_KINDS = {"schemas": "schema", "parameters": "parameter", "headers": "header"}


def _component_changes(base: JsonObject, head: JsonObject) -> list[Change]:
    """Components added or removed: a schema is a generated type, whether or not an operation uses it; a parameter
    or a header is part of the operations that name it."""
    changes = []
    for kind, word in _COMPONENT_KINDS.items():
        old = base.get("components", {}).get(kind, {})
        new = head.get("components", {}).get(kind, {})
        for name in [*new, *old]:
            if (name in old) == (name in new):
                continue
            change = "added" if name in new else "removed"
            changes.append(
                Change(
                    change,  # type: ignore[arg-type]
                    f"/components/{kind}/{escape(name)}",
                    "schema" if kind == "schemas" else "component",
                    f"{word} {name} {change}",
                    None if change == "added" else name,
                    name if change == "added" else None,
                    generated="additive" if change == "added" else "breaking",
                )
            )
    return changes


def _documentation(pointer: str, keyword: str, base: Any, head: Any) -> Change:
    old = base.as_dict() if isinstance(base, Provenance) else base
    new = head.as_dict() if isinstance(head, Provenance) else head
    kind = "added" if old is None else "removed" if new is None else "changed"
    return Change(
        "documentation", pointer, keyword, f"{keyword} of {in_words(pointer) or 'the document'} {kind}", old, new
    )


def _documentation_changes(base: JsonObject, head: JsonObject) -> Iterator[Change]:
    old, new = dict(_documentation_of(base)), dict(_documentation_of(head))
    for key in [*new, *(key for key in old if key not in new)]:
        if old.get(key) != new.get(key):
            yield _documentation(*key, old.get(key), new.get(key))


def _documentation_of(node: Any, pointer: str = "") -> Iterator[tuple[tuple[str, str], Any]]:
    """(pointer, key) and value of every documenting key: what a change of words alone changes."""
    if isinstance(node, dict):
        for key, value in node.items():
            if (key in DOCUMENTATION_KEYS and not (key == "title" and isinstance(value, dict))) or key == "x-sources":
                yield (pointer, key), value
            elif key == "properties" and isinstance(value, dict):  # field names, which may be `title` or `example`
                for name, sub in value.items():
                    yield from _documentation_of(sub, f"{pointer}/properties/{escape(name)}")
            elif key != EXTENSION:
                yield from _documentation_of(value, f"{pointer}/{escape(key)}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _documentation_of(value, f"{pointer}/{index}")
