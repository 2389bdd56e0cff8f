"""Turn what a user hands over (body files, folders, JSONL logs, HAR captures, newman reports) into a stream of
items.

Readers never hold a whole capture: JSONL goes out as byte ranges of about a megabyte (read where they are judged)
and HAR an entry at a time, so memory stays flat however large the file is. Every item gets a location: `file`,
`file:LINE` (JSONL), `file#/log/entries/N` (HAR), `file#/run/executions/N` (newman).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import Any

from ..findings import JSONL_SUFFIXES, STDIN_LOCATION
from ..sources.files import SourceError, is_url, list_url, open_raw, split_name
from ..sources.lines import skip_line
from . import har_ranges as har
from .families import LINE_FAMILIES
from .files import EMPTY_FILE, document_kind, is_blank
from .har import har_entries, har_head
from .items import (
    CaptureFile,
    Exchange,
    HarChunk,
    Item,
    JsonlChunk,
    Single,
    Skipped,
    Unreadable,
)
from .stdin import STDIN, StdinCapture

HAR_SUFFIXES = {".har"}
BODY_SUFFIXES = {".json"}
JSONL_CHUNK_BYTES = 1 << 20  # a JSONL range judged locally
CLUSTER_CHUNK_BYTES = 1 << 24  # on a cluster: fewer, larger tasks, as a task costs the scheduler time


def _kind(suffix: str) -> str | None:
    """The kind of capture a name's suffix says (after any compression suffix), or None."""
    if suffix in JSONL_SUFFIXES:
        return "JSONL"
    if suffix in HAR_SUFFIXES:
        return "HAR"
    return "body" if suffix in BODY_SUFFIXES else None


# The kind of file every input is read as under --input-format: a family of lines makes every file JSONL.
_FORCED_KINDS = {"har": "HAR", "newman": "newman", **dict.fromkeys(LINE_FAMILIES, "JSONL")}


def _not_a_capture(suffix: str, compression: str | None) -> str:
    """Why a file found in a folder or under a prefix is skipped."""
    return f"not a capture file ({suffix or 'no extension'}{' compressed' if compression else ''})"


_OPENAPI_SKIPPED = "an OpenAPI document, not a capture"


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
        input_format: str = "auto",
    ) -> None:
        self.forced = _FORCED_KINDS.get(input_format)  # the kind of every file, when --input-format says one
        self.sniff = input_format == "auto"  # a `.json` file may be a HAR or a newman report, as its start says
        self.chunk_bytes = chunk_bytes  # the size of a JSONL byte range
        # Read no capture bytes here: body files and HAR files without ranges become whole-file units, which
        # whoever judges them reads (a cluster's workers: paths and URLs travel, not bytes).
        self.whole_files = whole_files
        self.storage = storage or {}  # fsspec storage options for URLs: may hold secrets, never shown
        self._listed: dict[str, list[tuple[str, int]]] = {}  # the files under each URL, listed once
        self.status = status
        self.content_type = content_type
        self.max_body_size = max_body_size
        # Whether JSONL ranges are linked in a chain, so that each is judged with its lines numbered as they stay
        # (a report that lists items then writes them where they are judged, as they stay; see run/chain.py).
        self.chain_lines = False
        self.links = 0  # the ranges linked so far
        self.bytes_read = 0  # for progress display
        self.files: dict[str, str] = {}  # every capture file read, and its kind: to explain a run that judged nothing
        self.stdin: StdinCapture | None = None  # standard input, once `-` is checked

    def check_paths(self, paths: list[Path | str]) -> None:
        """Fail early, before any output, on a path that does not exist or cannot be opened, or a URL that cannot
        be listed."""
        if [str(given) for given in paths].count(STDIN) > 1:
            raise InputError("-: standard input is named more than once")
        for given in paths:
            if str(given) == STDIN:
                self._check_stdin()
                continue
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
                    with path.open("rb") as handle:
                        start = handle.read(4096)
                except OSError as exc:
                    raise InputError(f"{path}: cannot be opened ({exc.strerror})") from exc
                suffix, compression = split_name(path.name)
                # (Only a file read as a body: a JSONL or HAR capture may quote an OpenAPI document.)
                taken_for_body = compression is None and _kind(suffix) in (None, "body")
                if self.sniff and taken_for_body and document_kind(start) == "OpenAPI":
                    raise InputError(f"{path}: an OpenAPI document, not a capture; check it with "
                                     f"`smartconnect-contract lint {path}`, or pass it as --contract")  # fmt: skip

    def _check_stdin(self) -> None:
        """Standard input's first bytes read, to know what it holds before anything is judged."""
        if self.whole_files:
            raise InputError("-: standard input cannot be read on a cluster (its workers read the inputs themselves)")
        self.stdin = StdinCapture(sys.stdin.buffer)
        if self.stdin.kind == "OpenAPI":
            raise InputError("-: standard input holds an OpenAPI document, not a capture; check it with "
                             "`smartconnect-contract lint FILE`")  # fmt: skip

    def remote_bytes(self) -> int:
        """The size of every file under the URLs checked."""
        return sum(size for files in self._listed.values() for _, size in files)

    def items(self, paths: list[Path | str]) -> Iterator[Item]:
        """Every item of every path, folders walked recursively in name order."""
        for given in paths:
            if str(given) == STDIN:
                assert self.stdin is not None, "check_paths reads standard input's start first"
                self.files[STDIN_LOCATION] = self.stdin.kind
                yield from self.stdin.items(self.status, self.content_type, self.max_body_size)
                continue
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
            kind = self.forced or _kind(suffix) or "body"
            self.files[str(path)] = kind
            try:
                self.bytes_read += path.stat().st_size
            except OSError as exc:
                yield Unreadable(str(path), f"cannot be read: {exc.strerror or exc}")
                return
            yield CaptureFile(str(path), kind, compression)
            return
        try:
            kind = self.forced or _kind(suffix) or "body"
            if kind == "body" and self.sniff:
                kind = self._sniffed(str(path))
            if kind == "OpenAPI":
                yield Skipped(str(path), _OPENAPI_SKIPPED)
                return
            self.files[str(path)] = kind
            if kind == "JSONL":
                yield from self.jsonl_items(path)
            elif kind == "newman":  # one unit, read as a stream where it is judged
                self.bytes_read += path.stat().st_size
                yield CaptureFile(str(path), "newman", None)
            elif kind == "HAR":
                if is_blank(path):
                    yield Unreadable(str(path), EMPTY_FILE.format(kind="HAR"))
                else:
                    yield from self.har_items(path)
            else:
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
            kind = self.forced or kind or "body"
            if kind == "body" and self.sniff and compression is None:  # a HAR or a newman report, as it starts
                # Unreadable: judged as a body, and its reading says why.
                with contextlib.suppress(Exception):
                    kind = self._sniffed(name)
            if kind == "OpenAPI":
                yield Skipped(name, _OPENAPI_SKIPPED)
                continue
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
            return Unreadable(str(path), EMPTY_FILE.format(kind="body"))
        return Exchange(str(path), self.status, self.content_type, None, body, bare=True)

    def jsonl_items(self, path: Path) -> Iterator[Item]:
        """Byte ranges of about `chunk_bytes` (a megabyte) of whole lines. Only the boundaries are found here (a seek and one line
        read per chunk): whoever judges a chunk reads and parses it, and numbers its lines from the range before it
        (`chain_lines`), or the runner does."""
        size = path.stat().st_size
        with path.open("rb") as handle:
            start = 0
            while start < size:
                handle.seek(start + self.chunk_bytes)
                # Finish the last line, in pieces: a line of a gigabyte is never held whole.
                end = min(start + self.chunk_bytes + skip_line(handle.read, 1 << 16), size)
                self.bytes_read += end - start
                link = None
                if self.chain_lines:
                    link, self.links = self.links, self.links + 1
                yield JsonlChunk(str(path), None, start, end, 0 if start == 0 and link is not None else None, link)
                start = end

    def _sniffed(self, name: str) -> str:
        """What a file taken for a body is by its first bytes: a HAR, a newman report, an OpenAPI document (see
        files.document_kind), or a body."""
        with open_raw(name, self.storage) as handle:
            return document_kind(handle.read(4096))

    def har_items(self, path: Path) -> Iterator[Item]:
        """The entries of a HAR 1.2 file: byte ranges for the judging processes to parse where the layout allows
        (see har.py), else one item per entry, streamed; a file that is no HAR is one unreadable item."""
        problem, withheld = har_head(path)
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
            yield HarChunk(str(path), start, end, first=first, last=following is None, withheld=withheld)
            if following is None:
                return
            ahead, first = following, False

    def har_stream(self, path: Path, skip: int = 0) -> Iterator[Single]:
        """One item per entry, streamed with ijson, from entry `skip` on: an unreadable item where the file breaks."""
        _, withheld = har_head(path)
        with path.open("rb") as handle:
            for item in har_entries(str(path), handle, None, skip, self.max_body_size, withheld):
                self.bytes_read = max(self.bytes_read, handle.tell())
                yield item
