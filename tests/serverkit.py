"""Helpers for tests of the reference server: an in-process client, a loopback uvicorn server."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
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
