"""Releases of generated/: each is a version of the contract, recorded in CHANGELOG.md.

- `make generate` writes each release's fingerprint (of every generated file) beside its heading, and under it the
  contract's changes since the previous release, as `smartconnect-contract diff --format markdown` says them;
- `make check` (generate.py --check) fails when generated/ differs from its release's fingerprint, when the
  release has no section, when info.version moves less far from the previous release in git than its changes
  need, or when the section's changes are not what diff says.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dms_smartconnect_contract.contract.comparison import Comparison

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT / "openapi.yaml"
CHANGELOG = ROOT / "CHANGELOG.md"
# A release's heading and the fingerprint `make generate` writes beside it.
_RELEASE = re.compile(r"^## (?P<version>\S+)\n<!-- generated: (?P<fingerprint>\S+) -->$", re.M)


def fingerprint(files: dict[str, str]) -> str:
    """One digest of every generated file, its path and its text."""
    digest = hashlib.sha256()
    for name, text in sorted(files.items()):
        digest.update(f"{name}\0{text}\0".encode())
    return f"sha256:{digest.hexdigest()}"


def release_problem(files: dict[str, str], version: str, changelog: str) -> str | None:
    """Why generated/ cannot be released as `version`: no section of CHANGELOG.md for it, or the section's
    fingerprint is of other files (generated/ changed while info.version stayed). None when it can."""
    releases = {found["version"]: found["fingerprint"] for found in _RELEASE.finditer(changelog)}
    if version not in releases:
        return (f"CHANGELOG.md has no section for {version}, the contract's info.version: add `## {version}` and the "
                "line `<!-- generated: sha256:pending -->` under it, say what changed for consumers, and run "
                "`make generate`")  # fmt: skip
    if releases[version] not in ("sha256:pending", fingerprint(files)):
        return (f"generated/ changed but openapi.yaml's info.version is still {version}, as released: raise "
                "info.version, add a section to CHANGELOG.md saying what changed for consumers, and run "
                "`make generate`")  # fmt: skip
    return None


def record_release(files: dict[str, str], version: str) -> None:
    """Write the fingerprint of a release whose section waits for it (`sha256:pending`)."""
    text = CHANGELOG.read_text()
    pending = f"## {version}\n<!-- generated: sha256:pending -->"
    CHANGELOG.write_text(text.replace(pending, f"## {version}\n<!-- generated: {fingerprint(files)} -->"))


def previous_release(version: str) -> str | None:
    """The newest commit whose openapi.yaml has another info.version than `version`: the release before this one
    (None outside a git checkout, or when every commit has this version)."""
    import yaml

    listed = subprocess.run(
        ["git", "log", "--format=%H", "--", CONTRACT.name], cwd=ROOT, capture_output=True, text=True
    )
    for commit in listed.stdout.split() if listed.returncode == 0 else []:
        shown = subprocess.run(["git", "show", f"{commit}:{CONTRACT.name}"], cwd=ROOT, capture_output=True, text=True)
        if shown.returncode == 0 and str(yaml.safe_load(shown.stdout)["info"]["version"]) != version:
            return commit
    return None


# The part of a release's section that `diff --format markdown` writes: the contract's changes since the release
# before it.
_NOTES_OPEN, _NOTES_CLOSE = "<!-- contract changes: written by make generate -->", "<!-- /contract changes -->"


def history_known() -> bool:
    """Whether the git history of the checkout is whole: a shallow clone holds no previous release to compare with."""
    shallow = subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=ROOT, capture_output=True, text=True)
    return shallow.returncode == 0 and shallow.stdout.strip() == "false"


def since_previous_release(version: str) -> tuple[str, Comparison] | None:
    """The previous release's commit, and the comparison (`smartconnect-contract diff`) of its contract with the
    one in the checkout; None when there is no previous release."""
    from dms_smartconnect_contract.contract.comparison import compare
    from dms_smartconnect_contract.run.diff import read_version

    commit = previous_release(version)
    if commit is None:
        return None
    head = read_version(str(CONTRACT))
    return commit, compare(read_version(f"git:{commit[:10]}:{CONTRACT.name}"), replace(head, label=CONTRACT.name))


def release_notes(since: tuple[str, Comparison] | None) -> str:
    """What changed in the contract since the previous release, as `smartconnect-contract diff --format markdown`
    says it, between its markers; the first release has none to compare with."""
    from dms_smartconnect_contract.reports.diff import markdown

    body = "The first release: no earlier contract to compare with.\n" if since is None else markdown(since[1])
    return f"{_NOTES_OPEN}\n{body}{_NOTES_CLOSE}"


def with_release_notes(changelog: str, version: str, notes: str) -> str:
    """The changelog with the notes of `version` in its section: where the markers are, or after the fingerprint."""
    heading = re.search(rf"^## {re.escape(version)}\n<!-- generated: \S+ -->\n", changelog, re.M)
    if heading is None:
        return changelog
    section_end = changelog.find("\n## ", heading.end())
    section_end = len(changelog) if section_end < 0 else section_end
    section = changelog[heading.end() : section_end]
    if _NOTES_OPEN in section and _NOTES_CLOSE in section:
        start, end = section.index(_NOTES_OPEN), section.index(_NOTES_CLOSE) + len(_NOTES_CLOSE)
        section = section[:start] + notes + section[end:]
    else:
        section = "\n" + notes + "\n" + section
    return changelog[: heading.end()] + section + changelog[section_end:]


def version_problem(since: tuple[str, Comparison] | None) -> str | None:
    """Why info.version is too small for what changed since the previous release, or None when it moves far
    enough (or there is no previous release)."""
    from dms_smartconnect_contract.contract.changes import BUMPS

    if since is None or since[1].version_enough:
        return None
    commit, comparison = since
    breaking = "; ".join(placed.change.what for placed in comparison.breaking[:3])
    return (f"openapi.yaml's info.version moves {comparison.moves} from {comparison.base.version} (commit "
            f"{commit[:10]}), but its changes need a {comparison.bump} version"
            + (f" ({breaking})" if breaking else "") + f": raise info.version, or see "
            f"`smartconnect-contract diff git:{commit[:10]} openapi.yaml`; the order is {', '.join(BUMPS[1:])}")  # fmt: skip
