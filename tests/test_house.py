"""One house for every operation: the package names no operation, path or field of the contract (the contract,
generated/, the tests and the reference server's bundled data do), and an operation added to the contract is
judged, linted, listed and covered with no code changed."""

from __future__ import annotations

import ast
import copy
import json
from pathlib import Path
from typing import Any

import yaml

from dms_smartconnect_contract.contract import JsonObject, operations

from clirunner import run
from conftest import ROOT

PACKAGE = ROOT / "validators" / "dms_smartconnect_contract"
# The server's bundled data: what it knows of this API is there, by design.
BUNDLED_DATA = {PACKAGE / "live" / "reference_data.py"}
# Names that are also the vocabulary of the formats the toolkit reads and writes, not only of the contract.
FORMAT_WORDS = {
    "status": "HAR 1.2's response.status, the JSONL record's status, an ASGI message's status",
    "id": "a SARIF rule's id",
}


def _schema_fields(node: Any, found: set[str]) -> set[str]:
    """The field names a schema documents, anywhere in it (x- extensions aside)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key.startswith("x-"):
                continue
            if key == "properties" and isinstance(value, dict):
                found.update(value)
                for sub in value.values():
                    _schema_fields(sub, found)
            else:
                _schema_fields(value, found)
    elif isinstance(node, list):
        for value in node:
            _schema_fields(value, found)
    return found


def contract_names(document: JsonObject) -> set[str]:
    """Every operation ID, path template, parameter name and schema field name of the contract."""
    names: set[str] = set()
    for operation in operations(document):
        names |= {operation.operation_id, operation.path, *operation.parameters, *operation.query}
    return names | _schema_fields(document.get("components", {}).get("schemas", {}), set())


def _string_literals(path: Path) -> list[tuple[int, str]]:
    """The string constants of a module that are not docstrings (prose may describe the API; code may not name
    it)."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_the_package_names_no_operation_path_or_field_of_the_contract(document: JsonObject) -> None:
    names = contract_names(document) - set(FORMAT_WORDS)
    paths = [name for name in names if name.startswith("/")]
    assert {"ShowConnectorTask", "ListConnectorTasks", "create_time", "task_id", "total_number"} <= names
    found = []
    for module in sorted(PACKAGE.rglob("*.py")):
        if module in BUNDLED_DATA:
            continue
        for line, text in _string_literals(module):
            if text in names or any(path in text for path in paths):
                found.append(f"{module.relative_to(ROOT)}:{line}: {text!r}")
    assert found == []


def test_the_scan_finds_a_name_written_in_code(tmp_path: Path, document: JsonObject) -> None:
    """The scan above can fail: a module that names a field is found."""
    module = tmp_path / "leak.py"
    module.write_text('"""A docstring may say create_time."""\n\nFIELD = "create_time"\n')
    names = contract_names(document)
    assert [text for _, text in _string_literals(module) if text in names] == ["create_time"]


def _with_a_third_operation(tmp_path: Path) -> Path:
    """The contract with one more read operation (an instance's quota, a made-up call): a new path, a new body
    schema with a documented and an inferred rule, and the shared error responses."""
    document = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    document["paths"]["/v2/{project_id}/instances/{instance_id}/connector/quota"] = {
        "get": {
            "operationId": "ShowConnectorQuota",
            "x-provenance": {
                "responses": {"documented": "reference"},
                "content": {"documented": "reference"},
                "security": {"documented": "reference"},
            },
            "parameters": copy.deepcopy(
                document["paths"]["/v2/{project_id}/instances/{instance_id}/connector/tasks"]["get"]["parameters"][:2]
            ),
            "responses": {
                "200": {
                    "description": "Successful.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/QuotaResponse"}}},
                },
                "404": {"$ref": "#/components/responses/NotFound"},
            },
        }
    }
    document["components"]["schemas"]["QuotaResponse"] = {
        "type": "object",
        "x-provenance": {"type": {"documented": "reference"}, "properties": {"documented": "reference"}},
        "properties": {
            "used": {
                "type": "integer",
                "minimum": 0,
                "x-provenance": {"type": {"documented": "reference"}, "minimum": {"inferred": "a count"}},
            }
        },
    }
    path = tmp_path / "contract.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def test_an_operation_added_to_the_contract_needs_no_code(tmp_path: Path) -> None:
    contract = _with_a_third_operation(tmp_path)
    lint = run("lint", str(contract))
    assert lint.code == 0 and "operation     ShowConnectorQuota: GET" in lint.out
    rules = run("rules", "--format", "json", "--contract", str(contract)).json()
    assert any(rule["where"].startswith("QuotaResponse") and rule["kind"] == "inferred" for rule in rules)
    base = (
        "https://dms.cn-north-4.myhuaweicloud.com/v2/a4a5d4098fb4474fa22cd05f897d6b99/instances/"
        "59f6d088-2b1e-4c55-9a43-5d3c2f1e0a77"
    )
    records = [
        {"method": "GET", "url": f"{base}/connector/quota", "status": 200, "body": {"used": "three"}},
        {"method": "GET", "url": f"{base}/connector/quota", "status": 200, "body": {"used": -1}},
        {"method": "GET", "url": f"{base}/connector/quota", "status": 404, "body": {"error_code": "DMS.00404022"}},
    ]
    log = tmp_path / "quota.jsonl"
    log.write_text("".join(json.dumps(record) + "\n" for record in records))
    report = run("validate", "--format", "json", "--coverage", "--contract", str(contract), str(log)).json()
    assert [(r["operation"], r["outcome"]) for r in report["results"]] == [
        ("ShowConnectorQuota", "violating"),  # a wrong type: documented
        ("ShowConnectorQuota", "conforming"),  # below an inferred bound: a warning
        ("ShowConnectorQuota", "conforming"),  # an error body without its message: an inferred rule
    ]
    assert report["coverage"]["operations"]["ShowConnectorQuota"]["statuses"] == {"200": 2, "404": 1}
    strict = run("validate", "--format", "json", "--strict", "--contract", str(contract), str(log)).json()
    assert [r["outcome"] for r in strict["results"]] == ["violating", "violating", "violating"]
    junit = run("validate", "--format", "junit", "--contract", str(contract), str(log)).out
    assert 'classname="ShowConnectorQuota"' in junit


def test_an_exchange_goes_to_the_most_specific_operation_of_its_method_and_path(document: JsonObject) -> None:
    """Routing, as OpenAPI says: a literal segment wins over a parameter; another method on a known path, another
    path, and a path two operations share with no method recorded are each said."""
    from dms_smartconnect_contract.contract.operations import AMBIGUOUS, OTHER_METHOD, OTHER_PATH

    changed = copy.deepcopy(document)
    detail = changed["paths"]["/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}"]
    changed["paths"]["/v2/{project_id}/instances/{instance_id}/connector/tasks/summary"] = {
        "get": {**copy.deepcopy(detail["get"]), "operationId": "Summary"}
    }
    changed["paths"]["/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}"]["put"] = {
        **copy.deepcopy(detail["get"]),
        "operationId": "Change",
    }
    found = operations(changed)
    base = "/stage/v2/a4a5d4098fb4474fa22cd05f897d6b99/instances/59f6d088-2b1e-4c55-9a43-5d3c2f1e0a77/connector/tasks"
    assert found.route("GET", f"{base}/summary").operation_id == "Summary"  # type: ignore[union-attr]
    assert found.route("GET", f"{base}/7").operation_id == "ShowConnectorTask"  # type: ignore[union-attr]
    assert found.route("get", f"{base}/7/").operation_id == "ShowConnectorTask"  # type: ignore[union-attr]
    assert found.route("PUT", f"{base}/7").operation_id == "Change"  # type: ignore[union-attr]
    assert found.route("GET", base).operation_id == "ListConnectorTasks"  # type: ignore[union-attr]
    assert found.route("DELETE", f"{base}/7") == OTHER_METHOD
    assert found.route("GET", f"{base}/7/pause") == OTHER_PATH
    assert found.route(None, f"{base}/7") == AMBIGUOUS  # GET or PUT: the capture does not say
    assert found.route(None, f"{base}/summary").operation_id == "Summary"  # type: ignore[union-attr]


def test_lint_holds_every_operation_to_its_provenance(tmp_path: Path) -> None:
    """An operation's own rules (its statuses and media types) need their provenance as the first one's do."""
    contract = _with_a_third_operation(tmp_path)
    document = yaml.safe_load(contract.read_text())
    del document["paths"]["/v2/{project_id}/instances/{instance_id}/connector/quota"]["get"]["x-provenance"]
    contract.write_text(yaml.safe_dump(document, sort_keys=False))
    lint = run("lint", str(contract))
    assert lint.code == 1
    assert "connector~1quota/get/responses: the rule 'responses' says nowhere where it comes from" in lint.out


def test_the_public_import_paths_keep_working() -> None:
    """What users write stays valid after the move into layers: the assertions, the capture hook, the plugin."""
    from importlib.metadata import entry_points

    from dms_smartconnect_contract.capture import JsonlRecorder
    from dms_smartconnect_contract.integrations import capture, pytest_plugin, testing
    from dms_smartconnect_contract.pytest_plugin import smartconnect
    from dms_smartconnect_contract.testing import ContractViolation, assert_conforms, judge

    assert (assert_conforms, judge, ContractViolation) == (
        testing.assert_conforms,
        testing.judge,
        testing.ContractViolation,
    )
    assert JsonlRecorder is capture.JsonlRecorder and smartconnect is pytest_plugin.smartconnect
    (plugin,) = [point for point in entry_points(group="pytest11") if point.name == "smartconnect"]
    assert plugin.load() is pytest_plugin


def test_the_contract_command_takes_a_flag_per_path_parameter_of_the_contract() -> None:
    result = run("contract", "--url", "http://127.0.0.1:9", "--task-idd", "x")
    assert result.code == 2
    assert "path parameters of the contract: --instance-id, --project-id, --task-id" in result.err
    assert run("validate", "--task-id", "x", str(ROOT / "samples")).code == 2  # only `contract` takes them
