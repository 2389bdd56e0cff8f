"""Run code in an interpreter that sees the standard library, pydantic and the generated models, nothing else:
as a team that copies the models package into its project runs them."""

from __future__ import annotations

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
