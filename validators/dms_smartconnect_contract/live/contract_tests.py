"""Contract tests: schemathesis generates requests (valid and invalid path parameters), sends them to a server, and
checks every response against the contract, our strict conformance check included.

Used by `smartconnect-contract contract` (no pytest needed), by the mutation test, and by the pytest property tests.
schemathesis is imported here only, so `validate` never pays for it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup

from ..check import Checker, CheckOptions
from ..contract import JsonObject, find_operation, read_document
from ..findings import Severity
from ..formats.items import Exchange
from .signing import sign

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
    headers = {name.lower(): values[0] for name, values in response.headers.items() if values}
    exchange = Exchange("response", response.status_code, headers.get("content-type"), headers, response.content)
    errors = [f for f in _strict_checker().check(exchange) if f.severity is Severity.ERROR]
    if errors:
        raise AssertionError(
            "\n".join(f"{f.rule} at {f.pointer or '(exchange)'}: {f.message} [{f.basis}]" for f in errors)
        )
    return None


def checks() -> list[Callable[..., Any]]:
    """The check functions, resolved by name from schemathesis' own registry."""
    from schemathesis.checks import CHECKS

    registry = {function.__name__: function for function in CHECKS.get_all()}
    return [registry[name] for name in BUILTIN_CHECKS] + [contract_conformance]


@dataclass(frozen=True)
class Credentials:
    """How requests authenticate: an IAM token, or AK/SK signing (the secret key never leaves this object)."""

    token: str | None = None
    access_key: str | None = None
    secret_key: str | None = field(default=None, repr=False)
    project_id: str | None = None

    def headers(self, method: str, url: str) -> dict[str, str]:
        if self.token:
            return {"X-Auth-Token": self.token}
        if self.access_key and self.secret_key:
            extra = {"Content-Type": "application/json"}
            if self.project_id:
                extra["X-Project-Id"] = self.project_id
            return sign(self.access_key, self.secret_key, method, url, extra)
        return {}


@dataclass(frozen=True)
class Target:
    """A server to test and what the tests need of it; from flags, else from the documented variables."""

    url: str | None
    known: dict[str, str]  # project_id, instance_id, task_id of a task that exists
    credentials: Credentials

    @classmethod
    def from_environment(cls, environ: Mapping[str, str], **flags: str | None) -> Target:
        """Flags url, region, project_id, instance_id, task_id, token; each falls back to its variable."""
        region = flags.get("region") or environ.get("SMARTCONNECT_REGION")
        url = flags.get("url") or environ.get("SMARTCONNECT_BASE_URL")
        if not url and region:
            url = f"https://dms.{region}.myhuaweicloud.{'eu' if region == 'eu-west-101' else 'com'}"
        known = {
            "project_id": flags.get("project_id") or environ.get("HUAWEICLOUD_SDK_PROJECT_ID") or "",
            "instance_id": flags.get("instance_id") or environ.get("SMARTCONNECT_INSTANCE_ID") or "",
            "task_id": flags.get("task_id") or environ.get("SMARTCONNECT_TASK_ID") or "",
        }
        credentials = Credentials(
            token=flags.get("token") or environ.get("SMARTCONNECT_TOKEN"),
            access_key=environ.get("HUAWEICLOUD_SDK_AK"),
            secret_key=environ.get("HUAWEICLOUD_SDK_SK"),
            project_id=known["project_id"],
        )
        return cls(url, known, credentials)

    def missing(self) -> list[str]:
        """What is not configured, named by flag and variable; empty when the tests can run."""
        sources = {
            "--url, SMARTCONNECT_BASE_URL or SMARTCONNECT_REGION": self.url,
            "--project-id or HUAWEICLOUD_SDK_PROJECT_ID": self.known["project_id"],
            "--instance-id or SMARTCONNECT_INSTANCE_ID": self.known["instance_id"],
            "--task-id or SMARTCONNECT_TASK_ID": self.known["task_id"],
            "SMARTCONNECT_TOKEN, or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK": self.credentials.token
            or (self.credentials.access_key and self.credentials.secret_key),
        }
        return [name for name, value in sources.items() if not value]


@dataclass
class CaseOutcome:
    """One request of the run and the checks it failed (title, message)."""

    name: str
    status: int | None
    failures: list[tuple[str, str]]
    error_code: str | None = None  # of an error answer, to say why a request was refused


KNOWN_TASK = "known task"
UNAUTHORISED = (401, 403)


def unproven(outcomes: list[CaseOutcome]) -> str | None:
    """Why a run proved nothing, or None when it proved something: the server must have authorised at least one
    request and served the known task with 200. Otherwise every check may pass while none of them looked at a
    task: a wrong token draws 401s, which the contract documents."""
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
    known = next((outcome for outcome in outcomes if outcome.name == KNOWN_TASK), None)
    if known is None:
        return "the known task was not requested"
    if known.status != 200:
        got = f"{known.status}{f' {known.error_code}' if known.error_code else ''}" if known.status else "no answer"
        return (
            f"the known task was never answered with 200 (it got {got}): it does not exist, or the instance or "
            "project is not the one given"
        )
    return None


def _failures(exc: BaseException) -> list[tuple[str, str]]:
    found = getattr(exc, "exceptions", None) or [exc]
    return [(getattr(f, "title", type(f).__name__), getattr(f, "message", str(f))) for f in found]


@dataclass
class ContractRun:
    """A run against one server: an ASGI app in process, or a base URL over HTTP."""

    credentials: Credentials
    app: Any = None
    base_url: str | None = None
    document: JsonObject = field(default_factory=read_document)
    outcomes: list[CaseOutcome] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.app is not None:
            self.schema = schemathesis.openapi.from_asgi("/openapi.json", self.app)
        else:
            self.schema = schemathesis.openapi.from_dict(self.document)
        path = find_operation(self.document).path
        self.operation = self.schema[path]["GET"]

    def exercise(self, case: Any, name: str) -> CaseOutcome:
        """Send one case with credentials and run every check on the response."""
        url = (self.base_url or "http://localhost").rstrip("/") + case.formatted_path
        headers = {**(case.headers or {}), **self.credentials.headers(case.method, url)}
        kwargs = {"base_url": self.base_url} if self.base_url else {}
        try:
            response = case.call(headers=headers, **kwargs)
        except Exception as exc:  # a transport error is a finding of the run, not a crash of it
            outcome = CaseOutcome(name, None, [("Request failed", str(exc))])
        else:
            try:
                case.validate_response(response, checks=checks(), headers=headers)
                failures: list[tuple[str, str]] = []
            except (AssertionError, FailureGroup) as exc:
                failures = _failures(exc)
            outcome = CaseOutcome(name, response.status_code, failures, _error_code(response))
        self.outcomes.append(outcome)
        return outcome

    def run(self, known: dict[str, str], max_examples: int = 25) -> list[CaseOutcome]:
        """The known task, then generated requests, valid and invalid, in three scopes: inside the known instance
        (unknown tasks, malformed task IDs), inside the known project (unknown instances) and anywhere (projects the
        credentials are not for)."""
        self.exercise(self.operation.Case(path_parameters=known), KNOWN_TASK)
        scopes = {
            "in instance": {"project_id": known["project_id"], "instance_id": known["instance_id"]},
            "in project": {"project_id": known["project_id"]},
            "anywhere": {},
        }
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for label, fixed in scopes.items():
                self._generated(mode, max_examples, fixed, label)
        return self.outcomes

    def _generated(self, mode: GenerationMode, max_examples: int, fixed: dict[str, str], label: str) -> None:
        counter = iter(range(1, max_examples * 10))

        @given(case=self.operation.as_strategy(generation_mode=mode, path_parameters=fixed or None))
        @settings(
            max_examples=max_examples,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def probe(case: Any) -> None:
            self.exercise(case, f"{mode.value} {label} #{next(counter)}")

        probe()


def _error_code(response: Any) -> str | None:
    """The error_code of an error answer's body, when it has one (error codes carry no secret)."""
    if response.status_code < 400:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    code = body.get("error_code") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None


def failed(outcomes: list[CaseOutcome]) -> Iterator[CaseOutcome]:
    """The outcomes with at least one failed check."""
    return (outcome for outcome in outcomes if outcome.failures)
