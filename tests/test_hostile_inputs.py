"""Hostile JSON: each shape has one defined outcome, the same in a body file and on a JSONL line (a body file's
text is its body: a body.unreadable or body.too-large finding; a line that is no JSON value is an unreadable item),
and costs little. The README's "Limits and safety" table is this list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clirunner import run
from conftest import ROOT

SEED = (ROOT / "tests" / "exchanges" / "conforming" / "unmasked-ids.json").read_text()
GOOD = json.dumps(json.loads(SEED))


def _with(extra: str) -> str:
    return GOOD[:-1] + ", " + extra + "}"


# shape -> (body text, what a body file gets (rule or outcome), what a JSONL line gets, words of the reason)
CASES: dict[str, tuple[bytes, str, str, str]] = {
    "nesting deeper than 1024": (("[" * 5000 + "]" * 5000).encode(), "body.unreadable", "unreadable", "depth limit"),
    "deep inside a body": (
        _with('"x": ' + "[" * 3000 + "]" * 3000).encode(),
        "body.unreadable",
        "unreadable",
        "depth limit",
    ),
    "1e400": (
        GOOD.replace('"create_time": 1', '"create_time": 1e400, "y": 1').encode(),
        "body.unreadable",
        "unreadable",
        "infinity",
    ),
    "NaN": (
        GOOD.replace('"create_time": 1', '"create_time": NaN, "y": 1').encode(),
        "body.unreadable",
        "unreadable",
        "unexpected character",
    ),
    "lone surrogate": (
        GOOD.replace('"task_name": "', '"task_name": "\\ud800').encode(),
        "body.unreadable",
        "unreadable",
        "surrogate",
    ),
    "not UTF-8": (
        GOOD.replace('"task_name": "', '"task_name": "\xff').encode("latin-1"),
        "body.unreadable",
        "unreadable",
        "UTF-8",
    ),
    "UTF-16": (GOOD.encode("utf-16"), "body.unreadable", "unreadable", "UTF-8"),
    "byte order mark": (b"\xef\xbb\xbf" + GOOD.encode(), "body.unreadable", "unreadable", "BOM"),
    "duplicate keys (the last one counts)": (_with('"status": 5').encode(), "schema.type", "schema.type", ""),
    "huge string": (
        _with('"note": "' + "x" * (17 << 20) + '"').encode(),
        "body.too-large",
        "unreadable",
        "over --max-body-size",
    ),
}


@pytest.mark.parametrize("shape", list(CASES))
def test_each_hostile_shape_has_its_outcome(shape: str, tmp_path: Path) -> None:
    text, in_file, on_line, reason = CASES[shape]
    body = tmp_path / "body.json"
    body.write_bytes(text)
    log = tmp_path / "log.jsonl"
    log.write_bytes(text.replace(b"\n", b"") + b"\n" + GOOD.encode() + b"\n")
    file_report = run("validate", "--format", "json", str(body)).json()
    (result,) = file_report["results"]
    assert file_report["exit_code"] == 1
    rules = [finding["rule"] for finding in result["violations"]]
    assert in_file in rules, rules
    assert reason in " ".join(f["message"] for f in result["violations"])
    line_report = run("validate", "--format", "json", str(log)).json()
    first, second = line_report["results"]
    assert line_report["summary"]["total"] == 2 and second["outcome"] == "conforming"  # the next line is judged
    if on_line == "unreadable":
        assert first["outcome"] == "unreadable" and reason in first["reason"]
    else:
        assert on_line in [finding["rule"] for finding in first["violations"]]
