"""A whole `validate` run: the inputs read into units, judged here or on a cluster, every tally handed to the
report as it comes, and the run's verdict at the end."""

from __future__ import annotations

import contextlib
import datetime
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..check import CheckOptions
from ..check.judges import OneContract
from ..contract import JsonObject
from ..exitcodes import ExitCode
from ..findings import RunVerdict, Tally
from ..formats.reader import CLUSTER_CHUNK_BYTES, JSONL_CHUNK_BYTES, Reader
from .cluster import connect, judge_on_cluster
from .local import judge_all, usable_cores
from .progress import Progress, progress_wanted, total_size
from .verdict import validate_verdict

if TYPE_CHECKING:
    from ..contract.requirements import Requirement
    from .baseline import Entry


class Interrupted(Exception):
    """The run was stopped by a signal (SIGINT, or SIGTERM where the command turns it into an interruption): what
    was judged until then, and the signal's number."""

    def __init__(self, total: Tally, signal_number: int) -> None:
        super().__init__(f"interrupted by signal {signal_number}")
        self.total, self.signal_number = total, signal_number


@dataclass(frozen=True)
class RunOptions:
    """How a run reads and spreads its inputs; what decides a verdict is in `check` (CheckOptions)."""

    check: CheckOptions
    jobs: int = 0  # worker processes; 0: one per core
    scheduler: str | None = None  # a Dask scheduler's address, or "local"
    task_mb: int = 0  # megabytes of a JSONL file per unit of work; 0: the default for where it is judged
    storage: dict[str, Any] = field(default_factory=dict, repr=False)  # fsspec options of URLs: may hold secrets
    allow_empty: bool = False
    quiet: bool = False
    requirements: tuple[Requirement, ...] = ()  # --require-coverage: what the traffic must exercise
    contract: str = ""  # where the contract was read from: what a coverage.unmet finding is located at
    baseline: tuple[Entry, ...] | None = None  # --baseline: the findings accepted until a date
    today: datetime.date = field(default_factory=datetime.date.today)  # the day a baseline's dates are read on

    @property
    def processes(self) -> int:
        """The worker processes a run may use: --jobs, or one per core."""
        return self.jobs if self.jobs > 0 else usable_cores()

    @property
    def chunk_bytes(self) -> int:
        if self.task_mb:
            return self.task_mb << 20
        return CLUSTER_CHUNK_BYTES if self.scheduler else JSONL_CHUNK_BYTES


def open_inputs(paths: Sequence[Path | str], options: RunOptions) -> Reader:
    """A reader of the inputs, each checked first (InputError, before any output, for one that cannot be used)."""
    check = options.check
    reader = Reader(
        status=check.default_status,
        content_type=check.default_content_type,
        max_body_size=check.max_body_size,
        storage=options.storage,
        whole_files=bool(options.scheduler),
        chunk_bytes=options.chunk_bytes,
        input_format=check.input_format,
    )
    reader.check_paths(list(paths))
    return reader


def run_validation(
    document: JsonObject, paths: Sequence[Path | str], reader: Reader, options: RunOptions, reporter: Any
) -> tuple[Tally, RunVerdict]:
    """Judge every input, hand each tally to `reporter` as it comes, and say how the run ends (the reporter is
    finished by the caller, which knows where its output goes). ClusterError when no cluster can be used."""
    size = total_size([path for path in paths if isinstance(path, Path)]) + reader.remote_bytes()
    jobs = options.processes
    keeping = reporter.keeping
    total = keeping.tally()
    progress = (
        Progress(sys.stderr, lambda: reader.bytes_read, size, lambda: len(reader.files))
        if progress_wanted(sys.stderr, options.quiet)
        else None
    )
    # Local JSONL ranges numbered where they are judged: the workers write a listing report's items as they stay.
    reader.chain_lines = keeping.writer is not None and not options.scheduler
    items = reader.items(list(paths))
    with contextlib.ExitStack() as stack:
        if options.scheduler:
            client = stack.enter_context(connect(options.scheduler, jobs))
            tallies = judge_on_cluster(items, document, options.check, client, keeping, reader.har_stream)
        else:
            tallies = judge_all(items, OneContract(document, options.check, keeping), jobs, reader.har_stream,
                                reporter.listing_full)  # fmt: skip
        try:
            for tally in tallies:
                total.merge(tally)
                reporter.add(tally)
                if progress:
                    progress.tick(tally.total)
        except KeyboardInterrupt as stop:
            raise Interrupted(total, getattr(stop, "signal_number", signal.SIGINT)) from None
        finally:
            if progress:
                progress.close()
    unmet: list[Any] = []
    if options.check.coverage:
        from ..contract.coverage import Coverage, Plan

        reporter.coverage = (total.coverage or Coverage()).report(Plan.of(document))
        if options.requirements:
            unmet = coverage_unmet(options.requirements, reporter.coverage, total, options.contract)
    filters = [f"--host {options.check.host}"] if options.check.host else []
    verdict = validate_verdict(total, paths, reader.files, allow_empty=options.allow_empty, filters=filters)
    if unmet and verdict.exit_code is ExitCode.OK:
        verdict = RunVerdict(ExitCode.FINDINGS)
    if options.baseline is not None:
        verdict = apply_baseline(options.baseline, total, verdict, reporter, options.today)
    return total, verdict


def apply_baseline(entries: tuple[Entry, ...], total: Tally, verdict: RunVerdict, reporter: Any,
                   today: datetime.date) -> RunVerdict:  # fmt: skip
    """The run's findings groups sorted against a baseline (handed to the report), and how the run ends with it:
    it fails on a new or expired error, or on an unreadable item, as without one; baselined errors do not fail it."""
    from .baseline import sort

    found = sort(list(entries), total, today)
    reporter.baseline = found
    if verdict.exit_code is ExitCode.FINDINGS and not found.failing and not total.unreadable:
        return RunVerdict(ExitCode.OK)
    if verdict.exit_code is ExitCode.OK and found.failing:
        return RunVerdict(ExitCode.FINDINGS)
    return verdict


def coverage_unmet(requirements: tuple[Requirement, ...], report: dict[str, Any], total: Tally,
                   contract: str) -> list[Any]:  # fmt: skip
    """The requirements of --require-coverage the traffic did not meet: each a finding of `coverage.unmet` in the
    run's total (located at the contract, since no item is wrong), and listed in the coverage report."""
    from ..contract.provenance import Provenance
    from ..contract.requirements import unmet
    from ..findings import UNMET_RULE, Finding, Severity

    found = unmet(list(requirements), report)
    for item in found:
        # A requirement is its own group: the option that states it is the rule's source.
        why = Provenance("toolkit", sources=(f"--require-coverage {item.requirement.spec}",))
        finding = Finding(UNMET_RULE, item.pointer, item.message, Severity.ERROR, why, operation=item.operation)
        total.group(contract, [finding])
    report["unmet"] = [{"requirement": item.requirement.spec, "operation": item.operation, "pointer": item.pointer,
                        "message": item.message} for item in found]  # fmt: skip
    return found
