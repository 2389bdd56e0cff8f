"""Throughput and latency through the validating proxy, beside a direct connection and the peers' proxies, on loopback.

The upstream is the reference server (`serve`, a process of its own). The load generator is wrk (Debian's `wrk`,
one thread, 50 connections, keep-alive), so that the client is not the bottleneck. Each target is measured in
turns, `--repeat` times, for `--seconds` each; the table gives the medians:
- direct: wrk against the upstream;
- ours: `smartconnect-contract proxy`, judging every response;
- Redocly CLI's `proxy --api` (with `--match-mode basepath`, without which it judges no loopback traffic);
- Prism 5's `prism proxy --errors`.
The peers are npm packages installed into bench/.peers on first use; a peer that cannot be installed is left out.

Then memory: 1 GiB of 1 MiB bodies through our proxy (a small upstream serving them), its peak resident set sampled
after the first eighth and at the end: flat means the end is no more than the start and a little.

    python bench/proxy.py [--seconds 5] [--repeat 3] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import load
from peers import PRISM, REDOCLY, peer

ROOT = Path(__file__).resolve().parents[1]
CONNECTIONS = 50
CLI = [sys.executable, "-m", "dms_smartconnect_contract"]
LARGE_BODY = 1 << 20  # the bodies of the memory run
LARGE_UPSTREAM = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route
body = b'{"id": "' + b"x" * (int(sys.argv[2]) - 10) + b'"}'
async def task(request):
    return Response(body, media_type="application/json")
app = Starlette(routes=[Route("/{path:path}", task)])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


@contextmanager
def _process(command: list[str], port: int, env: dict[str, str] | None = None) -> Any:
    """A server process listening on `port`, until the block ends (then SIGTERM)."""
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tempfile.gettempdir())
        try:
            load._wait_listening(port, process, timeout=60)
            yield process
        except RuntimeError:
            log.seek(0)
            raise RuntimeError(f"{command[0]} did not start: {log.read().decode(errors='replace')[-2000:]}") from None
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
_P50 = re.compile(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_NON2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SCALE = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, seconds: float) -> dict[str, float]:
    """One wrk run of 50 connections against `url`: requests per second, p50 latency (ms), non-2xx answers."""
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--latency", "-H", f"X-Auth-Token: {load.TOKEN}",
               url]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate, p50 = _RATE.search(out), _P50.search(out)
    if rate is None or p50 is None:
        raise RuntimeError(f"wrk printed no rate: {out}")
    wrong = _NON2XX.search(out)
    return {"rps": float(rate.group(1)), "p50_ms": float(p50.group(1)) * _SCALE[p50.group(2)],
            "non_2xx": float(wrong.group(1)) if wrong else 0.0}  # fmt: skip


def throughput(seconds: float, repeat: int) -> list[dict[str, Any]]:
    """The rows of direct, ours and each peer, measured in turns; medians."""
    upstream_port = load._free_port()
    env = {**os.environ, "SMARTCONNECT_TOKEN": load.TOKEN, "HUAWEICLOUD_SDK_PROJECT_ID": load.PROJECT}
    serve = [*CLI, "serve", "--port", str(upstream_port), "--project-id", load.PROJECT, "--instance-id", load.INSTANCE]
    upstream = f"http://127.0.0.1:{upstream_port}"
    task = load.BASE + asyncio.run(load._task_ids(upstream_port))[0]
    contract = str(ROOT / "openapi.yaml")
    with tempfile.TemporaryDirectory() as folder:
        targets: dict[str, tuple[str, Any]] = {"direct": ("a direct connection to the upstream", None)}
        port = load._free_port()
        targets["ours"] = ("smartconnect-contract proxy, judging every response",
                           ([*CLI, "proxy", "--upstream", upstream, "--listen", f"127.0.0.1:{port}",
                             "--record", f"{folder}/ours.jsonl", "--output", f"{folder}/ours.txt"], port))  # fmt: skip
        redocly = peer(REDOCLY, "redocly")
        if redocly:
            port = load._free_port()
            targets["redocly"] = (f"peer: redocly proxy --api ({REDOCLY})",
                                  ([*redocly, "proxy", "--target", upstream, "--port", str(port), "--api", contract,
                                    "--har", f"{folder}/redocly.har", "--match-mode", "basepath"], port))  # fmt: skip
        prism = peer(PRISM, "prism")
        if prism:
            port = load._free_port()
            targets["prism"] = (f"peer: prism proxy --errors ({PRISM})",
                                ([*prism, "proxy", contract, upstream, "--port", str(port), "--errors",
                                  "-v", "error"], port))  # fmt: skip
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
        with _process(serve, upstream_port, env):
            for _ in range(repeat):
                for name, (_, started) in targets.items():
                    if started is None:
                        runs[name].append(wrk(upstream + task, seconds))
                        continue
                    command, port = started
                    with _process(command, port, env):
                        wrk(f"http://127.0.0.1:{port}{task}", 1)  # warm: connections, and the contract compiled
                        runs[name].append(wrk(f"http://127.0.0.1:{port}{task}", seconds))
    rows = []
    for name, measured in runs.items():
        rows.append({"target": name, "label": targets[name][0],
                     "rps": statistics.median(run["rps"] for run in measured),
                     "p50_ms": statistics.median(run["p50_ms"] for run in measured),
                     "non_2xx": max(run["non_2xx"] for run in measured)})  # fmt: skip
    return rows


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def memory(gib: float = 1.0) -> dict[str, float]:
    """Our proxy's peak resident set after an eighth of `gib` GiB of 1 MiB bodies has passed, and at the end."""
    import httpx

    upstream_port, port = load._free_port(), load._free_port()
    bodies = int(gib * 1024 * (1 << 20) / LARGE_BODY)
    with tempfile.TemporaryDirectory() as folder, \
            _process([sys.executable, "-c", LARGE_UPSTREAM, str(upstream_port), str(LARGE_BODY)], upstream_port), \
            _process([*CLI, "proxy", "--upstream", f"http://127.0.0.1:{upstream_port}", "--listen",
                      f"127.0.0.1:{port}", "--record", f"{folder}/large.jsonl.zst", "--output",
                      f"{folder}/large.txt"], port) as proxy:  # fmt: skip
        early = 0.0
        began = time.perf_counter()
        with httpx.Client(headers={"X-Auth-Token": load.TOKEN}) as client:
            for index in range(bodies):
                answer = client.get(f"http://127.0.0.1:{port}{load.BASE}{index}")
                assert len(answer.content) == LARGE_BODY
                if index == bodies // 8:
                    early = _peak_mb(proxy.pid)
        seconds = time.perf_counter() - began
        late = _peak_mb(proxy.pid)
    return {"bodies": bodies, "mb_per_s": round(bodies * LARGE_BODY / seconds / 1e6, 1), "peak_early_mb":
            round(early, 1), "peak_end_mb": round(late, 1)}  # fmt: skip


def run(seconds: float = 5.0, repeat: int = 3, gib: float = 1.0) -> dict[str, Any]:
    rows = throughput(seconds, repeat)
    by = {row["target"]: row for row in rows}
    ours, direct = by["ours"], by["direct"]
    kept = memory(gib)
    checks = {
        "ours at least 0.7 of the direct throughput": ours["rps"] >= 0.7 * direct["rps"],
        "added p50 latency at most 2 ms": ours["p50_ms"] - direct["p50_ms"] <= 2.0,
        "every answer 2xx through ours": ours["non_2xx"] == 0,
    }
    for name in ("redocly", "prism"):
        if name in by:
            checks[f"ours at least the throughput of {name}"] = ours["rps"] >= by[name]["rps"]
    flat = "peak memory flat over 1 GiB of bodies (end within 10 MB of the first eighth)"
    checks[flat] = kept["peak_end_mb"] <= kept["peak_early_mb"] + 10
    return {"connections": CONNECTIONS, "seconds": seconds, "repeat": repeat, "rows": rows, "memory": kept,
            "checks": checks, "ok": all(checks.values())}  # fmt: skip


def show(record: dict[str, Any]) -> None:
    direct = next(row for row in record["rows"] if row["target"] == "direct")
    print(f"proxy, {record['connections']} connections (wrk), {record['repeat']} x {record['seconds']} s, medians:")
    print("| target | req/s | vs direct | p50 ms | added p50 ms |")
    print("|---|---|---|---|---|")
    for row in record["rows"]:
        print(f"| {row['label']} | {row['rps']:.0f} | {row['rps'] / direct['rps']:.2f} | {row['p50_ms']:.2f} | "
              f"{row['p50_ms'] - direct['p50_ms']:+.2f} |")  # fmt: skip
    kept = record["memory"]
    print(f"memory: {kept['bodies']} bodies of 1 MiB at {kept['mb_per_s']} MB/s; peak {kept['peak_early_mb']} MB "
          f"after an eighth, {kept['peak_end_mb']} MB at the end")  # fmt: skip
    for check, passed in record["checks"].items():
        print(f"  {'ok  ' if passed else 'MISS'} {check}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds of load per run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per target, in turns; medians count")
    parser.add_argument("--gib", type=float, default=1.0, help="GiB of bodies through the proxy for the memory run")
    parser.add_argument("--json", type=Path, help="also write the record as JSON")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench/proxy.py needs wrk, the load generator (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    record = run(args.seconds, args.repeat, args.gib)
    show(record)
    if args.json:
        args.json.write_text(json.dumps(record, indent=2) + "\n")
    return 0 if record["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
