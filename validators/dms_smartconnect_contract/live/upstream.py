"""The client session to the upstream of the validating proxy (live/proxy.py)."""

from __future__ import annotations

from typing import Any

import aiohttp

from ..redact import mask, printable


class UpstreamSession:
    """The client session to the upstream, made in the event loop that serves (open) and closed when it stops: up
    to `connections` kept open at once, bodies left encoded, `timeout` seconds per connect or read."""

    def __init__(self, connections: int, timeout: float, ssl: Any = True) -> None:
        self.connections, self.timeout, self.ssl = connections, timeout, ssl
        self.session: aiohttp.ClientSession | None = None

    def __call__(self) -> aiohttp.ClientSession:
        assert self.session is not None, "opened as the server starts"
        return self.session

    async def open(self) -> None:
        connector = aiohttp.TCPConnector(limit=self.connections, ssl=self.ssl)
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=self.timeout, sock_read=self.timeout)
        self.session = aiohttp.ClientSession(connector=connector, timeout=timeout, auto_decompress=False)

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()


def reason_of(exc: BaseException) -> str:
    """What went wrong, as a report may show it: one printable line, any credential in it masked."""
    return printable(mask(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__))
