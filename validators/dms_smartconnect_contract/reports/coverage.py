"""The coverage report for people (`validate --coverage` in the text report)."""

from __future__ import annotations

from typing import Any


def render_text(report: dict[str, Any]) -> list[str]:
    """The coverage report for people, operation by operation: what was exercised, and what never was."""
    lines = ["coverage of the contract by the judged traffic:"]
    for operation, covered in report["operations"].items():
        lines.append(f"  {operation}:")
        lines += [f"  {line}" for line in _operation(covered)]
    return lines


def _operation(report: dict[str, Any]) -> list[str]:
    lines = []
    seen = [f"{status} x{count}" for status, count in report["statuses"].items() if count]
    never = [status for status, count in report["statuses"].items() if not count]
    lines.append(f"  statuses: {', '.join(seen) or 'none'}" + (f"; never seen: {', '.join(never)}" if never else ""))
    if report["undocumented_statuses"]:
        extra = ", ".join(f"{status} x{count}" for status, count in report["undocumented_statuses"].items())
        lines.append(f"  undocumented statuses seen: {extra}")
    lines += _requests(report)
    for status, body in report["bodies"].items():
        if not report["statuses"].get(status):
            continue
        fields = body["fields"]
        present = [pointer for pointer, counts in fields.items() if counts["present"]]
        missing = [pointer for pointer, counts in fields.items() if not counts["present"]]
        lines.append(f"  {status} body fields: {len(present)} of {len(fields)} seen present"
                     + (f"; never present: {', '.join(missing)}" if missing else ""))  # fmt: skip
        nulls = [f"{pointer} x{counts['null']}" for pointer, counts in fields.items() if counts["null"]]
        if nulls:
            lines.append(f"    seen null: {', '.join(nulls)}")
        listed = [(pointer, value, count) for pointer, entry in body["values"].items()
                  for value, count in entry["listed"].items()]  # fmt: skip
        unseen = [f"{pointer} {value}" for pointer, value, count in listed if not count]
        lines.append(f"  {status} enumeration values: {len(listed) - len(unseen)} of {len(listed)} seen"
                     + (f"; never seen: {', '.join(unseen)}" if unseen else ""))  # fmt: skip
        for pointer, entry in body["values"].items():
            if "unlisted" in entry:
                samples = ", ".join(f"{value!r} x{count}" for value, count in entry["unlisted"]["samples"].items())
                lines.append(f"    unlisted at {pointer}: {entry['unlisted']['count']} ({samples})")
        taken = [f"{label} x{count}" for label, count in body["branches"].items() if count]
        untaken = [label for label, count in body["branches"].items() if not count]
        if body["branches"]:
            lines.append(f"  {status} branches: {', '.join(taken) or 'none taken'}"
                         + (f"; never taken: {', '.join(untaken)}" if untaken else ""))  # fmt: skip
    return lines


def _requests(report: dict[str, Any]) -> list[str]:
    """The request side: each parameter's valid and invalid values seen, and what answered the invalid ones."""
    lines = []
    for place, counts in report.get("parameters", {}).items():
        invalid = counts["accepted"] + counts["rejected"] + counts["otherwise"]
        if not counts["valid"] and not invalid:
            lines.append(f"  {place}: never sent")
            continue
        answered = [f"{count} {answer}" for answer, count in counts.items() if answer != "valid" and count]
        seen = f"; invalid x{invalid} ({', '.join(answered)})" if invalid else "; never invalid"
        lines.append(f"  {place}: valid x{counts['valid']}{seen}")
    without = report.get("without_credentials", {})
    if any(without.values()):
        answers = ", ".join(f"{count} {answer}" for answer, count in without.items() if count)
        lines.append(f"  requests without credentials: {answers}")
    return lines


def coverage_line(report: dict[str, object]) -> str:
    """The coverage report in one line: statuses seen of those documented, per operation."""
    parts = []
    for operation, covered in report["operations"].items():  # type: ignore[attr-defined]
        statuses = covered["statuses"]
        parts.append(f"{operation}: {sum(1 for count in statuses.values() if count)} of {len(statuses)} statuses seen")
    return "coverage: " + "; ".join(parts) + " (the full coverage report has the rest)"
