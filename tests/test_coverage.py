"""validate --coverage: what the judged traffic exercised of the contract, counted exactly, the same at any number
of jobs, and in every report that carries it."""

from __future__ import annotations

import copy
import json
import random
import sys
from pathlib import Path

import jsonschema
import pytest

from clirunner import run
from conftest import LIST_PATH, ROOT, response_examples

sys.path.insert(0, str(ROOT / "bench"))
from inputs import make_jsonl

PACKAGE = ROOT / "validators" / "dms_smartconnect_contract"


@pytest.fixture
def traffic(document: dict, tmp_path: Path) -> tuple[Path, list[dict]]:
    """Known traffic: Kafka tasks in three statuses, two OBS tasks, a task with a status the contract does not list,
    a 404 error record and a record of an undocumented status; the log and its 200 bodies."""
    examples = response_examples(document)
    kafka, obs = examples["kafkaReplicatorSource"], examples["obsSink"]
    bodies = [dict(copy.deepcopy(kafka), status=status) for status in ("RUNNING", "PAUSED", "PAUSED")]
    bodies += [copy.deepcopy(obs), copy.deepcopy(obs)]
    bodies.append(dict(copy.deepcopy(kafka), status="DELETING"))
    lines = [json.dumps(body) for body in bodies]
    lines.append(json.dumps({"status": 404, "body": {"error_code": "DMS.00404022", "error_msg": "gone"}}))
    lines.append(json.dumps({"status": 418, "body": {}}))
    path = tmp_path / "traffic.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path, bodies


def test_coverage_counts_what_the_traffic_holds(traffic: tuple[Path, list[dict]]) -> None:
    capture, bodies = traffic
    report = run("validate", "--format", "json", "--coverage", str(capture)).json()
    jsonschema.Draft202012Validator(json.loads((PACKAGE / "reports" / "report.schema.json").read_text())).validate(
        report
    )
    assert set(report["coverage"]["operations"]) == {"ShowConnectorTask", "ListConnectorTasks"}
    coverage = report["coverage"]["operations"]["ShowConnectorTask"]
    assert coverage["statuses"] == {"200": 6, "400": 0, "401": 0, "403": 0, "404": 1, "500": 0}
    assert coverage["undocumented_statuses"] == {"418": 1}
    body = coverage["bodies"]["200"]
    listed = ("CREATING", "PAUSED", "RESTARTING", "RUNNING", "WAITING")
    assert body["values"]["/status"]["listed"] == {s: sum(b["status"] == s for b in bodies) for s in listed}
    assert body["values"]["/status"]["unlisted"] == {"count": 1, "samples": {"DELETING": 1}}
    for kind in ("KAFKA_REPLICATOR_SOURCE", "NONE"):
        assert body["branches"][f"source_type = {kind}"] == sum(b["source_type"] == kind for b in bodies)
    assert body["branches"]["topics absent"] == sum("topics" not in b for b in bodies)
    for name in ("id", "topics", "sink_task"):
        expected = {
            "present": sum(b.get(name) is not None for b in bodies),
            "absent": sum(name not in b for b in bodies),
            "null": sum(name in b and b[name] is None for b in bodies),
        }
        assert body["fields"][f"/{name}"] == expected, name
    # A field of a nested object counts only where the object is there.
    holders = [b["source_task"] for b in bodies if isinstance(b.get("source_task"), dict)]
    inner = body["fields"]["/source_task/instance_id"]
    assert inner["present"] + inner["absent"] + inner["null"] == len(holders) > 0
    assert coverage["bodies"]["404"]["fields"]["/error_code"] == {"present": 1, "absent": 0, "null": 0}
    text = run("validate", "--coverage", str(capture)).out
    assert "coverage of the contract by the judged traffic:" in text and "  ListConnectorTasks:" in text
    assert "never seen: 400, 401, 403, 500" in text and "undocumented statuses seen: 418 x1" in text
    assert "unlisted at /status: 1 ('DELETING' x1)" in text


def test_coverage_is_the_same_at_any_number_of_jobs(tmp_path: Path) -> None:
    log = tmp_path / "big.jsonl"
    make_jsonl(log, 6000, random.Random(4), "realistic")  # several megabytes: several units of work
    one = run("validate", "--format", "json", "--coverage", "--jobs", "1", "--task-mb", "1", str(log)).json()
    two = run("validate", "--format", "json", "--coverage", "--jobs", "2", "--task-mb", "1", str(log)).json()
    assert one["coverage"] == two["coverage"]
    assert one["coverage"]["operations"]["ShowConnectorTask"]["statuses"]["200"] == 6000
    assert one["summary"] == run("validate", "--format", "json", str(log)).json()["summary"]


def test_the_jsonl_report_carries_coverage_in_a_line_of_its_own(traffic: tuple[Path, list[dict]]) -> None:
    capture = traffic[0]
    schema = json.loads((PACKAGE / "reports" / "report-jsonl.schema.json").read_text())
    lines = [
        json.loads(line) for line in run("validate", "--format", "jsonl", "--coverage", str(capture)).out.splitlines()
    ]
    for line in lines:
        jsonschema.Draft202012Validator(schema).validate(line)
    kinds = [line["type"] for line in lines]
    assert kinds[-2:] == ["coverage", "summary"]
    assert lines[-2]["operations"]["ShowConnectorTask"]["statuses"]["200"] == 6


def test_coverage_counts_list_bodies_task_by_task(document: dict, tmp_path: Path) -> None:
    """A list's tasks are counted one by one: their fields at `/tasks/*/...`, their branches at `/tasks/*`."""
    listed = response_examples(document, path=LIST_PATH)["twoTasks"]
    url = "https://dms.cn-north-4.myhuaweicloud.com/v2/a4a5d4098fb4474fa22cd05f897d6b99/instances/59f6d088-2b1e-4c55-9a43-5d3c2f1e0a77/connector/tasks?limit=10"
    log = tmp_path / "lists.jsonl"
    records = [{"method": "GET", "url": url, "status": 200, "body": listed}] * 3
    log.write_text("".join(json.dumps(record) + "\n" for record in records))
    report = run("validate", "--format", "json", "--coverage", str(log)).json()
    jsonschema.Draft202012Validator(json.loads((PACKAGE / "reports" / "report.schema.json").read_text())).validate(
        report
    )
    body = report["coverage"]["operations"]["ListConnectorTasks"]["bodies"]["200"]
    assert body["fields"]["/tasks"] == {"present": 3, "absent": 0, "null": 0}
    assert body["fields"]["/tasks/*/id"] == {"present": 6, "absent": 0, "null": 0}  # two tasks a list
    assert body["fields"]["/tasks/*/sink_task"] == {"present": 3, "absent": 0, "null": 3}
    assert body["values"]["/tasks/*/status"]["listed"]["RUNNING"] == 3
    assert body["branches"]["/tasks/*: source_type = KAFKA_REPLICATOR_SOURCE"] == 3
    assert body["branches"]["/tasks/*: topics absent"] == 3  # the OBS task names its topics by a regex
    assert report["coverage"]["operations"]["ShowConnectorTask"]["statuses"]["200"] == 0


# --- the coverage gate: --require-coverage --------------------------------------------------------------------------


def _clean(document: dict, tmp_path: Path) -> Path:
    """Conforming traffic of the detail call only: Kafka tasks RUNNING and PAUSED, and an OBS task."""
    examples = response_examples(document)
    kafka, obs = examples["kafkaReplicatorSource"], examples["obsSink"]
    bodies = [dict(copy.deepcopy(kafka), status="RUNNING"), dict(copy.deepcopy(kafka), status="PAUSED"), obs]
    path = tmp_path / "clean.jsonl"
    path.write_text("".join(json.dumps(body) + "\n" for body in bodies))
    return path


def test_a_met_requirement_passes_and_an_unmet_one_fails_in_every_format(document: dict, tmp_path: Path) -> None:
    log = _clean(document, tmp_path)
    met = [
        "--require-coverage",
        "statuses:ShowConnectorTask>=10%",
        "--require-coverage",
        "null:ShowConnectorTask:/sink_task",
    ]
    assert run("validate", *met, str(log)).code == 0
    unmet = ["--require-coverage", "values:ShowConnectorTask:/status", "--contract", str(ROOT / "openapi.yaml")]
    text = run("validate", *unmet, str(log))
    assert text.code == 1 and "error coverage.unmet at /status of ShowConnectorTask" in text.out
    message = "3 of the 5 enumeration values never seen (values:ShowConnectorTask:/status)"
    assert message in text.out and "/status CREATING (200)" in text.out
    report = run("validate", "--format", "json", *unmet, str(log))
    assert report.code == 1 and report.json()["summary"]["violating"] == 0
    (entry,) = report.json()["coverage"]["unmet"]
    assert entry["requirement"] == "values:ShowConnectorTask:/status" and entry["message"].startswith(message)
    jsonschema.Draft202012Validator(json.loads((PACKAGE / "reports" / "report.schema.json").read_text())).validate(
        report.json()
    )
    lines = [json.loads(line) for line in run("validate", "--format", "jsonl", *unmet, str(log)).out.splitlines()]
    assert [line["rule"] for line in lines if line["type"] == "group"] == ["coverage.unmet"]
    sarif = json.loads(run("validate", "--format", "sarif", *unmet, str(log)).out)
    (result,) = sarif["runs"][0]["results"]
    assert result["ruleId"] == "coverage.unmet" and result["level"] == "error"
    assert sarif["runs"][0]["invocations"][0]["exitCode"] == 1
    github = run("validate", "--format", "github", *unmet, str(log)).out
    assert f"::error file={ROOT / 'openapi.yaml'},title=coverage.unmet at /status of ShowConnectorTask::" in github
    junit = run("validate", "--format", "junit", *unmet, str(log)).out
    assert 'failures="1"' in junit and '<failure type="coverage.unmet"' in junit


@pytest.mark.parametrize(
    ("spec", "why"),
    [
        ("everything", "not KIND[:OPERATION[:POINTER]][>=N%]"),
        ("statuses:Nope", "no operation 'Nope'"),
        ("present:ShowConnectorTask:/nope", "ShowConnectorTask documents no field at /nope"),
        ("null:ShowConnectorTask", "`null` names a field"),
        ("statuses:ShowConnectorTask:/id", "`statuses` takes no POINTER"),
        ("branches>=0%", "more than 0%"),
    ],
)
def test_a_requirement_that_names_nothing_is_refused_before_anything_is_judged(
    document: dict, tmp_path: Path, spec: str, why: str
) -> None:
    result = run("validate", "--require-coverage", spec, str(_clean(document, tmp_path)))
    assert result.code == 2 and why in result.err and result.out == ""


def test_a_share_is_counted_per_operation(document: dict, tmp_path: Path) -> None:
    """A share asks for that part of an operation's values, not all of them; below it, the report says how much."""
    log = _clean(document, tmp_path)
    some = run("validate", "--format", "json", "--require-coverage", "values:ShowConnectorTask>=10%", str(log))
    assert some.code == 0, some.json()["coverage"].get("unmet")
    most = run("validate", "--format", "json", "--require-coverage", "values:ShowConnectorTask>=90%", str(log))
    (entry,) = most.json()["coverage"]["unmet"]
    assert most.code == 1 and entry["operation"] == "ShowConnectorTask"
    assert (
        "% of the enumeration values seen, below 90% (values:ShowConnectorTask>=90%); never seen:" in entry["message"]
    )
