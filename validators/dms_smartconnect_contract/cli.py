"""The `smartconnect-contract` command line: parse arguments, call one step, map its outcome to an exit code."""

from __future__ import annotations

import argparse
import contextlib
import datetime
import errno
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__, missing_extra
from .check import DEFAULT_MAX_BODY_SIZE, CheckOptions
from .contract import ContractError, operations, packaged_contract_path, read_document
from .exitcodes import ExitCode
from .findings import MAX_FINDINGS
from .formats.families import INPUT_FORMATS
from .formats.reader import InputError
from .redact import printable
from .reports import make_reporter
from .reports.base import summary_line
from .reports.destination import ReportFile
from .run.cluster import ClusterError
from .run.validate import Interrupted, RunOptions, open_inputs, run_validation
from .sources.files import is_url, storage_options

if TYPE_CHECKING:
    from .contract.requirements import Requirement


def _error(header: str, detail: str, hint: str) -> ExitCode:
    # Paths and messages may hold any character a file name can: none reaches the terminal as a control.
    print(f"error: {printable(header)}\n  {printable(detail)}\n  {hint}", file=sys.stderr)
    return ExitCode.ERROR


def _os_error(action: str, where: str, exc: OSError) -> ExitCode:
    """One line for an operating system's refusal (a full disk, a closed pipe, no permission): what could not be
    done, where, and the system's words."""
    reason = exc.strerror or type(exc).__name__
    if exc.errno == errno.EPIPE:  # nothing more can reach the reader: later writes (at exit too) go nowhere
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    print(f"error: {action} {printable(where)}: {reason}", file=sys.stderr)
    return ExitCode.ERROR


def _is_report_file(name: str, target: Path | None) -> bool:
    """Whether a file an OS error names is the report's: its target, or the temporary file beside it."""
    if target is None:
        return False
    path = Path(name)
    return path == target or (path.parent == target.parent and path.name.startswith(f".{target.name}."))


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the run is, so that it ends as an interruption does (and leaves no report behind)."""

    signal_number = signal.SIGTERM


@contextlib.contextmanager
def _interruptible() -> Iterator[None]:
    """SIGTERM stops the block as Ctrl-C does, for as long as it runs."""

    def terminate(number: int, frame: object) -> None:
        raise _Terminated

    try:
        previous = signal.signal(signal.SIGTERM, terminate)
    except ValueError:  # not the main thread (an embedding program): SIGTERM keeps its own handling
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def cmd_lint(args: argparse.Namespace) -> ExitCode:
    """Check the contract document and print a short summary of it."""
    # Imported here: the OpenAPI validator costs 0.4 s of start-up that `validate` does not need.
    from .contract.lint import lint_document
    from .reports.lint import summary_lines

    try:
        document = read_document(args.contract)
        problems = lint_document(document)
    except ContractError as exc:
        return _error("the contract cannot be used", str(exc), "Pass an OpenAPI 3.1 file.")
    source = str(args.contract or "packaged contract")
    for problem in problems:
        print(f"{source}#{problem.pointer}: {problem.message}")
    if problems:
        print(f"{source}: {len(problems)} problem(s)")
        return ExitCode.FINDINGS
    print("\n".join(summary_lines(document, source)))
    return ExitCode.OK


def cmd_rules(args: argparse.Namespace) -> ExitCode:
    """Print every rule of the contract and where it comes from."""
    from .reports import rules

    try:
        document = read_document(args.contract)
        render = {"text": rules.text, "markdown": rules.markdown, "json": rules.as_json}[args.format]
        sys.stdout.write(render(document))
    except ContractError as exc:
        return _error("the contract cannot be used", str(exc), "Pass an OpenAPI 3.1 file with --contract.")
    return ExitCode.OK


def cmd_diff(args: argparse.Namespace) -> ExitCode:
    """Compare two versions of the contract rule by rule: what each change does to generated code and to each
    reading, and the version the models need. Stopped (Ctrl-C, SIGTERM), it reports nothing of a part."""
    try:
        with _interruptible():
            return _diff(args)
    except KeyboardInterrupt as stop:
        print("interrupted: the diff did not finish; nothing was reported", file=sys.stderr)
        terminated = getattr(stop, "signal_number", signal.SIGINT) == signal.SIGTERM
        return ExitCode.TERMINATED if terminated else ExitCode.INTERRUPTED


def _diff(args: argparse.Namespace) -> ExitCode:
    from .contract.comparison import compare
    from .contract.lint import lint_document
    from .reports.diff import RENDERERS
    from .run.diff import read_version

    try:
        base, head = read_version(args.base), read_version(args.head)
        # The head is what will be released: a version lint refuses is no contract to compare (the base is history).
        problems = lint_document(head.document)
    except ContractError as exc:
        return _error("a version of the contract cannot be used", str(exc), "Pass two OpenAPI files, or git:REF.")
    if problems:
        first = problems[0]
        detail = f"{head.label}#{first.pointer}: {first.message}" + (
            f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        )
        return _error(
            "the head fails lint", detail, f"Run `smartconnect-contract lint {head.file}` to see every problem."
        )
    comparison = compare(base, head)
    if args.captures:
        from dataclasses import replace

        from .run.diff import weigh

        options = RunOptions(check=CheckOptions(), jobs=args.jobs, quiet=True)
        try:
            captures = [_input_path(path) for path in args.captures]
            changes = [placed.change for placed in comparison.changes]
            weights = weigh(base.document, head.document, changes, captures, options)
        except InputError as exc:
            return _error("an input cannot be read", str(exc), "Pass capture files or folders, as to validate.")
        except ValueError as exc:
            return _error("the captures prove nothing", str(exc), "Pass captures of the contract's operations.")
        except OSError as exc:  # an input that vanished, or became unreadable, once judging began
            return _os_error("an input cannot be read:", str(exc.filename or args.captures[0]), exc)
        comparison = replace(comparison, weights=weights)
    sys.stdout.write(RENDERERS[args.format](comparison))
    if comparison.breaking and not args.allow_breaking:
        return ExitCode.FINDINGS
    return ExitCode.OK


def _input_path(text: str) -> Path | str:
    """A local path, or a URL kept as given."""
    return text if is_url(text) else Path(text)


def cmd_validate(args: argparse.Namespace) -> ExitCode:
    """Judge recorded responses and captures against the contract and report the findings."""
    try:
        document = read_document(args.contract)
        operations(document).bare(args.operation)  # a --operation the contract lacks stops here, naming those it has
    except ContractError as exc:
        return _error("the contract cannot be used", str(exc), "Pass an OpenAPI 3.1 file with --contract.")
    try:
        storage = storage_options(args.storage_option, args.paths)
    except ValueError as exc:
        return _error("a storage option is not KEY=VALUE", str(exc), "Write --storage-option key=value.")
    requirements: tuple[Requirement, ...] = ()
    if args.require_coverage:  # read here: most runs need neither the coverage plan nor these
        from .contract.coverage import Coverage, Plan
        from .contract.requirements import check_against, parse

        try:
            requirements = tuple(parse(spec) for spec in args.require_coverage)
            check_against(list(requirements), Coverage().report(Plan.of(document)))
        except ContractError as exc:
            return _error("a --require-coverage SPEC cannot be used", str(exc), "See `validate --help`.")
    baseline = None
    if args.write_baseline and (not args.reason or args.expires is None):
        return _error("--write-baseline needs --reason and --expires", "an accepted finding says why, and until when",
                      "Add --reason TEXT --expires YYYY-MM-DD.")  # fmt: skip
    if args.write_baseline and args.expires < datetime.date.today():
        return _error("--expires is in the past", f"{args.expires}: every entry would have expired",
                      "Give the last day the findings are accepted.")  # fmt: skip
    if args.baseline:
        from .run.baseline import BaselineError, read

        try:
            baseline = tuple(read(args.baseline))
        except BaselineError as exc:
            return _error("the baseline cannot be used", str(exc), "Write it again with --write-baseline.")
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
    options = RunOptions(check, args.jobs, args.scheduler, args.task_mb, storage, args.allow_empty, args.quiet,
                         requirements, str(args.contract or packaged_contract_path()), baseline)  # fmt: skip
    try:
        reader = open_inputs(args.paths, options)
    except InputError as exc:
        return _error("an input cannot be read", str(exc), "Check the path or URL; nothing was validated.")
    where = str(args.output) if args.output else "standard output"
    try:
        with _interruptible(), ReportFile(args.output) as out:
            reporter = make_reporter(
                args.format, out, verbosity=-1 if args.quiet else args.verbose, contract=args.contract
            )
            total, verdict = run_validation(document, args.paths, reader, options, reporter)
            if args.write_baseline:
                verdict = _write_baseline(args, total, verdict, reporter)
            reporter.finish(total, verdict)
    except ClusterError as exc:
        return _error("the cluster cannot be used", str(exc), "Nothing was validated.")
    except ContractError as exc:  # a part of the contract compiled when first needed (a recursive schema, say)
        return _error("the contract cannot be used", str(exc), "Nothing was validated.")
    except Interrupted as stop:
        written = f"; nothing was written to {args.output}" if args.output else ""
        print(f"interrupted: {summary_line(stop.total)} (the run did not finish{written})", file=sys.stderr)
        return ExitCode.TERMINATED if stop.signal_number == signal.SIGTERM else ExitCode.INTERRUPTED
    except OSError as exc:
        if exc.filename and not _is_report_file(str(exc.filename), args.output):
            return _os_error("an input cannot be read:", str(exc.filename), exc)  # (it vanished, or became unreadable)
        return _os_error("the report cannot be written to", where, exc)
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


def _write_baseline(args: argparse.Namespace, total: Any, verdict: Any, reporter: Any) -> Any:
    """Record the run's findings as accepted, and end the run as it would end with that baseline."""
    from .run.baseline import read, write
    from .run.validate import apply_baseline

    count = write(args.write_baseline, total, args.reason, args.expires)
    print(f"baseline: {count} findings group(s) written to {args.write_baseline}, accepted until {args.expires}",
          file=sys.stderr)  # fmt: skip
    return apply_baseline(tuple(read(args.write_baseline)), total, verdict, reporter)


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def cmd_serve(args: argparse.Namespace) -> ExitCode:
    """Run the reference server."""
    missing = missing_extra("server", "starlette", "uvicorn")
    if missing:
        return _error("serve needs the server extra", missing, "Install it and run the command again.")
    from .live.server import DataError, describe, server_config
    from .live.server import serve as run_server

    try:
        config = server_config(args.data, args.project_id, args.instance_id, args.token, args.ak, args.sk,
                               args.fault, os.environ)  # fmt: skip
    except (DataError, ValueError) as exc:
        hint = "Set SMARTCONNECT_TOKEN (or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK), or pass --token."
        return _error("the server cannot start", str(exc), hint)
    print(describe(config), file=sys.stderr, flush=True)
    run_server(config, args.host, args.port)
    return ExitCode.OK


def cmd_contract(args: argparse.Namespace) -> ExitCode:
    """Run the contract tests against a server and report them."""
    extra = missing_extra("contract", "schemathesis", "hypothesis")
    if extra:
        return _error("contract needs the contract extra", extra, "Install it and run the command again.")
    from .live.contract_tests import ContractRun, unproven
    from .live.targets import Target
    from .reports.contract import render_contract_text
    from .reports.junit import render_contract_junit

    target = Target.from_environment(os.environ, args.params, url=args.url, region=args.region, token=args.token)
    missing = target.missing()
    if missing:
        return _error("the contract tests need more to run", "missing: " + "; ".join(missing), "See the README.")
    url, known, credentials = target.url, target.known, target.credentials
    run = ContractRun(credentials, base_url=url)
    outcomes = run.run(known, max_examples=args.max_examples)
    if all(outcome.status is None for outcome in outcomes):
        return _error("the server did not answer", f"no response from {url}", "Check the URL and the network.")
    problem = unproven(outcomes)
    if args.junit:
        with open(args.junit, "w", encoding="utf-8") as handle:
            render_contract_junit(outcomes, handle, problem)
    render_contract_text(outcomes, sys.stdout)
    if problem:
        print(f"error: the contract run proved nothing: {problem}", file=sys.stderr)
    if any(outcome.failures for outcome in outcomes):
        return ExitCode.FINDINGS
    return ExitCode.NOTHING_PROVED if problem else ExitCode.OK


def _positive_int(text: str) -> int:
    """A count that may be 0 (the default: chosen for you)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def _at_least_one(text: str) -> int:
    value = _positive_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="smartconnect-contract",
        description="Contract toolkit for the Smart Connect task operations of DMS for Kafka (the operations of its OpenAPI contract).",
        epilog="Exit codes: 0 all conforms, 1 findings, 2 the command could not run, 5 the run proved nothing.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    lint = commands.add_parser("lint", help="check the contract document and summarise it")
    lint.add_argument("contract", nargs="?", type=Path, help="OpenAPI file (default: the packaged contract)")
    lint.set_defaults(func=cmd_lint)

    rules = commands.add_parser(
        "rules",
        help="list every rule of the contract and where it comes from (documented by a source, or inferred)",
    )
    rules.add_argument("--format", choices=["text", "markdown", "json"], default="text")
    diff = commands.add_parser(
        "diff",
        help="compare two versions of the contract: each rule changed, what it breaks, and the version it needs",
        epilog="Exit codes: 0 nothing breaks generated code, 1 a change does (unless --allow-breaking), 2 a version "
        "cannot be read.",
    )
    diff.add_argument("base", help="the contract before: an OpenAPI file, or git:REF[:PATH] (PATH: openapi.yaml)")
    diff.add_argument("head", help="the contract after, as BASE")
    diff.add_argument("--format", choices=["text", "json", "markdown", "github"], default="text")
    diff.add_argument(
        "--allow-breaking", action="store_true", help="exit 0 even when a change breaks code generated from BASE"
    )
    diff.add_argument(
        "--captures",
        nargs="+",
        metavar="PATH",
        help="judge these captures under both versions, in the default and "
        "the strict reading: the exchanges the change turns, and the counts under each",
    )
    diff.add_argument(
        "--jobs", type=_positive_int, default=0, help="worker processes for --captures (default: one per core)"
    )
    diff.set_defaults(func=cmd_diff)
    rules.add_argument("--contract", type=Path, help="OpenAPI file (default: the packaged contract)")
    rules.set_defaults(func=cmd_rules)

    validate = commands.add_parser(
        "validate",
        help="check recorded responses and captures (body files, folders, JSONL, HAR) against the contract",
        description="Check recorded responses against the contract. PATH is a body file (*.json), a JSONL log "
        "(*.jsonl, *.ndjson, *.log: bare bodies, or records of this toolkit, Redocly drift, Kong, nginx or Apache), "
        "a HAR capture (*.har), a newman JSON report, any of them compressed (.gz, .zst, .bz2, .xz), or a folder of "
        "them (walked recursively); or a URL of one or of a prefix (s3://bucket/prefix/, file://, memory://).",
    )
    validate.add_argument("paths", nargs="+", type=_input_path, metavar="PATH")
    validate.add_argument(
        "--coverage",
        action="store_true",
        help="say which parts of the contract the judged traffic exercised: statuses, fields present, absent or "
        "null, enumeration values, conditional branches (every line is then judged in full)",
    )
    validate.add_argument(
        "--require-coverage",
        action="append",
        default=[],
        metavar="SPEC",
        help="fail (exit 1, a coverage.unmet finding each) unless the traffic exercised these parts of the contract: "
        "KIND[:OPERATION[:POINTER]][>=N%%], KIND one of statuses, values, branches, present, null (implies "
        "--coverage; repeatable)",
    )
    validate.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help="findings accepted until a date (a file --write-baseline wrote): those are reported as baselined and do "
        "not fail the run; new ones fail it, and so do those whose date has passed; entries no finding matched are "
        "listed as stale",
    )
    validate.add_argument(
        "--write-baseline",
        type=Path,
        metavar="FILE",
        help="record the findings of this run as accepted, by operation, rule, pointer and provenance (with --reason "
        "and --expires); the run then ends as it would with that baseline",
    )
    validate.add_argument("--reason", help="why the findings --write-baseline records are accepted")
    validate.add_argument(
        "--expires", type=_date, metavar="YYYY-MM-DD", help="the last day the entries --write-baseline writes hold"
    )
    validate.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="judge on a Dask cluster: its scheduler (tcp://host:8786), or 'local' to start one here with --jobs "
        "workers; the workers read the inputs themselves (shared or object storage). Needs the dask extra",
    )
    validate.add_argument(
        "--task-mb",
        type=_positive_int,
        default=0,
        metavar="MB",
        help="megabytes of a JSONL file per unit of work (default: 1, and 16 on a cluster)",
    )
    validate.add_argument(
        "--storage-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an fsspec storage option for URLs (repeatable), e.g. endpoint_url=https://obs.REGION.myhuaweicloud.com;"
        " credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
    )
    validate.add_argument(
        "--strict", action="store_true", help="undocumented fields and unknown enum values are errors"
    )
    validate.add_argument(
        "--format",
        choices=["text", "json", "jsonl", "junit", "sarif", "github"],
        default="text",
        help="report format (jsonl: a line per result as it comes, then the groups and the summary; sarif: SARIF "
        "2.1.0; github: GitHub Actions annotations)",
    )
    validate.add_argument("--output", "-o", type=Path, help="write the report to FILE instead of standard output")
    validate.add_argument("--status", type=int, default=200, help="status of bare bodies (default: 200)")
    validate.add_argument(
        "--content-type", default="application/json", help="media type of bare bodies (default: application/json)"
    )
    validate.add_argument("--host", help="judge only requests to this host (default: any host)")
    validate.add_argument(
        "--operation",
        metavar="ID",
        help="the operation of the contract a bare body (a body file, a bare JSONL line) is judged as (default: "
        "the one the contract names in x-bare-body-operation); exchanges with a request are judged as the "
        "operation of their method and path",
    )
    validate.add_argument(
        "--input-format",
        choices=INPUT_FORMATS,
        default="auto",
        help="how inputs are read (default auto: by name, first bytes and each JSONL line's shape). record, "
        "redocly, kong, nginx or apache: every file is JSONL whose every line is a record of that family (another "
        "line is unrecognised); newman or har: every file is one; body: files are bodies and JSONL lines bare bodies",
    )
    validate.add_argument(
        "--jobs",
        "-j",
        type=_positive_int,
        default=0,
        help="worker processes (default 0: one per core, when the input holds more than one unit of work)",
    )
    validate.add_argument(
        "--max-body-bytes",
        "--max-body-size",
        dest="max_body_size",
        type=_positive_int,
        default=DEFAULT_MAX_BODY_SIZE,
        help="a larger body, or JSONL line, is counted unreadable (limit.body-bytes, limit.line-bytes) and read no "
        "further (default: 16 MiB)",
    )
    validate.add_argument(
        "--max-findings",
        type=_at_least_one,
        default=MAX_FINDINGS,
        help=f"findings kept per body; a limit.findings warning counts the rest (default: {MAX_FINDINGS})",
    )
    validate.add_argument(
        "--engine",
        choices=["fast", "full", "reference"],
        default="fast",
        help="fast: jsonschema-rs, fast path; full: jsonschema-rs, every error explained; reference: jsonschema",
    )
    validate.add_argument(
        "--allow-empty",
        action="store_true",
        help="exit 0 when nothing is judged (default: exit 5, the run proved nothing)",
    )
    validate.add_argument("--contract", type=Path, help="OpenAPI file (default: the packaged contract)")
    noise = validate.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", action="store_true", help="print only the summary line")
    noise.add_argument("-v", "--verbose", action="count", default=0, help="also print every finding and skip reason")
    validate.set_defaults(func=cmd_validate)

    from .live.reference_data import DEFAULT_INSTANCE_ID, FAULTS

    serve = commands.add_parser("serve", help="run the reference server (uvicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--data", type=Path, nargs="+", help="task bodies: JSON, JSONL or folders (default: bundled)")
    serve.add_argument("--project-id", help="default: HUAWEICLOUD_SDK_PROJECT_ID, else the documentation's example")
    serve.add_argument("--instance-id", default=DEFAULT_INSTANCE_ID)
    serve.add_argument("--token", help="accepted IAM token (prefer SMARTCONNECT_TOKEN: flags show in process lists)")
    serve.add_argument("--ak", help="access key (default: HUAWEICLOUD_SDK_AK)")
    serve.add_argument("--sk", help="secret key (default: HUAWEICLOUD_SDK_SK)")
    serve.add_argument("--fault", choices=sorted(FAULTS), help="break the contract in one way, to test the tests")
    serve.set_defaults(func=cmd_serve)

    contract = commands.add_parser(
        "contract",
        help="run the contract tests (schemathesis) against a server",
        epilog="--PARAMETER VALUE (one per path parameter of the contract, written with dashes): a value that "
        "names something that exists, such as a task and its instance (default: SMARTCONNECT_PARAMETER in "
        "capitals; the project also HUAWEICLOUD_SDK_PROJECT_ID, the SDK's). Every operation is tested with the "
        "values it takes.",
        description="Generated requests against a server, every response checked against the contract. Credentials "
        "come from SMARTCONNECT_TOKEN, or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (requests are then signed).",
    )
    contract.add_argument("--url", help="base URL (default: SMARTCONNECT_BASE_URL)")
    contract.add_argument("--region", help="region ID, for the regional endpoint (default: SMARTCONNECT_REGION)")
    contract.add_argument("--token", help="IAM token (prefer SMARTCONNECT_TOKEN: flags show in process lists)")
    contract.add_argument("--junit", type=Path, help="also write a JUnit XML report to FILE")
    contract.add_argument(
        "--max-examples", type=_at_least_one, default=25, help="generated requests per kind (default 25)"
    )
    contract.set_defaults(func=cmd_contract)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        # Only `contract` takes options of its own beyond these: a known value per path parameter of the contract.
        args.params = {}
        if args.command == "contract":
            from .live.targets import parameter_values

            try:
                args.params = parameter_values(extra)
            except ValueError as exc:
                parser.error(str(exc))
            extra = []
        if extra and args.command != "contract":
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exc:  # argparse exits 2 on bad arguments, which is ExitCode.ERROR already
        return int(exc.code or 0)
    return int(args.func(args))
