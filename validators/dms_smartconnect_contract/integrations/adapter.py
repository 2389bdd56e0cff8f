"""The one adapter from a response object to an exchange: requests, httpx and schemathesis responses, the official
SDK's response objects, or a bare body (a dict, JSON text or bytes)."""

from __future__ import annotations

import json
from typing import Any

from ..formats.items import Exchange


def exchange_of(response: Any, *, status: int | None = None, content_type: str | None = None) -> Exchange:
    """An exchange of `response`, with its request's method and URL where the object keeps them (they route it to
    its operation). `status` and `content_type` are those of a bare body, which records none."""
    if hasattr(response, "status_code") and hasattr(response, "raw_content") and not hasattr(response, "headers"):
        # The official SDK's response object: status and body; the SDK keeps no response headers, nor the request.
        raw = response.raw_content
        return Exchange("SDK response", int(response.status_code), content_type or "application/json", None, raw)
    if hasattr(response, "status_code") and hasattr(response, "headers") and hasattr(response, "content"):
        # requests, httpx and schemathesis responses alike (schemathesis keeps each header's values in a list).
        headers = {str(name).lower(): _value(value) for name, value in response.headers.items()}
        request = getattr(response, "request", None)
        method = getattr(request, "method", None) if request is not None else None
        url = str(getattr(response, "url", None) or getattr(request, "url", None) or "") or None
        kind = content_type or headers.get("content-type")
        body = response.content
        sent = getattr(request, "headers", None) if request is not None else None
        request_headers = {str(name).lower(): _value(value) for name, value in sent.items()} if sent else None
        return Exchange("response", int(response.status_code), kind, headers, body, method=method, url=url,
                        request_headers=request_headers)  # fmt: skip
    if isinstance(response, str):
        body = response.encode()
    elif isinstance(response, bytes | bytearray):
        body = bytes(response)
    else:
        body = json.dumps(response).encode()
    return Exchange("body", status or 200, content_type or "application/json", None, body, bare=True)


def sdk_operation(response: Any) -> str | None:
    """The operation an official SDK response object answers, by its class: the SDK names each one after its
    operation (`ListConnectorTasksResponse` answers ListConnectorTasks). None for any other object."""
    if not (hasattr(response, "status_code") and hasattr(response, "raw_content") and not hasattr(response, "headers")):
        return None
    name = type(response).__name__
    if name == "SdkResponse" or not name.endswith("Response"):
        return None  # the SDK's base class, or an object built by hand: it names no operation
    return name[: -len("Response")]


def _value(value: Any) -> str:
    """A header's value; repeated values are joined, as HTTP joins them."""
    return ", ".join(str(part) for part in value) if isinstance(value, list | tuple) else str(value)
