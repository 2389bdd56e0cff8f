"""Captures made by other tools: an object that is no task body is never judged as one (`item.unrecognised`), and
the record formats other tools write are read as the exchanges they hold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


# --- the record families, written as the tools write them ----------------------------------------------------------

HOST = "dms.cn-north-4.myhuaweicloud.com"
PROJECT, INSTANCE = "a4a5d4098fb4474fa22cd05f897d6b99", "59f6d088-2b1e-4c55-9a43-5d3c2f1e0a77"
TASK_PATH = f"/v2/{PROJECT}/instances/{INSTANCE}/connector/tasks/194917d0-8c1b-4f1e-b3a2-6e0d9f4c2a15"
LIST_URL_PATH = f"/v2/{PROJECT}/instances/{INSTANCE}/connector/tasks"
TOKEN = "MIIEvQYJKoZIhvcNAQEHoIIErjCCBKoCAQExDTALBglghkgBZQMEAgEwggLJBgkqhkiG9w0BBwGgggK6BIICtnsidG9rZW4i"
RESPONSE_HEADERS = {"Content-Type": "application/json", "X-Request-Id": "0c8e1d4b7a2f4e6b9d3c5a1f8e7b6d2c"}


def _exchanges(document: JsonObject) -> list[dict[str, Any]]:
    """What every family below records: method, path, status, response headers and body (None: not recorded)."""
    task = _task(document)
    page = response_examples(document, path=LIST_PATH)["twoTasks"]
    error = response_examples(document, "404")["instanceNotFound"]
    text = {**RESPONSE_HEADERS, "Content-Type": "text/html"}
    return [
        {"path": TASK_PATH, "status": 200, "headers": RESPONSE_HEADERS, "body": task},
        {"path": TASK_PATH, "status": 200, "headers": RESPONSE_HEADERS, "body": {**task, "create_time": "soon"}},
        {"path": f"{LIST_URL_PATH}?limit=10", "status": 200, "headers": RESPONSE_HEADERS, "body": page},
        {"path": TASK_PATH, "status": 404, "headers": RESPONSE_HEADERS, "body": error},
        {"path": TASK_PATH, "status": 200, "headers": text, "body": "<html>gateway</html>"},
        {"path": TASK_PATH, "status": 200, "headers": {"X-Request-Id": "a" * 32}, "body": task},  # no Content-Type
        {"path": TASK_PATH, "status": 503, "headers": RESPONSE_HEADERS, "body": None},
        {"path": TASK_PATH, "status": 200, "headers": RESPONSE_HEADERS, "body": None},
        {"path": f"/v2/{PROJECT}/instances/{INSTANCE}/topics", "status": 200, "headers": RESPONSE_HEADERS, "body": {}},
    ]


def _text(body: Any) -> str:
    return body if isinstance(body, str) else json.dumps(body)


def _flat(exchange: dict[str, Any], index: int) -> dict[str, Any]:
    record = {"method": "GET", "url": f"https://{HOST}{exchange['path']}", "status": exchange["status"]}
    record["headers"] = exchange["headers"]
    if exchange["body"] is not None:
        record["body_text"] = _text(exchange["body"])
    return record


def _redocly(exchange: dict[str, Any], index: int) -> dict[str, Any]:
    """Redocly drift's NDJSON in each spelling its reader accepts, one spelling a line in turn."""
    url, status, headers, body = (
        f"https://{HOST}{exchange['path']}",
        exchange["status"],
        exchange["headers"],
        exchange["body"],
    )
    request = {"method": "GET", "url": url, "headers": {"host": HOST, "x-auth-token": TOKEN}}
    text = None if body is None else _text(body)
    spellings = [
        lambda: {"request": request, "response": {"status": status, "headers": headers, **_maybe("body", text)}},
        lambda: {"req": request, "res": {"statusCode": status, "headers": headers, **_maybe("bodyText", text)}},
        lambda: {
            "httpRequest": {"method": "GET", "host": HOST, "path": exchange["path"], "scheme": "https"},
            "httpResponse": {"status": status, "headers": headers, **_maybe("rawBody", text)},
        },
        lambda: {"http": {"request": request, "response": {"status": status, "headers": headers, **_maybe("payload", text)}},
                 "timestamp": "2026-12-01T10:00:00Z"},
        lambda: {"request": request, "response": {"status": str(status), "headers": [{"name": k, "value": v} for k, v in headers.items()],
                 **_maybe("data", text)}},
    ]  # fmt: skip
    return spellings[index % len(spellings)]()


def _kong(exchange: dict[str, Any], index: int) -> dict[str, Any]:
    """Kong's http-log plugin as its documentation shows a log, the body added by `custom_fields_by_lua`."""
    path = exchange["path"]
    response: dict[str, Any] = {"status": exchange["status"], "size": 434, "headers": exchange["headers"]}
    if exchange["body"] is not None:
        response["body"] = _text(exchange["body"])
    return {
        "service": {"host": "dms-backend", "name": "dms", "port": 443, "protocol": "https"},
        "route": {"hosts": [HOST], "paths": ["/v2"], "protocols": ["https"]},
        "request": {
            "method": "GET",
            "uri": path,
            "url": f"https://{HOST}:443{path}",
            "size": 86,
            "querystring": {},
            "headers": {"accept": "*/*", "host": HOST, "user-agent": "curl/8.5.0", "x-auth-token": TOKEN},
        },
        "client_ip": "127.0.0.1",
        "tries": [{"balancer_latency": 0, "port": 443, "ip": "10.0.0.8"}],
        "upstream_uri": path,
        "response": response,
        "latencies": {"proxy": 1430, "kong": 9, "request": 1921, "receive": 0},
        "started_at": 1764583200000 + index,
    }


def _maybe(key: str, value: Any) -> dict[str, Any]:
    return {} if value is None else {key: value}


WRITERS = {"redocly": _redocly, "kong": _kong}


def _write(folder: Path, writer: Any, exchanges: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "traffic.ndjson"
    log.write_text("".join(json.dumps(writer(exchange, index)) + "\n" for index, exchange in enumerate(exchanges)))
    return log


def test_the_false_green_is_found_at_its_line(document: JsonObject, tmp_path: Path) -> None:
    """The issue's capture: nested records whose task has a wrong-typed create_time."""
    task = {**_task(document), "create_time": "soon"}
    record = {
        "request": {"method": "GET", "url": f"https://{HOST}{TASK_PATH}", "headers": {}},
        "response": {"status": 200, "headers": {"content-type": "application/json"}, "body": task},
    }
    log = tmp_path / "traffic.ndjson"
    log.write_text("\n".join(json.dumps(line) for line in [record, {**record, "response": {**record["response"],
                   "body": _task(document)}}, record]) + "\n")  # fmt: skip
    for mode in ([], ["--strict"]):
        result = run("validate", "--format", "json", *mode, str(log))
        assert result.code == 1, result
        by_line = {item["location"]: item for item in result.json()["results"]}
        for line in (1, 3):
            found = {(v["rule"], v["pointer"]) for v in by_line[f"{log}:{line}"]["violations"]}
            assert ("schema.type", "/create_time") in found and by_line[f"{log}:{line}"]["outcome"] == "violating"
        assert by_line[f"{log}:2"]["outcome"] == ("conforming" if not mode else "violating")


@pytest.mark.parametrize("family", WRITERS)
@pytest.mark.parametrize("report", ["text", "json", "jsonl", "junit", "sarif", "github"])
@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
def test_a_family_gives_the_report_of_the_equivalent_flat_records(
    document: JsonObject, family: str, report: str, strict: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exchanges = _exchanges(document)
    reports = {}
    for name, writer in (("flat", _flat), (family, WRITERS[family])):
        _write(tmp_path / name, writer, exchanges)
        monkeypatch.chdir(tmp_path / name)  # the same location strings in both reports
        reports[name] = run("validate", "--format", report, *(["--strict"] if strict else []), "traffic.ndjson")
        # SARIF names the folder it ran in, where its relative locations start.
        reports[name].out = reports[name].out.replace((tmp_path / name).as_uri(), "file:///run")
    flat, other = reports["flat"], reports[family]
    assert flat.code == 1 and "soon" in flat.out  # the wrong-typed create_time is found
    assert (other.code, other.out) == (flat.code, flat.out)
    assert TOKEN not in other.out and TOKEN[:20] not in other.out


def test_every_family_is_read_and_its_violations_found(document: JsonObject, tmp_path: Path) -> None:
    exchanges = _exchanges(document)
    for family, writer in WRITERS.items():
        log = _write(tmp_path / family, writer, exchanges)
        report = run("validate", "--format", "json", str(log)).json()
        outcomes = [(item["outcome"], item.get("operation")) for item in report["results"]]
        assert outcomes[:4] == [
            ("conforming", "ShowConnectorTask"),
            ("violating", "ShowConnectorTask"),
            ("conforming", "ListConnectorTasks"),
            ("conforming", "ShowConnectorTask"),
        ], family
        rules = [
            [v["rule"] for v in item.get("violations", []) if v["severity"] == "error"] for item in report["results"]
        ]
        assert rules[4:8] == [["media-type"], ["media-type"], ["status.undocumented"], []], family
        assert report["results"][7]["violations"][0]["rule"] == "body.not-recorded"
        assert report["summary"]["skipped"] == 1 and report["skipped_reasons"] == {
            "not an operation of the contract: other path": 1
        }


def _access_logs(document: JsonObject) -> dict[str, list[dict[str, Any]]]:
    """nginx's `log_format ... escape=json` (every variable a string) and Apache's mod_log_config JSON, as
    Redocly's fixtures write them: a request, a status, a host, the sent Content-Type where configured; no body."""
    return {
        "nginx": [
            {"time_iso8601": "2026-12-01T10:00:00+00:00", "remote_addr": "10.0.0.7", "request_method": "GET",
             "request_uri": TASK_PATH, "status": "200", "host": HOST, "sent_http_content_type": "application/json",
             "upstream_response_time": "0.012"},
            {"time_iso8601": "2026-12-01T10:00:01+00:00", "remote_addr": "10.0.0.7",
             "request": f"GET {LIST_URL_PATH}?limit=10 HTTP/1.1", "status": "502", "host": HOST},
            {"time_iso8601": "2026-12-01T10:00:02+00:00", "remote_addr": "10.0.0.7", "request_method": "GET",
             "request_uri": TASK_PATH, "status": "200", "http_host": HOST, "sent_http_content_type": "text/html"},
        ],
        "apache": [
            {"vhost": HOST, "request_method": "GET", "request_uri": TASK_PATH, "response_status": 200,
             "time": "2026-12-01T10:00:00Z"},
            {"vhost": HOST, "request": f"GET {TASK_PATH} HTTP/1.1", "response_status": 404, "time": "2026-12-01T10:00:01Z"},
            {"vhost": HOST, "request": f"DELETE {TASK_PATH} HTTP/1.1", "response_status": 204, "time": "2026-12-01T10:00:02Z"},
        ],
    }  # fmt: skip


def test_access_logs_are_judged_by_status_and_media_type_and_record_no_body(
    document: JsonObject, tmp_path: Path
) -> None:
    logs = _access_logs(document)
    for family, lines in logs.items():
        log = tmp_path / f"{family}-access.log"
        log.write_text("".join(json.dumps(line) + "\n" for line in lines))
        report = run("validate", "--format", "json", str(log)).json()
        results = report["results"]
        found = [[v["rule"] for v in item.get("violations", [])] for item in results]
        if family == "nginx":
            assert found == [["body.not-recorded"], ["status.undocumented"], ["media-type"]]
            assert [item["operation"] for item in results] == [
                "ShowConnectorTask",
                "ListConnectorTasks",
                "ShowConnectorTask",
            ]
        else:
            assert found == [["body.not-recorded"], ["body.not-recorded"]]
            assert report["skipped_reasons"] == {"not an operation of the contract: other method": 1}
        forced = run("validate", "--format", "json", "--input-format", family, str(log)).json()
        assert forced["results"] == results


def test_an_input_format_reads_only_its_family_and_says_what_else_a_line_is(
    document: JsonObject, tmp_path: Path
) -> None:
    exchanges = _exchanges(document)[:2]
    log = tmp_path / "mixed.jsonl"
    lines = [_kong(exchanges[0], 0), _flat(exchanges[1], 1), _task(document), _access_logs(document)["nginx"][0]]
    log.write_text("".join(json.dumps(line) + "\n" for line in lines))
    auto = run("validate", "--format", "json", str(log)).json()["results"]
    assert [item["outcome"] for item in auto] == ["conforming", "violating", "conforming", "conforming"]
    kong = run("validate", "--format", "json", "--input-format", "kong", str(log)).json()["results"]
    assert [(item["outcome"], item.get("rule")) for item in kong] == [("conforming", None)] + [
        ("unreadable", "item.unrecognised")
    ] * 3
    assert (
        "not a Kong http-log record (--input-format kong): it has keys method, url, status, headers"
        in kong[1]["reason"]
    )
    bodies = run("validate", "--format", "json", "--input-format", "body", str(log)).json()["results"]
    # Read as bodies, the records with a `status` (a task field) are bodies with drift; the Kong record is none.
    assert [item.get("rule") for item in bodies] == ["item.unrecognised", None, None, None]
    assert [(v["rule"], v["pointer"]) for v in bodies[1]["violations"]][:1] == [("schema.type", "/status")]


@pytest.mark.parametrize("suffix", [".ndjson.gz", ".log.zst", ".jsonl.bz2"])
def test_compressed_families_are_read_as_the_plain_ones(document: JsonObject, suffix: str, tmp_path: Path) -> None:
    import bz2
    import gzip

    import zstandard

    plain = _write(tmp_path, _kong, _exchanges(document))
    data = plain.read_bytes()
    packed = {".gz": gzip.compress, ".zst": zstandard.compress, ".bz2": bz2.compress}[Path(suffix).suffix](data)
    squeezed = tmp_path / f"traffic{suffix}"
    squeezed.write_bytes(packed)
    one, other = (run("validate", "--format", "json", str(path)).json() for path in (plain, squeezed))
    assert [(item["location"].rsplit(":", 1)[1], item["outcome"]) for item in one["results"]] == [
        (item["location"].rsplit(":", 1)[1], item["outcome"]) for item in other["results"]
    ]
    assert one["summary"] == other["summary"]


# --- newman, run for real against the reference server -------------------------------------------------------------


def _newman_report(base_url: str, folder: Path, name: str) -> Path:
    """A Postman collection (v2.1) of the two operations, run by newman itself; its JSON report."""
    import shutil
    import subprocess

    from conftest import ROOT
    from serverkit import SEED_TASK
    from serverkit import TOKEN as SERVER_TOKEN

    newman = ROOT / "node_modules" / ".bin" / "newman"
    assert newman.exists() and shutil.which("node"), "run `make test`, which installs newman with npm"
    auth = [{"key": "X-Auth-Token", "value": "{{token}}"}]
    instance = f"{{{{baseUrl}}}}/v2/{PROJECT}/instances/{INSTANCE}/connector/tasks"
    collection = {
        "info": {"name": "smartconnect", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [
            {"name": "task", "request": {"method": "GET", "header": auth, "url": f"{instance}/{SEED_TASK}"}},
            {"name": "list", "request": {"method": "GET", "header": auth, "url": f"{instance}?limit=10&offset=0"}},
            {"name": "unknown task", "request": {"method": "GET", "header": auth, "url": f"{instance}/{'0' * 32}"}},
        ],
    }  # fmt: skip
    source, report = folder / f"{name}.postman_collection.json", folder / f"{name}.json"
    source.write_text(json.dumps(collection))
    args = [str(newman), "run", str(source), "--env-var", f"baseUrl={base_url}", "--env-var", f"token={SERVER_TOKEN}"]
    result = subprocess.run(
        [*args, "--reporters", "json", "--reporter-json-export", str(report)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return report


@pytest.mark.parametrize("fault", [None, "wrong-type"])
def test_a_newman_report_of_a_run_against_the_reference_server_is_judged(fault: str | None, tmp_path: Path) -> None:
    from serverkit import TOKEN as SERVER_TOKEN
    from serverkit import running_server

    with running_server(fault) as base_url:
        report_file = _newman_report(base_url, tmp_path, fault or "clean")
    assert report_file.read_text().lstrip().startswith('{\n  "collection"')  # as newman writes it
    for report in ("json", "text", "sarif", "junit", "github"):
        result = run("validate", "--format", report, str(report_file))
        assert SERVER_TOKEN not in result.out + result.err
        assert result.code == (1 if fault else 0), result
    found = run("validate", "--format", "json", str(report_file)).json()
    results = found["results"]
    assert [item["location"] for item in results] == [f"{report_file}#/run/executions/{n}" for n in range(3)]
    assert [item["operation"] for item in results] == ["ShowConnectorTask", "ListConnectorTasks", "ShowConnectorTask"]
    if fault is None:
        assert [item["outcome"] for item in results] == ["conforming"] * 3
    else:
        assert results[0]["outcome"] == "violating"
        assert ("schema.type", "/create_time") in {(v["rule"], v["pointer"]) for v in results[0]["violations"]}
    sarif = run("validate", "--format", "sarif", str(report_file)).json()
    for result in sarif["runs"][0]["results"]:
        location = result["locations"][0]
        assert location["physicalLocation"]["artifactLocation"]["uri"].endswith(report_file.name)
        assert location["logicalLocations"][0]["fullyQualifiedName"].startswith("run/executions/")


def test_a_newman_report_is_read_compressed_and_named_otherwise_when_said(tmp_path: Path) -> None:
    import gzip

    from serverkit import running_server

    with running_server("wrong-type") as base_url:
        report_file = _newman_report(base_url, tmp_path, "run")
    packed = tmp_path / "run-report.json.gz"
    packed.write_bytes(gzip.compress(report_file.read_bytes()))
    plain = run("validate", "--format", "json", str(report_file)).json()
    unsaid = run("validate", "--format", "json", str(packed)).json()
    assert unsaid["results"][0]["rule"] == "item.unrecognised"  # a compressed .json is a body unless said
    said = run("validate", "--format", "json", "--input-format", "newman", str(packed)).json()
    assert [(r["outcome"], r.get("operation")) for r in said["results"]] == [
        (r["outcome"], r.get("operation")) for r in plain["results"]
    ]
    collection = tmp_path / "run.postman_collection.json"
    refused = run("validate", "--format", "json", "--input-format", "newman", str(collection))
    assert refused.code == 1
    assert refused.json()["results"][0]["reason"] == "not a newman report: no top-level 'run' object"


def test_a_newman_execution_without_a_response_is_skipped_and_a_broken_report_stops_where_it_breaks(
    tmp_path: Path,
) -> None:
    from dms_smartconnect_contract.formats.newman import newman_exchange

    failed = newman_exchange("r.json#/run/executions/0", {"request": {}, "requestError": {"message": "ECONNREFUSED"}})
    assert failed.reason == "no response recorded (the request failed: ECONNREFUSED)"  # type: ignore[union-attr]
    broken = tmp_path / "broken.json"
    execution = {"request": {"method": "GET", "url": f"https://{HOST}{TASK_PATH}"},
                 "response": {"code": 200, "header": [{"key": "Content-Type", "value": "application/json"}],
                              "stream": {"type": "Buffer", "data": list(b'{"task_name": "a"}')}}}  # fmt: skip
    text = json.dumps({"collection": {}, "run": {"executions": [execution, execution]}})
    broken.write_text(text[: text.rindex("{") + 20])
    report = run("validate", "--format", "json", str(broken)).json()
    assert [(item["location"], item["outcome"]) for item in report["results"]] == [
        (f"{broken}#/run/executions/0", "conforming"),
        (f"{broken}#/run/executions/1", "unreadable"),
    ]
    assert report["results"][1]["reason"].startswith("newman report is malformed or truncated here")


def test_the_documented_example_of_each_family_is_read_as_that_family(tmp_path: Path) -> None:
    """The table of record families in the docs: each example line is of its family, alone and when forced, and is
    judged as the detail's exchange it records."""
    import re

    from dms_smartconnect_contract.formats.families import LINE_FAMILIES, RecordFamilies

    from conftest import ROOT

    page = (ROOT / "docs" / "traffic" / "validate.md").read_text()
    examples = dict(re.findall(r"^\| `(\w+)` \(.*\| `(\{.*\})` \|$", page, re.M))
    assert sorted(examples) == sorted(LINE_FAMILIES)
    documented = frozenset({"task_name", "status", "create_time", "error_code"})
    for family, text in examples.items():
        line = json.loads(text)
        assert RecordFamilies(documented).family(line) == family
        log = tmp_path / f"{family}.log"
        log.write_text(text + "\n")
        for chosen in ("auto", family):
            result = run("validate", "--format", "json", "--input-format", chosen, str(log)).json()["results"][0]
            assert (result["outcome"], result["operation"]) == ("conforming", "ShowConnectorTask"), (family, result)


# Any JSON a line of a family may hold where the readers look: they never raise, and every line gets one outcome.
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-1, 1000) | st.text(max_size=8) | st.sampled_from(["200", "GET", "base64"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
_KEYS = st.sampled_from([
    "request", "req", "httpRequest", "http", "response", "res", "httpResponse", "status", "statusCode", "code",
    "headers", "header", "body", "bodyText", "payload", "data", "rawBody", "raw_body", "encoding", "url", "uri",
    "host", "path", "method", "request_method", "request_uri", "response_status", "status_code", "vhost",
    "latencies", "sent_http_content_type", "response_body",
])  # fmt: skip
_RECORD = st.recursive(
    st.dictionaries(_KEYS, _JSON, max_size=5),
    lambda inner: st.dictionaries(_KEYS, inner | _JSON, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(line=_RECORD, chosen=st.sampled_from(["auto", "redocly", "nginx", "body"]))
def test_no_line_of_any_shape_breaks_a_reader(document: JsonObject, line: dict[str, Any], chosen: str) -> None:
    result = _checkers(document, chosen).judge_jsonl("log.jsonl:1", json.dumps(line).encode())
    assert result.location == "log.jsonl:1" and result.outcome.value in (
        "conforming",
        "violating",
        "skipped",
        "unreadable",
    )
    if result.outcome.value == "unreadable":
        assert result.reason and result.rule in ("", "item.unrecognised"), result


_CHECKERS: dict[str, Any] = {}


def _checkers(document: JsonObject, chosen: str) -> Any:
    from dms_smartconnect_contract.check import Checker, CheckOptions

    if chosen not in _CHECKERS:
        _CHECKERS[chosen] = Checker(document, CheckOptions(input_format=chosen))
    return _CHECKERS[chosen]
