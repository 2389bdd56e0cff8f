"""Capture inside the official SDK: a real KafkaClient (huaweicloudsdkkafka) calls the reference server on loopback
with AK/SK signing; the recorder writes the exchanges of the contract's operations (the detail and the list) as
JSONL records, which validate judges."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dms_smartconnect_contract.integrations.capture import JsonlRecorder
from dms_smartconnect_contract.redact import REDACTED

from clirunner import run
from serverkit import ACCESS_KEY, SECRET_KEY, SEED_TASK, running_server

kafka = pytest.importorskip("huaweicloudsdkkafka.v2", reason="the official SDK is a development dependency")
from huaweicloudsdkcore.auth.credentials import BasicCredentials  # noqa: E402
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException  # noqa: E402
from huaweicloudsdkcore.http.http_config import HttpConfig  # noqa: E402
from huaweicloudsdkcore.http.http_handler import HttpHandler  # noqa: E402

PROJECT = "a4a5d4098fb4474fa22cd05f897d6b99"
INSTANCE = "59f6d088-2b1e-4c55-9a43-5d3c2f1e0a77"


def _client(base: str, recorder: JsonlRecorder) -> object:
    config = HttpConfig.get_default_config()
    config.retry_times = 0
    return (
        kafka.KafkaClient.new_builder()
        .with_http_config(config)
        .with_credentials(BasicCredentials(ACCESS_KEY, SECRET_KEY, PROJECT))
        .with_endpoints([base])
        .with_http_handler(HttpHandler().add_response_handler(recorder))
        .build()
    )


def test_the_sdk_records_what_validate_judges(tmp_path: Path) -> None:
    log = tmp_path / "sdk.jsonl"
    recorder = JsonlRecorder(log)
    with running_server() as base:
        client = _client(base, recorder)
        shown = client.show_connector_task(kafka.ShowConnectorTaskRequest(instance_id=INSTANCE, task_id=SEED_TASK))
        assert shown.status_code == 200
        with pytest.raises(ClientRequestException):
            client.show_connector_task(
                kafka.ShowConnectorTaskRequest(instance_id=INSTANCE, task_id="00000000-0000-4000-8000-000000000000")
            )
        listed = client.list_connector_tasks(kafka.ListConnectorTasksRequest(instance_id=INSTANCE, limit=1))
        assert listed.status_code == 200 and listed.total_number == 2 and len(listed.tasks) == 1
        with pytest.raises(ClientRequestException):  # no operation of the contract: not recorded
            client.show_instance(kafka.ShowInstanceRequest(instance_id=INSTANCE))
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [record["status"] for record in records] == [200, 404, 200] and recorder.recorded == 3
    assert records[2]["url"].endswith("/connector/tasks?limit=1")  # the query, which the list's rules judge
    text = log.read_text()
    assert SECRET_KEY not in text and ACCESS_KEY not in text and "Signature=" not in text
    # That the request was signed is kept, so that validate knows it carried credentials; the signature is not.
    signed = {name.lower(): value for name, value in records[0]["request_headers"].items()}
    assert signed["authorization"] == REDACTED and "x-sdk-date" in signed
    assert all(record["url"].startswith(f"/v2/{PROJECT}/instances/") for record in records)
    report = run("validate", "--format", "json", "--strict", str(log)).json()
    assert report["summary"]["conforming"] == 3 and report["exit_code"] == 0
    assert [result["operation"] for result in report["results"]] == [
        "ShowConnectorTask",
        "ShowConnectorTask",
        "ListConnectorTasks",
    ]
