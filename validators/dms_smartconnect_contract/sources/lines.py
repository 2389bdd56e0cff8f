"""JSONL lines read in pieces, each line over the size limit kept only as far as the limit.

A line is judged whole or not at all, so a line longer than the limit (`--max-body-bytes`) is counted unreadable
(`limit.line-bytes`) and only its first `limit + 1` bytes are kept, with its length: a hostile capture of one
gigabyte-long line costs the memory of the limit, not of the line. Lines end as `bytes.splitlines` ends them
(`\\n`, `\\r\\n` or `\\r`), ends kept, so that numbering is the same whichever way a file is read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, Any

from .compression import BLOCK, decompression_errors, open_stream, where_broken
from .files import open_raw


class LongLine(bytes):
    """The first `limit + 1` bytes of a line over the limit; `size` is the whole line's length, ends included."""

    size: int

    @classmethod
    def of(cls, start: bytes, limit: int, size: int) -> LongLine:
        line = cls(start[: limit + 1])
        line.size = size
        return line


class Lines:
    """Splits pieces of text into lines (ends kept), holding back the last part of a line until its end comes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.rest = b""
        self.long: LongLine | None = None  # a line over the limit whose end has not come yet
        self.after_cr = False  # the long line ended in CR at the end of a piece: a LF next belongs to it

    def feed(self, piece: bytes) -> list[bytes]:
        """The lines a piece completes (a piece of b"" ends the text: the last line, if any, is given too)."""
        out: list[bytes] = []
        long = self.long
        if long is not None:
            if self.after_cr:  # the long line ended in CR at the end of the last piece: a LF next is its end too
                self.after_cr = False
                if piece[:1] == b"\n":
                    long.size += 1
                    piece = piece[1:]
            elif piece:
                end = _line_end(piece)
                if end < 0:
                    long.size += len(piece)
                    return out
                long.size += end
                if end == len(piece) and piece.endswith(b"\r"):
                    self.after_cr = True
                    return out
                piece = piece[end:]
            out.append(long)
            self.long = None
            if not piece:
                return out
        if not piece:
            if self.rest:
                out.append(self.rest)
                self.rest = b""
            return out
        text = self.rest + piece if self.rest else piece
        lines = text.splitlines(keepends=True)
        # The last part waits for the next piece unless it ended in LF (a CR may be followed by its LF).
        self.rest = lines.pop() if lines and not lines[-1].endswith(b"\n") else b""
        limit = self.limit
        out += [line if len(line) <= limit else LongLine.of(line, limit, len(line)) for line in lines]
        if len(self.rest) > limit:
            self.long = LongLine.of(self.rest, limit, len(self.rest))
            self.after_cr = self.rest.endswith(b"\r")  # it has ended, unless a LF follows
            self.rest = b""
        return out

    def feed_pieces(self, pieces: list[bytes]) -> list[bytes]:
        """feed() of the pieces joined (nothing when they are empty: that would end the text), joined once with the
        part of a line held back."""
        if self.rest and self.long is None:
            pieces, self.rest = [self.rest, *pieces], b""
        text = b"".join(pieces)
        return self.feed(text) if text else []


def _line_end(piece: bytes) -> int:
    """Where the first line of `piece` ends (just after its LF, CR or CR LF), or -1 when it does not end in it."""
    lf, cr = piece.find(b"\n"), piece.find(b"\r")
    if cr >= 0 and (lf < 0 or cr < lf):
        return cr + 2 if piece[cr + 1 : cr + 2] == b"\n" else cr + 1
    return lf + 1 if lf >= 0 else -1


def range_lines(read: Callable[[int], bytes], size: int, limit: int, block: int) -> list[bytes]:
    """The lines of `size` bytes read by `read(n)`, in pieces of `block` bytes, each line over `limit` cut."""
    splitter = Lines(limit)
    lines: list[bytes] = []
    while size > 0:
        piece = read(min(block, size))
        if not piece:
            break
        size -= len(piece)
        lines += splitter.feed(piece)
    return lines + splitter.feed(b"")


def skip_line(read: Callable[[int], bytes], block: int) -> int:
    """Read to the end of the current line (after its LF), in pieces: how many bytes that took."""
    taken = 0
    while True:
        piece = read(block)
        if not piece:
            return taken
        found = piece.find(b"\n")
        if found >= 0:
            return taken + found + 1
        taken += len(piece)


class Broken(Exception):
    """A compressed stream that breaks while it is read; the message says where and why."""


def line_blocks(
    path: str, compression: str | None, options: dict[str, Any] | None = None, limit: int = 1 << 62
) -> Iterator[list[bytes]]:
    """The lines of a JSONL file (ends kept), a list per block of about a megabyte, decompressed as they are read;
    a line over `limit` bytes is kept only as far as the limit (a LongLine). Raises Broken where the stream breaks,
    once every whole line before the break has been given."""
    with open_raw(path, options) as raw:
        yield from stream_line_blocks(raw, compression, limit)


def stream_line_blocks(
    raw: IO[bytes], compression: str | None, limit: int, block: int = BLOCK, eager: bool = False
) -> Iterator[list[bytes]]:
    """As line_blocks, of a stream already open (closed once read, or once its reader stops): a list of lines per
    `block` bytes read, or fewer; `eager`: the lines of each read as soon as it is made (a pipe whose writer is
    slow)."""
    broken = decompression_errors() if compression else ()
    # Closed here, as it ends: a wrapper left to the collector while `raw` is open would warn of an unclosed file.
    with open_stream(raw, compression) as stream:
        splitter = Lines(limit)
        pieces: list[bytes] = []
        size = 0
        while True:
            error = None
            try:
                piece = stream.read1(block)  # what one read of the file gives: nothing decompressed is lost
            except broken as exc:
                piece, error = b"", exc
            pieces.append(piece)
            size += len(piece)
            if size >= block or not piece or eager:
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
