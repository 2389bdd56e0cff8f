"""`diff`: a catalogue of contract edits, each kind of change once, with what it does to generated code and to each
reading, and the version it needs; each also as a golden Markdown report (UPDATE_GOLDEN=1 rewrites them). And the
edges: no change, a head lint refuses, a revision of a git repository, lines in both versions."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from dms_smartconnect_contract.findings import Keeping

from clirunner import run
from conftest import CONTRACT, ROOT

GOLDEN = ROOT / "tests" / "golden" / "diff"
Document = dict[str, Any]


def _schemas(document: Document) -> Document:
    schemas: Document = document["components"]["schemas"]
    return schemas


def _remove_field(document: Document) -> None:
    del _schemas(document)["SmartConnectTaskEntity"]["properties"]["topics_regex"]


def _widen_archived(document: Document) -> None:
    _with_archived(document)
    _schemas(document)["ArchivedTask"]["properties"]["archived_at"]["type"] = ["integer", "string"]


def _narrow_type(document: Document) -> None:
    _schemas(document)["ArchivedTask"]["properties"]["archived_at"]["type"] = "integer"  # a string no longer


def _add_enum_value(document: Document) -> None:
    _schemas(document)["TaskStatus"]["enum"].append("DELETING")


def _remove_enum_value(document: Document) -> None:
    _schemas(document)["TaskStatus"]["enum"].remove("WAITING")


def _with_nullable(document: Document) -> None:
    _with_archived(document)
    _schemas(document)["ArchivedTask"]["properties"]["archived_at"]["type"] = ["integer", "null"]


def _remove_null(document: Document) -> None:
    _schemas(document)["ArchivedTask"]["properties"]["archived_at"]["type"] = "integer"


def _require_field(document: Document) -> None:
    _with_archived(document)
    archived = _schemas(document)["ArchivedTask"]
    archived["required"] = ["archived_at"]
    archived["x-provenance"]["required"] = {"documented": "reference"}


def _with_pattern(document: Document) -> None:
    _with_archived(document)
    field = _schemas(document)["ArchivedTask"]["properties"]["archived_at"]
    field.update(type="string", pattern="^[0-9]+$")
    field["x-provenance"]["pattern"] = {"inferred": "Every value in the sources is digits."}


def _tighten_pattern(document: Document) -> None:
    _schemas(document)["ArchivedTask"]["properties"]["archived_at"]["pattern"] = "^[0-9]{13}$"


def _document_inferred_rule(document: Document) -> None:
    _schemas(document)["MaskableUuid"]["x-provenance"]["pattern"] = {"documented": "reference"}


def _remove_status(document: Document) -> None:
    del document["paths"]["/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}"]["get"]["responses"][
        "404"
    ]


def _add_operation(document: Document) -> None:
    listing = copy.deepcopy(document["paths"]["/v2/{project_id}/instances/{instance_id}/connector/tasks"]["get"])
    listing["operationId"] = "ListPausedConnectorTasks"
    document["paths"]["/v2/{project_id}/instances/{instance_id}/connector/tasks/paused"] = {"get": listing}


def _change_description(document: Document) -> None:
    _schemas(document)["SmartConnectTaskEntity"]["properties"]["task_name"]["description"] = "The task's name."


# A schema no operation refers to: a generated type all the same, and the blind spot of checkers that walk from the
# operations.
_ARCHIVED = {"type": "object", "description": "An archived task.", "properties": {
    "archived_at": {"type": "integer", "description": "When.", "x-provenance": {"type": {"documented": "reference"}}}},
    "x-provenance": {"type": {"documented": "reference"}, "properties": {"documented": "reference"}}}  # fmt: skip


def _with_archived(document: Document) -> None:
    _schemas(document)["ArchivedTask"] = copy.deepcopy(_ARCHIVED)


def _change_unreferenced_schema(document: Document) -> None:
    _with_archived(document)
    _schemas(document)["ArchivedTask"]["properties"]["archived_at"]["type"] = "string"


@dataclass
class Edit:
    edit: Callable[[Document], None]
    generated: str
    readings: dict[str, str]
    needs: str
    what: str  # words the change's description holds
    base: Callable[[Document], None] | None = None  # an edit of the base too, where the case needs one
    count: int = 1
    extra: dict[str, str] = field(default_factory=dict)


NONE = {"default": "none", "strict": "none", "tolerant": "none"}
CATALOGUE = {
    "field-removed": Edit(_remove_field, "breaking", {"default": "looser", "strict": "changed", "tolerant": "looser"},
                          "major", "field 'topics_regex' removed"),
    "type-narrowed": Edit(_narrow_type, "breaking", {"default": "stricter", "strict": "stricter",
                          "tolerant": "stricter"}, "major", "type of ArchivedTask /properties/archived_at",
                          base=_widen_archived),
    "nullability-removed": Edit(_remove_null, "breaking", {"default": "stricter", "strict": "stricter",
                                "tolerant": "stricter"}, "major", "type of ArchivedTask /properties/archived_at",
                                base=_with_nullable),
    "enum-value-added": Edit(_add_enum_value, "additive", {**NONE, "strict": "looser"}, "minor",
                             "value 'DELETING' added"),
    "enum-value-removed": Edit(_remove_enum_value, "breaking", {**NONE, "strict": "stricter"}, "major",
                               "value 'WAITING' removed"),
    "field-made-required": Edit(_require_field, "none", {**NONE, "default": "stricter", "strict": "stricter"},
                                "minor", "required field 'archived_at' added", base=_with_archived),
    # Whether one regular expression admits less than another is not decided: a pattern changed may do both.
    "pattern-tightened": Edit(_tighten_pattern, "none", {**NONE, "strict": "changed"}, "minor",
                              "pattern of ArchivedTask /properties/archived_at", base=_with_pattern),
    "inferred-rule-documented": Edit(_document_inferred_rule, "none", {**NONE, "default": "stricter"}, "minor",
                                     "pattern of MaskableUuid: inferred -> documented"),
    "status-removed": Edit(_remove_status, "breaking", {**NONE, "default": "stricter", "strict": "stricter"},
                           "major", "status '404' removed"),
    "operation-added": Edit(_add_operation, "additive", {**NONE, "default": "looser", "strict": "looser"}, "minor",
                            "operation ListPausedConnectorTasks"),
    "description-changed": Edit(_change_description, "none", NONE, "patch", "description of SmartConnectTaskEntity"),
    "unreferenced-schema-changed": Edit(_change_unreferenced_schema, "breaking", {"default": "changed",
                                        "strict": "changed", "tolerant": "changed"}, "major",
                                        "type of ArchivedTask /properties/archived_at", base=_with_archived),
}  # fmt: skip


def _write(folder: Path, name: str, document: Document) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120))
    return path


def _pair(folder: Path, document: Document, case: Edit) -> tuple[Path, Path]:
    base = copy.deepcopy(document)
    if case.base:
        case.base(base)
    head = copy.deepcopy(base)
    case.edit(head)
    return _write(folder, "base.yaml", base), _write(folder, "head.yaml", head)


@pytest.mark.parametrize("name", CATALOGUE)
def test_each_kind_of_change_is_classified_for_every_reader(name: str, document: Document, tmp_path: Path) -> None:
    case = CATALOGUE[name]
    base, head = _pair(tmp_path, document, case)
    result = run("diff", str(base), str(head), "--format", "json")
    report = result.json()
    assert result.code == (1 if case.generated == "breaking" else 0), result
    assert len(report["changes"]) == case.count, [change["what"] for change in report["changes"]]
    (change,) = report["changes"]
    assert case.what in change["what"]
    assert (change["generated"], change["readings"], change["needs"]) == (case.generated, case.readings, case.needs)
    assert report["needs"] == case.needs and report["breaking"] == (case.generated == "breaking")
    # Both sides carry their provenance, where the side has the rule.
    for side in ("base", "head"):
        if change[side]["value"] is not None and change["keyword"] not in ("operation", "schema", "description"):
            assert change[side]["provenance"] is not None, side
    markdown = run("diff", str(base), str(head), "--format", "markdown", "--allow-breaking")
    assert markdown.code == 0
    text = markdown.out.replace(str(tmp_path), "CONTRACTS")
    golden = GOLDEN / f"{name}.md"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text)
    assert text == golden.read_text()


def test_types_in_another_order_are_no_change(document: Document, tmp_path: Path) -> None:
    base = copy.deepcopy(document)
    _with_nullable(base)
    head = copy.deepcopy(base)
    _schemas(head)["ArchivedTask"]["properties"]["archived_at"]["type"] = ["null", "integer"]
    result = run(
        "diff", str(_write(tmp_path, "a.yaml", base)), str(_write(tmp_path, "b.yaml", head)), "--format", "json"
    )
    assert result.json()["changes"] == []


def test_the_same_contract_has_no_changes(tmp_path: Path) -> None:
    result = run("diff", str(CONTRACT), str(CONTRACT))
    assert result.code == 0 and "0 change(s)" in result.out and "no changes" in result.out
    assert run("diff", str(CONTRACT), str(CONTRACT), "--format", "json").json()["needs"] == "none"


def test_a_head_that_fails_lint_is_exit_2_with_the_lint_message(document: Document, tmp_path: Path) -> None:
    broken = copy.deepcopy(document)
    del _schemas(broken)["TaskStatus"]["x-provenance"]
    result = run("diff", str(CONTRACT), str(_write(tmp_path, "head.yaml", broken)))
    assert result.code == 2 and result.out == ""
    assert "the head fails lint" in result.err and "says nowhere where it comes from" in result.err


def test_an_unreadable_version_is_exit_2_naming_it(tmp_path: Path) -> None:
    result = run("diff", str(tmp_path / "missing.yaml"), str(CONTRACT))
    assert result.code == 2 and "missing.yaml" in result.err


def test_a_change_points_at_its_line_in_both_versions(document: Document, tmp_path: Path) -> None:
    base, head = _pair(tmp_path, document, CATALOGUE["enum-value-removed"])
    (change,) = run("diff", str(base), str(head), "--format", "json").json()["changes"]
    assert base.read_text().splitlines()[change["base"]["line"] - 1].strip() == "- WAITING"
    assert "enum" in head.read_text().splitlines()[change["head"]["line"] - 1]  # where it was removed from
    added = _pair(tmp_path, document, CATALOGUE["enum-value-added"])[1]
    (change,) = run("diff", str(base), str(added), "--format", "json").json()["changes"][-1:]
    github = run("diff", str(base), str(added), "--format", "github")
    line = next(line for line in github.out.splitlines() if "DELETING" in line)
    at = int(line.split("line=")[1].split(",")[0])
    assert added.read_text().splitlines()[at - 1].strip() == "- DELETING"
    assert line.startswith("::warning file=")


def test_a_revision_of_a_git_repository_is_a_version(document: Document, tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    _write(tmp_path, "openapi.yaml", document)
    git("add", "openapi.yaml")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "contract")
    edited = copy.deepcopy(document)
    _remove_enum_value(edited)
    _write(tmp_path, "openapi.yaml", edited)
    previous = os.getcwd()
    os.chdir(tmp_path)
    try:
        report = run("diff", "git:HEAD", "openapi.yaml", "--format", "json").json()
        missing = run("diff", "git:no-such-ref", "openapi.yaml")
    finally:
        os.chdir(previous)
    assert report["base"]["contract"] == "openapi.yaml@HEAD" and report["breaking"] == 1
    assert missing.code == 2 and "git:no-such-ref" in missing.err


def test_the_json_report_is_one_document(document: Document, tmp_path: Path) -> None:
    base, head = _pair(tmp_path, document, CATALOGUE["field-removed"])
    report = json.loads(run("diff", str(base), str(head), "--format", "json").out)
    assert set(report) == {"base", "head", "needs", "version_moves", "version_enough", "breaking", "changes"}
    assert report["version_moves"] == "none" and report["version_enough"] is False
    head.write_text(head.read_text().replace(f"version: {document['info']['version']}", "version: 99.0.0", 1))
    moved = json.loads(run("diff", str(base), str(head), "--format", "json").out)
    assert moved["version_moves"] == "major" and moved["version_enough"] is True


def test_the_demo_edit_is_a_breaking_change_with_too_little_a_version() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "demo_diff.py")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 breaking for generated code" in done.stdout and "too little: it must move major" in done.stdout


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_captures_are_judged_under_both_versions_with_known_counts(
    document: Document, seed_example: Document, tmp_path: Path, jobs: str
) -> None:
    """A log of 7 WAITING tasks, 5 DELETING ones and 11 RUNNING ones: removing WAITING and adding DELETING turns
    exactly 7 exchanges from conforming to violating and 5 the other way in the strict reading, none in the default
    one (both enumerations are open there), at one worker or two."""
    base, _ = _pair(tmp_path, document, CATALOGUE["enum-value-removed"])
    head = copy.deepcopy(document)
    _remove_enum_value(head)
    _add_enum_value(head)
    head_path = _write(tmp_path, "both.yaml", head)
    bodies = [dict(seed_example, status=s) for s in ["WAITING"] * 7 + ["DELETING"] * 5 + ["RUNNING"] * 11]
    log = tmp_path / "log.jsonl"
    log.write_text("".join(json.dumps(body) + "\n" for body in bodies))
    result = run("diff", str(base), str(head_path), "--captures", str(log), "--jobs", jobs, "--format", "json")
    assert result.code == 1, result
    traffic = {weight["reading"]: weight for weight in result.json()["traffic"]}
    assert (traffic["default"]["rejected"], traffic["default"]["accepted"]) == (0, 0)
    assert traffic["default"]["base"] == traffic["default"]["head"] == {
        "total": 23, "conforming": 23, "violating": 0, "skipped": 0, "unreadable": 0}  # fmt: skip
    assert (traffic["strict"]["rejected"], traffic["strict"]["accepted"]) == (7, 5)
    assert traffic["strict"]["base"]["conforming"] == 18 and traffic["strict"]["head"]["conforming"] == 16
    assert traffic["strict"]["rejected_samples"] == [f"{log}:{line}" for line in (1, 2, 3)]
    # Each turned exchange is put down to the change whose rule the rejecting version's finding names.
    by_change = {change["what"]: change["traffic"] for change in result.json()["changes"]}
    assert by_change["value 'WAITING' removed (enum of TaskStatus)"]["strict"] == {"rejected": 7, "accepted": 0}
    assert by_change["value 'DELETING' added (enum of TaskStatus)"]["strict"] == {"rejected": 0, "accepted": 5}
    assert all(change["default"] == {"rejected": 0, "accepted": 0} for change in by_change.values())
    assert traffic["strict"]["unexplained"] == [0, 0]
    text = run("diff", str(base), str(head_path), "--captures", str(log), "--jobs", jobs).out
    assert "recorded exchanges: strict rejects 7 of 18 it accepted" in text
    assert "recorded exchanges: strict accepts 5 of 5 it rejected" in text


def test_captures_that_hold_nothing_to_judge_are_exit_2(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    result = run("diff", str(CONTRACT), str(CONTRACT), "--captures", str(empty))
    assert result.code == 2 and "the captures prove nothing" in result.err


# --- one pass over the captures, proven equal to four separate runs ------------------------------------------------

TASK_URL = "https://dms.cn-north-4.myhuaweicloud.com/v2/a4a5d4098fb4474fa22cd05f897d6b99/instances/59f6d088-2b1e-4c55-9a43-5d3c2f1e0a77/connector/tasks"


def _tighten_header(document: Document) -> None:
    schema = document["components"]["headers"]["X-Request-Id"]["schema"]
    schema["maxLength"] = 8  # the captures' request IDs have 32 characters
    schema["x-provenance"]["maxLength"] = {"documented": "reference"}


# Edits the weighing sees that the catalogue has no need of: a header's rule, which exchanges alone carry.
WEIGH_ONLY = {"header-tightened": _tighten_header}
WEIGHED_EDITS = ["enum-value-removed", "enum-value-added", "field-removed", "inferred-rule-documented",
                 "status-removed", "operation-added", "description-changed", *WEIGH_ONLY]  # fmt: skip


def _traffic(folder: Path, seed: Document, obs: Document) -> list[Path]:
    """Every kind of item, in an order that mixes storms and single failures: bare bodies conforming and broken
    in each way the weighed edits see, records of each status (and of an operation only the head has), lines that
    are no JSON, too deep or over the size limit, and the same again as a HAR, a gzip log and body files."""
    bodies: list[Any] = []
    for example in (seed, obs):
        bodies += [dict(example, status=status) for status in ("RUNNING", "WAITING", "DELETING", "BOGUS")]
        bodies += [{key: value for key, value in example.items() if key != "topics_regex"},
                   dict(example, topics_regex=None), dict(example, task_name=12345), dict(example, undocumented=1),
                   dict(example, id="not-a-uuid"), dict(example, task_name="x" * 3000),
                   # Drift at places that sort before a documented error: --max-findings 2 keeps only the drift
                   # in the strict reading, and only the error in the default one.
                   dict(example, aaa=1, aab=2, task_name=12345)]  # fmt: skip
    headers = {"Content-Type": "application/json", "X-Request-Id": "0c8e1d4b7a2f4e6b9d3c5a1f8e7b6d2c"}
    records = [{"status": status, "headers": headers, "body": bodies[index % len(bodies)], "method": "GET",
                "url": f"{TASK_URL}/194917d0-8c1b-4f1e-b3a2-6e0d9f4c2a15"}
               for index, status in enumerate((200, 200, 400, 404, 404, 500, 418))]  # fmt: skip
    records.append({"status": 200, "headers": headers, "body": {"tasks": [], "total_number": 0}, "method": "GET",
                    "url": f"{TASK_URL}/paused"})  # fmt: skip
    odd = [b"not json", b"", b"[1, 2]", b"[" * 2000, json.dumps({"deep": json.loads("[" * 900 + "]" * 900)}).encode()]
    rng = __import__("random").Random(20)
    lines = [json.dumps(item).encode() for item in bodies * 6 + records * 2] + odd * 2
    rng.shuffle(lines)
    lines += [json.dumps(dict(seed, status="WAITING")).encode()] * 40  # a storm of one turn
    log = folder / "log.jsonl"
    log.write_bytes(b"\n".join(lines) + b"\n")
    gzip_log = folder / "log.jsonl.gz"
    gzip_log.write_bytes(__import__("gzip").compress(log.read_bytes()))
    entries = [{"request": {"method": "GET", "url": record["url"], "headers": []},
                "response": {"status": record["status"], "headers": [{"name": k, "value": v} for k, v in headers.items()],
                             "content": {"mimeType": "application/json", "text": json.dumps(record["body"])}}}
               for record in records + [dict(records[0], body=body) for body in bodies]]  # fmt: skip
    har = folder / "capture.har"
    har.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}))
    files = []
    for index, body in enumerate(bodies[:6]):
        files.append(folder / f"body-{index}.json")
        files[-1].write_text(json.dumps(body))
    return [log, gzip_log, har, *files]


class _Outcomes:
    """A reporter that keeps each item's outcome and the places of its findings, by location."""

    coverage = None
    keeping = Keeping(items=True)

    def __init__(self) -> None:
        self.items: dict[str, tuple[str, frozenset[tuple[str, str]]]] = {}

    def add(self, tally: Any) -> None:
        for result in tally.items:
            places = frozenset((finding.rule, finding.pointer) for finding in result.findings)
            self.items[result.location] = (result.outcome.value, places)

    def listing_full(self) -> bool:  # it lists every item
        return False


@pytest.mark.parametrize("most", [100, 2], ids=["findings-kept", "findings-cut"])
@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("name", WEIGHED_EDITS)
def test_one_pass_under_both_versions_equals_four_separate_runs(
    document: Document,
    seed_example: Document,
    obs_example: Document,
    tmp_path: Path,
    name: str,
    jobs: int,
    most: int,
) -> None:
    """Speed never buys a different finding: the one pass (each item read once, the fast path's quick checks and
    outcomes) counts every item under each version and reading, and turns exactly the items, with exactly the
    findings, that four separate `validate` runs of the same checkers give."""
    from dms_smartconnect_contract.check import CheckOptions
    from dms_smartconnect_contract.check.weighed import READINGS, SIDES, Weighing
    from dms_smartconnect_contract.check.weighing import TwoContracts
    from dms_smartconnect_contract.run.local import judge_all
    from dms_smartconnect_contract.run.validate import RunOptions, open_inputs, run_validation

    base = copy.deepcopy(document)
    head = copy.deepcopy(document)
    (WEIGH_ONLY[name] if name in WEIGH_ONLY else CATALOGUE[name].edit)(head)
    if name == "enum-value-removed":  # the demo's edit: a value retired and one added at once
        _add_enum_value(head)
    paths: list[Path | str] = list(_traffic(tmp_path, seed_example, obs_example))
    # The long task names are over the size limit in a JSONL line, not in a body file; with --max-findings 2 a
    # body's findings are cut, and which are kept depends on their weights.
    check = CheckOptions(max_body_size=2048, max_findings=most)
    options = RunOptions(check=check, jobs=jobs, quiet=True)

    separate: dict[tuple[str, str], tuple[dict[str, int], _Outcomes]] = {}
    for side, version in zip(SIDES, (base, head), strict=True):
        for reading in READINGS:
            run_options = RunOptions(check=replace(check, strict=reading == "strict"), jobs=jobs, quiet=True)
            collected = _Outcomes()
            total, _ = run_validation(version, paths, open_inputs(paths, run_options), run_options, collected)
            separate[side, reading] = total.as_dict(), collected

    reader = open_inputs(paths, options)
    weighing = Weighing()
    for part in judge_all(reader.items(paths), TwoContracts(base, head, check), jobs, reader.har_stream):
        weighing.merge(part)

    for key, (counts, _) in separate.items():
        assert weighing.tallies[key].as_dict() == counts, key
    expected = set()
    for reading in READINGS:
        before, after = separate["base", reading][1].items, separate["head", reading][1].items
        for location, (old, old_places) in before.items():
            new, new_places = after[location]
            if (old, new) == ("conforming", "violating"):
                expected.add((location, reading, True, new_places))
            elif (old, new) == ("violating", "conforming"):
                expected.add((location, reading, False, old_places))
    found = [(location, *turn) for turn, locations in weighing.turned.items() for location in locations]
    assert len(found) == len(set(found))
    assert set(found) == expected
    # The first locations turned each way, in capture order, as the report shows them.
    order = {location: index for index, location in enumerate(separate["base", "default"][1].items)}
    for reading in READINGS:
        for rejected in (True, False):
            turned = sorted((order[t[0]], t[0]) for t in expected if t[1:3] == (reading, rejected))
            assert weighing.first.get((reading, rejected), []) == [location for _, location in turned[:3]]
    if name not in ("description-changed", "operation-added"):
        assert expected, "the edit turns some of the traffic: the test compares something"
