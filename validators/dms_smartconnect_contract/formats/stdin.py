"""Standard input as a capture (`validate -`): what it holds told by its first bytes, as a file's kind is told by
its name, and read as it comes, never spooled.

Compression is told by its magic number (gzip, zstd, bzip2, xz). After it, a HAR or a newman report by how its
document starts; JSONL when its first line is a JSON document of its own (or is longer than the look-ahead);
else one body, such as pretty-printed JSON. JSONL lines are judged a block at a time as they arrive, so
`kubectl logs -f ... | smartconnect-contract validate --format jsonl -` reports each block as it is read.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import IO, Any

import orjson

from ..findings import STDIN_LOCATION
from ..sources.compression import open_stream
from ..sources.lines import Broken, stream_line_blocks
from .files import EMPTY_FILE, document_kind
from .har import har_entries
from .items import Exchange, Item, JsonlChunk, Unreadable
from .newman import newman_items

STDIN = "-"  # how standard input is named on the command line
_MAGIC = {b"\x1f\x8b": "gzip", b"\x28\xb5\x2f\xfd": "zstd", b"BZh": "bz2", b"\xfd7zXZ\x00": "xz"}
_LOOK_AHEAD = 1 << 16  # raw bytes read before anything is judged, to tell the kind
_BLOCK = 1 << 16  # JSONL: at most this much is read before the lines read are judged


class _Replayed(io.RawIOBase):
    """A stream that gives `head` again, then the rest of `rest`: what was read to tell the kind is not lost."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head, self._rest = memoryview(head), rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        read1 = getattr(self._rest, "read1", self._rest.read)
        piece = read1(len(buffer))
        buffer[: len(piece)] = piece
        return len(piece)


def _read_ahead(raw: IO[bytes]) -> bytes:
    """The first bytes, enough to tell the kind: up to a first line that is a JSON document of its own (JSONL,
    whose lines are then judged as they come), else up to the look-ahead, or the end of the stream. A pipe gives
    what its writer has written so far, so a slow writer's first line is not held back for the look-ahead."""
    pieces: list[bytes] = []
    size = 0
    read1 = getattr(raw, "read1", raw.read)
    while size < _LOOK_AHEAD:
        piece = read1(_LOOK_AHEAD - size)
        if not piece:
            break
        pieces.append(piece)
        size += len(piece)
        head = b"".join(pieces)
        if not head.startswith(tuple(_MAGIC)) and _first_line(head) not in (_UNENDED, _NOT_JSON):
            return head
    return b"".join(pieces)


_UNENDED, _NOT_JSON = object(), object()


def _first_line(start: bytes) -> Any:
    """The first line that is not blank, as the JSON value it is; _NOT_JSON when it is none, _UNENDED while it has
    not ended."""
    first, newline, _ = start.lstrip().partition(b"\n")
    if not newline:
        return _UNENDED
    try:
        return orjson.loads(first)
    except orjson.JSONDecodeError:
        return _NOT_JSON


def stdin_kind(head: bytes, compression: str | None) -> str:
    """What standard input holds, from its first bytes (decompressed where it is compressed): a HAR, a newman
    report or an OpenAPI document as files.document_kind tells them; else JSONL, unless its first line is no JSON
    document of its own (one body over several lines, such as pretty-printed JSON). One line, or a first line longer
    than the look-ahead, is JSONL: a bare body line either way."""
    try:
        start = open_stream(io.BytesIO(head), compression).read(_LOOK_AHEAD) if compression else head
    except Exception:  # a stream broken this early is read as JSONL, and its reading says where it breaks
        return "JSONL"
    kind = document_kind(start)
    if kind != "body":
        return kind
    return "body" if _first_line(start) is _NOT_JSON else "JSONL"


class StdinCapture:
    """Standard input (`raw`) as one capture: its first bytes read at once, to tell its compression and `kind`,
    then its items read as they come."""

    def __init__(self, raw: IO[bytes]) -> None:
        head = _read_ahead(raw)
        self.compression = next((name for magic, name in _MAGIC.items() if head.startswith(magic)), None)
        self.kind = stdin_kind(head, self.compression)
        self._stream: IO[bytes] = io.BufferedReader(_Replayed(head, raw))

    def items(self, status: int, content_type: str, max_body_size: int) -> Iterator[Item]:
        stream, compression = self._stream, self.compression
        if self.kind == "HAR":
            yield from har_entries(STDIN_LOCATION, stream, compression, 0, max_body_size)
        elif self.kind == "newman":
            yield from newman_items(STDIN_LOCATION, stream, compression, max_body_size)
        elif self.kind == "body":
            body = open_stream(stream, compression).read(max_body_size + 1)
            if not body.strip():
                yield Unreadable(STDIN_LOCATION, EMPTY_FILE.format(kind="body"))
            else:
                yield Exchange(STDIN_LOCATION, status, content_type, None, body, bare=True)
        else:
            yield from _jsonl(stream, compression, max_body_size)


def _jsonl(raw: IO[bytes], compression: str | None, max_body_size: int) -> Iterator[Item]:
    """JSONL lines as they arrive, a chunk per read: a line over the limit kept only as far as the limit. Each chunk
    is numbered from 1 where it is judged, and placed after the lines before it, as a range of a file is: its
    `start` is where it begins in the text read."""
    read = counted = 0
    blocks = stream_line_blocks(raw, compression, max_body_size + 2, _BLOCK, eager=True)  # room for CR LF
    while True:
        try:
            lines = next(blocks, None)
        except Broken as exc:
            yield Unreadable(f"{STDIN_LOCATION}:{counted + 1}", str(exc))
            return
        if lines is None:
            return
        size = sum(getattr(line, "size", len(line)) for line in lines)
        yield JsonlChunk(STDIN_LOCATION, lines, read, read + size)
        read, counted = read + size, counted + len(lines)
