"""Making probes: which failure shapes a probe can recognise again, decided on the schema (see probe.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..contract import ContractError, JsonObject, lookup
from ..contract.provenance import RULE_BODIES
from .probe import Mend, Place, Probe
from .schemas import SchemaError

_SCALARS = (str, int, float, bool, type(None))


_JSON_TYPES: dict[type, tuple[str, ...]] = {
    str: ("string",),
    int: ("integer", "number"),
    float: ("number",),
    bool: ("boolean",),
    type(None): ("null",),
}


# Keywords that read a value of a JSON type (beside `type` itself).
_READS = {
    "string": {"pattern", "minLength", "maxLength", "contentEncoding", "contentMediaType"},
    "number": {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"},
}  # `format` is an annotation in every reading of the contract (JSON Schema 2020-12's default)


_READS_ANY = {"enum", "const", "not", "if", "oneOf", "allOf", "$ref", "properties", "items", "required"}


_ANNOTATIONS = {"description", "title", "examples", "example", "$comment", "default", "deprecated", "format"}


class ProbeMaker:
    """Makes probes for one body schema (the contract as written, every rule, open)."""

    def __init__(
        self,
        schema: JsonObject,
        quick: Callable[[Any], bool],
        closed: JsonObject,
        compile_: Callable[[JsonObject], Callable[[Any], bool]],
    ) -> None:
        """`schema`: the contract as written; `quick` checks the strict reading, `closed` is that reading flattened
        (as `quick` checks it) and `compile_` compiles a relaxed copy of it."""
        self.schema = schema
        self.quick = quick
        self.closed, self.compile = closed, compile_
        self._good: dict[tuple[Place, type], Any] = {}
        self._conditioned = _conditioned_paths(schema)
        self._relaxed: dict[tuple[tuple[Any, ...], ...], Callable[[Any], bool] | None] = {}

    def learn(
        self,
        body: Any,
        errors: Sequence[tuple[SchemaError, Sequence[tuple[Any, ...]]]],
        drift: Sequence[Mend | None],
        shape: Any,
    ) -> Probe | None:
        """A probe for the shape of `body`: `errors` with the findings each gave, `drift` as the walk's mends (None
        for a drift no mend covers). None when a failure is one a probe cannot check."""
        mends: list[Mend] = []
        for error, found in errors:
            path, kind = error.path, type(error.instance)
            if len(found) != 1 or found[0][0] != "schema.type" or kind not in _SCALARS:
                return None
            if not path or not all(type(part) is str for part in path):
                return None
            place: Place = (tuple(str(part) for part in path[:-1]), str(path[-1]))
            good = self._good_value(place, kind)
            if good is _NONE:
                return None
            mends.append(("set", place[0], place[1], kind, good))
        mended = {(mend[1], mend[2]) for mend in mends}
        for mend in drift:
            if mend is None:
                return None
            if mend[0] == "same":  # a value of another type: the `set` at the same place must account for it
                if (mend[1], mend[2]) not in mended:
                    return None
                continue
            if _conditioned((*mend[1], mend[2]), self._conditioned):
                return None
            if mend[0] == "drop" and _keys_read(mend[1], self._conditioned):
                return None
            mends.append(mend)
        if not mends or not all(_plain(self.closed, mend) for mend in mends):
            return None
        probe = Probe(tuple(mends), shape, self.quick, self.relaxed)
        return probe if probe.holds(body) else None

    def relaxed(self, mends: tuple[Mend, ...]) -> Callable[[Any], bool] | None:
        """The check of the strict reading relaxed at the places of `mends` (see the module's note), compiled once per
        set of places; None where a place is not found where the mend expects it."""
        key = tuple(mend[:3] for mend in mends)
        if key not in self._relaxed:
            if len(self._relaxed) >= _CACHED:
                self._relaxed.clear()
            schema = _relax(self.closed, mends)
            self._relaxed[key] = self.compile(schema) if schema is not None else None
        return self._relaxed[key]

    def _good_value(self, place: Place, kind: type) -> Any:
        key = (place, kind)
        if key not in self._good:
            self._good[key] = self._find_good(place, kind)
        return self._good[key]

    def _find_good(self, place: Place, kind: type) -> Any:
        path = (*place[0], place[1])
        if _conditioned(path, self._conditioned):
            return _NONE
        node: Any = self.schema
        for key in path:
            node = self._resolve(node)
            if (
                node is None
                or set(node) & {"anyOf", "oneOf", "not", "if"}
                or ("allOf" in node and not _only_rules(node["allOf"]))
            ):
                return _NONE
            node = node.get("properties", {}).get(key)
            if node is None:
                return _NONE
        return self._candidate(self._resolve(node), kind)

    def _resolve(self, node: Any) -> dict[str, Any] | None:
        """A schema node with its `$ref` followed (into the components it was bundled with), each node's keywords
        beside its reference kept over its target's; None for a reference that goes round or points at nothing."""
        seen: list[str] = []
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if ref in seen:
                return None
            seen.append(ref)
            try:
                found = lookup(self.schema, ref)
            except ContractError:
                return None
            node = {**found, **{key: value for key, value in node.items() if key != "$ref"}}
        return node if isinstance(node, dict) else None

    def _candidate(self, node: dict[str, Any] | None, kind: type) -> Any:
        """A good value for the node, when a value of `kind` fails it by its type alone; else _NONE."""
        if node is None:
            return _NONE
        node = _with_members(node)
        wrong = _JSON_TYPES[kind]
        if "anyOf" in node:
            alternatives = [self._resolve(alternative) for alternative in node["anyOf"]]
            if any(alt is None or set(alt) - _ANNOTATIONS - {"type", "enum"} - _extension(alt) for alt in alternatives):
                return _NONE
            if any(not _declared(alt) or _may_accept(_declared(alt), kind) for alt in alternatives if alt):
                return _NONE
            rest = set(node) - {"anyOf"} - _ANNOTATIONS - _extension(node)
            first = alternatives[0] or {}
            good = first["enum"][0] if first.get("enum") else _default_of(_declared(first)[0], first)
            return good if not rest else _NONE
        declared = _declared(node)
        if not declared or _may_accept(declared, kind):
            return _NONE
        reads = _READS_ANY | {keyword for json_type in wrong for keyword in _READS.get(json_type, ())}
        if "integer" in wrong:
            reads |= _READS["number"]
        if set(node) & reads:
            return _NONE
        return _default_of(declared[0], node)


_NONE: Any = object()


_CACHED = 256  # relaxed readings kept; the cache starts over when full


# Keywords of an object that read a field's value by its name, and those that read its size or field names: mending
# a field of it could hide what they say of the body as it is.
_BY_NAME = frozenset({"patternProperties", "dependentSchemas", "unevaluatedProperties"})


_BY_PRESENCE = _BY_NAME | {"minProperties", "maxProperties", "propertyNames", "dependentRequired"}


_STRING_RULE_FREE = frozenset({"type", "enum"})


def _plain(closed: JsonObject, mend: Mend) -> bool:
    """Whether mending the place (in the flattened strict reading) hides nothing else the reading says of the body:
    no keyword of its object reads the field by its name (or, to drop it, the object's size or names), and a value
    put in the list was read by the list alone."""
    holder: Any = closed
    for key in mend[1]:
        holder = holder.get("properties", {}).get(key) if isinstance(holder, dict) else None
    if not isinstance(holder, dict) or set(holder) & (_BY_PRESENCE if mend[0] == "drop" else _BY_NAME):
        return False
    if mend[0] != "listed":
        return True
    rule = holder.get("properties", {}).get(mend[2])
    return isinstance(rule, dict) and not set(rule) - _STRING_RULE_FREE


def _relax(closed: JsonObject, mends: tuple[Mend, ...]) -> JsonObject | None:
    """A copy of the flattened strict reading (nodes copied along the routes only) that admits each undocumented
    field, any value where a wrong type was set, and any string where an unlisted value was listed."""
    root = dict(closed)
    for mend in mends:
        node = root
        for key in mend[1]:
            below = node.get("properties")
            if not isinstance(below, dict) or not isinstance(below.get(key), dict):
                return None
            below = node["properties"] = dict(below)
            node = below[key] = dict(below[key])
        fields = node.get("properties", {})
        if not isinstance(fields, dict):
            return None
        fields = node["properties"] = dict(fields)
        field, rule = mend[2], fields.get(mend[2])
        if mend[0] == "drop":
            if rule is not None:
                return None
            fields[field] = True
        elif mend[0] == "set":
            if rule is None:
                return None
            fields[field] = True
        else:
            if not isinstance(rule, dict) or "enum" not in rule:
                return None
            fields[field] = {keyword: value for keyword, value in rule.items() if keyword != "enum"}
    return root


def _extension(node: dict[str, Any]) -> set[str]:
    return {key for key in node if key.startswith("x-")}


def _may_accept(declared: list[str], kind: type) -> bool:
    """Whether a value of `kind` may have one of the declared types (2.0 is an integer: a float's type alone does not
    tell)."""
    return bool(set(declared) & set(_JSON_TYPES[kind])) or (kind is float and "integer" in declared)


def _declared(node: dict[str, Any]) -> list[str]:
    types = node.get("type")
    return [types] if isinstance(types, str) else list(types) if isinstance(types, list) else []


_LOWER, _UPPER = frozenset({"minimum", "exclusiveMinimum"}), frozenset({"maximum", "exclusiveMaximum"})


def _with_members(node: dict[str, Any]) -> dict[str, Any]:
    """A node with the members of its `allOf` that are plain rules (a format's bounds, say: no reference, alternative
    or condition) read as its own keywords, the tighter of two bounds kept; the node as it is when a member is not
    plain or two say different things of one keyword (the reads it then has refuse a probe)."""
    members = node.get("allOf")
    if not isinstance(members, list):
        return node
    merged = {key: value for key, value in node.items() if key != "allOf"}
    for member in members:
        if not isinstance(member, dict) or set(member) & {"$ref", "anyOf", "oneOf", "not", "if", "allOf"}:
            return node
        for key, value in member.items():
            if key.startswith("x-"):
                continue
            if key in merged and key in _LOWER | _UPPER:
                merged[key] = max(merged[key], value) if key in _LOWER else min(merged[key], value)
            elif key in merged and merged[key] != value:
                return node
            else:
                merged[key] = value
    return merged


def _default_of(json_type: str, node: dict[str, Any]) -> Any:
    """A value of a type that the node's rules accept: the smallest one its bounds allow."""
    if json_type in ("integer", "number"):
        low = node.get("minimum", node.get("exclusiveMinimum", -1) + 1 if "exclusiveMinimum" in node else 0)
        return int(low) if json_type == "integer" else float(low)
    return {"string": "", "boolean": False, "null": None}.get(json_type, _NONE)


def _only_rules(members: list[Any]) -> bool:
    """Whether an allOf holds conditional rules only (which the conditioned paths account for)."""
    return all(isinstance(member, dict) and "if" in member for member in members)


# Keywords with which a rule reads more of an object or array than its type, size and field names.
_DEEP = frozenset(
    {"const", "enum", "items", "prefixItems", "contains", "patternProperties", "additionalProperties",
     "unevaluatedProperties", "unevaluatedItems", "dependentSchemas", "if", "$ref"}
)  # fmt: skip


# Keywords with which a rule reads an object's field names.
_KEYS = frozenset({"propertyNames", "minProperties", "maxProperties", "dependentRequired", "patternProperties",
                   "additionalProperties", "unevaluatedProperties"})  # fmt: skip


Read = tuple[tuple[str, ...], bool, bool]  # a path a rule reads, whether deep, whether it reads field names


def _conditioned_paths(schema: JsonObject) -> list[Read]:
    """Every path a conditional rule reads (`if`, `then`, `else` of the body's objects), whether it reads the values
    under it (deep) or only the value's type, size and field names, and whether it reads the field names: a value
    the rule reads may change its verdict."""
    found: list[Read] = []

    def touched(node: Any, path: tuple[str, ...]) -> None:
        # A boolean schema reads the value too (its presence); `properties` and the applicators are followed below.
        keys = set(node) if isinstance(node, dict) else set()
        found.append((path, bool(_DEEP & keys), bool(_KEYS & keys)))
        if not isinstance(node, dict):
            return
        for name in node.get("required", []):
            found.append(((*path, name), False, False))
        for name, sub in node.get("properties", {}).items():
            touched(sub, (*path, name))
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in node.get(key, []):
                touched(sub, path)
        if "not" in node:
            touched(node["not"], path)

    def walk(node: Any, path: tuple[str, ...], seen: frozenset[str]) -> None:
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if isinstance(ref, str) and ref not in seen:
            walk(lookup(schema, ref), path, seen | {ref})
        for member in node.get("allOf", []):
            if isinstance(member, dict) and "if" in member:
                for key in RULE_BODIES & set(member):
                    touched(member[key], path)
            else:
                walk(member, path, seen)
        for name, sub in node.get("properties", {}).items():
            walk(sub, (*path, name), seen)

    walk(schema, (), frozenset())
    return found


def _conditioned(path: tuple[str, ...], conditioned: list[Read]) -> bool:
    """Whether a conditional rule reads the value at `path`: at it, under it, or over it with a deep keyword."""
    return any(read[: len(path)] == path or (deep and path[: len(read)] == read) for read, deep, _ in conditioned)


def _keys_read(path: tuple[str, ...], conditioned: list[Read]) -> bool:
    """Whether a conditional rule reads the field names of the object at `path`."""
    return any(read == path and keys for read, _, keys in conditioned)
