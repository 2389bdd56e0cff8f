"""Where capture bytes come from: local files and fsspec URLs (`s3://` for OBS, `file://`, `memory://`), plain or
compressed, read as streams.

A URL names a file or a prefix (a folder, listed recursively). Its files are read where they are judged, each one
a unit of work: a worker opens the URL itself with the storage options (never the bytes through a pipe). Storage
options and the standard AWS variables carry credentials: they are never shown; error messages are scrubbed of them.

A compressed capture (`.gz`, `.zst`, `.bz2`, `.xz`, after the kind's own suffix: `log.jsonl.gz`, `trace.har.zst`) is
decompressed as it is read, a block at a time: never whole into memory, never onto disk. It cannot be cut into byte
ranges, so the whole file is one unit of work (see exchange.CaptureFile).
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
import zlib
from pathlib import PurePath
from typing import IO, Any

from .. import install_line

COMPRESSIONS = {".gz": "gzip", ".zst": "zstd", ".bz2": "bz2", ".xz": "xz"}
BLOCK = 1 << 20  # bytes of decompressed text read at a time


EXTRAS = {"s3": "s3", "s3a": "s3"}  # protocols whose filesystem comes with one of our extras
_SECRET_VARIABLES = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID")


class SourceError(Exception):
    """A URL that cannot be listed or opened at all: the command stops with exit code 2."""


def is_url(name: str) -> bool:
    return "://" in name


def open_raw(name: str, options: dict[str, Any] | None = None) -> IO[bytes]:
    """A local path or a URL, opened for reading bytes."""
    if not is_url(name):
        return open(name, "rb")
    import fsspec

    opened: IO[bytes] = fsspec.open(name, "rb", **(options or {})).open()
    return opened


def list_url(url: str, options: dict[str, Any]) -> list[tuple[str, int]]:
    """The files under a URL (itself, if it names a file), in name order, with their sizes; SourceError when it
    cannot be listed, naming the URL and the cause (scrubbed of secrets)."""
    try:
        import fsspec

        fs, root = fsspec.core.url_to_fs(url, **options)
        if fs.isdir(root):
            found = fs.find(root, detail=True)
            files = sorted((fs.unstrip_protocol(path), int(info.get("size") or 0)) for path, info in found.items())
            return files
        if fs.isfile(root):
            return [(url, int(fs.size(root) or 0))]
    except ImportError as exc:
        protocol = url.split("://", 1)[0].lower()
        extra = EXTRAS.get(protocol)
        hint = install_line(extra) if extra else f"a filesystem for {protocol}://"
        raise SourceError(f"{url}: reading {protocol}:// needs {hint}") from exc
    except FileNotFoundError:
        pass
    except PermissionError as exc:
        raise SourceError(f"{url}: access denied ({scrub(_cause(exc), options)})") from exc
    except Exception as exc:  # network, credentials, endpoint: the filesystem's own errors, one line
        raise SourceError(f"{url}: cannot be listed ({scrub(_cause(exc), options)})") from exc
    raise SourceError(f"{url}: no such file or folder")


def storage_options(pairs: list[str], inputs: list[Any]) -> dict[str, Any]:
    """fsspec storage options from `KEY=VALUE` pairs (a value that reads as JSON is taken as such: true, 5), with
    the S3 endpoint from AWS_ENDPOINT_URL when an input is an s3:// URL and no option names one. Raises ValueError
    naming a pair without `=`."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key.strip():
            raise ValueError(f"--storage-option {pair.split('=', 1)[0]!r}: expected KEY=VALUE")
        try:
            options[key.strip()] = json.loads(value)
        except ValueError:
            options[key.strip()] = value
    s3 = any(str(given).split("://", 1)[0].lower() in EXTRAS for given in inputs if is_url(str(given)))
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if s3 and endpoint and "endpoint_url" not in options and "client_kwargs" not in options:
        options["endpoint_url"] = endpoint
    return options


def _cause(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if type(exc).__name__ in text else f"{type(exc).__name__}: {text}"


def secrets(options: dict[str, Any] | None) -> list[str]:
    """The values a message must never show: secret-named storage options and the AWS credential variables."""
    from ..redact import is_secret_name

    found = [str(value) for key, value in (options or {}).items() if is_secret_name(key) and value]
    found += [os.environ[name] for name in _SECRET_VARIABLES if os.environ.get(name)]
    return sorted(set(found), key=len, reverse=True)


def scrub(text: str, options: dict[str, Any] | None) -> str:
    """`text` with every secret value replaced."""
    for secret in secrets(options):
        if len(secret) >= 4:
            text = text.replace(secret, "<redacted>")
    return text


def split_name(name: str) -> tuple[str, str | None]:
    """A file's kind suffix (lower case) and its compression: `a.jsonl.gz` -> (".jsonl", "gzip")."""
    path = PurePath(name)
    suffix = path.suffix.lower()
    compression = COMPRESSIONS.get(suffix)
    if compression is None:
        return suffix, None
    return PurePath(path.stem).suffix.lower(), compression


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
