"""How the judges of a run number the lines of JSONL ranges as they stay, without the parent reading them: each
range has its place in the run's chain (JsonlChunk.link); its judge splits its lines, learns how many lines of the
file came before it from the range before, and publishes how many there are up to its own end for the next.

The ranges are handed out in order and a judge publishes as soon as its lines are split, so the wait for the range
before is short or none. Should the range before never publish (its process died), a judge waits `WAIT` seconds at
most, and its range is numbered by the runner instead (Tally.renumber), as every range after it in its file.
"""

from __future__ import annotations

import time
from typing import Any

from ..formats.items import JsonlChunk

WAIT = 30.0  # seconds a judge waits for the range before its own
_BROKEN = -1  # published instead of a count by a judge that could not number its range


class _Chain:
    """A range learns the lines before it from the range before (`_wait`), and publishes its own end (`_publish`)."""

    def __call__(self, chunk: JsonlChunk, lines: int) -> int | None:
        """The lines of its file before `chunk`, which holds `lines`, published for the range after it; None when
        the range before did not publish in time, or could not number itself."""
        link = chunk.link
        assert link is not None
        before = chunk.before if chunk.before is not None else self._wait(link - 1)
        self._publish(link, _BROKEN if before is None else before + lines)
        return before

    def _wait(self, link: int) -> int | None:
        raise NotImplementedError

    def _publish(self, link: int, count: int) -> None:
        raise NotImplementedError


class LineChain(_Chain):
    """The lines up to the end of the latest ranges of a run, in memory its processes share: a slot per range in
    flight (a ring of `slots`, more than the runner ever has in flight), each holding the range's link and count."""

    def __init__(self, context: Any, slots: int) -> None:
        self.slots = slots
        self.shared = context.Array("q", [-1] * (2 * slots))  # with its lock: a slot is read whole or not at all

    def _publish(self, link: int, count: int) -> None:
        slot = 2 * (link % self.slots)
        with self.shared.get_lock():
            self.shared[slot + 1] = count
            self.shared[slot] = link

    def _wait(self, link: int) -> int | None:
        slot = 2 * (link % self.slots)
        deadline, pause = time.monotonic() + WAIT, 1e-5
        while True:
            with self.shared.get_lock():
                if self.shared[slot] == link:
                    count: int = self.shared[slot + 1]
                    return None if count == _BROKEN else count
            if time.monotonic() > deadline:
                return None
            time.sleep(pause)
            pause = min(2 * pause, 1e-3)


class InOrder(_Chain):
    """The chain of a run judged in this process, range after range: the range before has always published."""

    def __init__(self) -> None:
        self.ends: dict[int, int] = {}

    def _publish(self, link: int, count: int) -> None:
        self.ends[link] = count

    def _wait(self, link: int) -> int | None:
        count = self.ends.pop(link, _BROKEN)
        return None if count == _BROKEN else count
