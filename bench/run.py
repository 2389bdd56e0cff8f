"""Benchmark `smartconnect-contract validate` against floors measured in the same run.

Generates a 300 000-line JSONL capture and a large HAR (sizes adjustable), then reports, for each input:
- the parse-only floor: a whole process that does `orjson.loads` of every line (JSONL) or streams the HAR entries
  with ijson (HAR), and nothing else;
- the CLI with default settings (and with --jobs 1), as whole processes, wall time and peak memory;
- schemathesis' `validate_response` and plain `jsonschema` on a sample of the same bodies (extrapolated rate).
Throughput is given in lines (or entries) per second and as a ratio to the floor; every process is run --repeat
times (3) and the fastest run counts. Target: CLI >= 0.5 x floor on JSONL.

Run with `make bench`; `python bench/run.py --lines 30000 --har-mb 20` for a quick look.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
URL = "https://dms.cn-north-4.myhuaweicloud.com/v2/a4a5d4098fb4474fa22cd05f897d6b99/instances/{i}/connector/tasks/{t}"


def _examples() -> tuple[dict, dict]:
    contract = json.loads((ROOT / "generated" / "dms_smartconnect_models" / "openapi.json").read_text())
    path = "/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}"
    examples = contract["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["examples"]
    return examples["kafkaReplicatorSource"]["value"], examples["obsSink"]["value"]


def _body(rng: random.Random, kafka: dict, obs: dict) -> dict:
    """A realistic task body: varied IDs, names, times and states; about 1 % drift, 0.5 % breaking an inferred rule
    (create_time in seconds) and 0.5 % a documented one (create_time as a string)."""
    body = json.loads(json.dumps(kafka if rng.random() < 0.7 else obs))
    a, b, c, d, e = (rng.getrandbits(bits) for bits in (32, 16, 12, 16, 48))
    body["id"] = f"{a:08x}-{b:04x}-4{c:03x}-{d:04x}-{e:012x}"
    body["task_name"] = f"smart-connect-{rng.getrandbits(30)}"
    body["create_time"] = 1_700_000_000_000 + rng.getrandbits(34)
    body["status"] = rng.choice(["RUNNING", "RUNNING", "RUNNING", "PAUSED", "WAITING"])
    roll = rng.random()
    if roll < 0.01:
        body["labels"] = {"team": "a"}
    elif roll < 0.015:
        body["create_time"] //= 1000
    elif roll < 0.02:
        body["create_time"] = str(body["create_time"])
    return body


def make_jsonl(path: Path, lines: int, rng: random.Random) -> None:
    kafka, obs = _examples()
    with path.open("w") as handle:
        for _ in range(lines):
            handle.write(json.dumps(_body(rng, kafka, obs)) + "\n")


def make_har(path: Path, megabytes: int, rng: random.Random) -> int:
    """A browser-style HAR: 1 entry in 4 is another URL; bodies base64 or plain; written entry by entry."""
    kafka, obs = _examples()
    limit, entries = megabytes * 1024 * 1024, 0
    with path.open("w") as handle:
        handle.write(
            '{"log": {"version": "1.2", "creator": {"name": "bench", "version": "1"}, "pages": [], "entries": [\n'
        )
        while handle.tell() < limit:
            other = rng.random() < 0.25
            text = json.dumps(_body(rng, kafka, obs))
            content = {"mimeType": "application/json;charset=UTF-8", "size": len(text), "text": text}
            if rng.random() < 0.5:
                content.update(text=base64.b64encode(text.encode()).decode(), encoding="base64")
            url = (
                "https://console.example.com/static/app.js"
                if other
                else URL.format(i="59f6d088-2b1e-4c55-9a43-5d3c2f1e0a77", t="194917d0-8c1b-4f1e-b3a2-6e0d9f4c2a15")
            )
            entry = {
                "startedDateTime": "2026-11-20T08:00:00.000Z", "time": 10,
                "request": {"method": "GET", "url": url, "httpVersion": "HTTP/1.1", "headers": [{"name": "X-Auth-Token", "value": "x" * 200}], "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
                "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": [{"name": "Content-Type", "value": "application/json;charset=UTF-8"}, {"name": "X-Request-Id", "value": f"{rng.getrandbits(128):032x}"}], "cookies": [], "content": content, "redirectURL": "", "headersSize": -1, "bodySize": len(text)},
                "cache": {}, "timings": {"send": 0, "wait": 9, "receive": 1},
            }  # fmt: skip
            handle.write(("," if entries else "") + json.dumps(entry) + "\n")
            entries += 1
        handle.write("]}}\n")
    return entries


PEAK = (
    "\nimport sys\nfor line in open('/proc/self/status'):\n"
    "    if line.startswith('VmHWM:'):\n        print('PEAK', int(line.split()[1]) * 1024, file=sys.stderr)\n"
)


REPEAT = 3


def timed(code: str, *args: str, repeat: int = REPEAT) -> tuple[float, int]:
    """Wall seconds and peak resident memory (bytes) of a whole Python child process running `code`: the fastest of
    `repeat` runs, the same rule for floors and the CLI, since a shared machine's timings swing from run to run.

    The peak is the child's own VmHWM, read as it ends: ru_maxrss would include the parent's peak from before exec.
    Worker processes of --jobs are not included.
    """
    best, peak = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-c", code + PEAK, *args], capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        peaks = [int(line.split()[1]) for line in result.stderr.splitlines() if line.startswith("PEAK ")]
        if not peaks:
            raise SystemExit(f"benchmark child failed:\n{result.stderr}")
        best, peak = min(best, elapsed), max(peak, peaks[-1])
    return best, peak


CLI_CODE = "import sys\nfrom dms_smartconnect_contract.cli import main\nmain(sys.argv[1:])\n"


def sample_rates(path: Path, sample: int) -> dict[str, float]:
    """Bodies per second of schemathesis' validate_response and of plain jsonschema, on the first lines."""
    import jsonschema
    import orjson
    import requests
    import schemathesis
    from schemathesis.core.transport import Response

    from dms_smartconnect_contract.contract import read_document

    lines = path.read_bytes().splitlines()[:sample]
    document = read_document(ROOT / "openapi.yaml")
    schema = schemathesis.openapi.from_dict(document)
    operation = schema["/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}"]["GET"]
    prepared = requests.Request("GET", URL.format(i="59f6d088-2b1e-4c55-9a43-5d3c2f1e0a77", t="x")).prepare()

    def response(content: bytes) -> Response:
        headers = {"content-type": ["application/json"], "x-request-id": ["1"]}
        return Response(200, headers, content, prepared, elapsed=0.0, verify=True)

    # The comparison is fair only if schemathesis really validates: a conforming body must pass.
    assert operation.validate_response(response(orjson.dumps(_examples()[0]))) in (True, None)
    start = time.perf_counter()
    for line in lines:
        # A body that breaks the contract raises; only the time matters here.
        with contextlib.suppress(Exception):
            operation.validate_response(response(line))
    rates = {"schemathesis validate_response": len(lines) / (time.perf_counter() - start)}
    from dms_smartconnect_contract.contract import bundle_schema

    body_schema = bundle_schema(document, document["components"]["schemas"]["ShowConnectorTaskResponse"])
    validator = jsonschema.Draft202012Validator(body_schema)
    start = time.perf_counter()
    for line in lines:
        validator.is_valid(orjson.loads(line))
    rates["jsonschema (parse + is_valid)"] = len(lines) / (time.perf_counter() - start)
    return rates


FLOOR_JSONL = "import orjson, sys\nfor line in open(sys.argv[1], 'rb'):\n    orjson.loads(line)\n"
FLOOR_HAR = "import ijson, sys\nfor entry in ijson.items(open(sys.argv[1], 'rb'), 'log.entries.item', use_float=True):\n    pass\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=300_000)
    parser.add_argument("--har-mb", type=int, default=300)
    parser.add_argument("--sample", type=int, default=2000, help="bodies for the schemathesis/jsonschema rates")
    parser.add_argument("--repeat", type=int, default=REPEAT, help="runs per measurement; the fastest counts")
    args = parser.parse_args()
    repeat = max(1, args.repeat)
    rng = random.Random(20261124)
    with tempfile.TemporaryDirectory() as tmp:
        jsonl, har = Path(tmp) / "capture.jsonl", Path(tmp) / "capture.har"
        make_jsonl(jsonl, args.lines, rng)
        entries = make_har(har, args.har_mb, rng)
        rows = []
        floor, floor_mem = timed(FLOOR_JSONL, str(jsonl), repeat=repeat)
        rows.append(("JSONL", "floor: orjson.loads per line", floor, floor_mem, 1.0))
        for label, extra in (("CLI validate (defaults)", []), ("CLI validate --jobs 1", ["--jobs", "1"])):
            seconds, memory = timed(CLI_CODE, "validate", "-q", *extra, str(jsonl), repeat=repeat)
            rows.append(("JSONL", label, seconds, memory, floor / seconds))
        for label, rate in sample_rates(jsonl, args.sample).items():
            seconds = args.lines / rate
            rows.append(("JSONL", f"{label} (extrapolated)", seconds, 0, floor / seconds))
        har_floor, har_floor_mem = timed(FLOOR_HAR, str(har), repeat=repeat)
        rows.append(("HAR", "floor: ijson entry stream", har_floor, har_floor_mem, 1.0))
        seconds, memory = timed(CLI_CODE, "validate", "-q", str(har), repeat=repeat)
        rows.append(("HAR", "CLI validate (defaults)", seconds, memory, har_floor / seconds))
        jsonl_mb, har_mb = jsonl.stat().st_size / 1e6, har.stat().st_size / 1e6
    print(f"inputs: JSONL {args.lines:,} lines, {jsonl_mb:.0f} MB; HAR {entries:,} entries, {har_mb:.0f} MB")
    print(f"{'input':<6} {'run':<50} {'seconds':>8} {'items/s':>10} {'peak MB':>8} {'x floor':>8}")
    for kind, label, seconds, memory, ratio in rows:
        items = args.lines if kind == "JSONL" else entries
        peak = f"{memory / 1e6:8.0f}" if memory else "       -"
        print(f"{kind:<6} {label:<50} {seconds:8.2f} {items / seconds:10,.0f} {peak} {ratio:8.2f}")
    jsonl_ratio = next(r[4] for r in rows if r[1] == "CLI validate (defaults)")
    har_peak = next(r[3] for r in rows if r[0] == "HAR" and r[1].startswith("CLI"))
    print(f"JSONL target >= 0.50 x floor: {jsonl_ratio:.2f} ({'met' if jsonl_ratio >= 0.5 else 'NOT met'})")
    print(f"HAR peak memory / file size: {har_peak / 1e6 / har_mb:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
