"""Captures made by other tools: an object that is no task body is never judged as one (`item.unrecognised`), and
the record formats other tools write are read as the exchanges they hold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dms_smartconnect_contract.contract import JsonObject
from dms_smartconnect_contract.testing import ContractViolation, assert_conforms

from clirunner import run
from conftest import LIST_PATH, response_examples

# Wrappers no reader of this toolkit knows: envelopes of other APIs' styles, around a task that breaks the contract.
ENVELOPES = [
    lambda task: {"data": task, "success": True},
    lambda task: {"result": {"task": task}, "code": 0},
    lambda task: {"payload": json.dumps(task), "ts": 1700000000},
]


def _task(document: JsonObject) -> JsonObject:
    return response_examples(document)["kafkaReplicatorSource"]


def _broken(document: JsonObject) -> JsonObject:
    return {**_task(document), "create_time": "soon"}


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
def test_a_capture_of_wrappers_is_unrecognised_and_fails(document: JsonObject, strict: bool, tmp_path: Path) -> None:
    log = tmp_path / "traffic.ndjson"
    log.write_text("".join(json.dumps(wrap(_broken(document))) + "\n" for wrap in ENVELOPES))
    result = run("validate", "--format", "json", *(["--strict"] if strict else []), str(log))
    assert result.code == 1, result
    report = result.json()
    assert report["summary"] == {**report["summary"], "total": 3, "conforming": 0, "unreadable": 3}
    for number, item in enumerate(report["results"], start=1):
        assert (item["location"], item["outcome"], item["rule"]) == (
            f"{log}:{number}",
            "unreadable",
            "item.unrecognised",
        )
        assert item["operation"] == "ShowConnectorTask"
    assert "none of its keys (data, success)" in report["results"][0]["reason"]


def test_a_body_file_that_is_a_wrapper_is_unrecognised_and_an_empty_object_is_a_body(
    document: JsonObject, tmp_path: Path
) -> None:
    (tmp_path / "wrapper.json").write_text(json.dumps({"data": _broken(document)}))
    (tmp_path / "empty.json").write_text("{}")
    report = run("validate", "--format", "json", str(tmp_path)).json()
    outcomes = {Path(item["location"]).name: (item["outcome"], item.get("rule")) for item in report["results"]}
    assert outcomes == {"empty.json": ("conforming", None), "wrapper.json": ("unreadable", "item.unrecognised")}


def test_one_documented_field_makes_an_object_a_body(tmp_path: Path) -> None:
    log = tmp_path / "bodies.jsonl"
    log.write_text(json.dumps({"task_name": "a", "create_time": "soon", "data": {}}) + "\n")
    report = run("validate", "--format", "json", str(log)).json()
    assert report["results"][0]["outcome"] == "violating"


def test_a_page_of_the_list_is_no_task_body(document: JsonObject, tmp_path: Path) -> None:
    """Judged as the detail (the default), a list page documents none of its fields; as the list, it is one."""
    page = tmp_path / "page.json"
    page.write_text(json.dumps(response_examples(document, path=LIST_PATH)["twoTasks"]))
    as_task = run("validate", "--format", "json", str(page))
    assert as_task.code == 1 and as_task.json()["results"][0]["rule"] == "item.unrecognised"
    as_list = run("validate", "--operation", "ListConnectorTasks", str(page))
    assert as_list.code == 0, as_list


def test_assert_conforms_refuses_a_wrapper_and_says_why(document: JsonObject) -> None:
    wrapped: Any = {"data": _task(document)}
    with pytest.raises(ContractViolation, match="could not be judged: not a response body of ShowConnectorTask"):
        assert_conforms(wrapped)
    assert assert_conforms({}).outcome.value == "conforming"
