"""HAR files in byte ranges of whole entries, so that worker processes parse them, as they do JSONL.

A HAR is one JSON document, usually written one entry a line or pretty-printed. Where its layout allows, the entries
array is cut into ranges of about a megabyte at entry boundaries, and whoever judges a range parses it whole with
orjson: several times faster than a streaming parser, and spread over processes.

A boundary is a newline followed by the first entry's indentation and the start of an entry (`{`, or `,{` when
commas lead). A newline never stands inside a JSON string, so a boundary is never in the middle of a string; should
a file's layout put such a line start inside an entry, the range before it does not parse, and the runner joins it
with the next (a range that is a complete object sequence cannot end inside an object). A file whose layout is not
recognised (minified, keys after the entries, an unusual head), and a range that never parses (a malformed or
truncated file), are read by the streaming parser instead, which says where it breaks: the result is the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import orjson

HEAD_BYTES = 1 << 20  # the entries array must start within this much of the file
CHUNK_BYTES = 1 << 20
WINDOW_BYTES = 1 << 16  # how much is read at a time to find a boundary
_OVERLAP = 256  # a boundary's bytes (a newline, an indentation, an opening) fit in this
# The structural tokens of JSON text: strings (with their escapes) and punctuation.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')
_TAIL = re.compile(rb"\]\s*\}\s*\}\s*\Z")


@dataclass(frozen=True)
class HarLayout:
    """Where a HAR's entries are: the byte range inside the array's brackets, and how an entry line starts."""

    start: int
    end: int
    boundary: re.Pattern[bytes]


def layout(path: Path) -> HarLayout | None:
    """The layout of a HAR file whose entries can be cut in ranges, or None."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
        handle.seek(max(0, size - 4096))
        tail = handle.read()
    start = _entries_start(head)
    if start is None:
        return None
    found = _TAIL.search(tail)
    if found is None:
        return None
    end = size - len(tail) + found.start()
    first = re.compile(rb"\s*").match(head, start)
    assert first is not None
    opening = first.end()
    if opening >= len(head) or head[opening : opening + 1] != b"{":
        return None  # no entries, or not an object first: the streaming parser says what there is
    line_start = head.rfind(b"\n", start, opening)
    indent = head[line_start + 1 : opening]
    if line_start < 0 or indent.strip() or len(indent) > _OVERLAP // 2:
        return None  # the first entry does not start a line (or far in): no boundary to look for
    boundary = re.compile(rb"\n" + re.escape(indent) + rb"(?:,[ \t\r]*)?\{")
    return HarLayout(start, end, boundary)


def _entries_start(head: bytes) -> int | None:
    """The offset just past the `[` of log.entries, when it stands in `head`."""
    stack: list[str] = []  # "o" for an object, "a" for an array
    keys: list[str | None] = []  # the current key of each open object
    expect_key = False
    last_string: bytes | None = None
    for match in _TOKENS.finditer(head):
        token = match.group()
        if token == b"{":
            stack.append("o")
            keys.append(None)
            expect_key = True
        elif token == b"[":
            if stack == ["o", "o"] and keys == ["log", "entries"]:
                return match.end()
            stack.append("a")
        elif token in (b"}", b"]"):
            if not stack:
                return None
            if stack.pop() == "o":
                keys.pop()
            expect_key = False
        elif token == b":":
            if not stack or stack[-1] != "o" or last_string is None:
                return None
            keys[-1] = last_string.decode("utf-8", "replace")[1:-1]
            expect_key = False
        elif token == b",":
            expect_key = bool(stack) and stack[-1] == "o"
        else:
            last_string = token if expect_key else None
    return None


def ranges(path: Path, found: HarLayout) -> Iterator[tuple[int, int]]:
    """Byte ranges of about CHUNK_BYTES, cut at entry boundaries (each range starts at one, or at the array), found
    as they are needed: a look a little past each megabyte, not a read of the file."""
    start = found.start
    with path.open("rb") as handle:
        while True:
            cut = _boundary(handle, found, start + CHUNK_BYTES)
            yield start, cut if cut is not None else found.end
            if cut is None:
                return
            start = cut


def _boundary(handle: BinaryIO, found: HarLayout, position: int) -> int | None:
    """The first entry boundary at or after `position` and before the array's end, or None."""
    window = WINDOW_BYTES
    while position < found.end:
        handle.seek(position)
        # A window overlaps the next by a line's start, so that a boundary across two windows is still seen.
        text = handle.read(window)
        match = found.boundary.search(text)
        if match is not None:
            return position + match.start() if position + match.start() < found.end else None
        if len(text) < window:
            return None
        position += window - _OVERLAP
    return None


@dataclass(frozen=True)
class Parsed:
    """The entries of a byte range, and whether its text began or ended with the comma between two entries."""

    entries: list[Any]
    leading_comma: bool
    trailing_comma: bool


def parse_range(path: str, start: int, end: int) -> Parsed | None:
    """The entries in a byte range of a HAR, or None when the range is not a sequence of whole JSON values."""
    with open(path, "rb") as handle:
        handle.seek(start)
        text = handle.read(end - start).strip()
    leading, trailing = text.startswith(b","), text.endswith(b",")
    text = text[1 if leading else 0 : -1 if trailing else None]
    try:
        entries = orjson.loads(b"[" + text + b"]")
    except orjson.JSONDecodeError:
        return None
    return Parsed(entries, leading, trailing) if isinstance(entries, list) else None
