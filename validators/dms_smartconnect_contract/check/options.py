"""What a checker is asked to do: the options of `validate` that decide a verdict, as one frozen value.

It crosses every layer that builds a checker (the CLI, local workers, a Dask cluster's tasks), pickles as it is,
and is hashable, so a cluster's worker keeps one compiled checker per contract and options.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..findings import MAX_FINDINGS

Engine = Literal["fast", "full", "reference"]
DEFAULT_MAX_BODY_SIZE = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """How exchanges are judged.

    `engine` "fast" is jsonschema-rs with the fast path for bodies; "full" is jsonschema-rs on the full path (every
    error of each reading explained); "reference" is the jsonschema library on the full path. The tests hold all
    three to the same reports."""

    strict: bool = False
    engine: Engine = "fast"
    max_body_size: int = DEFAULT_MAX_BODY_SIZE
    max_findings: int = MAX_FINDINGS
    default_status: int = 200  # of a bare body, which records none
    default_content_type: str = "application/json"
    host: str | None = None  # judge only requests to this host
    coverage: bool = False  # count what the traffic exercised (validate --coverage)
    operation: str | None = None  # the operation of bare bodies (--operation); None: the one the contract names
    input_format: str = "auto"  # the record family every JSONL line must be, or `body` (see formats/families.py)
