"""The toolchains of the other languages' models, as the tests run them: offline, from this checkout."""

from __future__ import annotations

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


def node_package(folder: Path, name: str, source: Path) -> None:
    """A `node_modules` in `folder` holding `source` as the package `name`, as `npm install <path>` leaves it."""
    (folder / "node_modules").mkdir(exist_ok=True)
    (folder / "node_modules" / name).symlink_to(source)
