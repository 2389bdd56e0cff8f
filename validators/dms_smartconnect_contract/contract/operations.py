"""Every operation of the contract, read from the document: its method, its path and the matcher of that path, its
parameters and responses, resolved. Nothing outside the document names an operation: whoever judges, serves or
tests traffic iterates these.

Bare bodies (a body file, a bare JSONL line) record no request, so they need an operation: the one `--operation`
names, else the one the document names in its top-level `x-bare-body-operation`, else the only one it has.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .document import ContractError, JsonObject, bundle_schema, resolve, target
from .pointers import escape

BARE_BODY_OPERATION = "x-bare-body-operation"
# On an error body's schema: the field that carries the error code, quoted to say why a request was refused.
ERROR_CODE_PROPERTY = "x-error-code-property"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class ResponseSpec:
    """What the contract says of one documented status of an operation."""

    status: str
    description: str
    media_types: dict[str, JsonObject]  # media type -> bundled body schema
    # lower-cased header name -> {"name", "required": bool, "schema": bundled schema, "x-provenance": of required}
    headers: dict[str, JsonObject]
    schema_names: dict[str, str] = field(default_factory=dict)  # media type -> the component its body refers to


@dataclass(frozen=True)
class Operation:
    """One operation of the contract, with its parameters and responses resolved."""

    method: str
    path: str
    operation_id: str
    parameters: dict[str, JsonObject] = field(repr=False)  # path parameter name -> bundled schema
    query: dict[str, JsonObject] = field(repr=False)  # query parameter name -> bundled schema
    responses: dict[str, ResponseSpec] = field(repr=False)
    extensions: JsonObject = field(repr=False)  # its own x- keywords (x-provenance of its statuses and media types)
    raw: JsonObject = field(repr=False, compare=False, default_factory=dict)  # the operation object as written
    required_query: frozenset[str] = field(repr=False, default=frozenset())
    # What a request must carry, as OpenAPI's security: any one alternative, each a tuple of the credentials it needs
    # together, as (where, name): `header`, `query` or `cookie` and the name written, or `unseen` for a scheme no
    # capture shows (mutual TLS). Empty: the operation documents no security; an empty alternative: credentials
    # are optional.
    security: tuple[tuple[tuple[str, str], ...], ...] = field(repr=False, default=())
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)
    # The path template with a group per parameter, and the parameters' names in order: a request's path values.
    captures: re.Pattern[str] = field(init=False, repr=False, compare=False)
    path_names: tuple[str, ...] = field(init=False, repr=False, compare=False)
    # How many characters of the path template are literal: of two templates that match a path, the one with more
    # is the one meant (`/tasks/summary` over `/tasks/{task_id}`), as OpenAPI says.
    specificity: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", path_pattern(self.path))
        object.__setattr__(self, "captures", path_pattern(self.path, capture=True))
        object.__setattr__(self, "path_names", tuple(re.findall(r"\{([^}]+)\}", self.path)))
        object.__setattr__(self, "specificity", len(re.sub(r"\{[^}]+\}", "", self.path)))

    @property
    def pointer(self) -> str:
        """The JSON pointer of the operation object in the document."""
        return f"/paths/{escape(self.path)}/{self.method.lower()}"

    def request_side(self) -> tuple[Any, ...]:
        """What judges the operation's requests: its parameters' schemas, the required ones, and its security."""
        return self.parameters, self.query, self.required_query, self.security

    def matches(self, path: str) -> bool:
        return self.pattern.search(path) is not None

    def response_fields(self) -> frozenset[str]:
        """Every top-level field a response body of this operation documents, at any status (through its
        alternatives and compositions too)."""
        names: set[str] = set()
        for response in self.responses.values():
            for schema in response.media_types.values():
                names |= _top_level_fields(schema, schema, 0)
        return frozenset(names)


def path_pattern(template: str, *, capture: bool = False) -> re.Pattern[str]:
    """A path template as a regex that also matches behind any base-path prefix (gateways, stages); with `capture`,
    a group holds each parameter's value, in order."""
    value = "([^/]+)" if capture else "[^/]+"
    pattern = "".join(value if part.startswith("{") else re.escape(part) for part in re.split(r"(\{[^}]+\})", template))
    return re.compile(f"(?:^|/){pattern.lstrip('/')}/?\\Z")


def request_place(where: str, name: str) -> str:
    """Where a rule about a part of a request points: OpenAPI's runtime expression of it, `$request.path.task_id`,
    `$request.query.limit`."""
    return f"$request.{where}.{name}"


# Why an exchange is no operation of the contract (each is counted as the reason it was skipped).
OTHER_PATH = "not an operation of the contract: other path"
OTHER_METHOD = "not an operation of the contract: other method"
AMBIGUOUS = "not judged: the path is that of several operations and the capture records no method"


# An operation as route() tries it: its path's search, its specificity, and the operation.
Candidate = tuple[Callable[[str], "re.Match[str] | None"], int, Operation]


@dataclass(frozen=True)
class Operations:
    """The operations of a document, in document order."""

    all: tuple[Operation, ...]
    bare_id: str | None  # the operation of bare bodies the document names, if any
    by_method: dict[str | None, list[Candidate]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The operations of each method, the most specific first: the first whose path matches is the one meant,
        # unless the next is as specific (then the path is ambiguous). Precomputed: route() runs for every exchange.
        ordered = sorted(self.all, key=lambda operation: -operation.specificity)
        by_method: dict[str | None, list[Candidate]] = {None: []}
        for operation in ordered:
            entry = (operation.pattern.search, operation.specificity, operation)
            by_method[None].append(entry)
            by_method.setdefault(operation.method, []).append(entry)
        object.__setattr__(self, "by_method", by_method)

    def __iter__(self) -> Iterator[Operation]:
        return iter(self.all)

    def __len__(self) -> int:
        return len(self.all)

    def get(self, operation_id: str) -> Operation:
        """The operation with this ID; ContractError, listing the IDs there are, when none has it."""
        for operation in self.all:
            if operation.operation_id == operation_id:
                return operation
        known = ", ".join(operation.operation_id for operation in self.all) or "none"
        raise ContractError(f"the contract has no operation {operation_id!r} (operations: {known})")

    def bare(self, operation_id: str | None = None) -> Operation | None:
        """The operation of bare bodies: `operation_id` when given, else the document's choice, else the only
        operation; None when the document has several and names none."""
        if operation_id:
            return self.get(operation_id)
        if self.bare_id:
            return self.get(self.bare_id)
        return self.all[0] if len(self.all) == 1 else None

    def route(self, method: str | None, path: str) -> Operation | str:
        """The operation a request is for (`method` None: the capture records none), or why it is none."""
        by_method = self.by_method
        found = by_method.get(method)
        if found is None and method is not None:
            found = by_method.get(method.upper())
        candidates: list[Candidate] = found or []
        for index, (search, specificity, operation) in enumerate(candidates):
            if search(path) is not None:
                for other_search, other_specificity, _ in candidates[index + 1 :]:
                    if other_specificity < specificity:
                        break
                    if other_search(path) is not None:
                        return AMBIGUOUS
                return operation
        if any(search(path) is not None for search, _, _ in by_method[None]):
            return OTHER_METHOD
        return OTHER_PATH

    def response_fields(self) -> frozenset[str]:
        """Every top-level field a response body of any operation documents (through its alternatives and
        compositions too): what a JSONL record's own keys must never be, so that records and bodies are told
        apart whatever the contract holds."""
        return frozenset().union(*(operation.response_fields() for operation in self.all))


def _top_level_fields(root: JsonObject, node: Any, depth: int) -> set[str]:
    node = target(root, node)
    if not isinstance(node, dict) or depth > 16:
        return set()
    names = set(node.get("properties", {})) if isinstance(node.get("properties"), dict) else set()
    for keyword in ("allOf", "anyOf", "oneOf"):
        for member in node.get(keyword, []) if isinstance(node.get(keyword), list) else []:
            names |= _top_level_fields(root, member, depth + 1)
    for keyword in ("then", "else"):
        if isinstance(node.get(keyword), dict):
            names |= _top_level_fields(root, node[keyword], depth + 1)
    return names


def operations(document: JsonObject) -> Operations:
    """Every operation of the document, resolved; ContractError when it names a bare-body operation it lacks."""
    found: list[Operation] = []
    for path, item in document.get("paths", {}).items():
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            op = item.get(method)
            if isinstance(op, dict) and isinstance(op.get("operationId"), str):
                found.append(_operation(document, path, method, item, op))
    bare = document.get(BARE_BODY_OPERATION)
    result = Operations(tuple(found), bare if isinstance(bare, str) else None)
    if result.bare_id:
        result.get(result.bare_id)  # raises, naming the operations there are
    return result


def find_operation(document: JsonObject, operation_id: str) -> Operation:
    """The operation with `operation_id`, resolved."""
    return operations(document).get(operation_id)


def _operation(document: JsonObject, path: str, method: str, item: JsonObject, op: JsonObject) -> Operation:
    raw = [*item.get("parameters", []), *op.get("parameters", [])]
    resolved = [resolve(document, entry) for entry in raw]
    required = frozenset(param["name"] for param in resolved if param.get("in") == "query" and param.get("required"))
    return Operation(
        method=method.upper(),
        path=path,
        operation_id=op["operationId"],
        parameters=_parameters(document, raw, "path"),
        query=_parameters(document, raw, "query"),
        responses={
            str(status): _response(document, str(status), resolve(document, response))
            for status, response in op.get("responses", {}).items()
        },
        extensions={key: value for key, value in op.items() if key.startswith("x-")},
        raw=op,
        required_query=required,
        security=_security(document, op.get("security", document.get("security", []))),
    )


def _security(document: JsonObject, requirements: Any) -> tuple[tuple[tuple[str, str], ...], ...]:
    """The security alternatives of an operation, each as the credentials it needs (see Operation.security)."""
    schemes = document.get("components", {}).get("securitySchemes", {})
    alternatives = []
    for requirement in requirements if isinstance(requirements, list) else []:
        needed: list[tuple[str, str]] = []
        for name in requirement if isinstance(requirement, dict) else {}:
            scheme = resolve(document, schemes.get(name, {}))
            if scheme.get("type") == "apiKey" and scheme.get("in") in ("header", "query", "cookie"):
                needed.append((scheme["in"], str(scheme.get("name", ""))))
            elif scheme.get("type") in ("http", "oauth2", "openIdConnect"):
                needed.append(("header", "Authorization"))
            else:  # mutual TLS, or a scheme this toolkit does not know: no capture shows whether it was met
                needed.append(("unseen", name))
        alternatives.append(tuple(needed))
    return tuple(alternatives)


def _parameters(document: JsonObject, raw: list[Any], where: str) -> dict[str, JsonObject]:
    out: dict[str, JsonObject] = {}
    for entry in raw:
        param = resolve(document, entry)
        if param.get("in") == where:
            out[param["name"]] = bundle_schema(document, param.get("schema", {}))
    return out


def _response(document: JsonObject, status: str, response: JsonObject) -> ResponseSpec:
    media_types: dict[str, JsonObject] = {}
    names: dict[str, str] = {}
    for media_type, body in response.get("content", {}).items():
        written = body.get("schema", {})
        if isinstance(written, dict) and isinstance(written.get("$ref"), str):
            names[media_type.lower()] = written["$ref"].rsplit("/", 1)[1]
        # The component itself becomes the root, so that schema paths start at its keywords.
        media_types[media_type.lower()] = bundle_schema(document, resolve(document, written))
    headers = {}
    for name, raw in response.get("headers", {}).items():
        header = resolve(document, raw)
        headers[name.lower()] = {
            "name": name,
            "required": bool(header.get("required", False)),
            "schema": bundle_schema(document, resolve(document, header.get("schema", {}))),
            "x-provenance": header.get("x-provenance", {}),
        }
    return ResponseSpec(status, response.get("description", ""), media_types, headers, names)
