"""HAR entries as exchanges, and a HAR read as a stream (compressed, remote, or not cut into ranges) with ijson."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import ijson

from ..findings import har_location
from ..sources.compression import decompression_errors, open_stream, where_broken
from .bodies import recorded_body, string_or_none
from .items import (
    Exchange,
    HarEntry,
    Single,
    Skipped,
    Unreadable,
)


def har_entries(name: str, raw: IO[bytes], compression: str | None, skip: int = 0, limit: int = 0) -> Iterator[Single]:
    """The entries of a HAR read from `raw` (decompressed as it is read), from entry `skip` on, with ijson: an
    unreadable item where the text or the compressed stream breaks."""
    index = -1
    broken = decompression_errors() if compression else ()
    most = max(STREAMED_STRING_BYTES, 2 * limit)
    guarded = _Guard(open_stream(raw, compression), most)
    try:
        for index, entry in enumerate(ijson.items(guarded, "log.entries.item", use_float=True)):
            if index >= skip:
                yield HarEntry(har_location(name, index), entry)
    except _TooLong:
        yield Unreadable(har_location(name, index + 1), _TOO_LONG.format(most >> 20), rule="limit.body-bytes")
    except (ijson.JSONError, ValueError, UnicodeDecodeError) as exc:
        yield Unreadable(har_location(name, index + 1), f"HAR is malformed or truncated here: {parse_error(exc)}")
    except broken as exc:
        assert compression is not None
        yield Unreadable(har_location(name, index + 1), where_broken(raw, compression, exc))


# The streaming parser (yajl) reads a string again from its start at every buffer it is given: its cost grows with
# the square of the string's length. A streamed HAR stops where no string can have ended for this many bytes (or
# twice --max-body-bytes, when that is more).
STREAMED_STRING_BYTES = 32 << 20


_TOO_LONG = (
    "a string of more than {} MiB: a HAR read as a stream (compressed, remote, or not cut into ranges) is not read "
    "past it; decompress it to have it read in ranges"
)


_SMALL_READ = 1 << 16


_LONG_READ = 4 << 20


class _TooLong(Exception):
    """A streamed HAR holds a string longer than STREAMED_STRING_BYTES."""


class _Guard:
    """A stream that stops (raises _TooLong) where no JSON string can have ended for `most` bytes: no quote in that
    many bytes but escaped ones (a long text or base64 body, as a string's content is)."""

    def __init__(self, stream: Any, most: int) -> None:
        self._stream, self._most = stream, most
        self._since = 0  # bytes since the last quote that may end a string
        self._last = b""
        self._error: BaseException | None = None

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
        # Inside what may be a long string, larger pieces: the parser reads the string again at each one.
        piece = self._read(max(size, _LONG_READ) if self._since > _LONG_READ else size)
        quotes = piece.count(b'"')
        # (A quote escaped by the last byte of the piece before is escaped too.)
        escaped = piece.count(b'\\"') + (self._last == b"\\" and piece[:1] == b'"')
        if quotes != escaped:
            self._since = len(piece) - piece.rfind(b'"') - 1
        else:
            self._since += len(piece)
        self._last = piece[-1:] or self._last
        if self._since > self._most:
            raise _TooLong
        return piece


def parse_error(exc: Exception) -> str:
    """The first line of a parser's message: ijson's goes on with a picture of where it stopped."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def har_shape_problem(path: Path) -> str | None:
    """Why a file is not a HAR (no top-level object with log.entries), or None. Reads only up to log.entries."""
    with path.open("rb") as handle:
        return har_shape_problem_of(handle)


def har_shape_problem_of(handle: IO[bytes] | io.BufferedIOBase) -> str | None:
    """The same, of a stream (a broken compressed stream surfaces later, where its entries are read)."""
    seen_log = False
    try:
        for prefix, event, value in ijson.parse(handle):
            if prefix == "" and event == "start_map":
                continue
            if prefix == "" and event == "map_key":
                seen_log = seen_log or value == "log"
            elif prefix == "log.entries" and event == "start_array":
                return None
            elif prefix == "" and event != "end_map":
                return "not a HAR file: the top level is not an object"
    except (ijson.JSONError, ValueError, UnicodeDecodeError) as exc:
        return f"not a HAR file: not JSON ({parse_error(exc)})"
    except decompression_errors():
        return None
    return "not a HAR file: no log.entries array" if seen_log else "not a HAR file: no top-level 'log' object"


def har_entry(
    location: str,
    entry: Any,
    route: Callable[[str | None, str | None], Any] | None = None,
    limit: int = 1 << 62,
) -> Single:
    """An exchange from one HAR entry (request method and URL, response status, headers, content). `route` says,
    from the request's method and URL, what the entry is for: a string is why it is skipped, before its headers and
    body are decoded; anything else is kept on the exchange (`routed`), so the judge routes it once. A body over
    `limit` bytes (--max-body-bytes) is not built: it is OVERSIZED."""
    if not isinstance(entry, dict) or not isinstance(entry.get("response"), dict):
        return Unreadable(location, "entry has no response object")
    request: dict[str, Any] = entry["request"] if isinstance(entry.get("request"), dict) else {}
    response = entry["response"]
    status = response.get("status")
    if not isinstance(status, int) or isinstance(status, bool):
        return Unreadable(location, "response.status is not a number")
    if status == 0:
        return Skipped(location, "no response recorded (status 0)")
    method, url = string_or_none(request.get("method")), string_or_none(request.get("url"))
    routed = route(method, url) if route else None
    if isinstance(routed, str):
        return Skipped(location, routed)
    listed = response.get("headers")
    found: dict[str, str] = {}
    for header in listed if isinstance(listed, list) else []:
        if isinstance(header, dict) and isinstance(header.get("name"), str):
            name = header["name"].lower()
            value = str(header.get("value", ""))
            found[name] = f"{found[name]}, {value}" if name in found else value
    headers = found if isinstance(listed, list) else None  # headers of another type: none recorded
    content = response.get("content") if isinstance(response.get("content"), dict) else {}
    content_type = found.get("content-type") or content.get("mimeType") or None
    text = string_or_none(content.get("text"))
    body, body_error = recorded_body(text, content.get("encoding") == "base64", "response.content.text", limit)
    return Exchange(
        location,
        status,
        string_or_none(content_type),
        headers,
        body,
        method=method,
        url=url,
        body_error=body_error,
        credentials=(request.get("headers"), response.get("headers"), request.get("cookies")),
        routed=routed,
    )
