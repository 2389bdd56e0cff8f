"""The README's figures are the bench's: it is read raw (not through the docs build), so `make bench` writes its
costs into it, and this holds them equal to docs/speed.json, the record the docs site shows."""

from __future__ import annotations

import json
import re
import runpy
from collections.abc import Callable
from typing import Any

import pytest

from conftest import ROOT


def _stamped(markdown: str, record: dict[str, Any]) -> str:
    stamped: Callable[[str, dict[str, Any]], str] = runpy.run_path(str(ROOT / "docs" / "hooks.py"))["stamped"]
    return stamped(markdown, record)


def test_the_readme_costs_are_the_last_bench() -> None:
    readme = (ROOT / "README.md").read_text()
    record = json.loads((ROOT / "docs" / "speed.json").read_text())
    stamps = re.findall(r"<!-- bench: (.+?) -->(.*?)<!-- /bench -->", readme)
    assert len(stamps) >= 5, "the README's limits table states the bench's worst cases"
    assert readme == _stamped(readme, record), "README.md's costs differ from docs/speed.json: make bench"


def test_a_stamp_for_an_input_the_bench_did_not_measure_is_an_error() -> None:
    with pytest.raises(KeyError, match="no such input"):
        _stamped("<!-- bench: no such input --><!-- /bench -->", {"rows": []})
