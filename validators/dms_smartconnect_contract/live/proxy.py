"""The validating proxy: a reverse proxy in front of the real endpoint that passes every exchange through as the
upstream sent it, and judges the responses of the contract's operations as they pass.

An ASGI application (served by uvicorn), with a client session to the upstream (live/upstream.py).
Status, headers and body stream to the client as they come, the body raw (its Content-Encoding untouched). A copy of
the body, up to the limit (--max-body-bytes), is kept for judging and decoded only then. Each exchange, once complete, is written as the
JSONL record `validate` reads (formats/records.py), and that record is what the checker judges, line by line as
`validate` judges it: the proxy's verdict and that of `validate` over its record are one.

With `annotate` or `reject`, the body is held (up to the limit) until it is judged, since the verdict goes in the
response's headers or replaces the response: those are the modes for tests, not for transparent recording.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import IO, Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from yarl import URL

from ..check import Checker
from ..findings import Keeping, Outcome, Result, Tally
from ..formats.records import RecordedRequest, record_line, recorded_request
from ..redact import printable, safe_path
from .decoding import Undecodable, decoded_body
from .server import error_response
from .signing import ALGORITHM, sign, verify
from .upstream import Headers, Upstream, Upstreamed, UpstreamFailed, UpstreamTimeout, reason_of

# Headers of one connection (RFC 9110, 7.6.1), never forwarded; and those the transport sets for each hop.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
                        "upgrade", "proxy-authenticate", "proxy-authorization"})  # fmt: skip
VERDICT_HEADER = "X-Contract-Verdict"
log = logging.getLogger("smartconnect_contract.proxy")
PROBLEM = "application/problem+json"
# A compressed body longer than this much over the limit decodes to more than the limit: no encoding adds more
# than a few bytes per block to data it cannot compress.
_ENCODING_SLACK = 1024


@dataclass(frozen=True)
class ProxyOptions:
    """Where the proxy forwards to, and what it does with the verdict."""

    upstream: str  # the upstream's base URL: scheme, host, port, and a path prefix if any
    max_body_size: int
    annotate: bool = False  # add X-Contract-Verdict to each judged response
    reject: bool = False  # answer 502 with the findings instead of a violating response
    # The AK/SK the proxy verifies its clients' signatures with and signs for the upstream with; None: signed
    # requests are forwarded as they are (signed for the proxy's host, which the upstream refuses).
    keys: tuple[str, str] | None = field(default=None, repr=False)


class Exchanges:
    """Every exchange the proxy saw, in the order each completed: numbered, recorded (`record`, a binary file
    open for writing, or None) and judged, one at a time on a thread of its own so that judging never holds the
    event loop. Items are located at `prefix` + their number: the record's path and line, as `validate` locates
    them. A judging that fails is raised again by close(), never lost with its exchange."""

    def __init__(self, checker: Checker, keeping: Keeping, record: IO[bytes] | None, prefix: str,
                 source: str) -> None:  # fmt: skip
        self.checker, self.record, self.prefix, self.source = checker, record, prefix, source
        self.tally: Tally = keeping.tally()
        self.count = 0
        self._judging = ThreadPoolExecutor(1, thread_name_prefix="judge")
        self._lock = threading.Lock()
        self._failed: BaseException | None = None

    def add(self, line: bytes) -> Any:
        """Number, record and judge one exchange's record line; a future of its Result."""
        with self._lock:  # numbers and record lines in the same order
            self.count += 1
            number = self.count
            if self.record is not None:
                self.record.write(line)
                self.record.flush()
            judged = self._judging.submit(self._judge, number, line)
        judged.add_done_callback(self._check)
        return judged

    def _check(self, judged: Any) -> None:
        failed = judged.exception()
        if failed is not None and self._failed is None:
            self._failed = failed

    def _judge(self, number: int, line: bytes) -> Result:
        result = self.checker.judge_jsonl(f"{self.prefix}{number}", line.rstrip(b"\n"))
        self.tally.add(result, self.source)
        return result

    def close(self) -> Tally:
        """Wait for every exchange to be judged; the tally of them all."""
        self._judging.shutdown(wait=True)
        if self.record is not None:
            self.record.flush()
        if self._failed is not None:
            raise self._failed
        return self.tally


def create_proxy(options: ProxyOptions, exchanges: Exchanges, session: Upstream) -> Any:
    """The proxy's ASGI application; `session`, the client session to the upstream, opened and closed with the
    application's lifespan (in the event loop that serves).

    A bare ASGI callable rather than a Starlette app: the one route takes every path, and a streamed body is sent
    piece by piece as it comes (Starlette's StreamingResponse runs a task group per response to watch for the
    client leaving, which cost the proxy more than its forwarding did). Starlette's responses are still what the
    proxy answers of its own (a problem, a refusal, a held body)."""
    upstream = URL(options.upstream)
    base_path = upstream.raw_path.rstrip("/")
    netloc = f"{upstream.host}:{upstream.port}" if upstream.explicit_port else str(upstream.host)
    operations = exchanges.checker.operations

    async def forward(scope: Any, receive: Any) -> Any:
        path, method = scope["path"], scope["method"]
        if method not in _METHODS:
            return Response("Method Not Allowed", 405, {"Allow": ", ".join(_METHODS)}, media_type="text/plain")
        # The target as the client wrote it (its escapes kept), after the upstream's own path.
        raw = (scope.get("raw_path") or path.encode("latin-1")).decode("latin-1")
        query = scope.get("query_string", b"").decode("latin-1")
        target = str(URL.build(scheme=upstream.scheme, host=upstream.raw_host or "", port=upstream.explicit_port,
                               path=base_path + raw, query_string=query, encoded=True))  # fmt: skip
        asked = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]]
        headers = [(name, netloc if name == "host" else value) for name, value in asked if name not in HOP_BY_HOP]
        judged = not isinstance(operations.route(method, path), str)
        recorded = recorded_request(method, safe_path(path), query, asked)
        # A request with no body (most: GET) is sent with none, rather than as an empty chunked stream.
        names = {name for name, _ in asked}
        content: Any = _request_body(receive) if "content-length" in names or "transfer-encoding" in names else None
        if options.keys is not None and any(name == "authorization" and value.startswith(ALGORITHM)
                                            for name, value in asked):  # fmt: skip
            body = b"".join([chunk async for chunk in _request_body(receive)])  # the signature covers it
            refused = _refused(options.keys, Request(scope), body)
            if refused is not None:
                return refused
            headers, content = _signed(options.keys, method, target, headers, body), body
        try:
            # Nothing added to what the client sent: the upstream sees its own Accept-Encoding, or none.
            response = await session.send(method, target, headers, content)
        except UpstreamTimeout as exc:
            return _fault(exchanges, recorded, 504, f"the upstream did not answer in time ({exc})")
        except UpstreamFailed as exc:
            return _fault(exchanges, recorded, 502, f"the upstream could not be reached ({exc})")
        passed = [(name, value) for name, value in response.headers if name.lower() not in HOP_BY_HOP]
        encoding = next((value for name, value in passed if name.lower() == "content-encoding"), "identity")
        encoding = encoding.strip().lower()
        if judged and (options.annotate or options.reject):
            return await _held(options, exchanges, recorded, response, passed, encoding)
        tee = _Tee(options.max_body_size if judged else 0)
        relayed = _relayed(exchanges, recorded, response, passed, tee, encoding, judged, options.max_body_size)
        return _Streamed(response.status, passed, relayed)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            answer = await forward(scope, receive)
            await answer(scope, receive, send)
        elif scope["type"] == "lifespan":
            await _lifespan(session, receive, send)

    return app


async def _lifespan(session: Upstream, receive: Any, send: Any) -> None:
    """The ASGI lifespan: the session to the upstream opened as the server starts, and closed as it stops."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            try:
                await session.open()
            except Exception as exc:  # (uvicorn then stops, saying why)
                await send({"type": "lifespan.startup.failed", "message": reason_of(exc)})
                return
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await session.close()
            await send({"type": "lifespan.shutdown.complete"})
            return


class ClientDisconnected(Exception):
    """The client went away while its request's body was being read."""


async def _request_body(receive: Any) -> AsyncIterator[bytes]:
    """The request's body as the client sends it, piece by piece."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        if message.get("body"):
            yield message["body"]
        if not message.get("more_body", False):
            return


class _Streamed:
    """A response as the upstream sends it, as an ASGI callable: the status, exactly its headers (repeated ones kept
    apart), then each piece of the body as it comes."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: Headers, body: AsyncIterator[bytes]) -> None:
        self.status, self.body = status, body
        self.headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        async for chunk in self.body:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


async def _relayed(exchanges: Exchanges, request: RecordedRequest, response: Upstreamed, passed: Headers, body: _Tee,
                   encoding: str, judged: bool, limit: int, held: list[bytes] | None = None) -> AsyncIterator[bytes]:  # fmt: skip
    """The body as the upstream sends it, after what was read of it already (`held`), each piece fed to `body`; the
    exchange recorded once the body ends, or breaks off."""
    error = None
    try:
        while held:
            yield held.pop(0)
        async for chunk in response.chunks:
            body.feed(chunk)
            yield chunk
    except (UpstreamFailed, UpstreamTimeout) as exc:
        error = f"the upstream broke off the body after {body.size} bytes ({exc})"
        raise
    finally:
        await response.release()
        exchanges.add(_line(request, response.status, passed, body, encoding, judged, error, limit))


async def _held(options: ProxyOptions, exchanges: Exchanges, request: RecordedRequest, response: Upstreamed,
                passed: Headers, encoding: str) -> Any:  # fmt: skip
    """A response held until it is judged: annotated with the verdict, or replaced by a 502 that lists the
    findings. A body over the limit is not held: its verdict is known (limit.body-bytes), and it streams on."""
    body = _Tee(options.max_body_size)
    chunks: list[bytes] = []
    try:
        while body.kept is not None:
            chunk = await anext(response.chunks, b"")
            if not chunk:
                break
            body.feed(chunk)
            chunks.append(chunk)
    except (UpstreamFailed, UpstreamTimeout) as exc:
        reason = f"the upstream broke off the body after {body.size} bytes ({exc})"
        await response.release()
        exchanges.add(_line(request, response.status, passed, body, encoding, True, reason, 0))
        return _problem(502, reason)
    if body.kept is None:
        verdict = [(VERDICT_HEADER, "unreadable; rule=limit.body-bytes")] if options.annotate else []

        relayed = _relayed(exchanges, request, response, passed, body, encoding, True, 0, chunks)
        return _Streamed(response.status, passed + verdict, relayed)
    await response.release()
    line = _line(request, response.status, passed, body, encoding, True, None, options.max_body_size)
    result: Result = await asyncio.wrap_future(exchanges.add(line))
    if options.reject and result.outcome is Outcome.VIOLATING:
        return _problem(502, f"the upstream's response breaks the contract ({len(result.findings)} finding(s))",
                        result)  # fmt: skip
    verdict = [(VERDICT_HEADER, verdict_header(result))] if options.annotate else []
    return _as_sent(Response(b"".join(chunks), response.status), passed + verdict)


def _refused(keys: tuple[str, str], request: Request, body: bytes) -> Response | None:
    """None when the request's own signature verifies with the proxy's AK/SK, else the 401 the gateway answers:
    the proxy signs nothing it has not verified, so it lends its credentials to no one."""
    headers = {name.lower(): value for name, value in request.headers.items()}
    access, secret = keys
    verdict = verify(headers["authorization"], request.method, request.url.path, request.url.query, headers, body,
                     {access: secret})  # fmt: skip
    if verdict.ok:
        return None
    log.warning("proxy: refused %s %s: %s", request.method, printable(safe_path(request.url.path)), verdict.reason)
    message = f"Incorrect IAM authentication information: {verdict.reason}"
    return error_response((401, "APIGW.0301", message), request.headers.get("x-request-id"), gateway=True)


def _signed(keys: tuple[str, str], method: str, target: str, headers: list[tuple[str, str]],
            body: bytes) -> list[tuple[str, str]]:  # fmt: skip
    """The request's headers signed again for the upstream's host, with the proxy's AK/SK."""
    unsigned = {name: value for name, value in headers if name not in ("authorization", "x-sdk-date", "host")}
    return list(sign(*keys, method, target, unsigned, body).items())


def verdict_header(result: Result) -> str:
    """X-Contract-Verdict: the outcome, how many findings, and their rules (`violating; findings=2;
    rules=schema.type,header.missing`)."""
    if result.outcome is Outcome.UNREADABLE:
        return f"unreadable; rule={result.rule or 'item.unreadable'}"
    rules = sorted({finding.rule for finding in result.findings})
    value = f"{result.outcome.value}; findings={len(result.findings)}"
    return value + (f"; rules={','.join(rules)}" if rules else "")


def _problem(status: int, title: str, result: Result | None = None) -> Response:
    """An RFC 9457 problem body, with the findings where there are some."""
    body: dict[str, Any] = {"type": "about:blank", "title": printable(title), "status": status}
    if result is not None:
        body["findings"] = [finding.as_dict() for finding in result.findings]
        if result.reason:
            body["detail"] = result.reason
    return Response(orjson.dumps(body), status, media_type=PROBLEM)


def _fault(exchanges: Exchanges, request: RecordedRequest, status: int, reason: str) -> Response:
    """No response from the upstream: recorded and counted (unreadable, with why), and a problem answered."""
    exchanges.add(record_line(request, status, [], None, error=reason))
    return _problem(status, reason)


def _as_sent(response: Response, headers: list[tuple[str, str]]) -> Response:
    """`response` with exactly these headers, repeated ones kept apart, as the upstream sent them (its body is the
    upstream's, so its Content-Length and Content-Encoding stand)."""
    response.raw_headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]
    return response


class _Tee:
    """A copy of a body as it streams, up to `limit` bytes (and the slack of an encoding); its whole size."""

    def __init__(self, limit: int) -> None:
        self.keep = limit + _ENCODING_SLACK if limit else 0
        self.kept: bytearray | None = bytearray() if limit else None
        self.size = 0

    def feed(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.kept is not None:
            if len(self.kept) + len(chunk) > self.keep:
                self.kept = None  # over the limit in every decoding
            else:
                self.kept += chunk


def _line(request: RecordedRequest, status: int, headers: list[tuple[str, str]], body: _Tee, encoding: str,
          judged: bool, error: str | None, limit: int) -> bytes:  # fmt: skip
    """The record of one exchange: its body decoded from its Content-Encoding, where it is kept."""
    if error is not None:
        return record_line(request, status, headers, None, error=error)
    if not judged:  # no operation of the contract: recorded without its body, as `validate` skips it
        return record_line(request, status, headers, None)
    if body.kept is None:
        return record_line(request, status, headers, None, body_size=body.size)
    try:
        decoded = decoded_body(bytes(body.kept), encoding, limit)
    except Undecodable as exc:
        return record_line(request, status, headers, None, error=str(exc))
    if decoded is None:
        return record_line(request, status, headers, None, body_size=body.size)
    return record_line(request, status, headers, decoded)
