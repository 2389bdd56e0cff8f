"""Read the OpenAPI document, resolve its references, and bundle its parts into self-contained JSON Schemas."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .formats import POINTER, with_format_rules
from .walk import rebuild, walk

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
COMPONENTS_PREFIX = "#/components/schemas/"
# The alternative that keeps enumerations open for consumers; validators drop it to close the contract.
UNLISTED_VALUE = "UnlistedValue"
# Where in the document a bundled node that states provenance stands: reports point at the rule in the file.
POINTER_EXTENSION = POINTER

JsonObject = dict[str, Any]


class ContractError(Exception):
    """The contract document cannot be read or lacks what the toolkit needs."""


def packaged_contract_path() -> Path:
    """Path of the contract copy that `make generate` places inside the models package.

    Found without importing the package: importing it would load pydantic and the models, which cost more start-up
    time than the whole validation of a small file.
    """
    spec = importlib.util.find_spec("dms_smartconnect_models")
    if spec is None or not spec.submodule_search_locations:
        raise ContractError("the models package dms_smartconnect_models is not installed; pass --contract")
    return Path(next(iter(spec.submodule_search_locations))) / "openapi.json"


def read_document(path: Path | None = None) -> JsonObject:
    """Read an OpenAPI document (YAML or JSON); the packaged copy when no path is given."""
    return _read(path or packaged_contract_path(), None)


Position = tuple[int, int]  # a line and a column of a file, both from 1


def read_with_lines(path: Path) -> tuple[JsonObject, dict[str, Position]]:
    """read_document(path), and the line and column (from 1) where each node of the file starts, by JSON pointer,
    from the same parse: where a report points at a rule in the file."""
    lines: dict[str, Position] = {}
    return _read(path, lines), lines


def read_positions(path: Path) -> dict[str, Position]:
    """The line and column (from 1) where each node of a contract file starts, by JSON pointer, without reading the
    document itself: for a report that points at rules of a contract already read. ContractError when the file
    cannot be read or parsed."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContractError(f"cannot read contract {path}: {getattr(exc, 'strerror', None) or exc}") from exc
    lines: dict[str, Position] = {}
    _compose(text, str(path), lines, construct=False)
    return lines


def _read(source: Path, lines: dict[str, Position] | None) -> JsonObject:
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContractError(f"cannot read contract {source}: {getattr(exc, 'strerror', None) or exc}") from exc
    if source.suffix == ".json":
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise ContractError(f"contract {source} is not valid JSON: {exc}") from exc
        if lines is not None:  # JSON is YAML: its lines come from the YAML parser
            _compose(text, str(source), lines)
    else:
        document = _compose(text, str(source), lines)
    if not isinstance(document, dict) or "paths" not in document:
        raise ContractError(f"contract {source} is not an OpenAPI document (no 'paths')")
    check_references(document, str(source))
    return document


# The nodes a YAML document may stand for once its aliases are expanded: far beyond any contract (this one has
# about 10,000), far below what an alias bomb (each anchor used ten times by the next) reaches.
YAML_NODES = 2_000_000


def _compose(text: str, source: str, lines: dict[str, Position] | None, construct: bool = True) -> Any:
    """A YAML document read safely, refused (ContractError) when its aliases would expand it past YAML_NODES: the
    composed graph is measured, sharing counted as expansion, before anything walks it. `lines`, when given, gets
    the line and column of each node; without `construct`, that is all it does. libyaml parses when PyYAML has it (seven times faster), else PyYAML's own parser."""
    import yaml  # here: the packaged contract is JSON, and validate's start-up need not pay for YAML

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            raise ContractError(f"contract {source} is not valid YAML: {exc}") from exc
        if node is None:
            return None
        sizes: dict[int, int] = {}
        stack: list[tuple[Any, bool]] = [(node, False)]
        while stack:  # the size of every node, children first, each distinct node measured once
            current, done = stack.pop()
            if id(current) in sizes:
                continue
            children = (
                [part for pair in current.value for part in pair] if isinstance(current, yaml.MappingNode)
                else current.value if isinstance(current, yaml.SequenceNode) else []
            )  # fmt: skip
            if done:
                sizes[id(current)] = min(1 + sum(sizes[id(child)] for child in children), YAML_NODES + 1)
                continue
            stack.append((current, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
        if sizes[id(node)] > YAML_NODES:
            raise ContractError(
                f"contract {source}: its YAML aliases expand to more than {YAML_NODES:,} nodes (an alias bomb?)"
            )
        if lines is not None:
            _node_lines(node, lines)
        if not construct:
            return None
        try:
            return loader.construct_document(node)
        except yaml.YAMLError as exc:
            raise ContractError(f"contract {source} is not valid YAML: {exc}") from exc
    finally:
        loader.dispose()


def _node_lines(root: Any, lines: dict[str, Position]) -> None:
    """The line and column (from 1) where each node starts, by JSON pointer; its key's where it is a member."""
    import yaml

    from .pointers import escape

    stack: list[tuple[Any, str]] = [(root, "")]
    while stack:
        node, pointer = stack.pop()
        lines.setdefault(pointer, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                where = f"{pointer}/{escape(str(key.value))}"
                lines.setdefault(where, (key.start_mark.line + 1, key.start_mark.column + 1))
                stack.append((value, where))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((value, f"{pointer}/{index}") for index, value in enumerate(node.value))


def check_references(document: JsonObject, source: str = "the document") -> None:
    """Every reference leads somewhere inside the document, and no chain of references comes back to itself: a
    document that breaks either is refused whole (ContractError naming the references and where the first stands),
    before any reading, linter or validator recurses on it. Nothing outside the document is fetched."""
    for visit in walk(document, skip=frozenset({"example", "examples"})):
        if "$ref" in visit.node:
            try:
                target(document, visit.node)
            except ContractError as exc:
                raise ContractError(f"contract {source}: {exc} (at {visit.pointer or '/'})") from None


def resolve(document: JsonObject, node: Any) -> Any:
    """The node a node stands for wholly, followed to any depth: the target of a `$ref` alone, or of an alias (an
    `allOf` of one `$ref` with annotations beside it, as a component that renames another is written)."""
    return _follow(document, node, _alias_of)


def target(document: JsonObject, node: Any) -> Any:
    """The node a `$ref` points at, followed to any depth, whatever stands beside it (a description, say): for
    reading what a schema holds (its fields, its enumeration), not for validating with it."""
    return _follow(document, node, lambda found: found.get("$ref") if isinstance(found, dict) else None)


def _follow(document: JsonObject, node: Any, ref_of: Any) -> Any:
    """The one way references are followed: each hop by lookup(), and a chain that comes back to itself is refused
    (ContractError names the cycle)."""
    chain: list[str] = []
    while True:
        ref = ref_of(node)
        if ref is None:
            return node
        if ref in chain:
            raise ContractError(f"$ref cycle: {' -> '.join([*chain, ref])}")
        chain.append(ref)
        node = lookup(document, ref)


def lookup(root: Any, ref: Any) -> Any:
    """The node a local reference (`#/components/schemas/X`, `#/$defs/X`) names in `root`, a document or a
    bundled schema: the fragment is read as RFC 6901 and RFC 3986 say, by `referencing`. ContractError for a
    reference that is not local or points at nothing; nothing outside the document is ever fetched."""
    if not isinstance(ref, str) or not ref.startswith("#"):
        raise ContractError(f"unsupported $ref {ref!r}: only references inside the document are followed")
    from referencing import Registry, Resource
    from referencing.exceptions import Unresolvable

    resolver = Registry().with_resource("", Resource.opaque(root)).resolver()
    try:
        return resolver.lookup(ref).contents
    except Unresolvable:
        raise ContractError(f"$ref {ref!r} points at nothing in the document") from None


# Keywords that assert nothing: a node holding only these beside its reference says no more than its target.
ANNOTATIONS = frozenset({"description", "title", "examples", "example", "$comment", "deprecated"})


def _alias_of(node: Any) -> Any:
    """The reference a node stands for wholly (a `$ref` alone, or an `allOf` of one `$ref` beside annotations), or
    None when it says more than that."""
    if not isinstance(node, dict):
        return None
    if "$ref" in node and len(node) == 1:
        return node["$ref"]
    members = node.get("allOf")
    if (
        isinstance(members, list)
        and len(members) == 1
        and isinstance(members[0], dict)
        and set(members[0]) == {"$ref"}
        and all(key == "allOf" or key in ANNOTATIONS or key.startswith("x-") for key in node)
    ):
        return members[0]["$ref"]
    return None


def _component_refs(node: Any) -> Iterator[str]:
    for visit in walk(node):
        ref = visit.node.get("$ref")
        if isinstance(ref, str) and ref.startswith(COMPONENTS_PREFIX):
            yield ref[len(COMPONENTS_PREFIX) :]


def _rewrite_ref(node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(COMPONENTS_PREFIX):
        node["$ref"] = "#/$defs/" + ref[len(COMPONENTS_PREFIX) :]
    return node


def bundle_schema(document: JsonObject, schema: JsonObject, **top: Any) -> JsonObject:
    """A self-contained JSON Schema 2020-12 for `schema`: every component it reaches is copied into `$defs`, and the
    rule of every format that states one is asserted (formats.py).

    `top` adds keywords (such as `$id`, `title`, `$comment`) in front of the schema's own.
    """
    components = document.get("components", {}).get("schemas", {})
    needed: dict[str, JsonObject] = {}
    pending = list(_component_refs(schema))
    while pending:
        name = pending.pop()
        if name in needed:
            continue
        if name not in components:
            raise ContractError(f"$ref to missing component schema {name!r}")
        needed[name] = components[name]
        pending.extend(_component_refs(components[name]))
    bundled: JsonObject = {"$schema": SCHEMA_DIALECT, **top}
    # rebuild() makes new dicts and lists all the way down: the bundle shares nothing mutable with the document.
    root = rebuild(schema, _rewrite_ref)
    pointers = _pointers(document)
    _mark_pointers(schema, root, pointers)
    bundled.update(rebuild(root, with_format_rules))
    if needed:
        bundled["$defs"] = {}
        for name in sorted(needed):
            copied = rebuild(needed[name], _rewrite_ref)
            _mark_pointers(needed[name], copied, pointers)
            bundled["$defs"][name] = rebuild(copied, with_format_rules)
    return bundled


_POINTERS: list[tuple[JsonObject, dict[int, str]]] = []  # the last documents bundled from, with their pointers


def _pointers(document: JsonObject) -> dict[int, str]:
    """The JSON pointer of every object of the document, by identity; remembered for the last few documents."""
    for known, found in _POINTERS:
        if known is document:
            return found
    found = {id(visit.node): visit.pointer for visit in walk(document)}
    _POINTERS[:] = [*_POINTERS[-3:], (document, found)]
    return found


def _mark_pointers(source: Any, copied: Any, pointers: dict[int, str]) -> None:
    """Give each copied object that states provenance the pointer of its original in the document. A copy has the
    shape of its source, so the two walks meet the same objects in the same order."""
    for original, copy in zip(walk(source), walk(copied), strict=True):
        if "x-provenance" in copy.node and id(original.node) in pointers:
            copy.node[POINTER_EXTENSION] = pointers[id(original.node)]
