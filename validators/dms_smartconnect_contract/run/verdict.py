"""The verdict of a whole run: its exit code and, when the run proved nothing, why, input by input.

A run that judged nothing is no success: an empty capture, a folder of other files, or a filter that matched no
entry would otherwise end green. It fails with its own exit code (5, like pytest's "no tests collected") unless
the user allows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from pathlib import Path

from ..exitcodes import ExitCode
from ..findings import RunVerdict, Tally

SHOWN_PER_INPUT = 5
NOT_A_CAPTURE = "not a capture file"


def validate_verdict(
    summary: Tally,
    inputs: Sequence[str | PathLike[str]],
    files: dict[str, str],
    *,
    allow_empty: bool = False,
    filters: Sequence[str] = (),
) -> RunVerdict:
    """The verdict of `validate`: findings or unreadable items fail (1); a run that judged nothing fails (5) unless
    `allow_empty`; else it passes. `files` maps each capture file read to its kind; `filters` are the options
    that narrowed the run (shown when nothing passed them)."""
    if summary.violating or summary.unreadable:
        return RunVerdict(ExitCode.FINDINGS)
    if summary.judged:
        return RunVerdict(ExitCode.OK)
    details = [line for path in inputs for line in _held(str(path), files, summary)]
    if filters:
        details.append(f"options that narrowed the run: {' '.join(filters)}")
    reason = (
        f"nothing was judged: none of the {summary.total} item(s) found is a response of an operation of the contract"
    )
    if not summary.total:
        reason = "nothing was judged: the inputs hold no item"
    return RunVerdict(ExitCode.OK if allow_empty else ExitCode.NOTHING_PROVED, reason, details)


def _under(file: str, path: str) -> bool:
    return file == path or file.startswith(path.rstrip("/") + "/")


def _held(path: str, files: dict[str, str], summary: Tally) -> list[str]:
    """What one input held, when none of it was judged: one line per capture file (the first few), one for the
    files that are no capture."""
    captures = [file for file in files if _under(file, path)]
    others: dict[str, int] = {}
    for file, reasons in summary.skipped_by_source.items():
        if _under(file, path) and file not in files:
            for reason, count in reasons.items():
                others[reason] = others.get(reason, 0) + count
    if not captures and not others:
        return [f"{path}: an empty folder" if Path(path).is_dir() else f"{path}: holds nothing"]
    lines = []
    for file in captures[:SHOWN_PER_INPUT]:
        reasons = summary.skipped_by_source.get(file, {})
        kind = files[file]
        if not reasons:
            lines.append(
                f"{file}: a {kind} file with no {'lines (blank ones aside)' if kind == 'JSONL' else 'entries'}"
            )
        else:
            listed = "; ".join(f"{reason}: {count}" for reason, count in sorted(reasons.items()))
            lines.append(f"{file}: {sum(reasons.values())} item(s), all skipped ({listed})")
    if len(captures) > SHOWN_PER_INPUT:
        lines.append(f"{path}: and {len(captures) - SHOWN_PER_INPUT} more capture file(s) like these")
    if others:
        listed = "; ".join(f"{reason}: {count}" for reason, count in sorted(others.items()))
        scope = "holds no capture file" if not captures else "also holds"
        lines.append(f"{path}: {scope} ({listed})")
    return lines
