"""`make release`: tag the contract's version and build its distributions, never upload them.

The tag is `v` + the contract's `info.version` (the models' version), made on a clean tree at HEAD; a tag of that
name elsewhere stops the release. The wheels and sdists of both distributions then go to dist/, as `make dist`
builds them. Teams install a release from the repository at its tag (README: Install by role) or from those wheels.

    python scripts/release.py [--tag-only]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def release_tag() -> str:
    """The tag of this release: v + the contract's info.version."""
    document = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    return f"v{document['info']['version']}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tag-only", action="store_true", help="tag, and build nothing")
    args = parser.parse_args()
    if git("status", "--porcelain"):
        print("release: the tree has uncommitted changes; commit them first", file=sys.stderr)
        return 2
    tag, head = release_tag(), git("rev-parse", "HEAD")
    tagged = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{tag}^{{commit}}"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()  # fmt: skip
    if tagged and tagged != head:
        print(f"release: {tag} already names {tagged[:12]}, not HEAD; move info.version on first", file=sys.stderr)
        return 2
    if not tagged:
        git("tag", "-a", tag, "-m", f"The contract {tag[1:]}")
    print(f"release: {tag} at {head[:12]}")
    if not args.tag_only:
        subprocess.run(["make", "dist"], cwd=ROOT, check=True)
        print(f"release: the wheels and sdists of {tag} are in dist/ (nothing was uploaded)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
