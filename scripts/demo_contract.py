"""The contract-test part of `make demo`: start the reference server, run the contract tests against it over
loopback HTTP, show the result, stop the server. A demo token is generated for the run and never printed."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent
KNOWN = [
    "--project-id", "a4a5d4098fb4474fa22cd05f897d6b99",
    "--instance-id", "59f6d088-2b1e-4c55-9a43-5d3c2f1e0a77",
    "--task-id", "194917d0-8c1b-4f1e-b3a2-6e0d9f4c2a15",
]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(url: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise SystemExit(f"the reference server did not answer at {url}") from None
            time.sleep(0.1)


def main() -> int:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "SMARTCONNECT_TOKEN": secrets.token_urlsafe(24)}
    cli = str(BIN / "smartconnect-contract")
    Path("out").mkdir(exist_ok=True)
    print(f"== smartconnect-contract serve --port {port}  (bundled tasks, token auth; log: out/server.log)", flush=True)
    with open("out/server.log", "w") as log:
        server = subprocess.Popen([cli, "serve", "--port", str(port)], env=env, stdout=log, stderr=log)
        try:
            _wait(f"{url}/openapi.json")
            print(f"== smartconnect-contract contract --url {url} --junit out/contract-junit.xml", flush=True)
            result = subprocess.run(
                [cli, "contract", "--url", url, *KNOWN, "--junit", "out/contract-junit.xml"], env=env
            )
        finally:
            server.terminate()
            server.wait(timeout=10)
    print("== server stopped")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
