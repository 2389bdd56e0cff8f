"""How a command fails: one message naming what and where, with a hint, and the exit code."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from pathlib import Path

from ..exitcodes import ExitCode
from ..redact import printable


def error(header: str, detail: str, hint: str) -> ExitCode:
    # Paths and messages may hold any character a file name can: none reaches the terminal as a control.
    print(f"error: {printable(header)}\n  {printable(detail)}\n  {hint}", file=sys.stderr)
    return ExitCode.ERROR


def os_error(action: str, where: str, exc: OSError) -> ExitCode:
    """One line for an operating system's refusal (a full disk, a closed pipe, no permission): what could not be
    done, where, and the system's words."""
    reason = exc.strerror or type(exc).__name__
    if exc.errno == errno.EPIPE:  # nothing more can reach the reader: later writes (at exit too) go nowhere
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    print(f"error: {action} {printable(where)}: {reason}", file=sys.stderr)
    return ExitCode.ERROR


def is_report_file(name: str, target: Path | None) -> bool:
    """Whether a file an OS error names is the report's: its target, or the temporary file beside it."""
    if target is None:
        return False
    path = Path(name)
    return path == target or (path.parent == target.parent and path.name.startswith(f".{target.name}."))
