"""The socket a server of the command line listens on, bound before anything starts, so that an address in use
stops the command with one line naming it (exit 2) rather than inside the server."""

from __future__ import annotations

import socket


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to HOST:PORT and listening (an IPv6 host with or without its brackets); OSError if it
    cannot be."""
    host = host.strip("[]") or "127.0.0.1"
    return socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET)


def listening_url(listening: socket.socket) -> str:
    """The http:// URL a listening socket is reached at (an IPv6 address in brackets)."""
    host, port = listening.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
