"""`validate --format jsonl`: a line per result as it is judged, then a line per findings group and the summary;
every line valid against report-jsonl.schema.json, and the same results, counts and groups as the other reports."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from clirunner import run
from conftest import ROOT

PACKAGE = ROOT / "validators" / "dms_smartconnect_contract"
SAMPLES = ROOT / "samples"


def test_jsonl_lines_follow_their_schema_and_say_what_the_json_report_says(tmp_path: Path) -> None:
    line_schema = json.loads((PACKAGE / "reports" / "report-jsonl.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(line_schema)
    validator = jsonschema.Draft202012Validator(line_schema)
    inputs = [str(SAMPLES / "service-log.jsonl"), str(SAMPLES / "browser-capture.har")]
    lines = run("validate", "--format", "jsonl", *inputs).out.splitlines()
    records = [json.loads(line) for line in lines]
    for record in records:
        validator.validate(record)
    kinds = [record["type"] for record in records]
    assert kinds == sorted(kinds, key=["result", "group", "summary"].index) and kinds[-1] == "summary"
    assert kinds.count("summary") == 1
    whole = run("validate", "--format", "json", *inputs).json()
    results = [{k: v for k, v in record.items() if k != "type"} for record in records if record["type"] == "result"]
    assert results == whole["results"]
    summary = records[-1]
    assert {k: summary[k] for k in whole["summary"]} == whole["summary"]
    assert summary["exit_code"] == whole["exit_code"] == 1
    groups = {(r["rule"], r["pointer"], r["severity"], r["operation"]): r for r in records if r["type"] == "group"}
    counted: dict[tuple[str, str, str, str], int] = {}
    for result in whole["results"]:
        for finding in result["violations"]:
            key = (finding["rule"], finding["pointer"], finding["severity"], result["operation"])
            counted[key] = counted.get(key, 0) + 1
    assert {key: group["count"] for key, group in groups.items()} == counted
    text = run("validate", *inputs).out
    for (rule, pointer, _, operation), group in groups.items():
        assert f"{rule} at {pointer or '(exchange)'} of {operation}: {group['count']} time(s)" in text


def test_the_line_schema_describes_findings_as_the_json_report_does() -> None:
    report = json.loads((PACKAGE / "reports" / "report.schema.json").read_text())
    line = json.loads((PACKAGE / "reports" / "report-jsonl.schema.json").read_text())
    finding = report["properties"]["results"]["items"]["properties"]["violations"]["items"]
    assert line["$defs"]["finding"] == finding
