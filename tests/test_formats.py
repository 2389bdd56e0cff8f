"""The ranges of the integer formats: `int32` and `int64` are rules of the contract, documented where the contract
says so, and every reading asserts them (JSON Schema alone reads `format` as an annotation). The verdict corpus holds
every engine to the int32 cases; here, int64's range, which the models of the languages cannot agree on, and what a
finding of a range says of its rule."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from dms_smartconnect_contract.check import Checker, CheckOptions
from dms_smartconnect_contract.contract import JsonObject
from dms_smartconnect_contract.contract.formats import RANGES

from clirunner import run
from conftest import ROOT

SCHEMAS = ROOT / "generated" / "json-schema"
CREATE_TIME = "/components/schemas/SmartConnectTaskEntity/properties/create_time"


@pytest.mark.parametrize("engine", ["fast", "full", "reference"])
@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
@pytest.mark.parametrize(
    "value", [2**63, -(2**64)], ids=["above", "below"]
)  # -2**63 - 1 would be read as the double -2**63
def test_every_engine_asserts_the_int64_range(
    document: JsonObject, seed_example: dict[str, Any], engine: str, strict: bool, value: int
) -> None:
    body = dict(copy.deepcopy(seed_example), create_time=value)
    result = Checker(document, CheckOptions(strict=strict, engine=engine)).judge_jsonl("x:1", json.dumps(body))
    rule = "schema.maximum" if value > 0 else "schema.minimum"
    found = [f for f in result.findings if f.pointer == "/create_time" and f.severity.value == "error"]
    assert result.outcome.value == "violating" and [f.rule for f in found] == [rule], result.findings
    (finding,) = found
    # A documented rule: the reference documents the format, and the finding points at the keyword that states it.
    assert finding.provenance.label == "documented: reference"
    assert finding.provenance.at == f"{CREATE_TIME}/format"


def test_the_bounds_of_a_range_conform(document: JsonObject, seed_example: dict[str, Any]) -> None:
    low, high = RANGES["int32"]
    checker = Checker(document, CheckOptions(strict=True))
    for value in (low, high):
        body = copy.deepcopy(seed_example)
        body["source_task"]["task_num"] = max(value, 1)  # its inferred minimum is 1
        assert checker.judge_jsonl("x:1", json.dumps(body)).outcome.value == "conforming", value


@pytest.mark.parametrize("suffix", ["", ".strict"])
def test_the_exported_schemas_assert_the_ranges(seed_example: dict[str, Any], suffix: str) -> None:
    schema = json.loads((SCHEMAS / f"ShowConnectorTaskResponse{suffix}.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid(seed_example)
    assert not validator.is_valid(dict(seed_example, create_time=2**63))
    tolerant = json.loads((SCHEMAS / "ShowConnectorTaskResponse.tolerant.schema.json").read_text())
    # The models' reading is of JSON types only: it takes the value, as the models do.
    assert jsonschema.Draft202012Validator(tolerant).is_valid(dict(seed_example, create_time=2**63))


def test_sarif_points_a_range_at_its_format_in_the_contract(obs_example: dict[str, Any], tmp_path: Path) -> None:
    body = copy.deepcopy(obs_example)
    body["sink_task"]["obs_part_size"] = 3_000_000_000
    log = tmp_path / "log.jsonl"
    log.write_text(json.dumps(body) + "\n")
    sarif = json.loads(run("validate", "--format", "sarif", "--contract", str(ROOT / "openapi.yaml"), str(log)).out)
    (found,) = sarif["runs"][0]["results"]
    assert (
        found["ruleId"] == "schema.maximum" and "3000000000 is above the maximum 2147483647" in found["message"]["text"]
    )
    region = found["relatedLocations"][0]["physicalLocation"]["region"]
    line = (ROOT / "openapi.yaml").read_text().splitlines()[region["startLine"] - 1]
    assert line[region["startColumn"] - 1 :] == "format: int32"


def test_every_documented_rule_is_asserted_by_a_reading(document: JsonObject) -> None:
    from dms_smartconnect_contract.contract.provenance import iter_constraints
    from dms_smartconnect_contract.contract.readings import enforced_by

    unasserted = [
        f"{c.pointer}#{c.keyword}"
        for c in iter_constraints(document)
        if (c.provenance is None or c.provenance.kind != "inferred") and not enforced_by(document, c)
    ]
    assert unasserted == []


def test_a_documented_format_no_reading_asserts_is_named(tmp_path: Path) -> None:
    """A documented `hostname` (an annotation to every reading) is a rule nothing keeps: rules and lint say so."""
    import yaml

    contract = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    name = contract["components"]["schemas"]["SmartConnectTaskEntity"]["properties"]["task_name"]
    name["format"] = "hostname"
    name["x-provenance"]["format"] = {"documented": "reference"}
    edited = tmp_path / "openapi.yaml"
    edited.write_text(yaml.safe_dump(contract, sort_keys=False))
    rules = run("rules", "--format", "json", "--contract", str(edited)).json()
    (found,) = [rule for rule in rules if rule["keyword"] == "format" and rule["where"].endswith("task_name")]
    assert found["readings"] == [] and found["kind"] == "documented"
    assert "asserted by no reading (an annotation)" in run("rules", "--contract", str(edited)).out
    lint = run("lint", str(edited))
    assert (
        "1 documented rule(s) no reading asserts: /components/schemas/SmartConnectTaskEntity/properties/task_name"
        "#format" in lint.out
    )


def test_what_rules_says_asserts_a_rule_is_what_the_corpus_verdicts_show(document: JsonObject) -> None:
    """The statement is checked against the verdicts: a case of the verdict corpus that breaks a rule the default
    reading asserts violates it, one whose rules it asserts none of conforms; and so for the strict reading."""
    from test_verdict_corpus import _hand_cases

    from dms_smartconnect_contract.contract.provenance import iter_constraints
    from dms_smartconnect_contract.contract.readings import enforced_by

    readings = {f"{c.pointer}#{c.keyword}": enforced_by(document, c) for c in iter_constraints(document)}
    checked = 0
    for case in _hand_cases(document):
        if not case.breaks:
            continue
        for reading in ("default", "strict"):
            asserted = any(reading in readings[rule] for rule in case.breaks)
            assert case.expect[reading] == ("violating" if asserted else "conforming"), (case.name, reading)
        checked += 1
    assert checked >= 30


@pytest.mark.parametrize("field", ["create_time", "sink_task/obs_part_size"])
def test_a_formats_bounds_leave_a_storm_to_its_probe(document: JsonObject, obs_example: dict[str, Any],
                                                     field: str) -> None:  # fmt: skip
    """An integer field with a format holds the format's bounds in an `allOf`: a storm of strings there is still
    recognised by a probe (one check a line), not explained line by line."""
    body_rules = Checker(document, CheckOptions()).bare_body_rules()
    assert body_rules is not None
    bodies = []
    for number in range(3):
        body = copy.deepcopy(obs_example)
        holder, key = (body["sink_task"], "obs_part_size") if "/" in field else (body, field)
        holder[key] = str(1_000_000 + number)
        bodies.append(body)
    assert not body_rules.quick(bodies[0])
    body_rules.shape(bodies[0])
    assert body_rules.probe is not None and body_rules.probe.holds(bodies[1]) and body_rules.probe.holds(bodies[2])
