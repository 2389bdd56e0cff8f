"""What a change to the contract changes, rule by rule, and for whom.

Two versions of the document are compared as the lists of their rules (`provenance.iter_constraints`: every keyword
that asserts something, with its provenance), their operations, their component schemas and their documentation.
A rule that holds a set (the values of an `enum`, the fields of `properties` and `required`, the statuses of an
operation) is one rule per member, so that a value removed is a change of its own. Each change says, for each kind
of reader, what it does:

- generated code (the models in every language, which read the tolerant reading): `breaking` when code written
  against the base may no longer compile or run (a field, an enumeration value, a schema, an operation or a status
  removed; a type changed; nullability removed), `additive` when it only gains (the same, added);
- each reading of the validators (`default`, `strict`, `tolerant`): `stricter` when it may now reject a body it
  accepted, `looser` when it may now accept one it rejected, `changed` when both can happen;
- documentation only: descriptions, summaries, examples, the words of a provenance.

From these, the version a release of the models needs: `major` (breaking for generated code), `minor` (any other
rule or operation changed), `patch` (documentation only), or `none`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from .document import COMPONENTS_PREFIX, UNLISTED_VALUE, JsonObject
from .operations import operations
from .pointers import escape, unescape
from .provenance import EXTENSION, Constraint, Provenance, iter_constraints

Generated = Literal["breaking", "additive", "none"]
Effect = Literal["stricter", "looser", "changed", "none"]
Bump = Literal["major", "minor", "patch", "none"]
READINGS = ("default", "strict", "tolerant")
BUMPS: tuple[Bump, ...] = ("none", "patch", "minor", "major")

# Keywords whose value only grows stricter upwards (a higher minimum rejects more), and the reverse.
_LOWER_BOUNDS = frozenset({"minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"})
_UPPER_BOUNDS = frozenset({"maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"})
# Keywords that hold a set: each member is a rule of its own.
_MEMBERS = {"enum": "value", "required": "required field", "properties": "field", "responses": "status"}
# Keywords that document and assert nothing.
DOCUMENTATION_KEYS = frozenset({"description", "summary", "title", "example", "examples", "externalDocs"})


@dataclass(frozen=True)
class Change:
    """One rule-level difference between two versions of the contract, and what it does to each reader."""

    change: Literal["added", "removed", "changed", "documentation"]
    pointer: str  # the node that holds the rule, in the version that has it (the head's when both do)
    keyword: str
    what: str  # the change in words
    base: Any = None  # the rule's value (or member) in the base, None when it has none
    head: Any = None
    base_provenance: Provenance | None = None
    head_provenance: Provenance | None = None
    generated: Generated = "none"
    readings: dict[str, Effect] = field(default_factory=lambda: dict.fromkeys(READINGS, "none"))

    @property
    def bump(self) -> Bump:
        """The version this change alone asks of the models."""
        if self.generated == "breaking":
            return "major"
        if self.generated == "additive" or any(effect != "none" for effect in self.readings.values()):
            return "minor"
        return "patch"

    @property
    def breaking(self) -> bool:
        """Whether code generated from the base may break on the head."""
        return self.generated == "breaking"


def bump_of(changes: list[Change]) -> Bump:
    """The version a release needs for all of `changes`: the largest any of them asks."""
    return max((change.bump for change in changes), key=BUMPS.index, default="none")


def version_moves(base: str, head: str) -> Bump:
    """How far `head` moves from `base` as semantic versions (`1.2.0` to `1.3.0`: minor); `none` when it does not
    move forward."""
    old, new = _version(base), _version(head)
    if new <= old:
        return "none"
    for bump, index in (("major", 0), ("minor", 1)):
        if new[index] != old[index]:
            return bump  # type: ignore[return-value]
    return "patch"


def _version(text: str) -> tuple[int, int, int]:
    parts = [int(part) if part.isdigit() else 0 for part in str(text).split("-")[0].split(".")[:3]]
    major, minor, patch = [*parts, 0, 0, 0][:3]
    return major, minor, patch


# --- the rules of one version -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    pointer: str
    keyword: str
    member: Any  # the member of a set-valued rule, or None for a whole rule
    value: Any
    provenance: Provenance | None
    open_enum: bool  # an enumeration every use of which admits an unlisted value (the default reading does)


def _key(member: Any) -> Any:
    return repr(member) if isinstance(member, (dict, list)) else member


def _rules(document: JsonObject) -> dict[tuple[str, str, Any], _Rule]:
    open_enums = _open_enums(document)
    rules: dict[tuple[str, str, Any], _Rule] = {}
    for constraint in iter_constraints(document):
        provenance = _provenance(constraint)
        is_open = constraint.keyword == "enum" and _component(constraint.pointer) in open_enums
        members = _members(constraint)
        if members is None:
            value = constraint.value
            if constraint.keyword == "type" and isinstance(value, list):
                value = sorted(value, key=str)  # the same types in another order are the same rule
            rule = _Rule(constraint.pointer, constraint.keyword, None, value, provenance, is_open)
            rules[(constraint.pointer, constraint.keyword, None)] = rule
            continue
        for member in members:
            rule = _Rule(constraint.pointer, constraint.keyword, member, member, provenance, is_open)
            rules[(constraint.pointer, constraint.keyword, _key(member))] = rule
    return rules


def _members(constraint: Constraint) -> list[Any] | None:
    value = constraint.value
    if constraint.keyword not in _MEMBERS:
        return None
    if constraint.keyword == "properties":
        return list(value) if isinstance(value, dict) else None
    return list(value) if isinstance(value, list) else None


def _provenance(constraint: Constraint) -> Provenance | None:
    try:
        return constraint.provenance
    except Exception:  # a malformed entry is lint's to report; here it is a rule of unknown provenance
        return None


def _component(pointer: str) -> str | None:
    prefix = "/components/schemas/"
    if not pointer.startswith(prefix):
        return None
    return unescape(pointer[len(prefix) :].split("/")[0])


def _open_enums(document: JsonObject) -> set[str]:
    """The component schemas used beside UnlistedValue in an `anyOf`: enumerations the default reading keeps open."""
    found: set[str] = set()
    unlisted = COMPONENTS_PREFIX + UNLISTED_VALUE
    stack: list[Any] = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            members = node.get("anyOf")
            if isinstance(members, list) and any(isinstance(m, dict) and m.get("$ref") == unlisted for m in members):
                found |= {m["$ref"][len(COMPONENTS_PREFIX) :] for m in members
                          if isinstance(m, dict) and isinstance(m.get("$ref"), str) and m["$ref"] != unlisted}  # fmt: skip
            stack.extend(value for key, value in node.items() if key not in DOCUMENTATION_KEYS)
        elif isinstance(node, list):
            stack.extend(node)
    return found


# --- what a rule's change does --------------------------------------------------------------------------------------


def _applies(rule: _Rule, reading: str) -> bool:
    """Whether a reading enforces the rule at all."""
    if rule.keyword == "properties":
        return reading == "strict"  # only the strict reading is closed: a field it does not list is drift
    if reading == "tolerant":
        return rule.keyword == "type"
    if reading == "default":
        inferred = rule.provenance is not None and rule.provenance.kind == "inferred"
        return not inferred and not rule.open_enum
    return True


def _types(value: Any) -> set[str]:
    types = set(value) if isinstance(value, list) else {value}
    return types | {"integer"} if "number" in types else types


def _value_effect(keyword: str, base: Any, head: Any) -> Effect:
    """What a rule's new value does to a reading that enforces it."""
    if keyword == "type":
        old, new = _types(base), _types(head)
        if old == new:  # the same types in another order
            return "none"
        return "stricter" if new < old else "looser" if new > old else "changed"
    both_numbers = isinstance(base, (int, float)) and isinstance(head, (int, float))
    if keyword in _LOWER_BOUNDS and both_numbers:
        return "stricter" if head > base else "looser"
    if keyword in _UPPER_BOUNDS and both_numbers:
        return "stricter" if head < base else "looser"
    return "changed"


def _presence_effect(rule: _Rule, added: bool) -> Effect:
    """What a rule (or member) added or removed does to a reading that enforces it."""
    # A member of these sets admits what it names: another value, a field the strict reading no longer calls drift,
    # a status the operation may answer. A required field, like any other rule, asserts.
    admits = rule.keyword in ("enum", "properties", "responses")
    return ("looser" if admits else "stricter") if added else ("stricter" if admits else "looser")


def _generated_effect(change: str, keyword: str, base: Any, head: Any) -> Generated:
    """What the change does to generated code (the tolerant reading's types, fields, values and operations)."""
    if keyword in ("enum", "properties", "responses"):
        return "additive" if change == "added" else "breaking" if change == "removed" else "none"
    if keyword == "type":
        if change != "changed":
            return "breaking"  # a field that gains or loses its type is another type in every language
        if _types(base) == _types(head):
            return "none"
        old, new = _types(base) - {"null"}, _types(head) - {"null"}
        if old == new:  # only the null: admitting it adds, refusing it breaks code that read a null as absent
            return "additive" if "null" in _types(head) else "breaking"
        return "breaking"
    return "none"


def _change(kind: str, base: _Rule | None, head: _Rule | None) -> Change:
    rule = head or base
    assert rule is not None
    readings: dict[str, Effect] = {}
    for reading in READINGS:
        before, after = base is not None and _applies(base, reading), head is not None and _applies(head, reading)
        if kind == "changed" and before and after:
            readings[reading] = (
                _value_effect(rule.keyword, base.value, head.value)  # type: ignore[union-attr]
                if base.value != head.value  # type: ignore[union-attr]
                else "none"
            )
        elif after and not before:
            readings[reading] = _presence_effect(rule, True) if base is None or kind == "added" else "stricter"
        elif before and not after:
            readings[reading] = _presence_effect(rule, False) if head is None or kind == "removed" else "looser"
        else:
            readings[reading] = "none"
    values_changed = base is not None and head is not None and base.value != head.value
    generated = (
        _generated_effect(kind, rule.keyword, base.value if base else None, head.value if head else None)
        if kind != "changed" or values_changed
        else "none"
    )
    return Change(
        kind,  # type: ignore[arg-type]
        rule.pointer,
        rule.keyword,
        _describe(kind, base, head),
        base.value if base else None,
        head.value if head else None,
        base.provenance if base else None,
        head.provenance if head else None,
        generated,
        readings,
    )


def _where(pointer: str) -> str:
    """A rule's place in words: `ShowConnectorTaskResponse /properties/status`, `operation at /paths/...`."""
    component = _component(pointer)
    if component is not None:
        rest = pointer[len("/components/schemas/") + len(escape(component)) :]
        return f"{component}{' ' + rest if rest else ''}"
    return pointer


def _describe(kind: str, base: _Rule | None, head: _Rule | None) -> str:
    rule = head or base
    assert rule is not None
    where = _where(rule.pointer)
    if rule.member is not None:
        return f"{_MEMBERS[rule.keyword]} {rule.member!r} {kind} ({rule.keyword} of {where})"
    if kind == "changed" and base is not None and head is not None:
        if base.value == head.value:
            old = base.provenance.kind if base.provenance else "no provenance"
            new = head.provenance.kind if head.provenance else "no provenance"
            return f"{rule.keyword} of {where}: {old} -> {new}"
        return f"{rule.keyword} of {where}: {base.value!r} -> {head.value!r}"
    return f"{rule.keyword} {rule.value!r} {kind} ({where})"


# --- the whole comparison -----------------------------------------------------------------------------------------


def contract_changes(base: JsonObject, head: JsonObject) -> list[Change]:
    """Every rule-level difference from `base` to `head`, in the head's document order (removals after). A schema
    that is another under its own name (`allOf` of one `$ref`) in one version only is compared as that schema:
    generated code makes it a subclass or an alias, with the same fields, so moving fields into a shared schema
    changes nothing."""
    base, head = _aliases_inlined(base, head), _aliases_inlined(head, base)
    old, new = _rules(base), _rules(head)
    changes: list[Change] = []
    changes += _operation_changes(base, head)
    changes += _component_changes(base, head)
    for key, rule in new.items():
        before = old.get(key)
        if before is None:
            changes.append(_change("added", None, rule))
        elif before.value != rule.value or before.provenance != rule.provenance:
            kinds_differ = (before.provenance and before.provenance.kind) != (rule.provenance and rule.provenance.kind)
            if before.value != rule.value or kinds_differ:
                changes.append(_change("changed", before, rule))
            else:  # the same rule, its sources or evidence reworded
                changes.append(_documentation(rule.pointer, EXTENSION, before.provenance, rule.provenance))
    changes += [_change("removed", rule, None) for key, rule in old.items() if key not in new]
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
        "documentation", pointer, keyword, f"{keyword} of {_where(pointer) or 'the document'} {kind}", old, new
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
