"""The text of a tally's items where a worker process left it, a file, and how a report sends such a file on."""

from __future__ import annotations

import contextlib
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

    @classmethod
    def write(cls, path: str, items: list[str], mark: str) -> Spooled:
        """The text of `items` written to a new file at `path`; settled unless `mark` stands in it."""
        text = "".join(items)
        with open(path, "x", encoding="utf-8", newline="") as spool:
            spool.write(text)
        return cls(path, [len(item) for item in items], not mark or mark not in text)

    def read(self) -> list[str]:
        """The text of each item, read back once: the file is removed."""
        with open(self.path, encoding="utf-8", newline="") as spool:
            text = spool.read()
        self.drop()
        items, start = [], 0
        for length in self.lengths:
            items.append(text[start : start + length])
            start += length
        return items

    def send(self, out: TextIO, skip: int = 0) -> bool:
        """Whether the text, but for its first `skip` bytes, was sent whole to `out` (see sent); the file is then
        removed."""
        source = os.open(self.path, os.O_RDONLY)
        try:
            whole = sent(source, out, skip)
        finally:
            os.close(source)
        if whole:
            self.drop()
        return whole

    def drop(self) -> None:
        """Remove the file (read or sent, or not wanted)."""
        with contextlib.suppress(OSError):  # the run's spool folder goes at its end in any case
            os.unlink(self.path)


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
