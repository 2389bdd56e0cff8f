"""What a baseline accepts, known before a run starts: the findings groups whose entries are in force, each with
what a report says of it. A report that writes items where they are judged (JUnit) needs it then, not at the end."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .finding import GroupKey


@dataclass(frozen=True)
class Accepted:
    """Findings groups accepted by (operation, rule, pointer, provenance), each with its mark (`baselined until
    DATE: REASON`); or, with `every`, every group of the run (the run that writes the baseline), all with that mark."""

    marks: tuple[tuple[tuple[str, str, str, str], str], ...] = ()
    every: str = ""

    def mark_of(self, group: GroupKey) -> str | None:
        """What the report says of a group the baseline accepts; None for one it does not."""
        if self.every:
            return self.every
        rule, pointer, _, basis, operation = group
        return self._by_key.get((operation, rule, pointer, basis))

    def __contains__(self, group: object) -> bool:
        return isinstance(group, tuple) and len(group) == 5 and self.mark_of(group) is not None

    @cached_property
    def _by_key(self) -> dict[tuple[str, str, str, str], str]:
        return dict(self.marks)


def accepted_mark(expires: object, reason: str) -> str:
    """What a report says of a group a baseline accepts."""
    return f"baselined until {expires}: {reason}"
