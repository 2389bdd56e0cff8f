"""The text of a tally's items where a worker process left it, a file, and how a report sends such a file on."""

from __future__ import annotations

import errno
import os
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


def sent(path: str, target: int, skip: int) -> bool:
    """Whether the file at `path`, but for its first `skip` bytes, was sent whole to the descriptor `target` by
    os.sendfile; False (nothing sent) where the kernel cannot send to it. A failure once sending began is raised:
    part of the text is out."""
    source = os.open(path, os.O_RDONLY)
    try:
        size, at = os.fstat(source).st_size, skip
        while at < size:
            try:
                sent = os.sendfile(target, source, at, size - at)
            except OSError as exc:
                if at == skip and exc.errno in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EBADF):
                    return False
                raise
            if not sent:
                raise OSError(errno.EIO, f"{path} ended before its size")
            at += sent
        return True
    finally:
        os.close(source)
