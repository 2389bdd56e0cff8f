"""Where each rule of the contract comes from: the `x-provenance` maps of `openapi.yaml`, read and checked.

A schema node says, for each constraint keyword it holds, whether the rule is documented (with the sources, named as
in the document's top-level `x-sources`) or inferred (with its evidence in words). A conditional rule (`if` with its
`then`) is one rule, keyed `if`. The operation says where its statuses (`responses`) and media types (`content`)
come from, and a response header where its `required` comes from.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from .document import POINTER_EXTENSION, ContractError, JsonObject, resolve
from .formats import STATED_BY
from .operations import operations
from .pointers import escape
from .walk import walk

EXTENSION = "x-provenance"
Kind = Literal["documented", "inferred", "toolkit"]
MALFORMED = "x-provenance entry must be {documented: source(s)} or {inferred: evidence}"

# Keywords that assert something about an instance, each one a rule with its own provenance. `properties` stands for
# the list of documented fields, which the strict reading closes (an undocumented field is drift).
CONSTRAINT_KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "const",
        "pattern",
        "format",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
        "required",
        "additionalProperties",
        "propertyNames",
        "dependentRequired",
        "dependentSchemas",
        "properties",
        "not",
        "if",
        "contains",
    }
)
# The operation's own rules: the statuses it answers (`responses`), the media types of its bodies (`content`) and
# the credentials its requests carry (`security`, which it may take from the document's top level).
OPERATION_RULES = ("responses", "content", "security")
# Sub-schemas that belong to the rule holding them: their keywords are not rules of their own.
RULE_BODIES = frozenset({"if", "then", "else", "not"})
# Sub-schemas that apply to the same or nested values: their keywords are rules of their own.
_APPLICATORS_MAP = ("properties", "patternProperties", "$defs", "dependentSchemas")
_APPLICATORS_ONE = ("items", "additionalProperties", "contains", "propertyNames", "unevaluatedProperties")
_APPLICATORS_LIST = ("allOf", "anyOf", "oneOf", "prefixItems")


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a rule comes from: documented by sources, inferred from evidence, or a limit of this toolkit."""

    kind: Kind
    sources: tuple[str, ...] = ()
    evidence: str = ""
    # The JSON pointer in the document of the keyword that states the rule ("" where it is not known): not part of
    # what a rule is, so two equal rules stated in two places compare equal.
    at: str = field(default="", compare=False)

    @property
    def label(self) -> str:
        """Short form for reports: `documented: reference, sdk-response`, `inferred`, `toolkit`."""
        return f"{self.kind}: {', '.join(self.sources)}" if self.sources else self.kind

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        if self.sources:
            out["sources"] = list(self.sources)
        if self.evidence:
            out["evidence"] = self.evidence
        return out


def parse(entry: Any, where: str, at: str = "") -> Provenance:
    """One `x-provenance` entry: `{documented: source | [sources]}` or `{inferred: evidence}`; `at`, the pointer of
    the keyword it is the provenance of."""
    if isinstance(entry, dict) and set(entry) == {"documented"}:
        sources = entry["documented"]
        sources = [sources] if isinstance(sources, str) else sources
        if isinstance(sources, list) and sources and all(isinstance(s, str) and s for s in sources):
            return Provenance("documented", tuple(sources), at=at)
    if isinstance(entry, dict) and set(entry) == {"inferred"}:
        evidence = entry["inferred"]
        if isinstance(evidence, str) and evidence.strip():
            return Provenance("inferred", (), evidence.strip(), at=at)
    raise ContractError(f"{where}: {MALFORMED}")


def _entry(node: Any, keyword: str) -> Any:
    table = node.get(EXTENSION) if isinstance(node, dict) else None
    return table.get(keyword) if isinstance(table, dict) else None


def of(node: Any, keyword: str) -> Provenance | None:
    """The provenance a schema node (or header, or operation) states for one of its keywords, if any."""
    table = node.get(EXTENSION) if isinstance(node, dict) else None
    if not isinstance(table, dict) or keyword not in table:
        return None
    holder = node.get(POINTER_EXTENSION)  # a bundled node: where it stands in the document
    stating = (node.get(STATED_BY) or {}).get(keyword, keyword)  # a derived rule points at what states it
    return parse(table[keyword], keyword, f"{holder}/{escape(stating)}" if isinstance(holder, str) else "")


@dataclass(frozen=True)
class Constraint:
    """One rule of the contract: a keyword at a place in the document, and where it comes from."""

    pointer: str  # JSON pointer into the document, to the node holding the keyword
    keyword: str
    value: Any
    entry: Any  # the x-provenance entry as written; None when there is none

    @property
    def provenance(self) -> Provenance | None:
        """The parsed entry; raises ContractError when it is malformed."""
        where = f"{self.pointer}/{EXTENSION}/{self.keyword}"
        return None if self.entry is None else parse(self.entry, where, f"{self.pointer}/{escape(self.keyword)}")


def iter_schema_constraints(schema: Any, pointer: str) -> Iterator[Constraint]:
    """Every constraint keyword of a schema and of the sub-schemas that apply to values, in document order."""
    if not isinstance(schema, dict):
        return
    found = schema.get(EXTENSION)
    table: JsonObject = found if isinstance(found, dict) else {}
    for keyword, value in schema.items():
        if keyword in CONSTRAINT_KEYWORDS and not (keyword == "properties" and not value):
            yield Constraint(pointer, keyword, value, table.get(keyword))
    for keyword in _APPLICATORS_MAP:
        members = schema.get(keyword)
        if isinstance(members, dict):
            for name, sub in members.items():
                yield from iter_schema_constraints(sub, f"{pointer}/{keyword}/{escape(name)}")
    for keyword in _APPLICATORS_ONE:
        if isinstance(schema.get(keyword), dict):
            yield from iter_schema_constraints(schema[keyword], f"{pointer}/{keyword}")
    for keyword in _APPLICATORS_LIST:
        if isinstance(schema.get(keyword), list):
            for index, sub in enumerate(schema[keyword]):
                yield from iter_schema_constraints(sub, f"{pointer}/{keyword}/{index}")


def iter_constraints(document: JsonObject) -> Iterator[Constraint]:
    """Every rule of the contract: each operation's statuses, media types and security and its inline parameters' schemas,
    then the components: parameters' schemas, response headers (presence and schema) and every schema."""
    for operation in operations(document):
        item = document["paths"][operation.path]
        op = operation.raw
        media_types = sorted({media for response in operation.responses.values() for media in response.media_types})
        yield Constraint(operation.pointer, "responses", sorted(operation.responses), _entry(op, "responses"))
        yield Constraint(operation.pointer, "content", media_types, _entry(op, "content"))
        if operation.security:
            schemes = sorted({name for alternative in operation.security for _, name in alternative})
            yield Constraint(operation.pointer, "security", schemes, _entry(op, "security"))
        # Inline parameters of the operation, where they are not references to components.
        for index, raw in enumerate(item.get("parameters", [])):
            if "$ref" not in raw:
                pointer = f"/paths/{escape(operation.path)}/parameters/{index}/schema"
                yield from iter_schema_constraints(resolve(document, raw).get("schema"), pointer)
        for index, raw in enumerate(op.get("parameters", [])):
            if "$ref" not in raw:
                pointer = f"{operation.pointer}/parameters/{index}/schema"
                yield from iter_schema_constraints(resolve(document, raw).get("schema"), pointer)
    components = document.get("components", {})
    for name, param in components.get("parameters", {}).items():
        yield from iter_schema_constraints(param.get("schema"), f"/components/parameters/{escape(name)}/schema")
    for name, header in components.get("headers", {}).items():
        pointer = f"/components/headers/{escape(name)}"
        if header.get("required"):
            yield Constraint(pointer, "required", True, _entry(header, "required"))
        yield from iter_schema_constraints(header.get("schema"), f"{pointer}/schema")
    for name, schema in components.get("schemas", {}).items():
        yield from iter_schema_constraints(schema, f"/components/schemas/{escape(name)}")


def provenance_problems(document: JsonObject) -> list[tuple[str, str]]:
    """(pointer, message) for every rule without provenance, every entry naming an unknown source or no keyword of
    its node, and every inferred rule placed where stripping it would change another rule's meaning."""
    sources = document.get("x-sources")
    known = set(sources) if isinstance(sources, dict) else set()
    problems: list[tuple[str, str]] = []
    if not known:
        problems.append(("/x-sources", "the document lists no sources (x-sources)"))
    for constraint in iter_constraints(document):
        where = f"{constraint.pointer}/{constraint.keyword}"
        if constraint.entry is None:
            problems.append((where, f"the rule '{constraint.keyword}' says nowhere where it comes from ({EXTENSION})"))
            continue
        try:
            found = constraint.provenance
        except ContractError:
            problems.append((f"{constraint.pointer}/{EXTENSION}/{constraint.keyword}", MALFORMED))
            continue
        if found and (unknown := [s for s in found.sources if s not in known]):
            problems.append((where, f"unknown source(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"))
    for visit in walk(document, skip=frozenset({EXTENSION})):
        node = visit.node
        if not isinstance(node.get(EXTENSION), dict):
            continue
        if visit.under(RULE_BODIES):
            problems.append(
                (visit.pointer, "a rule inside a condition or a negation cannot have a provenance of its own")
            )
        for keyword in node[EXTENSION]:
            if keyword not in node and not ("operationId" in node and keyword in OPERATION_RULES):
                problems.append((f"{visit.pointer}/{EXTENSION}/{keyword}", f"names '{keyword}', which this node lacks"))
    return problems
