"""The `diff` run's input: a version of the contract from a file, or `git:REF` for the contract at a revision of the
repository."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from ..contract import ContractError, read_document
from ..contract.comparison import Version
from ..contract.document import line_numbers

GIT_PREFIX = "git:"
DEFAULT_CONTRACT = "openapi.yaml"


def read_version(spec: str) -> Version:
    """A contract named by a path, or `git:REF` (`git:REF:PATH`) for the one at a revision of the repository the
    current folder is in. ContractError says what cannot be read."""
    if not spec.startswith(GIT_PREFIX):
        path = Path(spec)
        document = read_document(path)  # refuses what cannot be read, before the text is read again for lines
        return Version(spec, spec, document, line_numbers(path.read_text(encoding="utf-8")))
    revision, _, inside = spec[len(GIT_PREFIX) :].partition(":")
    inside = inside or DEFAULT_CONTRACT
    try:
        shown = subprocess.run(["git", "show", f"{revision}:{inside}"], capture_output=True, check=False)
    except OSError as exc:
        raise ContractError(f"{spec}: git cannot be run ({exc.strerror})") from exc
    if shown.returncode != 0:
        reason = shown.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ContractError(f"{spec}: git cannot show {revision}:{inside}: {reason[-1] if reason else 'no reason'}")
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / Path(inside).name
        copy.write_bytes(shown.stdout)
        document = read_document(copy)
    text = shown.stdout.decode("utf-8")
    return Version(f"{inside}@{revision}", inside, document, line_numbers(text))
