"""Checks of the contract document itself: OpenAPI validity, every rule with its provenance, and every example valid
against its schema."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema
from openapi_spec_validator import validate as validate_openapi
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from .document import ContractError, JsonObject, bundle_schema, resolve
from .operations import BARE_BODY_OPERATION, ERROR_CODE_PROPERTY, operations
from .pointers import escape, json_pointer
from .provenance import provenance_problems
from .walk import walk


@dataclass(frozen=True)
class Example:
    """One example of the document, where it stands and the schema it claims to satisfy."""

    pointer: str
    value: Any
    schema: JsonObject


@dataclass(frozen=True)
class LintProblem:
    """Something wrong with the contract document, at a JSON pointer into it."""

    pointer: str
    message: str


def iter_examples(document: JsonObject) -> Iterator[Example]:
    """Every example of the document: of parameters, headers and media types (`example` and `examples`), and the
    `examples` list of schemas."""
    for visit in walk(document, skip=frozenset({"example", "examples"})):
        node, pointer = visit.node, visit.pointer
        schema = node.get("schema")
        if isinstance(schema, dict):
            bundled = bundle_schema(document, schema)
            if "example" in node:
                yield Example(f"{pointer}/example", node["example"], bundled)
            for name, example in node.get("examples", {}).items():
                example = resolve(document, example)
                if "value" in example:
                    yield Example(f"{pointer}/examples/{escape(name)}/value", example["value"], bundled)
        if pointer.startswith("/components/schemas/") and pointer.count("/") == 3:
            for index, value in enumerate(node.get("examples", [])):
                yield Example(f"{pointer}/examples/{index}", value, bundle_schema(document, node))


def lint_document(document: JsonObject) -> list[LintProblem]:
    """All problems of the document: OpenAPI 3.1 validity first, then each rule that does not say where it comes
    from, then each example that its schema rejects."""
    try:
        validate_openapi(document)
    except OpenAPIValidationError as exc:
        where = json_pointer(exc.absolute_path)
        return [LintProblem(where, f"not a valid OpenAPI document: {exc.message}")]
    try:
        found = operations(document)
    except ContractError as exc:
        return [LintProblem(f"/{BARE_BODY_OPERATION}", str(exc))]
    problems = [LintProblem(pointer, message) for pointer, message in provenance_problems(document)]
    problems += _error_code_problems(document)
    if len(found) > 1 and found.bare() is None:
        problems.append(
            LintProblem(
                "",
                f"the document has {len(found)} operations and names none for bare bodies: set {BARE_BODY_OPERATION}",
            )
        )
    for example in iter_examples(document):
        validator = jsonschema.Draft202012Validator(example.schema, format_checker=jsonschema.FormatChecker())
        for error in validator.iter_errors(example.value):
            at = json_pointer(error.absolute_path) or "/"
            problems.append(LintProblem(example.pointer, f"example does not match its schema at {at}: {error.message}"))
    return problems


def _error_code_problems(document: JsonObject) -> list[LintProblem]:
    """An error body's code property must be one of its fields."""
    problems = []
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        named = schema.get(ERROR_CODE_PROPERTY) if isinstance(schema, dict) else None
        if named is not None and named not in schema.get("properties", {}):
            where = f"/components/schemas/{escape(name)}/{ERROR_CODE_PROPERTY}"
            problems.append(LintProblem(where, f"names {named!r}, which is no field of the schema"))
    return problems
