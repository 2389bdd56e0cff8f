"""One verdict: the verdict corpus (tests/corpus/verdicts.yaml) through every reading of the contract and every
engine that reads it. Each engine's verdicts must equal the corpus's expectations, so every pair agrees.

Readings and engines:
- default: validate (bare body files, JSONL of bare bodies, JSONL records, HAR entries; jsonschema-rs and the
  reference engine), and the default JSON Schema export in python-jsonschema and in Ajv;
- strict: the same with --strict and the strict export, and the contract tests' checks (schemathesis' response
  schema check with ours);
- tolerant: the generated models, with pydantic alone, parsing JSON text and Python objects.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
import yaml

from dms_smartconnect_contract.check import Checker, CheckOptions
from dms_smartconnect_contract.contract import JsonObject, operations, resolve
from dms_smartconnect_contract.contract.provenance import iter_constraints
from dms_smartconnect_contract.formats.items import Exchange

from clirunner import run
from conftest import LIST_PATH, OPERATION_PATH, ROOT, response_examples
from isolated import pydantic_alone_site, run_installed, run_with_pydantic_alone
from toolchains import go, type_check

CORPUS = ROOT / "tests" / "corpus" / "verdicts.yaml"
SCHEMAS = ROOT / "generated" / "json-schema"
BASE = "https://dms.cn-north-4.myhuaweicloud.com"
INSTANCE = "/v2/a4a5d4098fb4474fa22cd05f897d6b99/instances/59f6d088-2b1e-4c55-9a43-5d3c2f1e0a77"
URLS = {  # a request of each operation
    "ShowConnectorTask": f"{BASE}{INSTANCE}/connector/tasks/194917d0-8c1b-4f1e-b3a2-6e0d9f4c2a15",
    "ListConnectorTasks": f"{BASE}{INSTANCE}/connector/tasks?limit=50",
}
PATHS = {"ShowConnectorTask": OPERATION_PATH, "ListConnectorTasks": LIST_PATH}
HEADERS = {"Content-Type": "application/json;charset=UTF-8", "X-Request-Id": "0c8e1d4b7a2f4e6b9d3c5a1f8e7b6d2c"}
WRONG_VALUE = {"string": 12345, "integer": "12345", "boolean": "true", "object": "an object", "array": "an array"}


@dataclass(frozen=True)
class Case:
    name: str
    status: int
    body: Any
    expect: dict[str, str]
    breaks: tuple[str, ...] = ()
    finding: tuple[str, str] | None = None
    generated: bool = field(default=False, compare=False)
    operation: str = "ShowConnectorTask"

    @property
    def schema(self) -> str:
        """The body schema the contract names for the case's operation and status."""
        return SCHEMAS_OF[(self.operation, str(self.status))]


def _schemas_of() -> dict[tuple[str, str], str]:
    from dms_smartconnect_contract.contract import read_document

    return {
        (operation.operation_id, status): response.schema_names["application/json"]
        for operation in operations(read_document(ROOT / "openapi.yaml"))
        for status, response in operation.responses.items()
    }


SCHEMAS_OF = _schemas_of()
EXPORTED = sorted(set(SCHEMAS_OF.values()))


def _walk(body: Any, pointer: str) -> tuple[Any, Any]:
    """The container a JSON pointer ends in, and its last token (an index into an array)."""
    parts = [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]
    for part in parts[:-1]:
        body = body[int(part)] if isinstance(body, list) else body[part]
    last = parts[-1]
    return body, int(last) if isinstance(body, list) else last


def _bases(document: JsonObject) -> dict[str, Any]:
    examples = response_examples(document)
    error = response_examples(document, "404")["instanceNotFound"]
    listed = response_examples(document, path=LIST_PATH)["twoTasks"]
    return {"kafka": examples["kafkaReplicatorSource"], "obs": examples["obsSink"], "error": error, "list": listed}


def _hand_cases(document: JsonObject) -> list[Case]:
    bases = _bases(document)
    cases = []
    for raw in yaml.safe_load(CORPUS.read_text()):
        body = copy.deepcopy(bases[raw["base"]] if "base" in raw else raw["body"])
        for pointer in raw.get("drop", []):
            holder, key = _walk(body, pointer)
            del holder[key]
        for pointer, value in raw.get("set", {}).items():
            holder, key = _walk(body, pointer)
            holder[key] = value
        finding = tuple(raw["finding"]) if "finding" in raw else None
        status = raw.get("status", 200)
        operation = raw.get("operation") or ("ListConnectorTasks" if raw.get("base") == "list" else "ShowConnectorTask")
        breaks = tuple(raw.get("breaks", []))
        cases.append(Case(raw["name"], status, body, raw["expect"], breaks, finding, operation=operation))  # type: ignore[arg-type]
    return cases


def _field_types(document: JsonObject, schema_name: str, prop: JsonObject) -> tuple[str, list[str]]:
    """A field's documented JSON type, and the type rules (pointer#type) a value of another type breaks."""
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[1]
        types = resolve(document, {"$ref": prop["$ref"]})["type"]
        return (types if isinstance(types, str) else types[0]), [f"/components/schemas/{name}#type"]
    if "anyOf" in prop:
        names = [alternative["$ref"].rsplit("/", 1)[1] for alternative in prop["anyOf"]]
        return "string", [f"/components/schemas/{name}#type" for name in names]
    return prop["type"], []


PLACES = {  # a body schema: the base whose object it describes, at which pointer, for which operation and status
    "SmartConnectTaskEntity": ("kafka", "", 200, "ShowConnectorTask"),
    "SmartConnectTaskRespSourceConfig": ("kafka", "/source_task", 200, "ShowConnectorTask"),
    "SmartConnectTaskRespSinkConfig": ("obs", "/sink_task", 200, "ShowConnectorTask"),
    "ListConnectorTasksResponse": ("list", "", 200, "ListConnectorTasks"),
    "ErrorResponse": ("error", "", 404, "ShowConnectorTask"),
}


def _generated_cases(document: JsonObject) -> list[Case]:
    """One case per documented field of every body schema: the field holds a value of another JSON type."""
    bases = _bases(document)
    schemas = document["components"]["schemas"]
    cases = []
    for schema_name, (base, prefix, status, operation) in PLACES.items():
        for name, prop in schemas[schema_name]["properties"].items():
            json_type, refs = _field_types(document, schema_name, prop)
            own = [] if refs else [f"/components/schemas/{schema_name}/properties/{name}#type"]
            body = copy.deepcopy(bases[base])
            holder, key = _walk(body, f"{prefix}/{name}")
            holder[key] = WRONG_VALUE[json_type]
            expect = {"default": "violating", "strict": "violating", "models": "reject"}
            finding = ("schema.type", f"{prefix}/{name}")
            label = f"wrong-type{prefix}/{name}" if base != "list" else f"wrong-type-list/{name}"
            cases.append(Case(label, status, body, expect, tuple(own + refs), finding, True, operation))
    return cases


@pytest.fixture(scope="session")
def cases(document: JsonObject) -> list[Case]:
    found = _hand_cases(document) + _generated_cases(document)
    assert len({case.name for case in found}) == len(found), "case names must be unique"
    return found


# --- the corpus itself ------------------------------------------------------------------------------------------


def test_the_corpus_is_large_and_covers_every_kind(cases: list[Case]) -> None:
    hand = [case for case in cases if not case.generated]
    assert len(hand) >= 40 and len(cases) >= 90
    assert sum(case.expect.get("bare") == "unrecognised" for case in cases) >= 5
    kinds = {(case.expect["default"], case.expect["strict"], case.expect["models"]) for case in cases}
    assert kinds == {
        ("conforming", "conforming", "accept"),
        ("conforming", "violating", "accept"),  # inferred rules and drift
        ("violating", "violating", "accept"),  # documented rules beyond types, nulls
        ("violating", "violating", "reject"),  # wrong types
    }


def test_the_expectations_are_consistent(cases: list[Case]) -> None:
    """The readings nest: what the strict reading accepts, the default one does; what the default reading accepts,
    the models parse."""
    for case in cases:
        if case.expect["strict"] == "conforming":
            assert case.expect["default"] == "conforming", case.name
        if case.expect["default"] == "conforming":
            assert case.expect["models"] == "accept", case.name


def test_every_rule_of_a_body_is_broken_by_a_case(document: JsonObject, cases: list[Case]) -> None:
    """Every constraint of the response bodies is broken by at least one case, and every rule a case claims to break
    exists. Formats aside, but for `int32`, whose range every reading asserts: JSON Schema reads the others as
    annotations, and `int64`'s range, asserted too, is past what one language's models can be held to (Go's decoder
    refuses such a value, Python's and TypeScript's hold it), so tests/test_formats.py holds the readings to it."""
    rules = {
        f"{c.pointer}#{c.keyword}"
        for c in iter_constraints(document)
        if c.pointer.startswith("/components/schemas/") and (c.keyword != "format" or c.value == "int32")
    }
    claimed = {rule for case in cases for rule in case.breaks}
    assert claimed - rules == set(), "cases name rules the contract does not have"
    assert rules - claimed == set(), "rules no case breaks"


# --- the readings -----------------------------------------------------------------------------------------------

Verdicts = dict[str, str]


def _outcomes(report: dict[str, Any], names: dict[str, str]) -> Verdicts:
    return {names[result["location"]]: result["outcome"] for result in report["results"]}


def _validate(args: list[str], names: dict[str, str]) -> Verdicts:
    result = run("validate", "--format", "json", "--allow-empty", *args)
    assert result.code in (0, 1), result.err
    report = result.json()
    assert report["summary"]["skipped"] == 0
    # The one unreadable outcome a body of the corpus may get: a bare body that is no body (see `bare`).
    for item in report["results"]:
        if item["outcome"] == "unreadable":
            assert item["rule"] == "item.unrecognised", item
            item["outcome"] = "unrecognised"
    return _outcomes(report, names)


def _groups(cases: list[Case]) -> list[tuple[str, int]]:
    """The operations and statuses of the cases: bare bodies are judged as one operation and status at a time."""
    return sorted({(case.operation, case.status) for case in cases})


def _bare(operation: str, status: int, strict: bool) -> list[str]:
    return ["--operation", operation, "--status", str(status), *(["--strict"] if strict else [])]


def _body_files(cases: list[Case], folder: Path, strict: bool) -> Verdicts:
    verdicts: Verdicts = {}
    for operation, status in _groups(cases):
        names = {}
        for index, case in enumerate(cases):
            if (case.operation, case.status) == (operation, status):
                path = folder / operation / str(status) / f"{index:03d}.json"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(orjson.dumps(case.body))
                names[str(path)] = case.name
        verdicts |= _validate([*_bare(operation, status, strict), str(folder / operation / str(status))], names)
    return verdicts


def _bare_jsonl(cases: list[Case], folder: Path, strict: bool) -> Verdicts:
    verdicts: Verdicts = {}
    for operation, status in _groups(cases):
        log = folder / f"bare-{operation}-{status}.jsonl"
        chosen = [case for case in cases if (case.operation, case.status) == (operation, status)]
        log.write_bytes(b"".join(orjson.dumps(case.body) + b"\n" for case in chosen))
        names = {f"{log}:{number}": case.name for number, case in enumerate(chosen, start=1)}
        # Every line a bare body, as a log of bodies is read: a line of a record family's shape is no record here.
        verdicts |= _validate([*_bare(operation, status, strict), "--input-format", "body", str(log)], names)
    return verdicts


def _records(cases: list[Case], folder: Path, strict: bool) -> Verdicts:
    log = folder / "records.jsonl"
    records = [
        {"status": c.status, "method": "GET", "url": URLS[c.operation], "headers": HEADERS, "body": c.body}
        for c in cases
    ]
    log.write_bytes(b"".join(orjson.dumps(record) + b"\n" for record in records))
    names = {f"{log}:{number}": case.name for number, case in enumerate(cases, start=1)}
    return _validate([*(["--strict"] if strict else []), str(log)], names)


def _har(cases: list[Case], folder: Path, strict: bool) -> Verdicts:
    har = folder / "capture.har"
    entries = [
        {
            "request": {"method": "GET", "url": URLS[case.operation], "headers": []},
            "response": {
                "status": case.status,
                "headers": [{"name": name, "value": value} for name, value in HEADERS.items()],
                "content": {"mimeType": HEADERS["Content-Type"], "text": json.dumps(case.body)},
            },
        }
        for case in cases
    ]
    har.write_text(
        json.dumps({"log": {"version": "1.2", "creator": {"name": "corpus", "version": "1"}, "entries": entries}})
    )
    names = {f"{har}#/log/entries/{index}": case.name for index, case in enumerate(cases)}
    return _validate([*(["--strict"] if strict else []), str(har)], names)


def _checker(document: JsonObject, cases: list[Case], strict: bool, engine: str) -> Verdicts:
    checker = Checker(document, CheckOptions(strict=strict, engine=engine))  # type: ignore[arg-type]
    verdicts = {}
    for case in cases:
        body = orjson.dumps(case.body)
        exchange = Exchange(case.name, case.status, "application/json", None, body, "GET", URLS[case.operation])
        verdicts[case.name] = checker.judge(exchange).outcome.value
    return verdicts


def _readme_ecma_validator() -> Any:
    """The validator class the JSON Schema page's python-jsonschema recipe builds (patterns read as ECMA 262), run as written."""
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "models" / "json-schema.md").read_text(), re.S)
    recipe = [block for block in blocks if "ECMAValidator =" in block]
    assert len(recipe) == 1, "the JSON Schema page shows one python-jsonschema recipe that builds ECMAValidator"
    scope: dict[str, Any] = {}
    exec(recipe[0], scope)
    return scope["ECMAValidator"]


def _export(cases: list[Case], suffix: str, validator: Any = None) -> Verdicts:
    validator = validator or _readme_ecma_validator()
    validators = {
        name: validator(json.loads((SCHEMAS / f"{name}{suffix}.schema.json").read_text())) for name in EXPORTED
    }
    return {case.name: "conforming" if validators[case.schema].is_valid(case.body) else "violating" for case in cases}


def _accepts(verdicts: Verdicts) -> Verdicts:
    """A reading's verdicts as the models' column says them: a conforming body is accepted."""
    return {name: "accept" if verdict == "conforming" else "reject" for name, verdict in verdicts.items()}


def _ajv(cases: list[Case], suffix: str) -> Verdicts:
    node = shutil.which("node")
    assert node, "Node.js is needed to read the exports with Ajv (make test installs the npm packages)"
    assert (ROOT / "node_modules" / "ajv").is_dir(), "run `make test`, which installs Ajv with npm"
    request = {
        "schemas": {name: str(SCHEMAS / f"{name}{suffix}.schema.json") for name in EXPORTED},
        "cases": [{"name": case.name, "schema": case.schema, "body": case.body} for case in cases],
    }
    script = ROOT / "tests" / "corpus" / "ajv_verdicts.mjs"
    result = subprocess.run([node, str(script)], input=json.dumps(request), capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return {name: "conforming" if valid else "violating" for name, valid in json.loads(result.stdout).items()}


TYPESCRIPT = ROOT / "generated" / "typescript"
# What a language's types cannot say, and the case that shows it: the verdict its types give there instead.
TYPE_LIMITS = {
    ("TypeScript types, tsc", "create-time-with-a-fraction"): (
        "accept",
        "TypeScript's number holds any number, so a fraction where an integer is documented type-checks; the "
        "tolerant validator module rejects it at run time",
    ),
}


def _typescript(cases: list[Case], folder: Path) -> Verdicts:
    """The TypeScript types, as a team that installs the package by path reads them: every body, parsed as JSON is,
    assigned to the type of its schema; tsc's errors say which bodies the types reject. A body is a `const` first,
    as a parsed response is, so that no excess-property check (which only fresh literals get) applies."""
    names = sorted({case.schema for case in cases})
    lines = [f'import type {{ {", ".join(names)} }} from "dms-smartconnect-models";']
    checks = {}
    for index, case in enumerate(cases):
        # An empty array's literal is an evolving any[] as a const's initialiser; `satisfies` gives it its own type.
        empty = " satisfies unknown" if case.body == [] else ""
        lines.append(f"const body_{index} = {json.dumps(case.body)}{empty};")
        lines.append(f"export const check_{index}: {case.schema} = body_{index};")
        checks[len(lines)] = case.name
    (folder / "fixtures.ts").write_text("\n".join(lines) + "\n")
    done = type_check(folder, "fixtures.ts", TYPESCRIPT)
    rejected = set()
    for error in re.finditer(r"^fixtures\.ts\((\d+),\d+\): error (TS\d+): (.*)$", done.stdout, re.M):
        line, code, message = int(error[1]), error[2], error[3]
        assert line in checks and code == "TS2322", f"fixtures.ts line {line}: {code} {message}"
        rejected.add(checks[line])
    assert done.returncode in (0, 2) and (done.returncode == 2) == bool(rejected), done.stdout + done.stderr
    return {case.name: "reject" if case.name in rejected else "accept" for case in cases}


# Judges the cases with the validator modules alone: each is imported by its file's URL, from a folder with no
# node_modules anywhere above it, so a module that needed a package would fail to load.
STANDALONE_RUNNER = """
import fs from "node:fs";
const { reading, cases } = JSON.parse(fs.readFileSync(0, "utf8"));
const verdicts = {};
for (const item of cases) {
  const { default: validate } = await import(new URL(`./${item.schema}.${reading}.mjs`, import.meta.url));
  verdicts[item.name] = validate(item.body) ? "conforming" : "violating";
}
process.stdout.write(JSON.stringify(verdicts));
"""


def _standalone(cases: list[Case], folder: Path, reading: str) -> Verdicts:
    node = shutil.which("node")
    assert node, "Node.js is needed to run the validator modules"
    alone = folder / "alone"
    shutil.copytree(TYPESCRIPT / "validators", alone, ignore=shutil.ignore_patterns("*.ts"))
    (alone / "judge.mjs").write_text(STANDALONE_RUNNER)
    request = {"reading": reading, "cases": [{"name": c.name, "schema": c.schema, "body": c.body} for c in cases]}
    done = subprocess.run([node, str(alone / "judge.mjs")], input=json.dumps(request), capture_output=True, text=True,
                          cwd=alone, env={"PATH": os.environ.get("PATH", "")})  # fmt: skip
    assert done.returncode == 0, done.stderr
    verdicts: Verdicts = json.loads(done.stdout)
    return _accepts(verdicts) if reading == "tolerant" else verdicts


def _go(cases: list[Case]) -> Verdicts:
    """The Go structs, decoding every body with plain encoding/json (tests/go/verdicts)."""
    request = [{"name": case.name, "schema": case.schema, "body": case.body} for case in cases]
    done = go("run", "./verdicts", stdin=json.dumps(request))
    assert done.returncode == 0, done.stderr
    verdicts: Verdicts = json.loads(done.stdout)
    return verdicts


MODELS_SCRIPT = """
import json, sys
from pydantic import ValidationError
import dms_smartconnect_models

verdicts = {}
for case in json.load(sys.stdin):
    model = getattr(dms_smartconnect_models, case["schema"])
    seen = []
    for parse in (lambda: model.model_validate_json(json.dumps(case["body"])), lambda: model.model_validate(case["body"])):
        try:
            parse()
            seen.append("accept")
        except ValidationError:
            seen.append("reject")
    verdicts[case["name"]] = seen
print(json.dumps(verdicts))
"""


def _models(cases: list[Case], runner: Callable[[str, str], subprocess.CompletedProcess[str]]) -> dict[str, list[str]]:
    stdin = json.dumps([{"name": c.name, "schema": c.schema, "body": c.body} for c in cases])
    result = runner(MODELS_SCRIPT, stdin)
    assert result.returncode == 0, result.stderr
    verdicts: dict[str, list[str]] = json.loads(result.stdout)
    return verdicts


def _contract_checks(document: JsonObject, cases: list[Case]) -> Verdicts:
    """The contract tests' reading: schemathesis' response schema check, then ours in strict mode."""
    import requests
    import schemathesis
    from schemathesis.core.failures import FailureGroup
    from schemathesis.core.transport import Response

    from dms_smartconnect_contract.live.contract_tests import contract_conformance

    schema = schemathesis.openapi.from_dict(document)
    verdicts = {}
    for case in cases:
        operation = schema[PATHS[case.operation]]["GET"]
        prepared = requests.Request("GET", URLS[case.operation]).prepare()
        headers = {name.lower(): [value] for name, value in HEADERS.items()}
        response = Response(case.status, headers, orjson.dumps(case.body), prepared, elapsed=0.0, verify=True)
        try:
            operation.validate_response(response)
            contract_conformance(None, response, None)
            verdicts[case.name] = "conforming"
        except (AssertionError, FailureGroup):
            verdicts[case.name] = "violating"
    return verdicts


READINGS: dict[str, tuple[str, Callable[..., Verdicts]]] = {
    "validate body files": ("default", lambda d, c, f: _body_files(c, f, False)),
    "validate JSONL bare bodies": ("default", lambda d, c, f: _bare_jsonl(c, f, False)),
    "validate JSONL records": ("default", lambda d, c, f: _records(c, f, False)),
    "validate HAR entries": ("default", lambda d, c, f: _har(c, f, False)),
    "checker, jsonschema-rs": ("default", lambda d, c, f: _checker(d, c, False, "fast")),
    "checker, reference engine": ("default", lambda d, c, f: _checker(d, c, False, "reference")),
    "default export, python-jsonschema": ("default", lambda d, c, f: _export(c, "")),
    "default export, Ajv": ("default", lambda d, c, f: _ajv(c, "")),
    "validate --strict body files": ("strict", lambda d, c, f: _body_files(c, f, True)),
    "validate --strict JSONL bare bodies": ("strict", lambda d, c, f: _bare_jsonl(c, f, True)),
    "validate --strict JSONL records": ("strict", lambda d, c, f: _records(c, f, True)),
    "validate --strict HAR entries": ("strict", lambda d, c, f: _har(c, f, True)),
    "checker --strict, reference engine": ("strict", lambda d, c, f: _checker(d, c, True, "reference")),
    "strict export, python-jsonschema": ("strict", lambda d, c, f: _export(c, ".strict")),
    "strict export, Ajv": ("strict", lambda d, c, f: _ajv(c, ".strict")),
    "contract checks (schemathesis with ours)": ("strict", lambda d, c, f: _contract_checks(d, c)),
    "tolerant export, python-jsonschema": ("models", lambda d, c, f: _accepts(_export(c, ".tolerant"))),
    "tolerant export, Ajv": ("models", lambda d, c, f: _accepts(_ajv(c, ".tolerant"))),
    "TypeScript types, tsc": ("models", lambda d, c, f: _typescript(c, f)),
    "TypeScript validator modules, default": ("default", lambda d, c, f: _standalone(c, f, "default")),
    "TypeScript validator modules, strict": ("strict", lambda d, c, f: _standalone(c, f, "strict")),
    "TypeScript validator modules, tolerant": ("models", lambda d, c, f: _standalone(c, f, "tolerant")),
    "Go structs, encoding/json": ("models", lambda d, c, f: _go(c)),
}


# The readings that take each case for a bare body, with no capture to say it is one.
BARE_READINGS = {name for name in READINGS if "body files" in name or "bare bodies" in name}


@pytest.mark.parametrize("reading", READINGS)
def test_every_engine_gives_the_corpus_verdicts(
    document: JsonObject, cases: list[Case], reading: str, tmp_path: Path
) -> None:
    expected_reading, judge = READINGS[reading]
    assert {name for _, name in TYPE_LIMITS} <= {case.name for case in cases}, "a limit is shown by a case"
    verdicts = judge(document, cases, tmp_path)
    expected = {case.name: case.expect[expected_reading] for case in cases}
    if reading in BARE_READINGS:
        expected |= {case.name: case.expect["bare"] for case in cases if "bare" in case.expect}
    expected |= {name: verdict for (where, name), (verdict, _) in TYPE_LIMITS.items() if where == reading}
    wrong = {
        name: f"{verdicts.get(name)} (expected {want})" for name, want in expected.items() if verdicts.get(name) != want
    }
    assert wrong == {}, (
        f"{reading} disagrees with the {expected_reading} reading on {len(wrong)} of {len(cases)} bodies"
    )


def test_plain_python_jsonschema_differs_only_where_the_readme_says(cases: list[Case]) -> None:
    """Without the JSON Schema page's recipe python-jsonschema reads `$` as Python does: it accepts a final newline the
    contract's ECMA 262 patterns refuse, and nothing else differs. The exports use no other regex keyword."""
    for path in SCHEMAS.glob("*.schema.json"):
        assert '"patternProperties"' not in path.read_text(), path.name
    for suffix, reading in (("", "default"), (".strict", "strict")):
        plain = _export(cases, suffix, jsonschema.Draft202012Validator)
        differ = {case.name for case in cases if plain[case.name] != case.expect[reading]}
        newline = {case.name for case in cases if "newline" in case.name and case.expect[reading] == "violating"}
        assert newline and differ == newline, reading


# The Python models, held to the tolerant reading by the test below (they need fixtures READINGS' judges do not).
MODELS_READINGS = {
    "Python models, a folder copied beside pydantic": "models",
    "Python models, the wheel installed": "models",
}


@pytest.mark.parametrize("where", MODELS_READINGS)
def test_the_models_give_the_tolerant_verdicts(
    cases: list[Case], tmp_path: Path, where: str, request: pytest.FixtureRequest
) -> None:
    """The models, with pydantic alone, parsing JSON text and Python objects alike: they accept every body the
    default reading accepts, and reject every body with a wrong JSON type. So they do as a folder copied into a
    project and as the installed wheel of their own distribution."""
    if "wheel" in where:
        python = request.getfixturevalue("installed_models")
        verdicts = _models(cases, lambda script, stdin: run_installed(python, script, stdin))
    else:
        site = pydantic_alone_site(tmp_path)
        verdicts = _models(cases, lambda script, stdin: run_with_pydantic_alone(site, script, stdin))
    wrong = {
        case.name: verdicts[case.name]
        for case in cases
        if verdicts[case.name] != [case.expect["models"], case.expect["models"]]
    }
    assert wrong == {}


def test_validate_names_the_rule_each_case_breaks(cases: list[Case], tmp_path: Path) -> None:
    """Each case's expected finding is reported, at its weight: an error for a documented rule, else a warning
    naming the rule as inferred or as drift."""
    chosen = [case for case in cases if case.finding]
    log = tmp_path / "records.jsonl"
    records = [{"status": c.status, "url": URLS[c.operation], "headers": HEADERS, "body": c.body} for c in chosen]
    log.write_bytes(b"".join(orjson.dumps(record) + b"\n" for record in records))
    report = run("validate", "--format", "json", str(log)).json()
    for case, result in zip(chosen, report["results"], strict=True):
        found = {(v["rule"], v["pointer"]): v for v in result["violations"]}
        assert case.finding in found, (case.name, sorted(found))
        violation = found[case.finding]
        if case.expect["default"] == "violating":
            assert (violation["severity"], violation["provenance"]["kind"]) == ("error", "documented"), case.name
        else:
            assert violation["severity"] == "warning", case.name
            assert violation.get("drift") or violation["provenance"]["kind"] == "inferred", case.name


def test_an_operation_reading_exists_for_every_status_of_the_corpus(document: JsonObject, cases: list[Case]) -> None:
    documented = {
        (operation.operation_id, status) for operation in operations(document) for status in operation.responses
    }
    assert {(case.operation, str(case.status)) for case in cases} <= documented
    assert {case.operation for case in cases} == {operation.operation_id for operation in operations(document)}
