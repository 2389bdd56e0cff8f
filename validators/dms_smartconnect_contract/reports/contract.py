"""The contract run (schemathesis) in text: failed checks grouped by title, then a summary line."""

from __future__ import annotations

from typing import Any, TextIO

from ..findings import SAMPLES


def render_contract_text(outcomes: list[Any], out: TextIO, problem: str | None = None) -> None:
    """The contract run in text: failed checks grouped by title, with counts and sample requests, then a summary
    that says so when the run proved nothing (`problem`: why), however many checks passed."""
    groups: dict[str, list[str]] = {}
    messages: dict[str, str] = {}
    for outcome in outcomes:
        for title, message in outcome.failures:
            groups.setdefault(title, []).append(outcome.name)
            messages.setdefault(title, message.strip().splitlines()[0] if message.strip() else "")
    for title, names in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        out.write(
            f"FAILED {title}: {len(names)} request(s)\n    {messages[title]}\n    e.g. {', '.join(names[:SAMPLES])}\n"
        )
    failed = sum(1 for outcome in outcomes if outcome.failures)
    statuses: dict[int, int] = {}
    for outcome in outcomes:
        if outcome.status is not None:
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    seen = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
    unproven = "; the run proved nothing" if problem else ""
    out.write(f"{len(outcomes)} request(s): {len(outcomes) - failed} passed, {failed} failed (statuses {seen})"
              f"{unproven}\n")  # fmt: skip
