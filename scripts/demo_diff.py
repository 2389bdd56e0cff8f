"""The diff part of `make demo`: apply scripts/demo-openapi-edit.json (RFC 6902 add, remove and replace) to openapi.yaml,
write the edited contract to out/edited-openapi.yaml, and show what `smartconnect-contract diff` says of it, with
the sample captures judged under both. The
edit is data, so the demo follows the contract as it changes; the diff's exit code 1 (a change breaks generated
code) is the expected one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _apply(document: Any, operation: dict[str, Any]) -> None:
    *parents, last = [part.replace("~1", "/").replace("~0", "~") for part in operation["path"].split("/")[1:]]
    node = document
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if operation["op"] == "remove":
        del node[int(last) if isinstance(node, list) else last]
    elif operation["op"] == "add" and isinstance(node, list):
        node.insert(len(node) if last == "-" else int(last), operation["value"])
    elif operation["op"] in ("add", "replace"):
        node[int(last) if isinstance(node, list) else last] = operation["value"]
    else:
        raise SystemExit(f"scripts/demo-openapi-edit.json: operation {operation['op']!r} is not one this demo applies")


def main() -> int:
    document = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    for operation in json.loads((ROOT / "scripts" / "demo-openapi-edit.json").read_text())["patch"]:
        _apply(document, operation)
    edited = ROOT / "out" / "edited-openapi.yaml"
    edited.parent.mkdir(exist_ok=True)
    edited.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120))
    command = ["diff", "openapi.yaml", "out/edited-openapi.yaml", "--captures", "samples/"]
    print(f"== smartconnect-contract {' '.join(command)}", flush=True)
    done = subprocess.run([str(BIN / "smartconnect-contract"), *command], cwd=ROOT, check=False)
    return 0 if done.returncode == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
