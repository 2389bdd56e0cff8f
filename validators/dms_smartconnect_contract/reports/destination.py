"""Where a report goes: standard output, or a file that appears at its target only when the report is complete.

A report given with --output is written to a temporary file beside the target (same folder, so the rename cannot
cross file systems) and renamed into place once flushed and synced; the report of an earlier run at the target is
removed when the run starts. A run that is interrupted, crashes or meets a full disk removes the temporary file: a
CI job never finds a half report, or an old one, where it expects this run's. A target
that exists and is no regular file (a device such as /dev/null, a FIFO) is written directly: it cannot be replaced.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import IO, TextIO

from ..stopping import raise_if_stopped


class ReportFile:
    """`with ReportFile(path) as out:` the stream to write the report to (standard output when path is None); the
    file is in place when the block ends without an exception, and absent (as it was) when it ends with one."""

    def __init__(self, target: Path | None) -> None:
        self.target = target
        self._stream: IO[str] | None = None
        self._temporary: str | None = None

    def __enter__(self) -> TextIO:
        if self.target is None:
            return sys.stdout
        if self.target.exists() and not self.target.is_file():
            if self.target.is_dir():
                raise IsADirectoryError(21, os.strerror(21), str(self.target))
            self._stream = self.target.open("w", encoding="utf-8")
            return self._stream
        folder = self.target.parent if str(self.target.parent) else Path(".")
        descriptor, self._temporary = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".partial", dir=folder)
        mask = os.umask(0)
        os.umask(mask)
        os.fchmod(descriptor, 0o666 & ~mask)  # the mode a file opened for writing gets, not mkstemp's 0600
        self._stream = os.fdopen(descriptor, "w", encoding="utf-8")
        # The report of an earlier run goes now: until this one is complete, nothing at the target looks finished.
        with contextlib.suppress(FileNotFoundError):
            self.target.unlink()
        return self._stream

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._stream is None:
            if kind is None and self.target is None:
                sys.stdout.flush()  # a closed pipe fails here, inside the caller's handling
            return
        stream, temporary = self._stream, self._temporary
        self._stream = self._temporary = None
        if kind is not None:
            _discard(stream, temporary)
            return
        try:
            raise_if_stopped()  # a run asked to stop, whose stop was dropped, finished no report
            stream.flush()
            if temporary is not None:
                os.fsync(stream.fileno())
            stream.close()
            if temporary is not None:
                os.replace(temporary, self.target)  # type: ignore[arg-type]
        except BaseException:
            _discard(stream, temporary)
            raise


def _discard(stream: IO[str], temporary: str | None) -> None:
    """A report that will not be finished: its stream closed, and its temporary file (if any) gone."""
    with contextlib.suppress(OSError):
        stream.close()
    if temporary is not None:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
