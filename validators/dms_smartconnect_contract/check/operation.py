"""The rules of one operation, compiled, and the check of one of its exchanges as named steps: the status, the
headers, the media type, the decoding of the body, and the body's own rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import orjson

from ..contract import Operation, default_reading, provenance, strict_reading
from ..contract.coverage import Coverage, Plan
from ..contract.provenance import Provenance
from ..findings import NOT_RECORDED, UNRECOGNISED_RULE, Finding, Severity, decode_limit
from ..formats.items import NOT_PARSED, Exchange, Oversized
from ..redact import preview, shown_keys
from .body import BodyRules
from .explain import UNSTATED, rule_provenance
from .options import CheckOptions
from .request import CLIENT_ERROR, SUCCESS, Broken, RequestRules
from .schemas import SchemaValidator


@dataclass(frozen=True)
class _Header:
    name: str
    required: Provenance | None  # None: the header is optional
    default: SchemaValidator
    strict: SchemaValidator


class Unjudgeable(Exception):
    """An exchange that cannot be judged (over a limit of this toolkit, or a bare body that is no body): counted
    unreadable with the rule id that says why."""

    def __init__(self, rule: str, reason: str) -> None:
        super().__init__(reason)
        self.rule, self.reason = rule, reason


class _Stop(Exception):
    """A step found what ends the check of an exchange (an undocumented status, no body, ...)."""


_FINDINGS_KEPT = 4096  # findings of accepted requests remembered per operation; the memory starts over when full

# Compiles a schema once per scope: (schema, make, scope) -> what make(schema) gave the first time.
Compile = Callable[..., Any]


class OperationRules:
    """One operation of the contract, its bodies and headers compiled when first needed (a log of bare bodies never
    meets an error status), and once for every status that shares a schema (`compile` is shared by the checker)."""

    def __init__(self, operation: Operation, options: CheckOptions, compile_: Compile) -> None:
        self.operation = operation
        self.options = options
        self.strict = options.strict
        self._compile = compile_
        self._statuses = self._stated("responses")
        self._content = self._stated("content")
        self._bodies: dict[tuple[str, str], BodyRules | None] = {}
        self.fields = operation.response_fields()  # what an object must have one of to be taken for a body
        self._headers: dict[str, list[_Header]] = {}
        self._security = self._stated("security")
        self.request = RequestRules(operation, options.engine, compile_)
        self._accepted_findings: dict[tuple[Broken | None, int], Finding] = {}

    def _stated(self, keyword: str) -> Provenance:
        """The provenance of a rule of the operation itself, pointing where the operation states it."""
        found = provenance.of(self.operation.extensions, keyword)
        return replace(found, at=f"{self.operation.pointer}/{provenance.EXTENSION}/{keyword}") if found else UNSTATED

    def body_rules(self, status: str, media_type: str) -> BodyRules | None:
        """The rules of the body documented for a status and media type, or None when there is none."""
        key = (status, media_type)
        if key not in self._bodies:
            response = self.operation.responses.get(status)
            schema = response.media_types.get(media_type) if response else None
            engine, strict, most = self.options.engine, self.strict, self.options.max_findings
            operation = self.operation_id
            self._bodies[key] = (
                # Compiled once per operation: its findings are grouped by it.
                self._compile(
                    schema,
                    lambda s: BodyRules(s, engine, strict=strict, max_findings=most, operation=operation),
                    operation,
                )
                if schema
                else None
            )
        return self._bodies[key]

    @property
    def operation_id(self) -> str:
        return self.operation.operation_id

    def header_rules(self, status: str) -> list[_Header]:
        """The documented response headers of a status, compiled."""
        if status not in self._headers:
            engine = self.options.engine
            self._headers[status] = [
                self._compile(
                    spec["schema"],
                    lambda s, spec=spec: _Header(
                        spec["name"],
                        (provenance.of(spec, "required") or UNSTATED) if spec["required"] else None,
                        SchemaValidator(default_reading(s), engine),
                        SchemaValidator(strict_reading(s), engine),
                    ),
                )
                for spec in self.operation.responses[status].headers.values()
            ]
        return self._headers[status]

    def severity(self, rule: Provenance) -> Severity:
        """How much a broken rule weighs: documented rules are errors; inferred rules only in strict mode."""
        return Severity.ERROR if self.strict or rule.kind != "inferred" else Severity.WARNING

    # --- one exchange, step by step ----------------------------------------------------------------------------

    def check(self, exchange: Exchange, coverage: Coverage | None = None, plan: Plan | None = None) -> list[Finding]:
        """Every finding for one exchange of this operation, in report order."""
        findings: list[Finding] = []
        if exchange.url is not None:
            self._request(exchange, findings, coverage)
        try:
            status = self._status(exchange, findings, coverage)
            self._headers_of(exchange, status, findings)
            body = self._media_type(exchange, status, findings)
            instance = self._decode(exchange, findings)
            if exchange.bare and self.unrecognised(instance):
                raise Unjudgeable(UNRECOGNISED_RULE, unrecognised_reason(self.operation_id, instance))
        except _Stop:
            return findings
        if coverage is not None and plan is not None:
            coverage.body(plan, self.operation_id, status, instance)
        findings.extend(self._body(body, instance))
        findings.sort(key=lambda finding: finding.order)
        return findings

    def unrecognised(self, value: Any) -> bool:
        """Whether a value taken for a body is an object none of whose keys any response of the operation documents
        (a wrapper, a record of another format). `{}` is a body: the contract allows it."""
        return type(value) is dict and bool(value) and self.fields.isdisjoint(value)

    def _finding(self, rule: str, message: str, basis: Provenance, severity: Severity | None = None) -> Finding:
        weight = severity if severity is not None else self.severity(basis)
        return Finding(rule, "", message, weight, basis, operation=self.operation_id)

    def _request(self, exchange: Exchange, findings: list[Finding], coverage: Coverage | None) -> None:
        """The request's parameters and credentials, judged through its answer: a 2xx to a request the contract
        says is invalid, or to one without any credential, is a finding; a 4xx to an invalid one is the contract
        working."""
        assert exchange.url is not None
        status = exchange.status
        if status not in SUCCESS and coverage is None:
            return  # an answer that accepts nothing says nothing of the request, unless coverage counts it
        rules = self.request
        broken = rules.broken(exchange.url)
        headers = exchange.request_headers
        without = headers is not None and rules.without_credentials(exchange.url, headers, exchange.withheld_headers)
        if status in SUCCESS:
            findings += [self._accepted(part, status) for part in broken]
            if without:
                findings.append(self._accepted(None, status))
        if coverage is not None:
            documented = str(status) in self.operation.responses
            rejected = "rejected" if status in CLIENT_ERROR and documented else "otherwise"
            answer = "accepted" if status in SUCCESS else rejected
            sent = rules.sent(exchange.url)
            coverage.request(self.operation_id, sent, [part.place for part in broken], answer, without)

    def _accepted(self, part: Broken | None, status: int) -> Finding:
        """The finding of a request accepted with `status`: one that broke `part`, or (None) one without any
        credential. Made once for each: a capture repeats them."""
        key = (part, status)
        found = self._accepted_findings.get(key)
        if found is None:
            if part is None:
                named = self.request.named
                message = f"the request carries no credential ({named}); it was answered {status}, not 401"
                found = self._finding("auth.ignored", message, self._security)
            else:
                weight = Severity.ERROR if part.documented else self.severity(part.basis)
                message = f"{part.message}; the request was answered {status}, not rejected"
                found = Finding("request.accepted-invalid", part.place, message, weight, part.basis,
                                operation=self.operation_id)  # fmt: skip
            if len(self._accepted_findings) >= _FINDINGS_KEPT:
                self._accepted_findings.clear()
            self._accepted_findings[key] = found
        return found

    def _status(self, exchange: Exchange, findings: list[Finding], coverage: Coverage | None) -> str:
        """The status, documented or not (then nothing more of the exchange is judged)."""
        status = str(exchange.status)
        if coverage is not None:
            coverage.status(self.operation_id, status)
        if status not in self.operation.responses:
            documented = ", ".join(self.operation.responses)
            message = f"status {status} is not documented (documented: {documented})"
            findings.append(self._finding("status.undocumented", message, self._statuses))
            raise _Stop
        return status

    def _headers_of(self, exchange: Exchange, status: str, findings: list[Finding]) -> None:
        """The documented headers of the status: present when required, and valid (when the capture has them)."""
        if exchange.headers is None:
            return
        for header in self.header_rules(status):
            value = exchange.headers.get(header.name.lower())
            if value is None:
                if header.required is not None:
                    message = f"response header {header.name} is missing"
                    findings.append(self._finding("header.missing", message, header.required))
            elif not header.strict.is_valid(value):
                broken = header.default if not header.default.is_valid(value) else None
                validator = broken or header.strict
                basis = rule_provenance(validator, next(validator.errors(value)))
                weight = Severity.ERROR if broken else self.severity(basis)
                message = f"response header {header.name} {preview(value, header.name)} is invalid"
                findings.append(self._finding("header.schema", message, basis, weight))

    def _media_type(self, exchange: Exchange, status: str, findings: list[Finding]) -> BodyRules:
        """The rules of the recorded body's media type; a body not recorded, or of an undocumented type, ends here."""
        media_type = (exchange.content_type or "").split(";", 1)[0].strip().lower()
        documented = self.operation.responses[status].media_types
        if exchange.body is None and exchange.parsed is NOT_PARSED:
            # The media type is judged where the capture records one (an access log's Content-Type, a HAR's).
            if media_type and documented and media_type not in documented:
                message = f"'{media_type}' is not documented for status {status} (documented: {', '.join(documented)})"
                findings.append(self._finding("media-type", message, self._content))
                raise _Stop
            message = "the capture holds no body for this response"
            findings.append(self._finding("body.not-recorded", message, NOT_RECORDED, Severity.WARNING))
            raise _Stop
        body = self.body_rules(status, media_type)
        if body is None:
            if media_type:
                message = f"'{media_type}' is not documented for status {status} (documented: {', '.join(documented)})"
            else:
                message = f"the response has no Content-Type (documented: {', '.join(documented)})"
            findings.append(self._finding("media-type", message, self._content))
            raise _Stop
        return body

    def _decode(self, exchange: Exchange, findings: list[Finding]) -> Any:
        """The body as JSON: over a limit of the reader, it is unjudgeable; not JSON, a finding."""
        if exchange.parsed is not NOT_PARSED:
            return exchange.parsed
        assert exchange.body is not None
        limit = self.options.max_body_size
        if len(exchange.body) > limit or type(exchange.body) is Oversized:
            # (Said without the size: a reader may stop one byte past the limit, or not build the body at all.)
            raise Unjudgeable("limit.body-bytes", f"body of more than {limit} bytes: over --max-body-bytes")
        try:
            return orjson.loads(exchange.body)
        except orjson.JSONDecodeError as exc:
            rule = decode_limit(str(exc))
            if rule:
                raise Unjudgeable(rule, f"body is over a limit of the reader: {exc}") from None
            findings.append(self._finding("body.unreadable", f"body is not JSON: {exc}", self._content))
            raise _Stop from None

    @staticmethod
    def _body(body: BodyRules, instance: Any) -> list[Finding]:
        """The findings of the body's own rules, in every reading the verdict needs."""
        try:
            return body.findings(instance)
        except (ValueError, RecursionError) as exc:
            # jsonschema-rs refuses instances nested deeper than it can convert; no task body is that deep.
            raise Unjudgeable("limit.depth", f"body cannot be validated: {exc} (nested too deeply)") from None


def unrecognised_reason(operation_id: str, value: dict[str, Any]) -> str:
    """Why an object is not taken for a body, with the keys it has."""
    return (
        f"not a response body of {operation_id}: none of its keys ({shown_keys(value)}) is a field its responses "
        "document, and it is no record of a format this toolkit reads (see --input-format)"
    )
