"""The client side of the validating proxy (live/proxy.py): a session to the upstream that sends a request as the
client wrote it and hands back the response as the upstream sent it.

Two sessions, one interface. HTTP/1.1 goes through aiohttp, whose pool keeps up with many clients at once (httpx's
falls to about a hundred requests a second at 50 concurrent clients: see bench/proxy.py). HTTP/2, when it is asked
for (--http2), goes through httpx with h2: negotiated over TLS (ALPN), many requests at once on each connection,
and HTTP/1.1 where the upstream does not offer it. Both leave bodies encoded, add no header of their own, and fail
in the same two ways, UpstreamTimeout and UpstreamFailed, each with a reason a report may show.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from ..redact import mask, printable

Headers = list[tuple[str, str]]


class UpstreamTimeout(Exception):
    """The upstream did not answer, or send more of a body, in time."""


class UpstreamFailed(Exception):
    """The upstream could not be reached, or broke off its answer."""


@dataclass(frozen=True)
class Upstreamed:
    """A response as the upstream sends it: its status, its headers exactly as sent (as written, repeated ones
    apart), its body raw as it comes (`chunks`), and `release()`, which lets the connection go."""

    status: int
    headers: Headers
    chunks: AsyncIterator[bytes]
    release: Callable[[], Awaitable[None]]


class Upstream(Protocol):
    """A client session to the upstream, opened in the event loop that serves and closed when it stops."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def send(self, method: str, target: str, headers: Headers, content: Any) -> Upstreamed:
        """Send a request (`content`: bytes, an async iterator of them, or None for no body); its response."""


def upstream_session(connections: int, timeout: float, ssl: Any = True, *, http2: bool = False) -> Upstream:
    """The session to the upstream: up to `connections` open at once (or streams, over HTTP/2), `timeout` seconds
    per connect or read, certificates verified by `ssl` (True: the system's CAs; or an SSLContext)."""
    return (Http2Upstream if http2 else Http1Upstream)(connections, timeout, ssl)


class Http1Upstream:
    """HTTP/1.1, with aiohttp."""

    # Headers aiohttp would add to a request of its own accord.
    NOT_ADDED = frozenset({"Accept", "Accept-Encoding", "User-Agent", "Content-Type"})

    def __init__(self, connections: int, timeout: float, ssl: Any = True) -> None:
        self.connections, self.timeout, self.ssl = connections, timeout, ssl
        self.session: Any = None

    async def open(self) -> None:
        import aiohttp

        connector = aiohttp.TCPConnector(limit=self.connections, ssl=self.ssl)
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=self.timeout, sock_read=self.timeout)
        self.session = aiohttp.ClientSession(connector=connector, timeout=timeout, auto_decompress=False)

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()

    async def send(self, method: str, target: str, headers: Headers, content: Any) -> Upstreamed:
        import aiohttp
        from yarl import URL

        assert self.session is not None, "opened as the server starts"
        errors = (TimeoutError, aiohttp.ClientError)
        with _upstream_errors(*errors):
            response = await self.session.request(method, URL(target, encoded=True), headers=headers, data=content,
                                                  allow_redirects=False, skip_auto_headers=self.NOT_ADDED)  # fmt: skip

        async def release() -> None:
            response.release()

        sent = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in response.raw_headers]
        return Upstreamed(response.status, sent, _chunks(response.content.iter_any(), errors), release)


class Http2Upstream:
    """HTTP/2 over TLS where the upstream offers it, else HTTP/1.1: with httpx and h2."""

    def __init__(self, connections: int, timeout: float, ssl: Any = True) -> None:
        self.connections, self.timeout, self.ssl = connections, timeout, ssl
        self.client: Any = None

    async def open(self) -> None:
        import httpx

        limits = httpx.Limits(max_connections=self.connections, max_keepalive_connections=self.connections)
        timeout = httpx.Timeout(self.timeout, pool=None)
        # Proxies from the environment are not followed (as aiohttp's session does not), and no default header is
        # added: the upstream sees what the client sent.
        self.client = httpx.AsyncClient(http2=True, verify=self.ssl, timeout=timeout, limits=limits,
                                        follow_redirects=False, trust_env=False)  # fmt: skip
        self.client.headers.clear()

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()

    async def send(self, method: str, target: str, headers: Headers, content: Any) -> Upstreamed:
        import httpx

        assert self.client is not None, "opened as the server starts"
        errors = (httpx.TimeoutException, (httpx.HTTPError, httpx.InvalidURL))
        with _upstream_errors(*errors):
            request = self.client.build_request(method, target, headers=headers, content=content)
            response = await self.client.send(request, stream=True)
        sent = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in response.headers.raw]
        return Upstreamed(response.status_code, sent, _chunks(response.aiter_raw(), errors), response.aclose)


ErrorTypes = type[BaseException] | tuple[type[BaseException], ...]


@contextlib.contextmanager
def _upstream_errors(timeouts: ErrorTypes, failures: ErrorTypes) -> Iterator[None]:
    """A client's errors as the proxy reads them: its `timeouts` as UpstreamTimeout, its `failures` as
    UpstreamFailed, each with its reason."""
    try:
        yield
    except timeouts as exc:
        raise UpstreamTimeout(reason_of(exc)) from exc
    except failures as exc:
        raise UpstreamFailed(reason_of(exc)) from exc


async def _chunks(pieces: AsyncIterator[bytes], errors: tuple[ErrorTypes, ErrorTypes]) -> AsyncIterator[bytes]:
    """A body's pieces as a client reads them, its errors as the proxy reads them."""
    with _upstream_errors(*errors):
        async for piece in pieces:
            yield piece


def reason_of(exc: BaseException) -> str:
    """What went wrong, as a report may show it: one printable line, any credential in it masked."""
    return printable(mask(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__))
