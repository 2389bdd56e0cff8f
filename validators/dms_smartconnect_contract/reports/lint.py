"""What `lint` says of a contract that passed: the document, each operation, its schemas, rules and examples."""

from __future__ import annotations

from collections import Counter

from ..contract import JsonObject, operations
from ..contract.lint import iter_examples
from ..contract.provenance import iter_constraints
from ..contract.readings import enforced_by


def summary_lines(document: JsonObject, source: str) -> list[str]:
    """The contract in a few lines: one block per operation, then what the operations share."""
    lines = [f"contract      {source} (OpenAPI {document['openapi']}, version {document['info']['version']})"]
    found = operations(document)
    bare = found.bare()
    for operation in found:
        is_bare = " (bare bodies are judged as this one)" if bare is not None and operation is bare else ""
        lines.append(f"operation     {operation.operation_id}: {operation.method} {operation.path}{is_bare}")
        lines.append(f"  parameters  {', '.join([*operation.parameters, *operation.query])}")
        for status, response in operation.responses.items():
            media = ", ".join(response.media_types) or "no body"
            headers = ", ".join(h["name"] for h in response.headers.values()) or "none"
            about = response.description.strip().splitlines()[0] if response.description.strip() else ""
            lines.append(f"  response {status}  {about} [{media}; headers: {headers}]")
    schemas = document.get("components", {}).get("schemas", {})
    enums = sorted(name for name, schema in schemas.items() if "enum" in schema)
    lines.append(f"schemas       {len(schemas)} ({len(enums)} enumerations: {', '.join(enums)})")
    schemes = ", ".join(document.get("components", {}).get("securitySchemes", {}))
    lines.append(f"servers       {len(document.get('servers', []))}; security: {schemes}")
    constraints = list(iter_constraints(document))
    kinds = Counter(c.provenance.kind for c in constraints if c.provenance)
    # A documented rule no reading asserts is a promise nothing keeps: lint names each.
    unasserted = [c for c in constraints if (c.provenance is None or c.provenance.kind != "inferred")
                  and not enforced_by(document, c)]  # fmt: skip
    asserted = "each asserted by a reading" if not unasserted else (
        f"{len(unasserted)} documented rule(s) no reading asserts: "
        + ", ".join(f"{c.pointer}#{c.keyword}" for c in unasserted))  # fmt: skip
    lines.append(
        f"rules         {sum(kinds.values())} ({kinds['documented']} documented, {kinds['inferred']} inferred; "
        f"{asserted})"
    )
    lines.append(f"examples      {sum(1 for _ in iter_examples(document))} (all valid)")
    return lines
