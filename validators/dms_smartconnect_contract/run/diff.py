"""The `diff` run: a version of the contract from a file, or `git:REF` for the contract at a revision of the
repository; and recorded traffic judged under two versions (`--captures`)."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ..contract import ContractError, JsonObject, read_document
from ..contract.changes import Change
from ..contract.comparison import Finding, Version, Weight, accounts_for, instance_places
from ..contract.document import line_numbers
from ..exitcodes import ExitCode
from ..findings import Outcome, Tally
from .validate import RunOptions, open_inputs, run_validation

GIT_PREFIX = "git:"
DEFAULT_CONTRACT = "openapi.yaml"


def read_version(spec: str) -> Version:
    """A contract named by a path, or `git:REF` (`git:REF:PATH`) for the one at a revision of the repository the
    current folder is in. ContractError says what cannot be read."""
    if not spec.startswith(GIT_PREFIX):
        path = Path(spec)
        document = read_document(path)  # refuses what cannot be read, before the text is read again for lines
        return Version(spec, spec, document, line_numbers(path.read_text(encoding="utf-8")))
    revision, _, inside = spec[len(GIT_PREFIX) :].partition(":")
    inside = inside or DEFAULT_CONTRACT
    try:
        shown = subprocess.run(["git", "show", f"{revision}:{inside}"], capture_output=True, check=False)
    except OSError as exc:
        raise ContractError(f"{spec}: git cannot be run ({exc.strerror})") from exc
    if shown.returncode != 0:
        reason = shown.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ContractError(f"{spec}: git cannot show {revision}:{inside}: {reason[-1] if reason else 'no reason'}")
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / Path(inside).name
        copy.write_bytes(shown.stdout)
        document = read_document(copy)
    text = shown.stdout.decode("utf-8")
    return Version(f"{inside}@{revision}", inside, document, line_numbers(text))


class _Outcomes:
    """A reporter that keeps each judged item's outcome by its location, and what a violating one breaks."""

    detail = True
    coverage = None

    def __init__(self) -> None:
        self.outcomes: dict[str, Outcome] = {}
        self.findings: dict[str, frozenset[Finding]] = {}

    def add(self, tally: Tally) -> None:
        for result in tally.items:
            self.outcomes[result.location] = result.outcome
            if result.outcome is Outcome.VIOLATING:
                self.findings[result.location] = frozenset((found.rule, found.pointer) for found in result.findings)


def weigh(
    base: JsonObject, head: JsonObject, changes: Sequence[Change], paths: Sequence[Path | str], options: RunOptions
) -> tuple[Weight, ...]:
    """The captures judged under both versions, in the default and the strict reading, with the same engine and
    limits as `validate`: the counts under each and the exchanges whose outcome the change turns. InputError for an
    input that cannot be used; a run that judged nothing is no weighing (ValueError, saying so)."""
    places = instance_places(base)
    for pointer, found_at in instance_places(head).items():
        places.setdefault(pointer, set()).update(found_at)
    weights = []
    for reading, strict in (("default", False), ("strict", True)):
        sides = []
        for document in (base, head):
            run = replace(options, check=replace(options.check, strict=strict), quiet=True)
            collected = _Outcomes()
            total, verdict = run_validation(document, paths, open_inputs(paths, run), run, collected)
            if verdict.exit_code is ExitCode.NOTHING_PROVED:
                raise ValueError(f"the captures hold nothing to judge: {verdict.reason}")
            sides.append((total.as_dict(), collected))
        (base_counts, before), (head_counts, after) = sides
        turned = [(where, old, after.outcomes.get(where)) for where, old in before.outcomes.items()]
        rejected = [where for where, old, new in turned if old is Outcome.CONFORMING and new is Outcome.VIOLATING]
        accepted = [where for where, old, new in turned if old is Outcome.VIOLATING and new is Outcome.CONFORMING]
        # The version that rejects an exchange says why: the changes whose rules its findings name account for it.
        counts: dict[int, list[int]] = {}
        unexplained = [0, 0]
        for side, locations, rejecting, effects in ((0, rejected, after, ("stricter", "changed")),
                                                    (1, accepted, before, ("looser", "changed"))):  # fmt: skip
            # Only a change that makes this reading stricter can reject what it accepted, and the reverse.
            candidates = [
                (index, change) for index, change in enumerate(changes) if change.readings[reading] in effects
            ]
            for where in locations:
                found = rejecting.findings.get(where, frozenset())
                causes = [index for index, change in candidates if accounts_for(change, places, found)]
                for index in causes:
                    counts.setdefault(index, [0, 0])[side] += 1
                unexplained[side] += not causes
        by_change = {index: (pair[0], pair[1]) for index, pair in counts.items()}
        weights.append(Weight(reading, base_counts, head_counts, rejected, accepted, by_change,
                              (unexplained[0], unexplained[1])))  # fmt: skip
    return tuple(weights)
