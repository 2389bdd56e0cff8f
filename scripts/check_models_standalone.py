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
import json, pathlib, sys
import dms_smartconnect_models as models
contract = json.loads((pathlib.Path(models.__file__).parent / "openapi.json").read_text())
responses = contract["paths"]["/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}"]["get"]["responses"]
count = 0
for status, response in responses.items():
    response = contract["components"]["responses"][response["$ref"].rsplit("/", 1)[1]] if "$ref" in response else response
    model = models.ShowConnectorTaskResponse if status == "200" else models.ErrorResponse
    for example in response["content"]["application/json"]["examples"].values():
        model.model_validate(example["value"])
        count += 1
print(f"parsed {count} examples with pydantic alone")
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
