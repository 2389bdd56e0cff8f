"""The one place that decides a verdict: an item in, a Result (outcome and findings) out."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson

from ..contract import (
    JsonObject,
    Operation,
    default_reading,
    find_operation,
    flatten_schema,
    provenance,
    strict_reading,
)
from ..contract.provenance import Provenance
from ..exchange import NOT_PARSED, Exchange, JsonlChunk, JsonlLine, Single, Skipped, Unreadable
from ..findings import NOT_RECORDED, TOOLKIT_LIMIT, ChunkResult, Finding, Outcome, Result, Severity
from ..readers import exchange_record, is_exchange_record
from ..redact import preview
from .explain import DRIFT_KEYWORDS, UNSTATED, explain, rule_provenance
from .schemas import Engine, SchemaValidator

DEFAULT_MAX_BODY_SIZE = 16 * 1024 * 1024


@dataclass(frozen=True)
class _Readings:
    """A body or header schema compiled in the two readings validators use."""

    default: SchemaValidator  # the documented rules, open: its errors are errors
    strict: SchemaValidator  # every rule, closed: what only it rejects is an inferred rule broken, or drift
    # The strict schema flattened: the per-line fast path of JSONL only asks is_valid, which it answers sooner.
    quick: Callable[[Any], bool]

    @classmethod
    def compile(cls, schema: JsonObject, engine: Engine) -> _Readings:
        strict = strict_reading(schema)
        quick = SchemaValidator(flatten_schema(strict), engine).is_valid
        return cls(SchemaValidator(default_reading(schema), engine), SchemaValidator(strict, engine), quick)


class _Compiled(dict[bytes, _Readings]):
    """Readings by schema text: the error statuses share one body schema and one header schema, compiled once."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine

    def of(self, schema: JsonObject) -> _Readings:
        key = orjson.dumps(schema, option=orjson.OPT_SORT_KEYS)
        if key not in self:
            self[key] = _Readings.compile(schema, self.engine)
        return self[key]


@dataclass(frozen=True)
class _Header:
    name: str
    required: Provenance | None  # None: the header is optional
    readings: _Readings


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
        self.strict = strict
        self._path = _path_pattern(self.operation.path)
        rules = self.operation.extensions
        self._statuses = provenance.of(rules, "responses") or UNSTATED
        self._content = provenance.of(rules, "content") or UNSTATED
        self._bodies: dict[tuple[str, str], _Readings] = {}
        self._headers: dict[str, list[_Header]] = {}
        compiled = _Compiled(engine)
        for status, response in self.operation.responses.items():
            for media_type, schema in response.media_types.items():
                self._bodies[status, media_type] = compiled.of(schema)
            self._headers[status] = [
                _Header(
                    spec["name"],
                    (provenance.of(spec, "required") or UNSTATED) if spec["required"] else None,
                    compiled.of(spec["schema"]),
                )
                for spec in response.headers.values()
            ]

    # --- items -------------------------------------------------------------------------------------------------

    def judge_chunk(self, chunk: JsonlChunk) -> ChunkResult:
        """Judge the lines of a JSONL chunk. A bare body that the strict reading accepts is conforming with nothing
        to report in either mode, which is decided here with one parse and one validation; every other line takes
        judge()."""
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
                    # A record is never plain; a bare body's status is a string, which spares the call.
                    record = type(value) is dict and type(value.get("status")) is int and is_exchange_record(value)
                    try:
                        plain = not record and accept(value)
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
        if is_exchange_record(value):
            return exchange_record(line.location, value, self.default_content_type)
        return Exchange(line.location, self.default_status, self.default_content_type, None, line.raw, parsed=value)

    # --- one exchange ------------------------------------------------------------------------------------------

    def severity(self, rule: Provenance, drift: bool = False) -> Severity:
        """How much a broken rule weighs: documented rules are errors; inferred rules and drift only in strict mode."""
        return Severity.ERROR if self.strict or (rule.kind != "inferred" and not drift) else Severity.WARNING

    def check(self, exchange: Exchange) -> list[Finding]:
        """Every finding for one exchange of this operation."""
        findings: list[Finding] = []

        def add(rule: str, message: str, basis: Provenance, severity: Severity | None = None) -> None:
            weight = severity if severity is not None else self.severity(basis)
            findings.append(Finding(rule, "", message, weight, exchange.location, basis))

        status = str(exchange.status)
        response = self.operation.responses.get(status)
        if response is None:
            documented = ", ".join(self.operation.responses)
            add("status.undocumented", f"status {status} is not documented (documented: {documented})", self._statuses)
            return findings
        if exchange.headers is not None:
            for header in self._headers[status]:
                value = exchange.headers.get(header.name.lower())
                if value is None:
                    if header.required is not None:
                        add("header.missing", f"response header {header.name} is missing", header.required)
                elif not header.readings.strict.is_valid(value):
                    broken = header.readings.default if not header.readings.default.is_valid(value) else None
                    validator = broken or header.readings.strict
                    basis = rule_provenance(validator, next(validator.errors(value)))
                    weight = Severity.ERROR if broken else self.severity(basis)
                    add("header.schema", f"response header {header.name} {preview(value, header.name)} is invalid",
                        basis, weight)  # fmt: skip
        media_type = (exchange.content_type or "").split(";", 1)[0].strip().lower()
        if exchange.body is None and exchange.parsed is NOT_PARSED:
            add("body.not-recorded", "the capture holds no body for this response", NOT_RECORDED, Severity.WARNING)
            return findings
        body = self._bodies.get((status, media_type))
        if body is None:
            documented = ", ".join(response.media_types)
            if media_type:
                message = f"'{media_type}' is not documented for status {status} (documented: {documented})"
            else:
                message = f"the response has no Content-Type (documented: {documented})"
            add("media-type", message, self._content)
            return findings
        instance = exchange.parsed
        if instance is NOT_PARSED:
            assert exchange.body is not None
            if len(exchange.body) > self.max_body_size:
                message = f"body of {len(exchange.body)} bytes is over --max-body-size"
                add("body.too-large", message, TOOLKIT_LIMIT, Severity.ERROR)
                return findings
            try:
                instance = orjson.loads(exchange.body)
            except orjson.JSONDecodeError as exc:
                add("body.unreadable", f"body is not JSON: {exc}", self._content)
                return findings
        try:
            findings.extend(self._body_findings(body, instance, exchange.location))
        except (ValueError, RecursionError) as exc:
            # jsonschema-rs refuses instances nested deeper than it can convert; no task body is that deep.
            add("body.unreadable", f"body cannot be validated: {exc} (nested too deeply)", self._content)
        return findings

    def _body_findings(self, body: _Readings, instance: Any, location: str) -> list[Finding]:
        """Errors of the default reading are errors. What only the strict reading rejects (an inferred rule, drift)
        is a warning, or an error in strict mode. So the verdict is the reading's own: violating in default mode
        exactly when the default reading rejects the body, in strict mode when the strict reading does."""
        if body.strict.is_valid(instance):
            return []
        findings: list[Finding] = []
        flagged: set[str] = set()  # pointers the default reading reported: the strict one adds nothing there
        seen: set[tuple[str, str]] = set()
        # Drift alone is the common case here, and is_valid costs a fraction of collecting errors.
        passes = [(body.default, True)] if not body.default.is_valid(instance) else []
        for validator, documented in [*passes, (body.strict, False)]:
            for error in validator.errors(instance):
                for found in explain(validator, error, instance):
                    key = (found.rule, found.pointer)
                    if key in seen or (not documented and found.pointer in flagged):
                        continue
                    seen.add(key)
                    if documented:
                        flagged.add(found.pointer)
                    drift = not documented and error.keyword in DRIFT_KEYWORDS and found.provenance.kind != "inferred"
                    weight = Severity.ERROR if documented or self.strict else Severity.WARNING
                    findings.append(
                        Finding(found.rule, found.pointer, found.message, weight, location, found.provenance, drift)
                    )
        return findings


def _path_pattern(template: str) -> re.Pattern[str]:
    """The operation's path as a regex that also matches behind any base-path prefix (gateways, stages)."""
    pattern = "".join(
        "[^/]+" if part.startswith("{") else re.escape(part) for part in re.split(r"(\{[^}]+\})", template)
    )
    return re.compile(f"(?:^|/){pattern.lstrip('/')}/?$")
