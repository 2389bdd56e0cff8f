"""The one place that decides a verdict: an item in, a Result (outcome and findings) out."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

import orjson

from .contract import JsonObject, Operation, close_schema, find_operation, flatten_schema
from .exchange import NOT_PARSED, Exchange, JsonlChunk, JsonlLine, Single, Skipped, Unreadable
from .findings import ChunkResult, Finding, Outcome, Result, Severity
from .readers import exchange_record
from .redact import preview

Engine = Literal["fast", "reference"]
DEFAULT_MAX_BODY_SIZE = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SchemaError:
    """A schema violation in engine-neutral form."""

    keyword: str
    path: tuple[str | int, ...]  # into the instance
    schema_path: tuple[str | int, ...]  # into the bundled schema; "$ref" steps are followed
    instance: Any


def _pointer(parts: Iterable[str | int]) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def _json_type(value: Any) -> str:
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


class SchemaValidator:
    """A compiled body or header schema, fast (jsonschema-rs) or reference (jsonschema), with neutral errors."""

    def __init__(self, schema: JsonObject, engine: Engine) -> None:
        self.schema = schema
        self.engine = engine
        if engine == "fast":
            import jsonschema_rs

            self._rs = jsonschema_rs.validator_for(schema)
            self.is_valid: Callable[[Any], bool] = self._rs.is_valid
        else:
            import jsonschema

            self._py = jsonschema.Draft202012Validator(schema)
            self.is_valid = self._py.is_valid

    def errors(self, instance: Any) -> Iterator[SchemaError]:
        if self.engine == "fast":
            for error in self._rs.iter_errors(instance):
                path = tuple(error.schema_path)
                keyword = next(str(p) for p in reversed(path) if isinstance(p, str))
                yield SchemaError(keyword, tuple(error.instance_path), path, error.instance)
        else:
            for error in self._py.iter_errors(instance):
                yield from self._py_leaves(error)

    def _py_leaves(self, error: Any) -> Iterator[SchemaError]:
        # jsonschema reports a failed `allOf` branch (a single remaining alternative) as its own error already.
        yield SchemaError(
            str(error.validator), tuple(error.absolute_path), tuple(error.absolute_schema_path), error.instance
        )

    def at(self, schema_path: Iterable[str | int]) -> Any:
        """The schema node at a schema path, following `$ref` steps into `$defs`."""
        node: Any = self.schema
        for part in schema_path:
            if isinstance(node, dict) and "$ref" in node and part not in node:
                node = self._deref(node["$ref"])
            node = node[part]
            if part == "$ref":
                node = self._deref(node)
        # A path may end on a node that only refers to the schema it means (the reference engine omits the hop).
        while isinstance(node, dict) and "$ref" in node and "properties" not in node:
            node = self._deref(node["$ref"])
        return node

    def _deref(self, ref: str) -> Any:
        return self.schema["$defs"][ref.rsplit("/", 1)[1]]


@dataclass(frozen=True)
class _Body:
    open: SchemaValidator
    closed: SchemaValidator
    # The closed schema flattened: the per-line fast path of JSONL only asks is_valid, which it answers sooner.
    quick: Callable[[Any], bool]


class Checker:
    """Checks exchanges against the contract's operation; compiled once, then used for every item."""

    def __init__(
        self,
        document: JsonObject,
        *,
        strict: bool = False,
        engine: Engine = "fast",
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        default_status: int = 200,
        default_content_type: str = "application/json",
        host: str | None = None,
    ) -> None:
        self.operation: Operation = find_operation(document)
        self.max_body_size = max_body_size
        self.default_status = default_status
        self.default_content_type = default_content_type
        self.host = host.lower() if host else None
        self.drift_severity = Severity.ERROR if strict else Severity.WARNING
        self._path = _path_pattern(self.operation.path)
        self._bodies: dict[tuple[str, str], _Body] = {}
        self._headers: dict[str, list[tuple[str, bool, SchemaValidator]]] = {}
        for status, response in self.operation.responses.items():
            for media_type, schema in response.media_types.items():
                closed = close_schema(schema)
                self._bodies[status, media_type] = _Body(
                    SchemaValidator(schema, engine),
                    SchemaValidator(closed, engine),
                    SchemaValidator(flatten_schema(closed), engine).is_valid,
                )
            self._headers[status] = [
                (name, spec["required"], SchemaValidator(spec["schema"], engine))
                for name, spec in response.headers.items()
            ]

    # --- items -------------------------------------------------------------------------------------------------

    def judge_chunk(self, chunk: JsonlChunk) -> ChunkResult:
        """Judge the lines of a JSONL chunk. A bare body that the closed schema accepts is conforming with nothing
        to report, which is decided here with one parse and one validation; every other line takes judge()."""
        # Bare bodies carry no headers, so their status, media type and body decide them; a status or media type
        # the contract does not document has no body schema here, and every line then takes the full check.
        default = self._bodies.get((str(self.default_status), self.default_content_type.split(";")[0].lower()))
        accept = default.quick if default is not None else None
        loads, limit = orjson.loads, self.max_body_size
        conforming: list[int] = []
        others: list[tuple[int, Result]] = []
        lines = chunk.read_lines()
        for number, raw in enumerate(lines, start=chunk.first_line or 1):
            if accept is not None and len(raw) <= limit:
                try:
                    value = loads(raw)
                except orjson.JSONDecodeError:
                    if not raw.strip():
                        continue  # blank lines are no items
                else:
                    status = value.get("status") if type(value) is dict else None
                    try:
                        plain = type(status) is not int and accept(value)
                    except (ValueError, RecursionError):
                        plain = False  # too deep for the fast engine: judge() reports it
                    if plain:
                        conforming.append(number)
                        continue
            elif not raw.strip():
                continue
            others.append((number, self.judge(JsonlLine(f"{chunk.path}:{number}", raw.strip()))))
        return ChunkResult(chunk.path, conforming, others, len(lines))

    def judge(self, item: Single) -> Result:
        """The outcome of one item; never raises for bad input."""
        if isinstance(item, Skipped):
            return Result(item.location, Outcome.SKIPPED, reason=item.reason)
        if isinstance(item, Unreadable):
            return Result(item.location, Outcome.UNREADABLE, reason=item.message)
        if isinstance(item, JsonlLine):
            parsed = self._jsonl_item(item)
            if not isinstance(parsed, Exchange):
                return self.judge(parsed)
            item = parsed
        reason = self.skip_reason(item)
        if reason:
            return Result(item.location, Outcome.SKIPPED, reason=reason)
        if item.body_error:
            return Result(item.location, Outcome.UNREADABLE, reason=item.body_error)
        findings = self.check(item)
        violating = any(f.severity is Severity.ERROR for f in findings)
        return Result(item.location, Outcome.VIOLATING if violating else Outcome.CONFORMING, findings)

    def skip_reason(self, exchange: Exchange) -> str | None:
        """Why an exchange is not this operation, or None when it is."""
        if exchange.method is not None and exchange.method.upper() != self.operation.method:
            return "not this operation: other method"
        if exchange.url is None:
            return None
        try:
            parts = urlsplit(exchange.url)
        except ValueError:
            return "not this operation: unparsable URL"
        if self.host and (parts.hostname or "") != self.host:
            return "not this operation: other host"
        if not self._path.search(parts.path):
            return "not this operation: other path"
        return None

    def _jsonl_item(self, line: JsonlLine) -> Single:
        if len(line.raw) > self.max_body_size:
            return Unreadable(line.location, f"line of {len(line.raw)} bytes is over --max-body-size")
        try:
            value = orjson.loads(line.raw)
        except orjson.JSONDecodeError as exc:
            return Unreadable(line.location, f"line is not JSON: {exc}")
        if isinstance(value, dict) and isinstance(value.get("status"), int) and not isinstance(value["status"], bool):
            return exchange_record(line.location, value, self.default_content_type)
        return Exchange(line.location, self.default_status, self.default_content_type, None, line.raw, parsed=value)

    # --- one exchange ------------------------------------------------------------------------------------------

    def check(self, exchange: Exchange) -> list[Finding]:
        """Every finding for one exchange of this operation."""
        findings: list[Finding] = []

        def add(rule: str, pointer: str, message: str, severity: Severity = Severity.ERROR) -> None:
            findings.append(Finding(rule, pointer, message, severity, exchange.location))

        status = str(exchange.status)
        response = self.operation.responses.get(status)
        if response is None:
            documented = ", ".join(self.operation.responses)
            add("status.undocumented", "", f"status {status} is not documented (documented: {documented})")
            return findings
        if exchange.headers is not None:
            for name, required, validator in self._headers[status]:
                value = exchange.headers.get(name)
                if value is None:
                    if required:
                        add("header.missing", "", f"response header {response.headers[name]['name']} is missing")
                elif not validator.is_valid(value):
                    shown = preview(value, name)
                    add("header.schema", "", f"response header {response.headers[name]['name']} {shown} is invalid")
        media_type = (exchange.content_type or "").split(";", 1)[0].strip().lower()
        if exchange.body is None and exchange.parsed is NOT_PARSED:
            add("body.not-recorded", "", "the capture holds no body for this response", Severity.WARNING)
            return findings
        body = self._bodies.get((status, media_type))
        if body is None:
            documented = ", ".join(response.media_types)
            if media_type:
                add(
                    "media-type", "", f"'{media_type}' is not documented for status {status} (documented: {documented})"
                )
            else:
                add("media-type", "", f"the response has no Content-Type (documented: {documented})")
            return findings
        instance = exchange.parsed
        if instance is NOT_PARSED:
            assert exchange.body is not None
            if len(exchange.body) > self.max_body_size:
                add("body.too-large", "", f"body of {len(exchange.body)} bytes is over --max-body-size")
                return findings
            try:
                instance = orjson.loads(exchange.body)
            except orjson.JSONDecodeError as exc:
                add("body.unreadable", "", f"body is not JSON: {exc}")
                return findings
        try:
            findings.extend(self._body_findings(body, instance, exchange.location))
        except (ValueError, RecursionError) as exc:
            # jsonschema-rs refuses instances nested deeper than it can convert; no task body is that deep.
            add("body.unreadable", "", f"body cannot be validated: {exc} (nested too deeply)")
        return findings

    def _body_findings(self, body: _Body, instance: Any, location: str) -> list[Finding]:
        if body.closed.is_valid(instance):
            return []
        findings: list[Finding] = []
        # Drift alone is the common case here, and is_valid costs a fraction of collecting errors.
        if not body.open.is_valid(instance):
            for error in body.open.errors(instance):
                findings.extend(self._findings(body.open, error, location, Severity.ERROR))
        flagged = {finding.pointer for finding in findings}
        for error in body.closed.errors(instance):
            # Only what the closed reading adds is drift; the rest was reported from the open reading above.
            if error.keyword in ("additionalProperties", "enum"):
                drift = self._findings(body.closed, error, location, self.drift_severity)
                findings.extend(finding for finding in drift if finding.pointer not in flagged)
        return findings

    def _findings(
        self, validator: SchemaValidator, error: SchemaError, location: str, severity: Severity
    ) -> list[Finding]:
        keyword, instance = error.keyword, error.instance
        name = str(error.path[-1]) if error.path else ""
        pointer = _pointer(error.path)
        value = validator.at(error.schema_path)
        shown = preview(instance, name)
        rule = f"schema.{keyword}"
        if keyword == "type":
            expected = " or ".join(value) if isinstance(value, list) else value
            message = f"expected {expected}, got {_json_type(instance)} {shown}"
        elif keyword == "enum":
            message = f"{shown} is not one of {', '.join(map(str, value))}"
        elif keyword == "required":
            missing = [prop for prop in value if isinstance(instance, dict) and prop not in instance]
            pointer = _pointer((*error.path, missing[0])) if len(missing) == 1 else pointer
            message = f"required field {', '.join(missing)} is missing"
        elif keyword == "additionalProperties":
            documented = validator.at(error.schema_path[:-1]).get("properties", {})
            return [
                Finding(
                    "undocumented-field",
                    _pointer((*error.path, key)),
                    f"field '{key}' is not documented",
                    severity,
                    location,
                )
                for key in instance
                if key not in documented
            ]
        elif keyword == "anyOf":
            types = {_alt_type(validator, alt) for alt in value}
            if (
                None not in types
                and _json_type(instance) not in types
                and not (_json_type(instance) == "integer" and "number" in types)
            ):
                rule = "schema.type"
                message = f"expected {' or '.join(sorted(t for t in types if t))}, got {_json_type(instance)} {shown}"
            else:
                message = f"{shown} matches none of the allowed forms"
        elif keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            message = f"{shown} is {'below' if 'inimum' in keyword else 'above'} the {keyword} {value}"
        elif keyword in ("pattern", "format"):
            message = f"{shown} does not match the {keyword} {value}"
        elif keyword in ("minLength", "maxLength"):
            message = f"{shown} breaks {keyword} {value}"
        elif keyword == "const":
            message = f"{shown} is not {preview(value)}"
        else:
            message = f"{shown} fails {keyword}"
        if "then" in error.schema_path:
            index = error.schema_path.index("then")
            rule_text = validator.at(error.schema_path[:index]).get("description", "conditional rule")
            rule = "schema.conditional"
            message = f"{rule_text.rstrip('.')}: {message}"
        return [Finding(rule, pointer, message, severity, location)]


def _alt_type(validator: SchemaValidator, alternative: Any) -> str | None:
    node = validator._deref(alternative["$ref"]) if "$ref" in alternative else alternative
    found = node.get("type")
    return found if isinstance(found, str) else None


def _path_pattern(template: str) -> re.Pattern[str]:
    """The operation's path as a regex that also matches behind any base-path prefix (gateways, stages)."""
    pattern = "".join(
        "[^/]+" if part.startswith("{") else re.escape(part) for part in re.split(r"(\{[^}]+\})", template)
    )
    return re.compile(f"(?:^|/){pattern.lstrip('/')}/?$")
