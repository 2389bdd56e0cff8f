"""The items readers produce: exchanges to judge, raw JSONL lines, and entries skipped or unreadable."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..sources.lines import range_lines


class _NotParsed:
    """Marks an exchange whose body the reader has not decoded (None is a valid decoded body)."""

    def __repr__(self) -> str:
        return "NOT_PARSED"

    def __reduce__(self) -> str:
        # Pickled by name, so the marker stays one object across worker processes.
        return "NOT_PARSED"


NOT_PARSED: Any = _NotParsed()


class Oversized(bytes):
    """A body over the size limit that its reader did not build (see har.py): only that it is over is known."""


OVERSIZED = Oversized()


@dataclass(slots=True)
class Exchange:
    """One recorded response (and the request line it answered), ready to be checked."""

    location: str
    status: int
    content_type: str | None
    headers: dict[str, str] | None  # lower-cased names; None when the capture records no headers
    body: bytes | None  # None when the capture holds no body
    method: str | None = None  # None when the capture does not say (bare bodies)
    url: str | None = None
    parsed: Any = NOT_PARSED  # the body already decoded by the reader
    body_error: str | None = None  # why the recorded body could not be recovered (bad base64, ...)
    # Where the capture's own credentials for this exchange are (header and cookie lists), read only when a finding
    # could repeat one of them: masked wherever they recur.
    credentials: tuple[Any, ...] = ()
    routed: Any = None  # what the judge's router made of the request, when a reader asked it already
    # The request's headers, lower-cased names (None when the capture records none): whether it carried credentials.
    request_headers: dict[str, str] | None = None
    # The request headers the capture's exporter leaves out (lower-cased): their absence says nothing.
    withheld_headers: frozenset[str] = frozenset()
    # Taken for a body with nothing in the capture to say so (a body file, a bare line): an object that documents
    # none of the operation's fields is then no body at all (see check/operation.py).
    bare: bool = False


@dataclass(slots=True)
class JsonlLine:
    """One non-blank line of a JSONL file, parsed by the worker that judges it."""

    location: str
    raw: bytes


@dataclass(slots=True)
class JsonlChunk:
    """Consecutive raw lines of a JSONL file (blank ones included, so numbering stays exact), judged as one unit:
    most lines of a capture conform, and handling them in bulk keeps the per-line cost near the parse itself.

    Either the lines themselves, or (lines None) the byte range [start, end) of the file holding them: a worker
    process reads its range from the file instead of receiving the bytes through a pipe. Lines are numbered from
    `before` + 1 when the lines before the chunk are known: where it is made, or where it is judged, from the range
    before it in the run's chain of ranges (`link`, see run/chain.py), so that its items are written as they stay;
    else from 1 within the chunk, and the runner renumbers them once it has counted those before (Tally.renumber).
    """

    path: str
    lines: list[bytes] | None
    start: int = 0
    end: int = 0
    before: int | None = None  # the lines of the file before the chunk, where they are known when it is made
    link: int | None = None  # its place in the run's chain of ranges numbered where they are judged

    @property
    def first(self) -> int:
        """The number of the chunk's first line."""
        return (self.before or 0) + 1

    def read_lines(self, limit: int) -> list[bytes]:
        """The chunk's lines; a line over `limit` bytes is kept only as far as the limit (see lines.py)."""
        if self.lines is not None:
            return self.lines
        with open(self.path, "rb") as handle:
            handle.seek(self.start)
            size = self.end - self.start
            if size <= limit:  # no line of it can be over the limit
                return handle.read(size).splitlines(keepends=True)
            return range_lines(handle.read, size, limit + 2, 1 << 20)  # room for CR LF


@dataclass(slots=True)
class Skipped:
    """An item that is no operation of the contract (or records no response): counted, never judged."""

    location: str
    reason: str


@dataclass(slots=True)
class Unreadable:
    """An item that could not be turned into an exchange."""

    location: str
    message: str
    rule: str = ""  # the limit it is over, when it is (see findings.LIMITS)


@dataclass(slots=True)
class HarEntry:
    """One entry of a HAR file as parsed, made into an exchange where it is judged (in a worker, when there are
    some: the reading process only parses)."""

    location: str
    entry: Any
    withheld: frozenset[str] = frozenset()  # the request headers the file's exporter leaves out (see har.py)


@dataclass(slots=True)
class HarChunk:
    """A byte range of a HAR file's entries array, cut at entry boundaries (see har.py): whoever judges it reads and
    parses it; the runner numbers its entries, and reads the rest of the file with the streaming parser when a range
    does not parse."""

    path: str
    start: int
    end: int
    first: bool  # the range starts the array
    last: bool  # the range ends the array
    withheld: frozenset[str] = frozenset()  # the request headers the file's exporter leaves out (see har.py)


@dataclass(slots=True)
class CaptureFile:
    """A whole capture file judged as one unit by whoever takes it, reading it as a stream: a compressed file (it
    cannot be cut into byte ranges) or a file behind a URL. `kind` is "JSONL", "HAR" or "body"; its items are numbered
    within the file, as in an uncompressed one."""

    path: str  # a local path or a URL
    kind: str
    compression: str | None
    options: dict[str, Any] | None = field(default=None, repr=False)  # storage options of a URL: may hold secrets


Single = Exchange | JsonlLine | HarEntry | Skipped | Unreadable  # one item, one Result
Item = Single | JsonlChunk | HarChunk | CaptureFile
