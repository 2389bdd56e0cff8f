"""Local checks where two versions' schemas differ (check/difference.py): given the first schema's verdict, they
give exactly the second schema's verdict, on the contract's body under real edits and on schemas built to reach
each way of descending (fields, items, allOf) and each way of stopping (names changed, prefixItems,
unevaluatedProperties)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dms_smartconnect_contract.check import Checker
from dms_smartconnect_contract.check.difference import Difference, local_checks
from dms_smartconnect_contract.check.schemas import SchemaValidator
from dms_smartconnect_contract.contract import JsonObject, default_reading, flatten_schema

Document = dict[str, Any]
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _agree(before: JsonObject, after: JsonObject, bodies: list[Any]) -> int:
    """Check every body both ways; how many the first schema rejects (so a test can say it saw both kinds)."""
    first, second = SchemaValidator(before, "fast").is_valid, SchemaValidator(after, "fast").is_valid
    difference = Difference(before, after, second, "fast")
    rejected = 0
    for body in bodies:
        if first(body):
            assert difference.given_accepted(body) == second(body), body
        else:
            rejected += 1
            assert difference.given_rejected(body) == second(body), body
    return rejected


def _schemas(document: Document) -> Document:
    schemas: Document = document["components"]["schemas"]
    return schemas


EDITS = {
    "enum value removed and one added": lambda d: (_schemas(d)["TaskStatus"]["enum"].remove("WAITING"),
                                                   _schemas(d)["TaskStatus"]["enum"].append("DELETING")),
    "field removed": lambda d: _schemas(d)["SmartConnectTaskEntity"]["properties"].pop("topics_regex"),
    "field made required": lambda d: _schemas(d)["SmartConnectTaskEntity"]["required"].append("topics_regex"),
    "type narrowed": lambda d: _schemas(d)["SmartConnectTaskEntity"]["properties"]["task_name"].update(
        type="integer"),
    "inferred rule documented": lambda d: _schemas(d)["MaskableUuid"]["x-provenance"].update(
        pattern={"documented": "reference"}),
    "length bound added": lambda d: _schemas(d)["SmartConnectTaskEntity"]["properties"]["task_name"].update(
        maxLength=12),
}  # fmt: skip

# Readings an edit leaves as they were: the strict one already held the inferred rule; the entity's `required` is
# inferred, so the default reading holds none of it.
UNCHANGED = {("inferred rule documented", "strict"), ("field made required", "default")}

BREAKS = [
    lambda b: b.update(status="WAITING"), lambda b: b.update(status="DELETING"), lambda b: b.update(status=7),
    lambda b: b.pop("task_name", None), lambda b: b.update(task_name=12345), lambda b: b.update(task_name="x" * 20),
    lambda b: b.update(topics_regex=None), lambda b: b.pop("topics_regex", None), lambda b: b.update(extra=1),
    lambda b: b.update(id="not-a-uuid"), lambda b: b.update(create_time="yesterday"),
]  # fmt: skip


@st.composite
def _bodies(draw: Any, examples: list[Any]) -> Any:
    body = copy.deepcopy(draw(st.sampled_from(examples)))
    for index in draw(st.lists(st.integers(0, len(BREAKS) - 1), max_size=4)):
        BREAKS[index](body)
    return body


@pytest.mark.parametrize("reading", ["strict", "default"])
@pytest.mark.parametrize("edit", EDITS)
def test_the_contracts_body_under_each_edit(
    document: Document, seed_example: Document, obs_example: Document, edit: str, reading: str
) -> None:
    head = copy.deepcopy(document)
    EDITS[edit](head)
    before, after = (Checker(version).bare_body_rules() for version in (document, head))
    assert before is not None and after is not None
    if reading == "strict":
        schemas = before.quick_schema, after.quick_schema
    else:
        schemas = flatten_schema(default_reading(before.schema)), flatten_schema(default_reading(after.schema))
    checks = local_checks(*schemas, "fast")
    assert checks is not None
    assert bool(checks) != ((edit, reading) in UNCHANGED), "the checks see the difference the edit makes"

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(bodies=st.lists(_bodies([seed_example, obs_example]), min_size=1, max_size=20))
    def agree(bodies: list[Any]) -> None:
        _agree(*schemas, bodies)

    agree()


NESTED = {
    "$schema": DIALECT, "type": "object", "additionalProperties": False,
    "properties": {
        "tasks": {"type": "array", "items": {"type": "object", "properties": {
            "status": {"enum": ["A", "B"]}, "size": {"type": "integer", "maximum": 10}}}},
        "name": {"allOf": [{"type": "string"}, {"maxLength": 5}]},
    },
}  # fmt: skip


def _edited(change: Any) -> JsonObject:
    schema = copy.deepcopy(NESTED)
    change(schema)
    return schema


SHAPES = {
    "an item's field": (lambda s: s["properties"]["tasks"]["items"]["properties"]["status"].update(enum=["A"]),
                        [("tasks", None, "status")]),
    "a member of allOf": (lambda s: s["properties"]["name"]["allOf"][1].update(maxLength=2), [("name",)]),
    "a field added (the names change)": (lambda s: s["properties"].update(extra={"type": "integer"}), [()]),
    "prefixItems beside items": (lambda s: s["properties"]["tasks"].update(prefixItems=[{"type": "object"}]),
                                 [("tasks",)]),
    "a member added to allOf": (lambda s: s["properties"]["name"]["allOf"].append({"minLength": 3}), [("name",)]),
}  # fmt: skip
PREFIXED = lambda s: s["properties"]["tasks"].update(prefixItems=[{"type": "object"}])  # noqa: E731
BODIES = [
    {}, {"tasks": []}, {"tasks": [{"status": "A"}, {"status": "B"}]}, {"tasks": [{"status": "C", "size": 11}]},
    {"tasks": "none"}, {"tasks": [1, {"status": "B"}]}, {"name": "abc"}, {"name": "abcdef"}, {"name": 3},
    {"extra": 1}, {"extra": "x"}, {"tasks": [{"size": 3}], "name": "ab"}, [], "text",
]  # fmt: skip


@pytest.mark.parametrize("shape", SHAPES)
def test_each_way_of_descending_and_of_stopping(shape: str) -> None:
    change, places = SHAPES[shape]
    after = _edited(change)
    checks = local_checks(NESTED, after, "fast")
    assert checks is not None and [check.place for check in checks] == places
    assert _agree(NESTED, after, BODIES) > 0  # bodies the first rejects were checked too


def test_items_after_prefix_items_are_checked_with_the_array() -> None:
    """`items` applies only past the `prefixItems`: a change of it is checked on the whole array."""
    before = _edited(PREFIXED)
    after = _edited(lambda s: (PREFIXED(s), s["properties"]["tasks"]["items"]["properties"]["status"].update(
        enum=["A"])))  # fmt: skip
    checks = local_checks(before, after, "fast")
    assert checks is not None and [check.place for check in checks] == [("tasks",)]
    assert _agree(before, after, [*BODIES, {"tasks": [{"status": "B"}]}, {"tasks": [{}, {"status": "B"}]}]) > 0


def test_a_keyword_that_judges_beyond_its_place_means_the_whole_schema_is_checked() -> None:
    after = _edited(lambda s: s.update(unevaluatedProperties=False))
    assert local_checks(NESTED, after, "fast") is None
    _agree(NESTED, after, BODIES)


def test_the_same_schema_needs_no_check() -> None:
    assert local_checks(NESTED, copy.deepcopy(NESTED), "fast") == []
    _agree(NESTED, copy.deepcopy(NESTED), BODIES)
