"""What `validate --require-coverage SPEC` asks of the traffic, read from the coverage report (coverage.py).

A SPEC is `KIND[:OPERATION[:POINTER]][>=N%]`:

- `statuses`: every documented status of the operation (of every operation, without one) seen;
- `values`: every listed value of every enumeration (at POINTER only, with one) seen;
- `branches`: every conditional branch of the operation's bodies taken;
- `present`: every documented field (the one at POINTER, with one) seen present;
- `null`: the field at POINTER seen null.

With `>=N%`, the share of those parts seen must be at least N percent, per operation, instead of all of them. Each
requirement a run does not meet is one `Unmet`, which the run reports as a finding of `coverage.unmet`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .document import ContractError

KINDS = ("statuses", "values", "branches", "present", "null")
_SPEC = re.compile(r"^(?P<kind>[a-z]+)(?::(?P<operation>[A-Za-z0-9_.-]+)(?::(?P<pointer>/[^>]*))?)?"
                   r"(?:>=(?P<share>\d+(?:\.\d+)?)%)?$")  # fmt: skip


@dataclass(frozen=True)
class Requirement:
    """One SPEC, read."""

    spec: str
    kind: str
    operation: str = ""
    pointer: str = ""
    share: float | None = None  # a percentage of the parts, instead of every one


@dataclass(frozen=True)
class Unmet:
    """A requirement the traffic did not meet: of which operation, where in its bodies, and what was missing."""

    requirement: Requirement
    operation: str
    pointer: str
    message: str


def parse(spec: str) -> Requirement:
    """A SPEC as a Requirement; ContractError (naming the SPEC and what is wrong) when it is not one."""
    found = _SPEC.match(spec.strip())
    if found is None or found["kind"] not in KINDS:
        raise ContractError(f"--require-coverage {spec!r}: not KIND[:OPERATION[:POINTER]][>=N%], KIND one of "
                            f"{', '.join(KINDS)}")  # fmt: skip
    kind, operation, pointer = found["kind"], found["operation"] or "", found["pointer"] or ""
    if kind == "null" and not pointer:
        raise ContractError(f"--require-coverage {spec!r}: `null` names a field: null:OPERATION:POINTER")
    if pointer and kind not in ("values", "present", "null"):
        raise ContractError(f"--require-coverage {spec!r}: `{kind}` takes no POINTER")
    share = float(found["share"]) if found["share"] else None
    if share is not None and not 0 < share <= 100:
        raise ContractError(f"--require-coverage {spec!r}: a share is more than 0% and at most 100%")
    return Requirement(spec.strip(), kind, operation, pointer, share)


def check_against(requirements: list[Requirement], report: dict[str, Any]) -> None:
    """ContractError for a requirement naming an operation or a field the contract does not have."""
    operations = report["operations"]
    for requirement in requirements:
        if requirement.operation and requirement.operation not in operations:
            raise ContractError(f"--require-coverage {requirement.spec!r}: no operation {requirement.operation!r} "
                                f"(the contract has {', '.join(operations)})")  # fmt: skip
        if requirement.pointer:
            fields = {pointer for body in operations[requirement.operation]["bodies"].values()
                      for pointer in body["fields"]}  # fmt: skip
            if requirement.pointer not in fields:
                raise ContractError(f"--require-coverage {requirement.spec!r}: {requirement.operation} documents no "
                                    f"field at {requirement.pointer}")  # fmt: skip


def unmet(requirements: list[Requirement], report: dict[str, Any]) -> list[Unmet]:
    """Each requirement the coverage report does not meet, operation by operation."""
    found = []
    for requirement in requirements:
        names = [requirement.operation] if requirement.operation else list(report["operations"])
        for operation in names:
            parts = _parts(requirement, report["operations"][operation])
            if not parts:
                continue
            missing = [label for label, seen in parts if not seen]
            if requirement.share is not None:
                share = 100 * (len(parts) - len(missing)) / len(parts)
                if share < requirement.share:
                    shown = _listed(missing)
                    found.append(Unmet(requirement, operation, requirement.pointer,
                                       f"{share:.0f}% of the {_NOUNS[requirement.kind]} seen, below "
                                       f"{requirement.share:g}% ({requirement.spec}); never seen: {shown}"))  # fmt: skip
            elif missing:
                found.append(Unmet(requirement, operation, requirement.pointer,
                                   f"{len(missing)} of the {len(parts)} {_NOUNS[requirement.kind]} never seen "
                                   f"({requirement.spec}): {_listed(missing)}"))  # fmt: skip
    return found


_NOUNS = {
    "statuses": "documented statuses",
    "values": "enumeration values",
    "branches": "conditional branches",
    "present": "fields",
    "null": "fields seen null",
}


def _parts(requirement: Requirement, covered: dict[str, Any]) -> list[tuple[str, bool]]:
    """What the requirement counts in one operation's coverage, each with whether the traffic exercised it."""
    kind, pointer = requirement.kind, requirement.pointer
    if kind == "statuses":
        return [(status, count > 0) for status, count in covered["statuses"].items()]
    parts: list[tuple[str, bool]] = []
    for status, body in covered["bodies"].items():
        where = f" ({status})" if len(covered["bodies"]) > 1 else ""
        if kind == "branches":
            parts += [(f"{label}{where}", count > 0) for label, count in body["branches"].items()]
        elif kind == "values":
            for field, entry in body["values"].items():
                if not pointer or field == pointer:
                    parts += [(f"{field} {value}{where}", count > 0) for value, count in entry["listed"].items()]
        else:
            counted = "present" if kind == "present" else "null"
            parts += [(f"{field}{where}", counts[counted] > 0) for field, counts in body["fields"].items()
                      if not pointer or field == pointer]  # fmt: skip
    return parts


def _listed(labels: list[str], most: int = 10) -> str:
    return ", ".join(labels[:most]) + (f" and {len(labels) - most} more" if len(labels) > most else "")
