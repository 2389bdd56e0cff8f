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
