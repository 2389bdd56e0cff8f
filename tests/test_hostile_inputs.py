"""Hostile JSON: each shape has one defined outcome, the same in a body file and on a JSONL line, and costs little.
A body file's text is its body: text that is no JSON is a body.unreadable finding (the contract's media type is
JSON), and on a JSONL line an unreadable item. JSON over a limit of this toolkit (size, depth, a number beyond a
double) is an unreadable item either way, with the limit's rule id. The table of docs/reference/limits.md is this
list."""

from __future__ import annotations

import base64
import gzip
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clirunner import run
from conftest import ROOT

SEED = (ROOT / "tests" / "exchanges" / "conforming" / "unmasked-ids.json").read_text()
GOOD = json.dumps(json.loads(SEED))
URL = "https://dms.cn-north-4.myhuaweicloud.com/v2/a4a5d4098fb4474fa22cd05f897d6b99/instances/59f6d088-2b1e-4c55-9a43-5d3c2f1e0a77/connector/tasks/194917d0-8c1b-4f1e-b3a2-6e0d9f4c2a15"


def _with(extra: str) -> str:
    return GOOD[:-1] + ", " + extra + "}"


# shape -> (body text, what a body file gets, what a JSONL line gets, words of the reason or message). What an item
# gets is a finding's rule when it is judged, or the rule id of the unreadable item.
CASES: dict[str, tuple[bytes, str, str, str]] = {
    "nesting deeper than 1024": (("[" * 5000 + "]" * 5000).encode(), "limit.depth", "limit.depth", "depth limit"),
    "deep inside a body": (
        _with('"x": ' + "[" * 3000 + "]" * 3000).encode(),
        "limit.depth",
        "limit.depth",
        "depth limit",
    ),
    "1e400": (
        GOOD.replace('"create_time": 1', '"create_time": 1e400, "y": 1').encode(),
        "limit.number",
        "limit.number",
        "infinity",
    ),
    "NaN": (
        GOOD.replace('"create_time": 1', '"create_time": NaN, "y": 1').encode(),
        "body.unreadable",
        "item.unreadable",
        "unexpected character",
    ),
    "lone surrogate": (
        GOOD.replace('"task_name": "', '"task_name": "\\ud800').encode(),
        "body.unreadable",
        "item.unreadable",
        "surrogate",
    ),
    "not UTF-8": (
        GOOD.replace('"task_name": "', '"task_name": "\xff').encode("latin-1"),
        "body.unreadable",
        "item.unreadable",
        "UTF-8",
    ),
    "UTF-16": (GOOD.encode("utf-16"), "body.unreadable", "item.unreadable", "UTF-8"),
    "byte order mark": (b"\xef\xbb\xbf" + GOOD.encode(), "body.unreadable", "item.unreadable", "BOM"),
    "duplicate keys (the last one counts)": (_with('"status": 5').encode(), "schema.type", "schema.type", ""),
    "huge string": (
        _with('"note": "' + "x" * (17 << 20) + '"').encode(),
        "limit.body-bytes",
        "limit.line-bytes",
        "over --max-body-bytes",
    ),
}


def _got(result: dict[str, Any]) -> tuple[str | list[str], str]:
    """What an item got (the unreadable item's rule id, or its findings' rules) and the words that say why."""
    if result["outcome"] == "unreadable":
        return result["rule"], result["reason"]
    return [finding["rule"] for finding in result["violations"]], " ".join(f["message"] for f in result["violations"])


@pytest.mark.parametrize("shape", list(CASES))
def test_each_hostile_shape_has_its_outcome(shape: str, tmp_path: Path) -> None:
    text, in_file, on_line, reason = CASES[shape]
    body = tmp_path / "body.json"
    body.write_bytes(text)
    log = tmp_path / "log.jsonl"
    log.write_bytes(text.replace(b"\n", b"") + b"\n" + GOOD.encode() + b"\n")
    file_report = run("validate", "--format", "json", str(body)).json()
    (result,) = file_report["results"]
    assert file_report["exit_code"] == 1
    got, why = _got(result)
    assert got == in_file if in_file.startswith(("limit.", "item.")) else in_file in got, got
    assert reason in why
    line_report = run("validate", "--format", "json", str(log)).json()
    first, second = line_report["results"]
    assert line_report["summary"]["total"] == 2 and second["outcome"] == "conforming"  # the next line is judged
    got, why = _got(first)
    assert got == on_line if on_line.startswith(("limit.", "item.")) else on_line in got, got
    assert reason in why


# --- bodies over the limit in HAR files read in ranges ---------------------------------------------------------------


def _b64(size: int, rng: random.Random) -> str:
    return base64.b64encode(rng.randbytes(size)).decode()


def _long_bodies(rng: random.Random) -> list[tuple[str, str | None]]:
    """(content.text, encoding) of bodies around a limit of 3000 bytes: JSON text (escapes shorten it), base64 (valid,
    not valid), control characters and surrogates (which the readers refuse), non-ASCII text."""
    task = json.loads(GOOD)
    texts = []
    for size in (100, 500, 700, 800, 5_000):  # text around 3000 bytes as written, fewer read
        padded = dict(task, note="é€" * (size // 8) + '"q"\\' * (size // 4))
        texts.append((json.dumps(padded, ensure_ascii=rng.random() < 0.5), None))
    for size in (1_000, 2_200, 2_300, 2_400, 10_000):  # base64 of 1333 to 13336 characters
        texts.append((_b64(size, rng), "base64"))
    texts += [
        ("not base64: { }" * 3000, "base64"),  # the base64 reading fails, the text one is over the limit
        (GOOD + "\x01" * 30_000, None),  # a control character: the file is no JSON, and says where
        (GOOD[:-1] + ', "s": "@SURROGATE@' + "x" * 30_000 + '"}', None),  # a lone surrogate, escaped
        ("A" * 40_000, None),  # base64-shaped, but recorded as text
        ("YWJj" * 10_000 + "=", "base64"),  # base64 with excess padding
    ]
    return texts


def _capture(texts: list[tuple[str, str | None]], minified: bool) -> str:
    entries = []
    for text, encoding in texts:
        content: dict[str, Any] = {"mimeType": "application/json", "text": text}
        if encoding:
            content["encoding"] = encoding
        entries.append({"request": {"method": "GET", "url": URL}, "response": {"status": 200, "headers": [],
                        "content": content}})  # fmt: skip
    document = {"log": {"version": "1.2", "entries": entries}}
    # A control character must stay raw to break the file as a capture can; json.dumps would escape it.
    text = json.dumps(document, ensure_ascii=False, indent=None if minified else 2)
    return text.replace("\\u0001", "\x01").replace("@SURROGATE@", "\\ud800")


@pytest.mark.parametrize("minified", [False, True], ids=["pretty", "minified"])
def test_bodies_over_the_limit_are_judged_alike_read_in_ranges_or_streamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, minified: bool
) -> None:
    """A range over the limit is read without building its long strings; the report equals the streaming
    parser's, which builds every string, for bodies on either side of the limit in every reading."""
    from dms_smartconnect_contract.formats import har_ranges as har

    rng = random.Random(5)
    capture = tmp_path / "capture.har"
    texts = _long_bodies(rng)
    capture.write_bytes(_capture([t for t in texts if "\x01" not in t[0]], minified).encode())
    broken = tmp_path / "broken.har"
    broken.write_bytes(_capture(texts, minified).encode())
    monkeypatch.setattr(har, "CHUNK_BYTES", 1024)
    marked = []
    over_limit = har.over_limit
    monkeypatch.setattr(har, "over_limit", lambda *args: marked.append(over_limit(*args)) or marked[-1])
    options = ["--format", "json", "--max-body-bytes", "3000", "--jobs", "1"]
    ranged = [run("validate", *options, str(path)) for path in (capture, broken)]
    assert har.layout(capture) is not None
    assert sum(1 for marker in marked if marker) >= 3 and None in marked  # both ways were taken
    monkeypatch.setattr(har, "layout", lambda path: None)
    streamed = [run("validate", *options, str(path)) for path in (capture, broken)]
    for one, other in zip(ranged, streamed, strict=True):
        assert (one.code, one.out) == (other.code, other.out)
    rules = Counter(result.get("rule") for result in ranged[0].json()["results"])
    assert rules["limit.body-bytes"] >= 4 and rules[None] >= 5  # over the limit, and judged
    assert "HAR is malformed or truncated here" in ranged[1].out


_ESCAPES = st.sampled_from(['"', "\\", "/", "\n", "\t", "é", "€", "😀", "\x7f", "a", "{", " "])


@settings(max_examples=300, deadline=None)
@given(
    value=st.one_of(
        st.text(_ESCAPES, max_size=400),
        st.binary(max_size=300).map(lambda b: base64.b64encode(b).decode()),
        st.text("ABCabc+/=", max_size=400),
        st.binary(max_size=300).map(lambda b: base64.b64encode(b).decode().rstrip("=")),  # padding lost
    ),
    ascii_only=st.booleans(),
    share=st.integers(20, 100),
)
def test_a_string_is_cut_only_when_it_is_over_the_limit_in_every_reading(
    value: str, ascii_only: bool, share: int
) -> None:
    """over_limit() never cuts a string that a reading could take: its text is over the limit in UTF-8, and its
    base64 reading is over the limit ("1") or not base64 at all ("0")."""
    from dms_smartconnect_contract.formats import har_ranges as har

    written = json.dumps(value, ensure_ascii=ascii_only).encode()
    limit = (len(written) - 2) * share // 100  # near the length as written, where escapes decide
    marker = har.over_limit(written, 1, len(written) - 1, limit)
    if marker is None:
        return
    assert len(value.encode("utf-8")) > limit
    as_base64 = value.encode("utf-8")
    if marker.endswith("1"):
        assert har.is_base64(as_base64) and len(base64.b64decode(as_base64)) > limit
    else:
        assert marker.endswith("0") and not har.is_base64(as_base64)


def test_a_streamed_har_reads_past_a_string_too_long_to_stream(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A compressed HAR is read as a stream, whose parser's cost grows with the square of a string's length: a
    string that runs past STREAMED_STRING_BYTES (its quotes all escaped: a JSON body written in a string) is cut,
    its entry counted over the body limit, and the entries after it are judged, whatever the bound."""
    from dms_smartconnect_contract.formats import streamed

    huge = json.dumps(dict(json.loads(GOOD), blob=[GOOD] * 3000))  # 2.7 MB of JSON: every quote escaped in the HAR
    capture = _capture([(GOOD, None), (huge, None), (GOOD, None)], minified=True)
    packed = tmp_path / "capture.har.gz"
    packed.write_bytes(gzip.compress(capture.encode()))
    for bound, small_read in ((1 << 20, 4096), (1 << 20, 1 << 16), (8 << 20, 1 << 16)):
        monkeypatch.setattr(streamed, "STREAMED_STRING_BYTES", bound)
        monkeypatch.setattr(streamed, "_SMALL_READ", small_read)  # many reads: escaped quotes cut between two
        report = run("validate", "--format", "json", "--max-body-bytes", "1000", str(packed)).json()
        outcomes = [(result["outcome"], result.get("rule")) for result in report["results"]]
        assert outcomes == [("conforming", None), ("unreadable", "limit.body-bytes"), ("conforming", None)], bound
