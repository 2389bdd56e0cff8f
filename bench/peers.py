"""The peers the bench measures against: npm packages, pinned, installed into bench/.peers on first use."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

PEERS = Path(__file__).resolve().parent / ".peers"
REDOCLY = "@redocly/cli@2.77.0"
PRISM = "@stoplight/prism-cli@5.16.0"


def peer(package: str, command: str) -> list[str] | None:
    """How to run `command` of the npm `package`, installed on first use; None where npm or node is missing."""
    binary = PEERS / "node_modules" / ".bin" / command
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None:
            return None
        PEERS.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--prefix", str(PEERS), "--no-audit", "--no-fund", "--loglevel=error",
                        package], check=True)  # fmt: skip
    node = shutil.which("node")
    return [node, str(binary.resolve())] if node and binary.exists() else None
