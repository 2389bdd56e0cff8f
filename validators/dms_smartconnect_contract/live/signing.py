"""AK/SK request signing, algorithm SDK-HMAC-SHA256, as Huawei Cloud's SDK signer does it: signing for live runs,
verification for the reference server. Secrets never leave this module in a message."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, quote, unquote, urlsplit

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
EMPTY_HASH = hashlib.sha256(b"").hexdigest()
CLOCK_SKEW = timedelta(minutes=15)
_AUTHORIZATION = re.compile(
    r"^SDK-HMAC-SHA256\s+Access=(?P<access>[^,\s]+),\s*SignedHeaders=(?P<signed>[^,\s]+),\s*Signature=(?P<signature>[0-9a-f]+)$"
)


def _encode(text: str) -> str:
    return quote(text, safe="~")


def canonical_uri(path: str) -> str:
    """Each segment of the decoded path percent-encoded, ending with a slash."""
    uri = "/".join(_encode(segment) for segment in unquote(path).split("/"))
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """Query parameters sorted by name then value, each part percent-encoded."""
    return "&".join(f"{_encode(key)}={_encode(value)}" for key, value in sorted(pairs))


def canonical_request(
    method: str, path: str, query: Iterable[tuple[str, str]], headers: Mapping[str, str], signed: list[str], body: bytes
) -> str:
    """The canonical request of the SDK signer. `headers` has lower-cased names."""
    lines = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in signed)
    payload = headers.get("x-sdk-content-sha256") or (hashlib.sha256(body).hexdigest() if body else EMPTY_HASH)
    return "\n".join([method.upper(), canonical_uri(path), canonical_query(query), lines, ";".join(signed), payload])


def _signature(secret_key: str, date: str, canonical: str) -> str:
    to_sign = f"{ALGORITHM}\n{date}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    return hmac.new(secret_key.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


def sign(
    access_key: str,
    secret_key: str,
    method: str,
    url: str,
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
    now: datetime | None = None,
) -> dict[str, str]:
    """The headers to send: the given ones plus Host, X-Sdk-Date and Authorization."""
    parts = urlsplit(url)
    sent = {**(headers or {})}
    sent.setdefault("X-Sdk-Date", (now or datetime.now(timezone.utc)).strftime(DATE_FORMAT))
    if not any(name.lower() == "host" for name in sent):
        sent["Host"] = parts.netloc
    lower = {name.lower(): str(value) for name, value in sent.items()}
    # Like the SDK: every header is signed, except names with an underscore.
    signed = sorted(name for name in lower if "_" not in name)
    canonical = canonical_request(
        method, parts.path, parse_qsl(parts.query, keep_blank_values=True), lower, signed, body
    )
    signature = _signature(secret_key, lower["x-sdk-date"], canonical)
    sent["Authorization"] = f"{ALGORITHM} Access={access_key}, SignedHeaders={';'.join(signed)}, Signature={signature}"
    return sent


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking a signature: ok, or why not (never naming a secret)."""

    ok: bool
    reason: str = ""


def verify(
    authorization: str,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    keys: Mapping[str, str],
    now: datetime | None = None,
) -> Verdict:
    """Check an SDK-HMAC-SHA256 Authorization header. `headers` has lower-cased names; `keys` maps AK to SK."""
    match = _AUTHORIZATION.match(authorization.strip())
    if not match:
        return Verdict(False, "malformed SDK-HMAC-SHA256 Authorization header")
    signed = match["signed"].split(";")
    if "host" not in signed or "x-sdk-date" not in signed:
        return Verdict(False, "host and x-sdk-date must be signed")
    if any(name not in headers for name in signed):
        return Verdict(False, "a signed header is missing from the request")
    try:
        date = datetime.strptime(headers["x-sdk-date"], DATE_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        return Verdict(False, "X-Sdk-Date is not in %Y%m%dT%H%M%SZ form")
    if abs((now or datetime.now(timezone.utc)) - date) > CLOCK_SKEW:
        return Verdict(False, "X-Sdk-Date is more than 15 minutes off the server's clock")
    secret = keys.get(match["access"])
    # Compare against a signature even for an unknown key, so timing does not tell known keys apart.
    canonical = canonical_request(method, path, parse_qsl(query, keep_blank_values=True), headers, signed, body)
    expected = _signature(secret or "\0unknown", headers["x-sdk-date"], canonical)
    if not hmac.compare_digest(expected, match["signature"]) or secret is None:
        return Verdict(False, "signature mismatch")
    return Verdict(True)
