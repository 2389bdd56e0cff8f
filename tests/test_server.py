"""The reference server behaves like the real service (FACTS.md): codes, bodies, headers, authentication."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from dms_smartconnect_contract.live.server import ServerConfig, bundled_tasks, create_app, index_tasks, load_tasks
from dms_smartconnect_contract.live.signing import sign

from conftest import ROOT
from serverkit import ACCESS_KEY, SECRET_KEY, SEED_TASK, TASK_PATH, TOKEN, get, make_app

AUTH = {"X-Auth-Token": TOKEN}


def _error(response, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.json()["error_code"] == code
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"]


def test_known_task_is_served_with_request_id() -> None:
    response = get(make_app(), TASK_PATH + SEED_TASK, AUTH)
    assert response.status_code == 200
    assert response.json() == bundled_tasks()[0]
    assert len(response.headers["x-request-id"]) == 32


@pytest.mark.parametrize(
    ("path", "headers", "status", "code"),
    [
        (TASK_PATH + SEED_TASK, {}, 401, "DMS.10240103"),
        (TASK_PATH + SEED_TASK, {"X-Auth-Token": "wrong"}, 401, "DMS.10240101"),
        (TASK_PATH.replace("a4a5", "ffff") + SEED_TASK, AUTH, 401, "DMS.10240104"),
        (TASK_PATH.replace("a4a5d4098fb4474fa22cd05f897d6b99", "NOT-A-PROJECT") + SEED_TASK, AUTH, 400, "DMS.00400002"),
        (TASK_PATH.replace("59f6d088-2b1e", "59f6d088") + SEED_TASK, AUTH, 400, "DMS.00400030"),
        (TASK_PATH + "task-1", AUTH, 400, "DMS.00400070"),
        (TASK_PATH + SEED_TASK + "%0A", AUTH, 400, "DMS.00400070"),
        (TASK_PATH.replace("59f6d088", "00000000") + SEED_TASK, AUTH, 404, "DMS.00404022"),
        (TASK_PATH + "00000000-0000-4000-8000-000000000000", AUTH, 404, "DMS.00404001"),
        ("/v2/elsewhere", AUTH, 404, "DMS.00404001"),
    ],
    ids=[
        "no credentials",
        "bad token",
        "other project",
        "bad project id",
        "bad instance id",
        "bad task id",
        "task id with a final newline",
        "unknown instance",
        "unknown task",
        "unknown URL",
    ],
)
def test_errors_carry_dms_codes(path: str, headers: dict[str, str], status: int, code: str) -> None:
    _error(get(make_app(), path, headers), status, code)


def test_other_methods_are_unknown_apis() -> None:
    _error(get(make_app(), TASK_PATH + SEED_TASK, AUTH, method="DELETE"), 404, "DMS.00404001")


def test_aksk_signature_of_our_signer_is_accepted() -> None:
    url = "http://127.0.0.1:8080" + TASK_PATH + SEED_TASK
    assert get(make_app(), TASK_PATH + SEED_TASK, sign(ACCESS_KEY, SECRET_KEY, "GET", url)).status_code == 200


def _huawei_signed(path: str, **extra: str) -> dict[str, str]:
    """Headers as Huawei's own SDK signer (huaweicloudsdkcore) produces them."""
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.sdk_request import SdkRequest
    from huaweicloudsdkcore.signer.signer import Signer

    headers = {"Content-Type": "application/json", "X-Project-Id": "a4a5d4098fb4474fa22cd05f897d6b99", **extra}
    request = SdkRequest("GET", "http", "127.0.0.1:8080", path, query_params=[], header_params=headers, body="")
    return dict(Signer(BasicCredentials(ACCESS_KEY, SECRET_KEY)).sign(request).header_params)


def test_requests_signed_by_the_official_sdk_are_accepted() -> None:
    response = get(make_app(), TASK_PATH + SEED_TASK, _huawei_signed(TASK_PATH + SEED_TASK))
    assert response.status_code == 200, response.text


def test_tampered_signature_is_rejected_by_the_gateway() -> None:
    headers = _huawei_signed(TASK_PATH + SEED_TASK)
    headers["Authorization"] = headers["Authorization"][:-6] + "000000"
    response = get(make_app(), TASK_PATH + SEED_TASK, headers)
    _error(response, 401, "APIGW.0301")
    assert response.json()["request_id"] == response.headers["x-request-id"]
    assert SECRET_KEY not in response.text


def test_signature_for_another_path_is_rejected() -> None:
    headers = _huawei_signed(TASK_PATH + "3c0ac4d1-7e0b-4a8e-9f57-2f8e6c1d9b20")
    _error(get(make_app(), TASK_PATH + SEED_TASK, headers), 401, "APIGW.0301")


@pytest.mark.parametrize("minutes", [-16, 16])
def test_signature_outside_the_15_minute_window_is_rejected(minutes: int) -> None:
    date = (datetime.now(timezone.utc) + timedelta(minutes=minutes)).strftime("%Y%m%dT%H%M%SZ")
    response = get(make_app(), TASK_PATH + SEED_TASK, _huawei_signed(TASK_PATH + SEED_TASK, **{"X-Sdk-Date": date}))
    _error(response, 401, "APIGW.0301")
    assert "15 minutes" in response.json()["error_msg"]


def test_signature_inside_the_window_is_accepted() -> None:
    date = (datetime.now(timezone.utc) - timedelta(minutes=14)).strftime("%Y%m%dT%H%M%SZ")
    headers = _huawei_signed(TASK_PATH + SEED_TASK, **{"X-Sdk-Date": date})
    assert get(make_app(), TASK_PATH + SEED_TASK, headers).status_code == 200


def test_no_secret_in_the_server_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="smartconnect_contract.server")
    app = make_app()
    get(app, TASK_PATH + SEED_TASK + "?token=QUERY-SECRET", AUTH)
    get(app, TASK_PATH + SEED_TASK, _huawei_signed(TASK_PATH + SEED_TASK))
    get(app, TASK_PATH + SEED_TASK, {"X-Auth-Token": "WRONG-SECRET"})
    assert caplog.records, "the server logs each request"
    for secret in (TOKEN, SECRET_KEY, "QUERY-SECRET", "WRONG-SECRET", "Signature="):
        assert secret not in caplog.text


def test_the_log_is_one_printable_line_per_request_with_its_id(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="smartconnect_contract.server")
    app = make_app()
    hostile = ["%00", "%1b%5b31m", "%0d%0aFORGED%20200", "%e2%80%a8", "%c2%85"]
    answers = [get(app, TASK_PATH + SEED_TASK + tail, AUTH) for tail in hostile]
    records = [record for record in caplog.records if record.name == "smartconnect_contract.server"]
    assert len(records) == len(hostile)
    for record, answer in zip(records, answers, strict=True):
        line = record.getMessage()
        assert line.isprintable() and "\n" not in line and "\x00" not in line, repr(line)
        assert line.endswith(f"request-id={answer.headers['x-request-id']}")
    assert "\\x00" in records[0].getMessage() and "\\x1b[31m" in records[1].getMessage()
    assert "\\u2028" in records[3].getMessage() and "\\x85" in records[4].getMessage()


def test_every_response_has_a_request_id_and_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    """Whatever answers (the operation, the contract, an unknown path, another method), the response carries an
    X-Request-Id and the log one line with the same id."""
    caplog.set_level(logging.INFO, logger="smartconnect_contract.server")
    app = make_app()
    answers = [
        get(app, "/openapi.json"),
        get(app, "/nothing/here"),
        get(app, TASK_PATH + SEED_TASK, AUTH, method="DELETE"),
        get(app, TASK_PATH + SEED_TASK, AUTH),
    ]
    records = [record.getMessage() for record in caplog.records if record.name == "smartconnect_contract.server"]
    assert len(records) == len(answers)
    for line, answer in zip(records, answers, strict=True):
        assert answer.status_code < 500
        assert line.endswith(f"request-id={answer.headers['x-request-id']}"), line


def test_tasks_load_from_recorded_bodies(tmp_path: Path) -> None:
    body = json.loads((ROOT / "tests" / "exchanges" / "conforming" / "unmasked-ids.json").read_text())
    (tmp_path / "tasks.jsonl").write_text(json.dumps(dict(body, id="11111111-2222-4333-8444-555555555555")) + "\n")
    (tmp_path / "one.json").write_text(json.dumps(body))
    config = ServerConfig(index_tasks(load_tasks([tmp_path])), tokens=[TOKEN])
    app = create_app(config)
    assert get(app, TASK_PATH + "11111111-2222-4333-8444-555555555555", AUTH).status_code == 200
    assert get(app, TASK_PATH + body["id"], AUTH).json() == body


def test_server_refuses_to_start_without_credentials() -> None:
    with pytest.raises(ValueError, match="no credentials"):
        ServerConfig(index_tasks(bundled_tasks()))


# --- the list of an instance's tasks ---------------------------------------------------------------------------------

LIST_PATH = TASK_PATH.rstrip("/")


def test_the_list_pages_the_same_tasks_the_detail_serves() -> None:
    app = make_app()
    whole = get(app, LIST_PATH, AUTH)
    assert whole.status_code == 200 and whole.headers["x-request-id"]
    page = whole.json()
    assert page["tasks"] == bundled_tasks() and page["total_number"] == len(bundled_tasks())
    assert page["max_tasks"] == page["quota_tasks"] == 18
    second = get(app, LIST_PATH + "?offset=1&limit=1", AUTH).json()
    assert second["tasks"] == bundled_tasks()[1:2] and second["total_number"] == 2
    assert get(app, LIST_PATH + "?offset=5", AUTH).json()["tasks"] == []
    listed = second["tasks"][0]["id"]
    assert get(app, TASK_PATH + listed, AUTH).json() == second["tasks"][0]  # a task the list names is served


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("?limit=0", 400, "DMS.00400800"),
        ("?limit=51", 400, "DMS.00400800"),
        ("?limit=ten", 400, "DMS.00400800"),
        ("?offset=-1", 400, "DMS.00400800"),
        ("?limit=50", 200, None),
    ],
)
def test_the_list_checks_offset_and_limit_as_dms_does(query: str, status: int, code: str | None) -> None:
    response = get(make_app(), LIST_PATH + query, AUTH)
    if code is None:
        assert response.status_code == status
    else:
        _error(response, status, code)


def test_the_list_asks_for_credentials_and_a_known_instance() -> None:
    _error(get(make_app(), LIST_PATH, {}), 401, "DMS.10240103")
    _error(get(make_app(), LIST_PATH.replace("59f6d088", "00000000"), AUTH), 404, "DMS.00404022")


def test_a_fault_breaks_every_task_served_and_the_list_can_name_an_unknown_task() -> None:
    broken = get(make_app("wrong-type"), LIST_PATH, AUTH).json()
    assert all(isinstance(task["create_time"], str) for task in broken["tasks"])
    page = get(make_app("list-unknown-task"), LIST_PATH, AUTH).json()
    assert page["total_number"] == len(bundled_tasks()) + 1
    unknown = page["tasks"][0]["id"]
    _error(get(make_app("list-unknown-task"), TASK_PATH + unknown, AUTH), 404, "DMS.00404001")
