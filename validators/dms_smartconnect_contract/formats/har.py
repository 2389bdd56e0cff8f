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
from .streamed import document_head, streamed_array

# The request headers an exporter leaves out of its default export, by the name it gives itself (log.creator.name):
# an entry of such an export that shows none of them says nothing of whether the request sent one. Chrome's and
# Edge's DevTools export HAR "sanitized" unless asked otherwise, without Authorization, Cookie and Set-Cookie.
WITHHELD_BY_EXPORTER = {"WebInspector": frozenset({"authorization", "cookie"})}
NOTHING_WITHHELD: frozenset[str] = frozenset()


def har_entries(
    name: str,
    raw: IO[bytes],
    compression: str | None,
    skip: int = 0,
    limit: int = 0,
    withheld: frozenset[str] = NOTHING_WITHHELD,
) -> Iterator[Single]:
    """The entries of a HAR read from `raw` (decompressed as it is read), from entry `skip` on, with ijson: an
    unreadable item where the text or the compressed stream breaks. `withheld`: what its exporter leaves out."""
    where = "compressed, remote, or not cut into ranges; decompress it to have it read in ranges"
    for found in streamed_array(name, raw, compression, "log.entries.item", har_location, ("HAR", where), skip, limit):
        yield HarEntry(*found, withheld) if isinstance(found, tuple) else found


def har_head(path: Path) -> tuple[str | None, frozenset[str]]:
    """Why a file is not a HAR (no top-level object with log.entries), or None, and the request headers its
    exporter withholds (see WITHHELD_BY_EXPORTER). Reads only up to log.entries."""
    with path.open("rb") as handle:
        return har_head_of(handle)


def har_head_of(handle: IO[bytes] | io.BufferedIOBase) -> tuple[str | None, frozenset[str]]:
    """The same, of a stream (a broken compressed stream surfaces later, where its entries are read)."""
    problem, found = document_head(handle, "log", "entries", "HAR file", ("log.creator.name",))
    return problem, WITHHELD_BY_EXPORTER.get(found.get("log.creator.name", ""), NOTHING_WITHHELD)


def har_entry(
    location: str,
    entry: Any,
    route: Callable[[str | None, str | None], Any] | None = None,
    limit: int = 1 << 62,
    withheld: frozenset[str] = NOTHING_WITHHELD,
) -> Single:
    """An exchange from one HAR entry (request method and URL, response status, headers, content). `route` says,
    from the request's method and URL, what the entry is for: a string is why it is skipped, before its headers and
    body are decoded; anything else is kept on the exchange (`routed`), so the judge routes it once. A body over
    `limit` bytes (--max-body-bytes) is not built: it is OVERSIZED. `withheld`: the request headers the entry's
    exporter leaves out by default, unless the entry shows one (then this export kept them)."""
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
    request_headers = request_headers_of(request.get("headers"))
    if withheld and request_headers is not None and not withheld.isdisjoint(request_headers):
        withheld = NOTHING_WITHHELD
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
        request_headers=request_headers,
        withheld_headers=withheld,
    )
