"""Run code in an interpreter that sees the standard library, pydantic and the generated models, nothing else: as a
team that copies the models package into its project runs them, or one that installs the models wheel."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

MODELS = ROOT / "generated" / "dms_smartconnect_models"


def pydantic_alone_site(folder: Path) -> Path:
    """A folder holding links to pydantic, its own dependencies and the models package, and nothing more."""
    import annotated_types
    import pydantic
    import pydantic_core
    import typing_extensions
    import typing_inspection

    site = folder / "site"
    site.mkdir()
    for module in (pydantic, pydantic_core, annotated_types, typing_inspection):
        (site / Path(str(module.__file__)).parent.name).symlink_to(Path(str(module.__file__)).parent)
    (site / "typing_extensions.py").symlink_to(str(typing_extensions.__file__))
    (site / MODELS.name).symlink_to(MODELS)
    return site


def run_with_pydantic_alone(site: Path, script: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run `script` with only `site` on the path (-S: no site-packages, -I: no environment or user site)."""
    prelude = f"import sys\nsys.path[:0] = [{str(site)!r}]\n"
    return subprocess.run(
        [sys.executable, "-S", "-I", "-c", prelude + script], input=stdin, capture_output=True, text=True
    )


WHEELHOUSE = ROOT / ".venv" / "wheelhouse"  # pydantic's wheels and its own dependencies', from `make install`


def installed_models(folder: Path) -> Path:
    """A new virtual environment into which the models wheel, built from generated/, is installed with its
    dependencies and nothing else, offline: the interpreter of that environment."""
    if not any(WHEELHOUSE.glob("pydantic-*.whl")):
        raise RuntimeError(f"{WHEELHOUSE} holds no pydantic wheel: run `make install`")
    wheels = folder / "dist"
    build = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
    subprocess.run([*build, "--wheel-dir", str(wheels), str(ROOT / "generated")], check=True, capture_output=True)
    (wheel,) = wheels.glob("dms_smartconnect_models-*.whl")
    environment = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(environment)], check=True)
    python = environment / "bin" / "python"
    (environment / "before-install.txt").write_text("\n".join(sorted(installed_packages(python))))
    install = [str(python), "-m", "pip", "install", "--quiet", "--no-index", "--find-links", str(WHEELHOUSE)]
    subprocess.run([*install, str(wheel)], check=True, capture_output=True, text=True)
    return python


def installed_packages(python: Path) -> set[str]:
    """The names of the packages installed in the environment of `python`, normalised."""
    listed = subprocess.run(
        [str(python), "-I", "-m", "pip", "list", "--format", "json"], capture_output=True, text=True
    )
    return {package["name"].lower().replace("_", "-") for package in json.loads(listed.stdout)}


def run_installed(python: Path, script: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run `script` in that environment, isolated from this one (-I: no environment variables, no user site)."""
    return subprocess.run([str(python), "-I", "-c", script], input=stdin, capture_output=True, text=True)
