"""Renderers of results: they only format what the checker found, by name (`REPORTERS`)."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from .base import Reporter

# The renderer of each --format, as module and class: a module is imported only when its format is asked for.
REPORTERS = {
    "text": ("text", "TextReporter"),
    "json": ("json_report", "JsonReporter"),
    "jsonl": ("json_report", "JsonlReporter"),
    "junit": ("junit", "JunitReporter"),
    "sarif": ("sarif", "SarifReporter"),
    "github": ("github", "GithubReporter"),
}


def make_reporter(
    name: str, out: TextIO, *, verbosity: int = 0, color: bool | None = None, contract: Path | None = None
) -> Reporter:
    """The renderer called `name` (text, json, jsonl, junit, sarif or github) writing to `out`; `contract`, the file
    the run's contract was read from (None: the packaged one), for a report that points at its rules."""
    module, cls = REPORTERS[name]
    reporter_class = getattr(importlib.import_module(f".{module}", __name__), cls)
    if name == "sarif":
        return reporter_class(out, contract=contract)  # type: ignore[no-any-return]
    if name != "text":
        return reporter_class(out)  # type: ignore[no-any-return]
    if color is None:
        color = out.isatty() and "NO_COLOR" not in os.environ
    return reporter_class(out, verbosity=verbosity, color=color)  # type: ignore[no-any-return]
