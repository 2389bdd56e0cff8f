"""Compressed captures: `.gz`, `.zst`, `.bz2` and `.xz` JSONL, HAR and body files are read as streams and give the
report of the same file uncompressed; a broken one is unreadable where it breaks, and the other files are judged."""

from __future__ import annotations

import bz2
import gzip
import lzma
import random
import shutil
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
import zstandard

from dms_smartconnect_contract.sources.files import split_name
from dms_smartconnect_contract.sources.lines import Broken, line_blocks

from clirunner import run
from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from inputs import make_har, make_jsonl

COMPRESS: dict[str, Callable[[bytes], bytes]] = {
    ".gz": gzip.compress,
    ".zst": lambda data: zstandard.ZstdCompressor().compress(data),
    ".bz2": bz2.compress,
    ".xz": lzma.compress,
}


def _compressed(plain: Path, suffix: str, folder: Path) -> Path:
    target = folder / (plain.name + suffix)
    target.write_bytes(COMPRESS[suffix](plain.read_bytes()))
    return target


@pytest.fixture(scope="module")
def captures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Plain captures: the bundled samples, a JSONL log of several megabytes in the realistic mix (several blocks,
    violations and drift), and a body file."""
    folder = tmp_path_factory.mktemp("plain")
    shutil.copy(ROOT / "samples" / "service-log.jsonl", folder / "service-log.jsonl")
    shutil.copy(ROOT / "samples" / "browser-capture.har", folder / "browser-capture.har")
    make_jsonl(folder / "mixed.ndjson", 6000, random.Random(7), "realistic")
    make_har(folder / "small.har", random.Random(8), entries=300)
    body = ROOT / "tests" / "exchanges"
    first = sorted(path for path in body.rglob("*.json") if not path.name.endswith(".expected.json"))[0]
    shutil.copy(first, folder / "body.json")
    return {path.name: path for path in folder.iterdir()}


def _report(path: Path, fmt: str, *extra: str) -> tuple[int, str]:
    result = run("validate", "--format", fmt, *extra, str(path))
    return result.code, result.out


@pytest.mark.parametrize("suffix", sorted(COMPRESS))
@pytest.mark.parametrize("name", ["service-log.jsonl", "browser-capture.har", "mixed.ndjson", "small.har", "body.json"])
def test_a_compressed_capture_gives_the_report_of_the_plain_one(
    captures: dict[str, Path], name: str, suffix: str, tmp_path: Path
) -> None:
    plain = captures[name]
    packed = _compressed(plain, suffix, tmp_path)
    assert plain.stat().st_size > 0 and packed.read_bytes() != plain.read_bytes()
    for fmt in ("json", "text"):
        code, expected = _report(plain, fmt, "--jobs", "1")
        got_code, got = _report(packed, fmt)
        assert got_code == code
        assert got == expected.replace(str(plain), str(packed))


def test_names_say_the_kind_and_the_compression() -> None:
    assert split_name("a/log.jsonl.gz") == (".jsonl", "gzip")
    assert split_name("TRACE.HAR.ZST") == (".har", "zstd")
    assert split_name("x.json.bz2") == (".json", "bz2")
    assert split_name("x.ndjson.xz") == (".ndjson", "xz")
    assert split_name("x.jsonl") == (".jsonl", None)
    assert split_name("notes.txt.gz") == (".txt", "gzip")


def test_a_folder_mixes_compressed_and_plain_files(captures: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "shards"
    folder.mkdir()
    shutil.copy(captures["service-log.jsonl"], folder / "a.jsonl")
    (folder / "b.jsonl.gz").write_bytes(gzip.compress(captures["mixed.ndjson"].read_bytes()))
    (folder / "c.har.zst").write_bytes(COMPRESS[".zst"](captures["small.har"].read_bytes()))
    (folder / "notes.txt.gz").write_bytes(gzip.compress(b"not a capture\n"))
    whole = run("validate", "--format", "json", str(folder)).json()["summary"]
    parts = [
        run("validate", "--format", "json", str(captures[name])).json()["summary"]
        for name in ("service-log.jsonl", "mixed.ndjson", "small.har")
    ]
    for key in ("conforming", "violating", "unreadable"):
        assert whole[key] == sum(part[key] for part in parts), key
    assert whole["skipped"] == sum(part["skipped"] for part in parts) + 1
    text = run("validate", "-v", str(folder)).out
    assert "skipped 1: not a capture file (.txt compressed)" in text
    assert "b.jsonl.gz:" in text and "c.har.zst#/log/entries/" in text


@pytest.mark.parametrize("suffix", sorted(COMPRESS))
def test_a_truncated_compressed_log_is_unreadable_where_it_breaks(
    captures: dict[str, Path], suffix: str, tmp_path: Path
) -> None:
    """The lines before the break are judged as in the plain file; the break is one unreadable item naming the
    file, the line and how far into the compressed file it came; a file beside it is judged whole."""
    plain = captures["mixed.ndjson"]
    data = COMPRESS[suffix](plain.read_bytes())
    broken = tmp_path / f"broken.ndjson{suffix}"
    broken.write_bytes(data[: len(data) // 2])
    report = run("validate", "--format", "json", str(broken), str(captures["service-log.jsonl"])).json()
    unreadable = [r for r in report["results"] if r["outcome"] == "unreadable"]
    assert len(unreadable) == 1
    location, reason = unreadable[0]["location"], unreadable[0]["reason"]
    assert location.startswith(f"{broken}:") and "stream broken" in reason and "compressed file read" in reason
    line = int(location.rsplit(":", 1)[1])
    assert 1 < line < plain.read_bytes().count(b"\n")
    # The lines before the break: exactly the plain file's first lines, judged the same way.
    head = tmp_path / "head.ndjson"
    head.write_bytes(b"".join(plain.read_bytes().splitlines(keepends=True)[: line - 1]))
    expected = run("validate", "--format", "json", str(head)).json()["results"]
    got = [r for r in report["results"] if r["location"].startswith(f"{broken}:") and r is not unreadable[0]]
    assert [(r["location"].replace(str(broken), str(head)), r["outcome"], r["violations"]) for r in got] == [
        (r["location"], r["outcome"], r["violations"]) for r in expected
    ]
    others = [r for r in report["results"] if r["location"].startswith(str(captures["service-log.jsonl"]))]
    service = run("validate", "--format", "json", str(captures["service-log.jsonl"])).json()["summary"]
    assert len(others) == service["total"] - service["skipped"]
    assert report["exit_code"] == 1


def test_a_corrupt_gzip_har_is_unreadable_at_the_entry_where_it_breaks(
    captures: dict[str, Path], tmp_path: Path
) -> None:
    data = bytearray(gzip.compress(captures["small.har"].read_bytes()))
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)  # a run of zeros inside the deflate stream
    broken = tmp_path / "corrupt.har.gz"
    broken.write_bytes(bytes(data))
    report = run("validate", "--format", "json", str(broken)).json()
    unreadable = [r for r in report["results"] if r["outcome"] == "unreadable"]
    assert len(unreadable) == 1
    assert unreadable[0]["location"].startswith(f"{broken}#/log/entries/")
    entry = int(unreadable[0]["location"].rsplit("/", 1)[1])
    assert entry > 0 and report["summary"]["total"] == entry + 1
    assert report["exit_code"] == 1


def test_compressed_lines_are_read_a_block_at_a_time(tmp_path: Path) -> None:
    """A 24 MB log compressed is never decompressed whole: memory while reading it stays near one block."""
    line = b'{"id": "194917d0-8c1b-4f1e-b3a2-6e0d9f4c2a15", "pad": "' + b"x" * 900 + b'"}\n'
    packed = tmp_path / "big.jsonl.gz"
    with gzip.open(packed, "wb", compresslevel=1) as handle:
        for _ in range(24_000):
            handle.write(line)
    tracemalloc.start()
    try:
        lines = sum(len(block) for block in line_blocks(str(packed), "gzip"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert lines == 24_000
    assert peak < 8 * (1 << 20), f"peak {peak / (1 << 20):.1f} MB reading 24 MB"


def test_a_break_before_any_whole_line_is_the_first_line(tmp_path: Path) -> None:
    packed = tmp_path / "short.jsonl.xz"
    packed.write_bytes(lzma.compress(b'{"a": 1}\n' * 1000)[:20])
    with pytest.raises(Broken, match="xz stream broken"):
        list(line_blocks(str(packed), "xz"))
    report = run("validate", "--format", "json", str(packed)).json()
    assert [(r["location"], r["outcome"]) for r in report["results"]] == [(f"{packed}:1", "unreadable")]


def test_a_zstd_file_of_several_frames_is_read_across_them(captures: dict[str, Path], tmp_path: Path) -> None:
    """As `zstd` writes when appending: frames one after another, the file their text joined."""
    text = captures["service-log.jsonl"].read_bytes()
    cut = text.index(b"\n", len(text) // 2) + 1
    packed = tmp_path / "appended.jsonl.zst"
    compressor = zstandard.ZstdCompressor()
    packed.write_bytes(compressor.compress(text[:cut]) + compressor.compress(text[cut:]))
    plain = captures["service-log.jsonl"]
    assert _report(packed, "json")[1] == _report(plain, "json")[1].replace(str(plain), str(packed))
    packed.write_bytes(compressor.compress(text[:cut]) + compressor.compress(text[cut:])[:-9])
    results = run("validate", "--format", "json", str(packed)).json()["results"]
    unreadable = [r for r in results if r["outcome"] == "unreadable"]
    assert len(unreadable) == 1 and "the zstd frame ends before its end" in unreadable[0]["reason"]
