"""Exit codes of every command of the CLI."""

from enum import IntEnum


class ExitCode(IntEnum):
    """0: everything judged conforms; 1: at least one finding; 2: the command could not run."""

    OK = 0
    FINDINGS = 1
    ERROR = 2
