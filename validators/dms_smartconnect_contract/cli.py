"""The `smartconnect-contract` command line: parse arguments, call one step, map its outcome to an exit code."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .contract import ContractError, find_operation, read_document
from .exitcodes import ExitCode
from .lint import iter_examples, lint_document


def _error(header: str, detail: str, hint: str) -> ExitCode:
    print(f"error: {header}\n  {detail}\n  {hint}", file=sys.stderr)
    return ExitCode.ERROR


def cmd_lint(args: argparse.Namespace) -> ExitCode:
    """Check the contract document and print a short summary of it."""
    try:
        document = read_document(args.contract)
        problems = lint_document(document)
        operation = find_operation(document) if not problems else None
    except ContractError as exc:
        return _error("the contract cannot be used", str(exc), "Pass an OpenAPI 3.1 file with --contract.")
    source = args.contract or "packaged contract"
    for problem in problems:
        print(f"{source}#{problem.pointer}: {problem.message}")
    if operation is None:
        print(f"{source}: {len(problems)} problem(s)")
        return ExitCode.FINDINGS
    schemas = document.get("components", {}).get("schemas", {})
    enums = sorted(name for name, schema in schemas.items() if "enum" in schema)
    examples = sum(1 for _ in iter_examples(document))
    print(f"contract      {source} (OpenAPI {document['openapi']}, version {document['info']['version']})")
    print(f"operation     {operation.operation_id}: {operation.method} {operation.path}")
    print(f"parameters    {', '.join(operation.parameters)}")
    for status, response in operation.responses.items():
        media = ", ".join(response.media_types) or "no body"
        headers = ", ".join(h["name"] for h in response.headers.values()) or "none"
        print(f"response {status}  {response.description.strip().splitlines()[0]} [{media}; headers: {headers}]")
    print(f"schemas       {len(schemas)} ({len(enums)} enumerations: {', '.join(enums)})")
    print(
        f"servers       {len(document.get('servers', []))}; security: {', '.join(document['components']['securitySchemes'])}"
    )
    verdict = "all valid" if not problems else f"{len(problems)} invalid"
    print(f"examples      {examples} ({verdict})")
    return ExitCode.FINDINGS if problems else ExitCode.OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="smartconnect-contract",
        description="Contract toolkit for DMS for Kafka ShowConnectorTask (Smart Connect task details).",
        epilog="Exit codes: 0 all conforms, 1 findings, 2 the command could not run.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    lint = commands.add_parser("lint", help="check the contract document and summarise it")
    lint.add_argument("contract", nargs="?", type=Path, help="OpenAPI file (default: the packaged contract)")
    lint.set_defaults(func=cmd_lint)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad arguments, which is ExitCode.ERROR already
        return int(exc.code or 0)
    return int(args.func(args))
