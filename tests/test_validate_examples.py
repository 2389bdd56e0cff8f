"""Every recorded exchange under tests/exchanges is a test case, parametrized by file."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from dms_smartconnect_contract.check import Checker, CheckOptions
from dms_smartconnect_contract.check.chunks import judge_chunk
from dms_smartconnect_contract.contract import JsonObject
from dms_smartconnect_contract.findings import Keeping, Outcome
from dms_smartconnect_contract.formats.items import JsonlChunk, JsonlLine
from dms_smartconnect_contract.formats.reader import Reader
from dms_smartconnect_models import ErrorResponse, ShowConnectorTaskResponse

from clirunner import run
from conftest import ROOT, response_examples

EXCHANGES = ROOT / "tests" / "exchanges"


def _cases(folder: str) -> list[Path]:
    return sorted((EXCHANGES / folder).iterdir())


def _expected(folder: str) -> dict[str, list[list[str]]]:
    return json.loads((EXCHANGES / f"{folder}.expected.json").read_text())


def _findings(path: Path, *extra: str) -> tuple[int, list[dict[str, str]]]:
    result = run("validate", "--format", "json", *extra, str(path))
    report = result.json()
    assert report["summary"]["total"] == 1
    return result.code, report["results"][0]["violations"]


@pytest.mark.parametrize("path", _cases("conforming"), ids=lambda p: p.name)
@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
def test_conforming(path: Path, strict: bool) -> None:
    code, violations = _findings(path, *(["--strict"] if strict else []))
    assert (code, violations) == (0, [])


@pytest.mark.parametrize("path", _cases("violating"), ids=lambda p: p.name)
def test_violating(path: Path) -> None:
    code, violations = _findings(path)
    assert code == 1
    errors = sorted([v["rule"], v["pointer"]] for v in violations if v["severity"] == "error")
    assert errors == sorted(_expected("violating")[path.name])


@pytest.mark.parametrize("path", _cases("violating"), ids=lambda p: p.name)
def test_a_documented_rule_names_its_sources(path: Path) -> None:
    _, violations = _findings(path)
    for violation in violations:
        if violation["severity"] == "error":
            assert violation["provenance"]["kind"] == "documented", violation
            assert violation["provenance"]["sources"], violation


WARNED = [(folder, path) for folder in ("inferred", "drift") for path in _cases(folder)]


@pytest.mark.parametrize(("folder", "path"), WARNED, ids=lambda p: p if isinstance(p, str) else p.name)
def test_inferred_rules_and_drift_warn_by_default_and_fail_when_strict(folder: str, path: Path) -> None:
    expected = sorted(_expected(folder)[path.name])
    code, violations = _findings(path)
    assert code == 0
    warnings = [v for v in violations if v["severity"] == "warning"]
    assert sorted([v["rule"], v["pointer"]] for v in warnings) == expected
    for warning in warnings:
        if folder == "drift":
            assert warning.get("drift") is True, warning
        else:
            assert warning["provenance"]["kind"] == "inferred" and warning["provenance"]["evidence"], warning
            assert "drift" not in warning
    code, violations = _findings(path, "--strict")
    assert code == 1
    assert sorted([v["rule"], v["pointer"]] for v in violations if v["severity"] == "error") == expected


def test_every_case_folder_has_its_expectations() -> None:
    for folder in ("violating", "inferred", "drift"):
        assert set(_expected(folder)) == {p.name for p in _cases(folder)}


def _all_bodies(document: JsonObject) -> list[tuple[str, Path | None, object]]:
    """(name, file, body) of every recorded exchange and every response example."""
    reader = Reader(max_body_size=1 << 20)
    bodies: list[tuple[str, Path | None, object]] = []
    for path in sorted(EXCHANGES.rglob("*.json*")):
        if path.name.endswith(".expected.json"):
            continue
        for item in reader.file_items(path):
            lines = item.read_lines(reader.max_body_size) if isinstance(item, JsonlChunk) else []
            for number, raw in enumerate(lines, start=1):
                bodies.append((path.name, path, JsonlLine(f"{path}:{number}", raw.strip())))
            if not isinstance(item, JsonlChunk):
                bodies.append((path.name, path, item))
    for status in ("200", "400", "401", "403", "404", "500"):
        for name, body in response_examples(document, status).items():
            bodies.append((name, None, (status, body)))
    return bodies


@pytest.mark.parametrize("strict", [False, True])
def test_fast_engine_agrees_with_the_reference_engine(document: JsonObject, strict: bool) -> None:
    """jsonschema-rs (fast) and jsonschema (reference) give the same verdicts and findings on every example."""
    from dms_smartconnect_contract.formats.items import Exchange

    fast = Checker(document, CheckOptions(engine="fast", strict=strict))
    reference = Checker(document, CheckOptions(engine="reference", strict=strict))
    compared = 0
    for name, _, item in _all_bodies(document):
        if isinstance(item, tuple):
            status, body = item
            item = Exchange(name, int(status), "application/json", None, orjson.dumps(body))
        a, b = fast.judge(item), reference.judge(item)  # type: ignore[arg-type]
        assert (a.outcome, a.findings) == (b.outcome, b.findings), name
        compared += 1
    assert compared > 30


def test_models_accept_every_body_the_validators_accept(document: JsonObject) -> None:
    """Default mode is the consumers' reading: whatever it accepts, the generated models must parse."""
    checker = Checker(document)
    accepted = 0
    for _, _, item in _all_bodies(document):
        if isinstance(item, tuple):
            continue
        result = checker.judge(item)  # type: ignore[arg-type]
        if result.outcome.value != "conforming":
            continue
        body = orjson.loads(item.raw) if hasattr(item, "raw") else orjson.loads(item.body)  # type: ignore[union-attr]
        if isinstance(body, dict) and isinstance(body.get("status"), int):
            status, body = body["status"], body.get("body")
        else:
            status = 200
        model = ShowConnectorTaskResponse if status == 200 else ErrorResponse
        model.model_validate(body)
        accepted += 1
    assert accepted >= 11  # the conforming and drift folders


@pytest.mark.parametrize("capture", ["service.jsonl", "browser.har"])
@pytest.mark.parametrize("strict", [False, True])
def test_chunk_fast_path_agrees_with_judging_each_line(document: JsonObject, capture: str, strict: bool) -> None:
    """judge_chunk() decides plain lines in bulk; every line must get the Result judge() gives it alone."""
    checker = Checker(document, CheckOptions(strict=strict))
    source = ROOT / "tests" / "captures" / capture
    lines = source.read_bytes().splitlines(keepends=True)
    if capture.endswith(".har"):  # the HAR's bodies, one per line, as a JSONL log of bare bodies
        import json

        entries = json.loads(source.read_text())["log"]["entries"]
        lines = [e["response"]["content"].get("text", "").encode() + b"\n" for e in entries]
    lines += ((ROOT / "tests" / "exchanges" / "drift" / "new-field.json").read_bytes().replace(b"\n", b"") + b"\n",)
    tally, count, _ = judge_chunk(checker, JsonlChunk("log.jsonl", lines), Keeping(items=True))
    expected = [
        checker.judge(JsonlLine(f"log.jsonl:{number}", raw.strip()))
        for number, raw in enumerate(lines, start=1)
        if raw.strip()
    ]
    assert count == len(lines)
    assert tally.items == [result for result in expected if result.outcome is not Outcome.SKIPPED]
    assert tally.total == len(expected) and tally.conforming  # the bulk path did decide some lines


def test_flattening_keeps_a_keyword_beside_a_reference() -> None:
    """Beside `$ref`, a keyword the target also has applies as well as the target's (JSON Schema 2020-12)."""
    import jsonschema_rs

    from dms_smartconnect_contract.contract import flatten_schema

    schema = {
        "$defs": {"Name": {"type": "string", "maxLength": 3, "allOf": [{"pattern": "^a"}]}},
        "type": "object",
        "properties": {"name": {"$ref": "#/$defs/Name", "maxLength": 5, "allOf": [{"pattern": "c$"}]}},
    }
    flat = flatten_schema(schema)
    assert "$ref" not in json.dumps(flat)
    full, quick = jsonschema_rs.validator_for(schema), jsonschema_rs.validator_for(flat)
    for name in ("abc", "ac", "abbc", "abcd", "bc", "ab", 5):
        assert quick.is_valid({"name": name}) == full.is_valid({"name": name}), name


def test_flattened_schema_gives_the_closed_schema_verdicts(document: JsonObject) -> None:
    """The JSONL fast path validates against the closed schema flattened; it must accept exactly what it accepts."""
    import jsonschema_rs

    from dms_smartconnect_contract.contract import bundle_schema, close_schema, flatten_schema

    closed = close_schema(bundle_schema(document, document["components"]["schemas"]["ShowConnectorTaskResponse"]))
    flat = flatten_schema(closed)
    assert "$ref" not in json.dumps(flat) and "$defs" not in flat
    full, quick = jsonschema_rs.validator_for(closed), jsonschema_rs.validator_for(flat)
    bodies = [item for _, _, item in _all_bodies(document) if isinstance(item, tuple) and item[0] == "200"]
    values = [body for _, body in bodies]
    for path in sorted(EXCHANGES.rglob("*.json")):
        if not path.name.endswith(".expected.json"):
            try:
                values.append(json.loads(path.read_text()))
            except ValueError:
                continue
    assert len(values) > 20
    assert {full.is_valid(v) for v in values} == {True, False}
    for value in values:
        assert quick.is_valid(value) == full.is_valid(value), value
