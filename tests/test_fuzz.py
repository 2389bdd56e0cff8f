"""Fuzzing `validate` with hostile captures, as an attacker or a broken tool would write them.

Hypothesis builds JSONL logs, HAR files and body files out of good exchanges and every kind of damage: wrong types
at every level of a record and of a HAR (log, entries, entry, request, response, headers, content), truncation at
any byte (inside a string, an escape, a number, a multi-byte character, between entries), foreign encodings
(UTF-16, Latin-1, a byte order mark), control characters, deep nesting, bodies and lines over the limits, base64
that is not, and credentials of every shape in every place. Each capture is judged in one report format, plain or
compressed, in default or strict mode, with small limits so that they are met. Whatever the input:

- no exception escapes, and nothing on standard error reads as a traceback;
- the exit code is 0, 1, 2 or 5 (5: nothing was judged);
- every item is counted once: `total = conforming + violating + skipped + unreadable`, and a JSONL log has as many
  items as non-blank lines;
- no credential put in the capture appears in any output;
- each run stays within its cost: a few seconds, whatever the damage.

On bytes, the compressed readers get streams cut anywhere into zstd frames and blocks (skippable frames between),
gzip members, bz2 and xz streams, each judged as in one; streams truncated at any byte, with a byte changed, with
garbage after or between them; and bombs (kilobytes that expand to megabytes of one string) anywhere among good and
bad items, each one item at its limit, in a time bounded per byte expanded.

`make test` runs 100 cases per property (the bombs a quarter of that); `make fuzz` runs many more (FUZZ_EXAMPLES). Hypothesis keeps the failing
cases it finds in .hypothesis/, and replays them first. Beside the properties, a log line and a HAR are cut at every
byte.
"""

from __future__ import annotations

import bz2
import functools
import gzip
import itertools
import json
import lzma
import os
import re
import time
from pathlib import Path
from typing import Any

import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clirunner import run
from conftest import ROOT

SEED = json.loads((ROOT / "tests" / "exchanges" / "conforming" / "unmasked-ids.json").read_text())
URL = (
    "https://dms.cn-north-4.myhuaweicloud.com/v2/a4a5d4098fb4474fa22cd05f897d6b99/instances/"
    "59f6d088-2b1e-4c55-9a43-5d3c2f1e0a77/connector/tasks/194917d0-8c1b-4f1e-b3a2-6e0d9f4c2a15"
)
# Credentials of every shape the masking knows, and pieces of them a report must not show either.
SECRETS = {
    "MIIEvQYJKoZIhvcNAQEHoIIErjCCBKoCAQExDTALBglghkgBZQMEAgEwggLJBgkqhkiG9w0BBwGgggK6BIICtnsidG9r": [
        "MIIEvQYJKoZIhvcNAQEHoIIErjCC"
    ],
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJrYWZrYS1vcHMiLCJleHAiOjE3MDB9.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U": [
        "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
    ],
    "HPUAZ7Q2XK4M9B1C3D5E": ["HPUAZ7Q2XK4M9B1C3D5E"],
    "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY12": ["wJalrXUtnFEMIK7MDENGbPxRfiCYEX"],
    "SDK-HMAC-SHA256 Access=HPUAZ7Q2XK4M9B1C3D5E, SignedHeaders=host;x-sdk-date, "
    "Signature=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08": ["9f86d081884c7d659a2f"],
}
FORMATS = ["text", "json", "jsonl", "junit", "sarif", "github"]
LIMIT = 4096  # --max-body-bytes for the fuzz runs: small, so that generated inputs meet it
SECONDS = 20.0  # a generous bound for one run on a slow shared machine; a stall is minutes

# Cases per property: 100 in `make test` (a few seconds each), FUZZ_EXAMPLES in `make fuzz`.
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)

# --- values -------------------------------------------------------------------------------------------------------

_secret = st.sampled_from(sorted(SECRETS))
_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    _secret,
)
_wrong = st.one_of(_scalar, st.lists(_scalar, max_size=3), st.dictionaries(st.text(max_size=5), _scalar, max_size=3))


@st.composite
def _body(draw: st.DrawFn) -> Any:
    """A task body: the seed, broken in a few places (wrong types, new fields, secrets), or anything at all."""
    kind = draw(st.sampled_from(["seed", "broken", "wrong", "deep", "big"]))
    if kind == "seed":
        return dict(SEED)
    if kind == "wrong":
        return draw(_wrong)
    if kind == "deep":
        depth = draw(st.integers(1, 3000))
        return json.loads("[" * depth + "]" * depth) if depth < 900 else {"deep": depth}  # text made below
    if kind == "big":
        return dict(SEED, note="x" * draw(st.integers(LIMIT - 50, LIMIT * 3)))
    body = dict(SEED)
    for key in draw(st.lists(st.sampled_from([*SEED, "extra", "config"]), max_size=5)):
        body[key] = draw(_wrong)
    return body


@st.composite
def _record(draw: st.DrawFn) -> Any:
    """A JSONL exchange record, with any of its parts of a wrong type."""
    record: dict[str, Any] = {
        "status": draw(st.one_of(st.sampled_from([200, 200, 404, 500, 0, 202]), _wrong)),
        "method": draw(st.one_of(st.just("GET"), _wrong)),
        "url": draw(st.one_of(st.just(URL), st.just(URL + "?token=" + draw(_secret)), _wrong)),
        "headers": draw(
            st.one_of(
                st.just({"Content-Type": "application/json", "X-Request-Id": "0" * 32}),
                st.just({"Content-Type": "application/json", "X-Auth-Token": draw(_secret)}),
                _wrong,
            )
        ),
    }
    where = draw(st.sampled_from(["body", "body_text", "body_base64", "none"]))
    if where == "body":
        record["body"] = draw(_body())
    elif where == "body_text":
        record["body_text"] = draw(st.one_of(st.just(json.dumps(SEED)), st.text(max_size=50), _wrong))
    elif where == "body_base64":
        record["body_base64"] = draw(st.one_of(st.text("AB+/=", max_size=30), _wrong))
    return record


def _dump(value: Any) -> bytes:
    if isinstance(value, dict) and "deep" in value and len(value) == 1:
        return b"[" * value["deep"] + b"]" * value["deep"]
    return json.dumps(value).encode()


# --- damage -------------------------------------------------------------------------------------------------------


@st.composite
def _damaged(draw: st.DrawFn, text: bytes) -> bytes:
    """Text with one kind of damage, or none."""
    damage = draw(
        st.sampled_from(["none", "none", "truncate", "bytes", "utf-16", "latin-1", "bom", "control", "splice"])
    )
    if damage == "truncate" and text:
        return text[: draw(st.integers(0, len(text) - 1))]
    if damage == "bytes":
        at = draw(st.integers(0, len(text)))
        return text[:at] + draw(st.binary(min_size=1, max_size=8)) + text[at:]
    if damage == "utf-16":
        return text.decode("utf-8", "replace").encode("utf-16")
    if damage == "latin-1":
        return text.decode("utf-8", "replace").replace("a", "\xe9").encode("latin-1", "replace")
    if damage == "bom":
        return b"\xef\xbb\xbf" + text
    if damage == "control":
        at = draw(st.integers(0, len(text)))
        return text[:at] + bytes([draw(st.integers(0, 31))]) + text[at:]
    if damage == "splice" and len(text) > 2:
        at, to = sorted(draw(st.lists(st.integers(0, len(text)), min_size=2, max_size=2)))
        return text[:at] + text[to:]
    return text


@st.composite
def jsonl_log(draw: st.DrawFn) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 12))):
        value = draw(st.one_of(_body(), _record(), _secret))
        line = draw(_damaged(_dump(value)))
        lines.append(line.replace(b"\n", b" ").replace(b"\r", b" "))
    ending = draw(st.sampled_from([b"\n", b"\r\n"]))
    return ending.join(lines) + draw(st.sampled_from([ending, b""]))


@st.composite
def _entry(draw: st.DrawFn) -> Any:
    """A HAR entry, with any level of a wrong type."""
    text = draw(st.one_of(st.just(json.dumps(SEED)), st.builds(lambda b: _dump(b).decode(), _body()), _wrong))
    content: Any = {"mimeType": draw(st.one_of(st.just("application/json"), _wrong)), "text": text}
    if draw(st.booleans()):
        content["encoding"] = draw(st.one_of(st.just("base64"), _wrong))
    headers: Any = [
        {"name": "Content-Type", "value": "application/json"},
        {"name": "X-Request-Id", "value": "0" * 32},
        {"name": draw(st.sampled_from(["Set-Cookie", "X-Auth-Token", "Authorization"])), "value": draw(_secret)},
    ]
    request: Any = {
        "method": draw(st.one_of(st.just("GET"), _wrong)),
        "url": draw(st.one_of(st.just(URL), _wrong)),
        "headers": [{"name": "X-Auth-Token", "value": draw(_secret)}],
        "cookies": [{"name": "session", "value": draw(_secret)}],
    }
    response: Any = {"status": draw(st.one_of(st.sampled_from([200, 404, 0]), _wrong)), "headers": headers,
                     "content": content}  # fmt: skip
    entry: Any = {"startedDateTime": "2026-11-20T08:00:00.000Z", "request": request, "response": response}
    broken = draw(st.sampled_from(["none", "none", "entry", "request", "response", "headers", "content"]))
    if broken == "entry":
        entry = draw(_wrong)
    elif broken == "request":
        entry["request"] = draw(_wrong)
    elif broken == "response":
        entry["response"] = draw(_wrong)
    elif broken == "headers":
        response["headers"] = draw(st.one_of(_wrong, st.lists(_wrong, max_size=3)))
    elif broken == "content":
        response["content"] = draw(_wrong)
    return entry


@st.composite
def har_file(draw: st.DrawFn) -> bytes:
    entries: Any = draw(st.lists(_entry(), max_size=8))
    log: Any = {"version": "1.2", "creator": {"name": "fuzz", "version": "1"}, "entries": entries}
    top = draw(st.sampled_from(["none", "none", "none", "log", "entries"]))
    if top == "log":
        log = draw(_wrong)
    elif top == "entries":
        log["entries"] = draw(_wrong)
    indent = draw(st.sampled_from([None, 2, "\t"]))
    return draw(_damaged(json.dumps({"log": log}, indent=indent).encode()))


# --- the run and its invariants -----------------------------------------------------------------------------------


def _judge(tmp_path: Path, name: str, data: bytes, fmt: str, strict: bool, compress: str) -> tuple[int, str]:
    folder = tmp_path / f"case-{time.monotonic_ns()}"
    folder.mkdir()
    path = folder / name
    if compress == "gz":
        path = path.with_name(name + ".gz")
        path.write_bytes(gzip.compress(data))
    elif compress == "bz2":
        path = path.with_name(name + ".bz2")
        path.write_bytes(bz2.compress(data))
    else:
        path.write_bytes(data)
    options = ["--format", fmt, "--max-body-bytes", str(LIMIT), "--max-findings", "5", "--jobs", "1"]
    began = time.monotonic()
    result = run("validate", *options, *(["--strict"] if strict else []), str(path))
    took = time.monotonic() - began
    assert took < SECONDS, f"{took:.1f} s for {len(data)} bytes"
    assert result.code in (0, 1, 2, 5), result
    assert "Traceback" not in result.err, result
    output = result.out + result.err
    for secret, pieces in SECRETS.items():
        # A credential stands in the capture as one: not glued to letters or digits (damage may have made it part of
        # a longer run, which is no longer of its shape).
        whole = len(re.findall(rb"(?<![A-Za-z0-9])" + re.escape(secret.encode()) + rb"(?![A-Za-z0-9])", data))
        if not whole or whole != data.count(secret.encode()):
            continue
        assert secret not in output, f"{secret[:12]}... in the {fmt} report"
        for piece in pieces:
            # A piece may be shown where a damaged copy of the secret (no longer of a credential's shape) holds it.
            if data.count(piece.encode()) == whole:
                assert piece not in output, f"{piece[:12]}... in the {fmt} report"
    return result.code, result.out


def _counted(tmp_path: Path, name: str, data: bytes, fmt: str, strict: bool, compress: str) -> dict[str, int] | None:
    """Judge a capture in `fmt`, then in JSON: the JSON report's counts (None when the run stopped with exit 2),
    which add up."""
    _judge(tmp_path, name, data, fmt, strict, compress)
    code, out = _judge(tmp_path, name, data, "json", strict, compress)
    if code == 2:
        return None
    summary = json.loads(out)["summary"]
    assert summary["total"] == summary["conforming"] + summary["violating"] + summary["skipped"] + summary["unreadable"]
    return dict(summary)


_run = {"fmt": st.sampled_from(FORMATS), "strict": st.booleans(), "compress": st.sampled_from(["", "", "gz", "bz2"])}


@FUZZ
@given(data=jsonl_log(), **_run)
def test_a_hostile_jsonl_log_is_counted_line_by_line(
    tmp_path: Path, data: bytes, fmt: str, strict: bool, compress: str
) -> None:
    summary = _counted(tmp_path, "log.jsonl", data, fmt, strict, compress)
    assert summary is None or summary["total"] == sum(1 for line in data.splitlines() if line.strip())


@FUZZ
@given(data=har_file(), **_run)
def test_a_hostile_har_is_counted_and_never_crashes(
    tmp_path: Path, data: bytes, fmt: str, strict: bool, compress: str
) -> None:
    _counted(tmp_path, "capture.har", data, fmt, strict, compress)


@FUZZ
@given(value=st.one_of(_body(), _secret, _wrong).map(_dump).flatmap(_damaged), **_run)
def test_a_hostile_body_file_is_one_item(tmp_path: Path, value: bytes, fmt: str, strict: bool, compress: str) -> None:
    summary = _counted(tmp_path, "body.json", value, fmt, strict, compress)
    assert summary is None or summary["total"] == 1


# --- truncation at every byte -------------------------------------------------------------------------------------


def test_a_log_line_cut_at_every_byte_is_one_unreadable_item_each(tmp_path: Path) -> None:
    """Every prefix of an exchange record (inside a key, a string, an escape, a number, a multi-byte character) is
    one item, unreadable, and the lines around it are judged."""
    record = json.dumps({"status": 200, "headers": {"Content-Type": "application/json", "X-Request-Id": "0" * 32},
                         "body": dict(SEED, note='é"\\€\t')}, ensure_ascii=False).encode()  # fmt: skip
    cuts = [record[:size] for size in range(1, len(record))]
    log = tmp_path / "cut.jsonl"
    log.write_bytes(b"\n".join([record, *cuts, record]) + b"\n")
    report = run("validate", "--format", "json", "--jobs", "1", str(log)).json()
    outcomes = [result["outcome"] for result in report["results"]]
    assert len(outcomes) == len(cuts) + 2
    assert outcomes[0] != "unreadable" and outcomes[-1] != "unreadable"
    assert outcomes[1:-1] == ["unreadable"] * len(cuts)


def test_a_har_cut_at_every_byte_is_read_to_where_it_breaks(tmp_path: Path) -> None:
    """A HAR cut at every byte, each cut a file of its own: every file is read to where it breaks and the break is one
    unreadable item (or, cut before any entry, the file is one); no cut crashes the run or loses a count."""
    entry = {"request": {"method": "GET", "url": URL}, "response": {"status": 200, "headers": [
        {"name": "Content-Type", "value": "application/json"}], "content": {"mimeType": "application/json",
        "text": json.dumps(SEED)}}}  # fmt: skip
    whole = json.dumps({"log": {"version": "1.2", "entries": [entry, entry]}}, indent=1).encode()
    folder = tmp_path / "cuts"
    folder.mkdir()
    for size in range(1, len(whole)):
        (folder / f"{size:05d}.har").write_bytes(whole[:size])
    report = run("validate", "--format", "json", "--jobs", "2", str(folder)).json()
    summary = report["summary"]
    assert summary["total"] == summary["conforming"] + summary["violating"] + summary["skipped"] + summary["unreadable"]
    broken = {result["location"].split("#")[0] for result in report["results"] if result["outcome"] == "unreadable"}
    assert len(broken) == len(list(folder.iterdir()))  # every cut file says where it breaks
    assert summary["conforming"] + summary["violating"] > 0  # and entries before a break were judged


# --- compressed streams, on bytes ---------------------------------------------------------------------------------

COMPRESSIONS = ["zst", "zst", "gz", "gz", "bz2", "xz"]
_SKIPPABLE = st.builds(
    lambda nibble, content: (0x184D2A50 | nibble).to_bytes(4, "little") + len(content).to_bytes(4, "little") + content,
    st.integers(0, 15),
    st.binary(max_size=40),
)


@st.composite
def _split(draw: st.DrawFn, data: bytes, most: int) -> list[bytes]:
    """`data` cut at up to `most` points anywhere (inside a line, a string, a multi-byte character), empty pieces
    included."""
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=most)))
    bounds = [0, *cuts, len(data)]
    return [data[start:end] for start, end in itertools.pairwise(bounds)]


@st.composite
def _packed(draw: st.DrawFn, data: bytes, compression: str) -> bytes:
    """`data` compressed as one stream or several glued together, as tools that append write them: zstd frames
    (each of one block or several, with or without a checksum and a content size, skippable frames between them),
    gzip members, bz2 and xz streams."""
    stream = []
    for frame in draw(_split(data, 5)):
        if compression == "zst":
            if draw(st.booleans()):
                stream.append(draw(_SKIPPABLE))
            compressor = zstandard.ZstdCompressor(
                level=draw(st.sampled_from([-5, 1, 3, 19])),
                write_checksum=draw(st.booleans()),
                write_content_size=draw(st.booleans()),
            ).compressobj()
            blocks = [
                compressor.compress(block) + compressor.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)
                for block in draw(_split(frame, 3))
            ]
            stream.append(b"".join(blocks) + compressor.flush())
        elif compression == "gz":
            stream.append(gzip.compress(frame, compresslevel=draw(st.integers(0, 9)), mtime=0))
        elif compression == "bz2":
            stream.append(bz2.compress(frame, draw(st.integers(1, 9))))
        else:
            check = draw(st.sampled_from([lzma.CHECK_NONE, lzma.CHECK_CRC32, lzma.CHECK_CRC64, lzma.CHECK_SHA256]))
            stream.append(lzma.compress(frame, check=check))
    return b"".join(stream)


_CAPTURES = {"jsonl": ("log.jsonl", jsonl_log()), "har": ("capture.har", har_file()),
             "body": ("body.json", st.one_of(_body(), _secret, _wrong).map(_dump).flatmap(_damaged))}  # fmt: skip


def _judged(tmp_path: Path, name: str, data: bytes, decompressed: int) -> tuple[int, list[Any], dict[str, int]]:
    """Judge one capture file in JSON: the exit code, the results and the skipped counts, the file's name taken out. It holds
    what every run holds: no traceback, a known exit code, counts that add up, and a time bounded per byte."""
    folder = tmp_path / f"case-{time.monotonic_ns()}"
    folder.mkdir()
    path = folder / name
    path.write_bytes(data)
    options = ["--format", "json", "--max-body-bytes", str(LIMIT), "--jobs", "1"]
    began = time.monotonic()
    result = run("validate", *options, str(path))
    took = time.monotonic() - began
    assert took < 2 + decompressed / BYTES_PER_SECOND, f"{took:.1f} s for {decompressed:,} bytes"
    assert result.code in (0, 1, 2, 5), result
    assert "Traceback" not in result.err, result
    if result.code == 2:
        return 2, [], {}
    report = json.loads(result.out)
    summary = report["summary"]
    assert summary["total"] == summary["conforming"] + summary["violating"] + summary["skipped"] + summary["unreadable"]
    assert summary["total"] - summary["skipped"] == len(report["results"])  # skipped ones are counted by reason
    assert summary["skipped"] == sum(report["skipped_reasons"].values())
    results, skipped = json.loads(
        json.dumps([report["results"], report["skipped_reasons"]]).replace(str(path), "CAPTURE")
    )
    return result.code, results, skipped


ONE_STREAM = {"zst": zstandard.compress, "gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}
BYTES_PER_SECOND = 20e6  # a floor for the time per decompressed byte: the bombs below run at 100 MB/s and more


@FUZZ
@given(data=st.data(), kind=st.sampled_from(sorted(_CAPTURES)), compression=st.sampled_from(COMPRESSIONS))
def test_a_capture_in_any_number_of_frames_or_members_is_judged_as_in_one(
    tmp_path: Path, data: st.DataObject, kind: str, compression: str
) -> None:
    """How a stream is framed is invisible: a capture cut anywhere into zstd frames and blocks (with skippable frames
    between), gzip members, bz2 or xz streams is judged as the same capture in one frame (JSONL and body files: as
    the plain file)."""
    name, capture = _CAPTURES[kind]
    text = data.draw(capture)
    if kind == "har":  # a HAR read plainly is cut into ranges; compressed, it is streamed: compare streams
        reference, reference_name = ONE_STREAM[compression](text), f"{name}.{compression}"
    else:
        reference, reference_name = text, name
    expected = _judged(tmp_path, reference_name, reference, len(text))
    assert _judged(tmp_path, f"{name}.{compression}", data.draw(_packed(text, compression)), len(text)) == expected


@FUZZ
@given(
    data=st.data(),
    kind=st.sampled_from(["jsonl", "har"]),
    compression=st.sampled_from(COMPRESSIONS),
    damage=st.sampled_from(["cut", "cut", "flip", "garbage after", "garbage between"]),
)
def test_a_compressed_stream_cut_or_damaged_anywhere_is_read_to_its_break(
    tmp_path: Path, data: st.DataObject, kind: str, compression: str, damage: str
) -> None:
    """A compressed capture truncated at any byte, with a byte changed anywhere, or with bytes that are no stream
    after it or between its frames: no traceback, every item counted, and (cut) what was read before the break is
    judged as in the whole capture."""
    name, capture = _CAPTURES[kind]
    text = data.draw(capture)
    whole = data.draw(_packed(text, compression))
    if damage == "cut":
        broken = whole[: data.draw(st.integers(0, max(0, len(whole) - 1)))]
    elif damage == "flip":
        at = data.draw(st.integers(0, max(0, len(whole) - 1)))
        broken = whole[:at] + bytes([whole[at] ^ data.draw(st.integers(1, 255))]) + whole[at + 1 :] if whole else b"x"
    elif damage == "garbage after":
        broken = whole + data.draw(st.binary(min_size=1, max_size=64))
    else:
        other = data.draw(_packed(text, compression))
        broken = whole + data.draw(st.binary(min_size=1, max_size=64)) + other
    code, results, _ = _judged(tmp_path, f"{name}.{compression}", broken, 3 * len(text))
    if damage != "cut" or code == 2:
        return
    _, complete, _ = _judged(tmp_path, f"{name}.{compression}", whole, len(text))
    read = list(results)
    while read and read[-1]["outcome"] == "unreadable":  # where it broke (a line cut short, the stream's end)
        read.pop()
    # The last item read may be a line cut short that still parses (a number, cut, is a number).
    assert read[:-1] == complete[: max(0, len(read) - 1)]


@settings(FUZZ, max_examples=max(10, FUZZ.max_examples // 4))
@given(
    kind=st.sampled_from(["jsonl", "har"]),
    compression=st.sampled_from(["zst", "gz"]),
    outcomes=st.lists(st.sampled_from(["conforming", "violating", "bomb"]), min_size=1, max_size=6),
    megabytes=st.integers(1, 48),
)
def test_a_bomb_anywhere_in_a_compressed_capture_is_one_item_at_its_limit(
    tmp_path: Path, kind: str, compression: str, outcomes: list[str], megabytes: int
) -> None:
    """A few kilobytes that expand to megabytes of one string, anywhere among good and bad items: that item is
    unreadable at its limit, every other is judged as it would be alone, in a time bounded per byte expanded."""
    pack = zstandard.compress if compression == "zst" else functools.partial(gzip.compress, compresslevel=1)
    filler = pack(b"x" * (1 << 20)) * megabytes
    bodies = {"conforming": json.dumps(SEED), "violating": json.dumps(dict(SEED, task_name=7)),
              "bomb": json.dumps({"note": "@"})}  # fmt: skip
    if kind == "jsonl":
        text = "".join(bodies[outcome] + "\n" for outcome in outcomes)
    else:
        entries = [{"request": {"method": "GET", "url": URL}, "response": {"status": 200, "headers": [
            {"name": "Content-Type", "value": "application/json"}], "content": {"mimeType": "application/json",
            "text": bodies[outcome]}}} for outcome in outcomes]  # fmt: skip
        text = json.dumps({"log": {"version": "1.2", "entries": entries}})
    first, *rest = text.encode().split(b"@")
    blob = pack(first) + b"".join(filler + pack(piece) for piece in rest)
    expanded = len(text) + len(rest) * megabytes * (1 << 20)
    name = "log.jsonl" if kind == "jsonl" else "capture.har"
    _, results, _ = _judged(tmp_path, f"{name}.{compression}", blob, expanded)
    over = "limit.line-bytes" if kind == "jsonl" else "limit.body-bytes"
    wanted = [("unreadable", over) if outcome == "bomb" else (outcome, None) for outcome in outcomes]
    assert [(result["outcome"], result.get("rule") if result["outcome"] == "unreadable" else None)
            for result in results] == wanted  # fmt: skip
