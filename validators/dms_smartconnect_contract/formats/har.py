"""HAR entries as exchanges, and a HAR read as a stream (compressed, remote, or not cut into ranges) with ijson."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from ..findings import har_location
from .bodies import recorded_body, string_or_none
from .headers import request_headers_of
from .items import (
    Exchange,
    HarEntry,
    Single,
    Skipped,
    Unreadable,
)
from .streamed import document_shape_problem, streamed_array


def har_entries(name: str, raw: IO[bytes], compression: str | None, skip: int = 0, limit: int = 0) -> Iterator[Single]:
    """The entries of a HAR read from `raw` (decompressed as it is read), from entry `skip` on, with ijson: an
    unreadable item where the text or the compressed stream breaks."""
    where = "compressed, remote, or not cut into ranges; decompress it to have it read in ranges"
    for found in streamed_array(name, raw, compression, "log.entries.item", har_location, ("HAR", where), skip, limit):
        yield HarEntry(*found) if isinstance(found, tuple) else found


def har_shape_problem(path: Path) -> str | None:
    """Why a file is not a HAR (no top-level object with log.entries), or None. Reads only up to log.entries."""
    with path.open("rb") as handle:
        return har_shape_problem_of(handle)


def har_shape_problem_of(handle: IO[bytes] | io.BufferedIOBase) -> str | None:
    """The same, of a stream (a broken compressed stream surfaces later, where its entries are read)."""
    return document_shape_problem(handle, "log", "entries", "HAR file")


def har_entry(
    location: str,
    entry: Any,
    route: Callable[[str | None, str | None], Any] | None = None,
    limit: int = 1 << 62,
) -> Single:
    """An exchange from one HAR entry (request method and URL, response status, headers, content). `route` says,
    from the request's method and URL, what the entry is for: a string is why it is skipped, before its headers and
    body are decoded; anything else is kept on the exchange (`routed`), so the judge routes it once. A body over
    `limit` bytes (--max-body-bytes) is not built: it is OVERSIZED."""
    if not isinstance(entry, dict) or not isinstance(entry.get("response"), dict):
        return Unreadable(location, "entry has no response object")
    request: dict[str, Any] = entry["request"] if isinstance(entry.get("request"), dict) else {}
    response = entry["response"]
    status = response.get("status")
    if not isinstance(status, int) or isinstance(status, bool):
        return Unreadable(location, "response.status is not a number")
    if status == 0:
        return Skipped(location, "no response recorded (status 0)")
    method, url = string_or_none(request.get("method")), string_or_none(request.get("url"))
    routed = route(method, url) if route else None
    if isinstance(routed, str):
        return Skipped(location, routed)
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
    text = string_or_none(content.get("text"))
    body, body_error = recorded_body(text, content.get("encoding") == "base64", "response.content.text", limit)
    return Exchange(
        location,
        status,
        string_or_none(content_type),
        headers,
        body,
        method=method,
        url=url,
        body_error=body_error,
        credentials=(request.get("headers"), response.get("headers"), request.get("cookies")),
        routed=routed,
        request_headers=request_headers_of(request.get("headers")),
    )
