"""Load test of the reference server: `serve` on loopback, many concurrent connections, a mix of requests.

The server is started as a process of its own (uvicorn, as users run it). Clients are plain asyncio connections
speaking HTTP/1.1 with keep-alive, so that the client costs little beside the server on a small machine. Each
connection sends its share of a fixed mix: valid requests for known tasks, unauthorised ones (no token, a wrong
token, a token for another project) and hostile ones (control characters, path traversal, overlong and malformed
IDs, unknown methods and paths, oversized headers and queries, credentials where they do not belong). The run is
bounded: a fixed number of requests, and a deadline after which it stops and fails.

Reported: requests per second, latency p50 and p99, statuses; and the checks: no 5xx, every response carrying
`X-Request-Id`, every connection answered, the server's log one printable line per request with no credential.

    python bench/load.py [--connections 1000] [--requests 5] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT = "a4a5d4098fb4474fa22cd05f897d6b99"
INSTANCE = "59f6d088-2b1e-4c55-9a43-5d3c2f1e0a77"
TOKEN = "MIIload" + "A" * 120  # the accepted token: IAM-token shaped, so the log check can look for it
BASE = f"/v2/{PROJECT}/instances/{INSTANCE}/connector/tasks/"


def _kinds(task_ids: list[str]) -> list[tuple[str, str, str, dict[str, str]]]:
    """(kind, method, target, headers) of every request of the mix."""
    good = {"X-Auth-Token": TOKEN}
    task = task_ids[0]
    return [
        ("valid", "GET", BASE + task, good),
        ("valid", "GET", BASE + task_ids[-1], good),
        ("valid", "GET", BASE + "00000000-0000-4000-8000-000000000000", good),  # a task that does not exist
        ("unauthorised", "GET", BASE + task, {}),
        ("unauthorised", "GET", BASE + task, {"X-Auth-Token": "MIIwrong" + "B" * 100}),
        ("unauthorised", "GET", BASE.replace(PROJECT, "f" * 32) + task, good),
        ("unauthorised", "GET", BASE + task, {"Authorization": "SDK-HMAC-SHA256 Access=AK0, Signature=00"}),
        ("hostile", "GET", BASE + task + "%00", good),
        ("hostile", "GET", BASE + "%0d%0aX-Injected:%20yes", good),
        ("hostile", "GET", BASE + "..%2f..%2f..%2fetc%2fpasswd", good),
        ("hostile", "GET", BASE + "x" * 4000, good),
        ("hostile", "GET", BASE + task + "?token=" + TOKEN + "&x=" + "y" * 2000, good),
        ("hostile", "GET", f"/v2/{PROJECT}%1b[31m/instances/{INSTANCE}/connector/tasks/{task}", good),
        ("hostile", "DELETE", BASE + task, good),
        ("hostile", "POST", BASE + task, {**good, "Content-Type": "application/json"}),
        ("hostile", "GET", "/v2/../../admin", good),
        ("hostile", "GET", "/openapi.json", {}),
        ("hostile", "GET", BASE + task, {"X-Auth-Token": TOKEN, "X-Padding": "p" * 6000}),
        ("hostile", "GET", BASE + "%ff%fe%fd", good),
        # Not HTTP: bytes a request target may not hold. The HTTP parser answers 400 and closes the connection
        # before any application sees the request, so this answer carries no request id (counted apart).
        ("malformed", "GET", BASE + "\u2028".encode().decode("latin-1"), good),
    ]


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    by_kind: Counter[tuple[str, int]] = field(default_factory=Counter)
    missing_id: Counter[str] = field(default_factory=Counter)  # by kind of request
    failed: list[str] = field(default_factory=list)  # connections that broke, and why


def _request(method: str, target: str, headers: dict[str, str], host: str) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    body = b"{}" if method == "POST" else b""
    if body:
        lines.append(f"Content-Length: {len(body)}")
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    if length:
        await reader.readexactly(length)
    return int(status_line.split(" ", 2)[1]), headers


async def _connection(
    port: int, plan: list[tuple[str, str, str, dict[str, str]]], stats: Stats, start: asyncio.Event
) -> None:
    """Send a plan's requests on one keep-alive connection, opening a new one when the server closes it."""
    await start.wait()
    host = f"127.0.0.1:{port}"
    writer = None
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for kind, method, target, headers in plan:
            if writer.is_closing():
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            began = time.perf_counter()
            writer.write(_request(method, target, headers, host))
            await writer.drain()
            status, answer = await _read_response(reader)
            stats.latencies.append(time.perf_counter() - began)
            stats.statuses[status] += 1
            stats.kinds[kind] += 1
            stats.by_kind[kind, status] += 1
            if "x-request-id" not in answer:
                stats.missing_id[kind] += 1
            if answer.get("connection", "").lower() == "close":
                writer.close()
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        stats.failed.append(f"{type(exc).__name__}: {exc}")
    finally:
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


async def _load(port: int, connections: int, requests: int, seed: int, deadline: float) -> tuple[Stats, float]:
    rng = random.Random(seed)
    kinds = _kinds(await _task_ids(port))
    stats = Stats()
    start = asyncio.Event()
    plans = [[rng.choice(kinds) for _ in range(requests)] for _ in range(connections)]
    tasks = [asyncio.create_task(_connection(port, plan, stats, start)) for plan in plans]
    await asyncio.sleep(0)
    began = time.perf_counter()
    start.set()
    _done, pending = await asyncio.wait(tasks, timeout=deadline)
    for task in pending:
        task.cancel()
    if pending:
        stats.failed.append(f"{len(pending)} connection(s) still open after the {deadline:.0f} s deadline")
    return stats, time.perf_counter() - began


async def _task_ids(port: int) -> list[str]:
    """The IDs of the tasks the server serves: the bundled data's, read as the server reads them."""
    from dms_smartconnect_contract.live.server import bundled_tasks

    ids = [task["id"] for task in bundled_tasks() if len(task["id"]) == 36 and "*" not in task["id"]]
    if not ids:
        raise RuntimeError("the bundled data holds no task with a whole ID")
    return ids[:1] + ids[-1:]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_listening(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not listen on port {port} within {timeout} s")


def run(connections: int, requests: int, seed: int = 1, deadline: float = 120.0) -> dict[str, Any]:
    """Start the server, load it, stop it; the figures and checks as one record."""
    port = _free_port()
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"smartconnect-load-{port}.log"
    env = {**os.environ, "SMARTCONNECT_TOKEN": TOKEN, "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT}
    command = [sys.executable, "-m", "dms_smartconnect_contract", "serve", "--port", str(port),
               "--project-id", PROJECT, "--instance-id", INSTANCE]  # fmt: skip
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            _wait_listening(port, server)
            stats, seconds = asyncio.run(_load(port, connections, requests, seed, deadline))
        finally:
            server.terminate()
            server.wait(timeout=30)
    log_text = log_path.read_bytes()
    log_path.unlink()
    lines = [line for line in log_text.decode("utf-8", "replace").splitlines() if " -> " in line]
    latencies = sorted(stats.latencies)
    answered = len(latencies)

    def percentile(share: float) -> float:
        return latencies[min(answered - 1, int(share * answered))] * 1000 if answered else float("nan")

    server_errors = sum(count for status, count in stats.statuses.items() if status >= 500)
    checks = {
        "every request answered": answered == connections * requests and not stats.failed,
        "no 5xx": server_errors == 0,
        "X-Request-Id on every response of the application": sum(stats.missing_id.values())
        == stats.missing_id["malformed"]
        and answered > 0,
        "malformed HTTP answered 400 by the HTTP parser": all(
            status == 400 for kind, status in stats.by_kind if kind == "malformed"
        ),
        "one log line per request of the application": len(lines) == answered - stats.kinds["malformed"],
        "log lines printable, no credential": all(line.isprintable() for line in lines)
        and TOKEN.encode() not in log_text,
    }
    return {
        "connections": connections,
        "requests": connections * requests,
        "answered": answered,
        "seconds": round(seconds, 3),
        "rps": round(answered / seconds, 1) if seconds else 0.0,
        "p50_ms": round(percentile(0.50), 2),
        "p99_ms": round(percentile(0.99), 2),
        "statuses": dict(sorted(stats.statuses.items())),
        "kinds": dict(sorted(stats.kinds.items())),
        "server_errors": server_errors,
        "missing_request_id": dict(stats.missing_id),
        "failed": stats.failed[:5],
        "checks": checks,
        "ok": all(checks.values()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=5, help="requests per connection")
    parser.add_argument("--deadline", type=float, default=120.0, help="seconds before the run stops and fails")
    parser.add_argument("--json", type=Path, help="also write the record as JSON")
    args = parser.parse_args()
    record = run(args.connections, args.requests, deadline=args.deadline)
    print(
        f"serve under load: {record['connections']} connections, {record['answered']}/{record['requests']} answered "
        f"in {record['seconds']} s: {record['rps']} req/s, p50 {record['p50_ms']} ms, p99 {record['p99_ms']} ms; "
        f"statuses {record['statuses']}; 5xx {record['server_errors']}; "
        f"without X-Request-Id {record['missing_request_id'] or 0}"
    )
    for check, passed in record["checks"].items():
        print(f"  {'ok  ' if passed else 'FAIL'} {check}")
    for failure in record["failed"]:
        print(f"  failure: {failure}")
    if args.json:
        args.json.write_text(json.dumps(record, indent=2) + "\n")
    return 0 if record["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
