"""What judging requests costs: `validate` of the same captures by this tree and by a baseline commit that judged
responses only, in every report format, on the clean and the 10 %-violating mixes.

The captures are exchange records (this toolkit's flat ones, and Redocly drift's nested NDJSON) and a HAR: every
exchange asks for its own task (a URL of its own, so that no remembered verdict hides the cost) with a token, and in
the violating mix one request in twenty sends an instance ID that is no UUID and one in twenty no credential (see
inputs.request_of). The baseline is the package's source at a commit (`git archive`), put first on PYTHONPATH; both
read the same packaged contract. Each command runs --repeat times in turns; the table gives the median time of each
and the median of the per-turn ratios (this tree's time / the baseline's): the cost, which must stay under 1.10.

    python bench/request_cost.py --baseline 2abf2d1 [--scale 0.3] [--repeat 5] [--json out/request-cost.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from inputs import make_har, make_records

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ("text", "json", "jsonl", "junit", "sarif", "github")
MIXES = ("clean", "10% violating")
TARGET = 1.10
# The last commit whose validate judged responses only.
BASELINE = "2abf2d1"


def _source(commit: str, folder: Path) -> Path:
    """The package as it was at `commit`, unpacked under `folder`: its validators/ folder."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "validators"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder / "validators"


def _seconds(command: list[str], path: str | None) -> float:
    """Wall time of one run, the package taken from `path` (None: this tree's install)."""
    env = {**os.environ, "PYTHONPATH": path} if path else {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr.decode()}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default=BASELINE, help="the commit to compare with (default: %(default)s)")
    parser.add_argument("--scale", type=float, default=0.3, help="of 100,000 records and 50,000 HAR entries")
    parser.add_argument("--repeat", type=int, default=5, help="runs per command, in turns; medians count")
    parser.add_argument("--json", type=Path, default=ROOT / "out" / "request-cost.json", help="where to write the rows")
    parser.add_argument("--formats", default=",".join(FORMATS), help="the report formats, by comma (default: all)")
    parser.add_argument("--mixes", default=",".join(MIXES), help="the mixes, by comma (default: both)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        baseline = str(_source(args.baseline, folder))
        for mix in args.mixes.split(","):
            rng = random.Random(20261202)
            inputs = {
                "flat records": (folder / "flat.jsonl", int(100_000 * args.scale)),
                "nested records": (folder / "nested.ndjson", int(100_000 * args.scale)),
                "HAR": (folder / "capture.har", int(50_000 * args.scale)),
            }
            for name, (path, count) in inputs.items():
                if name == "HAR":
                    make_har(path, rng, entries=count, mix=mix)
                else:
                    make_records(path, count, rng, nested=name == "nested records", mix=mix)
                for fmt in args.formats.split(","):
                    command = [
                        sys.executable,
                        "-m",
                        "dms_smartconnect_contract",
                        "validate",
                        "--format",
                        fmt,
                        str(path),
                    ]
                    turns = [(_seconds(command, baseline), _seconds(command, None)) for _ in range(max(1, args.repeat))]
                    before = statistics.median(old for old, _ in turns)
                    after = statistics.median(new for _, new in turns)
                    cost = statistics.median(new / old for old, new in turns)
                    rows.append({"input": name, "mix": mix, "format": fmt, "items": count, "baseline_s": before,
                                 "seconds": after, "cost": cost, "met": cost <= TARGET})  # fmt: skip
                    row = rows[-1]
                    print(f"{name:<15} {mix:<14} {fmt:<7} {count:>7} {before:8.2f} {after:8.2f} {cost:6.3f}"
                          + ("" if row["met"] else "  over"), flush=True)  # fmt: skip
                path.unlink()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    args.json.write_text(json.dumps({"baseline": args.baseline, "cores": cores, "target": TARGET, "rows": rows},
                                    indent=2) + "\n")  # fmt: skip
    missed = [row for row in rows if not row["met"]]
    print(f"{len(rows) - len(missed)} of {len(rows)} rows cost at most {TARGET:.2f}x the baseline")
    return 0  # (as bench/run.py: a target missed is said, and the rows kept)


if __name__ == "__main__":
    sys.exit(main())
