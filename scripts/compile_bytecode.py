"""Compile the toolkit's modules to bytecode, as an installed package has them.

An editable install runs the sources in place, and where PYTHONDONTWRITEBYTECODE is set (some CI images and
sandboxes), Python compiles every module again at each start: a fifth of a second on a small machine, paid by
every run of `validate`. `make install` and `make bench` compile them once; a source changed later is compiled again
in memory, as always, so nothing stale is ever run.
"""

from __future__ import annotations

import compileall
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ok = all(compileall.compile_dir(ROOT / folder, quiet=1) for folder in ("validators", "generated"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
