"""JSONL exchange records: a line that holds a status, headers and a recorded body, read as an exchange; and the
line a recorder writes for an exchange (the SDK's response handler, the proxy)."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson

from ..redact import REDACTED, is_secret_name
from .bodies import recorded_body, string_or_none
from .headers import request_headers_of
from .items import (
    NOT_PARSED,
    Exchange,
    Single,
    Unreadable,
)

# Keys that make a JSONL line an exchange record, beside an integer status: a recorded body, or where a recorder
# kept none, the body's size (over its limit) or why the exchange did not complete; or a headers object.
RECORD_BODY_KEYS = frozenset({"body", "body_text", "body_base64", "body_size", "error"})
RECORD_MARKERS = RECORD_BODY_KEYS | {"headers"}


class RecordKeys:
    """How an exchange record is told from a bare response body, whatever the contract's bodies hold.

    A record is an object with an integer `status` and a recorded body (`body`, `body_text`, `body_base64`) or a
    `headers` object. Only the keys that no response body of the contract documents at its top level count as
    markers (`documented`, from every response schema), so a body is never taken for a record by a field of its
    own: a body whose `status` holds an integer stays a body (and a type error). Were every marker documented, no
    line would be a record."""

    def __init__(self, documented: frozenset[str]) -> None:
        self.body_keys = RECORD_BODY_KEYS - documented
        self.headers = "headers" not in documented

    def is_record(self, value: Any) -> bool:
        """Whether a decoded JSONL line is an exchange record rather than a bare response body."""
        if type(value) is not dict or type(value.get("status")) is not int:
            return False
        return not self.body_keys.isdisjoint(value) or (self.headers and isinstance(value.get("headers"), dict))


def exchange_record(location: str, record: dict[str, Any], default_content_type: str) -> Single:
    """An exchange from a JSONL record: keys status, body | body_text | body_base64, and optional method, url,
    headers, request_headers, content_type (default: the Content-Type header where headers are recorded, else
    `default_content_type`)."""
    error = string_or_none(record.get("error"))
    if error is not None:
        return Unreadable(location, f"the exchange did not complete: {error}")
    headers = None
    if isinstance(record.get("headers"), dict):
        headers = {str(k).lower(): str(v) for k, v in record["headers"].items()}
    # Recorded headers are the response's: without a Content-Type there, it had none. None recorded: the default.
    content_type = string_or_none(record.get("content_type")) or (
        headers.get("content-type") if headers is not None else default_content_type
    )
    parsed: Any = NOT_PARSED
    body: bytes | None
    body_error: str | None
    if "body" in record:
        parsed, body, body_error = record["body"], b"", None
    elif "body_text" in record:
        body, body_error = recorded_body(string_or_none(record["body_text"]), False, "body_text")
    elif type(size := record.get("body_size")) is int and "body_base64" not in record:
        return Unreadable(location, f"body of {size} bytes not recorded: over the recorder's --max-body-bytes",
                          "limit.body-bytes")  # fmt: skip
    else:
        body, body_error = recorded_body(string_or_none(record.get("body_base64")), True, "body_base64")
    return Exchange(
        location,
        record["status"],
        content_type,
        headers,
        body,
        method=string_or_none(record.get("method")),
        url=string_or_none(record.get("url")),
        parsed=parsed,
        body_error=body_error,
        credentials=(record.get("headers"), record.get("request_headers")),
        request_headers=request_headers_of(record.get("request_headers")),
    )


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """What a record keeps of a request: its method, its path and query (no host), and its headers, every
    credential-named query parameter and header masked. Enough to judge it (its parameters, whether it carried
    credentials); never a credential."""

    method: str
    target: str
    headers: dict[str, str]


def recorded_request(method: str, path: str, query: str, headers: Iterable[tuple[str, str]]) -> RecordedRequest:
    """The request as a record keeps it: `path` without host or query, `query` the raw query string (as written,
    unless a credential-named parameter must be masked)."""
    pairs = parse_qsl(query, keep_blank_values=True)
    if any(is_secret_name(name) for name, _ in pairs):
        query = urlencode([(name, _masked(name, value)) for name, value in pairs])
    kept = {name: _masked(name, value) for name, value in headers}
    return RecordedRequest(method.upper(), f"{path}?{query}" if query else path, kept)


def _masked(name: str, value: str) -> str:
    """A request's header or parameter as a record keeps it: a credential as `<redacted>`, unless it is empty (a
    request that sent an empty token carried none)."""
    return REDACTED if is_secret_name(name) and value.strip() else value


def record_line(request: RecordedRequest, status: int, headers: Iterable[tuple[str, str]], body: bytes | None, *,
                body_size: int | None = None, error: str | None = None) -> bytes:  # fmt: skip
    """The JSONL record of one exchange, as exchange_record reads it: the request (method, path and query, headers),
    the status, the response headers (credential-named ones masked) and the body as text, or base64 where it is not
    UTF-8; without the body, its size (`body_size`, over the recorder's limit) or why the exchange did not complete
    (`error`). No credential of the request or the response is recorded, only that there was one."""
    record: dict[str, Any] = {"method": request.method, "url": request.target, "request_headers": request.headers,
                              "status": status,
                              "headers": {name: REDACTED if is_secret_name(name) else value for name, value in headers}}  # fmt: skip
    if error is not None:
        record["error"] = error
    elif body is not None:
        try:
            record["body_text"] = body.decode("utf-8")
        except UnicodeDecodeError:
            record["body_base64"] = base64.b64encode(body).decode("ascii")
    elif body_size is not None:
        record["body_size"] = body_size
    return orjson.dumps(record) + b"\n"
