"""Reports CI systems read: SARIF 2.1.0, valid against the OASIS schema, with a result per finding and per
unreadable item located in the capture; GitHub workflow commands, escaped as GitHub documents; neither repeats a
credential of the capture."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
        "url": f"https://dms.example/v2/a4a5d4098fb4474fa22cd05f897d6b99/instances/59f6d088-2b1e-4c55-9a43-5d3c2f1e0a77/connector/tasks/194917d0-8c1b-4f1e-b3a2-6e0d9f4c2a15?X-Auth-Token={TOKEN}",
    }
    log.write_text(json.dumps(body) + "\n{not json\n" + json.dumps(record) + "\n")
    return [str(SAMPLES / "service-log.jsonl"), str(SAMPLES / "browser-capture.har"), str(log)]


def _sarif_place(found: dict[str, Any]) -> str:
    """A SARIF location as the JSON report writes it."""
    physical = found["physicalLocation"]
    uri = physical["artifactLocation"]["uri"]
    if physical["artifactLocation"].get("uriBaseId") == "%SRCROOT%":
        path = str(Path.cwd() / unquote(uri))
    else:
        path = unquote(urlsplit(uri).path) if uri.startswith("file://") else uri
    if "logicalLocations" in found:
        return f"{path}#/{found['logicalLocations'][0]['fullyQualifiedName']}"
    return f"{path}:{physical['region']['startLine']}" if path.endswith(".jsonl") else path


def test_sarif_is_valid_and_has_a_result_per_findings_group_and_unreadable_rule(tmp_path: Path) -> None:
    inputs = _capture(tmp_path)
    result = run("validate", "--format", "sarif", "--contract", str(ROOT / "openapi.yaml"), *inputs)
    assert result.code == 1 and TOKEN not in result.out and "hunter2-secret" not in result.out
    sarif = json.loads(result.out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    assert sarif["version"] == "2.1.0" and len(sarif["runs"]) == 1
    (sarif_run,) = sarif["runs"]
    report = run("validate", "--format", "json", *inputs).json()
    # What the lossless report says, grouped: each group's findings by location, and the unreadable items.
    expected: dict[tuple[str, str, str, str], list[str]] = {}
    unreadable = []
    for item in report["results"]:
        if item["outcome"] == "unreadable":
            unreadable.append(item["location"])
        for finding in item["violations"]:
            key = (finding["rule"], finding["pointer"], finding["severity"], item.get("operation", ""))
            expected.setdefault(key, []).append(item["location"])
    rules = [rule["id"] for rule in sarif_run["tool"]["driver"]["rules"]]
    lines = (ROOT / "openapi.yaml").read_text().splitlines()
    got: dict[tuple[str, str, str, str], list[str]] = {}
    for found in sarif_run["results"]:
        assert rules[found["ruleIndex"]] == found["ruleId"]
        places = [_sarif_place(place) for place in found["locations"]]
        if found["ruleId"] == "item.unreadable":
            assert places == unreadable and found["level"] == "error"
            continue
        properties = found["properties"]
        key = (found["ruleId"], properties["pointer"], found["level"], properties["operation"])
        got[key] = places
        assert properties["count"] == len(expected[key])
        # The first location in each file leads; every location is one of the group's.
        files = list(dict.fromkeys(place.split("#")[0].rsplit(":", 1)[0] for place in expected[key]))
        assert places[: len(files)] == [next(p for p in expected[key] if p.startswith(f)) for f in files]
        assert sorted(places) == sorted(expected[key])
        # The related location is the keyword of the broken rule, at its line and column in the contract.
        (related,) = found["relatedLocations"]
        assert related["physicalLocation"]["artifactLocation"] == {"uri": "openapi.yaml", "uriBaseId": "%SRCROOT%"}
        region = related["physicalLocation"]["region"]
        keyword = found["ruleId"].split(".", 1)[1] if found["ruleId"].startswith("schema.") else "properties"
        assert lines[region["startLine"] - 1][region["startColumn"] - 1 :].startswith(f"{keyword}:"), found["ruleId"]
    assert got.keys() == expected.keys()
    assert {"item.unreadable", "schema.type", "undocumented-field"} <= set(rules)
    for rule in sarif_run["tool"]["driver"]["rules"]:
        assert rule["name"] != rule["id"] and rule["fullDescription"]["text"]
    assert sarif_run["invocations"] == [{"executionSuccessful": True, "exitCode": 1}]
    assert sarif_run["properties"]["summary"] == report["summary"]
    assert sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == Path.cwd().as_uri() + "/"


def test_sarif_stays_within_what_code_scanning_accepts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A storm of distinct groups is folded past the results a run may hold, and a group's locations are capped;
    both say so, and the run stays schema-valid."""
    from dms_smartconnect_contract.reports import sarif as sarif_report

    monkeypatch.setattr(sarif_report, "MAX_RESULTS", 5)
    monkeypatch.setattr(sarif_report.SarifReporter, "samples", 4)
    body = json.loads((SAMPLES / "service-log.jsonl").read_text().splitlines()[0])
    log = tmp_path / "storm.jsonl"
    # Ten undocumented fields, each its own group, each met on 12 lines.
    log.write_text("".join(json.dumps({**body, f"new_{n % 10}": 1}) + "\n" for n in range(120)))
    sarif = json.loads(run("validate", "--format", "sarif", str(log)).out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    (sarif_run,) = sarif["runs"]
    results = sarif_run["results"]
    assert len(results) == 5 and results[-1]["ruleId"] == "report.folded"
    assert sarif_run["properties"]["folded"] == {"groups": 6, "findings": 72}
    assert results[-1]["properties"] == {"groups": 6, "count": 72}
    for found in results[:-1]:
        assert (
            len(found["locations"]) == 4
            and found["properties"] | {"count": 12, "locations_left_out": 8} == found["properties"]
        )
    (note,) = sarif_run["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "warning" and "6 more findings group(s), 72 finding(s), folded" in note["message"]["text"]


def test_sarif_carries_the_coverage(tmp_path: Path) -> None:
    sarif = json.loads(run("validate", "--format", "sarif", "--coverage", str(SAMPLES / "service-log.jsonl")).out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    report = run("validate", "--format", "json", "--coverage", str(SAMPLES / "service-log.jsonl")).json()
    assert sarif["runs"][0]["properties"]["coverage"] == report["coverage"]


MULTITOOL = ROOT / "node_modules" / ".bin" / "sarif-multitool"


@pytest.mark.skipif(not MULTITOOL.exists(), reason="the SARIF Multitool is not installed: run `npm ci` (make setup)")
def test_sarif_passes_the_multitool_with_the_github_rules(tmp_path: Path) -> None:
    """Microsoft's SARIF Multitool, with GitHub's ingestion rules (--rule-kind Gh) and the SARIF ones: no error, and
    no warning but the tool's missing home page."""
    inputs = _capture(tmp_path)
    log = tmp_path / "capture.sarif"
    log.write_text(run("validate", "--format", "sarif", "--contract", str(ROOT / "openapi.yaml"), *inputs).out)
    for kind in ("Gh", "Sarif"):
        checked = tmp_path / f"checked-{kind}.sarif"
        done = subprocess.run([str(MULTITOOL), "validate", "--rule-kind", kind, "--output", str(checked), str(log)],
                              capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
        assert done.returncode == 0 and checked.exists(), done.stdout + done.stderr
        found = json.loads(checked.read_text())["runs"][0]["results"]
        problems = [(r["ruleId"], r.get("level", "warning"), r["message"].get("arguments")) for r in found
                    if r["ruleId"] != "SARIF2005"]  # fmt: skip
        assert problems == [], problems


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


def _field_storm(tmp_path: Path, fields: int, lines: int) -> Path:
    """A log whose lines each add one of `fields` undocumented fields: a warning group per field."""
    body = json.loads((SAMPLES / "service-log.jsonl").read_text().splitlines()[0])
    log = tmp_path / "fields.jsonl"
    log.write_text("".join(json.dumps({**body, f"new_{n % fields}": 1}) + "\n" for n in range(lines)))
    return log


def test_github_annotates_within_a_steps_limits_and_lists_the_rest(tmp_path: Path) -> None:
    """GitHub shows 10 annotations of a kind per step: the rest are plain log lines, and a notice says so."""
    log = _field_storm(tmp_path, 15, 30)
    lines = run("validate", "--format", "github", str(log)).out.splitlines()
    warnings = [line for line in lines if line.startswith("::warning ")]
    listed = [line for line in lines if line.startswith("warning undocumented-field at /new_")]
    assert len(warnings) == 10 and len(listed) == 5
    assert {line.split(" at ")[1].split(" ")[0] for line in listed} | {
        re.search(r"/new_\d+", line).group()
        for line in warnings  # type: ignore[union-attr]
    } == {f"/new_{n}" for n in range(15)}
    (note,) = [line for line in lines if line.startswith("::notice title=not annotated::")]
    assert "5 more finding group(s) are listed in the log" in note


def test_github_and_junit_carry_the_coverage() -> None:
    from xml.etree import ElementTree

    lines = run("validate", "--format", "github", "--coverage", str(SAMPLES / "service-log.jsonl")).out.splitlines()
    assert "::group::coverage" in lines and "::endgroup::" in lines
    (notice,) = [line for line in lines if line.startswith("::notice title=coverage::")]
    assert "ShowConnectorTask: 1 of 6 statuses seen" in notice
    junit = run("validate", "--format", "junit", "--coverage", str(SAMPLES / "service-log.jsonl")).out
    (coverage,) = ElementTree.fromstring(junit).findall("testsuite/properties/property[@name='coverage']")
    assert "ShowConnectorTask: 1 of 6 statuses seen" in (coverage.get("value") or "")


def test_junit_folds_items_past_its_bounds_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xml.etree import ElementTree

    from dms_smartconnect_contract.reports import junit

    monkeypatch.setattr(junit, "MAX_LISTED_CASES", 10)
    body = json.loads((SAMPLES / "service-log.jsonl").read_text().splitlines()[0])
    log = tmp_path / "mixed.jsonl"
    lines = [{**body, "create_time": "soon"} if n % 2 else body for n in range(40)]
    log.write_text("".join(json.dumps(line) + "\n" for line in lines) + "{broken\n")
    suite = ElementTree.fromstring(run("validate", "--format", "junit", str(log)).out).find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    # Ten items listed, then one case for the 15 more violating ones, one for the 15 more conforming, one unreadable.
    assert [case.get("name") for case in cases[10:]] == [
        "schema.type at /create_time of ShowConnectorTask: 15 more item(s)",
        "15 more conforming item(s)",
        "1 more unreadable item(s)",
    ]
    assert suite.get("tests") == "13" and suite.get("failures") == "6" and suite.get("errors") == "1"
    (folded,) = suite.findall("properties/property")
    assert "31 item(s) past the first 10 are folded into 3 case(s)" in (folded.get("value") or "")


@settings(max_examples=2000, deadline=None)
@given(text=st.text(alphabet=st.sampled_from([*"ab \"'&<>\t\n\r\x00\x1f\ufffe\u2028\u00e9", "\ud800"]), max_size=12))
def test_junit_escapes_as_saxutils_does_and_reads_back(text: str) -> None:
    """The JUnit report's escapes are saxutils' (with the quote and line breaks as references in attributes), the
    characters XML 1.0 forbids shown as U+FFFD, and a parser reads every text back as it was given."""
    from xml.etree import ElementTree
    from xml.sax import saxutils

    from dms_smartconnect_contract.reports.junit import escape, escape_attribute

    allowed = "".join("\ufffd" if (ord(c) < 32 and c not in "\t\n\r") or 0xD800 <= ord(c) <= 0xDFFF or c == "\ufffe"
                      else c for c in text)  # fmt: skip
    assert escape(text) == saxutils.escape(allowed)
    assert escape_attribute(text) == saxutils.escape(
        allowed, {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
    )
    element = ElementTree.fromstring(f'<case name="{escape_attribute(text)}">{escape(text)}</case>')
    assert element.get("name") == allowed
    assert (element.text or "") == allowed.replace("\r\n", "\n").replace("\r", "\n")  # XML's end-of-line handling
