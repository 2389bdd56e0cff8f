"""HAR and JSONL captures, bad input, secrets, exit codes and report formats of `validate`."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from clirunner import run
from conftest import ROOT
from serverkit import SEED_TASK, TASK_PATH

CAPTURES = ROOT / "tests" / "captures"
GOLDEN = ROOT / "tests" / "golden"
REPORT_SCHEMA = ROOT / "validators" / "dms_smartconnect_contract" / "reports" / "report.schema.json"
SECRETS = ["MIIEXAMPLE-SECRET-TOKEN-VALUE", "COOKIE-SECRET", "SIG-SECRET", "BODY-SECRET"]


@pytest.fixture
def in_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative locations in reports, as a user running from the folder sees them."""
    monkeypatch.chdir(ROOT / "tests")


def _counts(report: dict[str, object]) -> dict[str, int]:
    summary = report["summary"]
    assert isinstance(summary, dict)
    assert summary["total"] == sum(summary[k] for k in ("conforming", "violating", "skipped", "unreadable"))
    return summary


@pytest.mark.usefixtures("in_tests")
@pytest.mark.parametrize("capture", ["browser.har", "service.jsonl"])
def test_json_report_matches_golden_file(capture: str) -> None:
    result = run("validate", "--format", "json", f"captures/{capture}")
    assert result.code == 1
    golden = GOLDEN / f"{capture}.report.json"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(result.out)
    assert result.json() == json.loads(golden.read_text())


def test_har_entries_are_judged_skipped_or_unreadable() -> None:
    report = run("validate", "--format", "json", str(CAPTURES / "browser.har")).json()
    assert _counts(report) == {"total": 10, "conforming": 5, "violating": 1, "skipped": 3, "unreadable": 1}
    assert report["skipped_reasons"] == {
        "no response recorded (status 0)": 1,
        "not an operation of the contract: other path": 2,  # a script, and a PUT to pause a task
    }
    by_location = {r["location"].rsplit("#", 1)[1]: r for r in report["results"]}
    assert by_location["/log/entries/5"]["operation"] == "ListConnectorTasks"  # the list call, judged as one
    assert {r["operation"] for r in report["results"]} == {"ShowConnectorTask", "ListConnectorTasks"}
    assert by_location["/log/entries/0"]["outcome"] == "conforming"  # base64 body, charset in the media type
    assert by_location["/log/entries/2"]["outcome"] == "conforming"  # behind a gateway base path
    assert by_location["/log/entries/3"]["violations"][0]["rule"] == "body.not-recorded"
    assert by_location["/log/entries/9"]["outcome"] == "unreadable"
    assert "base64" in by_location["/log/entries/9"]["reason"]


def test_jsonl_lines_are_located_by_line_number() -> None:
    report = run("validate", "--format", "json", str(CAPTURES / "service.jsonl")).json()
    assert _counts(report) == {"total": 7, "conforming": 4, "violating": 1, "skipped": 1, "unreadable": 1}
    locations = {r["location"].rsplit(":", 1)[1]: r["outcome"] for r in report["results"]}
    assert locations == {"1": "conforming", "2": "conforming", "4": "conforming", "5": "unreadable",
                         "7": "conforming", "8": "violating"}  # fmt: skip


@pytest.mark.parametrize("fmt", ["text", "json", "junit"])
def test_no_secret_reaches_any_report(fmt: str, tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = run("validate", "-v", "--format", fmt, "--output", str(out), str(CAPTURES))
    text = out.read_text() + result.out + result.err
    assert "secret_key" in text  # the field is reported, its value is not
    for secret in SECRETS:
        assert secret not in text


def test_report_json_follows_its_schema() -> None:
    report = run("validate", "--format", "json", str(CAPTURES), str(ROOT / "tests" / "exchanges")).json()
    jsonschema.Draft202012Validator(json.loads(REPORT_SCHEMA.read_text())).validate(report)
    assert _counts(report)["total"] > 40


def test_junit_has_one_case_per_judged_exchange() -> None:
    result = run("validate", "--format", "junit", str(CAPTURES / "browser.har"))
    suite = ET.fromstring(result.out).find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert len(cases) == int(suite.get("tests", "-1")) == 7
    assert {case.get("classname") for case in cases} == {"ShowConnectorTask", "ListConnectorTasks"}
    assert len([c for c in cases if c.find("failure") is not None]) == int(suite.get("failures", "-1")) == 1
    assert len([c for c in cases if c.find("error") is not None]) == 1


def test_text_report_groups_by_rule_and_pointer(tmp_path: Path) -> None:
    log = tmp_path / "many.jsonl"
    body = json.loads((ROOT / "tests" / "exchanges" / "violating" / "create-time-string.json").read_text())
    log.write_text("\n".join(json.dumps(body) for _ in range(7)) + "\n")
    result = run("validate", str(log))
    assert result.code == 1
    assert "error schema.type at /create_time of ShowConnectorTask: 7 time(s) [documented: reference]" in result.out
    assert f"e.g. {log}:1, {log}:2, {log}:3 and 4 more" in result.out
    assert "\033[" not in result.out  # not a terminal: no colour
    assert result.out.rstrip().endswith("7 item(s): 0 conforming, 7 violating, 0 skipped, 0 unreadable")


# --- bad input: each becomes a finding or an unreadable count, and the run goes on ---------------------------


def _bad_inputs(folder: Path) -> dict[str, Path]:
    seed = (ROOT / "tests" / "exchanges" / "conforming" / "seed-example.json").read_bytes()
    files = {
        "truncated.json": seed[:100],
        "latin1.json": seed.replace(b'"A"', '"Å"'.encode("latin-1")),
        "deep.json": b"[" * 1000 + b"]" * 1000,
        "not-a-har.har": b"<html>this is no HAR</html>",
        "json-but-no-har.har": b'{"log": {"version": "1.2"}}',
        "truncated.har": json.dumps({"log": {"entries": [{"response": {"status": 200}}] * 3}}).encode()[:-30],
        "broken-line.jsonl": seed.replace(b"\n", b"") + b"\n{oops\n" + b"\xff\xfe\n",
        "bad-base64.jsonl": json.dumps({"status": 200, "body_base64": "@@@"}).encode(),
        "ok.json": seed,
    }
    paths = {}
    for name, data in files.items():
        paths[name] = folder / name
        paths[name].write_bytes(data)
    big = folder / "huge.json"
    with big.open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # a 100 MB body, sparse on disk
    paths["huge.json"] = big
    return paths


def test_bad_input_is_counted_and_named(tmp_path: Path) -> None:
    paths = _bad_inputs(tmp_path)
    report = run("validate", "--format", "json", str(tmp_path)).json()
    counts = _counts(report)
    assert counts["total"] == counts["conforming"] + counts["violating"] + counts["skipped"] + counts["unreadable"]
    results = {r["location"].replace(str(tmp_path) + "/", ""): r for r in report["results"]}
    rules = {loc: [v["rule"] for v in r["violations"]] for loc, r in results.items()}
    assert rules["truncated.json"] == ["body.unreadable"]
    assert rules["latin1.json"] == ["body.unreadable"]
    assert "UTF-8" in results["latin1.json"]["violations"][0]["message"]
    # Limits of this toolkit are no verdict on the contract: the item is unreadable, with the limit's rule id.
    assert (results["deep.json"]["outcome"], results["deep.json"]["rule"]) == ("unreadable", "limit.depth")
    assert "nested too deeply" in results["deep.json"]["reason"]
    assert (results["huge.json"]["outcome"], results["huge.json"]["rule"]) == ("unreadable", "limit.body-bytes")
    assert "more than 16777216 bytes" in results["huge.json"]["reason"]
    assert results["not-a-har.har"]["outcome"] == "unreadable"
    assert "not a HAR file" in results["json-but-no-har.har"]["reason"]
    assert results["truncated.har#/log/entries/2"]["outcome"] == "unreadable"
    assert "truncated" in results["truncated.har#/log/entries/2"]["reason"]
    assert results["broken-line.jsonl:1"]["outcome"] == "conforming"
    assert results["broken-line.jsonl:2"]["outcome"] == "unreadable"
    assert results["broken-line.jsonl:3"]["outcome"] == "unreadable"
    assert "base64" in results["bad-base64.jsonl:1"]["reason"]
    assert rules["ok.json"] == []
    assert len(paths) == 10


def test_deeper_nesting_than_the_parser_allows_is_unreadable_at_a_limit(tmp_path: Path) -> None:
    deep = tmp_path / "deeper.json"
    deep.write_bytes(b'{"a":' * 5000 + b"1" + b"}" * 5000)
    report = run("validate", "--format", "json", str(deep)).json()
    assert report["results"][0]["rule"] == "limit.depth"
    assert report["summary"]["unreadable"] == 1 and report["exit_code"] == 1


# --- exit codes and options ---------------------------------------------------------------------------------


def test_missing_path_exits_2_naming_it(tmp_path: Path) -> None:
    result = run("validate", str(tmp_path / "nope.har"))
    assert result.code == 2
    assert "nope.har: no such file or folder" in result.err


def test_bad_arguments_exit_2() -> None:
    assert run("validate", "--format", "yaml", "x").code == 2
    assert run("validate").code == 2


def test_status_and_content_type_for_bare_bodies() -> None:
    error_body = ROOT / "tests" / "exchanges" / "violating" / "create-time-string.json"
    result = run("validate", "--format", "json", "--status", "404", str(error_body))
    rules = {v["rule"] for v in result.json()["results"][0]["violations"]}
    assert "schema.required" in rules  # judged as an error body: no error_code
    result = run("validate", "--format", "json", "--content-type", "text/plain", str(error_body))
    assert [v["rule"] for v in result.json()["results"][0]["violations"]] == ["media-type"]


def test_host_option_skips_other_hosts() -> None:
    result = run("validate", "--format", "json", "--host", "dms.eu-west-101.myhuaweicloud.eu",
                 str(CAPTURES / "browser.har"))  # fmt: skip
    report = result.json()
    assert report["summary"]["skipped"] == 10
    # A filter that matches no entry judged nothing: the run proved nothing, and says which filter and why.
    assert result.code == report["exit_code"] == 5
    assert "not an operation of the contract: other host: 9" in result.err
    assert "--host dms.eu-west-101.myhuaweicloud.eu" in result.err


def test_jobs_give_the_same_report(tmp_path: Path) -> None:
    log = tmp_path / "big.jsonl"
    lines = (CAPTURES / "service.jsonl").read_text().splitlines()
    log.write_text("\n".join(lines * 700) + "\n")
    one = run("validate", "--format", "json", "--jobs", "1", str(log)).json()
    two = run("validate", "--format", "json", "--jobs", "2", str(log)).json()
    assert one == two
    assert one["summary"]["total"] == 7 * 700


def test_validating_a_small_file_imports_no_test_machinery() -> None:
    body = ROOT / "tests" / "exchanges" / "conforming" / "seed-example.json"
    code = (
        f"import sys; from dms_smartconnect_contract.cli import main; rc = main(['validate', '-q', {str(body)!r}]); "
        "heavy = [m for m in ('schemathesis', 'hypothesis', 'pytest') if m in sys.modules]; "
        "print(heavy); sys.exit(rc)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("[]")


def test_base64_har_body_with_charset(tmp_path: Path) -> None:
    seed = (ROOT / "tests" / "exchanges" / "conforming" / "seed-example.json").read_bytes()
    url = f"https://h{TASK_PATH}{SEED_TASK}"
    entry = {"request": {"method": "GET", "url": url}, "response": {"status": 200, "headers": [
        {"name": "X-Request-Id", "value": "1"}], "content": {"mimeType": "application/json; charset=utf-8",
        "encoding": "base64", "text": base64.b64encode(seed).decode()}}}  # fmt: skip
    har = tmp_path / "one.har"
    har.write_text(json.dumps({"log": {"version": "1.2", "entries": [entry]}}))
    assert run("validate", str(har)).code == 0


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_line_numbers_stay_exact_across_chunks(tmp_path: Path, jobs: str) -> None:
    """A JSONL file is judged in chunks of about a megabyte; every reported line number must still be exact."""
    good = (ROOT / "tests" / "exchanges" / "conforming" / "seed-example.json").read_bytes().replace(b"\n", b"")
    bad = (ROOT / "tests" / "exchanges" / "violating" / "create-time-string.json").read_bytes().replace(b"\n", b"")
    bad_lines = {1, 1499, 3001, 4777, 6000}
    log = tmp_path / "log.jsonl"
    log.write_bytes(b"".join((bad if n in bad_lines else good) + b"\n" for n in range(1, 6001)))
    assert log.stat().st_size > 3 * 1024 * 1024
    report = run("validate", "--format", "json", "--jobs", jobs, str(log), str(log)).json()
    assert report["summary"]["total"] == 12000
    violating = [r["location"] for r in report["results"] if r["outcome"] == "violating"]
    assert violating == [f"{log}:{n}" for n in sorted(bad_lines)] * 2
    assert [r["location"] for r in report["results"]][:3] == [f"{log}:1", f"{log}:2", f"{log}:3"]


# --- JSONL: a record is a record, a body is a body ----------------------------------------------------------------


def test_a_task_body_with_an_integer_status_is_a_body(tmp_path: Path) -> None:
    seed = json.loads((ROOT / "tests" / "exchanges" / "conforming" / "seed-example.json").read_text())
    lines = [
        dict(seed, status=1),  # the task's own status field holds an integer: a body with a type error
        dict(seed, status=200),
        {"status": 200, "body": seed},  # a record: a body key beside an integer status
        {
            "status": 200,
            "headers": {"Content-Type": "application/json", "X-Request-Id": "r"},
            "body_text": json.dumps(seed),
        },
        {"status": 404, "headers": {"X-Request-Id": "r"}},  # a record whose body was not recorded
    ]
    log = tmp_path / "log.jsonl"
    log.write_text("".join(json.dumps(line) + "\n" for line in lines))
    for jobs in ("1", "2"):
        report = run("validate", "--format", "json", "--jobs", jobs, str(log)).json()
        outcomes = {r["location"].rsplit(":", 1)[1]: r for r in report["results"]}
        for number in ("1", "2"):
            assert outcomes[number]["outcome"] == "violating"
            assert [(v["rule"], v["pointer"]) for v in outcomes[number]["violations"]] == [("schema.type", "/status")]
        assert outcomes["3"]["outcome"] == outcomes["4"]["outcome"] == "conforming"
        assert [v["rule"] for v in outcomes["5"]["violations"]] == ["body.not-recorded"]


def test_record_markers_are_no_field_of_any_response_body(document: dict[str, object]) -> None:
    """The shape that marks a record must never be a task's, a list's or an error's own: no response schema of any
    operation documents a field named like a marker, so every marker counts."""
    from dms_smartconnect_contract.contract import operations
    from dms_smartconnect_contract.formats.records import RECORD_BODY_KEYS, RECORD_MARKERS, RecordKeys

    fields = operations(document).response_fields()  # type: ignore[arg-type]
    assert {"tasks", "create_time", "error_code", "status"} <= fields  # every operation's bodies, nested too
    assert not fields & RECORD_MARKERS
    keys = RecordKeys(fields)
    assert keys.body_keys == RECORD_BODY_KEYS and keys.headers


def test_a_body_that_documents_a_marker_is_never_taken_for_a_record() -> None:
    """Were a response body to document `body` and `headers`, those keys would no longer mark a record: such a
    body stays a body whatever its integer status."""
    from dms_smartconnect_contract.formats.records import RecordKeys

    line = {"status": 7, "body": {"x": 1}, "headers": {}}
    assert RecordKeys(frozenset()).is_record(line)
    assert not RecordKeys(frozenset({"body", "headers"})).is_record(line)
    assert RecordKeys(frozenset({"body"})).is_record(line)  # `headers` still marks it


# --- a run that judged nothing fails, and says why --------------------------------------------------------------


def _nothing_to_judge(folder: Path) -> dict[str, Path]:
    (folder / "docs").mkdir()
    (folder / "docs" / "notes.txt").write_text("not a capture")
    (folder / "hollow").mkdir()
    files = {
        "empty.jsonl": b"",
        "blank-lines.jsonl": b"\n\n  \n",
        "no-entries.har": b'{"log": {"version": "1.2", "creator": {"name": "x", "version": "1"}, "entries": []}}',
        "no-entries.json": b'{"log": {"entries": []}}',
    }
    paths = {"docs": folder / "docs", "hollow": folder / "hollow"}
    for name, data in files.items():
        paths[name] = folder / name
        paths[name].write_bytes(data)
    return paths


@pytest.mark.parametrize(
    ("name", "held"),
    [
        ("empty.jsonl", "a JSONL file with no lines (blank ones aside)"),
        ("blank-lines.jsonl", "a JSONL file with no lines (blank ones aside)"),
        ("no-entries.har", "a HAR file with no entries"),
        ("no-entries.json", "a HAR file with no entries"),
        ("docs", "holds no capture file (not a capture file (.txt): 1)"),
        ("hollow", "an empty folder"),
    ],
)
@pytest.mark.parametrize("fmt", ["text", "json", "junit"])
def test_a_run_that_judged_nothing_fails_naming_the_input(tmp_path: Path, name: str, held: str, fmt: str) -> None:
    path = _nothing_to_judge(tmp_path)[name]
    result = run("validate", "--format", fmt, str(path))
    assert result.code == 5
    assert result.err.startswith("error: nothing was judged")
    assert f"{path}: {held}" in result.err
    assert "--allow-empty" in result.err
    if fmt == "json":
        assert result.json()["exit_code"] == 5 and result.json()["details"] == [f"{path}: {held}"]
    if fmt == "junit":
        suite = ET.fromstring(result.out).find("testsuite")
        assert suite is not None and suite.get("errors") == "1"
        error = suite.find("testcase/error")
        assert error is not None and error.get("type") == "nothing-judged"
        assert held in (error.text or "")
    allowed = run("validate", "--allow-empty", "--format", fmt, str(path))
    assert allowed.code == 0
    assert "note: nothing was judged" in allowed.err


def test_empty_body_and_empty_har_files_are_unreadable_alike(tmp_path: Path) -> None:
    for name in ("empty.json", "empty.har", "blank.json"):
        (tmp_path / name).write_text("  \n" if name.startswith("blank") else "")
    report = run("validate", "--format", "json", str(tmp_path)).json()
    outcomes = {Path(r["location"]).name: (r["outcome"], r["reason"]) for r in report["results"]}
    assert outcomes == {
        "blank.json": ("unreadable", "empty file (a body file must hold a JSON document)"),
        "empty.har": ("unreadable", "empty file (a HAR file must hold a JSON document)"),
        "empty.json": ("unreadable", "empty file (a body file must hold a JSON document)"),
    }
    assert report["exit_code"] == 1


def test_one_judged_item_among_empty_inputs_is_enough(tmp_path: Path) -> None:
    paths = _nothing_to_judge(tmp_path)
    seed = ROOT / "tests" / "exchanges" / "conforming" / "seed-example.json"
    result = run("validate", str(paths["empty.jsonl"]), str(paths["docs"]), str(seed))
    assert result.code == 0, result.err


def test_records_of_a_recorder_that_kept_no_body_say_why(tmp_path: Path) -> None:
    """A recorder that kept no body writes why: the body was over its limit (`body_size`), or the exchange never
    completed (`error`). Each is unreadable with that reason, never a body judged or one missing."""
    from dms_smartconnect_contract.formats.records import record_line, recorded_request

    path = "/v2/a4a5d4098fb4474fa22cd05f897d6b99/instances/59f6d088-2b1e-4c55-9a43-5d3c2f1e0a77/connector/tasks/x"
    log = tmp_path / "record.jsonl"
    request = recorded_request("GET", path, "", [("X-Auth-Token", "a-token-of-the-client")])
    log.write_bytes(
        record_line(request, 200, [("Content-Type", "application/json")], None, body_size=40_000_000)
        + record_line(request, 504, [], None, error="the upstream did not answer in time")
    )
    results = run("validate", "--format", "json", str(log)).json()["results"]
    assert [(r["outcome"], r.get("rule")) for r in results] == [("unreadable", "limit.body-bytes"),
                                                                ("unreadable", "item.unreadable")]  # fmt: skip
    assert "40000000 bytes not recorded" in results[0]["reason"]
    assert results[1]["reason"] == "the exchange did not complete: the upstream did not answer in time"
