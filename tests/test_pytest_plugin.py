"""The pytest plugin and assert_conforms, as a consumer team uses them: with requests, httpx and the official SDK's
response objects against the reference server on loopback, and in a test suite of their own (pytester)."""

from __future__ import annotations

import json

import httpx
import pytest
import requests
from huaweicloudsdkcore.sdk_response import SdkResponse

from dms_smartconnect_contract.integrations.testing import ContractViolation, NotJudged, assert_conforms, judge

from conftest import response_examples
from serverkit import SEED_TASK, TASK_PATH, TOKEN, running_server

pytest_plugins = ["pytester"]


@pytest.fixture(scope="module")
def seed(document: dict) -> dict:
    return response_examples(document)["kafkaReplicatorSource"]


def test_responses_of_requests_and_httpx_from_a_real_server() -> None:
    with running_server() as base:
        url = base + TASK_PATH + SEED_TASK
        for response in (requests.get(url, headers={"X-Auth-Token": TOKEN}, timeout=10),
                         httpx.get(url, headers={"X-Auth-Token": TOKEN})):  # fmt: skip
            result = assert_conforms(response, strict=True)
            assert result.outcome.value == "conforming"
        missing = httpx.get(base + TASK_PATH + "00000000-0000-4000-8000-000000000000", headers={"X-Auth-Token": TOKEN})
        assert missing.status_code == 404
        assert_conforms(missing)  # a documented error conforms too
    with running_server("wrong-type") as base:
        broken = requests.get(base + TASK_PATH + SEED_TASK, headers={"X-Auth-Token": TOKEN}, timeout=10)
        with pytest.raises(ContractViolation, match=r"error schema.type at /create_time: expected integer"):
            assert_conforms(broken)


def test_the_sdk_response_object(seed: dict) -> None:
    response = SdkResponse()
    response.status_code = 200
    response.raw_content = json.dumps(seed).encode()
    assert judge(response).outcome.value == "conforming"
    bad = SdkResponse()
    bad.status_code = 200
    bad.raw_content = json.dumps({**seed, "status": 3}).encode()
    with pytest.raises(ContractViolation, match=r"schema.type at /status"):
        assert_conforms(bad)


def test_an_sdk_response_is_judged_as_the_operation_its_class_names(document: dict, seed: dict) -> None:
    """The SDK names each response class after its operation: a list's response object is judged as the list,
    and one of a call the contract does not hold is not judged at all."""
    from conftest import LIST_PATH

    class ListConnectorTasksResponse(SdkResponse):
        pass

    class ShowInstanceResponse(SdkResponse):
        pass

    page = ListConnectorTasksResponse()
    page.status_code = 200
    page.raw_content = json.dumps(response_examples(document, path=LIST_PATH)["twoTasks"]).encode()
    assert (judge(page).operation, judge(page).outcome.value) == ("ListConnectorTasks", "conforming")
    instance = ShowInstanceResponse()
    instance.status_code, instance.raw_content = 200, json.dumps(seed).encode()
    assert judge(instance).outcome.value == "skipped"
    with pytest.raises(NotJudged, match=r"not judged, so nothing was asserted .*: not an operation of the contract"):
        assert_conforms(instance)


def test_a_response_of_another_operation_is_not_judged_which_is_no_contract_break() -> None:
    other = httpx.Response(200, json={"x": 1}, request=httpx.Request("GET", "http://h/v2/p/instances/i/topics"))
    with pytest.raises(NotJudged, match="it breaks no contract") as raised:
        assert_conforms(other)
    assert not isinstance(raised.value, ContractViolation)
    assert "breaks the" not in str(raised.value)
    assert raised.value.result.outcome.value == "skipped"


def test_bodies_as_dicts_text_and_bytes(seed: dict) -> None:
    for body in (seed, json.dumps(seed), json.dumps(seed).encode()):
        assert judge(body).outcome.value == "conforming"
    assert judge({"error_code": "DMS.00404022", "error_msg": "gone"}, status=404).outcome.value == "conforming"
    drift = {**seed, "labels": {"team": "a"}}
    assert_conforms(drift)
    with pytest.raises(ContractViolation, match=r"undocumented-field at /labels"):
        assert_conforms(drift, strict=True)


def test_the_fixture_in_a_consumer_suite(pytester: pytest.Pytester, seed: dict) -> None:
    pytester.makepyfile(
        test_consumer=f"""
        BODY = {seed!r}

        def test_good(smartconnect):
            smartconnect.assert_conforms(BODY)

        def test_wrong_type(smartconnect):
            smartconnect.assert_conforms({{**BODY, "create_time": "soon"}})

        def test_drift_is_fine(smartconnect):
            smartconnect.assert_conforms({{**BODY, "labels": {{}}}})

        def test_drift_when_strict(smartconnect):
            smartconnect.assert_conforms({{**BODY, "labels": {{}}}}, strict=True)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=2)
    # The failure points at the consumer's own line; the toolkit's frames are hidden (__tracebackhide__).
    result.stdout.fnmatch_lines(['*smartconnect.assert_conforms({**BODY, "create_time": "soon"})*'])
    assert "integrations/testing.py" not in result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*error schema.type at /create_time: expected integer, got string*[documented: reference]*",
            "*error undocumented-field at /labels: field 'labels' is not documented*",
        ]
    )
