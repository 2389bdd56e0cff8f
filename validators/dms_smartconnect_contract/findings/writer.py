"""What a report that lists items gives the tallies of a run: its text of one item (ItemWriter), and of items alike
from one template (Filler)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from .accepted import Accepted
from .finding import Result


class ItemWriter(Protocol):
    """A report's text of one item (a module-level object: it is sent to the worker processes); `accepted`, the
    groups a baseline accepts, where the text says so."""

    accepted: Accepted | None

    def render(self, result: Result) -> str: ...

    def template(self, result: Result, varying: tuple[int, ...], prefix: str) -> Filler | None:
        """The text of items that differ from `result` only in what follows `prefix` in their locations and in the
        messages of the findings at `varying`, as a function of those; None where the text cannot be made so."""


# The text of items in a row from one template, given what follows the locations' prefix in each, and their varying
# messages as columns: for each finding whose message varies, every item's message, in the items' order.
Filler = Callable[[list[str], list[list[str]]], list[str]]
