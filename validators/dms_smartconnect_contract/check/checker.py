"""The one place that decides a verdict: an item in, a Result (outcome and findings) out."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

import orjson

from ..contract import JsonObject, Operation, default_reading, find_operation, provenance, strict_reading
from ..contract.coverage import Coverage, Plan
from ..contract.provenance import Provenance
from ..findings import NOT_RECORDED, Finding, Outcome, Result, Severity, decode_limit, outcome_of
from ..formats.credentials import credentials
from ..formats.har import har_entry
from ..formats.items import NOT_PARSED, Exchange, HarEntry, JsonlLine, Oversized, Single, Skipped, Unreadable
from ..formats.records import exchange_record, is_exchange_record
from ..redact import mask_values, preview
from .body import BodyRules
from .explain import UNSTATED, rule_provenance
from .options import CheckOptions
from .schemas import SchemaValidator


@dataclass(frozen=True)
class _Header:
    name: str
    required: Provenance | None  # None: the header is optional
    default: SchemaValidator
    strict: SchemaValidator


class Checker:
    """Checks exchanges against the contract's operation; compiled once, then used for every item."""

    def __init__(self, document: JsonObject, options: CheckOptions | None = None) -> None:
        options = options or CheckOptions()
        self.options = options
        self.operation: Operation = find_operation(document)
        # What the traffic exercised (validate --coverage): counted here, taken into each unit's tally.
        self.plan: Plan | None = Plan.of(document) if options.coverage else None
        self.coverage: Coverage | None = Coverage() if options.coverage else None
        self.max_body_size = options.max_body_size
        self.max_findings = options.max_findings
        self.default_status = options.default_status
        self.default_content_type = options.default_content_type
        self.host = options.host.lower() if options.host else None
        self.strict = options.strict
        self._path = _path_pattern(self.operation.path)
        rules = self.operation.extensions
        self._statuses = provenance.of(rules, "responses") or UNSTATED
        self._content = provenance.of(rules, "content") or UNSTATED
        self._engine = options.engine
        # Compiled when first needed (a log of bare bodies never meets an error status), and once for every status
        # that shares a schema (the error statuses share one body and one header schema).
        self._bodies: dict[tuple[str, str], BodyRules | None] = {}
        self._headers: dict[str, list[_Header]] = {}
        self._compiled: dict[bytes, Any] = {}

    def _once(self, schema: JsonObject, make: Any) -> Any:
        key = orjson.dumps(schema, option=orjson.OPT_SORT_KEYS)
        if key not in self._compiled:
            self._compiled[key] = make(schema)
        return self._compiled[key]

    def body_rules(self, status: str, media_type: str) -> BodyRules | None:
        """The rules of the body documented for a status and media type, or None when there is none."""
        key = (status, media_type)
        if key not in self._bodies:
            response = self.operation.responses.get(status)
            schema = response.media_types.get(media_type) if response else None
            engine, strict, most = self._engine, self.strict, self.max_findings
            self._bodies[key] = (
                self._once(schema, lambda s: BodyRules(s, engine, strict=strict, max_findings=most)) if schema else None
            )
        return self._bodies[key]

    def header_rules(self, status: str) -> list[_Header]:
        """The documented response headers of a status, compiled."""
        if status not in self._headers:
            engine = self._engine
            self._headers[status] = [
                self._once(
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

    def bare_body_rules(self) -> BodyRules | None:
        """The rules of a bare body (no status or media type recorded: the defaults), or None when the contract has
        no body for them."""
        return self.body_rules(str(self.default_status), self.default_content_type.split(";")[0].lower())

    # --- items -------------------------------------------------------------------------------------------------

    def judge(self, item: Single) -> Result:
        """The outcome of one item; never raises for bad input."""
        if isinstance(item, Skipped):
            return Result(item.location, Outcome.SKIPPED, reason=item.reason)
        if isinstance(item, Unreadable):
            return Result(item.location, Outcome.UNREADABLE, reason=item.message, rule=item.rule)
        if isinstance(item, JsonlLine):
            return self.judge_jsonl(item.location, item.raw)
        if isinstance(item, HarEntry):
            made = har_entry(item.location, item.entry, self.skip_request, self.max_body_size)
            return self.judge(made) if not isinstance(made, Exchange) else self._judge_exchange(made, checked=True)
        return self._judge_exchange(item)

    def _judge_exchange(self, item: Exchange, checked: bool = False) -> Result:
        reason = None if checked else self.skip_reason(item)
        if reason:
            return Result(item.location, Outcome.SKIPPED, reason=reason)
        if item.body_error:
            return Result(item.location, Outcome.UNREADABLE, reason=item.body_error)
        try:
            findings = self.check(item)
        except OverLimit as over:
            return Result(item.location, Outcome.UNREADABLE, reason=over.reason, rule=over.rule)
        secrets = credentials(*item.credentials) if findings and item.credentials else ()
        if secrets:  # the capture's own credentials, wherever a message would repeat them
            findings = [
                replace(finding, message=mask_values(finding.message, secrets))
                if any(secret[:6] in finding.message for secret in secrets)
                else finding
                for finding in findings
            ]
        return Result(item.location, outcome_of(findings), findings)

    def take_coverage(self) -> Coverage | None:
        """What was counted since the last call (None without --coverage)."""
        if self.coverage is None:
            return None
        taken, self.coverage = self.coverage, Coverage()
        return taken

    def judge_jsonl(self, location: str, raw: bytes) -> Result:
        """One line of a JSONL log: unreadable when over the size limit or not JSON, else judge_line()."""
        if len(raw) > self.max_body_size:
            size = getattr(raw, "size", len(raw))  # a line cut at the limit by its reader knows its length
            reason = f"line of {size} bytes is over --max-body-bytes ({self.max_body_size})"
            return Result(location, Outcome.UNREADABLE, reason=reason, rule="limit.line-bytes")
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            rule = decode_limit(str(exc))
            reason = f"line is over a limit of the reader: {exc}" if rule else f"line is not JSON: {exc}"
            return Result(location, Outcome.UNREADABLE, reason=reason, rule=rule)
        return self.judge_line(location, raw, value)

    def judge_line(self, location: str, raw: bytes, value: Any) -> Result:
        """A JSONL line already decoded (`value`): an exchange record, or a bare body with the default status."""
        if is_exchange_record(value):
            return self.judge(exchange_record(location, value, self.default_content_type))
        exchange = Exchange(location, self.default_status, self.default_content_type, None, raw, parsed=value)
        return self.judge(exchange)

    def skip_reason(self, exchange: Exchange) -> str | None:
        """Why an exchange is not this operation, or None when it is."""
        return self.skip_request(exchange.method, exchange.url)

    def skip_request(self, method: str | None, url: str | None) -> str | None:
        """Why a request (method and URL, either unknown) is not this operation, or None when it may be."""
        if method is not None and method.upper() != self.operation.method:
            return "not this operation: other method"
        if url is None:
            return None
        try:
            parts = urlsplit(url)
        except ValueError:
            return "not this operation: unparsable URL"
        if self.host and (parts.hostname or "") != self.host:
            return "not this operation: other host"
        if not self._path.search(parts.path):
            return "not this operation: other path"
        return None

    # --- one exchange ------------------------------------------------------------------------------------------

    def severity(self, rule: Provenance) -> Severity:
        """How much a broken rule weighs: documented rules are errors; inferred rules only in strict mode."""
        return Severity.ERROR if self.strict or rule.kind != "inferred" else Severity.WARNING

    def check(self, exchange: Exchange) -> list[Finding]:
        """Every finding for one exchange of this operation, in report order."""
        findings: list[Finding] = []

        def add(rule: str, message: str, basis: Provenance, severity: Severity | None = None) -> None:
            weight = severity if severity is not None else self.severity(basis)
            findings.append(Finding(rule, "", message, weight, basis))

        status = str(exchange.status)
        if self.coverage is not None:
            self.coverage.status(status)
        response = self.operation.responses.get(status)
        if response is None:
            documented = ", ".join(self.operation.responses)
            add("status.undocumented", f"status {status} is not documented (documented: {documented})", self._statuses)
            return findings
        if exchange.headers is not None:
            for header in self.header_rules(status):
                value = exchange.headers.get(header.name.lower())
                if value is None:
                    if header.required is not None:
                        add("header.missing", f"response header {header.name} is missing", header.required)
                elif not header.strict.is_valid(value):
                    broken = header.default if not header.default.is_valid(value) else None
                    validator = broken or header.strict
                    basis = rule_provenance(validator, next(validator.errors(value)))
                    weight = Severity.ERROR if broken else self.severity(basis)
                    add("header.schema", f"response header {header.name} {preview(value, header.name)} is invalid",
                        basis, weight)  # fmt: skip
        media_type = (exchange.content_type or "").split(";", 1)[0].strip().lower()
        if exchange.body is None and exchange.parsed is NOT_PARSED:
            add("body.not-recorded", "the capture holds no body for this response", NOT_RECORDED, Severity.WARNING)
            return findings
        body = self.body_rules(status, media_type)
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
            if len(exchange.body) > self.max_body_size or type(exchange.body) is Oversized:
                # (Said without the size: a reader may stop one byte past the limit, or not build the body at all.)
                raise OverLimit(
                    "limit.body-bytes", f"body of more than {self.max_body_size} bytes: over --max-body-bytes"
                )
            try:
                instance = orjson.loads(exchange.body)
            except orjson.JSONDecodeError as exc:
                rule = decode_limit(str(exc))
                if rule:
                    raise OverLimit(rule, f"body is over a limit of the reader: {exc}") from None
                add("body.unreadable", f"body is not JSON: {exc}", self._content)
                return findings
        if self.coverage is not None:
            assert self.plan is not None
            self.coverage.body(self.plan, status, instance)
        try:
            findings.extend(body.findings(instance))
        except (ValueError, RecursionError) as exc:
            # jsonschema-rs refuses instances nested deeper than it can convert; no task body is that deep.
            raise OverLimit("limit.depth", f"body cannot be validated: {exc} (nested too deeply)") from None
        findings.sort(key=lambda finding: finding.order)
        return findings


class OverLimit(Exception):
    """An exchange over a limit of this toolkit: counted unreadable with the limit's rule id."""

    def __init__(self, rule: str, reason: str) -> None:
        super().__init__(reason)
        self.rule, self.reason = rule, reason


def _path_pattern(template: str) -> re.Pattern[str]:
    """The operation's path as a regex that also matches behind any base-path prefix (gateways, stages)."""
    pattern = "".join(
        "[^/]+" if part.startswith("{") else re.escape(part) for part in re.split(r"(\{[^}]+\})", template)
    )
    return re.compile(f"(?:^|/){pattern.lstrip('/')}/?\\Z")
