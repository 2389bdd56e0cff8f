"""Findings and results are data: the checker fills them, the reporters only format them."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from .contract.provenance import Provenance
from .exchange import source_of


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
    "body.too-large": "the body is larger than --max-body-size",
    "body.not-recorded": "the capture holds no body for the response",
    "undocumented-field": "a field the contract does not document (drift)",
    "schema.enum": "a value outside the documented enumeration (drift when the field is open)",
    "schema.conditional": "a conditional rule of the contract is broken",
}

# Findings about the capture or this toolkit's limits rather than a rule of the contract.
TOOLKIT_LIMIT = Provenance("toolkit", evidence="a limit of this toolkit (--max-body-size), not a rule of the contract")
NOT_RECORDED = Provenance("toolkit", evidence="the capture holds no body: nothing of the contract could be checked")


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong with one exchange, and where the rule it breaks comes from. Drift (an undocumented field, an
    unlisted enumeration value) breaks no rule of the open contract; it is an error only in strict mode."""

    rule: str
    pointer: str
    message: str
    severity: Severity
    location: str
    provenance: Provenance
    drift: bool = False

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


@dataclass(slots=True)
class Result:
    """The outcome for one item: a judged exchange, a skipped entry or an unreadable one."""

    location: str
    outcome: Outcome
    findings: list[Finding] = field(default_factory=list)
    reason: str = ""  # why an item was skipped or could not be read


@dataclass(slots=True)
class ChunkResult:
    """The outcome of a JSONL chunk: plainly conforming lines by number, every other line with its Result."""

    path: str
    conforming: list[int]
    others: list[tuple[int, Result]]
    lines: int = 0  # lines in the chunk, blank ones included
    offset: int = 0  # added to the numbers above once the chunk is placed

    def __len__(self) -> int:
        return len(self.conforming) + len(self.others)

    def place(self, offset: int) -> None:
        """Shift a chunk numbered from 1 to its place in the file: `offset` lines come before it."""
        self.offset = offset
        for number, result in self.others:
            location = f"{self.path}:{number + offset}"
            result.location = location
            result.findings = [replace(finding, location=location) for finding in result.findings]

    def results(self) -> Iterator[Result]:
        """Every line's Result, in line order."""
        plain = ((number, None) for number in self.conforming)
        for number, result in heapq.merge(plain, self.others, key=lambda pair: pair[0]):
            yield result if result is not None else Result(f"{self.path}:{number + self.offset}", Outcome.CONFORMING)


@dataclass
class Summary:
    """Counts over a whole run; total is always the sum of the other four."""

    conforming: int = 0
    violating: int = 0
    skipped: int = 0
    unreadable: int = 0
    skipped_reasons: dict[str, int] = field(default_factory=dict)
    # file -> reason -> count: enough to say, when nothing was judged, what each input held instead
    skipped_by_source: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.conforming + self.violating + self.skipped + self.unreadable

    @property
    def judged(self) -> int:
        """Items that got a verdict of the contract, or failed to be read: all but the skipped ones."""
        return self.conforming + self.violating + self.unreadable

    def count(self, result: Result, source: str | None = None) -> None:
        """Count one item; `source` is its file when the location does not name it alone (a JSONL line)."""
        if result.outcome is Outcome.CONFORMING:
            self.conforming += 1
        elif result.outcome is Outcome.VIOLATING:
            self.violating += 1
        elif result.outcome is Outcome.SKIPPED:
            self.skipped += 1
            self.skipped_reasons[result.reason] = self.skipped_reasons.get(result.reason, 0) + 1
            reasons = self.skipped_by_source.setdefault(source or source_of(result.location), {})
            reasons[result.reason] = reasons.get(result.reason, 0) + 1
        else:
            self.unreadable += 1

    def count_chunk(self, chunk: ChunkResult) -> None:
        self.conforming += len(chunk.conforming)
        for _, result in chunk.others:
            self.count(result, chunk.path)

    def as_dict(self) -> dict[str, int]:
        return {
            "total": self.total,
            "conforming": self.conforming,
            "violating": self.violating,
            "skipped": self.skipped,
            "unreadable": self.unreadable,
        }
