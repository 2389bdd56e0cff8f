"""The request side of an exchange: its path and query parameters against their schemas, and its credentials against
the operation's security.

A request is only a finding through its answer. Answered 2xx, a request that breaks a parameter's rule is
`request.accepted-invalid`, weighed by that rule's provenance; answered 4xx, the contract worked (coverage counts it
"rejected as documented"). Answered 2xx, a request that carries no credential of any scheme the operation documents
is `auth.ignored`, as schemathesis' `ignored_auth` check says of a live run. Credential values are never read into a
message: only whether a header, query parameter or cookie of the scheme's name is there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote

from ..contract import JsonObject, Operation, default_reading, strict_reading
from ..contract.formats import STATED_BY
from ..contract.operations import request_place
from ..contract.provenance import Provenance
from ..contract.serialization import parameter_value, schema_types
from ..redact import preview
from .explain import UNSTATED, rule_provenance
from .options import Engine
from .schemas import SchemaValidator
from .urls import path_and_query

_KEPT = 4096  # values whose verdict is remembered per parameter
SUCCESS = range(200, 300)
CLIENT_ERROR = range(400, 500)


@dataclass(frozen=True, slots=True)
class Broken:
    """One parameter of a request that breaks a rule of its schema."""

    place: str  # `$request.path.instance_id`
    message: str  # what is wrong, with the value previewed (never a credential)
    basis: Provenance
    documented: bool  # broken in the default reading too: an error whatever the mode


@dataclass(frozen=True, slots=True)
class _Parameter:
    where: str
    name: str
    types: tuple[str, ...]  # the JSON types its schema allows, to read a string of the URL as one
    default: SchemaValidator
    strict: SchemaValidator
    place: str
    # The verdict on each value met, by its text as the URL writes it (a capture asks for the same IDs again and
    # again); the memory starts over when full.
    verdicts: dict[str, Broken | None] = field(default_factory=dict, compare=False)

    def judged(self, raw: str) -> Broken | None:
        """What of the rules a value breaks (None: it breaks none); `raw` as the URL writes it, escapes and all."""
        verdicts = self.verdicts
        if raw in verdicts:
            return verdicts[raw]
        if len(verdicts) >= _KEPT:
            verdicts.clear()
        found = verdicts[raw] = _broken(self, unquote(raw) if self.where == "path" else raw)
        return found


class RequestRules:
    """The request rules of one operation, compiled once."""

    def __init__(self, operation: Operation, engine: Engine, compile_: Callable[..., Any]) -> None:
        self.operation = operation

        def compiled(where: str, name: str, schema: JsonObject) -> _Parameter:
            parameter: _Parameter = compile_(
                schema,
                lambda s: _Parameter(
                    where, name, schema_types(s), SchemaValidator(default_reading(s), engine),
                    SchemaValidator(strict_reading(s), engine), request_place(where, name),
                ),
                f"request {where} {name}",
            )  # fmt: skip
            return parameter

        self.path = [compiled("path", name, operation.parameters[name]) if name in operation.parameters else None
                     for name in operation.path_names]  # fmt: skip
        self.query = [compiled("query", name, schema) for name, schema in operation.query.items()]
        # Whether the operation needs a credential a capture can show; every credential any alternative names (a
        # request carrying one of them is not "without"), and how a message names them: `X-Auth-Token or
        # Authorization`.
        alternatives = operation.security
        self.guarded = bool(alternatives) and all(
            alternative and all(where != "unseen" for where, _ in alternative) for alternative in alternatives
        )
        # (Header names lower-cased, as recorded headers are.)
        self.credentials = sorted({(where, name.lower() if where == "header" else name)
                                   for alternative in alternatives for where, name in alternative})  # fmt: skip
        self.named = " or ".join(dict.fromkeys(name for alternative in alternatives for _, name in alternative))

    def broken(self, url: str) -> list[Broken]:
        """What of a request's parameters breaks a rule."""
        broken: list[Broken] = []
        try:
            path, query = path_and_query(url)
        except ValueError:  # (routing said so already)
            return broken
        match = self.operation.captures.search(path)
        if match is not None:
            for parameter, raw in zip(self.path, match.groups(), strict=True):
                if parameter is not None and (found := parameter.judged(raw)) is not None:
                    broken.append(found)
        if self.query:
            values = parse_qs(query, keep_blank_values=True) if query else {}
            for parameter in self.query:
                given = values.get(parameter.name)
                if given is not None:
                    if (found := parameter.judged(given[0])) is not None:
                        broken.append(found)
                elif parameter.name in self.operation.required_query:
                    message = f"query parameter {parameter.name} is required, and absent"
                    broken.append(Broken(parameter.place, message, UNSTATED, True))
        return broken

    def sent(self, url: str) -> list[str]:
        """The places of the parameters a request sends (for coverage)."""
        try:
            path, query = path_and_query(url)
        except ValueError:
            return []
        match = self.operation.captures.search(path)
        places = [parameter.place for parameter in self.path if parameter is not None] if match else []
        values = parse_qs(query, keep_blank_values=True) if query else {}
        return places + [parameter.place for parameter in self.query if parameter.name in values]

    def without_credentials(self, url: str | None, headers: dict[str, str], withheld: frozenset[str]) -> bool:
        """Whether a request whose headers were recorded carries no credential of any scheme the operation
        documents (False where the operation needs none, makes them optional, or names one no capture shows, or
        where a credential's header is one the capture's exporter leaves out, `withheld`)."""
        if not self.guarded:
            return False
        if withheld and any(
            (name if where == "header" else "cookie") in withheld
            for where, name in self.credentials
            if where != "query"
        ):
            return False
        query: dict[str, list[str]] | None = None
        cookies: set[str] | None = None
        for where, name in self.credentials:
            if where == "header":
                if headers.get(name, "").strip():
                    return False
            elif where == "query":
                if query is None:
                    query = parse_qs(path_and_query(url or "")[1])
                if any(value.strip() for value in query.get(name, ())):
                    return False
            else:
                if cookies is None:
                    cookies = {part.split("=", 1)[0].strip() for part in headers.get("cookie", "").split(";")}
                if name in cookies:
                    return False
        return True


def _broken(parameter: _Parameter, text: str) -> Broken | None:
    value = parameter_value(parameter.types, text)
    if parameter.strict.is_valid(value):
        return None
    documented = not parameter.default.is_valid(value)
    validator = parameter.default if documented else parameter.strict
    error = next(validator.errors(value))
    basis = rule_provenance(validator, error)
    node = validator.at(error.schema_path[:-1])
    stated = (node.get(STATED_BY) or {}).get(error.keyword, error.keyword) if isinstance(node, dict) else error.keyword
    rule = _rule_text(stated, node, validator.schema)
    message = f"{parameter.where} parameter {parameter.name} {preview(text, parameter.name)} breaks its rule: {rule}"
    return Broken(parameter.place, message, basis, documented)


def _rule_text(keyword: str, node: Any, schema: JsonObject) -> str:
    """The rule a value breaks, said briefly: `format uuid`, `maximum 50`, `pattern ^[0-9a-f]{32}$`, `type integer`."""
    if keyword == "format":
        return f"format {schema.get('format', '')}".rstrip()
    if isinstance(node, dict) and keyword in node and not isinstance(node[keyword], dict | list):
        return f"{keyword} {node[keyword]}"
    if keyword == "type" and isinstance(node, dict):
        return f"type {'/'.join(schema_types(node))}"
    return keyword
