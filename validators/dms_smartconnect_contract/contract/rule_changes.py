"""What a change to the contract changes, rule by rule, and for whom (changes.py compares two versions whole).

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

from dataclasses import dataclass, field
from typing import Any, Literal

from .document import COMPONENTS_PREFIX, UNLISTED_VALUE, JsonObject
from .pointers import escape, unescape
from .provenance import Constraint, Provenance, iter_constraints

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


def rules_of(document: JsonObject) -> dict[tuple[str, str, Any], _Rule]:
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


def rule_change(kind: str, base: _Rule | None, head: _Rule | None) -> Change:
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


def in_words(pointer: str) -> str:
    """A rule's place in words: `ShowConnectorTaskResponse /properties/status`, `operation at /paths/...`."""
    component = _component(pointer)
    if component is not None:
        rest = pointer[len("/components/schemas/") + len(escape(component)) :]
        return f"{component}{' ' + rest if rest else ''}"
    return pointer


def _describe(kind: str, base: _Rule | None, head: _Rule | None) -> str:
    rule = head or base
    assert rule is not None
    where = in_words(rule.pointer)
    if rule.member is not None:
        return f"{_MEMBERS[rule.keyword]} {rule.member!r} {kind} ({rule.keyword} of {where})"
    if kind == "changed" and base is not None and head is not None:
        if base.value == head.value:
            old = base.provenance.kind if base.provenance else "no provenance"
            new = head.provenance.kind if head.provenance else "no provenance"
            return f"{rule.keyword} of {where}: {old} -> {new}"
        return f"{rule.keyword} of {where}: {base.value!r} -> {head.value!r}"
    return f"{rule.keyword} {rule.value!r} {kind} ({where})"
