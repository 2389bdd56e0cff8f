"""The vocabulary of findings: where an item is, its outcome, the rules and limits by id, a finding, and an item's
result; how a run ends (RunVerdict)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ..contract.provenance import Provenance
from ..exitcodes import ExitCode
from ..redact import mask

# Where an item is: `file`, `file:LINE` (JSONL), `file#/log/entries/N` (HAR).
# Files whose items are lines, located `file:LINE`.
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson", ".log"})
# The items of a capture that is one JSON document are located by a JSON pointer to their array: a HAR's entries,
# a newman report's executions.
HAR_ENTRY = "#/log/entries/"
NEWMAN_EXECUTION = "#/run/executions/"
ITEM_ARRAYS = (HAR_ENTRY, NEWMAN_EXECUTION)


STDIN_LOCATION = "<stdin>"  # where standard input's items are: `<stdin>:LINE` (JSONL), `<stdin>#/log/entries/N`


def har_location(path: str, index: int) -> str:
    """Where a HAR entry is: `file#/log/entries/N`."""
    return f"{path}{HAR_ENTRY}{index}"


def execution_location(path: str, index: int) -> str:
    """Where an execution of a newman report is: `file#/run/executions/N`."""
    return f"{path}{NEWMAN_EXECUTION}{index}"


def split_item(location: str) -> tuple[str, str | None]:
    """A location as (file, JSON pointer of the item in it, without `#`): (`f.har`, `/log/entries/3`), or
    (location, None) for a location that names no item of a document."""
    for array in ITEM_ARRAYS:
        if array in location:
            path, _, index = location.rpartition(array)
            return path, f"{array[1:]}{index}"
    return location, None


def source_of(location: str) -> str:
    """The file an item's location names: the location itself, or the part before an item's pointer. (JSONL
    lines are counted by their chunk, which knows its file.)"""
    return split_item(location)[0]


class Severity(str, Enum):
    """How much a finding weighs: an error makes the exchange violate the contract, a warning does not."""

    ERROR = "error"
    WARNING = "warning"


class Outcome(str, Enum):
    """What became of one item a user handed over. Every item gets exactly one."""

    CONFORMING = "conforming"
    VIOLATING = "violating"
    SKIPPED = "skipped"
    UNREADABLE = "unreadable"


# Rule ids are stable: reports, CI filters and golden files refer to them.
RULES = {
    "status.undocumented": "the status code is not documented for the operation",
    "media-type": "the response media type is not documented for the status",
    "header.missing": "a documented response header is absent",
    "header.schema": "a response header does not match its schema",
    "body.unreadable": "the body is not a JSON document",
    "request.accepted-invalid": "a request that breaks a rule of its parameters was answered 2xx, not rejected",
    "auth.ignored": "a request without any documented credential was answered 2xx, not 401",
    "limit.findings": "a body had more findings than --max-findings; the rest are counted, not kept",
    "body.not-recorded": "the capture holds no body for the response",
    "undocumented-field": "a field the contract does not document (drift)",
    "schema.enum": "a value outside the documented enumeration (drift when the field is open)",
    "schema.conditional": "a conditional rule of the contract is broken",
    "coverage.unmet": "a part of the contract --require-coverage names was not exercised by the traffic",
}
UNMET_RULE = "coverage.unmet"

# The limits of this toolkit: an item over one is counted unreadable with the limit's rule id, never judged.
LIMITS = {
    "limit.body-bytes": "a body larger than --max-body-bytes (default 16 MiB), read no further than the limit",
    "limit.line-bytes": "a JSONL line larger than --max-body-bytes, read no further than the limit",
    "limit.depth": "JSON nested deeper than 1024 levels",
    "limit.number": "a number beyond the range of a double (such as 1e400), which no reading can compare",
}
UNREADABLE_RULE = "item.unreadable"  # the rule id of any other unreadable item
# An object taken for a body (a body file, a bare line) that has none of the fields the operation's responses
# document: a wrapper or a record of a format this toolkit does not read, never a conforming body.
UNRECOGNISED_RULE = "item.unrecognised"


def decode_limit(message: str) -> str:
    """The limit a JSON parser's message names ("" for JSON that is broken): depth and numbers beyond a double are
    limits of the readers, the rest is no JSON."""
    if message.startswith("depth limit exceeded") or "recursion" in message:
        return "limit.depth"
    if message.startswith("number is infinity"):
        return "limit.number"
    return ""


# Findings about the capture or this toolkit's limits rather than a rule of the contract.
FINDINGS_LIMIT = Provenance("toolkit", evidence="a limit of this toolkit (--max-findings), not a rule of the contract")
NOT_RECORDED = Provenance("toolkit", evidence="the capture holds no body: nothing of the contract could be checked")


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong with one body or exchange, and where the rule it breaks comes from. Drift (an undocumented
    field, an unlisted enumeration value) breaks no rule of the open contract; it is an error only in strict mode."""

    rule: str
    pointer: str
    message: str
    severity: Severity
    provenance: Provenance
    drift: bool = False
    operation: str = ""  # the operation of the contract the exchange was judged as

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "pointer": self.pointer,
            "message": self.message,
            "severity": self.severity.value,
            "provenance": self.provenance.as_dict(),
        }
        if self.drift:
            out["drift"] = True
        return out

    @property
    def basis(self) -> str:
        """Why the finding counts as it does, for reports: `documented: reference`, `inferred`, `drift; ...`."""
        return f"drift; {self.provenance.label}" if self.drift else self.provenance.label

    @property
    def group(self) -> GroupKey:
        """The findings reports count together: one rule at one pointer of one operation, at one weight, for one
        reason."""
        return (self.rule, self.pointer, self.severity, self.basis, self.operation)

    @property
    def line(self) -> str:
        """The finding in one line, as every report writes it: rule, place, message and why it counts."""
        return f"{self.rule} at {self.pointer or '(exchange)'}: {self.message} [{self.basis}]"

    @property
    def order(self) -> tuple[bool, str, str, str]:
        """The order of an item's findings in every report: errors first, then by pointer, rule and message."""
        return (self.severity is not Severity.ERROR, self.pointer, self.rule, self.message)


GroupKey = tuple[str, str, Severity, str, str]  # rule, pointer, severity, basis, operation

MAX_FINDINGS = 100  # findings kept per body (--max-findings): a hostile body could otherwise hold one per byte


def findings_limit(more: int, kept: int, operation: str) -> Finding:
    """The finding that closes a body's findings when more than `kept` were found: how many more there were."""
    message = f"{more} more finding(s) not kept (--max-findings {kept})"
    return Finding("limit.findings", "", message, Severity.WARNING, FINDINGS_LIMIT, operation=operation)


def limit_group(operation: str) -> GroupKey:
    """The group of findings_limit()'s finding."""
    return ("limit.findings", "", Severity.WARNING, FINDINGS_LIMIT.label, operation)


@dataclass(slots=True)
class Result:
    """The outcome for one item: a judged exchange, a skipped entry or an unreadable one."""

    location: str
    outcome: Outcome
    findings: list[Finding] = field(default_factory=list)
    reason: str = ""  # why an item was skipped or could not be read
    rule: str = ""  # for an unreadable item over a limit of this toolkit: the limit's rule id (see LIMITS)
    operation: str = ""  # the operation it was judged as (judged items; an item over a limit, when it was known)

    def __post_init__(self) -> None:
        # Why an item could not be read may quote the capture (a parser's message): no credential-shaped value is
        # repeated. Skip reasons are this toolkit's own words, and there is one per skipped entry: left as they are.
        if self.reason and self.outcome is Outcome.UNREADABLE:
            self.reason = mask(self.reason)


def outcome_of(findings: list[Finding]) -> Outcome:
    """Violating when any finding is an error; warnings leave an item conforming."""
    return Outcome.VIOLATING if any(f.severity is Severity.ERROR for f in findings) else Outcome.CONFORMING


@dataclass
class RunVerdict:
    """How a run ends: the exit code, and for a run-level failure a one-line reason and what each input held."""

    exit_code: ExitCode
    reason: str = ""
    details: list[str] = field(default_factory=list)
