"""Turn what a user hands over (body files, folders, JSONL logs, HAR captures) into a stream of items.

Readers never hold a whole capture: JSONL goes out as byte ranges of about a megabyte (read where they are judged)
and HAR an entry at a time, so memory stays flat however large the file is. Every item gets a location: `file`, `file:LINE` (JSONL), `file#/log/entries/N` (HAR).
"""

from __future__ import annotations

import base64
import contextlib
import io
import re
from collections.abc import Callable, Iterator
from itertools import chain
from pathlib import Path
from typing import IO, Any

import ijson

from ..redact import is_secret_name
from ..sources.files import (
    BLOCK,
    SourceError,
    decompression_errors,
    is_url,
    list_url,
    open_raw,
    open_stream,
    scrub,
    split_name,
    where_broken,
)
from ..sources.lines import Lines, skip_line
from . import har_ranges as har
from .items import (
    NOT_PARSED,
    OVERSIZED,
    CaptureFile,
    Exchange,
    HarChunk,
    HarEntry,
    Item,
    JsonlChunk,
    Single,
    Skipped,
    Unreadable,
    har_location,
)

JSONL_SUFFIXES = {".jsonl", ".ndjson"}
HAR_SUFFIXES = {".har"}
BODY_SUFFIXES = {".json"}
JSONL_CHUNK_BYTES = 1 << 20  # a JSONL range judged locally
CLUSTER_CHUNK_BYTES = 1 << 24  # on a cluster: fewer, larger tasks, as a task costs the scheduler time
_HAR_START = re.compile(rb'^\s*\{\s*"log"\s*:')


def _kind(suffix: str) -> str | None:
    """The kind of capture a name's suffix says (after any compression suffix), or None."""
    if suffix in JSONL_SUFFIXES:
        return "JSONL"
    if suffix in HAR_SUFFIXES:
        return "HAR"
    return "body" if suffix in BODY_SUFFIXES else None


def _not_a_capture(suffix: str, compression: str | None) -> str:
    """Why a file found in a folder or under a prefix is skipped."""
    return f"not a capture file ({suffix or 'no extension'}{' compressed' if compression else ''})"


class InputError(Exception):
    """An input path that cannot be used at all: the command stops with exit code 2."""


class Reader:
    """Reads inputs into items, with the defaults for bare bodies."""

    def __init__(
        self,
        *,
        status: int = 200,
        content_type: str = "application/json",
        max_body_size: int,
        storage: dict[str, Any] | None = None,
        whole_files: bool = False,
        chunk_bytes: int = JSONL_CHUNK_BYTES,
    ) -> None:
        self.chunk_bytes = chunk_bytes  # the size of a JSONL byte range
        # Read no capture bytes here: body files and HAR files without ranges become whole-file units, which
        # whoever judges them reads (a cluster's workers: paths and URLs travel, not bytes).
        self.whole_files = whole_files
        self.storage = storage or {}  # fsspec storage options for URLs: may hold secrets, never shown
        self._listed: dict[str, list[tuple[str, int]]] = {}  # the files under each URL, listed once
        self.status = status
        self.content_type = content_type
        self.max_body_size = max_body_size
        self.bytes_read = 0  # for progress display
        self.files: dict[str, str] = {}  # every capture file read, and its kind: to explain a run that judged nothing

    def check_paths(self, paths: list[Path | str]) -> None:
        """Fail early, before any output, on a path that does not exist or cannot be opened, or a URL that cannot
        be listed."""
        for given in paths:
            if is_url(str(given)):
                try:
                    self._listed[str(given)] = list_url(str(given), self.storage)
                except SourceError as exc:
                    raise InputError(str(exc)) from exc
                continue
            path = Path(given)
            if not path.exists():
                raise InputError(f"{path}: no such file or folder")
            if path.is_file():
                try:
                    with path.open("rb"):
                        pass
                except OSError as exc:
                    raise InputError(f"{path}: cannot be opened ({exc.strerror})") from exc

    def remote_bytes(self) -> int:
        """The size of every file under the URLs checked."""
        return sum(size for files in self._listed.values() for _, size in files)

    def items(self, paths: list[Path | str]) -> Iterator[Item]:
        """Every item of every path, folders walked recursively in name order."""
        for given in paths:
            if is_url(str(given)):
                yield from self.url_items(str(given))
                continue
            path = Path(given)
            if path.is_dir():
                for child in sorted(p for p in path.rglob("*") if p.is_file()):
                    suffix, compression = split_name(child.name)
                    if _kind(suffix) is not None:
                        yield from self.file_items(child)
                    else:
                        yield Skipped(str(child), _not_a_capture(suffix, compression))
            else:
                yield from self.file_items(path)

    def file_items(self, path: Path) -> Iterator[Item]:
        """The items of one file, by its kind: HAR, JSONL, or a single body.

        A JSONL file with no lines holds no item. A body file or a HAR that is empty (nothing but white space) holds
        no JSON document: it is one unreadable item, whatever its name. A compressed file (by its last suffix) is
        one unit of work, its kind said by the suffix before: it is decompressed where it is judged."""
        suffix, compression = split_name(path.name)
        if compression is not None:
            kind = _kind(suffix) or "body"
            self.files[str(path)] = kind
            try:
                self.bytes_read += path.stat().st_size
            except OSError as exc:
                yield Unreadable(str(path), f"cannot be read: {exc.strerror or exc}")
                return
            yield CaptureFile(str(path), kind, compression)
            return
        try:
            if suffix in JSONL_SUFFIXES:
                self.files[str(path)] = "JSONL"
                yield from self.jsonl_items(path)
                return
            if suffix in HAR_SUFFIXES or self._looks_like_har(str(path)):
                self.files[str(path)] = "HAR"
                if _is_blank(path):
                    yield Unreadable(str(path), _EMPTY.format(kind="HAR"))
                else:
                    yield from self.har_items(path)
            else:
                self.files[str(path)] = "body"
                yield CaptureFile(str(path), "body", None) if self.whole_files else self.body_item(path)
        except OSError as exc:
            yield Unreadable(str(path), f"cannot be read: {exc.strerror or exc}")

    def url_items(self, url: str) -> Iterator[Item]:
        """The files under a URL, each one unit of work read by whoever judges it: captures by their names, and a
        file named alone taken as a body (or a HAR, as its first bytes say)."""
        files = self._listed.get(url)
        if files is None:
            files = self._listed[url] = list_url(url, self.storage)
        for name, size in files:
            suffix, compression = split_name(name)
            kind = _kind(suffix)
            if kind is None and name != url:
                yield Skipped(name, _not_a_capture(suffix, compression))
                continue
            if kind is None:  # a file named alone: a body, or a HAR as its first bytes say
                kind = "body"
                # Unreadable: judged as a body, and its reading says why.
                with contextlib.suppress(Exception):
                    kind = "HAR" if compression is None and self._looks_like_har(name) else "body"
            self.files[name] = kind
            self.bytes_read += size
            yield CaptureFile(name, kind, compression, self.storage)

    def body_item(self, path: Path) -> Exchange | Unreadable:
        """A file holding one response body, taken with the default status and media type."""
        with path.open("rb") as handle:
            # Reading one byte past the limit is enough to know the body is too large, without loading it.
            body = handle.read(self.max_body_size + 1)
        self.bytes_read += len(body)
        if not body.strip():
            return Unreadable(str(path), _EMPTY.format(kind="body"))
        return Exchange(str(path), self.status, self.content_type, None, body)

    def jsonl_items(self, path: Path) -> Iterator[Item]:
        """Byte ranges of about `chunk_bytes` (a megabyte) of whole lines. Only the boundaries are found here (a seek and one line
        read per chunk): whoever judges a chunk reads and parses it, and the runner numbers its lines."""
        size = path.stat().st_size
        with path.open("rb") as handle:
            start = 0
            while start < size:
                handle.seek(start + self.chunk_bytes)
                # Finish the last line, in pieces: a line of a gigabyte is never held whole.
                end = min(start + self.chunk_bytes + skip_line(handle.read, 1 << 16), size)
                self.bytes_read += end - start
                yield JsonlChunk(str(path), None, start, end)
                start = end

    def _looks_like_har(self, name: str) -> bool:
        """Whether a file of another name starts as a HAR does (`{"log":`)."""
        with open_raw(name, self.storage) as handle:
            return bool(_HAR_START.match(handle.read(4096)))

    def har_items(self, path: Path) -> Iterator[Item]:
        """The entries of a HAR 1.2 file: byte ranges for the judging processes to parse where the layout allows
        (see har.py), else one item per entry, streamed; a file that is no HAR is one unreadable item."""
        problem = _har_shape_problem(path)
        if problem:
            yield Unreadable(str(path), problem)
            return
        found = har.layout(path)
        if found is None:
            if self.whole_files:
                self.bytes_read += path.stat().st_size
                yield CaptureFile(str(path), "HAR", None)
            else:
                yield from self.har_stream(path)
            return
        cuts = har.ranges(path, found)
        ahead = next(cuts)
        first = True
        for following in chain(cuts, [None]):
            start, end = ahead
            self.bytes_read += end - start
            yield HarChunk(str(path), start, end, first=first, last=following is None)
            if following is None:
                return
            ahead, first = following, False

    def har_stream(self, path: Path, skip: int = 0) -> Iterator[Single]:
        """One item per entry, streamed with ijson, from entry `skip` on: an unreadable item where the file breaks."""
        with path.open("rb") as handle:
            for item in har_entries(str(path), handle, None, skip, self.max_body_size):
                self.bytes_read = max(self.bytes_read, handle.tell())
                yield item


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
        yield Unreadable(har_location(name, index + 1), f"HAR is malformed or truncated here: {_parse_error(exc)}")
    except broken as exc:
        assert compression is not None
        yield Unreadable(har_location(name, index + 1), where_broken(raw, compression, exc))


class Broken(Exception):
    """A compressed stream that breaks while it is read; the message says where and why."""


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


def line_blocks(
    path: str, compression: str | None, options: dict[str, Any] | None = None, limit: int = 1 << 62
) -> Iterator[list[bytes]]:
    """The lines of a JSONL file (ends kept), a list per block of about a megabyte, decompressed as they are read;
    a line over `limit` bytes is kept only as far as the limit (a LongLine). Raises Broken where the stream breaks,
    once every whole line before the break has been given."""
    broken = decompression_errors() if compression else ()
    with open_raw(path, options) as raw:
        stream = open_stream(raw, compression)
        splitter = Lines(limit)
        pieces: list[bytes] = []
        size = 0
        while True:
            error = None
            try:
                piece = stream.read1(BLOCK)  # what one read of the file gives: nothing decompressed is lost
            except broken as exc:
                piece, error = b"", exc
            pieces.append(piece)
            size += len(piece)
            if size >= BLOCK or not piece:
                lines = splitter.feed_pieces(pieces)
                pieces, size = [], 0
                if not piece and error is None:
                    lines += splitter.feed(b"")  # the last line, which may end without a line break
                if lines:
                    yield lines
            if error is not None:
                assert compression is not None
                raise Broken(where_broken(raw, compression, error)) from error
            if not piece:
                return


def capture_file_items(unit: CaptureFile, status: int, content_type: str, max_body_size: int) -> Iterator[Single]:
    """The items of a compressed HAR or body file, read where it is judged (JSONL goes by line_blocks)."""
    name, compression = unit.path, unit.compression
    try:
        with open_raw(name, unit.options) as raw:
            head, problem = _head(raw, compression)
        if problem:
            yield Unreadable(name, problem)
            return
        if not head.strip() and unit.kind in ("HAR", "body"):
            yield Unreadable(name, _EMPTY.format(kind=unit.kind))
            return
        if unit.kind == "body":
            with open_raw(name, unit.options) as raw:
                body = open_stream(raw, compression).read(max_body_size + 1)
            yield Exchange(name, status, content_type, None, body)
            return
        with open_raw(name, unit.options) as raw:
            shape = _har_shape_problem_of(open_stream(raw, compression))
        if shape:
            yield Unreadable(name, shape)
            return
        with open_raw(name, unit.options) as raw:
            yield from har_entries(name, raw, compression, limit=max_body_size)
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
_EMPTY = "empty file (a {kind} file must hold a JSON document)"


def _is_blank(path: Path) -> bool:
    """Whether a file holds nothing but white space (read only when small: a large file is not blank in practice,
    and its parser then says so)."""
    size = path.stat().st_size
    if size > _BLANK_LIMIT:
        return False
    with path.open("rb") as handle:
        return not handle.read().strip()


def _parse_error(exc: Exception) -> str:
    """The first line of a parser's message: ijson's goes on with a picture of where it stopped."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _har_shape_problem(path: Path) -> str | None:
    """Why a file is not a HAR (no top-level object with log.entries), or None. Reads only up to log.entries."""
    with path.open("rb") as handle:
        return _har_shape_problem_of(handle)


def _har_shape_problem_of(handle: IO[bytes] | io.BufferedIOBase) -> str | None:
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
        return f"not a HAR file: not JSON ({_parse_error(exc)})"
    except decompression_errors():
        return None
    return "not a HAR file: no log.entries array" if seen_log else "not a HAR file: no top-level 'log' object"


def credentials(*groups: Any) -> tuple[str, ...]:
    """The values of credential-named headers and cookies in HAR name/value lists or record header objects."""
    found: list[str] = []
    for group in groups:
        if isinstance(group, dict):
            pairs: Any = group.items()
        elif isinstance(group, list):  # anything else a capture may hold there has no credentials to find
            pairs = ((item.get("name"), item.get("value")) for item in group if isinstance(item, dict))
        else:
            continue
        for name, value in pairs:
            if isinstance(name, str) and isinstance(value, str) and is_secret_name(name) and len(value) >= 6:
                found.append(value)
                # A signed Authorization header: its parts are credentials of their own.
                found += [part.split("=", 1)[1] for part in re.split(r"[ ,]+", value) if "=" in part]
    return tuple(sorted({value for value in found if len(value) >= 6}, key=len, reverse=True))


def har_entry(
    location: str,
    entry: Any,
    skip: Callable[[str | None, str | None], str | None] | None = None,
    limit: int = 1 << 62,
) -> Single:
    """An exchange from one HAR entry (request method and URL, response status, headers, content). `skip` says, from
    the request's method and URL, why an entry is not the operation: such an entry is skipped before its headers and
    body are decoded. A body over `limit` bytes (--max-body-bytes) is not built: it is OVERSIZED."""
    if not isinstance(entry, dict) or not isinstance(entry.get("response"), dict):
        return Unreadable(location, "entry has no response object")
    request: dict[str, Any] = entry["request"] if isinstance(entry.get("request"), dict) else {}
    response = entry["response"]
    status = response.get("status")
    if not isinstance(status, int) or isinstance(status, bool):
        return Unreadable(location, "response.status is not a number")
    if status == 0:
        return Skipped(location, "no response recorded (status 0)")
    method, url = _text(request.get("method")), _text(request.get("url"))
    reason = skip(method, url) if skip else None
    if reason:
        return Skipped(location, reason)
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
    text = _text(content.get("text"))
    body, body_error = _body(text, content.get("encoding") == "base64", "response.content.text", limit)
    return Exchange(
        location,
        status,
        _text(content_type),
        headers,
        body,
        method=method,
        url=url,
        body_error=body_error,
        credentials=(request.get("headers"), response.get("headers"), request.get("cookies")),
    )


_NOT_BASE64 = "is not valid base64 (RFC 4648, padded)"


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _body(
    text: str | None, base64_encoded: bool, where: str, oversized_after: int = 1 << 62
) -> tuple[bytes | None, str | None]:
    """A recorded body as bytes, or why it cannot be recovered. No text: the body was not recorded. A body longer
    than `oversized_after` bytes is not built (OVERSIZED): its text alone says it is over."""
    if text is None:
        return None, None
    if text.startswith(har.OVER_LIMIT):  # a body its range reader did not build: over the limit in every reading
        return (None, f"{where} {_NOT_BASE64}") if base64_encoded and text.endswith("0") else (OVERSIZED, None)
    # RFC 4648 base64, padded: as the range reader tells it (har.is_base64), so both say the same.
    if base64_encoded and not har.is_base64(text):
        return None, f"{where} {_NOT_BASE64}"
    # At least a byte a character as UTF-8; base64 of n characters is 3n/4 bytes, less its padding.
    size = len(text) // 4 * 3 - text[-2:].count("=") if base64_encoded else len(text)
    if size > oversized_after:
        return OVERSIZED, None
    if not base64_encoded:
        return text.encode("utf-8", "surrogatepass"), None
    return base64.b64decode(text), None


# Keys that make a JSONL line an exchange record, beside an integer status: a recorded body, or a headers object.
RECORD_BODY_KEYS = frozenset({"body", "body_text", "body_base64"})
RECORD_MARKERS = RECORD_BODY_KEYS | {"headers"}


def is_exchange_record(value: Any) -> bool:
    """Whether a decoded JSONL line is an exchange record rather than a bare response body: an object with an
    integer `status` and a recorded body (`body`, `body_text`, `body_base64`) or a `headers` object. A task body
    carries none of these keys, so one whose own `status` holds an integer stays a body (and a type error)."""
    if type(value) is not dict or type(value.get("status")) is not int:
        return False
    return not RECORD_BODY_KEYS.isdisjoint(value) or isinstance(value.get("headers"), dict)


def exchange_record(location: str, record: dict[str, Any], default_content_type: str) -> Single:
    """An exchange from a JSONL record: keys status, body | body_text | body_base64, and optional method, url,
    headers, content_type (default: the Content-Type header, else `default_content_type`)."""
    headers = None
    if isinstance(record.get("headers"), dict):
        headers = {str(k).lower(): str(v) for k, v in record["headers"].items()}
    content_type = _text(record.get("content_type")) or (headers or {}).get("content-type") or default_content_type
    parsed: Any = NOT_PARSED
    body: bytes | None
    body_error: str | None
    if "body" in record:
        parsed, body, body_error = record["body"], b"", None
    elif "body_text" in record:
        body, body_error = _body(_text(record["body_text"]), False, "body_text")
    else:
        body, body_error = _body(_text(record.get("body_base64")), True, "body_base64")
    return Exchange(
        location,
        record["status"],
        content_type,
        headers,
        body,
        method=_text(record.get("method")),
        url=_text(record.get("url")),
        parsed=parsed,
        body_error=body_error,
        credentials=(record.get("headers"), record.get("request_headers")),
    )
