"""The `smartconnect-contract` command line: parse arguments, call one step, map its outcome to an exit code."""

from __future__ import annotations

from collections.abc import Sequence

from .parser import build_parser

__all__ = ["build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        # Only `contract` takes options of its own beyond these: a known value per path parameter of the contract.
        args.params = {}
        if args.command == "contract":
            from ..live.targets import parameter_values

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
