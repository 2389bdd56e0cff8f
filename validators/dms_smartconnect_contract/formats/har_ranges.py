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

import codecs
import mmap
import re
import secrets
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
_FIRST_KEY = re.compile(rb'\{[ \t\r\n]*"([A-Za-z0-9_$.-]{1,64})"[ \t\r\n]*:')
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
    if line_start >= 0 and not indent.strip() and len(indent) <= _OVERLAP // 2:
        boundary = re.compile(rb"\n" + re.escape(indent) + rb"(?:,[ \t\r]*)?\{")
        return HarLayout(start, end, boundary)
    # Entries on one line (minified): a boundary is the comma before an object whose first key is the first entry's.
    # `,{"` is never inside a string (its quote would be escaped there); an inner object that opens with the same
    # key makes a range that does not parse, which the runner joins with the next.
    first_key = _FIRST_KEY.match(head, opening)
    if first_key is None or len(first_key.group()) > _OVERLAP // 2:
        return None
    key = re.escape(first_key.group(1))
    return HarLayout(start, end, re.compile(rb",[ \t\r\n]*(?=\{[ \t\r\n]*\"" + key + rb'"[ \t\r\n]*:)'))


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


def parse_range(path: str, start: int, end: int, limit: int | None = None) -> Parsed | None:
    """The entries in a byte range of a HAR, or None when the range is not a sequence of whole JSON values.

    With a `limit` (--max-body-bytes), a range longer than it is read without building its strings over the limit:
    each string whose value is over the limit in every reading (see `over_limit`) stands as OVER_LIMIT instead.
    Such a string is only ever a body (the checker's verdict: limit.body-bytes); anywhere else, the range is read
    again whole, so that the entry gets the verdict it would get anyway."""
    with open(path, "rb") as handle:
        if limit is not None and end - start > limit:
            text, cut = _without_long_strings(handle, start, end, limit)
        else:
            handle.seek(start)
            text, cut = handle.read(end - start), False
    parsed = _parse(text.strip())
    if parsed is not None and cut and any(_cut_elsewhere(entry) for entry in parsed.entries):
        with open(path, "rb") as handle:
            handle.seek(start)
            return _parse(handle.read(end - start).strip())
    return parsed


def _parse(text: bytes) -> Parsed | None:
    leading, trailing = text.startswith(b","), text.endswith(b",")
    text = text[1 if leading else 0 : -1 if trailing else None]
    try:
        entries = orjson.loads(b"[" + text + b"]")
    except orjson.JSONDecodeError:
        return None
    return Parsed(entries, leading, trailing) if isinstance(entries, list) else None


# --- strings over the body limit ----------------------------------------------------------------------------------

# Then "1" when the string is base64 as well, "0" when it is not. The random part keeps a capture from forging it.
OVER_LIMIT = f"\x00over-limit {secrets.token_hex(8)}:"
_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"')
_BASE64 = re.compile(rb"[A-Za-z0-9+/]*={0,2}")


def is_base64(text: Any, start: int = 0, end: int | None = None) -> bool:
    """Whether text[start:end] (bytes or str) is RFC 4648 base64 with its padding: the alphabet, at most two `=` at
    the end, and a length that is a multiple of four. Both readers of a HAR tell base64 by this."""
    end = len(text) if end is None else end
    if (end - start) % 4:
        return False
    pattern = _BASE64 if not isinstance(text, str) else _BASE64_TEXT
    return pattern.fullmatch(text, start, end) is not None


_BASE64_TEXT = re.compile(_BASE64.pattern.decode("ascii"))
_NEVER_BASE64 = re.compile(rb"[{}\[\]:, ]")  # characters no escape writes, and which base64 does not hold
# What the readers may refuse in a string, or read otherwise: control characters, escapes that are not JSON's, and
# surrogates. Over-cautious around escaped backslashes (`\\\\x` is found), which only means a whole read.
_CONTROLS = bytes(range(0x20))
_SUSPECT = re.compile(rb'\\(?:[^"\\/bfnrtu]|u(?:[dD][89a-fA-F]|(?![0-9a-fA-F]{4})))')
_BLOCK = 1 << 20


def _without_long_strings(handle: BinaryIO, start: int, end: int, limit: int) -> tuple[bytes, bool]:
    """The range's text with every string over the limit (in every reading) written as OVER_LIMIT, and whether
    any was. The file is mapped, not read: the long strings are never copied."""
    with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        pieces: list[bytes] = []
        at = start
        for found in _STRING.finditer(mapped, start, end):
            if found.end() - found.start() - 2 <= limit:
                continue
            marker = over_limit(mapped, found.start() + 1, found.end() - 1, limit)
            if marker is not None:
                pieces += [mapped[at : found.start()], orjson.dumps(marker)]
                at = found.end()
        if not pieces:
            handle.seek(start)
            return handle.read(end - start), False
        pieces.append(mapped[at:end])
        return b"".join(pieces), True


def over_limit(text: Any, start: int, end: int, limit: int) -> str | None:
    """OVER_LIMIT for the JSON string text[start:end] (its escaped content) when its value is certainly over `limit`
    bytes both as text (UTF-8) and as base64 (when it is base64), else None: the caller then reads it whole.

    Base64: its shape as written settles it (no escapes, an exact decoded length); a string of another shape is no
    base64 when it holds a character that is neither base64 nor part of an escape (JSON text always does). Text:
    escapes can only shorten it, by at most one byte per backslash and four more per `\\u`, which bounds its length
    from below without decoding it; its bytes must be UTF-8, and no escape a surrogate (which readers may refuse)."""
    length = end - start
    if is_base64(text, start, end):
        padding = text[end - 2 : end].count(b"=") if length else 0
        return f"{OVER_LIMIT}1" if length // 4 * 3 - padding > limit else None
    if not _NEVER_BASE64.search(text, start, end):
        return None  # no character that stays outside base64 once unescaped: it might be base64
    shortest = length
    decoder = codecs.getincrementaldecoder("utf-8")()
    for block_start in range(start, end, _BLOCK):
        block = text[block_start : min(block_start + _BLOCK + 6, end)]  # overlapping: an escape across two
        own = block[: min(_BLOCK, end - block_start)]
        if _SUSPECT.search(block) or len(own.translate(None, _CONTROLS)) != len(own):
            return None
        # (4 more for a `\\u` across the blocks' border, which `own` does not count.)
        shortest -= own.count(b"\\") + 4 * own.count(b"\\u") + 4
        if not own.isascii():
            try:
                decoder.decode(own)
            except UnicodeDecodeError:
                return None
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return f"{OVER_LIMIT}0" if shortest > limit else None


def _cut_elsewhere(value: Any, where: tuple[str, ...] = ()) -> bool:
    """Whether an entry holds OVER_LIMIT anywhere but in the bodies (response.content.text, request.postData.text)."""
    if isinstance(value, str):
        return value.startswith(OVER_LIMIT) and where not in _BODIES
    if isinstance(value, dict):
        return any(_cut_elsewhere(item, (*where, key)) for key, item in value.items())
    if isinstance(value, list):
        return any(_cut_elsewhere(item, (*where, "*")) for item in value)
    return False


_BODIES = {("response", "content", "text"), ("request", "postData", "text")}
