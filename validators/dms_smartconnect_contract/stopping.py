"""A stop asked for by a signal (Ctrl-C, SIGTERM): SIGTERM turned into an interruption, as Ctrl-C is."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the run is, so that it ends as an interruption does (and leaves no report behind)."""

    signal_number = signal.SIGTERM


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
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
