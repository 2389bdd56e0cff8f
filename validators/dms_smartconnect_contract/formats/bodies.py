"""Recorded bodies as bytes: the text or base64 a capture holds, or why it cannot be recovered."""

from __future__ import annotations

import base64
from typing import Any

from . import har_ranges as har
from .items import (
    OVERSIZED,
)

NOT_BASE64 = "is not valid base64 (RFC 4648, padded)"


def string_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def recorded_body(
    text: str | None, base64_encoded: bool, where: str, oversized_after: int = 1 << 62
) -> tuple[bytes | None, str | None]:
    """A recorded body as bytes, or why it cannot be recovered. No text: the body was not recorded. A body longer
    than `oversized_after` bytes is not built (OVERSIZED): its text alone says it is over."""
    if text is None:
        return None, None
    if text.startswith(har.OVER_LIMIT):  # a body its range reader did not build: over the limit in every reading
        return (None, f"{where} {NOT_BASE64}") if base64_encoded and text.endswith("0") else (OVERSIZED, None)
    # RFC 4648 base64, padded: as the range reader tells it (har.is_base64), so both say the same.
    if base64_encoded and not har.is_base64(text):
        return None, f"{where} {NOT_BASE64}"
    # At least a byte a character as UTF-8; base64 of n characters is 3n/4 bytes, less its padding.
    size = len(text) // 4 * 3 - text[-2:].count("=") if base64_encoded else len(text)
    if size > oversized_after:
        return OVERSIZED, None
    if not base64_encoded:
        return text.encode("utf-8", "surrogatepass"), None
    return base64.b64decode(text), None
