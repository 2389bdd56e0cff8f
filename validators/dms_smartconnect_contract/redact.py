"""Keep secrets out of every report: credential headers, credential query parameters, secret-named fields."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import orjson

# Names of headers, query parameters and body fields whose values are never repeated.
_SECRET_NAME = re.compile(
    r"(token|secret|signature|passw|credential|cookie|authoriz|session|api[-_]?key|access[-_]?key|private[-_]?key"
    r"|^key$|[-_]key$|^sk$|^ak$|x-amz-|x-sdk-)",
    re.IGNORECASE,
)
REDACTED = "<redacted>"
PREVIEW_LIMIT = 60


@lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:
    """Whether a header, parameter or field of this name carries a credential."""
    return bool(_SECRET_NAME.search(name))


def safe_path(url: str) -> str:
    """The path of a URL, without its query, fragment, user info or host: what a report may show of a request."""
    try:
        return urlsplit(url).path or "/"
    except ValueError:
        return "<unparsable URL>"


def preview(value: Any, name: str = "") -> str:
    """A short JSON rendering of a body value for a message; secret-named fields are never shown."""
    if name and is_secret_name(name):
        return REDACTED
    # Containers are described, not printed: shorter, and nothing nested in them can leak.
    if isinstance(value, dict):
        return f"(an object of {len(value)} fields)"
    if isinstance(value, list):
        return f"(an array of {len(value)} items)"
    try:
        text = orjson.dumps(value).decode()
    except (TypeError, orjson.JSONEncodeError):
        text = repr(value)
    if len(text) > PREVIEW_LIMIT:
        text = text[: PREVIEW_LIMIT - 3] + "..."
    return text
