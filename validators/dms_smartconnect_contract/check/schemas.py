"""Compiled JSON Schemas behind one interface: jsonschema-rs (fast) or jsonschema (reference), errors engine-neutral."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..contract import JsonObject, lookup
from ..contract.provenance import Provenance
from .options import Engine

_MISSING: Any = object()


@dataclass(frozen=True, slots=True)
class SchemaError:
    """A schema violation in engine-neutral form."""

    keyword: str
    path: tuple[str | int, ...]  # into the instance
    schema_path: tuple[str | int, ...]  # into the bundled schema; "$ref" steps are followed
    instance: Any


@lru_cache(maxsize=1)
def ecma_validator() -> Any:
    """python-jsonschema's Draft 2020-12 validator with `pattern` read as ECMA 262, as JSON Schema specifies.

    Python's `re` lets `$` match before a final newline (and `.`, `\\d`, `\\w` differ); jsonschema-rs and Ajv follow
    ECMA 262, so the reference engine must too. `regress` is an ECMA 262 regex engine.
    """
    import jsonschema
    import regress
    from jsonschema.exceptions import ValidationError

    compiled = lru_cache(maxsize=None)(regress.Regex)

    def pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
        if validator.is_type(instance, "string") and compiled(pattern).find(instance) is None:
            yield ValidationError(f"{instance!r} does not match {pattern!r}")

    return jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": pattern})  # type: ignore[no-untyped-call]


class SchemaValidator:
    """A compiled body or header schema, fast (jsonschema-rs) or reference (jsonschema), with neutral errors."""

    def __init__(self, schema: JsonObject, engine: Engine) -> None:
        self.schema = schema
        self.engine = engine
        # Where the rule at a schema path comes from, filled by explain.rule_provenance as errors arrive.
        self.provenance_cache: dict[tuple[tuple[str | int, ...], str], Provenance] = {}
        # Explanations of errors already seen, filled by explain.explain_cached (the fast path's).
        self.explanations: dict[Any, Any] = {}
        self.stubs: dict[Any, Any] = {}  # the same without messages, filled by explain.stubs_cached
        self._nodes: dict[tuple[str | int, ...], Any] = {}
        self._refs: dict[str, Any] = {}
        if engine != "reference":
            import jsonschema_rs

            self._rs = jsonschema_rs.validator_for(schema)
            self.is_valid: Callable[[Any], bool] = self._rs.is_valid
        else:
            self._py = ecma_validator()(schema)
            self.is_valid = self._py.is_valid

    def errors(self, instance: Any) -> Iterator[SchemaError]:
        if self.engine != "reference":
            for error in self._rs.iter_errors(instance):
                path = tuple(error.schema_path)
                last = path[-1]
                keyword = last if type(last) is str else next(str(p) for p in reversed(path) if isinstance(p, str))
                yield SchemaError(keyword, tuple(error.instance_path), path, error.instance)
        else:
            # jsonschema reports a failed `allOf` branch (a single remaining alternative) as its own error already.
            for error in self._py.iter_errors(instance):
                path = tuple(error.absolute_schema_path)
                yield SchemaError(str(error.validator), tuple(error.absolute_path), path, error.instance)

    def at(self, schema_path: tuple[str | int, ...]) -> Any:
        """The schema node at a schema path, following `$ref` steps into `$defs` (remembered per path)."""
        found = self._nodes.get(schema_path, _MISSING)
        if found is _MISSING:
            found = self._nodes[schema_path] = self._at(schema_path)
        return found

    def _at(self, schema_path: tuple[str | int, ...]) -> Any:
        node: Any = self.schema
        for part in schema_path:
            if isinstance(node, dict) and "$ref" in node and part not in node:
                node = self.deref(node["$ref"])
            node = node[part]
            if part == "$ref":
                node = self.deref(node)
        # A path may end on a node that only refers to the schema it means (the reference engine omits the hop).
        while isinstance(node, dict) and "$ref" in node and "properties" not in node:
            node = self.deref(node["$ref"])
        return node

    def deref(self, ref: str) -> Any:
        """The node a local reference points at (a `$defs` entry of the bundled schema), remembered per reference."""
        found = self._refs.get(ref, _MISSING)
        if found is _MISSING:
            found = self._refs[ref] = lookup(self.schema, ref)
        return found


def json_type(value: Any) -> str:
    """The JSON type name of a decoded value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"
