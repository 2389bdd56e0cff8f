"""Property tests with schemathesis: the reference server keeps the contract, in process and over loopback HTTP,
and the same tests run against the real endpoint when credentials are given."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from dms_smartconnect_contract.contract import read_document
from dms_smartconnect_contract.live.contract_tests import CaseOutcome, ContractRun, checks, failed, unproven
from dms_smartconnect_contract.live.reference_data import FAULTS
from dms_smartconnect_contract.live.targets import Credentials, Target

from clirunner import CliResult, run
from serverkit import ACCESS_KEY, KNOWN, SECRET_KEY, TOKEN, make_app, running_server

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]

in_process = schemathesis.openapi.from_asgi("/openapi.json", make_app())
in_process.config.generation.update(modes=MODES)


@in_process.parametrize()
@SETTINGS
def test_reference_server_in_process(case: Any) -> None:
    case.call_and_validate(headers={"X-Auth-Token": TOKEN}, checks=checks())


@pytest.fixture(scope="module")
def loopback_url() -> Iterator[str]:
    with running_server() as url:
        yield url


# The schema comes from the contract itself; the fixture gives the server's address. (schemathesis' from_fixture
# would load it from the server, but fails under pytest 9: 'Function' object has no attribute '_nodeid'.)
over_http = schemathesis.openapi.from_dict(read_document())
over_http.config.generation.update(modes=MODES)


@over_http.parametrize()
@SETTINGS
def test_reference_server_over_http(case: Any, loopback_url: str) -> None:
    case.call_and_validate(base_url=loopback_url, headers={"X-Auth-Token": TOKEN}, checks=checks())


def test_known_task_over_http(loopback_url: str) -> None:
    run = ContractRun(Credentials(token=TOKEN), base_url=loopback_url)
    outcome = run.exercise(run.operation.Case(path_parameters=KNOWN), "known task")
    assert (outcome.status, outcome.failures) == (200, [])


# --- the real endpoint -------------------------------------------------------------------------------------------

LIVE = Target.from_environment(os.environ)


@pytest.mark.skipif(bool(LIVE.missing()), reason=f"live endpoint not configured: set {'; '.join(LIVE.missing())}")
def test_real_endpoint_keeps_the_contract() -> None:
    outcomes = ContractRun(LIVE.credentials, base_url=LIVE.url).run(LIVE.known, max_examples=10)
    assert unproven(outcomes) is None, "the run must be authorised and read the known task"
    assert [(o.name, o.failures) for o in failed(outcomes)] == []


# --- proof that the tests catch breakage ---------------------------------------------------------------------------

EXPECTED_CATCH = {
    "wrong-type": "Response violates schema",
    "missing-field": "Response violates schema",
    "undocumented-field": "contract_conformance",
    "unknown-enum": "contract_conformance",
    "broken-conditional": "Response violates schema",
    "wrong-media-type": "Undocumented Content-Type",
    "undocumented-status": "Undocumented status code",
    "server-error": "Server error",
    "missing-request-id": "Missing required response headers",
    "auth-ignored": "API accepts requests without authentication",
    "parameters-unchecked": "Schema-violating request accepted",
    "list-unknown-task": "Linked resource not served",
}


def _titles(fault: str | None) -> set[str]:
    run = ContractRun(Credentials(token=TOKEN), app=make_app(fault), document=read_document())
    return {title for outcome in failed(run.run(KNOWN, max_examples=10)) for title, _ in outcome.failures}


def test_every_fault_class_has_an_expected_catch() -> None:
    assert set(EXPECTED_CATCH) == set(FAULTS)


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_contract_tests_catch_the_fault(fault: str) -> None:
    titles = _titles(fault)
    assert any(EXPECTED_CATCH[fault] in title for title in titles), titles


def test_contract_tests_pass_without_a_fault() -> None:
    assert _titles(None) == set()


def test_target_from_environment() -> None:
    env = {
        "SMARTCONNECT_REGION": "eu-west-101",
        "HUAWEICLOUD_SDK_PROJECT_ID": "p",
        "SMARTCONNECT_INSTANCE_ID": "i",
        "SMARTCONNECT_TASK_ID": "t",
        "HUAWEICLOUD_SDK_AK": "ak",
        "HUAWEICLOUD_SDK_SK": "sk",
    }
    target = Target.from_environment(env)
    assert (target.url, target.missing()) == ("https://dms.eu-west-101.myhuaweicloud.eu", [])
    assert Target.from_environment(env, region="cn-north-4").url == "https://dms.cn-north-4.myhuaweicloud.com"
    assert "sk" not in repr(target.credentials)
    assert Target.from_environment({}, url="http://x").missing()[0] == (
        "--project-id or SMARTCONNECT_PROJECT_ID or HUAWEICLOUD_SDK_PROJECT_ID"
    )
    flags = Target.from_environment({}, {"task_id": "from-a-flag"}, url="http://x")
    assert flags.known == {"task_id": "from-a-flag"}


def test_aksk_run_signs_every_request(loopback_url: str) -> None:
    """A live run with AK/SK signs each generated request; the reference server must accept the signatures."""
    credentials = Credentials(access_key=ACCESS_KEY, secret_key=SECRET_KEY, project_id=KNOWN["project_id"])
    outcomes = ContractRun(credentials, base_url=loopback_url).run(KNOWN, max_examples=5)
    assert unproven(outcomes) is None
    assert [(o.name, o.failures) for o in failed(outcomes)] == []


# --- no false green: a run that proved nothing fails ---------------------------------------------------------------


def _contract(url: str, task_id: str, *credentials: str, junit: Path | None = None) -> CliResult:
    known = ["--project-id", KNOWN["project_id"], "--instance-id", KNOWN["instance_id"], "--task-id", task_id]
    report = ["--junit", str(junit)] if junit else []
    return run("contract", "--url", url, *known, "--max-examples", "3", *credentials, *report)


def test_a_wrong_token_proves_nothing(loopback_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("SMARTCONNECT_TOKEN", "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK"):
        monkeypatch.delenv(variable, raising=False)
    junit = tmp_path / "contract.xml"
    result = _contract(loopback_url, KNOWN["task_id"], "--token", "not-the-token", junit=junit)
    assert result.code == 5
    assert "failed (statuses 401:" in result.out  # every check passed, on 401s only
    assert result.out.rstrip().endswith("; the run proved nothing")  # and the summary says what that is worth
    assert "proved nothing: nothing was authorised: all" in result.err and "DMS.10240101" in result.err
    error = ET.parse(junit).find("testsuite/testcase/error")
    assert error is not None and error.get("type") == "nothing-proved"
    assert "not-the-token" not in junit.read_text() + result.out + result.err


def test_a_wrong_secret_key_proves_nothing(loopback_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMARTCONNECT_TOKEN", raising=False)
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", ACCESS_KEY)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", "not-the-secret-key")
    result = _contract(loopback_url, KNOWN["task_id"])
    assert result.code == 5
    assert "nothing was authorised" in result.err and "APIGW.0301" in result.err


def test_a_task_that_does_not_exist_proves_nothing(loopback_url: str) -> None:
    result = _contract(loopback_url, "00000000-0000-4000-8000-000000000000", "--token", TOKEN)
    assert result.code == 5
    assert "the known ShowConnectorTask request was never answered with 200 (it got 404 DMS.00404001)" in result.err


def test_the_right_token_and_the_seed_task_pass(loopback_url: str, tmp_path: Path) -> None:
    junit = tmp_path / "contract.xml"
    result = _contract(loopback_url, KNOWN["task_id"], "--token", TOKEN, junit=junit)
    assert result.code == 0, result.err
    assert "proved nothing" not in result.err + result.out
    assert ET.parse(junit).find("testsuite/testcase/error") is None


@pytest.mark.parametrize(
    ("outcomes", "reason"),
    [
        ([], "no request was made"),
        ([CaseOutcome("known task", None, [("Request failed", "refused")])], "no request was answered"),
        ([CaseOutcome("known task", 403, [], "DMS.00403002"), CaseOutcome("x", 401, [])], "nothing was authorised"),
        ([CaseOutcome("known task", 404, [], "DMS.00404001"), CaseOutcome("x", 400, [])], "it got 404 DMS.00404001"),
        ([CaseOutcome("known task", None, []), CaseOutcome("x", 404, [])], "it got no answer"),
        ([CaseOutcome("known task", 200, []), CaseOutcome("x", 401, [])], None),
        (
            [CaseOutcome("known ShowConnectorTask", 200, []), CaseOutcome("known ListConnectorTasks", 404, [], "X.1")],
            "the known ListConnectorTasks request was never answered with 200 (it got 404 X.1)",
        ),
        ([CaseOutcome("x", 200, [])], "no request of known values was made"),
    ],
)
def test_what_a_run_must_show_to_prove_something(outcomes: list[CaseOutcome], reason: str | None) -> None:
    problem = unproven(outcomes)
    assert problem is None if reason is None else (problem is not None and reason in problem)
