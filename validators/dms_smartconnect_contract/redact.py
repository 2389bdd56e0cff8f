"""Keep secrets out of every report (credential headers, credential query parameters, secret-named fields), and
control characters out of every line a terminal or a log shows."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import orjson

from .escaping import escaped_together, json_string

# Names of headers, query parameters and body fields whose values are never repeated.
_SECRET_NAME = re.compile(
    r"(token|secret|signature|passw|credential|cookie|authoriz|session|api[-_]?key|access[-_]?key|private[-_]?key"
    r"|^key$|[-_]key$|^sk$|^ak$|x-amz-|x-sdk-)",
    re.IGNORECASE,
)
REDACTED = "<redacted>"
MASKED = "[masked]"  # a credential found by its shape: written so that no report format needs to escape it
PREVIEW_LIMIT = 60

# Values that look like credentials, wherever they appear (a body field of any name, a bare-string body, a message):
_CREDENTIALS = re.compile(
    r"MII[A-Za-z0-9+/_=-]{60,}"  # an IAM token (a base64 PKCS#7 blob)
    r"|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"  # a JWT
    r"|(?<=Signature=)[0-9a-fA-F]{32,}"  # the signature of an Authorization header (SDK-HMAC-SHA256, AWS4)
    r"|(?<=Access=)[A-Za-z0-9]{16,}"  # the access key an Authorization header names
    r"|(?<=Credential=)[A-Za-z0-9]{16,}"
    # an access key (AK): 20 capitals and digits, mixed (or more: one glued to other such characters is still one)
    r"|(?<![A-Za-z0-9])(?=[A-Z0-9]*[A-Z])(?=[A-Z0-9]*[0-9])[A-Z0-9]{20,}(?![A-Za-z0-9])"
    # a secret key (SK): 40 letters and digits (or more), upper and lower case and digits mixed
    r"|(?<![A-Za-z0-9/+])(?=[A-Za-z0-9]*[a-z])(?=[A-Za-z0-9]*[A-Z])(?=[A-Za-z0-9]*[0-9])[A-Za-z0-9]{40,}(?![A-Za-z0-9/+])"
)


# Runs of the characters credentials are made of, long enough to be one: only these are looked at closely.
_CANDIDATE = re.compile(r"[A-Za-z0-9+/=_.~-]{16,}")
_SHORTEST_CREDENTIAL = 16  # a text shorter than any candidate (and than a scheme with its credential) holds none
_SCHEMES = re.compile(r"(?i)\b(bearer|basic) [A-Za-z0-9+/._~=-]{16,}")  # bearer and basic credentials


def _mask_run(found: re.Match[str]) -> str:
    return _CREDENTIALS.sub(MASKED, found.group())


def mask(text: str) -> str:
    """`text` with every value shaped like a credential replaced by [masked]. IDs (UUIDs, hex project IDs), hosts,
    error codes and timestamps do not have these shapes and stay readable."""
    if not text:
        return text
    text = _CANDIDATE.sub(_mask_run, text)
    return _SCHEMES.sub(lambda found: f"{found.group(1)} {MASKED}", text) if " " in text else text


def mask_values(text: str, secrets: tuple[str, ...]) -> str:
    """`text` with these values (an exchange's own credentials) and credential-shaped ones masked: a value whole, or
    its start of 6 characters or more where a shortened preview cut it."""
    for secret in secrets:
        if len(secret) < 6:
            continue
        text = text.replace(secret, MASKED)
        start = text.find(secret[:6])
        while start >= 0:
            end = start + 6
            while end < len(text) and end - start < len(secret) and text[end] == secret[end - start]:
                end += 1
            text = text[:start] + MASKED + text[end:]
            start = text.find(secret[:6], start + len(MASKED))
    return mask(text)


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
    if len(text) >= _SHORTEST_CREDENTIAL:
        text = mask(text)  # before shortening: a cut credential would no longer look like one
    if len(text) > PREVIEW_LIMIT:
        text = text[: PREVIEW_LIMIT - 3] + "..."
    return text


def previews(values: list[Any], name: str = "") -> list[str]:
    """preview() of each of `values` (all at one place, of one `name`): short strings, as most are, written without
    the checks their JSON is too short to need, strings all together as one JSON array."""
    if name and is_secret_name(name):
        return [REDACTED] * len(values)
    if values and set(map(type, values)) == {str}:
        try:
            texts = escaped_together(json_string, values)
        except TypeError:  # a lone surrogate: each one as preview() shows it
            texts = None
        if texts is not None:
            short = _SHORTEST_CREDENTIAL - 2  # the quotes
            if max(map(len, texts)) < short:  # too short to hold a credential, and to be cut
                return [f'"{text}"' for text in texts]
            return [f'"{text}"' if len(text) < short else preview(value)
                    for text, value in zip(texts, values, strict=True)]  # fmt: skip
    dumps, shown = orjson.dumps, []
    for value in values:
        if type(value) is str:
            try:
                text: str | None = dumps(value).decode()
            except TypeError:  # a lone surrogate: preview() shows it
                text = None
            if text is not None and len(text) < _SHORTEST_CREDENTIAL:  # too short to hold a credential, or be cut
                shown.append(text)
                continue
        shown.append(preview(value))
    return shown


# Characters a log line must not hold as they are: C0 and C1 controls, DEL, and the Unicode line separators.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """`text` with every control character written as an escape (`\\x00`, `\\x1b`, `\\u2028`): one log line stays
    one line, and a terminal shows it as it is."""
    return _UNPRINTABLE.sub(lambda found: found.group().encode("unicode_escape").decode("ascii"), text)


def shown_keys(value: dict[str, Any], most: int = 6) -> str:
    """The first keys of an object, for a message: each shortened and masked, and how many more there are."""
    keys = [mask(key if len(key) <= 40 else key[:37] + "...") for key in list(value)[:most]]
    return ", ".join(keys) + (f" and {len(value) - most} more" if len(value) > most else "")
