"""The types of command-line values: an input path or URL, a date, a count."""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path

from ..sources.files import is_url


def input_path(text: str) -> Path | str:
    """A local path, or a URL kept as given."""
    return text if is_url(text) else Path(text)


def date_argument(text: str) -> datetime.date:
    """A day, written YYYY-MM-DD."""
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def positive_int(text: str) -> int:
    """A count that may be 0 (the default: chosen for you)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def at_least_one(text: str) -> int:
    value = positive_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not at least 1")
    return value
