"""A request URL's path and query, as `urllib.parse.urlsplit` reads them, at a fraction of its cost: routing and the
request checks read one for every new URL of a capture, and urlsplit costs more than either. A URL urlsplit would
treat specially (not ASCII, with whitespace or control characters it strips, with the brackets of an IPv6 host) is
handed to urlsplit itself; tests/test_requests.py holds the two equal on any text."""

from __future__ import annotations

from urllib.parse import urlsplit

_SCHEME = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-."


# The last URL read and its parts: routing and then each request check read the same URL of an exchange, one after
# the other. One tuple, replaced whole, so that a thread never sees one URL's parts under another's.
_last: tuple[str, tuple[str, str]] = ("", ("", ""))


def path_and_query(url: str) -> tuple[str, str]:
    """The path and the query of a URL; ValueError where urlsplit raises one."""
    global _last
    last = _last
    if last[0] is url:
        return last[1]
    parts = _split(url)
    _last = (url, parts)
    return parts


def _split(url: str) -> tuple[str, str]:
    if (
        not url.isascii() or not url or url[0] <= " "
        or "\t" in url or "\r" in url or "\n" in url or "[" in url or "]" in url
    ):  # fmt: skip
        parts = urlsplit(url)
        return parts.path, parts.query
    rest = url
    # A scheme is the text before the first colon, where it is all scheme characters and starts with a letter.
    colon = url.find(":")
    if colon > 0 and url[0].isalpha() and not url[:colon].strip(_SCHEME):
        rest = url[colon + 1 :]
    if rest.startswith("//"):  # the authority runs to the first /, ? or #
        end = len(rest)
        for mark in "/?#":
            found = rest.find(mark, 2)
            if 0 <= found < end:
                end = found
        rest = rest[end:]
    # The fragment is split off before the query, as urlsplit does.
    path, _, query = rest.partition("#")[0].partition("?")
    return path, query
