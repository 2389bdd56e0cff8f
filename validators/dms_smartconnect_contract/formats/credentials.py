"""The capture's own credentials: the values of credential-named headers and cookies, to mask wherever they recur."""

from __future__ import annotations

import re
from typing import Any

from ..redact import is_secret_name


def credentials(*groups: Any) -> tuple[str, ...]:
    """The values of credential-named headers and cookies in HAR name/value lists or record header objects."""
    found: list[str] = []
    for group in groups:
        if isinstance(group, dict):
            pairs: Any = group.items()
        elif isinstance(group, list):  # anything else a capture may hold there has no credentials to find
            pairs = ((item.get("name"), item.get("value")) for item in group if isinstance(item, dict))
        else:
            continue
        for name, value in pairs:
            if isinstance(name, str) and isinstance(value, str) and is_secret_name(name) and len(value) >= 6:
                found.append(value)
                # A signed Authorization header: its parts are credentials of their own.
                found += [part.split("=", 1)[1] for part in re.split(r"[ ,]+", value) if "=" in part]
    return tuple(sorted({value for value in found if len(value) >= 6}, key=len, reverse=True))
