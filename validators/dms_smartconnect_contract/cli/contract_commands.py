"""The commands that read the contract alone: lint, rules, and diff of two versions."""

from __future__ import annotations

import argparse
import signal
import sys

from ..check import CheckOptions
from ..contract import ContractError, read_document
from ..exitcodes import ExitCode
from ..formats.reader import InputError
from ..run.validate import RunOptions
from ..stopping import stoppable
from .arguments import input_path
from .errors import error, os_error


def cmd_lint(args: argparse.Namespace) -> ExitCode:
    """Check the contract document and print a short summary of it."""
    # Imported here: the OpenAPI validator costs 0.4 s of start-up that `validate` does not need.
    from ..contract.lint import lint_document
    from ..reports.lint import summary_lines

    try:
        document = read_document(args.contract)
        problems = lint_document(document)
    except ContractError as exc:
        return error("the contract cannot be used", str(exc), "Pass an OpenAPI 3.1 file.")
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
    from ..reports import rules

    try:
        document = read_document(args.contract)
        render = {"text": rules.text, "markdown": rules.markdown, "json": rules.as_json}[args.format]
        sys.stdout.write(render(document))
    except ContractError as exc:
        return error("the contract cannot be used", str(exc), "Pass an OpenAPI 3.1 file with --contract.")
    return ExitCode.OK


def cmd_diff(args: argparse.Namespace) -> ExitCode:
    """Compare two versions of the contract rule by rule: what each change does to generated code and to each
    reading, and the version the models need. Stopped (Ctrl-C, SIGTERM), it reports nothing of a part."""
    try:
        with stoppable():
            return _diff(args)
    except KeyboardInterrupt as stop:
        print("interrupted: the diff did not finish; nothing was reported", file=sys.stderr)
        terminated = getattr(stop, "signal_number", signal.SIGINT) == signal.SIGTERM
        return ExitCode.TERMINATED if terminated else ExitCode.INTERRUPTED


def _diff(args: argparse.Namespace) -> ExitCode:
    from ..contract.comparison import compare
    from ..contract.lint import lint_document
    from ..reports.diff import RENDERERS
    from ..run.diff import read_version

    try:
        base, head = read_version(args.base), read_version(args.head)
        # The head is what will be released: a version lint refuses is no contract to compare (the base is history).
        problems = lint_document(head.document)
    except ContractError as exc:
        return error("a version of the contract cannot be used", str(exc), "Pass two OpenAPI files, or git:REF.")
    if problems:
        first = problems[0]
        detail = f"{head.label}#{first.pointer}: {first.message}" + (
            f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        )
        return error(
            "the head fails lint", detail, f"Run `smartconnect-contract lint {head.file}` to see every problem."
        )
    comparison = compare(base, head)
    if args.captures:
        from dataclasses import replace

        from ..run.diff import weigh

        options = RunOptions(check=CheckOptions(), jobs=args.jobs, quiet=True)
        try:
            captures = [input_path(path) for path in args.captures]
            changes = [placed.change for placed in comparison.changes]
            weights = weigh(base.document, head.document, changes, captures, options)
        except InputError as exc:
            return error("an input cannot be read", str(exc), "Pass capture files or folders, as to validate.")
        except ValueError as exc:
            return error("the captures prove nothing", str(exc), "Pass captures of the contract's operations.")
        except OSError as exc:  # an input that vanished, or became unreadable, once judging began
            return os_error("an input cannot be read:", str(exc.filename or args.captures[0]), exc)
        comparison = replace(comparison, weights=weights)
    sys.stdout.write(RENDERERS[args.format](comparison))
    if comparison.breaking and not args.allow_breaking:
        return ExitCode.FINDINGS
    return ExitCode.OK
