"""Decompression as bytes are read: gzip, zstd, bz2 and xz, a block at a time, never whole."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zlib
from typing import IO, Any

COMPRESSIONS = {".gz": "gzip", ".zst": "zstd", ".bz2": "bz2", ".xz": "xz"}


BLOCK = 1 << 20  # bytes of decompressed text read at a time


def open_stream(raw: IO[bytes], compression: str | None) -> io.BufferedIOBase:
    """The decompressed bytes of `raw`, read as they are asked for (`read1` gives what one read of the file holds)."""
    if compression is None:
        return raw if isinstance(raw, io.BufferedIOBase) else io.BufferedReader(raw)  # type: ignore[type-var]
    if compression == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if compression == "bz2":
        return bz2.BZ2File(raw, mode="rb")
    if compression == "xz":
        return lzma.LZMAFile(raw, mode="rb")
    return io.BufferedReader(_ZstdReader(raw), BLOCK)


class _ZstdReader(io.RawIOBase):
    """A zstd stream of one frame or several (as `zstd` writes when appending), decompressed as it is read, a block
    at a time: a block never holds more than 128 KiB of output, so however far the file expands (a bomb of a few
    kilobytes holds gigabytes), what is held stays bounded. Unlike zstandard's own stream reader it raises EOFError
    when the file ends inside a frame, so that a truncated file is not taken for a shorter one."""

    def __init__(self, raw: IO[bytes]) -> None:
        import zstandard

        self._raw = raw
        self._context = zstandard.ZstdDecompressor()
        self._frame = self._context.decompressobj()
        self._pending = bytearray()  # compressed bytes read, not yet handed to the decompressor
        self._cut = _FrameCutter()
        self._ready = b""
        self._skip = 0  # bytes of a skippable frame still to read past

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._ready:
            if not self._step():
                return 0
        size = min(len(buffer), len(self._ready))
        buffer[:size] = self._ready[:size]
        self._ready = self._ready[size:]
        return size

    def _step(self) -> bool:
        """Decompress the next whole piece (a frame header, a block, a checksum); False at the end of the file."""
        while True:
            if self._skip:  # a skippable frame's content: read past, never held
                dropped = min(self._skip, len(self._pending))
                del self._pending[:dropped]
                self._skip -= dropped
            if not self._skip:
                size = self._cut.next_piece(self._pending)
                if size is not None:
                    piece = bytes(self._pending[:size])
                    del self._pending[:size]
                    if self._cut.skippable:
                        self._skip = self._cut.skippable_size
                        continue
                    self._ready = self._frame.decompress(piece)
                    if self._frame.eof:
                        self._frame = self._context.decompressobj()
                    return True
            data = self._raw.read(1 << 17)
            if not data:
                if self._pending or self._cut.inside or self._skip:
                    raise EOFError("the zstd frame ends before its end")
                return False
            self._pending += data


_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class _FrameCutter:
    """Where the next piece of a zstd stream ends (RFC 8878): a frame's header, each of its blocks, its checksum, and a
    skippable frame's header (the reader reads past its content). Reads only the framing, never the compressed data."""

    def __init__(self) -> None:
        self.state = "frame"  # what comes next: a frame, a block of the frame, or the frame's checksum
        self.skippable = False  # the last piece given is a skippable frame's header
        self.skippable_size = 0  # the size of that frame's content, which follows it
        self._checksum = False

    @property
    def inside(self) -> bool:
        """Inside a frame: after its header, before its end."""
        return self.state != "frame"

    def next_piece(self, data: bytearray) -> int | None:
        """The length of the next piece at the start of `data`, or None when `data` does not hold it whole yet."""
        self.skippable = False
        if self.state == "frame":
            return self._frame_start(data)
        if self.state == "checksum":
            if len(data) < 4:
                return None
            self.state = "frame"
            return 4
        if len(data) < 3:
            return None
        header = data[0] | data[1] << 8 | data[2] << 16
        whole = 3 + (1 if (header >> 1) & 3 == 1 else header >> 3)  # an RLE block holds one byte
        if len(data) < whole:
            return None
        if header & 1:  # the frame's last block
            self.state = "checksum" if self._checksum else "frame"
        return whole

    def _frame_start(self, data: bytearray) -> int | None:
        if len(data) < 4:
            return None
        magic = bytes(data[:4])
        if magic[1:] == b"\x2a\x4d\x18" and magic[0] & 0xF0 == 0x50:  # a skippable frame: magic, size, content
            if len(data) < 8:
                return None
            self.skippable, self.skippable_size = True, int.from_bytes(data[4:8], "little")
            return 8
        if magic != _ZSTD_MAGIC:
            return len(data)  # no zstd: the decompressor says what is wrong with it
        if len(data) < 5:
            return None
        descriptor = data[4]
        single = (descriptor >> 5) & 1
        content_size = (0, 2, 4, 8)[descriptor >> 6] or single  # one byte when single-segment and flag 0
        header = 5 + (1 - single) + (0, 1, 2, 4)[descriptor & 3] + content_size
        if len(data) < header:
            return None
        self._checksum = bool((descriptor >> 2) & 1)
        self.state = "blocks"
        return header


def decompression_errors() -> tuple[type[BaseException], ...]:
    """What a broken or truncated compressed stream raises while it is read."""
    errors: list[type[BaseException]] = [EOFError, OSError, zlib.error, lzma.LZMAError]
    try:
        import zstandard

        errors.append(zstandard.ZstdError)
    except ImportError:  # pragma: no cover - a declared dependency
        pass
    return tuple(errors)


def where_broken(raw: IO[bytes], compression: str, exc: BaseException) -> str:
    """How a compressed stream broke, and where: how far into the compressed file, and why."""
    try:
        at: Any = f"{raw.tell():,}"
    except (OSError, ValueError):
        at = "an unknown point"
    reason = str(exc).strip() or type(exc).__name__
    if isinstance(exc, EOFError):
        reason = f"the file ends early ({reason})"
    return f"{compression} stream broken, {at} bytes of the compressed file read: {reason}"
