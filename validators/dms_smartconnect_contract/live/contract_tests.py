"""Contract tests: schemathesis generates requests for every operation of the contract (valid and invalid parameters,
then sequences that follow the contract's links), sends them to a server, and checks every response against the
contract, our strict conformance check included.

Used by `smartconnect-contract contract` (no pytest needed), by the mutation test, and by the pytest property tests.
schemathesis is imported here only, so `validate` never pays for it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup

from ..check import Checker, CheckOptions
from ..contract import ContractError, JsonObject, operations, read_document
from ..contract.operations import ERROR_CODE_PROPERTY
from ..findings import Outcome, Severity
from ..integrations.adapter import exchange_of
from .targets import Credentials

# The schemathesis checks the contract tests run, with ours last.
BUILTIN_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "ignored_auth",
)


@functools.cache
def _strict_checker() -> Checker:
    return Checker(read_document(), CheckOptions(strict=True))


@schemathesis.check
def contract_conformance(ctx: Any, response: Any, case: Any) -> bool | None:
    """The toolkit's own verdict in strict mode: drift (undocumented fields, unknown enumeration values) fails too."""
    # The case knows its operation, whatever method it sent (schemathesis tries methods the path does not serve).
    operation = case.operation.definition.raw.get("operationId") if case is not None else None
    result = _strict_checker().judge_exchange(exchange_of(response), operation)
    if result.outcome is Outcome.SKIPPED:
        raise AssertionError(f"the response was not judged: {result.reason}")
    errors = [finding for finding in result.findings if finding.severity is Severity.ERROR]
    if result.outcome is Outcome.UNREADABLE:
        raise AssertionError(f"the response could not be read: {result.reason}")
    if errors:
        raise AssertionError("\n".join(finding.line for finding in errors))
    return None


def checks() -> list[Callable[..., Any]]:
    """The check functions, resolved by name from schemathesis' own registry."""
    from schemathesis.checks import CHECKS

    registry = {function.__name__: function for function in CHECKS.get_all()}
    return [registry[name] for name in BUILTIN_CHECKS] + [contract_conformance]


@dataclass
class CaseOutcome:
    """One request of the run and the checks it failed (title, message)."""

    name: str
    status: int | None
    failures: list[tuple[str, str]]
    error_code: str | None = None  # of an error answer, to say why a request was refused
    operation: str = ""


KNOWN = "known"  # the name of a request made of known values only
UNAUTHORISED = (401, 403)
LINK_FAILURE = "Linked resource not served"


def unproven(outcomes: list[CaseOutcome]) -> str | None:
    """Why a run proved nothing, or None when it proved something: the server must have authorised at least one
    request and answered each request of known values (a task that exists, its instance's list) with 200.
    Otherwise every check may pass while none of them looked at a task: a wrong token draws 401s, which the
    contract documents."""
    answered = [outcome for outcome in outcomes if outcome.status is not None]
    if not answered:
        return "no request was answered" if outcomes else "no request was made"
    if all(outcome.status in UNAUTHORISED for outcome in answered):
        codes = sorted({outcome.error_code for outcome in answered if outcome.error_code})
        seen = f" ({', '.join(codes)})" if codes else ""
        return (
            f"nothing was authorised: all {len(answered)} answers were 401 or 403{seen}; the token or the AK/SK "
            "is wrong, expired, or for another project"
        )
    known = [outcome for outcome in outcomes if outcome.name.startswith(KNOWN)]
    if not known:
        return "no request of known values was made"
    for outcome in known:
        if outcome.status != 200:
            code = f" {outcome.error_code}" if outcome.error_code else ""
            got = f"{outcome.status}{code}" if outcome.status else "no answer"
            return (
                f"the {outcome.name} request was never answered with 200 (it got {got}): what it names does not "
                "exist, or the instance or project is not the one given"
            )
    return None


def _failures(exc: BaseException) -> list[tuple[str, str]]:
    found = getattr(exc, "exceptions", None) or [exc]
    return [(getattr(f, "title", type(f).__name__), getattr(f, "message", str(f))) for f in found]


@dataclass
class ContractRun:
    """A run against one server: an ASGI app in process, or a base URL over HTTP, over every operation of the
    contract."""

    credentials: Credentials
    app: Any = None
    base_url: str | None = None
    document: JsonObject = field(default_factory=read_document)
    outcomes: list[CaseOutcome] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.schema = self._load()
        self.contract = operations(self.document)
        self.operations = {op.operation_id: self.schema[op.path][op.method] for op in self.contract}

    def _load(self) -> Any:
        if self.app is not None:
            return schemathesis.openapi.from_asgi("/openapi.json", self.app)
        return schemathesis.openapi.from_dict(self.document)

    @property
    def operation(self) -> Any:
        """The schemathesis operation of bare bodies (the contract's main operation)."""
        bare = self.contract.bare()
        return self.operations[(bare or self.contract.all[0]).operation_id]

    def exercise(self, case: Any, name: str, step: Any = None) -> CaseOutcome:
        """Send one case with credentials and run every check on the response; a `step` of the stateful phase is
        also checked against the link it followed."""
        url = (self.base_url or "http://localhost").rstrip("/") + case.formatted_path
        headers = {**(case.headers or {}), **self.credentials.headers(case.method, url)}
        kwargs = {"base_url": self.base_url} if self.base_url else {}
        operation = case.operation.definition.raw.get("operationId", "")
        try:
            response = case.call(headers=headers, **kwargs)
        except Exception as exc:  # a transport error is a finding of the run, not a crash of it
            outcome = CaseOutcome(name, None, [("Request failed", str(exc))], operation=operation)
            response = None
        else:
            try:
                case.validate_response(response, checks=checks(), headers=headers)
                failures: list[tuple[str, str]] = []
            except (AssertionError, FailureGroup) as exc:
                failures = _failures(exc)
            failures += _link_failures(step, case, response)
            code = self._error_code(operation, response)
            outcome = CaseOutcome(name, response.status_code, failures, code, operation)
        self.outcomes.append(outcome)
        self.last_response = response
        return outcome

    def run(self, known: dict[str, str], max_examples: int = 25) -> list[CaseOutcome]:
        """For each operation: its request of known values, then generated requests, valid and invalid, with fewer
        and fewer path parameters known (an unknown task in the known instance, an unknown instance in the known
        project, projects the credentials are not for); then the stateful phase, which follows the contract's
        links (a task a list names, read through the detail call)."""
        for operation in self.contract:
            names = list(operation.parameters)
            if all(name in known for name in names):
                case = self.operations[operation.operation_id].Case(path_parameters={n: known[n] for n in names})
                self.exercise(case, f"{KNOWN} {operation.operation_id}")
        for operation in self.contract:
            names = list(operation.parameters)
            for count in range(len(names), -1, -1):
                fixed = {name: known[name] for name in names[:count] if name in known}
                if count == len(names) and not operation.query:
                    continue  # every parameter known and none to generate: the request of known values
                label = f"with {', '.join(fixed)} known" if fixed else "anywhere"
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                    self._generated(operation.operation_id, mode, max_examples, fixed, label)
        self.stateful(known, max_examples)
        return self.outcomes

    def _generated(
        self, operation: str, mode: GenerationMode, max_examples: int, fixed: dict[str, str], label: str
    ) -> None:
        counter = iter(range(1, max_examples * 10))
        strategy = self.operations[operation].as_strategy(generation_mode=mode, path_parameters=fixed or None)

        @given(case=strategy)
        @settings(
            max_examples=max_examples,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def probe(case: Any) -> None:
            self.exercise(case, f"{operation} {mode.value} {label} #{next(counter)}")

        probe()

    def stateful(self, known: dict[str, str], max_examples: int = 25) -> None:
        """Sequences of calls that follow the contract's links, inside the known instance: each step is checked as
        any request is, and a resource a successful answer names through a link must be served where the link
        leads (a list must not name a task the detail call does not know)."""
        # The path parameters every operation takes (the project and instance) are the known ones; the links give
        # the rest.
        common = set.intersection(*(set(operation.parameters) for operation in self.contract))
        shared = {name: value for name, value in known.items() if name in common}
        run, counter = self, iter(range(1, max_examples * 100))
        base = self._load().as_state_machine()

        class Sequences(base):  # type: ignore[misc, valid-type]
            def step(self, input: Any) -> Any:
                from schemathesis.generation.stateful.state_machine import StepOutput

                if input.transition is None:  # a sequence starts inside the known instance
                    input.case.path_parameters = {**(input.case.path_parameters or {}), **shared}
                run.exercise(input.case, f"stateful #{next(counter)}", input)
                response = run.last_response
                return StepOutput(response, input.case) if response is not None else None

        Sequences.run(
            settings=settings(
                max_examples=max_examples,
                deadline=None,
                database=None,
                derandomize=True,
                stateful_step_count=4,
                suppress_health_check=list(HealthCheck),
            )
        )

    def _error_code(self, operation_id: str, response: Any) -> str | None:
        """The error code of an error answer (error codes carry no secret), read from the field the contract's
        error body names for it."""
        if response.status_code < 400:
            return None
        try:
            spec = self.contract.get(operation_id).responses.get(str(response.status_code))
        except ContractError:
            return None
        schema = next(iter(spec.media_types.values()), {}) if spec else {}
        field_name = schema.get(ERROR_CODE_PROPERTY)
        try:
            body = response.json()
        except ValueError:
            return None
        code = body.get(field_name) if isinstance(body, dict) and field_name else None
        return code if isinstance(code, str) else None


def _link_failures(step: Any, case: Any, response: Any) -> list[tuple[str, str]]:
    """A step that followed a link of the contract (not one schemathesis inferred) from a successful answer, with
    every value the link gives taken from that answer, and was answered 404: what the answer named does not exist."""
    transition = getattr(step, "transition", None)
    if transition is None or transition.is_inferred or response.status_code != 404:
        return []
    applied = {name for _, name in step.applied_parameters if name}
    defined = {name for parameters in transition.parameters.values() for name in parameters}
    if not defined or not defined <= applied:
        return []  # a value the link could not take from the answer was generated: a 404 proves nothing
    given = ", ".join(f"{name}={case.path_parameters.get(name)}" for name in sorted(defined))
    message = f"the link {transition.id} gave {given}, and the operation answered 404: the earlier answer named it"
    return [(LINK_FAILURE, message)]


def failed(outcomes: list[CaseOutcome]) -> Iterator[CaseOutcome]:
    """The outcomes with at least one failed check."""
    return (outcome for outcome in outcomes if outcome.failures)
