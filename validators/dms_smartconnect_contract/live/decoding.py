"""A body decoded from its Content-Encoding for judging (the validating proxy passes it on raw): never more than
the limit decoded, and a broken encoding said as such."""

from __future__ import annotations

import io
import zlib

from .. import install_line
from ..sources.compression import decompression_errors, open_stream
from .upstream import reason_of

_ENCODINGS = {"gzip": "gzip", "x-gzip": "gzip", "zstd": "zstd"}


class Undecodable(Exception):
    """A body its Content-Encoding does not decode."""


def decoded_body(raw: bytes, encoding: str, limit: int) -> bytes | None:
    """A body decoded from its Content-Encoding (gzip, deflate, zstd, br; identity), or None when it decodes to
    more than `limit` bytes: never more than that is decoded."""
    codings = [coding.strip() for coding in encoding.split(",") if coding.strip() not in ("", "identity")]
    data = raw
    for coding in reversed(codings):  # the last coding applied comes off first
        data = _decode_one(data, coding, limit)
        if len(data) > limit:
            return None
    return data if len(data) <= limit else None


def _decode_one(data: bytes, coding: str, limit: int) -> bytes:
    try:
        if coding in _ENCODINGS:
            return open_stream(io.BytesIO(data), _ENCODINGS[coding]).read(limit + 1)
        if coding == "deflate":  # zlib-wrapped, as RFC 9110 says, or raw deflate as some servers send
            wrapped = data[:1] and (data[0] & 0x0F) == 8
            return zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS).decompress(data, limit + 1)
        if coding == "br":
            return _brotli(data, limit)
    except decompression_errors() as exc:  # (zlib.error among them)
        raise Undecodable(f"the body's {coding} encoding is broken ({reason_of(exc)})") from None
    raise Undecodable(f"the body's Content-Encoding {coding!r} is not one this proxy decodes")


def _brotli(data: bytes, limit: int) -> bytes:
    try:
        import brotli
    except ImportError:
        raise Undecodable(f"the body is br-encoded and the brotli module is not installed ({install_line('proxy')})"
                          ) from None  # fmt: skip
    decompressor, out = brotli.Decompressor(), bytearray()
    for start in range(0, len(data), 256):  # a little input at a time: what it expands to stays near the limit
        try:
            out += decompressor.process(data[start : start + 256])
        except brotli.error as exc:
            raise Undecodable(f"the body's br encoding is broken ({reason_of(exc)})") from None
        if len(out) > limit:
            return bytes(out)
    if not decompressor.is_finished():
        raise Undecodable("the body's br encoding is broken (it ends inside the stream)")
    return bytes(out)
