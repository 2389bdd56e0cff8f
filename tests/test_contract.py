"""The contract document: valid OpenAPI, every example valid, every seed fact present, the rules it states."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest

from dms_smartconnect_contract.contract import JsonObject, bundle_schema, close_schema, resolve
from dms_smartconnect_contract.contract.lint import iter_examples, lint_document
from dms_smartconnect_contract.contract.provenance import iter_constraints, provenance_problems

from clirunner import run
from conftest import CONTRACT
from seed_facts import PATH_PARAMETERS, RESPONSE_FIELDS

SEED_TYPES: dict[str, dict[str, Any]] = {
    "String": {"type": "string"},
    "Integer": {"type": "integer"},
    "Long": {"type": "integer", "format": "int64"},
    "Boolean": {"type": "boolean"},
}


def test_contract_is_valid_openapi_with_valid_examples(document: JsonObject) -> None:
    assert document["openapi"].startswith("3.1.")
    assert lint_document(document) == []


def test_examples_cover_parameters_responses_and_errors(document: JsonObject) -> None:
    pointers = [example.pointer for example in iter_examples(document)]
    assert len(pointers) >= 10
    for fragment in ("/parameters/ProjectId/", "/responses/200/", "/responses/NotFound/", "/responses/Unauthorized/"):
        assert any(fragment in pointer for pointer in pointers), fragment


def test_lint_reports_an_example_that_breaks_its_schema(fresh_document: JsonObject) -> None:
    media = fresh_document["paths"]["/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}"]["get"]
    media["responses"]["200"]["content"]["application/json"]["examples"]["obsSink"]["value"]["create_time"] = "soon"
    problems = lint_document(fresh_document)
    # The list's example lists the detail's examples (one YAML anchor): the same bad value is reported in both.
    assert [problem.pointer.rsplit("/examples/", 1)[1] for problem in problems] == ["obsSink/value", "twoTasks/value"]
    assert "/create_time" in problems[0].message and "/tasks/1/create_time" in problems[1].message


def test_lint_reports_an_invalid_document(fresh_document: JsonObject) -> None:
    del fresh_document["info"]
    problems = lint_document(fresh_document)
    assert problems and "not a valid OpenAPI document" in problems[0].message


def test_operation_identity(document: JsonObject, operation: Any) -> None:
    assert operation.operation_id == "ShowConnectorTask"
    assert operation.method == "GET"
    assert operation.path == "/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}"
    assert set(operation.responses) == {"200", "400", "401", "403", "404", "500"}
    for response in operation.responses.values():
        assert list(response.media_types) == ["application/json"]
        assert response.headers["x-request-id"]["required"] is True


@pytest.mark.parametrize(("name", "seed_type", "description"), PATH_PARAMETERS)
def test_seed_path_parameter(document: JsonObject, name: str, seed_type: str, description: str) -> None:
    params = [resolve(document, p) for p in document["components"]["parameters"].values()]
    (param,) = [p for p in params if p["name"] == name]
    assert param["in"] == "path"
    assert param["required"] is True
    assert param["schema"]["type"] == SEED_TYPES[seed_type]["type"]
    assert param["description"].startswith(description)


def _field_types(document: JsonObject, schema: Any) -> set[str]:
    """The JSON types a property admits, following refs and anyOf."""
    schema = resolve(document, {"$ref": schema["$ref"]}) if "$ref" in schema else schema
    types = schema.get("type")
    found = set(types) if isinstance(types, list) else {types} if types else set()
    for alternative in schema.get("anyOf", []):
        found |= _field_types(document, alternative)
    return found


@pytest.mark.parametrize(("schema_name", "field", "seed_type", "description"), RESPONSE_FIELDS)
def test_seed_response_field(
    document: JsonObject, schema_name: str, field: str, seed_type: str, description: str
) -> None:
    prop = document["components"]["schemas"][schema_name]["properties"][field]
    assert prop["description"].startswith(description)
    if seed_type in SEED_TYPES:
        expected = SEED_TYPES[seed_type]
        assert _field_types(document, prop) == {expected["type"]}
        if "format" in expected:
            assert prop["format"] == expected["format"]
    else:
        assert prop == {"$ref": f"#/components/schemas/{seed_type}", "description": prop["description"]}


def test_every_documented_field_is_in_the_seed(document: JsonObject) -> None:
    """The contract adds no response field the seed page does not have."""
    seeded = {(schema, field) for schema, field, _, _ in RESPONSE_FIELDS}
    for schema_name in {schema for schema, _ in seeded}:
        for field in document["components"]["schemas"][schema_name]["properties"]:
            assert (schema_name, field) in seeded


# --- the rules the schema states, on variations of the seed's example ------------------------------------------


def _validator(document: JsonObject, closed: bool = False) -> jsonschema.Draft202012Validator:
    schema = bundle_schema(document, document["components"]["schemas"]["SmartConnectTaskEntity"])
    if closed:
        schema = close_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _vary(example: JsonObject, **changes: Any) -> JsonObject:
    body = copy.deepcopy(example)
    for key, value in changes.items():
        if value is ...:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def test_seed_example_is_the_model_case(document: JsonObject, seed_example: JsonObject) -> None:
    assert seed_example["sink_type"] == "NONE" and seed_example["sink_task"] is None
    assert seed_example["id"] == "194917d0-****-****-****-********"
    assert _validator(document, closed=True).is_valid(seed_example)


VIOLATIONS = {
    "kafka source without its configuration": {"source_task": ...},
    "kafka source with a null configuration": {"source_task": None},
    "no source but a configuration": {"source_type": "NONE"},
    "obs sink without its configuration": {"sink_type": "OBS_SINK"},
    "no sink but a configuration": {"sink_task": {"obs_path": "x"}},
    "neither topics nor topics_regex": {"topics": ...},
    "create_time in seconds": {"create_time": 1708427753},
    "create_time as a string": {"create_time": "1708427753133"},
    "id that is no UUID": {"id": "task-1"},
    "status missing": {"status": ...},
    "status of the wrong type": {"status": 1},
}


@pytest.mark.parametrize("case", VIOLATIONS)
def test_schema_rejects(document: JsonObject, seed_example: JsonObject, case: str) -> None:
    body = _vary(seed_example, **VIOLATIONS[case])
    assert not _validator(document).is_valid(body)


ACCEPTED = {
    "source configuration absent when NONE": {"source_type": "NONE", "source_task": ..., "sink_type": "NONE"},
    "topics_regex instead of topics": {"topics": ..., "topics_regex": "^t-.*$"},
    "unmasked id": {"id": "194917d0-8c1b-4f1e-b3a2-6e0d9f4c2a15"},
}


@pytest.mark.parametrize("case", ACCEPTED)
def test_schema_accepts(document: JsonObject, seed_example: JsonObject, case: str) -> None:
    body = _vary(seed_example, **ACCEPTED[case])
    assert _validator(document, closed=True).is_valid(body)


@pytest.mark.parametrize(
    "change",
    [{"status": "DELETING"}, {"brand_new_field": 1}],
    ids=["unknown enum value", "undocumented field"],
)
def test_drift_passes_the_open_contract_and_fails_the_closed_one(
    document: JsonObject, seed_example: JsonObject, change: JsonObject
) -> None:
    body = _vary(seed_example, **change)
    assert _validator(document).is_valid(body)
    assert not _validator(document, closed=True).is_valid(body)


def test_drift_inside_a_nested_configuration(document: JsonObject, seed_example: JsonObject) -> None:
    body = copy.deepcopy(seed_example)
    body["source_task"]["compression_type"] = "brotli"
    assert _validator(document).is_valid(body)
    assert not _validator(document, closed=True).is_valid(body)


def test_conditional_rules_stay_in_the_closed_contract(document: JsonObject, seed_example: JsonObject) -> None:
    """Closing must not touch the if/then sub-schemas, or every conditional would reject real bodies."""
    body = _vary(seed_example, source_task=None)
    assert not _validator(document, closed=True).is_valid(body)


# --- provenance: every rule says where it comes from ---------------------------------------------------------------


def test_every_rule_of_the_contract_says_where_it_comes_from(document: JsonObject) -> None:
    """Lists every constraint of the contract; each one is documented (with known sources) or inferred (with its
    evidence). A rule added without provenance fails here, naming the rule."""
    constraints = list(iter_constraints(document))
    missing = [f"{c.pointer}/{c.keyword}" for c in constraints if c.provenance is None]
    assert missing == []
    assert provenance_problems(document) == []
    kinds = {c.provenance.kind for c in constraints if c.provenance}
    assert kinds == {"documented", "inferred"}
    # The rules the issue names, at the provenance the sources give them.
    by_place = {(c.pointer.rsplit("/", 1)[-1], c.keyword): c.provenance.kind for c in constraints if c.provenance}
    assert by_place["create_time", "type"] == "documented"
    assert by_place["TaskStatus", "enum"] == "documented"
    assert by_place["SmartConnectTaskEntity", "required"] == "inferred"
    assert by_place["MaskableUuid", "pattern"] == "inferred"
    assert by_place["deliver_time_interval", "minimum"] == "inferred"
    assert by_place["X-Request-Id", "required"] == "inferred"


def test_a_rule_without_provenance_is_named(fresh_document: JsonObject) -> None:
    create_time = fresh_document["components"]["schemas"]["SmartConnectTaskEntity"]["properties"]["create_time"]
    del create_time["x-provenance"]["minimum"]
    create_time["maximum"] = 9999999999999
    create_time["x-provenance"]["type"] = {"documented": "a-blog-post"}
    problems = dict(provenance_problems(fresh_document))
    where = "/components/schemas/SmartConnectTaskEntity/properties/create_time"
    assert "says nowhere where it comes from" in problems[f"{where}/minimum"]
    assert "says nowhere where it comes from" in problems[f"{where}/maximum"]
    assert "unknown source(s) a-blog-post" in problems[f"{where}/type"]
    assert any(p.pointer == f"{where}/maximum" for p in lint_document(fresh_document))


def test_provenance_entries_are_well_formed_and_current(fresh_document: JsonObject) -> None:
    schemas = fresh_document["components"]["schemas"]
    schemas["TaskStatus"]["x-provenance"]["maxLength"] = {"inferred": "left over"}
    schemas["SinkType"]["x-provenance"]["enum"] = {"documented": []}
    problems = provenance_problems(fresh_document)
    assert ("/components/schemas/TaskStatus/x-provenance/maxLength", "names 'maxLength', which this node lacks") in (
        problems
    )
    assert (
        "/components/schemas/SinkType/x-provenance/enum",
        "x-provenance entry must be {documented: source(s)} or {inferred: evidence}",
    ) in problems


def test_shown_fields_rules_name_every_documented_field(document: JsonObject) -> None:
    """The documented "displayed only when" rules list the configuration's fields; the lists must stay complete."""
    schemas = document["components"]["schemas"]
    rules = schemas["SmartConnectTaskEntity"]["allOf"]
    for side, config in (
        ("source_task", "SmartConnectTaskRespSourceConfig"),
        ("sink_task", "SmartConnectTaskRespSinkConfig"),
    ):
        listed = [
            rule["then"]["properties"][side]["propertyNames"]["not"]["enum"]
            for rule in rules
            if "propertyNames" in rule["then"].get("properties", {}).get(side, {})
        ]
        assert listed == [list(schemas[config]["properties"])], side


def test_rules_command_lists_every_rule_with_its_provenance(document: JsonObject) -> None:
    result = run("rules", "--format", "json", "--contract", str(CONTRACT))
    assert result.code == 0
    listed = result.json()
    assert len(listed) == len(list(iter_constraints(document)))
    inferred = [rule for rule in listed if rule["kind"] == "inferred"]
    assert inferred and all(rule["evidence"] for rule in inferred)
    assert all(rule["sources"] for rule in listed if rule["kind"] == "documented")
    text = run("rules", "--contract", str(CONTRACT)).out
    assert "inferred" in text and "documented: reference" in text


# --- the one follower of references --------------------------------------------------------------------------------


def test_references_are_followed_one_way_and_cycles_are_named() -> None:
    from dms_smartconnect_contract.contract import ContractError, lookup, target

    root = {
        "$defs": {"a b": {"type": "string"}, "Loop": {"$ref": "#/$defs/Back"}, "Back": {"$ref": "#/$defs/Loop"}},
        "alias": {"description": "renames", "allOf": [{"$ref": "#/$defs/a%20b"}]},
    }
    assert lookup(root, "#/$defs/a%20b") == {"type": "string"}  # the fragment is a URI fragment: percent-decoded
    assert resolve(root, root["alias"]) == {"type": "string"}  # an alias is followed as its reference
    with pytest.raises(ContractError, match=r"\$ref cycle: #/\$defs/Back -> #/\$defs/Loop -> #/\$defs/Back"):
        target(root, {"$ref": "#/$defs/Back"})
    with pytest.raises(ContractError, match="only references inside the document"):
        lookup(root, "https://example.com/schema.json")
    with pytest.raises(ContractError, match="points at nothing"):
        lookup(root, "#/$defs/Missing")
