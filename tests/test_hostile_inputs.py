"""Hostile JSON: each shape has one defined outcome, the same in a body file and on a JSONL line, and costs little.
A body file's text is its body: text that is no JSON is a body.unreadable finding (the contract's media type is
JSON), and on a JSONL line an unreadable item. JSON over a limit of this toolkit (size, depth, a number beyond a
double) is an unreadable item either way, with the limit's rule id. The README's "Limits and safety" table is this
list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clirunner import run
from conftest import ROOT

SEED = (ROOT / "tests" / "exchanges" / "conforming" / "unmasked-ids.json").read_text()
GOOD = json.dumps(json.loads(SEED))


def _with(extra: str) -> str:
    return GOOD[:-1] + ", " + extra + "}"


# shape -> (body text, what a body file gets, what a JSONL line gets, words of the reason or message). What an item
# gets is a finding's rule when it is judged, or the rule id of the unreadable item.
CASES: dict[str, tuple[bytes, str, str, str]] = {
    "nesting deeper than 1024": (("[" * 5000 + "]" * 5000).encode(), "limit.depth", "limit.depth", "depth limit"),
    "deep inside a body": (
        _with('"x": ' + "[" * 3000 + "]" * 3000).encode(),
        "limit.depth",
        "limit.depth",
        "depth limit",
    ),
    "1e400": (
        GOOD.replace('"create_time": 1', '"create_time": 1e400, "y": 1').encode(),
        "limit.number",
        "limit.number",
        "infinity",
    ),
    "NaN": (
        GOOD.replace('"create_time": 1', '"create_time": NaN, "y": 1').encode(),
        "body.unreadable",
        "item.unreadable",
        "unexpected character",
    ),
    "lone surrogate": (
        GOOD.replace('"task_name": "', '"task_name": "\\ud800').encode(),
        "body.unreadable",
        "item.unreadable",
        "surrogate",
    ),
    "not UTF-8": (
        GOOD.replace('"task_name": "', '"task_name": "\xff').encode("latin-1"),
        "body.unreadable",
        "item.unreadable",
        "UTF-8",
    ),
    "UTF-16": (GOOD.encode("utf-16"), "body.unreadable", "item.unreadable", "UTF-8"),
    "byte order mark": (b"\xef\xbb\xbf" + GOOD.encode(), "body.unreadable", "item.unreadable", "BOM"),
    "duplicate keys (the last one counts)": (_with('"status": 5').encode(), "schema.type", "schema.type", ""),
    "huge string": (
        _with('"note": "' + "x" * (17 << 20) + '"').encode(),
        "limit.body-bytes",
        "limit.line-bytes",
        "over --max-body-bytes",
    ),
}


def _got(result: dict[str, Any]) -> tuple[str | list[str], str]:
    """What an item got (the unreadable item's rule id, or its findings' rules) and the words that say why."""
    if result["outcome"] == "unreadable":
        return result["rule"], result["reason"]
    return [finding["rule"] for finding in result["violations"]], " ".join(f["message"] for f in result["violations"])


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
    got, why = _got(result)
    assert got == in_file if in_file.startswith(("limit.", "item.")) else in_file in got, got
    assert reason in why
    line_report = run("validate", "--format", "json", str(log)).json()
    first, second = line_report["results"]
    assert line_report["summary"]["total"] == 2 and second["outcome"] == "conforming"  # the next line is judged
    got, why = _got(first)
    assert got == on_line if on_line.startswith(("limit.", "item.")) else on_line in got, got
    assert reason in why
