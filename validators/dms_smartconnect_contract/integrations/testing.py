"""Contract assertions for consumer test suites: `assert_conforms(response)` with requests, httpx, the official
SDK's response objects, or a body (a dict, JSON text or bytes).

    from dms_smartconnect_contract.testing import assert_conforms

    def test_task_details(client):
        assert_conforms(client.get(f"/v2/{project}/instances/{instance}/connector/tasks/{task}"))

A response that breaks the contract fails the test with the findings, one a line (rule, JSON pointer, message,
where the rule comes from); warnings (inferred rules, drift) fail only with `strict=True`. The pytest plugin of this
package (entry point `pytest11`) offers the same as the `smartconnect` fixture.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from ..findings import Outcome, Result

__all__ = ["ContractViolation", "assert_conforms", "judge"]


class ContractViolation(AssertionError):
    """A response that breaks the contract; `result` holds every finding."""

    def __init__(self, message: str, result: Result) -> None:
        super().__init__(message)
        self.result = result


@lru_cache(maxsize=4)
def _checker(strict: bool) -> Any:
    from ..check import Checker, CheckOptions
    from ..contract import read_document

    return Checker(read_document(), CheckOptions(strict=strict))


def _exchange(response: Any, status: int | None, content_type: str | None) -> Any:
    from ..formats.items import Exchange

    if hasattr(response, "status_code") and hasattr(response, "raw_content") and not hasattr(response, "headers"):
        # The official SDK's response object: status and body; the SDK keeps no response headers.
        raw = response.raw_content
        return Exchange("SDK response", int(response.status_code), content_type or "application/json", None, raw)
    if hasattr(response, "status_code") and hasattr(response, "headers") and hasattr(response, "content"):
        # requests and httpx responses alike.
        headers = {str(name).lower(): str(value) for name, value in response.headers.items()}
        request = getattr(response, "request", None)
        method = getattr(request, "method", None) if request is not None else None
        url = str(getattr(response, "url", "") or "") or None
        kind = content_type or headers.get("content-type")
        return Exchange("response", int(response.status_code), kind, headers, response.content, method=method, url=url)
    if isinstance(response, str):
        body = response.encode()
    elif isinstance(response, bytes | bytearray):
        body = bytes(response)
    else:
        body = json.dumps(response).encode()
    return Exchange("body", status or 200, content_type or "application/json", None, body)


def judge(response: Any, *, strict: bool = False, status: int | None = None, content_type: str | None = None) -> Result:
    """The verdict of the contract on one response or body (`status` and `content_type` for a bare body)."""
    return _checker(strict).judge(_exchange(response, status, content_type))  # type: ignore[no-any-return]


def render(result: Result) -> str:
    """A result as a person reads it: the outcome, then a finding a line."""
    lines = [f"{result.location}: {result.outcome.value}" + (f" ({result.reason})" if result.reason else "")]
    for finding in result.findings:
        lines.append(f"  {finding.severity.value} {finding.rule} at {finding.pointer or '(exchange)'}: "
                     f"{finding.message} [{finding.basis}]")  # fmt: skip
    return "\n".join(lines)


def assert_conforms(
    response: Any, *, strict: bool = False, status: int | None = None, content_type: str | None = None
) -> Result:
    """Fail (ContractViolation, an AssertionError) unless the response conforms; the result when it does."""
    result = judge(response, strict=strict, status=status, content_type=content_type)
    if result.outcome is not Outcome.CONFORMING:
        raise ContractViolation("the response breaks the ShowConnectorTask contract\n" + render(result), result)
    return result
