"""The `diff` run: a version of the contract from a file, or `git:REF` for the contract at a revision of the
repository; and recorded traffic judged under two versions (`--captures`)."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..check.weighed import READINGS, SIDES, Found, Weighing
from ..check.weighing import TwoContracts
from ..contract import ContractError, JsonObject
from ..contract.changes import Change
from ..contract.comparison import Version, Weight, accounts_for, instance_places
from ..contract.document import read_with_lines
from ..exitcodes import ExitCode
from ..findings import Tally
from .local import judge_all
from .validate import RunOptions, open_inputs
from .verdict import validate_verdict

GIT_PREFIX = "git:"
DEFAULT_CONTRACT = "openapi.yaml"


def read_version(spec: str) -> Version:
    """A contract named by a path, or `git:REF` (`git:REF:PATH`) for the one at a revision of the repository the
    current folder is in. ContractError says what cannot be read."""
    if not spec.startswith(GIT_PREFIX):
        document, lines = read_with_lines(Path(spec))
        return Version(spec, spec, document, lines)
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
        document, lines = read_with_lines(copy)
    return Version(f"{inside}@{revision}", inside, document, lines)


class _Turns:
    """What one reading turns, counted as the parts come: how many exchanges each way, their first locations, and
    how many of each a change accounts for (the rest, unexplained)."""

    def __init__(self, reading: str, changes: Sequence[Change], places: dict[str, set[str]]) -> None:
        self.reading, self.places = reading, places
        # Only a change that makes this reading stricter can reject what it accepted, and the reverse.
        self.candidates = {
            rejected: [(index, change) for index, change in enumerate(changes)
                       if change.readings[reading] in (("stricter", "changed") if rejected else ("looser", "changed"))]
            for rejected in (True, False)
        }  # fmt: skip
        self.counts = {True: 0, False: 0}
        self.by_change: dict[int, list[int]] = {}
        self.unexplained = {True: 0, False: 0}

    def add(self, rejected: bool, findings: frozenset[Found], count: int) -> None:
        """`count` exchanges turned alike: the version that rejects them says why, and the changes whose rules its
        findings name account for them."""
        self.counts[rejected] += count
        causes = [index for index, change in self.candidates[rejected] if accounts_for(change, self.places, findings)]
        for index in causes:
            self.by_change.setdefault(index, [0, 0])[0 if rejected else 1] += count
        if not causes:
            self.unexplained[rejected] += count

    def weight(self, base: Tally, head: Tally, first: dict[tuple[str, bool], list[str]]) -> Weight:
        return Weight(
            self.reading, base.as_dict(), head.as_dict(), self.counts[True], self.counts[False],
            tuple(first.get((self.reading, True), ())), tuple(first.get((self.reading, False), ())),
            {index: (pair[0], pair[1]) for index, pair in self.by_change.items()},
            (self.unexplained[True], self.unexplained[False]),
        )  # fmt: skip


def weigh(
    base: JsonObject, head: JsonObject, changes: Sequence[Change], paths: Sequence[Path | str], options: RunOptions
) -> tuple[Weight, ...]:
    """The captures judged under both versions, in the default and the strict reading, in one pass with the same
    engine and limits as `validate`: the counts under each and the exchanges whose outcome a change turns. InputError
    for an input that cannot be used; a run that judged nothing is no weighing (ValueError, saying so)."""
    places = instance_places(base)
    for pointer, found_at in instance_places(head).items():
        places.setdefault(pointer, set()).update(found_at)
    reader = open_inputs(paths, options)
    total = Weighing()
    turns = {reading: _Turns(reading, changes, places) for reading in READINGS}
    making = TwoContracts(base, head, options.check)
    for part in judge_all(reader.items(list(paths)), making, options.processes, reader.har_stream):
        # Attributed as they come, once per kind of turn: a capture may turn millions of exchanges alike. Only the
        # counts and the first locations are kept.
        for (reading, rejected, findings), locations in part.turned.items():
            turns[reading].add(rejected, findings, len(locations))
        part.turned.clear()
        total.merge(part)
    for side in SIDES:
        verdict = validate_verdict(total.tallies[side, "default"], paths, reader.files)
        if verdict.exit_code is ExitCode.NOTHING_PROVED:
            raise ValueError(f"the captures hold nothing to judge: {verdict.reason}")
    return tuple(
        turns[reading].weight(total.tallies["base", reading], total.tallies["head", reading], total.first)
        for reading in READINGS
    )
