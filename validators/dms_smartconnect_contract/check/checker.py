"""The one place that decides a verdict: an item in, a Result (outcome and findings) out.

Each exchange goes to the operation of the contract its request is for (its method and path); a bare body, which
records no request, to the operation of bare bodies. The rules of each operation are compiled when first needed
(operation.py).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import orjson

from ..contract import JsonObject, Operation, operations
from ..contract.coverage import Coverage, Plan
from ..contract.operations import BARE_BODY_OPERATION, OTHER_METHOD
from ..findings import UNRECOGNISED_RULE, Outcome, Result, decode_limit, outcome_of
from ..formats.credentials import credentials
from ..formats.families import RecordFamilies
from ..formats.har import har_entry
from ..formats.items import Exchange, HarEntry, JsonlLine, Single, Skipped, Unreadable
from ..redact import mask_values
from .body import BodyRules
from .operation import OperationRules, Unjudgeable
from .options import CheckOptions
from .urls import path_and_query

_ROUTES_KEPT = 4096  # requests whose route is remembered; the memory starts over when full
NO_BARE_OPERATION = (
    "a bare body needs an operation: the contract holds several and names none for bare bodies "
    f"({BARE_BODY_OPERATION}); pass --operation"
)


class Checker:
    """Checks exchanges against the contract's operations; compiled once, then used for every item."""

    def __init__(self, document: JsonObject, options: CheckOptions | None = None) -> None:
        options = options or CheckOptions()
        self.options = options
        self.operations = operations(document)
        self.bare: Operation | None = self.operations.bare(options.operation)
        # Records and bodies are told apart by keys no response body of the contract documents.
        self.families = RecordFamilies(self.operations.response_fields(), options.input_format)
        # What the traffic exercised (validate --coverage): counted here, taken into each unit's tally.
        self.plan: Plan | None = Plan.of(document) if options.coverage else None
        self.coverage: Coverage | None = Coverage() if options.coverage else None
        self.max_body_size = options.max_body_size
        self.default_status = options.default_status
        self.default_content_type = options.default_content_type
        self.host = options.host.lower() if options.host else None
        self._rules: dict[str, OperationRules] = {}
        self._routes: dict[tuple[str | None, str | None], Operation | str] = {}
        self._compiled: dict[tuple[str, bytes], Any] = {}

    def _once(self, schema: JsonObject, make: Any, scope: str = "") -> Any:
        """What `make(schema)` gives, made once per schema and scope (the error statuses share one body and one
        header schema)."""
        key = (scope, orjson.dumps(schema, option=orjson.OPT_SORT_KEYS))
        if key not in self._compiled:
            self._compiled[key] = make(schema)
        return self._compiled[key]

    def rules(self, operation: Operation) -> OperationRules:
        """The compiled rules of an operation."""
        found = self._rules.get(operation.operation_id)
        if found is None:
            found = self._rules[operation.operation_id] = OperationRules(operation, self.options, self._once)
        return found

    def bare_rules(self) -> OperationRules | None:
        """The rules of the operation of bare bodies, or None when the contract names none."""
        return self.rules(self.bare) if self.bare is not None else None

    def bare_body_rules(self) -> BodyRules | None:
        """The rules of a bare body (no request, status or media type recorded: the defaults), or None when the
        contract has no body for them or no operation for bare bodies."""
        rules = self.bare_rules()
        if rules is None:
            return None
        media_type = self.default_content_type.split(";")[0].lower()
        return rules.body_rules(str(self.default_status), media_type)

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
            item = har_entry(item.location, item.entry, self.route, self.max_body_size, item.withheld)
            if not isinstance(item, Exchange):
                return self.judge(item)
        return self.judge_exchange(item)

    def judge_exchange(self, item: Exchange, operation_id: str | None = None) -> Result:
        """The outcome of one exchange: of the operation its request is for, or of `operation_id` when the caller
        knows it (a contract test knows the operation a case was made for, whatever method it sent)."""
        if operation_id:
            operation: Operation | str = self.operations.get(operation_id)
        else:
            operation = item.routed if item.routed is not None else self.route(item.method, item.url)
        if isinstance(operation, str):
            return Result(item.location, Outcome.SKIPPED, reason=operation)
        name = operation.operation_id
        if item.body_error:
            return Result(item.location, Outcome.UNREADABLE, reason=item.body_error, operation=name)
        try:
            findings = self.rules(operation).check(item, self.coverage, self.plan)
        except Unjudgeable as refused:
            return Result(item.location, Outcome.UNREADABLE, reason=refused.reason, rule=refused.rule, operation=name)
        secrets = credentials(*item.credentials) if findings and item.credentials else ()
        if secrets:  # the capture's own credentials, wherever a message would repeat them
            findings = [
                replace(finding, message=mask_values(finding.message, secrets))
                if any(secret[:6] in finding.message for secret in secrets)
                else finding
                for finding in findings
            ]
        return Result(item.location, outcome_of(findings), findings, operation=name)

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
        """A JSONL line already decoded (`value`): a record of a family (formats/families.py), or a bare body with
        the default status; with a family chosen, a line of no family is unrecognised."""
        family = self.families.family(value)
        if family is not None:
            return self.judge(self.families.read(location, value, family, self.default_content_type))
        if self.families.forced:
            return Result(
                location, Outcome.UNREADABLE, reason=self.families.unrecognised(value), rule=UNRECOGNISED_RULE
            )
        default = self.default_status, self.default_content_type
        return self.judge(Exchange(location, *default, None, raw, parsed=value, bare=True))

    # --- routing -----------------------------------------------------------------------------------------------

    def route(self, method: str | None, url: str | None) -> Operation | str:
        """The operation a request is for (method and URL, either unknown), or why it is none. A request with no
        URL (a bare body, a record without one) is taken for the operation of bare bodies. Remembered per request
        (a capture asks for the same URL again and again), and forgotten when too many are held."""
        key = (method, url)
        found = self._routes.get(key)
        if found is None:
            if len(self._routes) >= _ROUTES_KEPT:
                self._routes.clear()
            found = self._routes[key] = self._route(method, url)
        return found

    def _route(self, method: str | None, url: str | None) -> Operation | str:
        if url is None:
            if self.bare is None:
                return NO_BARE_OPERATION
            if method is not None and method.upper() != self.bare.method:
                return OTHER_METHOD
            return self.bare
        try:
            if self.host:
                parts = urlsplit(url)
                if (parts.hostname or "") != self.host:
                    return "not an operation of the contract: other host"
            path, _ = path_and_query(url)
        except ValueError:
            return "not an operation of the contract: unparsable URL"
        return self.operations.route(method, path)
