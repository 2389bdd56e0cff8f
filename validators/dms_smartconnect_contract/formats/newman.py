"""newman's JSON reports (`newman run -r json`): every execution of a Postman collection run, read as the exchange
it recorded, streamed from `run.executions` with ijson. Located `file#/run/executions/N`.

An execution holds the request as the Postman SDK writes it (`url` as protocol, host and path parts, and `query`;
`header` as key/value pairs) and the response with its `code`, `header` list and body as a Node.js Buffer
(`stream: {"type": "Buffer", "data": [bytes]}`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any
from urllib.parse import quote, urlencode

from ..findings import execution_location
from .bodies import string_or_none
from .headers import headers_of, request_headers_of
from .items import OVERSIZED, Exchange, Single, Skipped, Unreadable
from .streamed import document_shape_problem, streamed_array

# newman writes the collection first: a `.json` file that starts so is taken for a report (a collection exported
# by Postman's API starts so too, and is then told to have no run).
NEWMAN_START = re.compile(rb'^\s*\{\s*"collection"\s*:')
_HOW = "a whole file, as a stream"


def newman_shape_problem(handle: Any) -> str | None:
    """Why a document is no newman report (no top-level object with run.executions), or None."""
    return document_shape_problem(handle, "run", "executions", "newman report")


def newman_items(name: str, raw: IO[bytes], compression: str | None, limit: int) -> Iterator[Single]:
    """Every execution of a newman report read from `raw` (decompressed as it is read), as an exchange."""
    for found in streamed_array(
        name, raw, compression, "run.executions.item", execution_location, ("newman report", _HOW), 0, limit
    ):
        yield newman_exchange(*found, limit=limit) if isinstance(found, tuple) else found


def newman_exchange(location: str, execution: Any, limit: int = 1 << 62) -> Single:
    """The exchange of one execution; a request that got no response (a connection refused, a timeout) is
    skipped. A body over `limit` bytes is not built: it is OVERSIZED."""
    if not isinstance(execution, dict):
        return Unreadable(location, "execution is not an object")
    request: dict[str, Any] = execution["request"] if isinstance(execution.get("request"), dict) else {}
    response = execution.get("response")
    if not isinstance(response, dict):
        error = execution.get("requestError")
        why = string_or_none(error.get("message")) if isinstance(error, dict) else None
        return Skipped(location, "no response recorded" + (f" (the request failed: {why})" if why else ""))
    status = response.get("code")
    if type(status) is not int:
        return Unreadable(location, "response.code is not a number")
    headers = headers_of(response.get("header"))
    body, body_error = _body(response, limit)
    return Exchange(
        location,
        status,
        # newman records every header of the response: without a Content-Type there, it had none.
        (headers or {}).get("content-type"),
        headers,
        body,
        method=string_or_none(request.get("method")),
        url=_url(request.get("url")),
        body_error=body_error,
        credentials=(request.get("header"), response.get("header")),
        # A request whose collection authorises it adds its credentials as it is sent, not in the report's headers.
        request_headers=None if _authorised(request) else request_headers_of(request.get("header")),
    )


def _authorised(request: dict[str, Any]) -> bool:
    auth = request.get("auth")
    return isinstance(auth, dict) and auth.get("type") not in (None, "noauth")


def _body(response: dict[str, Any], limit: int) -> tuple[bytes | None, str | None]:
    """The response body a Buffer (or, in other writers' reports, a string) holds; None when none is recorded."""
    stream = response.get("stream")
    if isinstance(stream, dict) and isinstance(stream.get("data"), list):
        data = stream["data"]
        if len(data) > limit:
            return OVERSIZED, None
        try:
            return bytes(data), None
        except (TypeError, ValueError):
            return None, "response.stream.data is not a list of bytes (0 to 255)"
    text = string_or_none(response.get("body"))
    return (text.encode("utf-8", "surrogatepass"), None) if text is not None else (None, None)


def _url(url: Any) -> str | None:
    """A request URL as the Postman SDK writes it: a string, or protocol, host, port, path and query parts."""
    if isinstance(url, str):
        return url or None
    if not isinstance(url, dict):
        return None
    if isinstance(url.get("raw"), str) and not url.get("host"):
        return str(url["raw"])
    host = url.get("host")
    host = ".".join(str(part) for part in host) if isinstance(host, list) else string_or_none(host) or ""
    port = f":{url['port']}" if url.get("port") not in (None, "") else ""
    path = url.get("path")
    path = "/".join(str(part) for part in path) if isinstance(path, list) else string_or_none(path) or ""
    pairs = [
        (str(item.get("key", "")), "" if item.get("value") is None else str(item["value"]))
        for item in url.get("query") or []
        if isinstance(item, dict) and not item.get("disabled")
    ]
    query = f"?{urlencode(pairs)}" if pairs else ""
    protocol = string_or_none(url.get("protocol")) or "http"
    return f"{protocol}://{host}{port}/{quote(path.lstrip('/'), safe='/%:@!$&()*+,;=-._~')}{query}"
