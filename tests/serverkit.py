"""Helpers for tests of the reference server: an in-process client, a loopback uvicorn server."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn

from dms_smartconnect_contract.live.reference_data import DEFAULT_INSTANCE_ID, DEFAULT_PROJECT_ID
from dms_smartconnect_contract.live.server import ServerConfig, bundled_tasks, create_app, index_tasks

TOKEN = "test-token-value-0123456789"
ACCESS_KEY, SECRET_KEY = "TESTAK0123456789", "test-secret-key-value-0123456789"
SEED_TASK = "194917d0-8c1b-4f1e-b3a2-6e0d9f4c2a15"  # answers for the API reference's masked 194917d0-****-...
KNOWN = {"project_id": DEFAULT_PROJECT_ID, "instance_id": DEFAULT_INSTANCE_ID, "task_id": SEED_TASK}
TASK_PATH = f"/v2/{DEFAULT_PROJECT_ID}/instances/{DEFAULT_INSTANCE_ID}/connector/tasks/"


def make_app(fault: str | None = None) -> Any:
    config = ServerConfig(index_tasks(bundled_tasks()), tokens=[TOKEN], keys={ACCESS_KEY: SECRET_KEY}, fault=fault)
    return create_app(config)


def get(app: Any, path: str, headers: dict[str, str] | None = None, method: str = "GET") -> httpx.Response:
    """One request to the app, in process."""

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as client:
            return await client.request(method, path, headers=headers)

    return asyncio.run(send())


def listening(port: int, alive: Callable[[], bool], seconds: float) -> bool:
    """Whether a server comes to listen on the loopback `port` within `seconds`, while `alive()` (a connection, no
    request: nothing for it to count)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            if time.monotonic() > deadline or not alive():
                return False
            time.sleep(0.02)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(fault: str | None = None) -> Iterator[str]:
    """The reference server under uvicorn on a free loopback port, for the duration of the block; its base URL."""
    with serving(make_app(fault)) as base:
        yield base


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """An ASGI app under uvicorn on a free loopback port, for the duration of the block; its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start within 10 s")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def serving_tls(app: Any) -> Iterator[tuple[str, str]]:
    """An ASGI app under hypercorn over TLS on a free loopback port, offering HTTP/2 and HTTP/1.1 (ALPN), with a
    certificate of a CA made for the block; its base URL and the CA's PEM file."""
    import tempfile

    import trustme
    from hypercorn.asyncio import serve
    from hypercorn.config import Config

    authority = trustme.CA()
    issued = authority.issue_cert("127.0.0.1", "localhost")
    with tempfile.TemporaryDirectory() as folder:
        ca, chain, key = f"{folder}/ca.pem", f"{folder}/chain.pem", f"{folder}/key.pem"
        authority.cert_pem.write_to_path(ca)
        issued.cert_chain_pems[0].write_to_path(chain)
        for extra in issued.cert_chain_pems[1:]:
            extra.write_to_path(chain, append=True)
        issued.private_key_pem.write_to_path(key)
        port = free_port()
        config = Config()
        config.bind, config.certfile, config.keyfile = [f"127.0.0.1:{port}"], chain, key
        config.alpn_protocols = ["h2", "http/1.1"]
        config.loglevel = "WARNING"
        loop = asyncio.new_event_loop()
        stop = asyncio.Event()
        thread = threading.Thread(target=loop.run_until_complete, args=(serve(app, config, shutdown_trigger=stop.wait),),
                                  daemon=True)  # fmt: skip
        thread.start()
        if not listening(port, thread.is_alive, 10):
            raise RuntimeError("the TLS server did not start within 10 s")
        try:
            yield f"https://127.0.0.1:{port}", ca
        finally:
            loop.call_soon_threadsafe(stop.set)
            thread.join(timeout=10)
            loop.close()
