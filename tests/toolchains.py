"""The toolchains of the other languages' models, as the tests run them: offline, from this checkout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from conftest import ROOT

GO_TESTS = ROOT / "tests" / "go"  # a module that takes generated/go by path, as a consumer's would


def go(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`go ARGS` in tests/go, with no module proxy (the models need the standard library alone) and a build cache
    of the checkout's own."""
    binary = shutil.which("go")
    assert binary, "the Go models are tested with Go: apt-get install golang-go (.ci/run installs it)"
    environment = {**os.environ, "GOPROXY": "off", "GOFLAGS": "-mod=mod", "GOCACHE": str(ROOT / "build" / "go-cache")}
    return subprocess.run([binary, *args], input=stdin, capture_output=True, text=True, cwd=GO_TESTS, env=environment)


def type_check(folder: Path, source: str, package: Path) -> subprocess.CompletedProcess[str]:
    """`tsc` over `folder/source`, in a project that installed `package` by path (as `npm install <path>` leaves
    it: linked under node_modules by its name), with strict checks and Node's module resolution."""
    name = json.loads((package / "package.json").read_text())["name"]
    (folder / "node_modules").mkdir(exist_ok=True)
    (folder / "node_modules" / name).symlink_to(package)
    options = {"strict": True, "noEmit": True, "module": "NodeNext", "moduleResolution": "NodeNext", "target": "ES2022"}
    (folder / "tsconfig.json").write_text(json.dumps({"compilerOptions": options, "files": [source]}))
    tsc = ROOT / "node_modules" / ".bin" / "tsc"
    assert tsc.exists(), "run `make test`, which installs TypeScript with npm"
    return subprocess.run([str(tsc), "-p", ".", "--pretty", "false"], capture_output=True, text=True, cwd=folder)
