"""The record families of JSONL captures, told apart by shape line by line and read as the exchanges they hold.

- `record`: this toolkit's flat records (records.py): an integer `status` beside a recorded body or `headers`;
- `redocly` and `kong`: nested request and response objects, as Redocly drift's NDJSON and Kong's http-log plugin
  write them (`request`/`req`/`httpRequest`/`http.request`, `response`/`res`/`httpResponse`/`http.response`);
- `nginx` and `apache`: JSON access logs, a request line (`request`) or `request_method` beside a status; they
  record no body.

Only keys that no response body of the contract documents at its top level mark a family (as with flat records),
so a body is never taken for a record by a field of its own. A line of no family is a bare body, unless a family
was chosen (`--input-format`): then it is unrecognised.
"""

from __future__ import annotations

import re
from typing import Any

from ..redact import shown_keys
from .bodies import recorded_body, string_or_none
from .headers import headers_of, request_headers_of
from .items import NOT_PARSED, Exchange, Single, Skipped, Unreadable
from .records import RecordKeys, exchange_record

LINE_FAMILIES = ("record", "redocly", "kong", "nginx", "apache")
# What --input-format names: a family of JSONL lines, a kind of whole file, or `auto` (by name and shape).
INPUT_FORMATS = ("auto", *LINE_FAMILIES, "newman", "har", "body")

_REQUESTS = ("request", "req", "httpRequest")
_RESPONSES = ("response", "res", "httpResponse")
_KONG = ("latencies", "upstream_uri", "tries", "client_ip", "started_at", "service", "route")  # Kong's own keys
_APACHE = ("vhost", "response_status")  # keys Apache configurations use where nginx has others
_WEB_STATUS = ("status", "status_code", "response_status")
_REQUEST_LINE = re.compile(r"([A-Z][A-Z-]{1,19}) +(\S+)(?: +HTTP/\d(?:\.\d)?)? *\Z")
# Where the nested families keep a response body, first found first taken: a string is its text.
_BODY_KEYS = ("body", "bodyText", "body_text", "payload", "data", "rawBody", "raw_body")
_BASE64 = ("encoding", "bodyEncoding", "body_encoding")  # a string body is base64 where one of these says so

_SHAPES = {"record": "flat", "redocly": "nested", "kong": "nested", "nginx": "access log", "apache": "access log"}
FAMILY_NAMES = {
    "record": "a record of this toolkit",
    "redocly": "a Redocly drift NDJSON record",
    "kong": "a Kong http-log record",
    "nginx": "an nginx JSON access-log record",
    "apache": "an Apache JSON access-log record",
}


class RecordFamilies:
    """Which family a decoded JSONL line belongs to, and the exchange it holds. `chosen` is the family every line
    must be (--input-format), `body` for lines that are all bare bodies, or `auto`."""

    def __init__(self, documented: frozenset[str], chosen: str = "auto") -> None:
        self.flat = RecordKeys(documented)
        self.chosen = chosen if chosen in (*LINE_FAMILIES, "body") else "auto"
        self.requests = tuple(key for key in _REQUESTS if key not in documented)
        self.responses = tuple(key for key in _RESPONSES if key not in documented)
        self.http = "http" not in documented
        self.request_line = "request" not in documented
        self.request_method = "request_method" not in documented
        self.kong = frozenset(_KONG) - documented
        self.apache = frozenset(_APACHE) - documented
        # A line with none of these keys (and no integer status) is no record of any family: one set test tells
        # most bodies apart, before any lookup (the JSONL bulk path tests it inline).
        self.markers = frozenset(
            (*self.requests, *self.responses, *(("http",) if self.http else ()))
            + (("request",) if self.request_line else ())
            + (("request_method",) if self.request_method else ())
        )

    @property
    def forced(self) -> bool:
        """Whether every line must be a record of the chosen family (none is taken for a bare body)."""
        return self.chosen in LINE_FAMILIES

    def family(self, value: Any) -> str | None:
        """The family of a decoded line, or None for a bare body (or, with a family chosen, a line not of it)."""
        if type(value) is not dict or self.chosen == "body":
            return None
        found = self._shape(value)
        if found is None or self.chosen == "auto":
            return found
        # A chosen family reads the lines of its shape: Redocly's and Kong's are one shape, nginx's and Apache's too.
        return self.chosen if _SHAPES[found] == _SHAPES[self.chosen] else None

    def _shape(self, value: dict[str, Any]) -> str | None:
        if type(value.get("status")) is int and self.flat.is_record(value):
            return "record"
        if value.keys().isdisjoint(self.markers):
            return None
        if _nested(value, self.requests, self.http, "request") is not None or (
            _nested(value, self.responses, self.http, "response") is not None
        ):
            return "kong" if not self.kong.isdisjoint(value) else "redocly"
        if self._request_line(value) is not None and any(_status(value.get(key)) is not None for key in _WEB_STATUS):
            return "apache" if not self.apache.isdisjoint(value) else "nginx"
        return None

    def _request_line(self, value: dict[str, Any]) -> tuple[str | None, str | None] | None:
        """(method, target) of an access-log line: its request line, or its request_method and request_uri."""
        line = value.get("request") if self.request_line else None
        if isinstance(line, str):
            found = _REQUEST_LINE.match(line.strip())
            if found is not None:
                return found.group(1), found.group(2)
        method = value.get("request_method") if self.request_method else None
        if isinstance(method, str):
            return method, _first_string(value, "request_uri", "uri")
        return None

    def unrecognised(self, value: Any) -> str:
        """Why a line is not a record of the chosen family."""
        has = f"keys {shown_keys(value)}" if isinstance(value, dict) and value else f"a JSON {type(value).__name__}"
        return f"not {FAMILY_NAMES[self.chosen]} (--input-format {self.chosen}): it has {has}"

    def read(self, location: str, value: dict[str, Any], family: str, default_content_type: str) -> Single:
        """The exchange a record of `family` holds."""
        if family == "record":
            return exchange_record(location, value, default_content_type)
        if family in ("redocly", "kong"):
            return self._nested_exchange(location, value, default_content_type)
        return self._access_log_exchange(location, value)

    def _nested_exchange(self, location: str, record: dict[str, Any], default_content_type: str) -> Single:
        request = _nested(record, self.requests, self.http, "request") or {}
        response = _nested(record, self.responses, self.http, "response")
        if response is None:
            return Skipped(location, "no response recorded (the record has no response object)")
        status = _status(_first(response, "status", "statusCode", "status_code"))
        if status is None:  # beside the request and response, the record's own status is the response's
            status = _status(_first(record, "status", "statusCode"))
        if status is None:
            return Unreadable(location, "the record's response has no status (status, statusCode) that is a number")
        if status == 0:
            return Skipped(location, "no response recorded (status 0)")
        headers = headers_of(response.get("headers"))
        # Recorded headers are the response's: without a Content-Type there, it had none. None recorded: the default.
        content_type = headers.get("content-type") if headers is not None else default_content_type
        parsed: Any = NOT_PARSED
        body: bytes | None = None
        body_error: str | None = None
        for key in _BODY_KEYS:
            found = response.get(key)
            if found is None:
                continue
            if isinstance(found, str):
                encoded = any(string_or_none(response.get(name)) == "base64" for name in _BASE64)
                body, body_error = recorded_body(found, encoded, f"response.{key}")
            else:
                parsed, body = found, b""
            break
        return Exchange(
            location,
            status,
            content_type,
            headers,
            body,
            method=_first_string(request, "method", "httpMethod", "http_method") or _first_string(record, "method"),
            url=_nested_url(record, request),
            parsed=parsed,
            body_error=body_error,
            credentials=(request.get("headers"), response.get("headers")),
            request_headers=request_headers_of(request.get("headers")),
        )

    def _access_log_exchange(self, location: str, record: dict[str, Any]) -> Single:
        method, target = self._request_line(record) or (None, None)
        status = next((found for key in _WEB_STATUS if (found := _status(record.get(key))) is not None), None)
        if status is None:  # (detection saw one)
            return Unreadable(location, "the access-log record has no status that is a number")
        if status == 0:
            return Skipped(location, "no response recorded (status 0)")
        absolute = _first_string(record, "request_url", "absolute_uri", "url")
        if absolute is not None and not absolute.lower().startswith(("http://", "https://")):
            target, absolute = target or absolute, None
        host = _first_string(record, "host", "http_host", "server_name", "vhost")
        scheme = _first_string(record, "scheme", "request_scheme") or "http"
        url = absolute or (f"{scheme}://{host}{_rooted(target)}" if host and target else target)
        headers = headers_of(record.get("response_headers"))
        content_type = _first_string(record, "sent_http_content_type", "response_content_type")
        content_type = content_type or (headers or {}).get("content-type")
        text = _first_string(record, "response_body", "resp_body")
        body, body_error = recorded_body(text, False, "response_body")
        return Exchange(
            location,
            status,
            content_type,
            headers,
            body,
            method=method,
            url=url,
            body_error=body_error,
            credentials=(record.get("request_headers"), record.get("response_headers")),
            request_headers=request_headers_of(record.get("request_headers")),
        )


def _nested(record: dict[str, Any], keys: tuple[str, ...], http: bool, inner: str) -> dict[str, Any] | None:
    """The first of `keys` that holds an object, else `http.<inner>` (when `http` is no documented field)."""
    for key in keys:
        found = record.get(key)
        if type(found) is dict:
            return found
    holder = record.get("http") if http else None
    found = holder.get(inner) if type(holder) is dict else None
    return found if type(found) is dict else None


def _nested_url(record: dict[str, Any], request: dict[str, Any]) -> str | None:
    """The request's URL: as recorded, or its host and path put together."""
    direct = _first_string(request, "url", "uri", "requestUrl") or _first_string(record, "url")
    if direct is not None:
        return direct
    headers = request.get("headers")
    host = _first_string(request, "host") or (headers_of(headers) or {}).get("host") or _first_string(record, "host")
    path = _first_string(request, "path", "pathname", "request_uri") or _first_string(record, "path")
    scheme = _first_string(request, "scheme", "forwarded_proto") or _first_string(record, "scheme") or "http"
    return f"{scheme}://{host}{_rooted(path)}" if host and path else path


def _rooted(path: str) -> str:
    return path if path.startswith("/") else f"/{path}"


def _status(value: Any) -> int | None:
    """An HTTP status recorded as a number or as digits (access logs write `"200"`)."""
    if type(value) is int:
        return value
    if isinstance(value, str) and len(value) == 3 and value.isascii() and value.isdigit():
        return int(value)
    return None


def _first(holder: dict[str, Any], *keys: str) -> Any:
    return next((holder[key] for key in keys if holder.get(key) is not None), None)


def _first_string(holder: dict[str, Any], *keys: str) -> str | None:
    return next((found for key in keys if isinstance(found := holder.get(key), str) and found), None)
