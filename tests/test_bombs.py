"""Items far over the size limit, in every reader and every compression: each is counted unreadable at its limit,
the item after it is judged, and the memory held stays bounded by the limit, not by the item. Memory is measured in
a child process (tracemalloc for what the readers hold, getrusage for the whole process), never by eye."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import pytest
import zstandard

from dms_smartconnect_contract.sources.compression import open_stream

from conftest import ROOT

LIMIT = 4 << 20  # --max-body-bytes of the matrix: its items are 8 times over it

# A child process: it writes the capture (a local file, or memory:// in its own fsspec memory), judges a capture
# of the same shape without the big item, then the capture, and prints what the readers held at most for each.
PROBE = textwrap.dedent(
    """
    import bz2, gzip, json, lzma, sys, tracemalloc
    import zstandard
    from dms_smartconnect_contract.cli import main
    from dms_smartconnect_contract.formats import streamed

    reader, compression, where, limit, folder = sys.argv[1:4] + [int(sys.argv[4]), sys.argv[5]]
    streamed.STREAMED_STRING_BYTES = 0  # the streamed HAR's cut at its floor, twice the limit
    url = "https://dms.example/v2/a4a5d4098fb4474fa22cd05f897d6b99/instances/59f6d088-2b1e-4c55-9a43-5d3c2f1e0a77/connector/tasks/194917d0-8c1b-4f1e-b3a2-6e0d9f4c2a15"
    good = json.dumps({"task_name": "a"})

    def entry(text):
        return {"request": {"method": "GET", "url": url}, "response": {"status": 200, "headers": [
            {"name": "Content-Type", "value": "application/json"}], "content": {"mimeType": "application/json",
            "text": text}}}

    def capture(first):
        if reader == "jsonl":
            return (first + "\\n" + good + "\\n").encode(), ".jsonl"
        if reader == "har":
            return json.dumps({"log": {"version": "1.2", "entries": [entry(first), entry(good)]}}).encode(), ".har"
        return first.encode(), ".json"

    packers = {"none": (bytes, ""), "gz": (gzip.compress, ".gz"), "zst": (zstandard.compress, ".zst"),
               "bz2": (bz2.compress, ".bz2"), "xz": (lzma.compress, ".xz")}
    pack, extension = packers[compression]
    peaks, summaries = [], []
    for run, first in enumerate([good, json.dumps({"task_name": "a", "note": "x" * (8 * limit)})]):
        data, suffix = capture(first)
        blob = pack(data)
        del data, first
        name = f"capture{run}{suffix}{extension}"
        if where == "memory":
            import fsspec
            name = f"memory://bombs/{name}"
            with fsspec.open(name, "wb") as out:
                out.write(blob)
        else:
            name = f"{folder}/{name}"
            open(name, "wb").write(blob)
        del blob
        tracemalloc.start()
        tracemalloc.reset_peak()
        report = f"{folder}/report{run}.json"
        main(["validate", "--format", "json", "-q", "--jobs", "1", "--max-body-bytes", str(limit), "-o", report, name])
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        summaries.append(json.load(open(report)))
    print(json.dumps({"peaks": peaks, "results": [[(r["outcome"], r.get("rule")) for r in s["results"]]
                                                  for s in summaries]}))
    """
)


def _child(*args: str) -> subprocess.CompletedProcess[str]:
    path = f"{ROOT / 'validators'}:{ROOT / 'generated'}"
    return subprocess.run([sys.executable, "-c", *args], capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": path, "PATH": "/usr/bin:/bin"})  # fmt: skip


@pytest.mark.parametrize("where", ["local", "memory"])
@pytest.mark.parametrize("compression", ["none", "gz", "zst", "bz2", "xz"])
@pytest.mark.parametrize("reader", ["body", "jsonl", "har"])
def test_an_item_eight_times_over_the_limit_costs_the_limit_and_the_next_item_is_judged(
    reader: str, compression: str, where: str, tmp_path: Path
) -> None:
    done = _child(PROBE, reader, compression, where, str(LIMIT), str(tmp_path))
    assert done.returncode == 0, done.stderr
    measured = json.loads(done.stdout.splitlines()[-1])
    small, big = ([tuple(outcome) for outcome in results] for results in measured["results"])
    over = "limit.line-bytes" if reader == "jsonl" else "limit.body-bytes"
    expected = [("unreadable", over)] + ([("conforming", None)] if reader != "body" else [])
    assert big == expected and small == [("conforming", None)] * len(expected), measured
    # Holding the item even once would take 8 limits more than the capture without it.
    baseline, peak = measured["peaks"]
    assert peak - baseline < 6 * LIMIT, f"{(peak - baseline) / LIMIT:.1f} limits held for an item of 8"


# A child that runs the command and prints the largest resident set of its process tree.
MEASURE = textwrap.dedent(
    """
    import json, resource, subprocess, sys
    done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(json.dumps({"code": done.returncode, "peak": peak, "out": done.stdout, "err": done.stderr}))
    """
)


def _measured(*command: str) -> dict[str, object]:
    cli = "import sys\nfrom dms_smartconnect_contract.cli import main\nsys.exit(main(sys.argv[1:]))"
    done = _child(MEASURE, sys.executable, "-c", cli, *command)
    assert done.returncode == 0, done.stderr
    measured: dict[str, object] = json.loads(done.stdout)
    return measured


def _results(measured: dict[str, object]) -> list[tuple[str, str | None]]:
    report = json.loads(str(measured["out"]))
    return [(result["outcome"], result.get("rule")) for result in report["results"]]


def test_a_small_zstd_file_that_expands_to_one_2_gib_line(tmp_path: Path) -> None:
    """66 KB of zstd frames holding one line of 2 GiB, then a good line: a block of output at a time."""
    bomb = tmp_path / "bomb.jsonl.zst"
    filler = zstandard.compress(b"x" * (16 << 20))
    bomb.write_bytes(zstandard.compress(b'{"task_name": "a", "note": "') + filler * 128
                     + zstandard.compress(b'"}\n{"task_name": "b"}\n'))  # fmt: skip
    assert bomb.stat().st_size < 200_000
    measured = _measured("validate", "--format", "json", str(bomb))
    assert measured["code"] == 1
    assert _results(measured) == [("unreadable", "limit.line-bytes"), ("conforming", None)]
    assert int(str(measured["peak"])) < 300 << 20, measured["peak"]


def test_a_gzip_har_whose_first_entry_holds_a_1_gib_string_loses_no_entry(tmp_path: Path) -> None:
    url = "https://dms.example/v2/a4a5d4098fb4474fa22cd05f897d6b99/instances/59f6d088-2b1e-4c55-9a43-5d3c2f1e0a77/connector/tasks/194917d0-8c1b-4f1e-b3a2-6e0d9f4c2a15"
    entry = {"request": {"method": "GET", "url": url, "headers": []},
             "response": {"status": 200, "headers": [{"name": "Content-Type", "value": "application/json"}],
                          "content": {"mimeType": "application/json", "text": "@"}}}  # fmt: skip
    before, after = json.dumps(entry).split("@")
    good = json.dumps({**entry, "response": {**entry["response"], "content": {"mimeType": "application/json",
                       "text": json.dumps({"task_name": "a"})}}})  # fmt: skip
    head = '{"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": [' + before
    bomb = tmp_path / "bomb.har.gz"
    filler = gzip.compress(b"x" * (16 << 20), compresslevel=1)
    bomb.write_bytes(gzip.compress(head.encode()) + filler * 64 + gzip.compress(f"{after},{good}]}}}}".encode()))
    measured = _measured("validate", "--format", "json", str(bomb))
    assert measured["code"] == 1
    assert _results(measured) == [("unreadable", "limit.body-bytes"), ("conforming", None)]
    assert int(str(measured["peak"])) < 300 << 20, measured["peak"]


def test_a_skippable_zstd_frame_is_read_past_not_held(tmp_path: Path) -> None:
    """A skippable frame (metadata a tool may write) says how long it is: its content is read past a block at a
    time, so a frame of 64 MiB costs no more than one of a few bytes."""
    line = b'{"task_name": "a"}\n'
    capture = tmp_path / "capture.jsonl.zst"
    with capture.open("wb") as out:
        out.write((0x184D2A5E).to_bytes(4, "little") + (64 << 20).to_bytes(4, "little"))
        out.write(b"\0" * (64 << 20))
        out.write(zstandard.compress(line))
    tracemalloc.start()
    with capture.open("rb") as raw:
        read = open_stream(raw, "zstd").read()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert read == line
    assert peak < 4 << 20, f"{peak:,} bytes held"
