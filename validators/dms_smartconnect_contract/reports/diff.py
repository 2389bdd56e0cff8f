"""The `diff` report in each format: text for a terminal, JSON for machines, Markdown for a pull request's summary,
and GitHub workflow commands that annotate the changed line of the contract."""

from __future__ import annotations

import json
from typing import Any

from ..contract.changes import READINGS, Change
from ..contract.comparison import Comparison, Placed, Weight
from ..contract.provenance import Provenance
from ..redact import printable
from .github import escape_data, escape_property

_VERDICT = {
    "major": "a major version of the models: code generated from the base may break",
    "minor": "a minor version: rules changed, generated code keeps working",
    "patch": "a patch version: documentation only",
    "none": "no new version: nothing changed",
}


def _provenance(found: Provenance | None) -> str:
    return found.label if found else "no provenance"


def _effects(change: Change) -> str:
    """What the change does, reader by reader, leaving out those it leaves alone."""
    parts = [f"generated code: {change.generated}"] if change.generated != "none" else []
    parts += [f"{reading}: {effect}" for reading, effect in change.readings.items() if effect != "none"]
    return "; ".join(parts) or "documentation only"


def _side(comparison: Comparison, placed: Placed, which: str) -> str:
    change = placed.change
    version = comparison.base if which == "base" else comparison.head
    line = placed.base_line if which == "base" else placed.head_line
    value = change.base if which == "base" else change.head
    found = change.base_provenance if which == "base" else change.head_provenance
    where = f"{version.label}:{line}" if line else version.label
    if value is None and change.change != "documentation":
        return f"{where}: (none)"
    # An operation or a schema has no provenance of its own, and words have none: their rules carry it.
    return (
        where
        if change.keyword in ("operation", "schema") or change.change == "documentation"
        else (f"{where} [{_provenance(found)}]")
    )


def _headline(comparison: Comparison) -> str:
    base, head = comparison.base, comparison.head
    count = len(comparison.changes)
    moves = comparison.moves
    short = "" if comparison.version_enough else f" (too little: it must move {comparison.bump})"
    return (
        f"{base.label} ({base.version or 'no version'}) -> {head.label} ({head.version or 'no version'}): "
        f"{count} change(s), {len(comparison.breaking)} breaking for generated code; they need "
        f"{_VERDICT[comparison.bump]}; info.version moves {moves}{short}"
    )


def _samples(count: int, locations: tuple[str, ...]) -> str:
    shown = ", ".join(locations)
    return f" (e.g. {shown}{f' and {count - len(locations)} more' if count > len(locations) else ''})" if shown else ""


def _traffic(weight: Weight) -> list[str]:
    """The traffic under both versions in one reading, in words."""
    judged = weight.base["conforming"] + weight.base["violating"]
    return [
        f"{weight.reading}: base {weight.base['conforming']:,} conforming, {weight.base['violating']:,} violating; "
        f"head {weight.head['conforming']:,} conforming, {weight.head['violating']:,} violating "
        f"(of {weight.base['total']:,} item(s))",
        f"  the head rejects {weight.rejected:,} of {weight.base['conforming']:,} exchange(s) the base accepts"
        f"{_samples(weight.rejected, weight.rejected_samples)}",
        f"  the head accepts {weight.accepted:,} of {judged - weight.base['conforming']:,} exchange(s) the base "
        f"rejects{_samples(weight.accepted, weight.accepted_samples)}",
        *(
            [f"  of these, {weight.unexplained[0]:,} rejected and {weight.unexplained[1]:,} accepted are named by no "
             "finding of a changed rule"]
            if any(weight.unexplained) else []
        ),
    ]  # fmt: skip


def _seen(comparison: Comparison, index: int) -> str:
    """What recorded traffic says of one change: the exchanges it turns, reading by reading."""
    if not comparison.weights or comparison.changes[index].change.change == "documentation":
        return ""  # words judge nothing
    parts = []
    for weight in comparison.weights:
        rejected, accepted = weight.by_change.get(index, (0, 0))
        judged = weight.base["conforming"] + weight.base["violating"]
        turned = [
            f"rejects {rejected:,} of {weight.base['conforming']:,} it accepted" if rejected else "",
            f"accepts {accepted:,} of {judged - weight.base['conforming']:,} it rejected" if accepted else "",
        ]
        if any(turned):
            parts.append(f"{weight.reading} {' and '.join(t for t in turned if t)}")
    return f"recorded exchanges: {'; '.join(parts)}" if parts else "seen in no recorded exchange"


def text(comparison: Comparison) -> str:
    lines = [printable(_headline(comparison))]
    for index, placed in enumerate(comparison.changes):
        change = placed.change
        mark = "breaking" if change.breaking else change.bump
        lines.append(f"{mark:<9} {printable(change.what)}")
        lines.append(f"    {_effects(change)}")
        if seen := _seen(comparison, index):
            lines.append(f"    {seen}")
        lines.append(f"    base {printable(_side(comparison, placed, 'base'))}")
        lines.append(f"    head {printable(_side(comparison, placed, 'head'))}")
    if not comparison.changes:
        lines.append("no changes")
    if comparison.weights:
        lines.append("recorded traffic, judged under both versions:")
        lines += [f"  {printable(line)}" for weight in comparison.weights for line in _traffic(weight)]
    return "\n".join(lines) + "\n"


def _cell(value: str) -> str:
    return printable(value).replace("|", "\\|")


def markdown(comparison: Comparison) -> str:
    base, head = comparison.base, comparison.head
    lines = [
        f"### Contract changes: `{_cell(base.label)}` ({_cell(base.version)}) → `{_cell(head.label)}` "
        f"({_cell(head.version)})",
        "",
        f"{len(comparison.changes)} change(s), **{len(comparison.breaking)} breaking** for generated code. They need "
        f"{_VERDICT[comparison.bump]}; `info.version` moves **{comparison.moves}**"
        + ("." if comparison.version_enough else f", too little: it must move **{comparison.bump}**."),
    ]
    if comparison.changes:
        traffic = " recorded traffic |" if comparison.weights else ""
        lines += ["", "| change | generated code | " + " | ".join(READINGS) + f" |{traffic} base | head |",
                  "|---|---|" + "---|" * len(READINGS) + ("---|" if traffic else "") + "---|---|"]  # fmt: skip
        for index, placed in enumerate(comparison.changes):
            change = placed.change
            effects = " | ".join("-" if change.readings[r] == "none" else change.readings[r] for r in READINGS)
            generated = (
                "-"
                if change.generated == "none"
                else f"**{change.generated}**"
                if change.breaking
                else change.generated
            )
            seen = f" {_cell(_seen(comparison, index))} |" if comparison.weights else ""
            lines.append(f"| {_cell(change.what)} | {generated} | {effects} |{seen} "
                         f"{_cell(_side(comparison, placed, 'base'))} | {_cell(_side(comparison, placed, 'head'))} |")  # fmt: skip
    if comparison.weights:
        lines += ["", "Recorded traffic, judged under both versions:", "",
                  "| reading | conforming (base → head) | violating (base → head) | rejected by the head | accepted by the head |",
                  "|---|---:|---:|---:|---:|"]  # fmt: skip
        for weight in comparison.weights:
            lines.append(f"| {weight.reading} | {weight.base['conforming']:,} → {weight.head['conforming']:,} | "
                         f"{weight.base['violating']:,} → {weight.head['violating']:,} | {weight.rejected:,} | "
                         f"{weight.accepted:,} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def github(comparison: Comparison) -> str:
    """An annotation per change on its line of the head's file (a removal: on the place it was removed from),
    error for a breaking change, warning for a change of what a reading accepts, notice for words."""
    lines = []
    for placed in comparison.changes:
        change = placed.change
        kind = "error" if change.breaking else "notice" if change.bump == "patch" else "warning"
        where = f"file={escape_property(comparison.head.file)}"
        if placed.head_line:
            where += f",line={placed.head_line}"
        title = escape_property(f"contract change ({change.bump})")
        lines.append(f"::{kind} {where},title={title}::{escape_data(f'{change.what}: {_effects(change)}')}")
    lines.append(escape_data(_headline(comparison)))
    for weight in comparison.weights:
        lines.append(
            f"::notice title={escape_property('recorded traffic')}::{escape_data('; '.join(_traffic(weight)))}"
        )
    return "\n".join(lines) + "\n"


def as_json(comparison: Comparison) -> str:
    def side(value: Any, found: Provenance | None, line: int | None) -> dict[str, Any]:
        return {"value": value, "provenance": found.as_dict() if found else None, "line": line}

    out: dict[str, Any] = {
        "base": {"contract": comparison.base.label, "version": comparison.base.version},
        "head": {"contract": comparison.head.label, "version": comparison.head.version},
        "needs": comparison.bump,
        "version_moves": comparison.moves,
        "version_enough": comparison.version_enough,
        "breaking": len(comparison.breaking),
        "changes": [
            {
                "change": placed.change.change,
                "what": placed.change.what,
                "pointer": placed.change.pointer,
                "keyword": placed.change.keyword,
                "generated": placed.change.generated,
                "readings": placed.change.readings,
                "needs": placed.change.bump,
                "base": side(placed.change.base, placed.change.base_provenance, placed.base_line),
                "head": side(placed.change.head, placed.change.head_provenance, placed.head_line),
                **(
                    {
                        "traffic": {
                            w.reading: dict(zip(("rejected", "accepted"), w.by_change.get(index, (0, 0)), strict=True))
                            for w in comparison.weights
                        }
                    }
                    if comparison.weights
                    else {}
                ),
            }
            for index, placed in enumerate(comparison.changes)
        ],
    }
    if comparison.weights:
        out["traffic"] = [
            {"reading": w.reading, "base": w.base, "head": w.head, "rejected": w.rejected,
             "accepted": w.accepted, "rejected_samples": list(w.rejected_samples),
             "accepted_samples": list(w.accepted_samples), "unexplained": list(w.unexplained)}
            for w in comparison.weights
        ]  # fmt: skip
    return json.dumps(out, indent=2, ensure_ascii=False, default=str) + "\n"


RENDERERS = {"text": text, "json": as_json, "markdown": markdown, "github": github}
