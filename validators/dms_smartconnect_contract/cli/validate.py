"""`validate`: judge recorded responses and captures against the contract, and report the findings."""

from __future__ import annotations

import argparse
import datetime
import signal
import sys
from typing import TYPE_CHECKING, Any

from ..check import CheckOptions
from ..contract import ContractError, operations, packaged_contract_path, read_document
from ..exitcodes import ExitCode
from ..formats.reader import InputError
from ..formats.stdin import STDIN
from ..redact import printable
from ..reports import make_reporter
from ..reports.base import summary_line
from ..reports.destination import ReportFile
from ..run.cluster import ClusterError
from ..run.validate import Interrupted, RunOptions, open_inputs, run_validation
from ..sources.files import storage_options
from ..stopping import stoppable
from .errors import error, is_report_file, os_error

if TYPE_CHECKING:
    from ..contract.requirements import Requirement
    from ..findings import Accepted


def cmd_validate(args: argparse.Namespace) -> ExitCode:
    """Judge recorded responses and captures against the contract and report the findings."""
    try:
        document = read_document(args.contract)
        operations(document).bare(args.operation)  # a --operation the contract lacks stops here, naming those it has
    except ContractError as exc:
        return error("the contract cannot be used", str(exc), "Pass an OpenAPI 3.1 file with --contract.")
    try:
        storage = storage_options(args.storage_option, args.paths)
    except ValueError as exc:
        return error("a storage option is not KEY=VALUE", str(exc), "Write --storage-option key=value.")
    requirements: tuple[Requirement, ...] = ()
    if args.require_coverage:  # read here: most runs need neither the coverage plan nor these
        from ..contract.coverage import Coverage, Plan
        from ..contract.requirements import check_against, parse

        try:
            requirements = tuple(parse(spec) for spec in args.require_coverage)
            check_against(list(requirements), Coverage().report(Plan.of(document)))
        except ContractError as exc:
            return error("a --require-coverage SPEC cannot be used", str(exc), "See `validate --help`.")
    baseline = None
    today = datetime.date.today()  # one day for the whole run: what the report marks is what the verdict reads
    if args.write_baseline and (not args.reason or args.expires is None):
        return error("--write-baseline needs --reason and --expires", "an accepted finding says why, and until when",
                      "Add --reason TEXT --expires YYYY-MM-DD.")  # fmt: skip
    if args.write_baseline and args.expires < today:
        return error("--expires is in the past", f"{args.expires}: every entry would have expired",
                      "Give the last day the findings are accepted.")  # fmt: skip
    if args.baseline:
        from ..run.baseline import BaselineError, read

        try:
            baseline = tuple(read(args.baseline))
        except BaselineError as exc:
            return error("the baseline cannot be used", str(exc), "Write it again with --write-baseline.")
    check = CheckOptions(
        strict=args.strict,
        engine=args.engine,
        max_body_size=args.max_body_size,
        max_findings=args.max_findings,
        default_status=args.status,
        default_content_type=args.content_type,
        host=args.host,
        coverage=args.coverage or bool(requirements),
        operation=args.operation,
        input_format=args.input_format,
    )
    # Standard input is judged here as it comes, unless --jobs asks for a pool (which judges it in windows of units).
    jobs = 1 if not args.jobs and any(str(path) == STDIN for path in args.paths) else args.jobs
    options = RunOptions(check, jobs, args.scheduler, args.task_mb, storage, args.allow_empty, args.quiet,
                         requirements, str(args.contract or packaged_contract_path()), baseline, today)  # fmt: skip
    try:
        reader = open_inputs(args.paths, options)
    except InputError as exc:
        return error("an input cannot be read", str(exc), "Check the path or URL; nothing was validated.")
    where = str(args.output) if args.output else "standard output"
    try:
        with stoppable(), ReportFile(args.output) as out:
            reporter = make_reporter(
                args.format, out, verbosity=-1 if args.quiet else args.verbose, contract=args.contract
            )
            accepted = _accepted(args, baseline, today)
            if accepted is not None:
                reporter.accept(accepted)
            total, verdict = run_validation(document, args.paths, reader, options, reporter)
            if args.write_baseline:
                verdict = _write_baseline(args, total, verdict, reporter, today)
            reporter.finish(total, verdict)
    except ClusterError as exc:
        return error("the cluster cannot be used", str(exc), "Nothing was validated.")
    except ContractError as exc:  # a part of the contract compiled when first needed (a recursive schema, say)
        return error("the contract cannot be used", str(exc), "Nothing was validated.")
    except Interrupted as stop:
        return _interrupted(args, summary_line(stop.total), stop.signal_number)
    except KeyboardInterrupt as stop:  # once every item was judged, while the report was finished
        return _interrupted(args, "every item was judged", getattr(stop, "signal_number", signal.SIGINT))
    except OSError as exc:
        if exc.filename and not is_report_file(str(exc.filename), args.output):
            return os_error("an input cannot be read:", str(exc.filename), exc)  # (it vanished, or became unreadable)
        return os_error("the report cannot be written to", where, exc)
    if args.output and args.format != "text" and not args.quiet:
        print(f"{summary_line(total)}; report written to {args.output}", file=sys.stderr)
    if verdict.reason:
        if verdict.exit_code is ExitCode.NOTHING_PROVED:
            hint = "A run that judges nothing proves nothing (exit 5); --allow-empty accepts it."
            print(f"error: {printable(verdict.reason)}", *(f"  {printable(line)}" for line in verdict.details), f"  {hint}",
                  sep="\n", file=sys.stderr)  # fmt: skip
        elif not args.quiet:
            print(f"note: {printable(verdict.reason)} (allowed by --allow-empty)", file=sys.stderr)
    return verdict.exit_code


def _interrupted(args: argparse.Namespace, judged: str, signal_number: int) -> ExitCode:
    written = f"; nothing was written to {args.output}" if args.output else ""
    print(f"interrupted: {judged} (the run did not finish{written})", file=sys.stderr)
    return ExitCode.TERMINATED if signal_number == signal.SIGTERM else ExitCode.INTERRUPTED


def _accepted(args: argparse.Namespace, baseline: tuple[Any, ...] | None, today: datetime.date) -> Accepted | None:
    """What the run's baseline accepts, known before the run: every group for the run that writes one."""
    if args.write_baseline:
        from ..run.baseline import recorded

        return recorded(args.reason, args.expires)
    if baseline is not None:
        from ..run.baseline import in_force

        return in_force(list(baseline), today)
    return None


def _write_baseline(args: argparse.Namespace, total: Any, verdict: Any, reporter: Any, today: datetime.date) -> Any:
    """Record the run's findings as accepted, and end the run as it would end with that baseline."""
    from ..run.baseline import read, write
    from ..run.validate import apply_baseline

    count = write(args.write_baseline, total, args.reason, args.expires)
    print(f"baseline: {count} findings group(s) written to {args.write_baseline}, accepted until {args.expires}",
          file=sys.stderr)  # fmt: skip
    return apply_baseline(tuple(read(args.write_baseline)), total, verdict, reporter, today)
