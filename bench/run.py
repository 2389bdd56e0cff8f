"""Benchmark `smartconnect-contract validate` on every input mix users meet, against floors and a peer, same run.

For each input the table gives the floor, our runs and the peer, as whole processes:
- JSONL (clean; 10 % violating; every line drifting; every line violating): the floor is one process doing
  `orjson.loads` of every line and nothing else;
- JSONL exchange records, the same 100 000 exchanges as this toolkit's flat records and as Redocly drift's nested
  NDJSON (the peer reads the nested ones): the nested must run at 0.8 of the flat speed or better;
- HAR (50 000 entries): the floor is one process streaming the entries with ijson; the peer is Redocly CLI's `drift`
  (npm `@redocly/cli`, installed here by the bench into bench/.peers/), run on the same file and contract;
- a gzip JSONL shard: the floor is one process reading it through gzip and parsing every line;
- a large HAR (326 MB): peak memory, which must stay flat;
- hostile items (a HAR entry with a 100 MB body, pretty and minified; a 200 MB JSONL line; a body of 200,000
  undocumented fields): the floor is a whole-file `orjson.loads` (per line for JSONL); at most 10x its time, and
  under 200 MB;
- bombs (a 66 KB .jsonl.zst of one 2 GiB line; a .har.gz whose first entry holds a 1 GiB string): the floor is
  `zstd -dc` / `gzip -dc` of the same file; at most 10x its time, and under 200 MB;
- `diff --captures` of the contract and the demo's edit, over a 300k-line JSONL log and a 100k-entry HAR: the floor is
  one `validate` of the capture, beside two of them; the judging (each run less the same command on one item: start-up,
  two versions read and compared, the head linted) at most 1.3x the floor's;
- the reference server under load (bench/load.py): 1000 connections of valid, unauthorised and hostile requests;
- the validating proxy (bench/proxy.py): 50 connections (wrk) direct, through ours, Redocly's and Prism's proxies,
  and our proxy's memory over a stream of 1 MiB bodies;
- every report format (json, jsonl, junit, sarif, github) on the JSONL mixes and the HAR, against the text report of
  the same input in the same turn: at most 1.25x its time.
On the 300k-line capture, a local Dask cluster (`--scheduler local`) of one and of two workers is measured too, its
ratio taken against our local run (local time / cluster time).
Our runs print the default text report (grouped findings, to /dev/null), with the default `--jobs` (all cores) and
with `--jobs 1`. Every command of an input runs --repeat times (5), in turns with the others; the table gives the
median time, and the median of the ratios taken turn by turn (floor time / our time of the same turn), since a
shared machine's speed swings from minute to minute; peak resident memory is the largest of any one process of a
run (worker processes included).

Prints one table and writes the same as JSON (--json, default out/bench.json), with the cores it ran on.
`python bench/run.py --scale 0.1` for a quick look at a tenth of the sizes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import runpy
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import ijson
import load
import proxy as proxy_bench
from inputs import (
    SERVER,
    make_big_body_har,
    make_countless_fields,
    make_gzip_har_bomb,
    make_har,
    make_jsonl,
    make_long_line,
    make_records,
    make_zstd_bomb,
)
from peers import REDOCLY, peer

ROOT = Path(__file__).resolve().parents[1]
SPEED = ROOT / "docs" / "speed.json"
REPEAT = 5

# One child process measured by another: wall time around it, and the largest resident set of its process tree.
MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
tail = done.stdout.decode(errors="replace").strip().splitlines()[-1:] or [""]
print(json.dumps({"seconds": seconds, "peak": peak, "code": done.returncode, "last": tail[0],
                  "stderr": done.stderr.decode(errors="replace")[-2000:]}))
"""
CLI = [sys.executable, "-c", "import sys\nfrom dms_smartconnect_contract.cli import main\nsys.exit(main(sys.argv[1:]))"]
FLOOR_JSONL = "import orjson, sys\nfor line in open(sys.argv[1], 'rb'):\n    orjson.loads(line)\n"
FLOOR_GZIP = "import gzip, orjson, sys\nfor line in gzip.open(sys.argv[1], 'rb'):\n    orjson.loads(line)\n"
FLOOR_WHOLE = "import orjson, sys\norjson.loads(open(sys.argv[1], 'rb').read())\n"
# The plain decompression of a file with the tool of its format (the library, where the tool is not installed).
FLOOR_DECOMPRESS = """import shutil, subprocess, sys
if shutil.which("{tool}"):
    subprocess.run(["{tool}", "-dc", sys.argv[1]], stdout=subprocess.DEVNULL, check=True)
else:
    import gzip, zstandard
    with open(sys.argv[1], "rb") as raw:
        stream = gzip.GzipFile(fileobj=raw) if "{tool}" == "gzip" else zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
        while stream.read(1 << 20):
            pass
"""
FLOOR_HAR = "import ijson, sys\nfor entry in ijson.items(open(sys.argv[1], 'rb'), 'log.entries.item', use_float=True):\n    pass\n"


@dataclass
class Row:
    input: str
    kind: str  # floor, default (all cores), jobs1, peer, cluster1, cluster2, judging (diff less its fixed costs),
    # format <name> (a report format)
    run: str
    items: int
    seconds: float
    peak_mb: float
    ratio: float  # floor time / this time (1.0 for the floor itself); peer: its time / ours; cluster: ours / its;
    # format: the text report's time / its
    summary: str = ""


def measure_once(command: list[str], ok: tuple[int, ...] = (0, 1)) -> tuple[float, float, str]:
    """Seconds and peak (MB) of one run of a command, and the last line it printed."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    if result["code"] not in ok:
        raise SystemExit(f"{' '.join(command[:6])} ... exited {result['code']}:\n{result['stderr']}")
    return result["seconds"], result["peak"] / 1e6, result["last"]


def measure_all(
    commands: dict[str, tuple[list[str], tuple[int, ...]]], repeat: int
) -> dict[str, list[tuple[float, float, str]]]:
    """Each command run `repeat` times, in turns: every turn runs each command once, so that a machine slowing down
    for a while weighs on every one alike. The samples of each command, in turn order, by name."""
    samples: dict[str, list[tuple[float, float, str]]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, (command, ok) in commands.items():
            samples[name].append(measure_once(command, ok))
    return samples


def redocly() -> list[str] | None:
    """Redocly CLI, the peer of `drift` (installed on first use)."""
    return peer(REDOCLY, "redocly")


# The report formats besides text, each measured against the text report of the same input in the same turn.
FORMATS = ("json", "jsonl", "junit", "sarif", "github")
FORMAT_INPUTS = ("JSONL clean", "JSONL 10% violating", "JSONL every line drifts", "JSONL every line violates", "HAR")


def rows_for(name: str, path: Path, items: int, floor: str, floor_label: str, repeat: int, cores: int,
             peer: list[str] | None = None, cluster: bool = False) -> list[Row]:  # fmt: skip
    """The floor, our runs (default jobs and one job), the peer, with `cluster` a local Dask cluster of one and of
    two workers, and for the inputs of FORMAT_INPUTS every other report format, on one input, measured in turns."""
    commands = {
        "floor": ([sys.executable, "-c", floor, str(path)], (0,)),
        "default": ([*CLI, "validate", str(path)], (0, 1)),
        "jobs1": ([*CLI, "validate", "--jobs", "1", str(path)], (0, 1)),
    }
    if name in FORMAT_INPUTS:
        for report in FORMATS:
            commands[f"format {report}"] = ([*CLI, "validate", "--format", report, str(path)], (0, 1))
    if peer is not None:
        commands["peer"] = (peer, (0, 1))
    if cluster:
        for workers in (1, 2):
            command = [*CLI, "validate", "--scheduler", "local", "--jobs", str(workers), str(path)]
            commands[f"cluster{workers}"] = (command, (0, 1))
    samples = measure_all(commands, repeat)
    labels = {
        "floor": floor_label,
        "default": f"validate, default --jobs ({cores} cores)",
        "jobs1": "validate --jobs 1",
        "peer": f"peer: redocly drift ({REDOCLY})",
        "cluster1": "validate --scheduler local, 1 worker",
        "cluster2": "validate --scheduler local, 2 workers",
        **{f"format {report}": f"validate --format {report}, vs the text report" for report in FORMATS},
    }
    rows = []
    for kind, runs in samples.items():
        # Ratios are taken turn by turn (each run against the floor, or ours, of the same turn), then the median.
        if kind == "floor":
            ratios = [1.0]
        elif kind.startswith("format "):  # a report format against the text report: text time / its time
            ratios = [text[0] / mine[0] for text, mine in zip(samples["default"], runs, strict=True)]
        elif kind == "peer" or kind.startswith("cluster"):
            # The peer against ours (how many times faster we are); a cluster against the local run.
            ratios = [other[0] / ours[0] for other, ours in zip(runs, samples["default"], strict=True)]
            if kind.startswith("cluster"):
                ratios = [1 / ratio for ratio in ratios]
        else:
            ratios = [floor[0] / mine[0] for floor, mine in zip(samples["floor"], runs, strict=True)]
        seconds = statistics.median(run[0] for run in runs)
        peak = max(run[1] for run in runs)
        last = runs[-1][2] if kind in ("default", "jobs1") or kind.startswith("cluster") else ""
        rows.append(Row(name, kind, labels[kind], items, seconds, peak, statistics.median(ratios), last))
    return rows


TARGETS = [
    # (input, run, what, test)
    ("JSONL clean", "default", "ratio >= 0.75", lambda r: r.ratio >= 0.75),
    ("JSONL 10% violating", "default", "ratio >= 0.5", lambda r: r.ratio >= 0.5),
    ("JSONL every line drifts", "default", "ratio >= 0.5", lambda r: r.ratio >= 0.5),
    ("JSONL every line violates", "default", "ratio >= 0.35", lambda r: r.ratio >= 0.35),
    ("HAR", "default", "ratio >= 0.6", lambda r: r.ratio >= 0.6),
    ("HAR", "peer", "peer time / ours >= 3", lambda r: r.ratio >= 3),
    ("HAR large", "default", "peak <= 40 MB", lambda r: r.peak_mb <= 40),
    # Hostile items: at most 10x the floor's time (ratio >= 0.1), and under 200 MB.
    *[
        (name, "default", "ratio >= 0.1, peak <= 200 MB", lambda r: r.ratio >= 0.1 and r.peak_mb <= 200)
        for name in ("HAR, 100 MB body", "HAR minified, 100 MB body", "JSONL, one 200 MB line")
    ],
    # Every report format streams at about the text report's speed: at most 25 % more time, on every mix.
    *[
        (
            name,
            f"format {report}",
            f"--format {report} at most 1.25x the text report's time (ratio >= 0.8)",
            lambda r: r.ratio >= 0.8,
        )
        for name in FORMAT_INPUTS
        for report in FORMATS
    ],
    # Judging both versions of the contract must cost well under judging twice: at most 1.3x the judging of one
    # validate run, on every kind of capture.
    *[
        (name, "judging", "judging at most 1.3x one validate's (ratio >= 0.77)", lambda r: r.ratio >= 1 / 1.3)
        for name in ("diff --captures", "diff --captures, HAR")
    ],
    # Bombs: memory flat (the limit's, not the expansion's), time within 10x of the plain decompression.
    *[
        (name, "default", "ratio >= 0.1, peak <= 200 MB", lambda r: r.ratio >= 0.1 and r.peak_mb <= 200)
        for name in ("zstd bomb, one 2 GiB line", "gzip bomb, a 1 GiB HAR string")
    ],
]


def diff_rows(folder: Path, scale: float, repeat: int, cores: int, rng: random.Random) -> list[Row]:
    """`diff --captures` of the contract and the demo's edit of it, over a JSONL log and over a HAR, against one
    `validate` of the capture (the floor) and two (what judging under both versions by hand costs), measured in
    turns. A diff pays before any judging for what a validate has no need of (reading and comparing two versions,
    linting the head), so the judging is measured too: each run less the same command on a capture of one item."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "demo_diff.py")], check=True, capture_output=True)
    edited = ROOT / "out" / "edited-openapi.yaml"
    rows = []
    # Captures large enough that the judging, a difference of two timed runs, is not lost in their noise.
    lines = int(300_000 * scale)
    for name, file_name in (("diff --captures", "diff.jsonl"), ("diff --captures, HAR", "diff.har")):
        capture, one = folder / file_name, folder / f"one-{file_name}"
        if file_name.endswith(".jsonl"):
            make_jsonl(capture, lines, rng, "10% violating")
            items = lines
            with capture.open("rb") as handle:
                one.write_bytes(handle.readline())
        else:
            items = make_har(capture, rng, entries=int(100_000 * scale))
            with capture.open("rb") as handle:  # the first entry of a task: one the contract judges
                entries = ijson.items(handle, "log.entries.item", use_float=True)
                entry = next(e for e in entries if "/connector/tasks/" in e["request"]["url"])
            one.write_text(json.dumps({"log": {"version": "1.2", "entries": [entry]}}))
        validate = [*CLI, "validate", "-q"]
        diff = [*CLI, "diff", str(ROOT / "openapi.yaml"), str(edited), "--captures"]
        twice = ["sh", "-c", '"$0" "$@" >/dev/null; "$0" "$@" >/dev/null; exit 0', *validate, str(capture)]
        commands = {
            "floor": ([*validate, str(capture)], (0, 1)),
            "peer": (twice, (0,)),
            "default": ([*diff, str(capture)], (0, 1)),
            "floor of one": ([*validate, str(one)], (0, 1)),
            "default of one": ([*diff, str(one)], (0, 1)),
        }
        samples = measure_all(commands, repeat)
        labels = {"floor": "floor: one validate of the capture", "peer": "two validate runs of the capture",
                  "default": f"diff --captures, default --jobs ({cores} cores)"}  # fmt: skip
        for kind, label in labels.items():
            runs = samples[kind]
            ratios = [floor[0] / mine[0] for floor, mine in zip(samples["floor"], runs, strict=True)]
            seconds, peak = statistics.median(run[0] for run in runs), max(run[1] for run in runs)
            rows.append(Row(name, kind, label, items, seconds, peak, statistics.median(ratios)))
        # The judging alone: validate's judging time over diff's, turn by turn.
        turns = zip(samples["floor"], samples["floor of one"], samples["default"], samples["default of one"],
                    strict=True)  # fmt: skip
        judged = [((v[0] - v1[0]) / (d[0] - d1[0]), d[0] - d1[0]) for v, v1, d, d1 in turns]
        label = "judging: diff less diff of one item, vs validate"
        rows.append(Row(name, "judging", label, items, statistics.median(j[1] for j in judged),
                        max(run[1] for run in samples["default"]), statistics.median(j[0] for j in judged)))  # fmt: skip
        capture.unlink()
        one.unlink()
    return rows


def hostile_rows(folder: Path, scale: float, repeat: int, cores: int) -> list[Row]:
    """One item of extreme size, or of countless findings, against a whole-file orjson parse of it."""
    rows: list[Row] = []
    inputs = [
        ("HAR, 100 MB body", "body.har", lambda path: make_big_body_har(path, int(100 * scale) or 1, minified=False)),
        ("HAR minified, 100 MB body", "minified.har",
         lambda path: make_big_body_har(path, int(100 * scale) or 1, minified=True)),
        ("JSONL, one 200 MB line", "line.jsonl", lambda path: make_long_line(path, int(200 * scale) or 1)),
        ("body, 200k new fields", "fields.json", lambda path: make_countless_fields(path, int(200_000 * scale))),
    ]  # fmt: skip
    for name, file_name, make in inputs:
        path = folder / file_name
        items = make(path)
        floor = FLOOR_JSONL if file_name.endswith(".jsonl") else FLOOR_WHOLE
        label = "floor: orjson.loads per line" if file_name.endswith(".jsonl") else "floor: orjson.loads, whole file"
        rows += [row for row in rows_for(name, path, items, floor, label, repeat, cores) if row.kind != "jobs1"]
        path.unlink()
    # Bombs: a few kilobytes that expand to gigabytes, against the plain decompression of the same file.
    bombs = [
        ("zstd bomb, one 2 GiB line", "bomb.jsonl.zst", "zstd", lambda path: make_zstd_bomb(path, int(2048 * scale))),
        ("gzip bomb, a 1 GiB HAR string", "bomb.har.gz", "gzip",
         lambda path: make_gzip_har_bomb(path, int(1024 * scale))),
    ]  # fmt: skip
    for name, file_name, tool, make in bombs:
        path = folder / file_name
        items = make(path)
        floor = FLOOR_DECOMPRESS.format(tool=tool)
        rows += [row for row in rows_for(name, path, items, floor, f"floor: {tool} -dc to /dev/null", repeat, cores)
                 if row.kind != "jobs1"]  # fmt: skip
        path.unlink()
    return rows


def check_targets(rows: list[Row]) -> list[dict[str, object]]:
    verdicts = []
    by = {(row.input, row.kind): row for row in rows}
    for name, kind, what, test in TARGETS:
        row = by.get((name, kind))
        verdicts.append(
            {"input": name, "target": what, "met": bool(row and test(row)), "measured": row and asdict(row)}
        )
    peer, mine = by.get(("HAR", "peer")), by.get(("HAR", "default"))
    flat, nested = by.get(("JSONL flat records", "default")), by.get(("JSONL nested records", "default"))
    if flat and nested:
        verdicts.append({"input": "JSONL nested records", "target": "speed >= 0.8 of the flat records'",
                         "met": nested.ratio >= 0.8 * flat.ratio, "measured": [nested.ratio, flat.ratio]})  # fmt: skip
    if peer and mine:
        verdicts.append({"input": "HAR", "target": "peak memory <= 1/10 of the peer's",
                         "met": mine.peak_mb * 10 <= peer.peak_mb, "measured": [mine.peak_mb, peer.peak_mb]})  # fmt: skip
    return verdicts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every input size (0.1: a quick look)")
    parser.add_argument("--repeat", type=int, default=REPEAT, help="runs per command, in turns; medians count")
    parser.add_argument("--json", type=Path, default=ROOT / "out" / "bench.json", help="where to write the results")
    args = parser.parse_args()
    repeat, scale = max(1, args.repeat), args.scale
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    rng = random.Random(20261124)
    rows: list[Row] = []
    started = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        jsonl = [
            ("JSONL clean", "clean", 100_000),
            ("JSONL 10% violating", "10% violating", 300_000),
            ("JSONL every line drifts", "every line drifts", 100_000),
            ("JSONL every line violates", "every line violates", 100_000),
        ]
        for name, mix, lines in jsonl:
            path = folder / f"{mix.replace(' ', '-').replace('%', '')}.jsonl"
            make_jsonl(path, int(lines * scale), rng, mix)
            rows += rows_for(name, path, int(lines * scale), FLOOR_JSONL, "floor: orjson.loads per line, one process",
                             repeat, cores, cluster=mix == "10% violating")  # fmt: skip
            path.unlink()
        # The same exchanges as this toolkit's flat records and as Redocly drift's nested NDJSON, which the peer
        # reads too: reading a foreign family must cost next to nothing over our own.
        for name, nested in (("JSONL flat records", False), ("JSONL nested records", True)):
            path = folder / ("nested.ndjson" if nested else "flat.jsonl")
            make_records(path, int(100_000 * scale), rng, nested=nested)
            peer = redocly()
            drift = [*peer, "drift", str(path), "--api", str(ROOT / "openapi.yaml"), "--server", SERVER,
                     "--max-findings", "10"] if peer and nested else None  # fmt: skip
            rows += rows_for(name, path, int(100_000 * scale), FLOOR_JSONL, "floor: orjson.loads per line, one process",
                             repeat, cores, drift)  # fmt: skip
            path.unlink()
        # A gateway's shard: gzip JSONL, one file (a compressed file is one unit of work: one process reads it).
        shard = folder / "shard.jsonl"
        make_jsonl(shard, int(100_000 * scale), rng, "realistic")
        packed = folder / "shard.jsonl.gz"
        with gzip.open(packed, "wb", compresslevel=6) as handle:
            handle.write(shard.read_bytes())
        shard.unlink()
        rows += rows_for("JSONL gzip shard", packed, int(100_000 * scale), FLOOR_GZIP,
                         "floor: gzip stream + orjson.loads per line", repeat, cores)  # fmt: skip
        packed.unlink()
        contract = ROOT / "openapi.yaml"
        har = folder / "capture.har"
        entries = make_har(har, rng, entries=int(50_000 * scale))
        size = har.stat().st_size / 1e6
        peer = redocly()
        drift = (
            [*peer, "drift", str(har), "--api", str(contract), "--server", SERVER, "--max-findings", "10"]
            if peer
            else None
        )
        rows += rows_for("HAR", har, entries, FLOOR_HAR, "floor: ijson entry stream, one process", repeat, cores, drift)
        har.unlink()
        big = folder / "large.har"
        big_entries = make_har(big, rng, megabytes=max(1, int(326 * scale)))
        big_size = big.stat().st_size / 1e6
        seconds, peak, last = measure_once([*CLI, "validate", str(big)])
        label = f"validate, default --jobs ({cores} cores)"
        rows.append(Row("HAR large", "default", label, big_entries, seconds, peak, 0.0, last))
        big.unlink()
        rows += hostile_rows(folder, scale, min(repeat, 3), cores)
        rows += diff_rows(folder, scale, repeat, cores, rng)
    # The reference server under load: 1000 connections on loopback, a mix of valid, unauthorised and hostile
    # requests (bench/load.py).
    served = load.run(max(10, int(1000 * scale)), 5)
    # The validating proxy under 50 connections (wrk), beside a direct connection and the peers' proxies, and its
    # memory over a stream of large bodies (bench/proxy.py); left out, and said, where wrk is not installed.
    proxied = proxy_bench.run(max(1.0, 5 * scale), repeat=min(repeat, 3), gib=max(0.1, scale)) if shutil.which("wrk") \
        else None  # fmt: skip
    print(f"cores: {cores} ({platform.machine()}, Python {platform.python_version()}); {repeat} runs each, medians")
    print(f"HAR: {entries:,} entries, {size:.0f} MB; large HAR: {big_entries:,} entries, {big_size:.0f} MB")
    print(f"{'input':<26} {'run':<44} {'items':>8} {'seconds':>8} {'items/s':>9} {'peak MB':>8} {'ratio':>6}")
    for row in rows:
        ratio = f"{row.ratio:6.2f}" if row.ratio else "     -"
        print(f"{row.input:<26} {row.run:<44} {row.items:>8,} {row.seconds:8.2f} {row.items / row.seconds:9,.0f} "
              f"{row.peak_mb:8.0f} {ratio}")  # fmt: skip
    print(
        "ratio: median of floor time / ours, turn by turn (for the peer: its time / ours, how many times faster we are)"
    )
    print(
        f"serve under load: {served['connections']} connections, {served['answered']}/{served['requests']} answered, "
        f"{served['rps']} req/s, p50 {served['p50_ms']} ms, p99 {served['p99_ms']} ms, statuses {served['statuses']}"
    )
    for check, passed in served["checks"].items():
        print(f"  {'ok  ' if passed else 'FAIL'} {check}")
    if proxied is not None:
        proxy_bench.show(proxied)
    else:
        print("proxy: not measured: install wrk (Debian: apt-get install wrk)")
    targets = check_targets(rows)
    targets += [{"input": "serve under load", "target": check, "met": passed, "measured": served["rps"]}
                for check, passed in served["checks"].items()]  # fmt: skip
    if proxied is not None:
        ours = next(row["rps"] for row in proxied["rows"] if row["target"] == "ours")
        targets += [{"input": "proxy", "target": check, "met": passed, "measured": ours}
                    for check, passed in proxied["checks"].items()]  # fmt: skip
    for target in targets:
        print(f"target {target['input']}: {target['target']}: {'met' if target['met'] else 'NOT met'}")
    for row in rows:
        if row.summary and (row.kind in ("default", "jobs1") or row.kind.startswith("cluster")):
            print(f"counts {row.input}, {row.run}: {row.summary}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "cores": cores,
        "machine": platform.machine(),
        "python": platform.python_version(),
        "repeat": repeat,
        "scale": scale,
        "rows": [asdict(row) for row in rows],
        "targets": targets,
        "load": served,
        "proxy": proxied,
    }
    args.json.write_text(json.dumps(record, indent=2) + "\n")
    print(f"written to {args.json}")
    if args.json.resolve() == SPEED:  # the record the docs show: the README's costs follow it
        readme = ROOT / "README.md"
        # docs/hooks.py is the one renderer of measured costs; MkDocs loads it by path too.
        stamped = runpy.run_path(str(ROOT / "docs" / "hooks.py"))["stamped"]
        readme.write_text(stamped(readme.read_text(), record))
        print(f"costs written into {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
