"""A baseline that expires: findings a team has accepted for a while, by operation, rule, pointer and provenance.

`validate --write-baseline FILE --reason TEXT --expires DATE` records the findings groups of the run as accepted;
`validate --baseline FILE` then sorts the run's groups against it:

- baselined: the group has an entry that has not expired: it is reported, and does not fail the run;
- new: no entry: it fails the run, as without a baseline;
- expired: its entry's date has passed: it fails the run again;
- stale: an entry that no group of the run matched, listed so that it can go.

The file is JSON, its entries sorted, one key a line, so that a change to it reads well in a diff; its shape is
`baseline.schema.json` beside this file, checked when it is read.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..findings import Accepted, GroupKey, Severity, Tally, accepted_mark

SCHEMA = Path(__file__).with_name("baseline.schema.json")
VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be read or written, or does not have the baseline's shape."""


@dataclass(frozen=True)
class Entry:
    """An accepted findings group: which, why, and until when."""

    operation: str
    rule: str
    pointer: str
    provenance: str  # the basis of the group: `documented: reference`, `inferred`, `drift; documented: ...`
    reason: str
    expires: datetime.date
    count: int = 0  # how many findings the group held when it was recorded

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.operation, self.rule, self.pointer, self.provenance)

    def as_dict(self) -> dict[str, Any]:
        return {"operation": self.operation, "rule": self.rule, "pointer": self.pointer,
                "provenance": self.provenance, "reason": self.reason, "expires": self.expires.isoformat(),
                "count": self.count}  # fmt: skip


def key_of(group: GroupKey) -> tuple[str, str, str, str]:
    rule, pointer, _, basis, operation = group
    return (operation, rule, pointer, basis)


def write(path: Path, total: Tally, reason: str, expires: datetime.date) -> int:
    """Record every findings group of the run as accepted; how many entries were written."""
    entries = sorted(
        (Entry(operation, rule, pointer, basis, reason, expires, group.count)
         for (rule, pointer, _, basis, operation), group in total.groups.items()),
        key=lambda entry: entry.key,
    )  # fmt: skip
    document = {"version": VERSION, "entries": [entry.as_dict() for entry in entries]}
    try:
        path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"{path}: cannot be written ({exc.strerror or exc})") from exc
    return len(entries)


def read(path: Path) -> list[Entry]:
    """The entries of a baseline file, checked against its schema (BaselineError naming the place when not)."""
    import jsonschema

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except ValueError as exc:
        raise BaselineError(f"{path}: not JSON ({exc})") from exc
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()), format_checker=jsonschema.FormatChecker())
        .iter_errors(document)
    )  # fmt: skip
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path)
        raise BaselineError(f"{path}: at /{where}: {error.message} (see baseline.schema.json)")
    return [
        Entry(raw["operation"], raw["rule"], raw["pointer"], raw["provenance"], raw["reason"],
              datetime.date.fromisoformat(raw["expires"]), raw.get("count", 0))
        for raw in document["entries"]
    ]  # fmt: skip


@dataclass
class Sorted:
    """A run's findings groups sorted against a baseline."""

    baselined: list[tuple[GroupKey, Entry]]
    new: list[GroupKey]
    expired: list[tuple[GroupKey, Entry]]
    stale: list[Entry]

    @property
    def failing(self) -> bool:
        """Whether an error of the run is not accepted: a new one, or one whose acceptance has expired."""
        return any(key[2] is Severity.ERROR for key in self.new) or any(
            key[2] is Severity.ERROR for key, _ in self.expired
        )

    def as_dict(self) -> dict[str, Any]:
        def group(key: GroupKey) -> dict[str, Any]:
            rule, pointer, severity, basis, operation = key
            return {"operation": operation, "rule": rule, "pointer": pointer, "provenance": basis,
                    "severity": severity.value}  # fmt: skip

        return {
            "baselined": [{**group(key), "reason": entry.reason, "expires": entry.expires.isoformat()}
                          for key, entry in self.baselined],
            "new": [group(key) for key in self.new],
            "expired": [{**group(key), "reason": entry.reason, "expired": entry.expires.isoformat()}
                        for key, entry in self.expired],
            "stale": [entry.as_dict() for entry in self.stale],
        }  # fmt: skip


def in_force(entries: list[Entry], today: datetime.date) -> Accepted:
    """What the entries accept on `today`: those up to and including their date, each with its mark."""
    return Accepted(tuple((entry.key, accepted_mark(entry.expires, entry.reason)) for entry in entries
                          if entry.expires >= today))  # fmt: skip


def recorded(reason: str, expires: datetime.date) -> Accepted:
    """What a baseline the run writes will accept: every group it finds."""
    return Accepted(every=accepted_mark(expires, reason))


def sort(entries: list[Entry], total: Tally, today: datetime.date) -> Sorted:
    """The run's groups against the entries: an entry is in force up to and including its date."""
    by_key = {entry.key: entry for entry in entries}
    baselined: list[tuple[GroupKey, Entry]] = []
    expired: list[tuple[GroupKey, Entry]] = []
    new: list[GroupKey] = []
    seen: set[tuple[str, str, str, str]] = set()
    for key in total.groups:
        entry = by_key.get(key_of(key))
        if entry is None:
            new.append(key)
            continue
        seen.add(entry.key)
        (baselined if entry.expires >= today else expired).append((key, entry))
    stale = [entry for entry in entries if entry.key not in seen]
    return Sorted(baselined, new, expired, stale)
