"""A stop asked for by a signal (Ctrl-C, SIGTERM), raised where the run is and also kept: Python drops an exception
that a handler raises where none can propagate (in a fork hook, which a worker pool's start runs, or a finaliser),
and a run whose stop was dropped so must still end as stopped, never finish and report."""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Iterator
from typing import Any

_asked: int | None = None  # the signal that asked this process's run to stop, while a stoppable block runs


class Stopped(KeyboardInterrupt):
    """The run was asked to stop by the signal `signal_number`; it ends as an interruption does."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal_number)
        self.signal_number = signal_number


def raise_if_stopped() -> None:
    """Raise Stopped again if a stop was asked for: where a run would go on to its next step, or report."""
    if _asked is not None:
        raise Stopped(_asked)


@contextlib.contextmanager
def stoppable() -> Iterator[None]:
    """SIGINT and SIGTERM stop the block, for as long as it runs, and it does not end normally after either."""
    global _asked

    def stop(number: int, frame: object) -> None:
        global _asked
        _asked = number
        raise Stopped(number)

    def unraisable(unraisable: Any) -> None:
        # A stop dropped where it was raised is kept (above), and is no error to print with a traceback.
        if not isinstance(unraisable.exc_value, Stopped):
            printing(unraisable)

    _asked = None
    try:
        previous = {number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread (an embedding program): the signals keep their own handling
        yield
        return
    printing, sys.unraisablehook = sys.unraisablehook, unraisable
    try:
        yield
        raise_if_stopped()
    finally:
        sys.unraisablehook = printing
        for number, handler in previous.items():
            signal.signal(number, handler)
        _asked = None
