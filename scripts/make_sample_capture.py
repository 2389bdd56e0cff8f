"""Write the bundled sample captures under samples/, the input of `make demo`.

They are synthetic, made from the two example responses of openapi.yaml with a fixed random seed (the benchmark's
generators, at a small size): task bodies with varied IDs, names, times and states, about 1 % carrying an
undocumented field (drift), 0.5 % a create_time in seconds (an inferred rule broken: a warning) and 0.5 % a
create_time as a string (a documented rule broken: a violation); the HAR mixes in requests to other URLs
and base64 bodies as browser devtools export them. Rerun after changing the contract's examples:
`python scripts/make_sample_capture.py`.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from inputs import make_har, make_jsonl  # noqa: E402 - the benchmark's generators, at a small size


def main() -> int:
    samples = ROOT / "samples"
    samples.mkdir(exist_ok=True)
    rng = random.Random(20261124)
    make_jsonl(samples / "service-log.jsonl", 2000, rng)
    entries = make_har(samples / "browser-capture.har", rng, megabytes=1)
    print(f"wrote samples/service-log.jsonl (2000 lines) and samples/browser-capture.har ({entries} entries)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
