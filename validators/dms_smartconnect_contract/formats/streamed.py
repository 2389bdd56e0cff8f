"""A JSON document's array read item by item as a stream with ijson (a HAR's entries, a newman report's
executions): compressed, remote, or too irregular to cut into byte ranges."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import IO, Any

import ijson

from ..sources.compression import decompression_errors, open_stream, where_broken
from .items import Unreadable


def streamed_array(
    name: str,
    raw: IO[bytes],
    compression: str | None,
    prefix: str,
    locate: Callable[[str, int], str],
    kind: tuple[str, str],
    skip: int = 0,
    limit: int = 0,
) -> Iterator[tuple[str, Any] | Unreadable]:
    """(location, item) for every item of the array at the ijson `prefix` of the document read from `raw`
    (decompressed as it is read), from item `skip` on; an unreadable item where the text or the compressed stream
    breaks. `locate(name, index)` is an item's location; `kind` names the document and how it was read, for messages."""
    index = -1
    broken = decompression_errors() if compression else ()
    most = max(STREAMED_STRING_BYTES, 2 * limit)
    guarded = _Guard(open_stream(raw, compression), most)
    label, _ = kind
    try:
        for index, item in enumerate(ijson.items(guarded, prefix, use_float=True)):
            if index >= skip:
                yield locate(name, index), item
    except (ijson.JSONError, ValueError, UnicodeDecodeError) as exc:
        yield Unreadable(locate(name, index + 1), f"{label} is malformed or truncated here: {parse_error(exc)}")
    except broken as exc:
        assert compression is not None
        yield Unreadable(locate(name, index + 1), where_broken(raw, compression, exc))


# The streaming parser (yajl) reads a string again from its start at every buffer it is given: its cost grows with
# the square of the string's length. Where no string can have ended for this many bytes (or twice --max-body-bytes,
# when that is more), the rest of the string is read without being given to the parser.
STREAMED_STRING_BYTES = 32 << 20


_SMALL_READ = 1 << 16


_LONG_READ = 4 << 20


# The end of a string's content from a point outside any escape: every character but a quote or a backslash, and
# every escape; what follows the match is the closing quote, or the end of the text read so far.
_CONTENT = re.compile(rb'(?:[^"\\]++|\\.)*+', re.S)
_NO_ESCAPE = re.compile(rb"[^\\]{6}")  # six bytes without a backslash: no escape (\uXXXX at most) is open after them


class _Guard:
    """A stream for the parser that cuts every string longer than `most` bytes: the parser gets its first part,
    which is over the body limit in every reading already (text or base64), and the string's closing quote; the
    rest is read here, a block at a time, and not kept. So a string of any length costs bounded memory and time, and
    the items after it are read as if it had been short.

    Where a string may have run that far is told cheaply, by the quotes that are not escaped (`_since`); the cut is
    made exactly, after six bytes without a backslash (outside any escape), and the string's end found exactly."""

    def __init__(self, stream: Any, most: int) -> None:
        self._stream, self._most = stream, most
        self._since = 0  # bytes since the last quote that may end a string
        self._last = b""
        self._error: BaseException | None = None
        self._skipping = False  # inside a string that was cut: its content is being read past
        self._escaped = False  # (skipping) the last byte read was a backslash that escapes the next one

    def _read(self, size: int) -> bytes:
        """Up to `size` bytes, read in small pieces: where the stream breaks, what came before is given first, and
        the error is raised at the next read (so the entries before the break are judged)."""
        if self._error is not None:
            raise self._error
        pieces: list[bytes] = []
        wanted = size if size >= 0 else 1 << 62
        while wanted > 0:
            try:
                piece: bytes = self._stream.read(min(_SMALL_READ, wanted))
            except Exception as exc:  # any decompressor's error, or the file's
                if not pieces:
                    raise
                self._error = exc
                break
            if not piece:
                break
            pieces.append(piece)
            wanted -= len(piece)
        return b"".join(pieces)

    def read(self, size: int = -1) -> bytes:
        if self._skipping:
            return self._past_the_string(b"")
        # Inside what may be a long string, larger pieces: the parser reads the string again at each one.
        piece = self._read(max(size, _LONG_READ) if self._since > _LONG_READ else size)
        if self._since + len(piece) > self._most:
            clean = _NO_ESCAPE.search(piece, max(0, self._most - self._since - 6))
            if clean is not None:  # cut here: the parser has the string's first part; the rest is read past
                self._skipping, self._escaped = True, False
                return piece[: clean.end()] + self._past_the_string(piece[clean.end() :])
        self._count(piece)
        return piece

    def _count(self, piece: bytes) -> None:
        quotes = piece.count(b'"')
        # (A quote escaped by the last byte of the piece before is escaped too.)
        escaped = piece.count(b'\\"') + (self._last == b"\\" and piece[:1] == b'"')
        if quotes != escaped:
            self._since = len(piece) - piece.rfind(b'"') - 1
        else:
            self._since += len(piece)
        self._last = piece[-1:] or self._last

    def _past_the_string(self, data: bytes) -> bytes:
        """The closing quote of the string being cut and what follows it, once read; its content is dropped. At the
        end of the stream, nothing (the parser then says where the text ends)."""
        while True:
            start = 0
            if self._escaped and data:
                self._escaped, start = False, 1
            end = _CONTENT.match(data, start).end()  # type: ignore[union-attr]  # (it matches the empty text)
            if end < len(data) and data[end : end + 1] == b'"':
                self._skipping = False
                rest = data[end:]
                self._since, self._last = 0, b'"'
                self._count(rest[1:])
                return rest
            self._escaped = end < len(data)  # it stopped at a backslash that ends the data: it escapes what comes
            data = self._read(_LONG_READ)
            if not data:
                return b""


def parse_error(exc: Exception) -> str:
    """The first line of a parser's message: ijson's goes on with a picture of where it stopped."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def document_shape_problem(handle: Any, top: str, array: str, kind: str) -> str | None:
    """Why a document is not a `kind` (no top-level object whose `top` object holds an `array` array), or None.
    Reads only up to that array; a broken compressed stream surfaces later, where its items are read."""
    return document_head(handle, top, array, kind)[0]


def document_head(
    handle: Any, top: str, array: str, kind: str, noted: tuple[str, ...] = ()
) -> tuple[str | None, dict[str, Any]]:
    """document_shape_problem(), and the string values at the ijson prefixes `noted` met before the array."""
    seen_top = False
    found: dict[str, Any] = {}
    try:
        for prefix, event, value in ijson.parse(handle):
            if prefix == "" and event == "start_map":
                continue
            if prefix == "" and event == "map_key":
                seen_top = seen_top or value == top
            elif prefix == f"{top}.{array}" and event == "start_array":
                return None, found
            elif prefix == "" and event != "end_map":
                return f"not a {kind}: the top level is not an object", found
            elif event == "string" and prefix in noted:
                found[prefix] = value
    except (ijson.JSONError, ValueError, UnicodeDecodeError) as exc:
        return f"not a {kind}: not JSON ({parse_error(exc)})", found
    except decompression_errors():
        return None, found
    problem = f"not a {kind}: no {top}.{array} array" if seen_top else f"not a {kind}: no top-level '{top}' object"
    return problem, found
