"""Reports CI systems read: SARIF 2.1.0, valid against the OASIS schema, with a result per finding and per
unreadable item located in the capture; GitHub workflow commands, escaped as GitHub documents; neither repeats a
credential of the capture."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema

from dms_smartconnect_contract.reports.base import split_location
from dms_smartconnect_contract.reports.github import escape_data, escape_property

from clirunner import run
from conftest import ROOT

SARIF_SCHEMA = json.loads((ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text())
SAMPLES = ROOT / "samples"
TOKEN = "MIIEvQYJKoZIhvcNAQEHoIIErjCCBKoCAQExDTALBglghkgBZQMEAgEwggLJBgkqhkiG9w0BBwGgggK6BIICtnsidG9rZW4iOnsiZXhwaXJlc19hdCI6IjIw"


def _capture(tmp_path: Path) -> list[str]:
    """The samples, a JSONL log with a broken line, and a record carrying credentials in its headers."""
    log = tmp_path / "mixed.jsonl"
    body = json.loads((SAMPLES / "service-log.jsonl").read_text().splitlines()[0])
    record = {
        "status": 200,
        "headers": {"Content-Type": "application/json", "X-Auth-Token": TOKEN, "X-Request-Id": "a" * 32},
        "body": {**body, "create_time": "soon", "password": "hunter2-secret"},
        "url": f"https://dms.example/v2/p/instances/i/connector/tasks/t?X-Auth-Token={TOKEN}",
    }
    log.write_text(json.dumps(body) + "\n{not json\n" + json.dumps(record) + "\n")
    return [str(SAMPLES / "service-log.jsonl"), str(SAMPLES / "browser-capture.har"), str(log)]


def test_sarif_is_valid_and_has_a_result_per_finding_and_unreadable_item(tmp_path: Path) -> None:
    inputs = _capture(tmp_path)
    result = run("validate", "--format", "sarif", *inputs)
    assert result.code == 1 and TOKEN not in result.out and "hunter2-secret" not in result.out
    sarif = json.loads(result.out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    assert sarif["version"] == "2.1.0" and len(sarif["runs"]) == 1
    (sarif_run,) = sarif["runs"]
    report = run("validate", "--format", "json", *inputs).json()
    expected = []
    for item in report["results"]:
        if item["outcome"] == "unreadable":
            expected.append(("item.unreadable", item["location"], "error", None))
        for finding in item["violations"]:
            expected.append((finding["rule"], item["location"], finding["severity"], finding["provenance"]))
    rules = [rule["id"] for rule in sarif_run["tool"]["driver"]["rules"]]
    got = []
    for found in sarif_run["results"]:
        assert rules[found["ruleIndex"]] == found["ruleId"]
        place = found["locations"][0]
        uri = place["physicalLocation"]["artifactLocation"]["uri"]
        if "region" in place["physicalLocation"]:
            location = f"{uri}:{place['physicalLocation']['region']['startLine']}"
        elif "logicalLocations" in place:
            location = f"{uri}#/{place['logicalLocations'][0]['fullyQualifiedName']}"
        else:
            location = uri
        provenance = found.get("properties", {}).get("provenance")
        got.append((found["ruleId"], location, found["level"], provenance))
    assert got == expected
    assert {"item.unreadable", "schema.type", "undocumented-field"} <= set(rules)
    kinds = {rule["id"]: rule["properties"]["provenance"] for rule in sarif_run["tool"]["driver"]["rules"]}
    for rule, _, _, provenance in expected:
        if provenance is not None:
            assert provenance["kind"] in kinds[rule], rule
    assert sarif_run["invocations"] == [{"executionSuccessful": True, "exitCode": 1}]
    assert sarif_run["properties"]["summary"] == report["summary"]


def test_sarif_of_a_run_that_proved_nothing_says_why(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    sarif = json.loads(run("validate", "--format", "sarif", str(empty)).out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    (invocation,) = sarif["runs"][0]["invocations"]
    assert invocation["exitCode"] == 5 and invocation["executionSuccessful"] is False
    assert "nothing was judged" in invocation["toolExecutionNotifications"][0]["message"]["text"]


def test_locations_split_into_file_line_and_entry() -> None:
    assert split_location("logs/a.jsonl:17") == ("logs/a.jsonl", 17, None)
    assert split_location("s3://b/a.jsonl.gz:3") == ("s3://b/a.jsonl.gz", 3, None)
    assert split_location("t.har#/log/entries/4") == ("t.har", None, "log/entries/4")
    assert split_location("body.json") == ("body.json", None, None)
    assert split_location("odd:12") == ("odd:12", None, None)  # no JSONL name: a file named so


def test_github_escapes_as_its_toolkit_does() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


COMMAND = re.compile(r"^::(error|warning|notice) ((?:[a-z]+=[^,:]*)(?:,[a-z]+=[^,:]*)*)::(.*)$")


def test_github_commands_annotate_each_group_and_say_the_summary(tmp_path: Path) -> None:
    inputs = _capture(tmp_path)
    result = run("validate", "--format", "github", *inputs)
    assert result.code == 1 and TOKEN not in result.out and "hunter2-secret" not in result.out
    lines = result.out.splitlines()
    commands = [COMMAND.match(line) for line in lines[:-1]]
    assert all(commands), [line for line, match in zip(lines, commands, strict=False) if not match]
    report = run("validate", "--format", "json", *inputs).json()
    groups = {(f["rule"], f["pointer"], f["severity"]) for r in report["results"] for f in r["violations"]}
    annotations = [m for m in commands if m and m.group(1) in ("error", "warning")]
    unreadable = sum(1 for r in report["results"] if r["outcome"] == "unreadable")
    assert len(annotations) == len(groups) + unreadable
    first = dict(part.split("=", 1) for part in annotations[0].group(2).split(","))
    assert first["file"] and first["title"].startswith("schema.type at /create_time")
    broken = [m for m in annotations if "title=unreadable" in m.group(2)]
    assert len(broken) == 1 and "line=2" in broken[0].group(2)
    assert lines[-2].startswith("::notice title=smartconnect-contract::") and lines[-1].endswith("unreadable")


def test_the_pre_commit_hook_runs_validate_on_capture_files(tmp_path: Path) -> None:
    import shlex
    import subprocess
    import sys

    import yaml

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    files = re.compile(hook["files"])
    for name in ("a.json", "b.jsonl", "c.ndjson", "d.har", "e.jsonl.gz", "f.har.zst", "g.json.xz"):
        assert files.search(name), name
    for name in ("notes.txt", "a.yaml", "b.jsonl.zip"):
        assert not files.search(name), name
    command, *args = shlex.split(hook["entry"])
    assert command == "smartconnect-contract"
    cli = "import sys\nfrom dms_smartconnect_contract.cli import main\nsys.exit(main(sys.argv[1:]))"
    staged = [str(SAMPLES / "service-log.jsonl")]
    result = subprocess.run([sys.executable, "-c", cli, *args, *staged], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "item(s)" in result.stdout  # the sample holds violations: the commit stops


def test_junit_stays_well_formed_with_any_character_in_a_name(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ElementTree

    odd = tmp_path / 'log "quoted" <&>\x01\x1b.jsonl'
    odd.write_text('{"status": 3}\n{broken\n')
    result = run("validate", "--format", "junit", str(odd))
    root = ElementTree.fromstring(result.out)  # raises on a character XML cannot hold
    names = [case.get("name") for case in root.iter("testcase")]
    assert len(names) == 2 and all(name and 'log "quoted" <&>\ufffd\ufffd.jsonl' in name for name in names)
