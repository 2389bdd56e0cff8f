"""Prove the generated models package works where only pydantic is installed, as other teams use it.

Creates a fresh virtual environment, installs pydantic alone into it, copies generated/dms_smartconnect_models there,
and parses every response example of the packaged contract with the models. Run by `make check`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "generated" / "dms_smartconnect_models"
PROBE = """
import json, pathlib
import dms_smartconnect_models as models
contract = json.loads((pathlib.Path(models.__file__).parent / "openapi.json").read_text())

def component(node, kind):
    ref = node.get("$ref", "") if isinstance(node, dict) else ""
    return contract["components"][kind][ref.rsplit("/", 1)[1]] if ref else node

count = 0
for item in contract["paths"].values():
    for operation in item.values():
        if not isinstance(operation, dict) or "responses" not in operation:
            continue
        for response in operation["responses"].values():
            for media in component(response, "responses").get("content", {}).values():
                model = getattr(models, media["schema"]["$ref"].rsplit("/", 1)[1])
                for example in media.get("examples", {}).values():
                    model.model_validate(example["value"])
                    count += 1
print(f"parsed {count} examples of every operation with pydantic alone")
"""


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        env_dir, work = Path(tmp) / "venv", Path(tmp) / "work"
        venv.create(env_dir, with_pip=True)
        python = env_dir / "bin" / "python"
        subprocess.run([python, "-m", "pip", "install", "--quiet", "pydantic>=2.6,<3"], check=True)
        installed = subprocess.run([python, "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True)
        shutil.copytree(PACKAGE, work / PACKAGE.name, ignore=shutil.ignore_patterns("__pycache__"))
        result = subprocess.run([python, "-c", PROBE], cwd=work, capture_output=True, text=True)
        print(result.stdout.strip() or result.stderr.strip())
        if result.returncode:
            print("environment held:\n" + installed.stdout, file=sys.stderr)
        return result.returncode


if __name__ == "__main__":
    sys.exit(main())
