"""A request URL's path and query, as `urllib.parse.urlsplit` reads them, at a fraction of its cost: routing and the
request checks read one for every new URL of a capture, and urlsplit costs more than either. A URL urlsplit would
treat specially (not ASCII, with whitespace or control characters it strips, with the brackets of an IPv6 host) is
handed to urlsplit itself; tests/test_requests.py holds the two equal on any text."""

from __future__ import annotations

from urllib.parse import urlsplit

_SCHEME = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-."


def path_and_query(url: str) -> tuple[str, str]:
    """The path and the query of a URL; ValueError where urlsplit raises one."""
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
