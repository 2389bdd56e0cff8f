"""Items alike, for a report that lists them: the writer's template of items that differ only in their numbers and in
some findings' messages, made once per process, and what a bounded report folds an item under."""

from __future__ import annotations

from typing import Any

from .accepted import Accepted
from .finding import Finding, Outcome, Result, Severity
from .writer import Filler, ItemWriter

# The writers' templates of items a probe holds for (and of conforming ones), in this process, by writer, findings,
# operation and the prefix of the locations (None: none can be made); never sent between processes.
_TEMPLATES: dict[tuple[int, int, str, str], tuple[Any, Any, Any, Any]] = {}


def fold_of(outcome: Outcome, findings: list[Finding], operation: str, accepted: Accepted | None = None) -> Any:
    """What a bounded report folds an item under: its first error's group (the first a baseline does not accept, if
    any: so an item folds under an accepted group only when all its errors are accepted), else its outcome or
    operation."""
    if outcome is Outcome.UNREADABLE:
        return Outcome.UNREADABLE
    if outcome is Outcome.VIOLATING:
        errors = (f.group for f in findings if f.severity is Severity.ERROR)
        first = next(errors)
        if accepted is None or first not in accepted:
            return first
        return next((group for group in errors if group not in accepted), first)
    return operation


def item_template(writer: ItemWriter | None, prefix: str, label: int | str, outcome: Outcome, findings: list[Finding],
                  varying: tuple[int, ...], messages: list[str], operation: str) -> tuple[Filler | None, Any]:  # fmt: skip
    """The writer's template of items like this one, and what such an item is folded under; (None, None) without a
    writer or a template. Remembered per process by the identity of `findings`."""
    if writer is None:
        return None, None
    key = (id(writer), id(findings), operation, prefix)
    known = _TEMPLATES.get(key)
    if known is None:
        made = with_messages(findings, varying, messages)
        fill = writer.template(Result(f"{prefix}{label}", outcome, made, operation=operation), varying, prefix)
        if len(_TEMPLATES) >= 1024:
            _TEMPLATES.clear()
        # Kept with the writer and findings it was made for, so that their identities are never another's.
        _TEMPLATES[key] = known = (writer, findings, fill, fold_of(outcome, findings, operation, writer.accepted))
    return (known[2], known[3]) if known[2] is not None else (None, None)


def with_messages(findings: list[Finding], varying: tuple[int, ...], messages: list[str]) -> list[Finding]:
    """`findings` with the messages at the indexes `varying` replaced (a body a probe holds for)."""
    made = list(findings)
    for index, message in zip(varying, messages, strict=True):
        old = made[index]
        made[index] = Finding(old.rule, old.pointer, message, old.severity, old.provenance, old.drift, old.operation)
    return made
