"""Shared fixtures: the contract as written, and its examples."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from dms_smartconnect_contract.contract import JsonObject, find_operation, read_document

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT / "openapi.yaml"
OPERATION_PATH = "/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}"
LIST_PATH = "/v2/{project_id}/instances/{instance_id}/connector/tasks"


@pytest.fixture(scope="session")
def document() -> JsonObject:
    return read_document(CONTRACT)


@pytest.fixture
def fresh_document(document: JsonObject) -> JsonObject:
    """A copy a test may change."""
    return copy.deepcopy(document)


def response_examples(document: JsonObject, status: str = "200", path: str = OPERATION_PATH) -> dict[str, Any]:
    """The named examples of a response of an operation (the detail unless said), by name."""
    operation = document["paths"][path]["get"]
    response = operation["responses"][status]
    if "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return {name: example["value"] for name, example in response["content"]["application/json"]["examples"].items()}


@pytest.fixture(scope="session")
def seed_example(document: JsonObject) -> JsonObject:
    return response_examples(document)["kafkaReplicatorSource"]


@pytest.fixture(scope="session")
def obs_example(document: JsonObject) -> JsonObject:
    return response_examples(document)["obsSink"]


@pytest.fixture(scope="session")
def operation(document: JsonObject):  # type: ignore[no-untyped-def]
    return find_operation(document, "ShowConnectorTask")


@pytest.fixture(scope="session")
def installed_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The interpreter of a new virtual environment holding the models wheel and what it depends on, nothing else."""
    from isolated import installed_models

    return installed_models(tmp_path_factory.mktemp("models-wheel"))
