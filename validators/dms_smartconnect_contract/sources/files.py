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

import json
import os
from pathlib import PurePath
from typing import IO, Any

from .. import install_line
from .compression import COMPRESSIONS

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
