"""Exit codes of every command of the CLI."""

from enum import IntEnum


class ExitCode(IntEnum):
    """0: everything judged conforms; 1: at least one finding; 2: the command could not run; 5: the run proved
    nothing (validate judged no item; contract got no authorised answer, or no 200 for the known task); 130 and
    143: the run was interrupted (SIGINT, SIGTERM: 128 and the signal's number, as shells report it)."""

    OK = 0
    FINDINGS = 1
    ERROR = 2
    NOTHING_PROVED = 5
    INTERRUPTED = 130
    TERMINATED = 143
