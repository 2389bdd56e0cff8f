"""A baseline that expires: validate --write-baseline records the findings groups of a run as accepted, with a
reason and a date; validate --baseline then passes on them, fails on new ones and on those whose date has passed,
and lists the entries nothing matched. The file is sorted JSON, checked against its schema."""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from dms_smartconnect_contract.run.baseline import SCHEMA

from clirunner import run

REPORTS = Path(__file__).resolve().parents[1] / "validators" / "dms_smartconnect_contract" / "reports"
LATER = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()


def _log(path: Path, bodies: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(body) + "\n" for body in bodies))
    return path


def _wrong_time(seed: dict[str, Any]) -> dict[str, Any]:
    return dict(copy.deepcopy(seed), create_time="soon")


def _written(tmp_path: Path, log: Path) -> Path:
    baseline = tmp_path / "baseline.json"
    result = run("validate", "-q", "--write-baseline", str(baseline), "--reason", "ticket DMS-1", "--expires", LATER,
                 str(log))  # fmt: skip
    assert result.code == 0 and "1 findings group(s) written" in result.err, result
    return baseline


def test_a_baseline_accepts_what_it_records_and_is_a_sorted_file_of_its_schema(
    seed_example: dict[str, Any], tmp_path: Path
) -> None:
    log = _log(tmp_path / "log.jsonl", [seed_example, _wrong_time(seed_example)])
    assert run("validate", "-q", str(log)).code == 1
    baseline = _written(tmp_path, log)
    document = json.loads(baseline.read_text())
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(document)
    assert baseline.read_text() == json.dumps(document, indent=2, sort_keys=True) + "\n"
    (entry,) = document["entries"]
    assert entry == {
        "operation": "ShowConnectorTask",
        "rule": "schema.type",
        "pointer": "/create_time",
        "provenance": "documented: reference",
        "reason": "ticket DMS-1",
        "expires": LATER,
        "count": 1,
    }
    report = run("validate", "--format", "json", "--baseline", str(baseline), str(log))
    assert report.code == 0 and report.json()["summary"]["violating"] == 1  # the item still breaks the contract
    jsonschema.Draft202012Validator(json.loads((REPORTS / "report.schema.json").read_text())).validate(report.json())
    line_schema = jsonschema.Draft202012Validator(json.loads((REPORTS / "report-jsonl.schema.json").read_text()))
    lines = run("validate", "--format", "jsonl", "--baseline", str(baseline), str(log)).out.splitlines()
    for line in lines:
        line_schema.validate(json.loads(line))
    assert [json.loads(line)["type"] for line in lines].count("baseline") == 1
    assert [group["rule"] for group in report.json()["baseline"]["baselined"]] == ["schema.type"]
    text = run("validate", "--baseline", str(baseline), str(log)).out
    assert f"(baselined until {LATER}: ticket DMS-1)" in text and "1 group(s) baselined, 0 new, 0 expired" in text


def test_new_and_expired_findings_fail_and_unmatched_entries_are_stale(
    seed_example: dict[str, Any], tmp_path: Path
) -> None:
    baseline = _written(tmp_path, _log(tmp_path / "old.jsonl", [_wrong_time(seed_example)]))
    new = _log(tmp_path / "new.jsonl", [_wrong_time(seed_example), dict(copy.deepcopy(seed_example), id=42)])
    report = run("validate", "--format", "json", "--baseline", str(baseline), str(new))
    assert report.code == 1
    assert [(group["rule"], group["pointer"]) for group in report.json()["baseline"]["new"]] == [("schema.type", "/id")]
    # The same entry, past its date: the finding fails again.
    document = json.loads(baseline.read_text())
    document["entries"][0]["expires"] = "2020-01-31"
    baseline.write_text(json.dumps(document))
    old = tmp_path / "old.jsonl"
    expired = run("validate", "--format", "json", "--baseline", str(baseline), str(old))
    assert expired.code == 1 and expired.json()["baseline"]["expired"][0]["expired"] == "2020-01-31"
    # Traffic that no longer breaks the rule: the entry is stale, and the run passes.
    clean = _log(tmp_path / "clean.jsonl", [seed_example])
    stale = run("validate", "--baseline", str(baseline), str(clean))
    assert stale.code == 0 and "stale baseline entry schema.type at /create_time of ShowConnectorTask" in stale.out


def test_ci_reports_say_what_is_baselined(seed_example: dict[str, Any], tmp_path: Path) -> None:
    log = _log(tmp_path / "log.jsonl", [_wrong_time(seed_example)])
    baseline = _written(tmp_path, log)
    sarif = json.loads(run("validate", "--format", "sarif", "--baseline", str(baseline), str(log)).out)
    (result,) = sarif["runs"][0]["results"]
    assert result["baselineState"] == "unchanged"
    assert result["suppressions"] == [{"kind": "external", "status": "accepted",
                                       "justification": f"ticket DMS-1 (until {LATER})"}]  # fmt: skip
    github = run("validate", "--format", "github", "--baseline", str(baseline), str(log))
    assert github.code == 0 and "::error" not in github.out
    assert "baselined schema.type at /create_time of ShowConnectorTask" in github.out
    assert "::notice title=baseline::baseline: 1 group(s) baselined" in github.out
    junit = run("validate", "--format", "junit", "--baseline", str(baseline), str(log)).out
    assert (
        '<property name="baseline" value="baseline: 1 group(s) baselined, 0 new, 0 expired; 0 stale entries"/>' in junit
    )


def test_a_baseline_that_cannot_be_used_stops_the_run_naming_the_place(
    seed_example: dict[str, Any], tmp_path: Path
) -> None:
    log = _log(tmp_path / "log.jsonl", [seed_example])
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"version": 1, "entries": [{"rule": "schema.type"}]}))
    result = run("validate", "--baseline", str(broken), str(log))
    assert result.code == 2 and "at /entries/0" in result.err and result.out == ""
    missing = run("validate", "--write-baseline", str(tmp_path / "b.json"), str(log))
    assert missing.code == 2 and "--write-baseline needs --reason and --expires" in missing.err
    past = run("validate", "--write-baseline", str(tmp_path / "b.json"), "--reason", "x", "--expires", "2020-01-01",
               str(log))  # fmt: skip
    assert past.code == 2 and "--expires is in the past" in past.err and not (tmp_path / "b.json").exists()


def _suite(report: str) -> Any:
    """The JUnit report's suite, its counts checked against the cases it holds."""
    from xml.etree import ElementTree

    suite = ElementTree.fromstring(report).find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    for count, element in (("failures", "failure"), ("skipped", "skipped"), ("errors", "error")):
        assert suite.get(count) == str(sum(1 for case in cases if case.find(element) is not None)), count
    assert suite.get("tests") == str(len(cases))
    return suite


def _accepted_and_new(seed: dict[str, Any], tmp_path: Path) -> tuple[Path, Path]:
    """A baseline of a wrong create_time, and a log of many such lines, one that is also wrong at /id, conforming
    ones and a broken one."""
    baseline = _written(tmp_path, _log(tmp_path / "old.jsonl", [_wrong_time(seed)]))
    lines = [_wrong_time(seed)] * 30 + [dict(_wrong_time(seed), id=42)] + [seed] * 5 + [_wrong_time(seed)] * 30
    log = _log(tmp_path / "new.jsonl", lines)
    with log.open("a") as out:
        out.write("{broken\n")
    return baseline, log


def test_junit_skips_the_items_a_baseline_accepts_and_fails_the_rest(
    seed_example: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dashboard goes red on what the run fails on: an item whose errors the baseline all accepts is a skipped
    case saying until when and why; one with an error it does not accept fails on that error; the same report
    when the items are written by worker processes, through the spool."""
    from dms_smartconnect_contract.run import local, validate

    baseline, log = _accepted_and_new(seed_example, tmp_path)
    alone = run("validate", "--format", "junit", "--jobs", "1", "--baseline", str(baseline), str(log))
    assert alone.code == 1  # the new error, and the broken line
    suite = _suite(alone.out)
    assert (suite.get("failures"), suite.get("skipped"), suite.get("errors")) == ("1", "60", "1")
    skipped = [case.find("skipped") for case in suite.findall("testcase") if case.find("skipped") is not None]
    assert {element.get("message") for element in skipped} == {f"baselined until {LATER}: ticket DMS-1"}
    (failure,) = [case.find("failure") for case in suite.findall("testcase") if case.find("failure") is not None]
    assert failure.get("message", "").startswith("schema.type at /id:")
    text = failure.text or ""
    assert "/create_time: " in text and f"(baselined until {LATER}: ticket DMS-1)" in text
    monkeypatch.setattr(validate, "JSONL_CHUNK_BYTES", 1024)
    monkeypatch.setattr(local, "SPOOLED_CHARS", 0)
    spread = run("validate", "--format", "junit", "--jobs", "2", "--baseline", str(baseline), str(log))
    assert (spread.code, spread.out) == (alone.code, alone.out)


def test_junit_folds_accepted_items_as_skipped_and_expired_ones_fail(
    seed_example: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dms_smartconnect_contract.reports import junit

    baseline, log = _accepted_and_new(seed_example, tmp_path)
    monkeypatch.setattr(junit, "MAX_LISTED_CASES", 10)
    suite = _suite(run("validate", "--format", "junit", "--baseline", str(baseline), str(log)).out)
    names = [case.get("name") for case in suite.findall("testcase")[10:]]
    assert names == ["schema.type at /create_time of ShowConnectorTask: 50 more item(s)",
                     "schema.type at /id of ShowConnectorTask: 1 more item(s)", "5 more conforming item(s)",
                     "1 more unreadable item(s)"]  # fmt: skip
    assert (suite.get("failures"), suite.get("skipped"), suite.get("errors")) == ("1", "11", "1")
    document = json.loads(baseline.read_text())
    document["entries"][0]["expires"] = "2020-01-31"
    baseline.write_text(json.dumps(document))
    expired = _suite(run("validate", "--format", "junit", "--baseline", str(baseline), str(log)).out)
    assert (expired.get("failures"), expired.get("skipped")) == ("11", "0")  # ten listed, the rest in one case


def test_the_run_that_writes_a_baseline_reports_its_findings_as_accepted(
    seed_example: dict[str, Any], tmp_path: Path
) -> None:
    log = _log(tmp_path / "log.jsonl", [_wrong_time(seed_example), seed_example, dict(seed_example, id=42)])
    written = run("validate", "--format", "junit", "--write-baseline", str(tmp_path / "b.json"), "--reason",
                  "ticket DMS-2", "--expires", LATER, str(log))  # fmt: skip
    suite = _suite(written.out)
    assert written.code == 0 and (suite.get("failures"), suite.get("skipped")) == ("0", "2")
