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
    """A zstd stream of one frame or several (as `zstd` writes when appending), decompressed as it is read. Unlike
    zstandard's own stream reader it raises EOFError when the file ends inside a frame, so that a truncated file is
    not taken for a shorter one."""

    def __init__(self, raw: IO[bytes]) -> None:
        import zstandard

        self._raw = raw
        self._context = zstandard.ZstdDecompressor()
        self._frame = self._context.decompressobj()
        self._inside = False  # inside a frame that has not ended yet
        self._ready = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._ready:
            data = self._raw.read(1 << 17)
            if not data:
                if self._inside:
                    raise EOFError("the zstd frame ends before its end")
                return 0
            self._feed(data)
        size = min(len(buffer), len(self._ready))
        buffer[:size] = self._ready[:size]
        self._ready = self._ready[size:]
        return size

    def _feed(self, data: bytes) -> None:
        while data:
            self._ready += self._frame.decompress(data)
            if not self._frame.eof:
                self._inside = True
                return
            self._inside = False
            data = self._frame.unused_data
            self._frame = self._context.decompressobj()


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
