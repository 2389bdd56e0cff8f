"""Speed never buys a different finding: the fast path and the full paths give the same reports.

The fast path (jsonschema-rs; quick check, one open pass, the drift walk, shapes and probes for counting reports)
is compared with the full path (jsonschema-rs, both readings' errors explained) and the reference engine (jsonschema,
full path), on the verdict corpus and on generated storms: drift, violations, mixes, every rule, every location kind
(bare JSONL bodies, JSONL records, HAR entries, body files), in default and strict mode, through every report format.
Every outcome, rule, pointer, message, count and sample location must be the same.
"""

from __future__ import annotations

import copy
import json
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dms_smartconnect_contract.check import Checker, CheckOptions, probe
from dms_smartconnect_contract.check.body import shape_of
from dms_smartconnect_contract.check.chunks import judge_chunk
from dms_smartconnect_contract.check.judges import TallyJudge
from dms_smartconnect_contract.contract import JsonObject
from dms_smartconnect_contract.findings import Keeping, Outcome, Tally, fold_of, har_location
from dms_smartconnect_contract.formats.items import HarEntry, JsonlChunk
from dms_smartconnect_contract.reports.json_report import JSON_ITEMS, JSONL_ITEMS
from dms_smartconnect_contract.reports.junit import JUNIT_CASES

from clirunner import run
from conftest import response_examples

URL = "https://dms.cn-north-4.myhuaweicloud.com/v2/a4a5d4098fb4474fa22cd05f897d6b99/instances/59f6d088-2b1e-4c55-9a43-5d3c2f1e0a77/connector/tasks/194917d0-8c1b-4f1e-b3a2-6e0d9f4c2a15"
HEADERS = {"Content-Type": "application/json", "X-Request-Id": "0c8e1d4b7a2f4e6b9d3c5a1f8e7b6d2c"}

# Ways to break a body, each a function of (body, random): every rule kind, drift, nulls and wrong types.
WRONG = [12345, "12345", True, None, 2.5, 2.0, [], {}]  # copied when used: a later break may write into one


def _set(path: tuple[str, ...], value: Any) -> Any:
    def change(body: Any, rng: random.Random) -> None:
        holder = body
        for key in path[:-1]:
            holder = holder.get(key) if isinstance(holder, dict) else None
        if isinstance(holder, dict):
            holder[path[-1]] = value(rng) if callable(value) else value

    return change


def _drop(path: tuple[str, ...]) -> Any:
    def change(body: Any, rng: random.Random) -> None:
        holder = body
        for key in path[:-1]:
            holder = holder.get(key) if isinstance(holder, dict) else None
        if isinstance(holder, dict):
            holder.pop(path[-1], None)

    return change


FIELDS = [
    ("task_name",), ("topics",), ("status",), ("source_type",), ("sink_type",), ("id",), ("create_time",),
    ("source_task",), ("sink_task",), ("source_task", "task_num"), ("source_task", "direction"),
    ("source_task", "instance_id"), ("source_task", "topics_mapping"), ("source_task", "rename_topic_enabled"),
    ("sink_task", "deliver_time_interval"), ("sink_task", "partition_format"), ("sink_task", "store_keys"),
]  # fmt: skip
BREAKS = (
    [_set(path, lambda rng: copy.deepcopy(rng.choice(WRONG))) for path in FIELDS]  # wrong types and nulls
    + [_set(path, lambda rng: f"value-{rng.randrange(5)}") for path in FIELDS]  # strings: enum drift, patterns
    + [_set(path, lambda rng: rng.randrange(-2, 2)) for path in FIELDS]  # small numbers: bounds
    + [_drop(path) for path in FIELDS]  # required fields, presence rules
    + [
        _set(("labels",), lambda rng: {"team": rng.choice("ab")}),  # drift at the top
        _set(("x_" + "new",), 1),
        _set(("source_task", "acks"), "all"),  # drift inside a configuration
        _set(("sink_task", "compression"), "gzip"),
        _set(("source_type",), "NONE"),  # presence rules the other way
        _set(("sink_type",), "OBS_SINK"),
        _set(("status",), "DELETING"),
        _set(("create_time",), lambda rng: rng.randrange(1, 10**10)),  # seconds
        _set(("create_time",), lambda rng: str(rng.randrange(10**12, 10**13))),  # a string, another each time
    ]
)


def _bodies(document: JsonObject, count: int, seed: int, breaks: int) -> list[Any]:
    """Task bodies from the contract's examples, each with up to `breaks` random breaks."""
    rng = random.Random(seed)
    examples = list(response_examples(document).values())
    out = []
    for _ in range(count):
        body = copy.deepcopy(rng.choice(examples))
        for change in rng.sample(BREAKS, rng.randint(0, breaks)):
            change(body, rng)
        out.append(body)
    return out


# What a quoted value may hold that a report's escape changes, or that might be taken for where two values meet.
QUOTING = ['"', "\\", '","', "&", "<", ">", "\t", "\n", "\x01", "\u2028", "é", "]]>", "&#10;", "\\u0000", "1"]


def _storms(document: JsonObject) -> dict[str, list[Any]]:
    kafka = response_examples(document)["kafkaReplicatorSource"]
    rng = random.Random(7)

    def every(change: Any, count: int = 150) -> list[Any]:
        bodies = []
        for _ in range(count):
            body = copy.deepcopy(kafka)
            change(body, rng)
            bodies.append(body)
        return bodies

    return {
        "drift": every(_set(("labels",), lambda r: {"team": r.choice("abc")})),
        "violate": every(_set(("create_time",), lambda r: str(r.randrange(10**12, 10**13)))),
        "violate-nested": every(_set(("source_task", "task_num"), lambda r: str(r.randrange(9)))),
        # Values whose messages every report escapes: quotes, backslashes, markup, controls, line separators; and
        # one where some hold the character that joins a run's messages to escape them together.
        "violate-quoting": every(_set(("create_time",), lambda r: "".join(r.choices(QUOTING, k=r.randrange(1, 9))))),
        "violate-joint": every(_set(("create_time",), lambda r: r.choice(["1\ue000", "\ue000\ue000", '2"', "3"]))),
        "enum-drift": every(_set(("status",), lambda r: f"STATE_{r.randrange(4)}")),
        "mixed": _bodies(document, 300, 11, 3),
        "many-breaks": _bodies(document, 150, 13, 6),
        "countless": [_crowd(body, rng) for body in _bodies(document, 60, 17, 4)],
        # A storm of one violation with lines among it that are no task body (and `{}`, which is one): the probe
        # that settles the storm must not settle them.
        "wrapped": [
            _wrapper(body, rng) if index % 7 == 3 else {} if index % 23 == 5 else body
            for index, body in enumerate(every(_set(("create_time",), lambda r: str(r.randrange(10**12, 10**13)))))
        ],
    }


def _wrapper(body: Any, rng: random.Random) -> Any:
    """A line that holds `body` without being one: a record of another format, or an envelope."""
    return rng.choice([
        {"request": {"method": "GET", "url": URL, "headers": {}},
         "response": {"status": 200, "headers": HEADERS, "body": body}},
        {"data": body, "success": True},
        {"create_time_ms": body.get("create_time")},
    ])  # fmt: skip


def _crowd(body: Any, rng: random.Random) -> Any:
    """A body with many new fields, at the top and one level down (more findings than a small --max-findings)."""
    if isinstance(body, dict):
        for _ in range(rng.randrange(0, 40)):
            body[f"extra_{rng.randrange(10**6)}"] = rng.choice(WRONG[:3])
        if isinstance(body.get("source_task"), dict):
            for _ in range(rng.randrange(0, 10)):
                body["source_task"][f"x~/{rng.randrange(100)}"] = 1  # a name a pointer must escape
    return body


def _write(folder: Path, name: str, bodies: list[Any]) -> list[Path]:
    """The bodies in every location kind: bare JSONL lines (with blank and broken lines among them), JSONL records,
    HAR entries, body files."""
    bare = folder / f"{name}.jsonl"
    lines = [orjson.dumps(body) for body in bodies]
    lines[len(lines) // 2 : len(lines) // 2] = [b"", b"{broken"]
    bare.write_bytes(b"\n".join(lines) + b"\n")
    records = folder / f"{name}-records.jsonl"
    records.write_bytes(b"".join(
        orjson.dumps({"status": 200, "method": "GET", "url": URL, "headers": HEADERS, "body": body}) + b"\n"
        for body in bodies
    ))  # fmt: skip
    har = folder / f"{name}.har"
    entries = [
        {"request": {"method": "GET", "url": URL}, "response": {"status": 200,
         "headers": [{"name": k, "value": v} for k, v in HEADERS.items()],
         "content": {"mimeType": "application/json", "text": json.dumps(body)}}}
        for body in bodies
    ]  # fmt: skip
    har.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}))
    files = folder / f"{name}-files"
    files.mkdir()
    for index, body in enumerate(bodies[:30]):
        (files / f"{index:03d}.json").write_bytes(orjson.dumps(body))
    return [bare, records, har, files]


@pytest.fixture(scope="module")
def storm_inputs(document: JsonObject, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    folder = tmp_path_factory.mktemp("storms")
    return {name: _write(folder, name, bodies) for name, bodies in _storms(document).items()}


@pytest.mark.parametrize(
    "storm", ["drift", "violate", "violate-nested", "violate-quoting", "enum-drift", "mixed", "many-breaks", "wrapped"]
)
@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
@pytest.mark.parametrize("fmt", ["text", "json", "junit"])
def test_fast_path_reports_equal_the_full_paths(
    storm_inputs: dict[str, list[Path]], storm: str, strict: bool, fmt: str
) -> None:
    paths = [str(path) for path in storm_inputs[storm]]
    options = ["--format", fmt, *(["--strict"] if strict else []), "--jobs", "1"]
    reports = {
        engine: run("validate", "--engine", engine, *options, *paths) for engine in ("fast", "full", "reference")
    }
    fast = reports["fast"]
    assert fast.code in (0, 1)
    for engine in ("full", "reference"):
        assert (reports[engine].code, reports[engine].out) == (fast.code, fast.out), engine


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
@pytest.mark.parametrize("fmt", ["text", "json", "junit"])
def test_the_findings_kept_per_body_are_the_same_on_every_path(
    storm_inputs: dict[str, list[Path]], strict: bool, fmt: str
) -> None:
    """--max-findings keeps the first findings of a body in report order on every path, and one limit.findings
    warning counts the rest: the fast path (walk, shapes) cuts where the full paths cut."""
    paths = [str(path) for path in storm_inputs["countless"]]
    options = ["--format", fmt, *(["--strict"] if strict else []), "--jobs", "1", "--max-findings", "5"]
    reports = {
        engine: run("validate", "--engine", engine, *options, *paths) for engine in ("fast", "full", "reference")
    }
    fast = reports["fast"]
    assert fast.code in (0, 1) and "limit.findings" in fast.out
    for engine in ("full", "reference"):
        assert (reports[engine].code, reports[engine].out) == (fast.code, fast.out), engine


def test_a_body_of_countless_findings_keeps_the_first_and_counts_the_rest(
    storm_inputs: dict[str, list[Path]],
) -> None:
    report = run("validate", "--format", "json", "--max-findings", "5", str(storm_inputs["countless"][0])).json()
    uncut = run("validate", "--format", "json", "--max-findings", "1000", str(storm_inputs["countless"][0])).json()
    cut_any = False
    for result, whole in zip(report["results"], uncut["results"], strict=True):
        assert result["outcome"] == whole["outcome"]  # errors come first: the cut never changes an outcome
        kept, every = result["violations"], whole["violations"]
        if len(every) <= 5:
            assert kept == every
            continue
        cut_any = True
        limit = [finding for finding in kept if finding["rule"] == "limit.findings"]
        assert len(limit) == 1 and f"{len(every) - 5} more finding(s) not kept" in limit[0]["message"]
        assert [finding for finding in kept if finding["rule"] != "limit.findings"] == every[:5]
    assert cut_any


@pytest.mark.parametrize("storm", ["drift", "violate", "mixed", "wrapped"])
def test_worker_processes_give_the_same_report(storm_inputs: dict[str, list[Path]], storm: str) -> None:
    paths = [str(path) for path in storm_inputs[storm]]
    one = run("validate", "--jobs", "1", *paths)
    two = run("validate", "--jobs", "2", *paths)
    assert (one.code, one.out) == (two.code, two.out)


def test_the_storms_are_what_they_say(storm_inputs: dict[str, list[Path]]) -> None:
    """Each storm really storms: the counts show the kind of day it stands for, and nothing is lost."""
    counts = {}
    for storm, paths in storm_inputs.items():
        report = run("validate", "--format", "json", str(paths[0])).json()
        summary = report["summary"]
        assert (
            summary["total"]
            == summary["conforming"] + summary["violating"] + summary["skipped"] + summary["unreadable"]
        )
        counts[storm] = summary
    lines = storm_inputs["wrapped"][0].read_text().splitlines()
    wrapped = [json.loads(line) for line in lines if line and line != "{broken"]
    kinds = [
        ("record" if "response" in body else "envelope") if body and "task_name" not in body else "task"
        for body in wrapped
    ]
    assert kinds.count("record") > 0 and kinds.count("envelope") > 0
    for storm, summary in counts.items():  # the broken line, and the envelopes
        assert summary["unreadable"] == 1 + (storm == "wrapped") * kinds.count("envelope"), storm
    assert counts["drift"]["conforming"] == counts["enum-drift"]["conforming"] == 150
    for storm in ("violate", "violate-nested", "violate-quoting", "violate-joint"):
        assert counts[storm]["violating"] == 150, storm
    assert 0 < counts["mixed"]["violating"] < 300 and counts["mixed"]["conforming"] > 0
    # The records are read as the exchanges they hold (each task breaks the contract); `{}` is a body, and conforms.
    assert counts["wrapped"]["violating"] == kinds.count("task") - 6 + kinds.count("record")
    assert counts["wrapped"]["conforming"] == 6


STORMS = ["drift", "violate", "violate-nested", "violate-quoting", "violate-joint", "enum-drift", "mixed", "many-breaks",
          "countless", "wrapped"]  # fmt: skip


@pytest.mark.parametrize("storm", STORMS)
@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
@pytest.mark.parametrize("detail", [False, True], ids=["counting", "detailed"])
def test_the_chunk_judges_every_line_as_the_checker_judges_it_alone(
    document: JsonObject, storm_inputs: dict[str, list[Path]], storm: str, strict: bool, detail: bool
) -> None:
    """The bulk path of JSONL lines (quick check, probes, shapes, and what it hands back to the checker) against
    the checker line by line: the same counts, groups, samples and unreadable items, and in detail every Result."""
    checker = Checker(document, CheckOptions(strict=strict))
    lines = storm_inputs[storm][0].read_bytes().splitlines(keepends=True)
    fast, count, _ = judge_chunk(checker, JsonlChunk("log.jsonl", lines), Keeping(items=detail))
    alone, each = Tally(detail=detail), Checker(document, CheckOptions(strict=strict))
    for number, line in enumerate(lines, start=1):
        if line.strip():
            alone.add(each.judge_jsonl(f"log.jsonl:{number}", line.strip()))
    assert count == len(lines)
    assert (fast.conforming, fast.violating, fast.unreadable) == (alone.conforming, alone.violating, alone.unreadable)
    assert {key: (group.count, group.samples, group.first) for key, group in fast.groups.items()} == {
        key: (group.count, group.samples, group.first) for key, group in alone.groups.items()
    }
    assert fast.unreadable_items == alone.unreadable_items and fast.items == alone.items


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(seed=st.integers(0, 2**32 - 1), breaks=st.integers(0, 8), strict=st.booleans(), most=st.sampled_from([100, 2]))
def test_every_body_gets_the_same_findings_and_shape_on_every_path(
    document: JsonObject, seed: int, breaks: int, strict: bool, most: int
) -> None:
    """Bodies broken at random, in any number of ways: the fast path's findings equal the full path's, and the
    shape a counting report uses (with its probes, learnt from the bodies before) equals the findings' shape; also
    when only two findings a body are kept."""
    fast, full = _checkers(document, strict, most)
    fast_body, full_body = fast.bare_body_rules(), full.bare_body_rules()
    assert fast_body is not None and full_body is not None
    for body in _bodies(document, 20, seed, breaks):
        findings = full_body.findings(body)
        assert fast_body.findings(copy.deepcopy(body)) == findings
        if not fast_body.quick(body):
            assert fast_body.shape(body) == shape_of(findings)


@pytest.mark.parametrize("storm", ["wrong type", "float", "new field", "unlisted value"])
@pytest.mark.parametrize("guarded", [False, True], ids=["plain", "guarded"])
def test_a_probe_holds_exactly_where_the_findings_say(storm: str, guarded: bool) -> None:
    """A storm long enough for the probe to take its relaxed reading, with bodies in it that look like the storm at
    its places but are not, and a body of another shape after which the probe is learnt again (and mends before it
    relaxes): the fast path's tally equals the item-by-item one, group by group. Guarded, the contract has rules a
    mend could hide (an object's size, a string's length), and the probe must not hide them."""
    letters = {"anyOf": [{"$ref": "#/components/schemas/Letter"}, {"$ref": "#/components/schemas/UnlistedValue"}]}
    schema = {
        "type": "object",
        "required": ["n", "s"],
        "properties": {"n": {"type": "integer"}, "s": letters, "t": {"type": "string"}},
    }
    if guarded:
        schema["maxProperties"] = 3
        letters["maxLength"] = 5
    # The storm's body, bodies that look like it at its places but are not, and one of another shape.
    storms = {
        "wrong type": ({"n": "1", "s": "a"}, [{"n": "1", "s": "a", "t": 1}, {"n": "1"}], {"n": 1, "s": "c"}),
        "float": ({"n": 1.5, "s": "a"}, [{"n": 2.0, "s": "a"}, {"n": 2.5, "s": "a", "t": 1}], {"n": "1", "s": "a"}),
        "new field": ({"n": 1, "s": "a", "u": 1}, [{"n": 1, "s": "a", "t": "x", "u": 1}, {"n": 1.5, "s": "a", "u": 1}],
                      {"n": 1, "s": "a", "v": 1}),
        "unlisted value": ({"n": 1, "s": "c"}, [{"n": 1, "s": "toolong"}, {"n": 1, "s": ["a"]}], {"n": "1", "s": "c"}),
    }  # fmt: skip
    storm_body, odd, other = storms[storm]
    bodies = [storm_body] * (probe.RELAX_AFTER + 4) + odd + [other] + [storm_body] * 3 + odd
    document = _one_body_document(schema)
    lines = [orjson.dumps(body) + b"\n" for body in bodies]
    fast = judge_chunk(Checker(document), JsonlChunk("log.jsonl", lines), Keeping())[0]
    one_by_one = Tally()
    checker = Checker(document, CheckOptions(engine="full"))
    for number, line in enumerate(lines, start=1):
        one_by_one.add(checker.judge_jsonl(f"log.jsonl:{number}", line.strip()), "log.jsonl")
    assert (fast.conforming, fast.violating) == (one_by_one.conforming, one_by_one.violating)
    assert {key: (group.count, group.samples) for key, group in fast.groups.items()} == {
        key: (group.count, group.samples) for key, group in one_by_one.groups.items()
    }
    body_rules = Checker(document).bare_body_rules()
    assert body_rules is not None
    for body in [storm_body] * (probe.RELAX_AFTER + 1):
        body_rules.shape(copy.deepcopy(body))
    # No probe for a float (2.0 is an integer), nor for a mend a guard reads.
    relaxes = storm != "float" and not (guarded and storm in ("new field", "unlisted value"))
    found = body_rules.probe
    assert (found is not None and found._relaxed is not None) == relaxes


def _one_body_document(schema: JsonObject) -> JsonObject:
    """A contract whose one operation answers 200 with `schema`, for bare JSONL bodies, with an enumeration written
    as the contract writes them."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}": {
                "get": {
                    "operationId": "ShowConnectorTask",
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}},
                }
            }
        },
        "components": {
            "schemas": {
                "Letter": {"type": "string", "enum": ["a", "b"]},
                "UnlistedValue": {"type": "string"},
            }
        },
    }


_CHECKERS: dict[tuple[bool, int], tuple[Checker, Checker]] = {}


def _checkers(document: JsonObject, strict: bool, most: int = 100) -> tuple[Checker, Checker]:
    """One pair of checkers per mode for the whole property test: probes learnt from earlier bodies must hold on
    later ones too."""
    if (strict, most) not in _CHECKERS:
        _CHECKERS[strict, most] = (
            Checker(document, CheckOptions(strict=strict, max_findings=most)),
            Checker(document, CheckOptions(strict=strict, engine="full", max_findings=most)),
        )
    return _CHECKERS[strict, most]


# --- HAR files read in ranges give the streaming parser's report ---------------------------------------------------


def _har_text(bodies: list[Any], layout: str) -> str:
    entries = [
        {"startedDateTime": "2026-11-20T08:00:00.000Z", "request": {"method": "GET", "url": URL if i % 4 else URL + "/x",
         "headers": [{"name": "X-Auth-Token", "value": "t" * 40}]}, "response": {"status": 200,
         "headers": [{"name": k, "value": v} for k, v in HEADERS.items()],
         "content": {"mimeType": "application/json", "text": json.dumps(body)}}}
        for i, body in enumerate(bodies)
    ]  # fmt: skip
    document = {"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "pages": [], "entries": entries}}
    if layout == "one a line, commas first":
        lines = ",".join(json.dumps(entry) + "\n" for entry in entries)
        return '{"log": {"version": "1.2", "pages": [], "entries": [\n' + lines + "]}}\n"
    if layout == "pretty, two spaces":
        return json.dumps(document, indent=2)
    if layout == "pretty, tabs, CRLF":
        return json.dumps(document, indent="\t").replace("\n", "\r\n")
    return json.dumps(document)  # minified: cut where an object opens with the first entry's first key


HAR_LAYOUTS = ["one a line, commas first", "pretty, two spaces", "pretty, tabs, CRLF", "minified"]
HAR_DAMAGE = {
    "intact": lambda text: text,
    "truncated": lambda text: text[: len(text) * 2 // 3],
    "a comma lost": lambda text: _at_a_boundary(text, lambda sep: sep.replace(",", "", 1)),
    "a comma too many": lambda text: _at_a_boundary(text, lambda sep: sep.replace(",", ",,", 1)),
    "garbage inside": lambda text: text[: len(text) // 2] + "@@" + text[len(text) // 2 :],
    "keys after the entries": lambda text: text.rstrip()[:-1].rstrip()[:-1] + '], "comment": "x"}}',
}


def _at_a_boundary(text: str, change: Any) -> str:
    """The text with the separator between two entries about half-way changed."""
    import re

    found = list(re.finditer(r"\}\s*,\s*\{", text))
    if not found:
        return text
    match = found[len(found) // 2]
    return text[: match.start()] + change(match.group()) + text[match.end() :]


@pytest.mark.parametrize("damage", list(HAR_DAMAGE))
@pytest.mark.parametrize("layout", HAR_LAYOUTS)
def test_har_ranges_give_the_streaming_report(
    document: JsonObject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str, damage: str
) -> None:
    from dms_smartconnect_contract.formats import har_ranges as har

    har_file = tmp_path / "capture.har"
    har_file.write_text(HAR_DAMAGE[damage](_har_text(_bodies(document, 120, 17, 2), layout)))
    monkeypatch.setattr(har, "CHUNK_BYTES", 2048)  # many ranges
    found = har.layout(har_file)
    if damage in ("intact", "a comma lost", "a comma too many", "garbage inside"):
        assert found is not None and len(list(har.ranges(har_file, found))) > 10
    reports = {}
    for jobs in ("1", "2"):
        for fmt in ("text", "json"):
            reports[jobs, fmt] = run("validate", "--format", fmt, "--jobs", jobs, str(har_file))
    monkeypatch.setattr(har, "layout", lambda path: None)  # the streaming parser alone
    for fmt in ("text", "json"):
        streamed = run("validate", "--format", fmt, "--jobs", "1", str(har_file))
        for jobs in ("1", "2"):
            assert (reports[jobs, fmt].code, reports[jobs, fmt].out) == (streamed.code, streamed.out), (jobs, fmt)


@pytest.mark.parametrize("layout", HAR_LAYOUTS[:3])
@pytest.mark.parametrize("change", [",", ",,"], ids=["comma lost", "comma doubled"])
def test_a_comma_wrong_exactly_between_two_ranges_is_found(
    document: JsonObject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str, change: str
) -> None:
    """Each range parses alone; only the join between them shows the file is not JSON: the streaming parser's
    report, which says where it breaks."""
    from dms_smartconnect_contract.formats import har_ranges as har

    monkeypatch.setattr(har, "CHUNK_BYTES", 2048)
    har_file = tmp_path / "capture.har"
    text = _har_text(_bodies(document, 60, 19, 1), layout).encode()
    har_file.write_bytes(text)
    found = har.layout(har_file)
    assert found is not None
    cut = list(har.ranges(har_file, found))[3][0]  # the newline that starts the fourth range
    comma = text.rindex(b",", 0, cut + 8)  # the comma between the entries there (before or after the newline)
    damaged = text[:comma] + (b"" if change == "," else b",,") + text[comma + 1 :]
    har_file.write_bytes(damaged)
    found = har.layout(har_file)
    assert found is not None
    pieces = [har.parse_range(str(har_file), start, end) for start, end in har.ranges(har_file, found)]
    # A lost comma leaves every range parsing on its own; a doubled one spoils the range it stands in.
    assert all(piece is not None for piece in pieces) == (change == ",")
    ranged = run("validate", "--format", "json", str(har_file))
    monkeypatch.setattr(har, "layout", lambda path: None)
    streamed = run("validate", "--format", "json", str(har_file))
    assert (ranged.code, ranged.out) == (streamed.code, streamed.out)
    assert "HAR is malformed or truncated here" in ranged.out


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_har_given_twice_is_read_twice(
    document: JsonObject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    from dms_smartconnect_contract.formats import har_ranges as har

    monkeypatch.setattr(har, "CHUNK_BYTES", 2048)
    intact, truncated = tmp_path / "intact.har", tmp_path / "truncated.har"
    text = _har_text(_bodies(document, 40, 23, 1), "one a line, commas first")
    intact.write_text(text)
    truncated.write_text(text[: len(text) // 2])
    paths = [str(truncated), str(intact), str(truncated), str(intact)]
    ranged = run("validate", "--format", "json", "--jobs", jobs, *paths)
    monkeypatch.setattr(har, "layout", lambda path: None)
    streamed = run("validate", "--format", "json", "--jobs", jobs, *paths)
    assert (ranged.code, ranged.out) == (streamed.code, streamed.out)
    assert ranged.json()["summary"]["total"] > 2 * 40


@pytest.mark.parametrize("storm", STORMS)
@pytest.mark.parametrize("writer", [JSON_ITEMS, JSONL_ITEMS, JUNIT_CASES], ids=["json", "jsonl", "junit"])
def test_items_written_where_they_are_judged_read_as_each_written_alone(
    document: JsonObject, storm_inputs: dict[str, list[Path]], storm: str, writer: Any
) -> None:
    """A chunk's items written by the report's renderer in the worker, their lines moved after those before the
    chunk, read the same as each line judged alone by the checker and written where it is reported."""
    lines = storm_inputs[storm][0].read_bytes().splitlines(keepends=True)
    keeping = Keeping(items=True, writer=writer, mark="f00dfeed0badcafe")
    fast, _, _ = judge_chunk(Checker(document), JsonlChunk("log.jsonl", lines), keeping)
    fast.renumber("log.jsonl:", 1000)
    each = Checker(document)
    alone = [writer.render(each.judge_jsonl(f"log.jsonl:{number + 1000}", line.strip()))
             for number, line in enumerate(lines, start=1) if line.strip()]  # fmt: skip
    assert fast.rendered_text() == "".join(alone)
    assert fast.rendered_items() == alone and len(fast.folds) == len(alone)
    # Numbered in place, as a range whose reader counted the lines before it: the same text, without marks.
    settled, _, _ = judge_chunk(Checker(document), JsonlChunk("log.jsonl", lines, before=1000), keeping)
    assert settled.rendered_items() == alone and "f00dfeed0badcafe" not in "".join(settled.rendered)
    # Past a bounded report's listing (folding): no text, and the same folds, counts and groups.
    folding, _, _ = judge_chunk(Checker(document), JsonlChunk("log.jsonl", lines), replace(keeping, folding=True))
    assert not folding.rendered and folding.listed == len(alone) and folding.folds == fast.folds
    assert (folding.conforming, folding.violating, folding.unreadable) == (fast.conforming, fast.violating,
                                                                           fast.unreadable)  # fmt: skip
    assert {key: (group.count, group.samples, group.first) for key, group in folding.groups.items()} == {
        key: (group.count, group.samples, group.first) for key, group in fast.groups.items()}  # fmt: skip


@pytest.mark.parametrize("writer", [JSON_ITEMS, JSONL_ITEMS, JUNIT_CASES], ids=["json", "jsonl", "junit"])
def test_har_entries_kept_in_stretches_read_as_each_written_alone(document: JsonObject, writer: Any) -> None:
    """Conforming HAR entries in a row are kept at once, from one template (TallyJudge.add_all): a skipped entry
    between them (which is never listed) leaves the stretch whole, a violating one or another file ends it. The
    text is still each entry judged by the checker and written alone, and so are the counts."""
    entries = json.loads(_har_text(_bodies(document, 90, 23, 1), "minified"))["log"]["entries"]
    checker = Checker(document)
    # The second file begins inside a stretch: between two conforming entries.
    conforming = [checker.judge(HarEntry(har_location("a.har", i), e)).outcome is Outcome.CONFORMING
                  for i, e in enumerate(entries)]  # fmt: skip
    cut = next(i for i in range(40, len(entries)) if conforming[i - 1] and conforming[i])
    items = [HarEntry(har_location(path, index), entry) for path, part in (("a.har", entries[:cut]),
             ("b.har", entries[cut:])) for index, entry in enumerate(part)]  # fmt: skip
    judge = TallyJudge(checker, Keeping(items=True, writer=writer, mark="f00dfeed0badcafe"))
    kept = judge.empty()
    assert judge.add_all(kept, iter(items)) == len(items)
    results = [checker.judge(item) for item in items]
    alone = [writer.render(result) for result in results if result.outcome is not Outcome.SKIPPED]
    outcomes = [result.outcome for result in results]
    # The entries are what the test needs: stretches of conforming ones, broken by skipped and violating ones.
    assert {Outcome.CONFORMING, Outcome.VIOLATING, Outcome.SKIPPED} <= set(outcomes)
    assert any(pair == [Outcome.CONFORMING, Outcome.SKIPPED, Outcome.CONFORMING]
               for pair in map(list, zip(outcomes, outcomes[1:], outcomes[2:], strict=False)))  # fmt: skip
    assert kept.rendered_items() == alone and len(kept.folds) == len(alone)
    each = Tally(detail=True)
    for result in results:
        each.add(result)
    assert (kept.conforming, kept.violating, kept.skipped) == (each.conforming, each.violating, each.skipped)
    assert kept.folds == [
        fold_of(r.outcome, r.findings, r.operation) for r in results if r.outcome is not Outcome.SKIPPED
    ]


@pytest.mark.parametrize("fmt", ["json", "jsonl", "junit", "text"])
def test_ranges_numbered_where_they_are_cut_give_the_report_of_one_range(
    document: JsonObject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """Lines ended by LF, CR LF or a lone CR, blank lines among them, cut into ranges of a few lines each and judged
    over two workers: every item has the number it has when the file is one range judged in this process."""
    from dms_smartconnect_contract.run import validate

    rng = random.Random(7)
    bodies = _bodies(document, 300, 11, 3)
    ends = [b"\n", b"\r\n", b"\r", b"\n\n"]
    log = tmp_path / "mixed-ends.jsonl"
    log.write_bytes(b"".join(orjson.dumps(body) + rng.choice(ends) for body in bodies))
    whole = run("validate", "--format", fmt, "--jobs", "1", str(log), str(log))
    monkeypatch.setattr(validate, "JSONL_CHUNK_BYTES", 4096)
    ranged = run("validate", "--format", fmt, "--jobs", "2", str(log), str(log))
    assert whole.code == 1
    assert (ranged.code, ranged.out) == (whole.code, whole.out)
    if fmt == "json":
        numbers = [int(result["location"].rsplit(":", 1)[1]) for result in ranged.json()["results"]]
        assert numbers[: len(numbers) // 2] == numbers[len(numbers) // 2 :]  # the file given twice is read twice
        lines = log.read_bytes().splitlines()
        assert numbers[-1] == max(number for number, line in enumerate(lines, start=1) if line.strip())


def _spooled_inputs(document: JsonObject, folder: Path) -> list[Path]:
    """A JSONL log of mixed line ends and a HAR, both cut into many ranges (see the monkeypatching callers)."""
    rng = random.Random(11)
    log = folder / "mixed-ends.jsonl"
    log.write_bytes(
        b"".join(orjson.dumps(body) + rng.choice([b"\n", b"\r\n", b"\r"]) for body in _bodies(document, 200, 5, 3))
    )
    capture = folder / "capture.har"
    capture.write_text(_har_text(_bodies(document, 60, 6, 3), "one a line, commas first"))
    return [log, capture]


@pytest.mark.parametrize("fmt", ["json", "jsonl", "junit"])
@pytest.mark.parametrize("destination", ["stdout", "file"])
def test_items_through_the_spool_are_the_report_of_one_process(
    document: JsonObject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, destination: str
) -> None:
    """Every part's text goes from the workers through spool files (read back, or sent on by the kernel to a file):
    the report is the one a single process writes, and the spool folder is gone after the run."""
    import tempfile

    from dms_smartconnect_contract.formats import har_ranges as har
    from dms_smartconnect_contract.run import local, validate

    paths = [str(path) for path in _spooled_inputs(document, tmp_path)]
    alone = run("validate", "--format", fmt, "--jobs", "1", *paths)
    spools = tmp_path / "spools"
    spools.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spools))
    monkeypatch.setattr(validate, "JSONL_CHUNK_BYTES", 4096)
    monkeypatch.setattr(har, "CHUNK_BYTES", 4096)
    monkeypatch.setattr(local, "SPOOLED_CHARS", 0)
    if destination == "file":
        target = tmp_path / f"report.{fmt}"
        spooled = run("validate", "--format", fmt, "--jobs", "2", "--output", str(target), *paths)
        out = target.read_text()
    else:
        spooled = run("validate", "--format", fmt, "--jobs", "2", *paths)
        out = spooled.out
    assert alone.code == spooled.code == 1
    assert out == alone.out
    assert not list(spools.iterdir())


@pytest.mark.parametrize("fmt", ["jsonl", "junit"])
def test_a_report_piped_from_the_spool_is_the_report(document: JsonObject, tmp_path: Path, fmt: str) -> None:
    """Standard output a pipe, as in CI: the kernel sends the workers' text (and the JUnit report its own file of
    cases) into it, and it is the report a single process writes."""
    import subprocess
    import sys

    paths = [str(path) for path in _spooled_inputs(document, tmp_path)]
    command = [sys.executable, "-m", "dms_smartconnect_contract", "validate", "--format", fmt, "--task-mb", "1"]
    # Parts of a megabyte of lines are over the spool's threshold: 4,000 lines of about 700 bytes each.
    big = tmp_path / "big.jsonl"
    big.write_bytes(Path(paths[0]).read_bytes() * 20)
    two = subprocess.run([*command, "--jobs", "2", str(big), *paths], capture_output=True, check=False)
    one = subprocess.run([*command, "--jobs", "1", str(big), *paths], capture_output=True, check=False)
    assert one.returncode == two.returncode == 1
    assert two.stdout == one.stdout and len(two.stdout) > 1 << 20


def test_junit_folds_the_same_items_through_the_spool(
    document: JsonObject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The JUnit report's bounds met in the middle of a spooled part: the same cases listed and folded as in one
    process, by count and by size. Once the listing is full, the units judged after keep only what each item folds
    under, written by no one: the report is the one where every item's text is written and dropped."""
    from dms_smartconnect_contract.check.judges import TallyJudge
    from dms_smartconnect_contract.reports import junit
    from dms_smartconnect_contract.run import local, validate

    paths = [str(path) for path in _spooled_inputs(document, tmp_path)]
    folded_here: list[object] = []
    fold_items = TallyJudge.fold_items
    monkeypatch.setattr(TallyJudge, "fold_items", lambda judge: (folded_here.append(judge), fold_items(judge)))
    for bound, value in (("MAX_LISTED_CASES", 37), ("MAX_LISTED_BYTES", 20_000)):
        with monkeypatch.context() as patch:
            patch.setattr(junit, bound, value)
            with monkeypatch.context() as unfolding:
                unfolding.setattr(junit.JunitReporter, "listing_full", lambda reporter: False)
                written = run("validate", "--format", "junit", "--jobs", "1", *paths)
            assert not folded_here
            alone = run("validate", "--format", "junit", "--jobs", "1", *paths)
            assert folded_here, "the one-process run folded the items after the listing"
            folded_here.clear()
            patch.setattr(validate, "JSONL_CHUNK_BYTES", 4096)
            patch.setattr(local, "SPOOLED_CHARS", 0)
            spooled = run("validate", "--format", "junit", "--jobs", "2", *paths)
            assert folded_here, "the pool's run folded too (the workers' judges are told by an event)"
            folded_here.clear()
        assert "folded" in alone.out
        assert (alone.code, alone.out) == (written.code, written.out), bound
        assert (spooled.code, spooled.out) == (alone.code, alone.out), bound


def test_without_a_temporary_folder_the_text_takes_the_pipe(
    document: JsonObject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A temporary folder that cannot be written (here, a file in its place) costs the spool, not the run."""
    import tempfile

    from dms_smartconnect_contract.run import local, validate

    paths = [str(path) for path in _spooled_inputs(document, tmp_path)]
    alone = run("validate", "--format", "json", "--jobs", "1", *paths)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setattr(tempfile, "tempdir", str(blocked))
    monkeypatch.setattr(validate, "JSONL_CHUNK_BYTES", 4096)
    monkeypatch.setattr(local, "SPOOLED_CHARS", 0)
    piped = run("validate", "--format", "json", "--jobs", "2", *paths)
    assert (piped.code, piped.out) == (alone.code, alone.out)


def test_an_interrupted_run_leaves_no_spool(
    document: JsonObject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the report takes the workers' text: the run says it was interrupted, and the spool folder, with
    the text of the parts never reported, is gone."""
    import tempfile

    from dms_smartconnect_contract.reports.json_report import JsonReporter
    from dms_smartconnect_contract.run import local, validate

    paths = [str(path) for path in _spooled_inputs(document, tmp_path)]
    spools = tmp_path / "spools"
    spools.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spools))
    monkeypatch.setattr(validate, "JSONL_CHUNK_BYTES", 4096)
    monkeypatch.setattr(local, "SPOOLED_CHARS", 0)
    taken = JsonReporter.add_rendered
    calls = []

    def interrupted(self: JsonReporter, tally: Any) -> None:
        calls.append(tally)
        if len(calls) == 3:
            raise KeyboardInterrupt
        taken(self, tally)

    monkeypatch.setattr(JsonReporter, "add_rendered", interrupted)
    result = run("validate", "--format", "json", "--jobs", "2", *paths)
    assert result.code == 130 and "interrupted" in result.err
    assert len(calls) == 3 and not list(spools.iterdir())


def test_a_range_whose_range_before_never_says_is_numbered_by_the_runner(monkeypatch: pytest.MonkeyPatch) -> None:
    """The chain across processes: a range learns the lines before it from the range before, published from
    another process; where that never comes, it waits its time, says so to the range after it at once, and both
    are left to the runner to number."""
    import multiprocessing

    from dms_smartconnect_contract.run import chain as chains

    context = multiprocessing.get_context("spawn")
    lines = chains.LineChain(context, 6)
    first = JsonlChunk("log.jsonl", None, 0, 10, before=0, link=0)
    publisher = context.Process(target=lines, args=(first, 7))
    publisher.start()
    publisher.join()
    assert publisher.exitcode == 0
    assert lines(JsonlChunk("log.jsonl", None, 10, 20, link=1), 5) == 7
    assert lines(JsonlChunk("log.jsonl", None, 20, 30, link=2), 1) == 12
    monkeypatch.setattr(chains, "WAIT", 0.05)
    assert lines(JsonlChunk("log.jsonl", None, 40, 50, link=4), 3) is None  # link 3 never came
    monkeypatch.setattr(chains, "WAIT", 3600.0)
    assert lines(JsonlChunk("log.jsonl", None, 50, 60, link=5), 3) is None  # told at once, not after an hour
    assert lines(JsonlChunk("other.jsonl", None, 0, 60, before=0, link=6), 2) == 0  # a new file starts again


def test_ranges_numbered_by_their_judges_over_long_lines_give_the_report_of_one_range(
    document: JsonObject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lines over the body limit among ranges numbered where they are judged: each is one item, and every item
    keeps its number."""
    from dms_smartconnect_contract.run import validate

    bodies = _bodies(document, 120, 13, 3)
    log = tmp_path / "long.jsonl"
    log.write_bytes(b"".join(orjson.dumps(body) + b"\n" + (b'{"x": "' + b"y" * 3000 + b'"}\n' if n % 17 == 0 else b"")
                             for n, body in enumerate(bodies)))  # fmt: skip
    whole = run("validate", "--format", "jsonl", "--max-body-bytes", "2000", "--jobs", "1", str(log))
    monkeypatch.setattr(validate, "JSONL_CHUNK_BYTES", 4096)
    ranged = run("validate", "--format", "jsonl", "--max-body-bytes", "2000", "--jobs", "2", str(log))
    assert whole.code == 1 and '"limit.line-bytes"' in whole.out
    assert (ranged.code, ranged.out) == (whole.code, whole.out)


def test_spawned_workers_number_their_ranges_as_forked_ones_do(
    document: JsonObject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where processes cannot fork (Windows), workers are spawned: each compiles its own judge and is handed the
    chain of ranges as it starts; the report is the one a single process writes."""
    import multiprocessing

    from dms_smartconnect_contract.run import validate

    paths = [str(path) for path in _spooled_inputs(document, tmp_path)]
    alone = run("validate", "--format", "jsonl", "--jobs", "1", *paths)
    monkeypatch.setattr(validate, "JSONL_CHUNK_BYTES", 4096)
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    spawned = run("validate", "--format", "jsonl", "--jobs", "2", *paths)
    assert (spawned.code, spawned.out) == (alone.code, alone.out) and alone.code == 1
