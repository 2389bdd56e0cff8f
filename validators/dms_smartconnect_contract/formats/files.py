"""Whole capture files read as streams where they are judged: compressed HAR and body files, and why a file could not be read."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ..sources.compression import decompression_errors, open_stream, where_broken
from ..sources.files import is_url, open_raw, scrub
from .har import NOTHING_WITHHELD, har_entries, har_head_of
from .items import (
    CaptureFile,
    Exchange,
    Single,
    Unreadable,
)
from .newman import NEWMAN_START, newman_items, newman_shape_problem


def capture_file_items(unit: CaptureFile, status: int, content_type: str, max_body_size: int) -> Iterator[Single]:
    """The items of a HAR, newman report or body file read whole as a stream where it is judged (compressed, or
    behind a URL; JSONL goes by line_blocks)."""
    name, compression = unit.path, unit.compression
    try:
        with open_raw(name, unit.options) as raw:
            head, problem = _head(raw, compression)
        if problem:
            yield Unreadable(name, problem)
            return
        if not head.strip() and unit.kind in ("HAR", "body", "newman"):
            yield Unreadable(name, EMPTY_FILE.format(kind=unit.kind))
            return
        if unit.kind == "body":
            with open_raw(name, unit.options) as raw:
                body = open_stream(raw, compression).read(max_body_size + 1)
            yield Exchange(name, status, content_type, None, body, bare=True)
            return
        with open_raw(name, unit.options) as raw:
            stream = open_stream(raw, compression)
            shape, withheld = (
                (newman_shape_problem(stream), NOTHING_WITHHELD) if unit.kind == "newman" else har_head_of(stream)
            )
        if shape:
            yield Unreadable(name, shape)
            return
        with open_raw(name, unit.options) as raw:
            if unit.kind == "newman":
                yield from newman_items(name, raw, compression, limit=max_body_size)
            else:
                yield from har_entries(name, raw, compression, limit=max_body_size, withheld=withheld)
    except Exception as exc:
        yield Unreadable(name, read_failure(name, exc, unit.options))


def read_failure(name: str, exc: Exception, options: dict[str, Any] | None) -> str:
    """Why a file could not be read, scrubbed of secrets; re-raises what is no reading failure of a local file."""
    if not is_url(name) and not isinstance(exc, OSError):
        raise exc
    detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else " ".join(str(exc).split())
    return f"cannot be read: {scrub(detail or type(exc).__name__, options)}"


def _head(raw: IO[bytes], compression: str | None) -> tuple[bytes, str | None]:
    """The first bytes of a decompressed file (up to _BLANK_LIMIT), or why they cannot be read."""
    try:
        return open_stream(raw, compression).read(_BLANK_LIMIT), None
    except decompression_errors() as exc:
        return b"", where_broken(raw, compression or "", exc)


_BLANK_LIMIT = 1 << 16


EMPTY_FILE = "empty file (a {kind} file must hold a JSON document)"


def is_blank(path: Path) -> bool:
    """Whether a file holds nothing but white space (read only when small: a large file is not blank in practice,
    and its parser then says so)."""
    size = path.stat().st_size
    if size > _BLANK_LIMIT:
        return False
    with path.open("rb") as handle:
        return not handle.read().strip()


_HAR_START = re.compile(rb'^\s*\{\s*"log"\s*:')
# An OpenAPI (or Swagger) document, the contract handed to `validate` by mistake: in YAML, its version key first
# (after comments); in JSON, a version key at the top level of its object (a capture may quote one further in).
_OPENAPI_YAML = re.compile(rb"^\s*(?:#[^\n]*\n\s*)*(?:openapi|swagger)\s*:")
_OPENAPI_KEYS = frozenset({"openapi", "swagger"})


def document_kind(start: bytes) -> str:
    """What a document is by its first bytes: a HAR (`{"log":`), a newman report (`{"collection":`), an OpenAPI
    document (`openapi:`, or an `openapi` key of the top-level object), else a body."""
    if _HAR_START.match(start):
        return "HAR"
    if NEWMAN_START.match(start):
        return "newman"
    if _OPENAPI_YAML.match(start) or (start.lstrip().startswith(b"{") and _OPENAPI_KEYS & top_level_keys(start)):
        return "OpenAPI"
    return "body"


def top_level_keys(start: bytes) -> set[str]:
    """The keys of the top-level object that `start` (a document's first bytes, maybe cut short) opens."""
    import ijson

    keys: set[str] = set()
    try:
        for prefix, event, value in ijson.parse(io.BytesIO(start)):
            if prefix == "" and event == "map_key":
                keys.add(value)
            elif prefix == "" and event == "end_map":
                break
    except (ijson.JSONError, ValueError, UnicodeDecodeError):  # cut short, or no JSON: the keys seen until then
        pass
    return keys
