"""A one-line progress display for long runs on a terminal; silent when piped, under CI, or with -q."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import TextIO


def progress_wanted(stream: TextIO, quiet: bool) -> bool:
    """A terminal, not CI, not quiet."""
    return not quiet and stream.isatty() and not os.environ.get("CI")


class Progress:
    """Redraws at most five times a second: files opened, items done, bytes read, rate (local and cluster runs)."""

    def __init__(
        self, stream: TextIO, bytes_read: Callable[[], int], total_bytes: int, files: Callable[[], int] = lambda: 0
    ) -> None:
        self.stream = stream
        self.bytes_read = bytes_read
        self.files = files
        self.total_bytes = max(total_bytes, 1)
        self.started = self.last = time.monotonic()
        self.items = 0

    def tick(self, items: int = 1) -> None:
        self.items += items
        now = time.monotonic()
        if now - self.last < 0.2:
            return
        self.last = now
        done = self.bytes_read()
        share = min(done / self.total_bytes, 1.0)
        bar = "#" * int(share * 20)
        rate = done / max(now - self.started, 1e-6) / 1e6
        files = self.files()
        shown = f"{files:,} files " if files else ""
        self.stream.write(f"\r[{bar:<20}] {share:4.0%} {shown}{self.items:,} items {rate:.1f} MB/s")
        self.stream.flush()

    def close(self) -> None:
        if self.last > self.started:
            self.stream.write("\r" + " " * 60 + "\r")
            self.stream.flush()


def total_size(paths: Sequence[os.PathLike[str] | str]) -> int:
    """Bytes under the given files and folders, for the progress bar's share."""
    total = 0
    for path in map(str, paths):
        if os.path.isdir(path):
            for root, _, files in os.walk(path):
                total += sum(os.path.getsize(os.path.join(root, name)) for name in files)
        elif os.path.isfile(path):
            total += os.path.getsize(path)
    return total
