"""The change users of generated models report breaking them most, in every language the models come in: the
service adds an enumeration value and a field, sends a `null`, leaves an optional field out. Each language's models
take that body, and the known values stay readable: the new value as its string, the rest as before. A wrong JSON
type is still refused. (The verdict corpus, tests/test_verdict_corpus.py, holds every language to every body.)"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from dms_smartconnect_models import ShowConnectorTaskResponse, TaskStatus

from conftest import ROOT
from toolchains import go, type_check

TYPESCRIPT = ROOT / "generated" / "typescript"


@pytest.fixture
def changed_body(seed_example: dict[str, Any]) -> dict[str, Any]:
    """The reference's example as a newer service might send it."""
    body = dict(seed_example, status="DELETING", added_later={"shards": 3}, sink_task=None)
    del body["task_name"]
    return body


def test_python_models_take_the_additive_change(changed_body: dict[str, Any]) -> None:
    task = ShowConnectorTaskResponse.model_validate_json(json.dumps(changed_body))
    assert task.status == "DELETING" and not isinstance(task.status, TaskStatus)
    assert task.model_extra == {"added_later": {"shards": 3}}
    assert task.sink_task is None and task.task_name is None
    assert task.topics == changed_body["topics"] and task.source_task is not None
    with pytest.raises(ValidationError):
        ShowConnectorTaskResponse.model_validate_json(json.dumps(dict(changed_body, create_time="1708427753133")))


TYPESCRIPT_CHECK = """
import type { ShowConnectorTaskResponse, TaskStatus } from "dms-smartconnect-models";
import validate from "dms-smartconnect-models/validators/ShowConnectorTaskResponse.default";

const body = BODY;
const task: ShowConnectorTaskResponse = body;
const topics: string | null | undefined = task.topics;
const status: TaskStatus | string | null | undefined = task.status;
export const read = [topics, status, task.source_task?.bootstrap_servers];

// The validator is a type guard: an unknown value it accepts is the body's type.
export function parse(text: string): ShowConnectorTaskResponse {
  const value: unknown = JSON.parse(text);
  if (!validate(value)) throw new Error(JSON.stringify(validate.errors));
  return value;
}

const wrong = { ...body, create_time: "1708427753133" };
// @ts-expect-error a string is no integer
export const refused: ShowConnectorTaskResponse = wrong;
"""

TYPESCRIPT_RUN = """
import fs from "node:fs";
const body = JSON.parse(fs.readFileSync(0, "utf8"));
const verdicts = {};
for (const reading of ["default", "strict", "tolerant"]) {
  const { default: validate } = await import(`dms-smartconnect-models/validators/ShowConnectorTaskResponse.${reading}`);
  verdicts[reading] = validate(body);
  verdicts[`${reading}, a wrong type`] = validate({ ...body, create_time: "1708427753133" });
}
process.stdout.write(JSON.stringify(verdicts));
"""


def test_typescript_types_and_validators_take_the_additive_change(tmp_path: Path, changed_body: dict[str, Any]) -> None:
    (tmp_path / "check.ts").write_text(TYPESCRIPT_CHECK.replace("BODY", json.dumps(changed_body)))
    tsc = type_check(tmp_path, "check.ts", TYPESCRIPT)
    assert tsc.returncode == 0, tsc.stdout + tsc.stderr
    (tmp_path / "run.mjs").write_text(TYPESCRIPT_RUN)
    node = shutil.which("node")
    assert node, "Node.js runs the validator modules"
    done = subprocess.run([node, "run.mjs"], input=json.dumps(changed_body), capture_output=True, text=True,
                          cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    # The new value is drift: the default and tolerant readings take it, the strict one (no undocumented value) not.
    assert json.loads(done.stdout) == {
        "default": True, "default, a wrong type": False,
        "strict": False, "strict, a wrong type": False,
        "tolerant": True, "tolerant, a wrong type": False,
    }  # fmt: skip


def test_go_structs_take_the_additive_change() -> None:
    """tests/go/additive_test.go: the grown body decodes with its known values typed, and a wrong type is refused
    with its field's path; `go vet` finds nothing in the module or its consumer."""
    vetted = go("vet", "./...")
    assert vetted.returncode == 0, vetted.stderr
    tested = go("test", "-count=1", "-v", "./...")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "--- PASS" in tested.stdout and "--- FAIL" not in tested.stdout
