"""The capture's own credentials: the values of credential-named headers and cookies, to mask wherever they recur."""

from __future__ import annotations

import re
from typing import Any

from ..redact import is_secret_name


def credentials(*groups: Any) -> tuple[str, ...]:
    """The values of credential-named headers and cookies in name/value (or key/value) lists or header objects."""
    found: list[str] = []
    for group in groups:
        if isinstance(group, dict):
            pairs: Any = group.items()
        elif isinstance(group, list):  # anything else a capture may hold there has no credentials to find
            # HAR names a header `name`, newman and Postman `key`.
            pairs = ((item.get("name", item.get("key")), item.get("value")) for item in group if isinstance(item, dict))
        else:
            continue
        for name, given in pairs:
            if not isinstance(name, str) or not is_secret_name(name):
                continue
            for value in given if isinstance(given, list) else [given]:  # a header object may list its values
                if isinstance(value, str) and len(value) >= 6:
                    found.append(value)
                    # A signed Authorization header: its parts are credentials of their own.
                    found += [part.split("=", 1)[1] for part in re.split(r"[ ,]+", value) if "=" in part]
    return tuple(sorted({value for value in found if len(value) >= 6}, key=len, reverse=True))
