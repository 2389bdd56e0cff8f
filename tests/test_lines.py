"""JSONL lines read in pieces: the same lines as reading the text whole, and a line over the limit is kept only as
far as the limit, with its length, whatever the pieces. In a capture, such a line is one unreadable item
(limit.line-bytes) and the lines around it are judged."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dms_smartconnect_contract.sources.lines import Lines, LongLine

from clirunner import run
from conftest import ROOT

_PARTS = st.lists(
    st.tuples(
        st.binary(max_size=30).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")),
        st.sampled_from([b"\n", b"\r\n", b"\r", b""]),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(parts=_PARTS, limit=st.integers(1, 40), cuts=st.lists(st.integers(1, 9), min_size=1, max_size=40))
def test_lines_in_pieces_are_the_lines_of_the_whole_text(
    parts: list[tuple[bytes, bytes]], limit: int, cuts: list[int]
) -> None:
    text = b"".join(line + end for line, end in parts)
    expected = [line if len(line) <= limit else (line[: limit + 1], len(line)) for line in text.splitlines(True)]
    splitter, got, at, turn = Lines(limit), [], 0, 0
    while at < len(text):
        size = cuts[turn % len(cuts)]
        got += splitter.feed(text[at : at + size])
        at, turn = at + size, turn + 1
    got += splitter.feed(b"")
    assert [(bytes(line), line.size) if isinstance(line, LongLine) else line for line in got] == expected


def test_a_line_over_the_limit_is_one_unreadable_item_in_plain_and_compressed_logs(tmp_path: Path) -> None:
    good = json.dumps(json.loads((ROOT / "tests" / "exchanges" / "conforming" / "unmasked-ids.json").read_text()))
    text = (good + "\n" + '{"x": "' + "a" * 50_000 + '"}\r\n' + good + "\n").encode()
    plain = tmp_path / "log.jsonl"
    plain.write_bytes(text)
    packed = tmp_path / "packed.jsonl.gz"
    packed.write_bytes(gzip.compress(text))
    for path in (plain, packed):
        report = run("validate", "--format", "json", "--max-body-bytes", "5000", str(path)).json()
        outcomes = [(result["outcome"], result.get("rule")) for result in report["results"]]
        assert outcomes == [("conforming", None), ("unreadable", "limit.line-bytes"), ("conforming", None)]
        assert "line of 50011 bytes is over --max-body-bytes (5000)" in report["results"][1]["reason"]
