"""The text of a tally's items where a worker process left it, a file, and how a report sends such a file on."""

from __future__ import annotations

import errno
import os
import sys
from dataclasses import dataclass
from typing import TextIO


@dataclass(frozen=True, slots=True)
class Spooled:
    """Where a worker process left the text of a tally's items (Tally.spool): a file the report reads once and
    removes, each item's length in characters (for a report that folds some of them), and whether the numbers are
    in place (the text is the report's as it stands) or still between marks."""

    path: str
    lengths: list[int]
    settled: bool

    @property
    def size(self) -> int:
        """The text's length in characters."""
        return sum(self.lengths)


def descriptor(out: TextIO) -> int | None:
    """The descriptor of a stream, all written to it flushed; None for a stream without one (a StringIO)."""
    try:
        target = out.fileno()
    except (OSError, ValueError):
        return None
    out.flush()
    return target


def sent(source: int, out: TextIO, start: int = 0) -> bool:
    """Whether the file open at `source`, from byte `start` to its end, was sent whole to `out` by os.sendfile (from
    file to file or pipe in the kernel, on Linux); False, with nothing sent, where `out` has no descriptor or the
    kernel cannot send to it. A failure once sending began is raised: part of the text is out."""
    target = descriptor(out) if sys.platform == "linux" else None
    if target is None:
        return False
    size, at = os.fstat(source).st_size, start
    while at < size:
        try:
            count = os.sendfile(target, source, at, size - at)
        except OSError as exc:
            if at == start and exc.errno in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EBADF):
                return False
            raise
        if not count:
            raise OSError(errno.EIO, "a file ended before its size")
        at += count
    return True
