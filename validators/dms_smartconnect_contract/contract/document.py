"""Read the OpenAPI document, resolve its references, and bundle its parts into self-contained JSON Schemas."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

OPERATION_ID = "ShowConnectorTask"
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
COMPONENTS_PREFIX = "#/components/schemas/"
# The alternative that keeps enumerations open for consumers; validators drop it to close the contract.
UNLISTED_VALUE = "UnlistedValue"

JsonObject = dict[str, Any]


class ContractError(Exception):
    """The contract document cannot be read or lacks what the toolkit needs."""


def packaged_contract_path() -> Path:
    """Path of the contract copy that `make generate` places inside the models package.

    Found without importing the package: importing it would load pydantic and the models, which cost more start-up
    time than the whole validation of a small file.
    """
    spec = importlib.util.find_spec("dms_smartconnect_models")
    if spec is None or not spec.submodule_search_locations:
        raise ContractError("the models package dms_smartconnect_models is not installed; pass --contract")
    return Path(next(iter(spec.submodule_search_locations))) / "openapi.json"


def read_document(path: Path | None = None) -> JsonObject:
    """Read an OpenAPI document (YAML or JSON); the packaged copy when no path is given."""
    source = path or packaged_contract_path()
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContractError(f"cannot read contract {source}: {getattr(exc, 'strerror', None) or exc}") from exc
    if source.suffix == ".json":
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise ContractError(f"contract {source} is not valid JSON: {exc}") from exc
    else:
        import yaml  # here: the packaged contract is JSON, and validate's start-up need not pay for YAML

        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ContractError(f"contract {source} is not valid YAML: {exc}") from exc
    if not isinstance(document, dict) or "paths" not in document:
        raise ContractError(f"contract {source} is not an OpenAPI document (no 'paths')")
    return document


def escape(token: str | int) -> str:
    """One reference token of a JSON pointer (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def json_pointer(tokens: Iterable[str | int]) -> str:
    """The JSON pointer of a path: `/a/b~1c` for ("a", "b/c"); the empty string for the root."""
    return "".join("/" + escape(token) for token in tokens)


def unescape(token: str) -> str:
    """One reference token of a JSON pointer, read back (RFC 6901: `~1` before `~0`)."""
    return token.replace("~1", "/").replace("~0", "~")


def at_pointer(document: Any, pointer: str) -> Any:
    """The node a JSON pointer names (`/a/0/b~1c`), array indexes included; KeyError or IndexError if none."""
    node = document
    for token in pointer.split("/")[1:] if pointer else []:
        part = unescape(token)
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def resolve(document: JsonObject, node: Any) -> Any:
    """Follow a local `$ref` (to any depth) and return the node it points at."""
    seen: set[str] = set()
    while isinstance(node, dict) and "$ref" in node and len(node) == 1:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/") or ref in seen:
            raise ContractError(f"unsupported or circular $ref {ref!r}")
        seen.add(ref)
        node = at_pointer(document, ref[1:])
    return node


def _component_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(COMPONENTS_PREFIX):
            yield ref[len(COMPONENTS_PREFIX) :]
        for value in node.values():
            yield from _component_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _component_refs(value)


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        out = {key: _rewrite_refs(value) for key, value in node.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith(COMPONENTS_PREFIX):
            out["$ref"] = "#/$defs/" + ref[len(COMPONENTS_PREFIX) :]
        return out
    if isinstance(node, list):
        return [_rewrite_refs(value) for value in node]
    return node


def bundle_schema(document: JsonObject, schema: JsonObject, **top: Any) -> JsonObject:
    """A self-contained JSON Schema 2020-12 for `schema`: every component it reaches is copied into `$defs`.

    `top` adds keywords (such as `$id`, `title`, `$comment`) in front of the schema's own.
    """
    components = document.get("components", {}).get("schemas", {})
    needed: dict[str, JsonObject] = {}
    pending = list(_component_refs(schema))
    while pending:
        name = pending.pop()
        if name in needed:
            continue
        if name not in components:
            raise ContractError(f"$ref to missing component schema {name!r}")
        needed[name] = components[name]
        pending.extend(_component_refs(components[name]))
    bundled: JsonObject = {"$schema": SCHEMA_DIALECT, **top}
    # _rewrite_refs builds new dicts and lists all the way down: the bundle shares nothing mutable with the document.
    bundled.update(_rewrite_refs(schema))
    if needed:
        bundled["$defs"] = {name: _rewrite_refs(needed[name]) for name in sorted(needed)}
    return bundled


@dataclass(frozen=True)
class ResponseSpec:
    """What the contract says of one documented status of the operation."""

    status: str
    description: str
    media_types: dict[str, JsonObject]  # media type -> bundled body schema
    # lower-cased header name -> {"name", "required": bool, "schema": bundled schema, "x-provenance": of required}
    headers: dict[str, JsonObject]


@dataclass(frozen=True)
class Operation:
    """The contract's operation, with its parameters and responses resolved."""

    method: str
    path: str
    operation_id: str
    parameters: dict[str, JsonObject]  # path parameter name -> bundled schema
    responses: dict[str, ResponseSpec]
    extensions: JsonObject  # the operation's own x- keywords (x-provenance of its statuses and media types)


def find_operation(document: JsonObject, operation_id: str = OPERATION_ID) -> Operation:
    """Find the operation with `operation_id` and resolve its parameters and responses."""
    for path, item in document.get("paths", {}).items():
        for method, op in item.items():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                return Operation(
                    method=method.upper(),
                    path=path,
                    operation_id=operation_id,
                    parameters=_parameters(document, [*item.get("parameters", []), *op.get("parameters", [])]),
                    responses={
                        str(status): _response(document, str(status), resolve(document, response))
                        for status, response in op.get("responses", {}).items()
                    },
                    extensions={key: value for key, value in op.items() if key.startswith("x-")},
                )
    raise ContractError(f"the contract has no operation {operation_id!r}")


def _parameters(document: JsonObject, raw: list[Any]) -> dict[str, JsonObject]:
    out: dict[str, JsonObject] = {}
    for entry in raw:
        param = resolve(document, entry)
        if param.get("in") == "path":
            out[param["name"]] = bundle_schema(document, param.get("schema", {}))
    return out


def _response(document: JsonObject, status: str, response: JsonObject) -> ResponseSpec:
    media_types = {
        # The component itself becomes the root, so that schema paths start at its keywords.
        media_type.lower(): bundle_schema(document, resolve(document, body.get("schema", {})))
        for media_type, body in response.get("content", {}).items()
    }
    headers = {}
    for name, raw in response.get("headers", {}).items():
        header = resolve(document, raw)
        headers[name.lower()] = {
            "name": name,
            "required": bool(header.get("required", False)),
            "schema": bundle_schema(document, resolve(document, header.get("schema", {}))),
            "x-provenance": header.get("x-provenance", {}),
        }
    return ResponseSpec(status, response.get("description", ""), media_types, headers)
