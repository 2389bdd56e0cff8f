"""Contract assertions for consumer test suites: `assert_conforms(response)` with requests, httpx, the official
SDK's response objects, or a body (a dict, JSON text or bytes).

    from dms_smartconnect_contract.testing import assert_conforms

    def test_task_details(client):
        assert_conforms(client.get(f"/v2/{project}/instances/{instance}/connector/tasks/{task}"))

A response that breaks the contract fails the test with the findings, one a line (rule, JSON pointer, message,
where the rule comes from); warnings (inferred rules, drift) pass, and fail only with `strict=True`. A response of
no operation of the contract raises NotJudged: it breaks nothing, but nothing was asserted of it. The pytest plugin
of this package (entry point `pytest11`) offers the same as the `smartconnect` fixture.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..findings import Outcome, Result
from .adapter import exchange_of, sdk_operation

__all__ = ["ContractViolation", "NotJudged", "assert_conforms", "judge"]


class ContractViolation(AssertionError):
    """A response that breaks the contract; `result` holds every finding."""

    def __init__(self, message: str, result: Result) -> None:
        super().__init__(message)
        self.result = result


class NotJudged(AssertionError):
    """A response the contract has no operation for (another path, another SDK call): no contract break, and no
    assertion either, so the test fails rather than pass having checked nothing; `result` says why."""

    def __init__(self, message: str, result: Result) -> None:
        super().__init__(message)
        self.result = result


@lru_cache(maxsize=4)
def _checker(strict: bool) -> Any:
    from ..check import Checker, CheckOptions
    from ..contract import read_document

    return Checker(read_document(), CheckOptions(strict=strict))


def judge(response: Any, *, strict: bool = False, status: int | None = None, content_type: str | None = None) -> Result:
    """The verdict of the contract on one response or body (`status` and `content_type` for a bare body)."""
    checker = _checker(strict)
    exchange = exchange_of(response, status=status, content_type=content_type)
    operation = sdk_operation(response)
    if operation is not None and operation not in {known.operation_id for known in checker.operations}:
        reason = f"not an operation of the contract: the SDK's {operation}"
        return Result(exchange.location, Outcome.SKIPPED, reason=reason)
    return checker.judge_exchange(exchange, operation)  # type: ignore[no-any-return]


def render(result: Result) -> str:
    """A result as a person reads it: the outcome, then a finding a line."""
    lines = [f"{result.location}: {result.outcome.value}" + (f" ({result.reason})" if result.reason else "")]
    lines += [f"  {finding.severity.value} {finding.line}" for finding in result.findings]
    return "\n".join(lines)


def assert_conforms(
    response: Any, *, strict: bool = False, status: int | None = None, content_type: str | None = None
) -> Result:
    """Fail unless the response conforms (ContractViolation; NotJudged for a response of no operation of the
    contract, both AssertionErrors); the result when it does."""
    __tracebackhide__ = True  # pytest shows the test's own line that failed, not this function's
    result = judge(response, strict=strict, status=status, content_type=content_type)
    if result.outcome is Outcome.SKIPPED:
        raise NotJudged(
            f"the response was not judged, so nothing was asserted (it breaks no contract): {result.reason}\n"
            + render(result),
            result,
        )
    if result.outcome is Outcome.UNREADABLE:
        raise ContractViolation(f"the response could not be judged: {result.reason}\n" + render(result), result)
    if result.outcome is not Outcome.CONFORMING:
        raise ContractViolation(f"the response breaks the {result.operation} contract\n" + render(result), result)
    return result
